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

/** Issue 6, point 4: the log lines about a delivery carry its event, delivery and endpoint ids. */
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
}
