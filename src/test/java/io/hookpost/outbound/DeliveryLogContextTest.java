package io.hookpost.outbound;

import java.util.List;
import java.util.Map;

import io.hookpost.support.HookpostTest;
import io.hookpost.support.TestReceiver.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue 6, point 4: the log lines about a delivery carry its event, delivery and endpoint ids, and say what happened. */
@ExtendWith(OutputCaptureExtension.class)
class DeliveryLogContextTest extends HookpostTest {

    @Test
    void log_lines_about_a_delivery_carry_its_event_delivery_and_endpoint_ids(CapturedOutput output) throws Exception {
        receiver.answer(r -> Reply.status(500));
        String endpointId = createEndpoint(Map.of("url", receiver.url("/down"), "retrySchedule", List.of("0s"),
                "disableAfterFailures", 2)).get("id").asText();
        String eventId = publish(Map.of("type", "host.offline", "data", Map.of()));
        eventually(() -> output.getAll().contains("Endpoint " + endpointId + " of account"), "the endpoint is disabled");
        String deliveryId = (String) deliveriesOf(eventId).get(0).get("id");

        List<String> lines = output.getAll().lines().filter(l -> l.contains("Endpoint " + endpointId + " of account")).toList();
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).contains("[" + eventId + " " + deliveryId + " " + endpointId + "]");
    }

    @Test
    void the_line_of_a_delivery_given_up_names_its_account_and_how_its_last_attempt_failed(CapturedOutput output)
            throws Exception {
        receiver.answer(r -> Reply.status(503));
        String endpointId = createEndpoint(Map.of("url", receiver.url("/down"), "retrySchedule", List.of("0s")))
                .get("id").asText();
        String eventId = publish(Map.of("type", "host.offline", "data", Map.of()));
        eventually(() -> output.getAll().contains("to endpoint " + endpointId + " of account"), "the delivery is given up");
        String deliveryId = (String) deliveriesOf(eventId).get(0).get("id");

        List<String> lines = output.getAll().lines().filter(l -> l.contains("to endpoint " + endpointId + " of account"))
                .toList();
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).contains("[" + eventId + " " + deliveryId + " " + endpointId + "]")
                .contains("Delivery " + deliveryId + " to endpoint " + endpointId + " of account " + account
                        + " failed after 2 attempts; the last: HTTP 503");
    }
}
