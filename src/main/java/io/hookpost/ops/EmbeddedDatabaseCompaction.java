package io.hookpost.ops;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import io.hookpost.HookpostProperties;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Keeps the embedded H2 database's file from growing without end. H2 writes each commit as a new chunk of its file
 * ({@code WRITE_DELAY=0}, so a commit is on disk when it returns); a chunk is reused only once none of its pages is
 * live, and one live page keeps it. H2 rewrites such chunks' live pages on its background writer, which it does not
 * run when commits are written at once: the file grew by every chunk ever written (the soak audit: 5.5 GB after 40,000
 * events, 96 % of it dead). This does what that writer would: every {@code hookpost.database.compact-every} it
 * rewrites the live pages of the emptiest chunks (at most {@link #WRITE_BYTES}), so their space is reused.
 * <p>
 * Written here because H2 offers it only as that writer's housekeeping or as {@code SHUTDOWN COMPACT}; the store's
 * own {@link MVStore#compact(int, int)} does the rewriting. Nothing to do on PostgreSQL (its vacuum does this).
 */
@Component
public class EmbeddedDatabaseCompaction implements DisposableBean {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDatabaseCompaction.class);
    /**
     * Compacts while less than this share of the chunks' bytes (percent) is live, rewriting the emptiest first: the file
     * stays within about twice its data, besides the chunks of its last 45 s of commits (H2's retention time, which
     * a freed chunk waits out before its space is used again). Rewriting a chunk more full costs more writes than the space it frees (the
     * benchmark's S1 at 80: 63.5 KB written to disk a delivery, 10.4 without compaction).
     */
    static final int TARGET_FILL_RATE = 50;
    /**
     * At most this much rewritten each time, so a compaction never holds the store for long. Under a sustained load
     * the commits keep the store busy and a compaction often finds it so and waits for the next turn: the file grows
     * then and its space is used again once the load eases.
     */
    static final int WRITE_BYTES = 16 << 20;

    private final DataSource dataSource;
    private final Duration every;
    private volatile MVStore store;
    private final AtomicInteger failures = new AtomicInteger();
    private ScheduledExecutorService compactor;

    @Autowired
    public EmbeddedDatabaseCompaction(DataSource dataSource, HookpostProperties properties) {
        this(dataSource, properties.database().compactEvery());
    }

    EmbeddedDatabaseCompaction(DataSource dataSource, Duration every) {
        this.dataSource = dataSource;
        this.every = every;
    }

    /** Starts once the schema is migrated and the application is up; on any database but embedded H2, does nothing. */
    @EventListener(ApplicationReadyEvent.class)
    public void start() {
        if (every.isZero() || (store = embeddedStore(dataSource)) == null) {
            return;
        }
        compactor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "hookpost-h2-compaction");
            thread.setDaemon(true);
            return thread;
        });
        compactor.scheduleWithFixedDelay(this::compactOnce, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Whether this instance compacts an embedded H2 database. */
    public boolean active() {
        return store != null;
    }

    /** One compaction; true when it rewrote something. */
    boolean compactOnce() {
        MVStore current = store;
        try {
            if (current == null || current.isClosed() || !current.compact(TARGET_FILL_RATE, WRITE_BYTES)) {
                return false;
            }
            // the pages rewritten are written with the next commit: when the database is quiet, now (an idle
            // database's chunks were otherwise never freed)
            current.commit();
            return true;
        } catch (RuntimeException e) {
            if (current.isClosed()) {
                return false; // the database closed under it at a stop
            }
            // once at WARN: a compaction that keeps failing lets the file grow again, which an operator should know;
            // a write failing would fail the routes' commits too, and say so there
            if (failures.getAndIncrement() == 0) {
                LOG.warn("Compacting the embedded database failed; its file may grow until this works again", e);
            } else {
                LOG.debug("Compacting the embedded database failed", e);
            }
            return false;
        }
    }

    /** The H2 store behind the data source, or null when it is not an embedded H2 database. */
    static MVStore embeddedStore(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection()) {
            if (!connection.isWrapperFor(JdbcConnection.class)) {
                return null;
            }
            if (connection.unwrap(JdbcConnection.class).getSession() instanceof SessionLocal local
                    && local.getDatabase().getStore() != null) {
                return local.getDatabase().getStore().getMvStore();
            }
            return null;
        } catch (SQLException e) {
            LOG.warn("Could not tell whether the database is embedded H2; its file is not compacted: {}", e.toString());
            return null;
        }
    }

    @Override
    public void destroy() {
        if (compactor != null) {
            compactor.shutdownNow();
        }
        store = null;
    }
}
