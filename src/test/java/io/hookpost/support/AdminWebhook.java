package io.hookpost.support;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An admin webhook: an endpoint of the operations account, on a receiver of its own, that gets the given operational
 * event types. Other tests' events of those types may reach it too, so readers look for the one about their own.
 */
public final class AdminWebhook implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Api operator;
    private final String id;
    private final String endpoint;
    private final TestReceiver receiver;

    public AdminWebhook(Api operator, String opsAccount, List<String> types) throws IOException {
        this.operator = operator;
        this.receiver = new TestReceiver();
        Api.Response created = operator.post("/api/v1/accounts/" + opsAccount + "/endpoints",
                Map.of("url", receiver.url("/ops"), "eventTypes", types, "signatureScheme", "none"));
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        this.id = created.json().get("id").asText();
        this.endpoint = "/api/v1/accounts/" + opsAccount + "/endpoints/" + id;
    }

    /** Its endpoint's id. */
    public String id() {
        return id;
    }

    /** An address on its receiver. */
    public String url(String path) {
        return receiver.url(path);
    }

    /** The next operational event whose {@code data} has {@code field} = {@code value}, skipping others'. */
    public JsonNode eventAbout(String field, String value) throws Exception {
        long deadline = System.nanoTime() + HookpostTest.WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode event = JSON.readTree(receiver.next(HookpostTest.WAIT).body());
            if (value.equals(event.path("data").path(field).asText())) {
                return event;
            }
        }
        throw new AssertionError("no operational event with " + field + "=" + value);
    }

    /** The bodies of whatever else comes within {@code quiet}. */
    public List<String> drain(Duration quiet) throws InterruptedException {
        return receiver.drain(quiet).stream().map(TestReceiver.Received::bodyText).toList();
    }

    @Override
    public void close() {
        operator.delete(endpoint);
        receiver.close();
    }
}
