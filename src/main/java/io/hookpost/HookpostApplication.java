package io.hookpost;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.actuate.autoconfigure.metrics.LogbackMetricsAutoConfiguration;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

// log events are counted by io.hookpost.ops.LogEventMetrics, without logback's turbo filter
@SpringBootApplication(exclude = LogbackMetricsAutoConfiguration.class)
@ConfigurationPropertiesScan
public class HookpostApplication {
    public static void main(String[] args) {
        SpringApplication.run(HookpostApplication.class, args);
    }
}
