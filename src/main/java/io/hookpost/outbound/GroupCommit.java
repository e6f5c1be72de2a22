package io.hookpost.outbound;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.AsyncCallback;
import org.apache.camel.AsyncProcessor;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.AsyncProcessorSupport;
import org.apache.camel.support.DefaultExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Group commit: runs recording routes (e.g. {@code direct:record-event}, {@code direct:record-attempt}) for exchanges
 * of many threads in one database transaction, and lets each caller go on only once that transaction has committed.
 * The embedded database writes every page a transaction changed on each commit, which made one commit per event or
 * per attempt the largest cost of a delivery; callers that arrive while a batch commits form the next batch, and a
 * busy writer waits a little longer for more ({@code linger}), so an idle system commits at once and a busy one
 * commits many at a time. Events and attempts share the transactions, so
 * the pages both change (the deliveries table's) are written once for both.
 * <p>
 * A batch runs each kind of recording ({@link #recording}) in turn. With a batch route (e.g.
 * {@code direct:record-attempts}), a kind's callers go through that route together, as one exchange whose body is the
 * list of their bodies, so each statement runs once per batch as a JDBC batch. When that fails (or without a batch
 * route) each caller's work runs in a savepoint of its own: a caller whose own work fails gets its exception back
 * and its savepoint rolled back; the rest of the batch commits.
 * <p>
 * A caller either waits ({@link Recording#waiting}: its thread goes on once the work is committed) or goes on at once
 * and leaves the rest of its exchange to the commit ({@link Recording#continuing}: the route goes on, on the writer's
 * thread, once the work is committed). Either way the exchange is in flight until then, so Camel's graceful shutdown
 * waits for it.
 * <p>
 * Written by hand because Camel's aggregator completes a batch after its callers have moved on, while these
 * callers must not go on (acknowledge a queue message, count a delivery) before their rows are committed.
 */
public class GroupCommit implements DisposableBean {
    private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);

    /** One kind of recording: the route for one caller, the route for many (or null), and the lock order. */
    private record Kind(String route, String batchRoute, Comparator<Unit> lockOrder) {
    }

    /** One caller's work; {@code done} lets the caller go on (waiting) or runs the rest of its route (continuing). */
    private record Unit(Kind kind, Exchange exchange, AsyncCallback done, boolean waiting) {
    }

    /**
     * The two ways to hand a kind of recording to the group commit. Both record in the same transactions and batches.
     *
     * @param waiting    a processor whose thread waits until the exchange's work is committed (or has failed), then
     *                   goes on with the route
     * @param continuing an asynchronous processor that lets its thread go at once (on a route that allows it, such as
     *                   a seda consumer's); the rest of the route runs on the group commit's writer thread once the work
     *                   is committed. The steps after it must be short and must not wait for anything (another
     *                   commit, a full queue): every batch waits for them
     */
    public record Recording(Processor waiting, AsyncProcessor continuing) {
    }

    private final int maxBatch;
    private final long lingerNanos;
    private final DistributionSummary batchSizes;
    private final CamelContext camel;
    private final ProducerTemplate producer;
    private final TransactionTemplate transaction;
    private final BlockingQueue<Unit> waiting = new LinkedBlockingQueue<>();
    private final List<Thread> writers = new ArrayList<>();
    private volatile boolean running = true;

    /**
     * @param writers transactions in progress at once. One writer leaves the other cores idle while it runs the
     *                statements of its batch; with more, one batch's statements run while another commits.
     * @param linger  how long a writer whose last batch held more than one caller's work waits for more before it
     *                commits; a writer that was idle commits at once
     * @param meters  where the batch sizes go ({@code hookpost.group.commit.size})
     */
    public GroupCommit(int maxBatch, int writers, Duration linger, CamelContext camel,
                       PlatformTransactionManager transactions, MeterRegistry meters) {
        this.maxBatch = maxBatch;
        this.lingerNanos = linger.toNanos();
        this.batchSizes = DistributionSummary.builder("hookpost.group.commit.size")
                .description("Callers whose work one group-commit transaction recorded").register(meters);
        this.camel = camel;
        this.producer = camel.createProducerTemplate();
        this.transaction = new TransactionTemplate(transactions);
        for (int i = 1; i <= writers; i++) {
            Thread writer = new Thread(this::write, "hookpost-group-commit-" + i);
            writer.setDaemon(true);
            writer.start();
            this.writers.add(writer);
        }
    }

    /**
     * A kind of recording, and the processors that hand an exchange's work to the group commit (see {@link Recording}).
     * Kinds run in each transaction in the order of their route names.
     *
     * @param route      records one caller's exchange
     * @param batchRoute records many callers' bodies (a list) at once, or null
     * @param lockOrder  the key of the row a caller's work may share with other callers (its endpoint, its event). Each
     *                   kind runs in that order, so two transactions lock shared rows in the same order and never wait
     *                   for each other in a cycle (a deadlock would fail a caller whose work was fine). Kinds must
     *                   not lock rows of each other's keys.
     */
    public Recording recording(String route, String batchRoute, Function<Exchange, String> lockOrder) {
        Kind kind = new Kind(route, batchRoute,
                Comparator.comparing(unit -> String.valueOf(lockOrder.apply(unit.exchange()))));
        Processor waitingCaller = exchange -> {
            CountDownLatch committed = new CountDownLatch(1);
            queue(new Unit(kind, exchange, doneSync -> committed.countDown(), true));
            committed.await();
        };
        AsyncProcessor continuingCaller = new AsyncProcessorSupport() {
            @Override
            public boolean process(Exchange exchange, AsyncCallback callback) {
                try {
                    queue(new Unit(kind, exchange, callback, false));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    exchange.setException(e);
                    callback.done(true);
                    return true;
                }
                return false;
            }
        };
        return new Recording(waitingCaller, continuingCaller);
    }

    private void queue(Unit unit) throws InterruptedException {
        waiting.put(unit);
        if (!running) {
            // stopped while this caller queued: whoever drains the queue first tells it so
            failWaiting();
        }
    }

    private void write() {
        List<Unit> batch = new ArrayList<>(maxBatch);
        boolean busy = false;
        while (running) {
            try {
                batch.add(waiting.take());
                waiting.drainTo(batch, maxBatch - 1);
                if (busy) {
                    gatherMore(batch);
                }
                busy = batch.size() > 1;
                batchSizes.record(batch.size());
                commit(batch);
            } catch (InterruptedException e) {
                // stopped while gathering a batch (Camel stops its routes first, so there should be none): its
                // callers are told their work was not recorded, never let go as if it had been
                batch.forEach(unit -> unit.exchange().setException(stopped(e)));
                Thread.currentThread().interrupt();
                return;
            } finally {
                letGo(batch);
                batch.clear();
            }
        }
    }

    /**
     * Lets the batch's callers go on: the waiting ones first (each a wake-up), then the rest of each continuing
     * caller's route, here on the writer's thread.
     */
    private static void letGo(List<Unit> batch) {
        batch.forEach(unit -> {
            if (unit.waiting()) {
                unit.done().done(false);
            }
        });
        batch.forEach(unit -> {
            if (!unit.waiting()) {
                try {
                    unit.done().done(false);
                } catch (RuntimeException e) {
                    // Camel handles a failing step within the route; this would be a bug, and the batch's others go on
                    LOG.error("The route of an exchange recorded by the group commit failed to go on", e);
                }
            }
        });
    }

    private static IllegalStateException stopped(InterruptedException cause) {
        return new IllegalStateException("Group commit stopped before recording this", cause);
    }

    /** Callers still queued once the writers have stopped: told that their work was not recorded, and let go. */
    private void failWaiting() {
        List<Unit> left = new ArrayList<>();
        waiting.drainTo(left);
        left.forEach(unit -> unit.exchange().setException(stopped(null)));
        letGo(left);
    }

    /**
     * Waits up to the linger for more callers' work. A commit costs much the same however many callers share it (the
     * embedded database rewrites the pages of every index the batch touched), so on a busy system a few milliseconds
     * of waiting save more than they cost: in the benchmark, half the bytes written per delivery (bench/RESULTS.md).
     */
    private void gatherMore(List<Unit> batch) throws InterruptedException {
        long deadline = System.nanoTime() + lingerNanos;
        while (batch.size() < maxBatch) {
            Unit next = waiting.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (next == null) {
                return;
            }
            batch.add(next);
            waiting.drainTo(batch, maxBatch - batch.size());
        }
    }

    private void commit(List<Unit> batch) {
        Map<Kind, List<Unit>> byKind = new LinkedHashMap<>();
        batch.forEach(unit -> byKind.computeIfAbsent(unit.kind(), kind -> new ArrayList<>()).add(unit));
        try {
            transaction.executeWithoutResult(status -> byKind.entrySet().stream()
                    .sorted(Comparator.comparing(entry -> entry.getKey().route()))
                    .forEach(entry -> {
                        List<Unit> units = entry.getValue();
                        units.sort(entry.getKey().lockOrder());
                        if (!recordTogether(entry.getKey(), units, status)) {
                            recordEach(entry.getKey(), units, status);
                        }
                    }));
        } catch (RuntimeException e) {
            // the commit itself failed: nothing of this batch is recorded, and every caller is told so
            LOG.warn("Group commit of {} exchanges failed: {}", batch.size(), e.toString());
            batch.forEach(unit -> unit.exchange().setException(e));
        }
    }

    /** The kind's callers through its batch route, in a savepoint; false (and nothing recorded) when that failed. */
    private boolean recordTogether(Kind kind, List<Unit> units, TransactionStatus status) {
        if (kind.batchRoute() == null || units.size() == 1) {
            return false;
        }
        Exchange together = new DefaultExchange(camel);
        // part of this transaction: camel-sql's batch mode would otherwise commit (or roll back) the connection itself
        together.getExchangeExtension().setTransacted(true);
        together.getIn().setBody(units.stream().map(unit -> unit.exchange().getIn().getBody()).toList());
        Object savepoint = status.createSavepoint();
        producer.send(kind.batchRoute(), together);
        if (together.getException() != null) {
            status.rollbackToSavepoint(savepoint);
            LOG.debug("Batch of {} exchanges on {} failed, recording each on its own: {}", units.size(),
                    kind.batchRoute(), together.getException().toString());
            return false;
        }
        status.releaseSavepoint(savepoint);
        return true;
    }

    private void recordEach(Kind kind, List<Unit> units, TransactionStatus status) {
        for (Unit unit : units) {
            Object savepoint = status.createSavepoint();
            producer.send(kind.route(), unit.exchange());
            if (unit.exchange().getException() != null) {
                status.rollbackToSavepoint(savepoint);
            } else {
                status.releaseSavepoint(savepoint);
            }
        }
    }

    @Override
    public void destroy() {
        // by now Camel has stopped its routes, so no caller should be waiting; one that is would wait forever
        running = false;
        writers.forEach(Thread::interrupt);
        failWaiting();
    }
}
