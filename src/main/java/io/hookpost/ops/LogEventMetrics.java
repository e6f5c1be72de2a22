package io.hookpost.ops;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggerContextListener;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
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
    // one per registry bound; several application contexts (tests) may share the JVM's logback, each with its own
    private final List<CountingAppender> appenders = new CopyOnWriteArrayList<>();

    @Override
    public void bindTo(MeterRegistry registry) {
        CountingAppender counting = new CountingAppender(registry);
        counting.setContext(context);
        counting.setName("hookpost-log-event-metrics-" + Integer.toHexString(System.identityHashCode(counting)));
        counting.start();
        appenders.add(counting);
        counting.attach();
        // a reconfiguration of logback (a logback.xml with scan, for one) drops every appender: it attaches again
        context.addListener(counting);
    }

    @Override
    public void destroy() {
        for (CountingAppender counting : appenders) {
            context.removeListener(counting);
            root().detachAppender(counting);
            counting.stop();
        }
        appenders.clear();
    }

    private Logger root() {
        return context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }

    /** Unsynchronized: counters need no lock, and AppenderBase would take one for every event written. */
    private final class CountingAppender extends UnsynchronizedAppenderBase<ILoggingEvent>
            implements LoggerContextListener {
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

        private Counter counter(MeterRegistry registry, String level) {
            return Counter.builder("logback.events")
                    .tag("level", level)
                    .description("Number of log events that were enabled by the effective log level")
                    .baseUnit("events")
                    .register(registry);
        }

        void attach() {
            if (root().getAppender(getName()) == null) {
                root().addAppender(this);
            }
        }

        @Override
        public boolean isResetResistant() {
            return true;
        }

        @Override
        public void onReset(LoggerContext ignored) {
            attach();
        }

        @Override
        public void onStart(LoggerContext ignored) {
        }

        @Override
        public void onStop(LoggerContext ignored) {
        }

        @Override
        public void onLevelChange(Logger logger, Level level) {
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
