package io.hookpost;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import io.hookpost.support.Api;
import io.hookpost.support.Hmac;
import io.hookpost.support.HookpostProcess;
import io.hookpost.support.HookpostTest;
import io.hookpost.support.Postgres;
import io.hookpost.support.RabbitMq;
import io.hookpost.support.TestReceiver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * RabbitMQ as the queue in place of the embedded Artemis, chosen by configuration alone: profile {@code rabbitmq},
 * here with {@code postgres}, the production pair, on the machine's real RabbitMQ server and PostgreSQL (see
 * {@link RabbitMq}, {@link Postgres}). Hookpost runs as its own process, from its data directory, and starts no
 * broker.
 */
class RabbitMqBrokerPostgresTest {
    static final Postgres POSTGRES = new Postgres();
    static final RabbitMq RABBITMQ = new RabbitMq();
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static HookpostProcess hookpost;
    private static TestReceiver receiver;
    private static Api api;
    private String account;
    private String endpointId;
    private final Set<String> seen = ConcurrentHashMap.newKeySet();

    @BeforeAll
    static void start() throws Exception {
        POSTGRES.require();
        RABBITMQ.require();
        hookpost = HookpostProcess.fresh("rabbitmq", Stream.of(List.of(
                        // a killed Hookpost's leases run out soon, and the retry scheduler looks often
                        "--hookpost.delivery.timeout=3s",
                        "--hookpost.delivery.lease=5s",
                        "--hookpost.delivery.poll-interval-ms=250",
                        "--spring.profiles.active=postgres,rabbitmq",
                        "--hookpost.ops.metrics-public=true"),
                POSTGRES.settings(), RABBITMQ.settings()).flatMap(List::stream).toList());
        hookpost.runFrom(hookpost.dataDir());
        receiver = new TestReceiver();
        api = new Api(hookpost.port(), HookpostTest.ADMIN_TOKEN);
        hookpost.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (hookpost != null) {
            hookpost.close();
        }
        if (receiver != null) {
            receiver.close();
        }
        RABBITMQ.close();
    }

    /** An account of this test's own, with one endpoint at the receiver. */
    @BeforeEach
    void account() {
        account = "acct-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(api.post("/api/v1/accounts", Map.of("id", account, "name", account)).status()).isEqualTo(201);
        Api.Response endpoint = api.post("/api/v1/accounts/" + account + "/endpoints",
                Map.of("url", receiver.url("/" + account)));
        assertThat(endpoint.status()).as(endpoint.text()).isEqualTo(201);
        endpointId = endpoint.json().get("id").asText();
        receiver.takeAll();
    }

    @Test
    void events_pass_through_durable_rabbitmq_queues_and_no_artemis_is_started() throws Exception {
        api.publishNumbered(account, 5);

        receiver.awaitWebhookIds(seen, 5, WAIT);
        assertThat(RABBITMQ.isDurable(RABBITMQ.eventsQueue())).as("the events queue, durable on RabbitMQ").isTrue();
        assertThat(RABBITMQ.messagesReady(RABBITMQ.eventsQueue())).isZero();
        assertThat(Files.exists(hookpost.dataDir().resolve("artemis"))).as("an embedded broker's journal").isFalse();
        Api.Response readiness = api.send("GET", "/actuator/health/readiness", "", Map.of());
        assertThat(readiness.json().at("/components/jms/status").asText()).isEqualTo("UP");
        // the queue-depth gauge reads RabbitMQ: nothing waiting once all is delivered
        assertThat(api.send("GET", "/actuator/prometheus", "", Map.of()).text())
                .contains("hookpost_queue_messages{queue=\"" + RABBITMQ.eventsQueue() + "\"} 0.0");
    }

    /**
     * As a plain AMQP client publishes (no message-id, priority or timestamp): each event is delivered once, those
     * without an id known by their bytes, so an exact repeat is one event and two different ones are two.
     */
    @Test
    void events_another_system_puts_on_the_queue_as_plain_json_are_delivered_once_each() throws Exception {
        String first = "{\"account\":\"" + account + "\",\"type\":\"host.offline\",\"data\":{\"host\":\"db-1\"}}";
        String second = "{\"account\":\"" + account + "\",\"type\":\"host.offline\",\"data\":{\"host\":\"db-2\"}}";
        String withId = "{\"account\":\"" + account + "\",\"id\":\"evt-from-amqp\",\"type\":\"host.offline\","
                + "\"data\":{\"host\":\"db-3\"}}";

        for (String event : List.of(first, second, first, withId)) {
            RABBITMQ.publish(RABBITMQ.eventsQueue(), event.getBytes(StandardCharsets.UTF_8));
        }

        List<String> bodies = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            bodies.add(receiver.next(WAIT).bodyText());
        }
        assertThat(bodies).anyMatch(b -> b.contains("\"host\":\"db-1\""))
                .anyMatch(b -> b.contains("\"host\":\"db-2\""))
                .anyMatch(b -> b.contains("\"id\":\"evt-from-amqp\""));
        assertThat(receiver.drain(Duration.ofSeconds(2))).as("the exact repeat is the same event").isEmpty();
    }

    @Test
    void a_signed_provider_callback_passes_through_the_inbound_queue_and_is_republished() throws Exception {
        Api.Response connection = api.post("/api/v1/accounts/" + account + "/providers",
                Map.of("provider", "email-status", "credentials", Map.of()));
        assertThat(connection.status()).as(connection.text()).isEqualTo(201);
        byte[] body = "{\"messageId\":\"m-1\",\"event\":\"delivery\",\"recipient\":\"ana@example.com\"}"
                .getBytes(StandardCharsets.UTF_8);

        Api.Response answer = api.send("POST", connection.json().get("inboundPath").asText(), body, Map.of(
                "Content-Type", "application/json",
                "X-Webhook-Signature", "sha256=" + Hmac.hex("HmacSHA256", connection.json().get("secret").asText(),
                        body)));

        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
        TestReceiver.Received event = receiver.next(WAIT);
        assertThat(event.path()).as("the account's endpoint, subscribed to every event").isEqualTo("/" + account);
        assertThat(event.bodyText()).contains("\"type\":\"message.delivered\"").contains("\"messageId\":\"m-1\"");
        assertThat(RABBITMQ.isDurable(RABBITMQ.inboundQueue())).as("the inbound queue, durable on RabbitMQ").isTrue();
    }

    @Test
    void events_accepted_before_hookpost_is_killed_are_delivered_after_it_starts_again() throws Exception {
        api.publishNumbered(account, 20);
        hookpost.kill();

        hookpost.start();

        receiver.awaitWebhookIds(seen, 20, WAIT);
    }

    /**
     * RabbitMQ gives a message back at once. A fan-out that fails (here: the database refuses every new event) is
     * tried again after hookpost.events.redelivery-delay (1 s), doubling: within 8 s at 0, 1, 3 and 7 s, not as fast
     * as the broker hands the message over. Mended, the event is delivered.
     */
    @Test
    void an_event_whose_fan_out_keeps_failing_is_tried_again_after_a_growing_delay_and_delivered_once_mended()
            throws Exception {
        try (Connection db = POSTGRES.connect(); Statement sql = db.createStatement()) {
            // the endpoint's creation queued endpoint.created for the admin webhooks: recorded before the trigger,
            // so that the test's event is the only one refused
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!recorded(sql, "endpoint.created:" + endpointId + ":%")) {
                assertThat(System.nanoTime()).as("endpoint.created recorded").isLessThan(deadline);
                Thread.sleep(100);
            }
            sql.execute("CREATE FUNCTION refuse_events() RETURNS trigger LANGUAGE plpgsql AS"
                    + " $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$");
            sql.execute("CREATE TRIGGER refuse_events BEFORE INSERT ON events FOR EACH ROW"
                    + " EXECUTE FUNCTION refuse_events()");
            try {
                api.publishNumbered(account, 1);
                Thread.sleep(8_000);
            } finally {
                sql.execute("DROP TRIGGER refuse_events ON events");
                sql.execute("DROP FUNCTION refuse_events()");
            }
        }

        receiver.awaitWebhookIds(seen, 1, WAIT);
        List<String> failures = hookpost.output().lines()
                .filter(line -> line.contains("Execution of JMS message listener failed"))
                .filter(line -> line.contains("refused by the test"))
                .toList();
        assertThat(failures).as("the fan-out's failures while the database refused the event").hasSizeBetween(2, 5);
    }

    private static boolean recorded(Statement sql, String idPattern) throws java.sql.SQLException {
        try (java.sql.ResultSet found = sql.executeQuery("SELECT COUNT(*) FROM events WHERE id LIKE '"
                + idPattern.replace("'", "''") + "'")) {
            return found.next() && found.getLong(1) > 0;
        }
    }
}
