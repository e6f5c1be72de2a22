package io.hookpost.ops;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
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
 * batch may follow, and the tally of what was deleted, logged once a run.
 */
@Component("historyRetention")
public class HistoryRetention {
    static final String CUTOFF = "hookpost.cutoff";
    static final String ACCOUNT = "hookpost.account";
    static final String MORE = "hookpost.more";
    static final String FOUND = "hookpost.found";
    /** What a run deleted, by kind: one map shared by the split's copies of the exchange. */
    static final String TALLY = "hookpost.purged";
    private static final Logger LOG = LoggerFactory.getLogger(HistoryRetention.class);

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
        exchange.setProperty(TALLY, new ConcurrentHashMap<String, LongAdder>());
        return Map.of("cutoff", cutoff);
    }

    /** A batch's parameters: the account the split is at (none for the callbacks), the cutoff and the batch size. */
    public Map<String, Object> parameters(@ExchangeProperty(ACCOUNT) String account,
                                          @ExchangeProperty(CUTOFF) OffsetDateTime cutoff) {
        return account == null ? Map.of("cutoff", cutoff, "batch", settings.purgeBatch())
                : Map.of("account", account, "cutoff", cutoff, "batch", settings.purgeBatch());
    }

    /** Step their-ids: the old deliveries found, as the ids the deletes take; another batch may follow a full one. */
    public Map<String, Object> found(List<Map<String, Object>> rows, Exchange exchange) {
        exchange.setProperty(FOUND, rows.size());
        exchange.setProperty(MORE, rows.size() >= settings.purgeBatch());
        return Map.of("ids", rows.stream().map(row -> row.get("id")).toList());
    }

    /** Step count-attempts-deleted. */
    public void attemptsDeleted(@Header(SqlConstants.SQL_UPDATE_COUNT) int count,
                                @ExchangeProperty(TALLY) ConcurrentMap<String, LongAdder> tally) {
        add(tally, "attempts", count);
    }

    /** Step count-deliveries-deleted. */
    public void deliveriesDeleted(@Header(SqlConstants.SQL_UPDATE_COUNT) int count,
                                  @ExchangeProperty(TALLY) ConcurrentMap<String, LongAdder> tally) {
        add(tally, "deliveries", count);
    }

    /** Step count-events-deleted: another batch may follow a full one. */
    public void eventsDeleted(@Header(SqlConstants.SQL_UPDATE_COUNT) int count,
                              @ExchangeProperty(TALLY) ConcurrentMap<String, LongAdder> tally, Exchange exchange) {
        add(tally, "events", count);
        exchange.setProperty(MORE, count >= settings.purgeBatch());
    }

    /** Step count-callbacks-deleted: another batch may follow a full one. */
    public void callbacksDeleted(@Header(SqlConstants.SQL_UPDATE_COUNT) int count,
                                 @ExchangeProperty(TALLY) ConcurrentMap<String, LongAdder> tally, Exchange exchange) {
        add(tally, "callbacks", count);
        exchange.setProperty(MORE, count >= settings.purgeBatch());
    }

    private static void add(ConcurrentMap<String, LongAdder> tally, String kind, int count) {
        tally.computeIfAbsent(kind, k -> new LongAdder()).add(count);
    }

    /** Step report-purge: one line a run, INFO when something was deleted, and the counts to the metrics. */
    public Map<String, Long> report(@ExchangeProperty(CUTOFF) OffsetDateTime cutoff,
                                    @ExchangeProperty(TALLY) ConcurrentMap<String, LongAdder> tally) {
        Map<String, Long> purged = Map.of("deliveries", sum(tally, "deliveries"), "attempts", sum(tally, "attempts"),
                "events", sum(tally, "events"), "callbacks", sum(tally, "callbacks"));
        purged.forEach(metrics::historyDeleted);
        boolean any = purged.values().stream().anyMatch(n -> n > 0);
        String line = "History created before {} deleted: {} deliveries with {} attempts, {} events,"
                + " {} inbound callbacks";
        Object[] args = {cutoff, purged.get("deliveries"), purged.get("attempts"), purged.get("events"),
                purged.get("callbacks")};
        if (any) {
            LOG.info(line, args);
        } else {
            LOG.debug(line, args);
        }
        return purged;
    }

    private static long sum(Map<String, LongAdder> tally, String kind) {
        LongAdder adder = tally.get(kind);
        return adder == null ? 0 : adder.sum();
    }
}
