package io.hookpost.ops;

import java.util.Map;

import io.hookpost.support.HookpostTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The embedded broker does not audit-log each message. Its audit loggers write several lines for every message
 * sent, consumed and acknowledged (found by the benchmark: four log entries, some of a dozen lines, per event, all
 * through the one console appender); Artemis ships them off, and so does Hookpost.
 */
@ExtendWith(OutputCaptureExtension.class)
class BrokerLogTest extends HookpostTest {

    @Test
    void publishing_and_delivering_events_writes_no_broker_audit_lines(CapturedOutput output) throws Exception {
        createEndpoint(Map.of("url", receiver.url("/quiet")));
        LoggerFactory.getLogger(BrokerLogTest.class).info("five events follow");
        for (int i = 0; i < 5; i++) {
            publish(Map.of("type", "host.offline", "data", Map.of("n", i)));
        }
        for (int i = 0; i < 5; i++) {
            receiver.next(WAIT);
        }

        assertThat(output.getAll()).as("the log was captured").contains("five events follow");
        assertThat(output.getAll()).doesNotContain("org.apache.activemq.audit", "AMQ6015");
    }
}
