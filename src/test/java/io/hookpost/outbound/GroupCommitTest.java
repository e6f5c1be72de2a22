package io.hookpost.outbound;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.sql.SqlComponent;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The group commit on a real H2 database and a real camel-sql route: several writers, callers whose work updates
 * rows that other callers' work updates too (as attempts reset their endpoint's failure streak).
 */
class GroupCommitTest {
    private static final int CALLERS = 400;
    private static final List<String> SHARED_ROWS = List.of("ep_a", "ep_b", "ep_c", "ep_d");

    private final DefaultCamelContext camel = new DefaultCamelContext();
    private JdbcTemplate db;
    private GroupCommit groupCommit;
    private GroupCommit.Recording recordingKind;
    private Processor recording;
    private DataSourceTransactionManager transactions;
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final AtomicInteger batchesTried = new AtomicInteger();
    private final AtomicInteger callersRecordedAlone = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:mem:group-commit-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=2000");
        db = new JdbcTemplate(dataSource);
        db.execute("CREATE TABLE endpoints (id VARCHAR(20) PRIMARY KEY, resets INT NOT NULL)");
        // session: the database session (one per transaction here) that recorded the row
        db.execute("CREATE TABLE attempts (id INT PRIMARY KEY, endpoint_id VARCHAR(20) NOT NULL, session INT)");
        SHARED_ROWS.forEach(id -> db.update("INSERT INTO endpoints VALUES (?, 0)", id));

        SqlComponent sql = new SqlComponent();
        sql.setDataSource(dataSource);
        camel.addComponent("sql", sql);
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:record").routeId("record")
                        .process(exchange -> callersRecordedAlone.incrementAndGet())
                        .to("sql:INSERT INTO attempts (id, endpoint_id, session) VALUES (:#id, :#endpoint_id, SESSION_ID())")
                        .to("sql:UPDATE endpoints SET resets = resets + 1 WHERE id = :#endpoint_id")
                        .delay(1).syncDelayed();
                // the same work for a whole batch, one JDBC batch per statement
                from("direct:record-batch").routeId("record-batch")
                        .process(exchange -> batchesTried.incrementAndGet())
                        .to("sql:INSERT INTO attempts (id, endpoint_id, session) VALUES (:#id, :#endpoint_id, SESSION_ID())?batch=true")
                        .to("sql:UPDATE endpoints SET resets = resets + 1 WHERE id = :#endpoint_id?batch=true")
                        .delay(1).syncDelayed();
            }
        });
        camel.start();
        transactions = new DataSourceTransactionManager(dataSource);
        groupCommit = new GroupCommit(16, 2, Duration.ZERO, camel, transactions, meters);
        recording = recording(null);
    }

    private Processor recording(String batchRoute) {
        recordingKind = groupCommit.recording("direct:record", batchRoute,
                exchange -> exchange.getIn().getBody(Map.class).get("endpoint_id").toString());
        return recordingKind.waiting();
    }

    @AfterEach
    void stop() {
        groupCommit.destroy();
        camel.stop();
    }

    @Test
    void concurrent_batches_touching_the_same_rows_all_commit() throws Exception {
        List<Exception> failures = sendAll(CALLERS);

        assertThat(failures).as("callers whose work failed").isEmpty();
        assertThat(db.queryForObject("SELECT COUNT(*) FROM attempts", Integer.class)).isEqualTo(CALLERS);
        assertThat(db.queryForObject("SELECT SUM(resets) FROM endpoints", Integer.class)).isEqualTo(CALLERS);
    }

    @Test
    void with_a_batch_route_batches_are_recorded_together_and_all_commit() throws Exception {
        recording = recording("direct:record-batch");

        List<Exception> failures = sendAll(CALLERS);

        assertThat(failures).as("callers whose work failed").isEmpty();
        assertThat(db.queryForObject("SELECT COUNT(*) FROM attempts", Integer.class)).isEqualTo(CALLERS);
        assertThat(db.queryForObject("SELECT SUM(resets) FROM endpoints", Integer.class)).isEqualTo(CALLERS);
        assertThat(batchesTried.get()).as("batches recorded together").isPositive();
        assertThat(callersRecordedAlone.get()).as("callers recorded on their own (alone in their batch)")
                .isLessThan(CALLERS / 2);
    }

    @Test
    void with_a_batch_route_only_the_caller_whose_work_fails_gets_an_exception() throws Exception {
        recording = recording("direct:record-batch");
        db.update("INSERT INTO attempts VALUES (?, 'ep_a', NULL)", 7);   // caller 7's insert will collide with this row

        List<Exception> failures = sendAll(CALLERS);

        assertThat(failures).as("callers whose work failed").extracting(Throwable::getMessage).hasSize(1);
        assertThat(batchesTried.get()).as("batches tried together").isPositive();
        assertThat(db.queryForObject("SELECT COUNT(*) FROM attempts", Integer.class)).isEqualTo(CALLERS);
        assertThat(db.queryForObject("SELECT SUM(resets) FROM endpoints", Integer.class)).isEqualTo(CALLERS - 1);
    }

    @Test
    void two_kinds_of_recording_share_the_transactions_and_a_failing_caller_of_one_fails_alone() throws Exception {
        db.execute("CREATE TABLE events (id INT PRIMARY KEY, session INT)");
        db.update("INSERT INTO events VALUES (?, NULL)", 8);   // caller 8's event collides with this row
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:record-event").routeId("record-event")
                        .to("sql:INSERT INTO events (id, session) VALUES (:#id, SESSION_ID())");
            }
        });
        Processor attempts = recording("direct:record-batch");
        Processor events = groupCommit.recording("direct:record-event", null,
                exchange -> exchange.getIn().getBody(Map.class).get("id").toString()).waiting();
        recording = exchange -> ((Integer) exchange.getIn().getBody(Map.class).get("id") % 2 == 0 ? events : attempts)
                .process(exchange);

        List<Exception> failures = sendAll(CALLERS);

        assertThat(failures).as("callers whose work failed").extracting(Throwable::getMessage).hasSize(1);
        assertThat(db.queryForObject("SELECT COUNT(*) FROM events", Integer.class)).isEqualTo(CALLERS / 2);
        assertThat(db.queryForObject("SELECT COUNT(*) FROM attempts", Integer.class)).isEqualTo(CALLERS / 2);
        assertThat(db.queryForObject("SELECT SUM(resets) FROM endpoints", Integer.class)).isEqualTo(CALLERS / 2);
        assertThat(db.queryForObject("SELECT COUNT(DISTINCT session) FROM attempts WHERE session IN (SELECT session FROM events)",
                Integer.class)).as("transactions that recorded events and attempts both").isPositive();
    }

    @Test
    void an_idle_writer_commits_at_once_and_a_busy_one_waits_for_more_work() throws Exception {
        Duration linger = Duration.ofSeconds(3);
        Gate gate = gatedRecording(linger);
        ExecutorService callers = Executors.newFixedThreadPool(4);

        // idle: a caller alone commits at once, not after the linger
        long start = System.nanoTime();
        assertThat(send(99).getException()).isNull();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("an idle caller's wait").isLessThan(linger.dividedBy(2));

        // a batch of one (held), then the two callers that arrived meanwhile together: the writer is busy now
        Future<Exchange> held = callers.submit(() -> send(100));
        gate.holding().await();
        Future<Exchange> second = callers.submit(() -> send(101));
        Future<Exchange> third = callers.submit(() -> send(102));
        Thread.sleep(500);   // both queued behind the held batch, even on a loaded CI machine
        gate.release().countDown();
        for (Future<Exchange> caller : List.of(held, second, third)) {
            assertThat(caller.get().getException()).isNull();
        }

        // busy: the next caller's batch waits for one arriving 300 ms later and both are recorded together
        Future<Duration> early = callers.submit(() -> {
            long sent = System.nanoTime();
            assertThat(send(103).getException()).isNull();
            return Duration.ofNanos(System.nanoTime() - sent);
        });
        Thread.sleep(300);
        assertThat(send(104).getException()).isNull();
        assertThat(early.get()).as("the early caller's wait").isGreaterThanOrEqualTo(Duration.ofMillis(250));
        assertThat(db.queryForObject("SELECT COUNT(DISTINCT session) FROM attempts WHERE id IN (103, 104)", Integer.class))
                .as("transactions that recorded the early and the late caller").isEqualTo(1);
        DistributionSummary sizes = meters.get("hookpost.group.commit.size").summary();
        assertThat(sizes.count()).as("batches").isEqualTo(4);
        assertThat(sizes.totalAmount()).as("callers").isEqualTo(6);
        callers.shutdown();
    }

    @Test
    void every_caller_goes_on_only_once_its_work_is_committed() throws Exception {
        recording = recording("direct:record-batch");
        ExecutorService callers = Executors.newFixedThreadPool(64);
        List<Future<Integer>> seen = new ArrayList<>();
        for (int i = 0; i < CALLERS; i++) {
            int id = i;
            seen.add(callers.submit(() -> {
                assertThat(send(id).getException()).isNull();
                // read at once, on a connection of its own: only a committed row is visible there
                return db.queryForObject("SELECT COUNT(*) FROM attempts WHERE id = ?", Integer.class, id);
            }));
        }
        for (Future<Integer> rows : seen) {
            assertThat(rows.get(30, TimeUnit.SECONDS)).as("the caller's row, when it went on").isEqualTo(1);
        }
        callers.shutdown();
        DistributionSummary sizes = meters.get("hookpost.group.commit.size").summary();
        assertThat(sizes.max()).as("the largest batch").isGreaterThan(2);
    }

    @Test
    void a_caller_still_queued_when_the_group_commit_stops_is_told_its_work_was_not_recorded() throws Exception {
        Gate gate = gatedRecording(Duration.ZERO);
        ExecutorService callers = Executors.newFixedThreadPool(2);
        Future<Exchange> held = callers.submit(() -> send(100));
        gate.holding().await();
        Future<Exchange> queued = callers.submit(() -> send(101));
        Thread.sleep(300);

        groupCommit.destroy();

        assertThat(queued.get(10, TimeUnit.SECONDS).getException()).as("the queued caller's answer")
                .hasMessageContaining("stopped before recording");
        assertThat(held.get(10, TimeUnit.SECONDS)).isNotNull();
        assertThat(db.queryForObject("SELECT COUNT(*) FROM attempts WHERE id = 101", Integer.class)).isZero();
        callers.shutdownNow();
    }

    @Test
    void a_continuing_caller_goes_on_at_once_and_the_rest_of_its_route_runs_once_its_work_is_committed() throws Exception {
        Gate gate = gatedRecording(Duration.ZERO);
        ExecutorService callers = Executors.newFixedThreadPool(2);
        Future<Exchange> held = callers.submit(() -> send(100));
        gate.holding().await();

        // queued behind the held batch: the caller's thread is back at once, before anything is committed
        Exchange continuing = attempt(101);
        CompletableFuture<Integer> rowWhenGoingOn = new CompletableFuture<>();
        boolean doneAtOnce = recordingKind.continuing().process(continuing, doneSync ->
                // what a step after the recording would see, read on a connection of its own
                rowWhenGoingOn.complete(db.queryForObject("SELECT COUNT(*) FROM attempts WHERE id = 101", Integer.class)));
        assertThat(doneAtOnce).as("finished on the caller's thread").isFalse();
        Thread.sleep(300);
        assertThat(rowWhenGoingOn).as("the rest of the route, while the work waits for its batch").isNotDone();

        gate.release().countDown();
        assertThat(rowWhenGoingOn.get(10, TimeUnit.SECONDS)).as("the caller's row when its route went on").isEqualTo(1);
        assertThat(continuing.getException()).isNull();
        assertThat(held.get(10, TimeUnit.SECONDS).getException()).isNull();
        callers.shutdown();
    }

    @Test
    void waiting_and_continuing_callers_of_one_recording_share_its_batches() throws Exception {
        Gate gate = gatedRecording(Duration.ZERO);
        ExecutorService callers = Executors.newFixedThreadPool(2);
        Future<Exchange> held = callers.submit(() -> send(100));
        gate.holding().await();
        Future<Exchange> waiting = callers.submit(() -> send(101));
        CountDownLatch wentOn = sendContinuing(attempt(102));
        Thread.sleep(300);   // both queued behind the held batch

        gate.release().countDown();
        assertThat(wentOn.await(10, TimeUnit.SECONDS)).as("the continuing caller's route went on").isTrue();
        assertThat(waiting.get(10, TimeUnit.SECONDS).getException()).isNull();
        assertThat(held.get(10, TimeUnit.SECONDS).getException()).isNull();
        assertThat(db.queryForObject("SELECT COUNT(DISTINCT session) FROM attempts WHERE id IN (101, 102)", Integer.class))
                .as("transactions that recorded the waiting and the continuing caller").isEqualTo(1);
        callers.shutdown();
    }

    @Test
    void a_continuing_caller_still_queued_when_the_group_commit_stops_goes_on_with_the_failure() throws Exception {
        Gate gate = gatedRecording(Duration.ZERO);
        ExecutorService callers = Executors.newFixedThreadPool(1);
        Future<Exchange> held = callers.submit(() -> send(100));
        gate.holding().await();
        Exchange continuing = attempt(101);
        CountDownLatch wentOn = sendContinuing(continuing);

        groupCommit.destroy();

        assertThat(wentOn.await(10, TimeUnit.SECONDS)).as("the continuing caller's route went on").isTrue();
        assertThat(continuing.getException()).as("what its route went on with").hasMessageContaining("stopped before recording");
        assertThat(held.get(10, TimeUnit.SECONDS)).isNotNull();
        assertThat(db.queryForObject("SELECT COUNT(*) FROM attempts WHERE id = 101", Integer.class)).isZero();
        callers.shutdownNow();
    }

    /** Caller 100's work holds its batch until released: callers arriving meanwhile queue for the next batch. */
    private record Gate(CountDownLatch holding, CountDownLatch release) {
    }

    private Gate gatedRecording(Duration linger) throws Exception {
        Gate gate = new Gate(new CountDownLatch(1), new CountDownLatch(1));
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:record-held").routeId("record-held")
                        .process(exchange -> {
                            if (exchange.getIn().getBody(Map.class).get("id").equals(100)) {
                                gate.holding().countDown();
                                gate.release().await();
                            }
                        })
                        .to("sql:INSERT INTO attempts (id, endpoint_id, session) VALUES (:#id, :#endpoint_id, SESSION_ID())");
            }
        });
        groupCommit.destroy();
        groupCommit = new GroupCommit(16, 1, linger, camel, transactions, meters);
        recordingKind = groupCommit.recording("direct:record-held", null, exchange -> "ep_a");
        recording = recordingKind.waiting();
        return gate;
    }

    private Exchange send(int id) throws Exception {
        Exchange exchange = attempt(id);
        recording.process(exchange);
        return exchange;
    }

    /** Hands the exchange to the continuing processor; the latch opens when the rest of its route would run. */
    private CountDownLatch sendContinuing(Exchange exchange) {
        CountDownLatch wentOn = new CountDownLatch(1);
        recordingKind.continuing().process(exchange, doneSync -> wentOn.countDown());
        return wentOn;
    }

    private Exchange attempt(int id) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.getIn().setBody(Map.of("id", id, "endpoint_id", "ep_a"));
        return exchange;
    }

    /** Sends callers 0..count-1 at once, each touching one shared row; returns the exceptions they got back. */
    private List<Exception> sendAll(int count) throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(64);
        List<Future<Exchange>> sent = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            // every caller touches one shared row; consecutive callers in opposite orders across the rows
            String endpoint = SHARED_ROWS.get((i % 2 == 0 ? i : count - i) % SHARED_ROWS.size());
            int id = i;
            sent.add(callers.submit(() -> {
                Exchange exchange = new DefaultExchange(camel);
                exchange.getIn().setBody(Map.of("id", id, "endpoint_id", endpoint));
                recording.process(exchange);
                return exchange;
            }));
        }
        List<Exception> failures = new ArrayList<>();
        for (Future<Exchange> future : sent) {
            Exception failure = future.get().getException();
            if (failure != null) {
                failures.add(failure);
            }
        }
        callers.shutdown();
        return failures;
    }
}
