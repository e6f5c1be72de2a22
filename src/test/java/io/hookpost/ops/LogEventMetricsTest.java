package io.hookpost.ops;

import java.util.ArrayList;
import java.util.List;

import ch.qos.logback.classic.LoggerContext;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/** logback_events_total counted by an appender: every registry bound counts, and nothing is left behind on close. */
class LogEventMetricsTest {
    private static final Logger LOG = LoggerFactory.getLogger(LogEventMetricsTest.class);

    @Test
    void each_registry_bound_counts_the_events_written_and_a_closed_one_leaves_no_appender() {
        SimpleMeterRegistry one = new SimpleMeterRegistry();
        SimpleMeterRegistry two = new SimpleMeterRegistry();
        LogEventMetrics metrics = new LogEventMetrics();
        List<String> before = rootAppenders();
        metrics.bindTo(one);
        metrics.bindTo(two);
        assertThat(rootAppenders()).hasSize(before.size() + 2);

        LOG.warn("A warning written by LogEventMetricsTest, to be counted");
        LOG.trace("Not written at the default level, so not counted either");

        for (SimpleMeterRegistry registry : List.of(one, two)) {
            assertThat(registry.get("logback.events").tag("level", "warn").counter().count()).isGreaterThanOrEqualTo(1);
            assertThat(registry.find("logback.events").counters()).hasSize(5);
            // nothing in Hookpost logs at TRACE by default: a check that was not written is not counted
            assertThat(registry.get("logback.events").tag("level", "trace").counter().count()).isZero();
        }
        metrics.destroy();
        assertThat(rootAppenders()).containsExactlyInAnyOrderElementsOf(before);
    }

    @Test
    void a_reset_of_logback_attaches_the_counting_appender_again() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        LogEventMetrics metrics = new LogEventMetrics();
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        metrics.bindTo(registry);
        try {
            String name = rootAppenders().stream().filter(n -> n.startsWith("hookpost-log-event-metrics-")).findFirst()
                    .orElseThrow();
            // what a reset does to the appenders (context.reset() would also drop the test run's console appender)
            context.getLogger(Logger.ROOT_LOGGER_NAME).detachAppender(name);
            context.getCopyOfListenerList().stream().filter(l -> l.getClass().getName().startsWith(LogEventMetrics.class.getName()))
                    .forEach(l -> l.onReset(context));
            assertThat(rootAppenders()).contains(name);
        } finally {
            metrics.destroy();
        }
    }

    private static List<String> rootAppenders() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        List<String> names = new ArrayList<>();
        context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders().forEachRemaining(a -> names.add(a.getName()));
        return names;
    }
}
