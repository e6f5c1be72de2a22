package io.hookpost.ops;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.hookpost.HookpostProperties;
import jakarta.annotation.PreDestroy;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The state of the delivery backlog (and of broadcasts not yet sent), read from the database at most once per
 * {@code hookpost.ops.gauge-refresh},
 * for the Prometheus gauges and the backlog health check: a scrape or a probe never queries the database itself.
 * The query runs on a thread of its own; a reader waits for it at most {@code hookpost.ops.health-timeout}, so a
 * database that does not answer never holds up a scrape or a probe (they get the last known state).
 */
@Component
public class DeliveryBacklog {

    /**
     * One reading. {@code error} is set (and the numbers are 0) when the database could not be read.
     * {@code broadcastsSending}: broadcasts recorded and not yet put on the events queue for every account;
     * {@code oldestBroadcastRequestedAt}: when the one of them asked for longest ago was asked for (null if none).
     */
    public record Snapshot(Instant takenAt, long pending, long waitingRetry, long held, long overdue,
                           Instant oldestDue, long disabledEndpoints, long broadcastsSending,
                           Instant oldestBroadcastRequestedAt, String error) {
        boolean ok() {
            return error == null;
        }
    }

    private static final String DELIVERIES = """
            SELECT COUNT(CASE WHEN status = 'pending' THEN 1 END) AS pending,
                   COUNT(CASE WHEN status = 'pending' AND attempts > 0 THEN 1 END) AS waiting_retry,
                   COUNT(CASE WHEN status = 'held' THEN 1 END) AS held,
                   COUNT(CASE WHEN status = 'pending' AND next_attempt_at < ? THEN 1 END) AS overdue,
                   MIN(CASE WHEN status = 'pending' THEN next_attempt_at END) AS oldest_due
            FROM deliveries
            WHERE status IN ('pending', 'held')
            """;
    private static final String DISABLED_ENDPOINTS =
            "SELECT COUNT(*) FROM endpoints WHERE active = FALSE AND deleted_at IS NULL";
    private static final String UNSENT_BROADCASTS =
            "SELECT COUNT(*) AS sending, MIN(requested_at) AS oldest FROM broadcasts WHERE sent_at IS NULL";

    private final JdbcTemplate jdbc;
    private final Duration refresh;
    private final Duration wait;
    private final Duration overdueAfter;
    private final ExecutorService reader = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "hookpost-backlog");
        thread.setDaemon(true);
        return thread;
    });
    private volatile Snapshot last;
    private Future<?> reading;

    @Autowired
    public DeliveryBacklog(JdbcTemplate jdbc, HookpostProperties properties) {
        this(jdbc, properties.ops().gaugeRefresh(), properties.ops().healthTimeout(),
                properties.ops().backlog().overdueAfter());
    }

    /** With explicit settings (a refresh of zero reads on every call). */
    public DeliveryBacklog(JdbcTemplate jdbc, Duration refresh, Duration wait, Duration overdueAfter) {
        this.jdbc = jdbc;
        this.refresh = refresh;
        this.wait = wait;
        this.overdueAfter = overdueAfter;
    }

    public Duration overdueAfter() {
        return overdueAfter;
    }

    /** The latest reading, at most the refresh interval old unless the database is slow; null before the first. */
    public Snapshot current() {
        Future<?> pending;
        synchronized (this) {
            Snapshot known = last;
            if (known != null && Duration.between(known.takenAt(), Instant.now()).compareTo(refresh) < 0) {
                return known;
            }
            if (reading == null || reading.isDone()) {
                reading = reader.submit(this::read);
            }
            pending = reading;
        }
        try {
            pending.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException slow) {
            // the last known state; the reading goes on and lands in 'last' when the database answers
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException unexpected) {
            // read() records its own failures
        }
        return last;
    }

    private void read() {
        Instant now = Instant.now();
        try {
            Snapshot snapshot = jdbc.queryForObject(DELIVERIES, (rs, n) -> {
                Timestamp oldest = rs.getTimestamp("oldest_due");
                return new Snapshot(now, rs.getLong("pending"), rs.getLong("waiting_retry"), rs.getLong("held"),
                        rs.getLong("overdue"), oldest == null ? null : oldest.toInstant(), 0, 0, null, null);
            }, OffsetDateTime.ofInstant(now.minus(overdueAfter), ZoneOffset.UTC));
            Long disabled = jdbc.queryForObject(DISABLED_ENDPOINTS, Long.class);
            Unsent broadcasts = jdbc.queryForObject(UNSENT_BROADCASTS, (rs, n) -> {
                Timestamp oldest = rs.getTimestamp("oldest");
                return new Unsent(rs.getLong("sending"), oldest == null ? null : oldest.toInstant());
            });
            last = new Snapshot(now, snapshot.pending(), snapshot.waitingRetry(), snapshot.held(), snapshot.overdue(),
                    snapshot.oldestDue(), disabled == null ? 0 : disabled, broadcasts.count(),
                    broadcasts.oldestRequestedAt(), null);
        } catch (RuntimeException e) {
            last = new Snapshot(now, 0, 0, 0, 0, null, 0, 0, null,
                    e.getClass().getSimpleName() + (e.getMessage() != null ? ": " + e.getMessage() : ""));
        }
    }

    private record Unsent(long count, Instant oldestRequestedAt) {
    }

    @PreDestroy
    void stop() {
        reader.shutdownNow();
    }
}
