package io.hookpost.ops;

import java.time.OffsetDateTime;

import javax.sql.DataSource;

import io.hookpost.support.HookpostTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a start on the embedded database lets go of (CrashSafetyTest kills a run holding delivery leases): the
 * Idempotency-Keys of requests a killed run was still answering, which refused their repeats with 409.
 */
class CrashedRunLeasesTest extends HookpostTest {
    @Autowired
    DataSource dataSource;

    @Test
    void a_start_lets_go_of_the_keys_of_requests_a_killed_run_was_answering_and_keeps_the_answered_ones() {
        String unanswered = "unanswered-" + account;
        String answered = "answered-" + account;
        OffsetDateTime now = OffsetDateTime.now();
        db.update("INSERT INTO idempotent_requests (id, request_hash, created_at) VALUES (?, 'h', ?)", unanswered, now);
        db.update("INSERT INTO idempotent_requests (id, request_hash, response_status, response_type, response_body,"
                + " created_at) VALUES (?, 'h', 201, 'application/json', 'sealed', ?)", answered, now);

        assertThat(CrashedRunLeases.release(dataSource)).isGreaterThanOrEqualTo(1);

        assertThat(count("SELECT COUNT(*) FROM idempotent_requests WHERE id = ?", unanswered)).isZero();
        assertThat(count("SELECT COUNT(*) FROM idempotent_requests WHERE id = ?", answered)).isEqualTo(1);
    }
}
