package io.hookpost.ops;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.hookpost.HookpostProperties;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The steps of route erase-deleted-accounts: what a deleted account left (attempts, deliveries, events, inbound
 * callbacks, message statuses, endpoints with their secrets, provider connections, keys) is deleted a batch of
 * {@code hookpost.history.purge-batch} rows per transaction, whatever the history retention, so the purge never holds
 * many rows locked at once. Only the account's row stays, so its id is not given to another account.
 *
 * <p>Hand-written rather than the retention's SQL steps: those keep what is pending and what is younger than the
 * retention, and an erasure keeps neither. A delivery is erased once its last change and its lease are a lease
 * ({@code hookpost.delivery.lease}) in the past, so an attempt under way when the account was deleted records itself
 * first; what is not yet erasable is taken up by the next purge.
 */
@Component("accountErasure")
public class AccountErasure {
    static final String ERASED = "hookpost.erased";
    private static final Logger LOG = LoggerFactory.getLogger(AccountErasure.class);

    private final JdbcTemplate jdbc;
    private final NamedParameterJdbcTemplate named;
    private final TransactionTemplate transaction;
    private final int batch;
    private final Duration lease;
    private final HookpostMetrics metrics;

    public AccountErasure(JdbcTemplate jdbc, TransactionTemplate transaction, HookpostProperties properties,
                          HookpostMetrics metrics) {
        this.jdbc = jdbc;
        this.metrics = metrics;
        this.named = new NamedParameterJdbcTemplate(jdbc);
        this.transaction = transaction;
        this.batch = properties.history().purgeBatch();
        this.lease = properties.delivery().lease();
    }

    /** Step find-deleted-accounts: every deleted account (one with nothing left costs a probe per kind of row). */
    public List<String> deletedAccounts() {
        return jdbc.queryForList("SELECT id FROM accounts WHERE deleted_at IS NOT NULL ORDER BY deleted_at",
                String.class);
    }

    /** Step start-erasure-tally: what is erased of the account the split is at, by kind. */
    public void startTally(Exchange exchange) {
        exchange.setProperty(ERASED, new LinkedHashMap<String, Integer>());
    }

    /**
     * Step erase-a-batch: one batch of the first kind of row the account still has that may go, in one transaction.
     * Whether another batch may follow: this one deleted something, and Hookpost is not stopping.
     */
    public boolean eraseBatch(@Body String account, @ExchangeProperty(ERASED) Map<String, Integer> erased,
                              Exchange exchange) {
        boolean more = Boolean.TRUE.equals(transaction.execute(status -> eraseOne(account, erased)));
        return more && !exchange.getContext().isStopping() && !exchange.getContext().isStopped();
    }

    private boolean eraseOne(String account, Map<String, Integer> erased) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
        OffsetDateTime quiet = now.minus(lease);
        // a delivery no attempt is under way for, and none has been for a lease (locked until deleted, so a
        // retry scheduler's claim waits and then finds it gone)
        List<String> deliveries = jdbc.queryForList("SELECT id FROM deliveries WHERE account_id = ? AND updated_at < ?"
                + " AND (lease_until IS NULL OR lease_until < ?) LIMIT ? FOR UPDATE", String.class,
                account, quiet, now, batch);
        if (!deliveries.isEmpty()) {
            add(erased, "attempts", named.update("DELETE FROM attempts WHERE delivery_id IN (:ids)",
                    Map.of("ids", deliveries)));
            return add(erased, "deliveries", named.update("DELETE FROM deliveries WHERE id IN (:ids)",
                    Map.of("ids", deliveries)));
        }
        // by their ids, not an IN subquery (H2 runs one of a DELETE again for every row it looks at)
        List<String> events = jdbc.queryForList("SELECT e.id FROM events e WHERE e.account_id = ? AND NOT EXISTS"
                + " (SELECT 1 FROM deliveries d WHERE d.account_id = e.account_id AND d.event_id = e.id) LIMIT ?",
                String.class, account, batch);
        if (!events.isEmpty()) {
            return add(erased, "events", named.update("DELETE FROM events WHERE account_id = :account AND id IN (:ids)"
                    + " AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.account_id = events.account_id"
                    + " AND d.event_id = events.id)", Map.of("account", account, "ids", events)));
        }
        List<String> callbacks = jdbc.queryForList("SELECT id FROM inbound_callbacks WHERE account_id = ? LIMIT ?",
                String.class, account, batch);
        if (!callbacks.isEmpty()) {
            return add(erased, "callbacks", named.update("DELETE FROM inbound_callbacks WHERE id IN (:ids)",
                    Map.of("ids", callbacks)));
        }
        List<String> messages = jdbc.queryForList("SELECT DISTINCT provider_message_id FROM message_statuses"
                + " WHERE account_id = ? LIMIT ?", String.class, account, batch);
        if (!messages.isEmpty()) {
            return add(erased, "message_statuses", named.update("DELETE FROM message_statuses"
                    + " WHERE account_id = :account AND provider_message_id IN (:ids)",
                    Map.of("account", account, "ids", messages)));
        }
        // the endpoints (at most a few per account, with their subscriptions) once no delivery refers to them
        List<String> endpoints = jdbc.queryForList("SELECT e.id FROM endpoints e WHERE e.account_id = ? AND NOT EXISTS"
                + " (SELECT 1 FROM deliveries d WHERE d.endpoint_id = e.id) LIMIT ?", String.class, account, batch);
        if (!endpoints.isEmpty()) {
            Map<String, Object> ids = Map.of("ids", endpoints);
            named.update("DELETE FROM endpoint_event_types WHERE endpoint_id IN (:ids)", ids);
            named.update("DELETE FROM endpoint_categories WHERE endpoint_id IN (:ids)", ids);
            return add(erased, "endpoints", named.update("DELETE FROM endpoints WHERE id IN (:ids)", ids));
        }
        int connections = jdbc.update("DELETE FROM provider_connections WHERE account_id = ? AND NOT EXISTS"
                + " (SELECT 1 FROM inbound_callbacks c WHERE c.connection_id = provider_connections.id)", account);
        add(erased, "provider_connections", connections);
        add(erased, "api_keys", jdbc.update("DELETE FROM api_keys WHERE account_id = ?", account));
        return false;
    }

    /**
     * Counts what a batch deleted (in the log's tally and in the retention's metric, hookpost.history.deleted); whether
     * it deleted anything (then another batch follows).
     */
    private boolean add(Map<String, Integer> erased, String kind, int rows) {
        if (rows > 0) {
            erased.merge(kind, rows, Integer::sum);
            metrics.historyDeleted(kind, rows);
        }
        return rows > 0;
    }

    /** Step log-erasure: what was erased of the account, if anything was left of it. */
    public void logErased(@ExchangeProperty(ERASED) Map<String, Integer> erased, @Body String account) {
        if (!erased.isEmpty()) {
            LOG.info("Deleted account {}: erased {}", account, erased);
        }
    }
}
