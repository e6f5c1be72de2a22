package io.hookpost.ops;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At start on the embedded H2 database, every delivery lease in it is a run's that ended without handing it back (a
 * crash, a kill): H2 locks its file to one process, which is this one, and it has claimed nothing yet. Those leases are
 * released as the schema is ready, so the deliveries they held go out now (or when their retry is due) instead of
 * when the leases end ({@code hookpost.delivery.lease}, 2 min). So are the Idempotency-Keys of the API requests it was
 * answering ({@code io.hookpost.api.IdempotentRequests}): a repeat of such a request is done now, where it was refused
 * (409) until the key was taken for abandoned (5 min; the audit saw a client stuck there after a kill). On a shared
 * database (PostgreSQL) another instance may hold them while it works: they wait for their leases to end there.
 */
final class CrashedRunLeases {
    private static final Logger LOG = LoggerFactory.getLogger(CrashedRunLeases.class);

    private CrashedRunLeases() {
    }

    /** Releases them when the database is embedded H2; returns how many, leases and keys (0 on any other database). */
    static int release(DataSource dataSource) {
        if (EmbeddedDatabaseCompaction.embeddedStore(dataSource) == null) {
            return 0;
        }
        try (Connection connection = dataSource.getConnection(); Statement sql = connection.createStatement()) {
            int released = sql.executeUpdate("UPDATE deliveries SET lease_owner = NULL, lease_until = NULL"
                    + " WHERE status = 'pending' AND lease_owner IS NOT NULL");
            int unanswered = sql.executeUpdate("DELETE FROM idempotent_requests WHERE response_status IS NULL");
            if (!connection.getAutoCommit()) {
                connection.commit();
            }
            if (released > 0) {
                LOG.info("Released {} delivery leases held by a run that did not stop gracefully: their deliveries are"
                        + " sent again now or when their retry is due", released);
            }
            if (unanswered > 0) {
                LOG.info("Let go of {} Idempotency-Keys of API requests a run that did not stop gracefully was"
                        + " answering: a repeat of such a request is done again", unanswered);
            }
            return released + unanswered;
        } catch (SQLException e) {
            // the leases then end on their own: nothing is lost, it only comes later
            LOG.warn("Could not release the leases of a run that did not stop gracefully; they end after"
                    + " hookpost.delivery.lease: {}", e.toString());
            return 0;
        }
    }
}
