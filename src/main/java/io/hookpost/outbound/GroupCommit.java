package io.hookpost.outbound;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Function;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.DefaultExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Group commit: runs a route (e.g. {@code direct:record-event}) for exchanges of many threads in one database
 * transaction, each in a savepoint of its own, and lets each caller go on only once that transaction has
 * committed. The embedded database writes its store on every commit, which made one commit per event or per
 * attempt the largest cost of a delivery; callers that arrive while a batch commits form the next batch, so an
 * idle system commits at once and a busy one commits many at a time. A caller whose own work fails gets its
 * exception back and its savepoint rolled back; the rest of the batch commits.
 * <p>
 * With a batch route (e.g. {@code direct:record-attempts}), a batch first goes through that route as one exchange
 * whose body is the list of the callers' bodies, so each statement runs once per batch as a JDBC batch instead of
 * once per caller through its own route and savepoint. When that fails, the transaction is rolled back and the
 * batch is recorded again caller by caller as above, so only the caller whose work fails gets an exception.
 * <p>
 * Written by hand because Camel's aggregator completes a batch after its callers have moved on, while these
 * callers must not go on (acknowledge a queue message, count a delivery) before their rows are committed.
 */
public class GroupCommit implements Processor, DisposableBean {
    private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);

    private record Unit(Exchange exchange, CountDownLatch committed) {
    }

    private final String route;
    private final String batchRoute;
    private final CamelContext camel;
    private final int maxBatch;
    private final ProducerTemplate producer;
    private final TransactionTemplate transaction;
    private final BlockingQueue<Unit> waiting = new LinkedBlockingQueue<>();
    private final List<Thread> writers = new ArrayList<>();
    private final Comparator<Unit> lockOrder;
    private volatile boolean running = true;

    /**
     * @param writers   transactions in progress at once. One writer leaves the other cores idle while it runs the
     *                  statements of its batch; with more, one batch's statements run while another commits.
     * @param lockOrder the key of the row a caller's work may share with other callers (its endpoint, its event). Each
     *                  batch runs in that order, so two transactions lock shared rows in the same order and never wait
     *                  for each other in a cycle (a deadlock would fail a caller whose work was fine).
     * @param batchRoute the route that records a whole batch (body: the list of the callers' bodies), or null
     */
    public GroupCommit(String route, String batchRoute, int maxBatch, int writers, Function<Exchange, String> lockOrder,
                       CamelContext camel, PlatformTransactionManager transactions) {
        this.route = route;
        this.batchRoute = batchRoute;
        this.camel = camel;
        this.lockOrder = Comparator.comparing(unit -> String.valueOf(lockOrder.apply(unit.exchange())));
        this.maxBatch = maxBatch;
        this.producer = camel.createProducerTemplate();
        this.transaction = new TransactionTemplate(transactions);
        for (int i = 1; i <= writers; i++) {
            Thread writer = new Thread(this::write, "hookpost-group-commit-" + route.replaceAll("\\W+", "-") + "-" + i);
            writer.setDaemon(true);
            writer.start();
            this.writers.add(writer);
        }
    }

    /** Hands the exchange to the writer and waits until its work is committed (or has failed). */
    @Override
    public void process(Exchange exchange) throws Exception {
        Unit unit = new Unit(exchange, new CountDownLatch(1));
        waiting.put(unit);
        unit.committed().await();
    }

    private void write() {
        List<Unit> batch = new ArrayList<>(maxBatch);
        while (running) {
            try {
                batch.add(waiting.take());
                waiting.drainTo(batch, maxBatch - 1);
                batch.sort(lockOrder);
                commit(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                batch.forEach(unit -> unit.committed().countDown());
                batch.clear();
            }
        }
    }

    private void commit(List<Unit> batch) {
        if (batchRoute == null || batch.size() == 1 || !commitTogether(batch)) {
            commitEach(batch);
        }
    }

    /** The whole batch through the batch route in one transaction; false (and nothing recorded) when that failed. */
    private boolean commitTogether(List<Unit> batch) {
        Exchange together = new DefaultExchange(camel);
        together.getIn().setBody(batch.stream().map(unit -> unit.exchange().getIn().getBody()).toList());
        try {
            transaction.executeWithoutResult(status -> {
                producer.send(batchRoute, together);
                if (together.getException() != null) {
                    status.setRollbackOnly();
                }
            });
        } catch (RuntimeException e) {
            together.setException(e);
        }
        if (together.getException() != null) {
            LOG.debug("Batch of {} exchanges on {} failed, recording each on its own: {}", batch.size(), batchRoute,
                    together.getException().toString());
            return false;
        }
        return true;
    }

    private void commitEach(List<Unit> batch) {
        try {
            transaction.executeWithoutResult(status -> {
                for (Unit unit : batch) {
                    Object savepoint = status.createSavepoint();
                    producer.send(route, unit.exchange());
                    if (unit.exchange().getException() != null) {
                        status.rollbackToSavepoint(savepoint);
                    } else {
                        status.releaseSavepoint(savepoint);
                    }
                }
            });
        } catch (RuntimeException e) {
            // the commit itself failed: nothing of this batch is recorded, and every caller is told so
            LOG.warn("Group commit of {} exchanges on {} failed: {}", batch.size(), route, e.toString());
            batch.forEach(unit -> unit.exchange().setException(e));
        }
    }

    @Override
    public void destroy() {
        // by now Camel has stopped its routes, so no caller is waiting
        running = false;
        writers.forEach(Thread::interrupt);
    }
}
