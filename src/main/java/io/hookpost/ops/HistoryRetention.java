package io.hookpost.ops;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import io.hookpost.HookpostProperties;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.apache.camel.component.sql.SqlConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The steps of the history-retention routes that are not SQL: the cutoff, each batch's parameters, whether another
 * batch may follow (not while Hookpost is stopping: a stop waits for one batch, not the whole purge), and the tally
 * of what was deleted, logged once a run and every minute while a long one goes on.
 */
@Component("historyRetention")
public class HistoryRetention {
    static final String CUTOFF = "hookpost.cutoff";
    static final String ACCOUNT = "hookpost.account";
    static final String MORE = "hookpost.more";
    static final String FOUND = "hookpost.found";
    /** What a run deleted: one tally shared by the split's copies of the exchange. */
    static final String TALLY = "hookpost.purged";
    private static final Duration PROGRESS_EVERY = Duration.ofMinutes(1);
    private static final Logger LOG = LoggerFactory.getLogger(HistoryRetention.class);

    /** Rows deleted by kind ({@link HookpostMetrics#HISTORY_KINDS}), and when progress was last logged. */
    static final class Tally {
        final Map<String, LongAdder> rows = new LinkedHashMap<>();
        final AtomicLong lastLogged = new AtomicLong(System.nanoTime());

        Tally() {
            HookpostMetrics.HISTORY_KINDS.forEach(kind -> rows.put(kind, new LongAdder()));
        }

        Map<String, Long> sums() {
            Map<String, Long> sums = new LinkedHashMap<>();
            rows.forEach((kind, adder) -> sums.put(kind, adder.sum()));
            return sums;
        }
    }

    private final HookpostProperties.History settings;
    private final HookpostMetrics metrics;

    public HistoryRetention(HookpostProperties properties, HookpostMetrics metrics) {
        this.settings = properties.history();
        this.metrics = metrics;
    }

    /** Step retention-cutoff: now less the retention, or none when history is kept for ever. */
    public Map<String, Object> start(Exchange exchange) {
        if (settings.retention().isZero()) {
            exchange.removeProperty(CUTOFF);
            return Map.of();
        }
        OffsetDateTime cutoff = OffsetDateTime.now(ZoneOffset.UTC).minus(settings.retention());
        exchange.setProperty(CUTOFF, cutoff);
        exchange.setProperty(TALLY, new Tally());
        return Map.of("cutoff", cutoff);
    }

    /** Whether to start (another) batch: not once Hookpost is stopping. */
    public boolean goOn(Exchange exchange) {
        return !exchange.getContext().isStopping() && !exchange.getContext().isStopped();
    }

    /** A batch's parameters: the account the split is at (none for callbacks, statuses), cutoff, batch size. */
    public Map<String, Object> parameters(@ExchangeProperty(ACCOUNT) String account,
                                          @ExchangeProperty(CUTOFF) OffsetDateTime cutoff) {
        return account == null ? Map.of("cutoff", cutoff, "batch", settings.purgeBatch())
                : Map.of("account", account, "cutoff", cutoff, "batch", settings.purgeBatch());
    }

    /** Steps their-…-ids: the rows found, as the ids the deletes take; another batch may follow a full one. */
    public Map<String, Object> found(List<Map<String, Object>> rows, Exchange exchange) {
        exchange.setProperty(FOUND, rows.size());
        exchange.setProperty(MORE, rows.size() >= settings.purgeBatch() && goOn(exchange));
        return Map.of("ids", rows.stream().map(row -> row.get("id")).toList());
    }

    /**
     * Step their-message-status-keys: the statuses found, each with the cutoff, as the delete's JDBC batch takes them
     * (a row per status: their key has four columns); another batch may follow a full one.
     */
    public List<Map<String, Object>> foundKeys(List<Map<String, Object>> rows,
                                               @ExchangeProperty(CUTOFF) OffsetDateTime cutoff, Exchange exchange) {
        found(rows, exchange);
        return rows.stream().map(row -> {
            Map<String, Object> key = new LinkedHashMap<>(row);
            key.put("cutoff", cutoff);
            return key;
        }).toList();
    }

    /** Step count-attempts-deleted. */
    public void attemptsDeleted(@Header(SqlConstants.SQL_UPDATE_COUNT) int count,
                                @ExchangeProperty(TALLY) Tally tally) {
        add(tally, "attempts", count);
    }

    /** Step count-deliveries-deleted. */
    public void deliveriesDeleted(@Header(SqlConstants.SQL_UPDATE_COUNT) int count,
                                  @ExchangeProperty(TALLY) Tally tally) {
        add(tally, "deliveries", count);
    }

    /** Step count-events-deleted. */
    public void eventsDeleted(@Header(SqlConstants.SQL_UPDATE_COUNT) int count, @ExchangeProperty(TALLY) Tally tally) {
        add(tally, "events", count);
    }

    /** Step count-callbacks-deleted. */
    public void callbacksDeleted(@Header(SqlConstants.SQL_UPDATE_COUNT) int count,
                                 @ExchangeProperty(TALLY) Tally tally) {
        add(tally, "callbacks", count);
    }

    /** Step count-message-statuses-deleted. */
    public void messageStatusesDeleted(@Header(SqlConstants.SQL_UPDATE_COUNT) int count,
                                       @ExchangeProperty(TALLY) Tally tally) {
        add(tally, "message_statuses", count);
    }

    /** Step count-endpoints-deleted. */
    public void endpointsDeleted(@Header(SqlConstants.SQL_UPDATE_COUNT) int count,
                                 @ExchangeProperty(TALLY) Tally tally) {
        add(tally, "endpoints", count);
    }

    /** Step report-purge: one line a run, INFO when something was deleted, and the counts to the metrics. */
    public Map<String, Long> report(@ExchangeProperty(CUTOFF) OffsetDateTime cutoff,
                                    @ExchangeProperty(TALLY) Tally tally, Exchange exchange) {
        Map<String, Long> purged = tally.sums();
        boolean any = purged.values().stream().anyMatch(n -> n > 0);
        String line = "History last changed before {} deleted{}: {} deliveries with {} attempts, {} events,"
                + " {} inbound callbacks, {} message statuses, {} deleted endpoints";
        Object[] args = {cutoff, goOn(exchange) ? "" : " (stopped: Hookpost is stopping)", purged.get("deliveries"),
                purged.get("attempts"), purged.get("events"), purged.get("callbacks"), purged.get("message_statuses"),
                purged.get("endpoints")};
        if (any) {
            LOG.info(line, args);
        } else {
            LOG.debug(line, args);
        }
        return purged;
    }

    private void add(Tally tally, String kind, int count) {
        tally.rows.get(kind).add(count);
        metrics.historyDeleted(kind, count);
        long last = tally.lastLogged.get();
        long now = System.nanoTime();
        // a purge of a long history takes a while: say that it goes on, not only when it has ended
        if (now - last > PROGRESS_EVERY.toNanos() && tally.lastLogged.compareAndSet(last, now)) {
            Map<String, Long> sums = tally.sums();
            LOG.info("History purge going on: {} deliveries with {} attempts, {} events, {} inbound callbacks, {}"
                    + " message statuses, {} deleted endpoints deleted so far", sums.get("deliveries"),
                    sums.get("attempts"), sums.get("events"), sums.get("callbacks"), sums.get("message_statuses"),
                    sums.get("endpoints"));
        }
    }
}
