package io.hookpost.ops;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggerContextListener;
import ch.qos.logback.core.AppenderBase;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * {@code logback_events_total{level}}: the log events written, by level, as Micrometer's {@code LogbackMetrics} counts
 * them (same meter, tags and description), which Spring Boot's auto-configuration would bind (excluded in
 * {@link io.hookpost.HookpostApplication}). Written here because Micrometer counts with a logback turbo filter, which
 * logback runs on every {@code isDebugEnabled()} / {@code isTraceEnabled()} check in the process, most of them
 * Camel's per message: 2.1 % of all CPU samples in a profile of the benchmark's S2 (issue 7). An appender on the root
 * logger only runs for an event that is written.
 */
@Component
public class LogEventMetrics implements MeterBinder, DisposableBean {
    private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    // one per application context: several (tests) may share the JVM's logback, each counting into its own registry
    private final String appenderName = "hookpost-log-event-metrics-" + Integer.toHexString(System.identityHashCode(this));
    private volatile CountingAppender appender;
    private volatile LoggerContextListener reattach;

    @Override
    public void bindTo(MeterRegistry registry) {
        CountingAppender counting = new CountingAppender(registry);
        counting.setContext(context);
        counting.setName(appenderName);
        counting.start();
        appender = counting;
        attach();
        // a reconfiguration of logback (logback.xml with scan, for one) drops every appender: attach again
        reattach = new LoggerContextListener() {
            @Override
            public boolean isResetResistant() {
                return true;
            }

            @Override
            public void onStart(LoggerContext ignored) {
            }

            @Override
            public void onReset(LoggerContext ignored) {
                attach();
            }

            @Override
            public void onStop(LoggerContext ignored) {
            }

            @Override
            public void onLevelChange(Logger logger, Level level) {
            }
        };
        context.addListener(reattach);
    }

    private void attach() {
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        CountingAppender counting = appender;
        if (counting != null && root.getAppender(appenderName) == null) {
            root.addAppender(counting);
        }
    }

    @Override
    public void destroy() {
        CountingAppender counting = appender;
        appender = null;
        if (reattach != null) {
            context.removeListener(reattach);
        }
        if (counting != null) {
            context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).detachAppender(counting);
            counting.stop();
        }
    }

    private static final class CountingAppender extends AppenderBase<ILoggingEvent> {
        private final Counter error;
        private final Counter warn;
        private final Counter info;
        private final Counter debug;
        private final Counter trace;

        CountingAppender(MeterRegistry registry) {
            error = counter(registry, "error");
            warn = counter(registry, "warn");
            info = counter(registry, "info");
            debug = counter(registry, "debug");
            trace = counter(registry, "trace");
        }

        private static Counter counter(MeterRegistry registry, String level) {
            return Counter.builder("logback.events")
                    .tag("level", level)
                    .description("Number of log events that were enabled by the effective log level")
                    .baseUnit("events")
                    .register(registry);
        }

        @Override
        protected void append(ILoggingEvent event) {
            switch (event.getLevel().toInt()) {
                case Level.ERROR_INT -> error.increment();
                case Level.WARN_INT -> warn.increment();
                case Level.INFO_INT -> info.increment();
                case Level.DEBUG_INT -> debug.increment();
                case Level.TRACE_INT -> trace.increment();
                default -> { }
            }
        }
    }
}
