package io.hookpost.outbound;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

import io.hookpost.HookpostProperties;
import io.hookpost.support.HookpostTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/** A broadcast's id is kept as long as the history it made (the broadcasts themselves: api.BroadcastTest). */
class BroadcastsTest extends HookpostTest {
    @Autowired
    Broadcasts broadcasts;
    @Autowired
    HookpostProperties properties;

    @Test
    void the_history_purge_forgets_broadcast_ids_older_than_the_retention_and_keeps_the_others() {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        String old = "old-" + UUID.randomUUID();
        String recent = "recent-" + UUID.randomUUID();
        // sent ones only: this context's send-broadcasts would send one that is not
        String insert = "INSERT INTO broadcasts (id, request_hash, occurred_at, created_at, requested_at, sent_at)"
                + " VALUES (?, 'h', ?, ?, ?, ?)";
        OffsetDateTime longAgo = now.minus(properties.history().retention()).minusDays(1);
        db.update(insert, old, longAgo, longAgo, longAgo, longAgo);
        db.update(insert, recent, now, now.minusHours(1), now.minusHours(1), now.minusHours(1));

        assertThat(broadcasts.forgetExpired()).isGreaterThanOrEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM broadcasts WHERE id = ?", old)).isZero();
        assertThat(count("SELECT COUNT(*) FROM broadcasts WHERE id = ?", recent)).isEqualTo(1);
    }
}
