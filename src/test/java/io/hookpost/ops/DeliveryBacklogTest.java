package io.hookpost.ops;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the gauges read from the database, on a database of its own (Hookpost's migrations on H2 in PostgreSQL mode):
 * the application the other tests share sends every broadcast within a second, to every account there.
 */
class DeliveryBacklogTest {
    private final JdbcDataSource dataSource = new JdbcDataSource();
    private final JdbcTemplate db = new JdbcTemplate(dataSource);
    private final DeliveryBacklog backlog;

    DeliveryBacklogTest() {
        dataSource.setURL("jdbc:h2:mem:backlog-" + System.nanoTime()
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1");
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration", "classpath:db/vendor/h2")
                .load().migrate();
        backlog = new DeliveryBacklog(db, Duration.ZERO, Duration.ofSeconds(10), Duration.ofMinutes(1));
    }

    @Test
    void broadcasts_not_yet_sent_are_counted_with_when_the_oldest_was_asked_for() {
        assertThat(backlog.current().broadcastsSending()).isZero();
        assertThat(backlog.current().oldestBroadcastRequestedAt()).isNull();

        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        broadcast("maint-1", now.minus(Duration.ofMinutes(40)), now.minus(Duration.ofMinutes(39)));
        broadcast("maint-2", now.minus(Duration.ofMinutes(30)), null);
        broadcast("maint-3", now.minus(Duration.ofMinutes(2)), null);

        DeliveryBacklog.Snapshot snapshot = backlog.current();
        assertThat(snapshot.error()).isNull();
        assertThat(snapshot.broadcastsSending()).isEqualTo(2);
        assertThat(snapshot.oldestBroadcastRequestedAt()).isEqualTo(now.minus(Duration.ofMinutes(30)));

        db.update("UPDATE broadcasts SET sent_at = ? WHERE id = 'maint-2'", OffsetDateTime.now(ZoneOffset.UTC));
        snapshot = backlog.current();
        assertThat(snapshot.broadcastsSending()).isEqualTo(1);
        assertThat(snapshot.oldestBroadcastRequestedAt()).isEqualTo(now.minus(Duration.ofMinutes(2)));
    }

    private void broadcast(String id, Instant requestedAt, Instant sentAt) {
        OffsetDateTime requested = OffsetDateTime.ofInstant(requestedAt, ZoneOffset.UTC);
        db.update("INSERT INTO broadcasts (id, request_hash, occurred_at, created_at, type, payload, requested_at,"
                        + " sent_at) VALUES (?, 'hash', ?, ?, 'platform.maintenance', ?, ?, ?)",
                id, requested, requested, sentAt == null ? "{}" : null, requested,
                sentAt == null ? null : OffsetDateTime.ofInstant(sentAt, ZoneOffset.UTC));
    }
}
