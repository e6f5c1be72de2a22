package io.hookpost.ops;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import javax.sql.DataSource;

import io.hookpost.HookpostProperties;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.jdbc.DataSourceHealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Health indicators beside Spring Boot's {@code jms} (the broker) and {@code diskSpace}:
 * <ul>
 * <li>{@code db}: Spring Boot's database check, answered within {@code hookpost.ops.health-timeout}. Without the
 *     bound a probe would wait for the connection pool's timeout (30 s) while the database is unreachable. Part
 *     of the readiness group: not ready while the database is away, ready again as soon as it answers.</li>
 * <li>{@code backlog}: pending deliveries overdue by more than {@code hookpost.ops.backlog.overdue-after}. UP
 *     with the numbers below {@code high-water-mark}, DOWN from it on; UNKNOWN while the database cannot be read
 *     ({@code db} says why). Not part of readiness or liveness.</li>
 * </ul>
 */
@Configuration
public class OpsHealth {

    /** Replaces Spring Boot's own {@code db} indicator (which steps back when a bean of this name exists). */
    @Bean
    HealthIndicator dbHealthIndicator(DataSource dataSource, HookpostProperties properties) {
        return new Bounded(new DataSourceHealthIndicator(dataSource), properties.ops().healthTimeout(), "database");
    }

    @Bean
    HealthIndicator backlogHealthIndicator(DeliveryBacklog backlog, HookpostProperties properties) {
        return new Backlog(backlog, properties.ops().backlog().highWaterMark());
    }

    /** A health check that answers DOWN when its delegate takes longer than the bound; one check at a time. */
    static final class Bounded implements HealthIndicator {
        private final HealthIndicator delegate;
        private final Duration timeout;
        private final String what;
        private final ExecutorService checker = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "hookpost-health");
            thread.setDaemon(true);
            return thread;
        });
        private Future<Health> running;

        Bounded(HealthIndicator delegate, Duration timeout, String what) {
            this.delegate = delegate;
            this.timeout = timeout;
            this.what = what;
        }

        @Override
        public Health health() {
            Future<Health> check;
            synchronized (this) {
                // a check still waiting for the database is joined, not doubled
                if (running == null || running.isDone()) {
                    running = checker.submit(delegate::health);
                }
                check = running;
            }
            try {
                return check.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                return Health.down().withDetail("error", "the " + what + " did not answer within " + timeout.toMillis() + " ms").build();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Health.unknown().build();
            } catch (ExecutionException e) {
                return Health.down(e.getCause() instanceof Exception cause ? cause : e).build();
            }
        }
    }

    static final class Backlog implements HealthIndicator {
        private final DeliveryBacklog backlog;
        private final int highWaterMark;

        Backlog(DeliveryBacklog backlog, int highWaterMark) {
            this.backlog = backlog;
            this.highWaterMark = highWaterMark;
        }

        @Override
        public Health health() {
            DeliveryBacklog.Snapshot snapshot = backlog.current();
            if (snapshot == null || snapshot.error() != null) {
                return Health.unknown().withDetail("error", snapshot == null
                        ? "the backlog has not been read yet" : "the backlog cannot be read: " + snapshot.error()).build();
            }
            Health.Builder health = snapshot.overdue() >= highWaterMark ? Health.down() : Health.up();
            health.withDetail("overdue", snapshot.overdue())
                    .withDetail("overdueAfter", backlog.overdueAfter().toString())
                    .withDetail("highWaterMark", highWaterMark)
                    .withDetail("pending", snapshot.pending())
                    .withDetail("waitingRetry", snapshot.waitingRetry())
                    .withDetail("held", snapshot.held())
                    .withDetail("readAt", snapshot.takenAt().toString());
            if (snapshot.oldestDue() != null) {
                health.withDetail("oldestDue", snapshot.oldestDue().toString())
                        .withDetail("oldestDueSeconds", Math.max(0, Duration.between(snapshot.oldestDue(), Instant.now()).toSeconds()));
            }
            return health.build();
        }
    }
}
