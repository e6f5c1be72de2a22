package io.hookpost;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.hookpost.support.Api;
import io.hookpost.support.HookpostProcess;
import io.hookpost.support.HookpostTest;
import io.hookpost.support.TestReceiver;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.Queue;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * In production Hookpost's queues live on an external ActiveMQ Artemis, chosen by configuration alone: the
 * {@code broker} profile of config/application.yaml, with the broker's URL. The broker here is a real Artemis of its
 * own, listening on TCP as a standalone one does, with the address settings README asks for; Hookpost runs as its own
 * process and starts no broker. Events pass through that broker, are delivered, and are not lost when Hookpost is
 * killed right after accepting them.
 */
class ExternalBrokerTest {
    private static final String EVENTS_QUEUE = "hookpost.events";
    private static final Duration WAIT = Duration.ofSeconds(60);
    private Configuration brokerConfiguration;
    private EmbeddedActiveMQ broker;
    private HookpostProcess hookpost;
    private TestReceiver receiver;
    private Api api;
    private final Set<String> seen = ConcurrentHashMap.newKeySet();

    @BeforeEach
    void start() throws Exception {
        Path brokerDir = HookpostProcess.freshDataDir("external-broker");
        int brokerPort = HookpostProcess.freePort();
        Configuration configuration = new ConfigurationImpl()
                .setPersistenceEnabled(true)
                .setSecurityEnabled(false)
                .setJournalDirectory(brokerDir.resolve("journal").toString())
                .setBindingsDirectory(brokerDir.resolve("bindings").toString())
                .setPagingDirectory(brokerDir.resolve("paging").toString())
                .setLargeMessagesDirectory(brokerDir.resolve("large-messages").toString())
                .addAcceptorConfiguration("tcp", "tcp://127.0.0.1:" + brokerPort)
                // README's "An external broker": redeliver Hookpost's queues' messages for ever, the delay growing,
                // and keep the queues (with their counts) while no consumer is attached
                .addAddressSetting("hookpost.#", new AddressSettings()
                        .setMaxDeliveryAttempts(-1)
                        .setRedeliveryDelay(1000)
                        .setRedeliveryMultiplier(2.0)
                        .setMaxRedeliveryDelay(60_000)
                        .setAutoDeleteQueues(false)
                        .setAutoDeleteAddresses(false));
        brokerConfiguration = configuration;
        broker = new EmbeddedActiveMQ().setConfiguration(configuration).start();

        hookpost = HookpostProcess.fresh("external-broker-tests", List.of(
                // a killed Hookpost's leases run out soon, and the retry scheduler looks often (as in CrashSafetyTest)
                "--hookpost.delivery.timeout=3s",
                "--hookpost.delivery.lease=5s",
                "--hookpost.delivery.poll-interval-ms=250",
                "--spring.profiles.active=broker",
                "--spring.artemis.broker-url=tcp://127.0.0.1:" + brokerPort));
        // from its data directory, where there is no ./config/application.yaml: the broker profile is built in
        hookpost.runFrom(hookpost.dataDir());
        receiver = new TestReceiver();
        api = new Api(hookpost.port(), HookpostTest.ADMIN_TOKEN);
        hookpost.start();
        assertThat(api.post("/api/v1/accounts", Map.of("id", "acme", "name", "Acme")).status()).isEqualTo(201);
        Api.Response endpoint = api.post("/api/v1/accounts/acme/endpoints", Map.of("url", receiver.url("/hook")));
        assertThat(endpoint.status()).as(endpoint.text()).isEqualTo(201);
    }

    @AfterEach
    void stop() throws Exception {
        if (hookpost != null) {
            hookpost.close();
        }
        if (receiver != null) {
            receiver.close();
        }
        if (broker != null) {
            broker.stop();
        }
    }

    @Test
    void events_pass_through_the_external_broker_and_no_broker_is_embedded() throws Exception {
        Queue events = broker.getActiveMQServer().locateQueue(SimpleString.of(EVENTS_QUEUE));
        assertThat(events).as("the events queue on the external broker").isNotNull();
        // the endpoint's creation put an endpoint.created on it already, for the admin webhooks
        long before = events.getMessagesAdded();
        api.publishNumbered("acme", 5);

        receiver.awaitWebhookIds(seen, 5, WAIT);
        assertThat(events.getMessagesAdded()).isEqualTo(before + 5);
        assertThat(events.getMessagesAcknowledged()).isEqualTo(before + 5);
        assertThat(Files.exists(hookpost.dataDir().resolve("artemis"))).as("an embedded broker's journal").isFalse();
        Api.Response readiness = api.send("GET", "/actuator/health/readiness", "", Map.of());
        assertThat(readiness.json().at("/components/jms/status").asText()).isEqualTo("UP");
    }

    @Test
    void an_event_posted_while_the_broker_is_down_gets_503_with_retry_after_and_one_posted_after_it_is_back_is_delivered()
            throws Exception {
        broker.stop();

        Api.Response refused = api.post("/api/v1/accounts/acme/events",
                Map.of("id", "evt-while-down", "type", "host.offline", "data", Map.of()));

        assertThat(refused.status()).as(refused.text()).isEqualTo(503);
        assertThat(refused.contentType()).isEqualTo("application/problem+json");
        assertThat(refused.json().get("detail").asText()).contains("queue cannot be reached");
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();

        broker = new EmbeddedActiveMQ().setConfiguration(brokerConfiguration).start();
        long deadline = System.nanoTime() + WAIT.toNanos();
        Api.Response accepted = refused;
        while (accepted.status() != 202 && System.nanoTime() < deadline) {
            Thread.sleep(500);
            accepted = api.post("/api/v1/accounts/acme/events",
                    Map.of("id", "evt-after", "type", "host.offline", "data", Map.of()));
        }
        assertThat(accepted.status()).as(accepted.text()).isEqualTo(202);
        receiver.awaitWebhookIds(seen, 1, WAIT);
    }

    @Test
    void events_accepted_before_hookpost_is_killed_are_delivered_after_it_starts_again() throws Exception {
        api.publishNumbered("acme", 20);
        hookpost.kill();

        hookpost.start();

        receiver.awaitWebhookIds(seen, 20, WAIT);
    }
}
