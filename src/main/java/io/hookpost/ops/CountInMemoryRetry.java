package io.hookpost.ops;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.springframework.stereotype.Component;

/** The deliver route's {@code onRedeliveryRef}: a failed attempt is about to be tried again in memory. */
@Component("countInMemoryRetry")
public class CountInMemoryRetry implements Processor {
    private final HookpostMetrics metrics;

    public CountInMemoryRetry(HookpostMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void process(Exchange exchange) {
        metrics.delivery("retry");
    }
}
