package io.hookpost.api;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.hookpost.support.HookpostTest;
import io.hookpost.support.TestReceiver.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue 4, point 3: no signing secret or API key reaches a log line, even at DEBUG. */
@ExtendWith(OutputCaptureExtension.class)
class SecretsStayOutOfLogsTest extends HookpostTest {
    private static final List<String> CHATTY = List.of("io.hookpost", "org.apache.camel");

    @AfterEach
    void quietAgain() {
        CHATTY.forEach(logger -> LoggingSystem.get(getClass().getClassLoader()).setLogLevel(logger, null));
    }

    @Test
    void secrets_and_keys_never_appear_in_the_log(CapturedOutput output) throws Exception {
        LoggingSystem logging = LoggingSystem.get(getClass().getClassLoader());
        CHATTY.forEach(logger -> logging.setLogLevel(logger, LogLevel.DEBUG));

        receiver.answer(r -> Reply.status(500));
        JsonNode endpoint = createEndpoint(Map.of("url", receiver.url("/fails"), "retrySchedule", List.of("0s")));
        String id = endpoint.get("id").asText();
        String secret = endpoint.get("secret").asText();
        // an Ed25519 private key, which no answer shows either: it signs this endpoint's attempts
        String privateKey = io.hookpost.outbound.Ed25519Keys.generate();
        createEndpoint(Map.of("url", receiver.url("/fails-too"), "retrySchedule", List.of("0s"), "secret", privateKey));
        String rotated = operator.post("/api/v1/accounts/" + account + "/endpoints/" + id + "/rotate-secret",
                Map.of("gracePeriodSeconds", 60)).json().get("secret").asText();
        String key = operator.post("/api/v1/accounts/" + account + "/api-keys", Map.of()).json().get("key").asText();
        operator.withKey(key).get("/api/v1/accounts/" + account + "/endpoints/" + id + "/secret");
        operator.withKey(key + "x").get("/api/v1/accounts/" + account + "/endpoints");
        String portal = operator.post("/api/v1/accounts/" + account + "/portal-access", Map.of()).json()
                .get("token").asText();
        operator.withKey(portal).get("/api/v1/accounts/" + account + "/endpoints/" + id + "/secret");
        operator.withKey(portal).post("/api/v1/accounts/" + account + "/api-keys", Map.of());
        String eventId = publish(Map.of("type", "host.offline", "data", Map.of("n", 1)));
        eventually(() -> deliveriesOf(eventId).size() == 2 && deliveriesOf(eventId).stream()
                .allMatch(d -> "failed".equals(d.get("status"))), "both deliveries failed and were logged");

        assertThat(output.getAll()).as("the log was captured, at DEBUG").contains(id, "DEBUG");
        assertThat(output.getAll()).doesNotContain(secret, rotated, key, portal, ADMIN_TOKEN,
                secret.substring("whsec_".length()), rotated.substring("whsec_".length()),
                privateKey.substring("whsk_".length(), 48));
    }
}
