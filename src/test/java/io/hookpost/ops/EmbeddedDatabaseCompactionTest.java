package io.hookpost.ops;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;

import org.h2.jdbcx.JdbcDataSource;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The embedded database's file holds its data, not every chunk ever written: with a commit written at once
 * (WRITE_DELAY=0) each commit is a chunk, and without compaction a chunk with one page still live was never reused.
 */
class EmbeddedDatabaseCompactionTest {

    @Test
    void rows_written_one_commit_each_leave_the_file_mostly_live_data(@TempDir Path dir) throws Exception {
        JdbcDataSource dataSource = new JdbcDataSource();
        // as Hookpost's URL (application.yaml) writes the file, but with chunks reusable after 1 s, not H2's 45 s, so
        // the test need not wait that long before the chunks it rewrote are freed
        dataSource.setURL("jdbc:h2:file:" + dir.resolve("db") + ";MODE=PostgreSQL;WRITE_DELAY=0;RETENTION_TIME=1000");
        dataSource.setUser("sa");
        try (Connection open = dataSource.getConnection()) { // the database stays open while one connection is
            open.createStatement().execute("CREATE TABLE deliveries (id BIGINT PRIMARY KEY, status VARCHAR(20),"
                    + " attempts INT, body VARCHAR(2000), created_at TIMESTAMP)");
            open.createStatement().execute("CREATE INDEX deliveries_status ON deliveries (status, created_at)");
            EmbeddedDatabaseCompaction compaction = new EmbeddedDatabaseCompaction(dataSource, Duration.ofMillis(100));
            compaction.start();
            assertThat(compaction.active()).isTrue();
            MVStore store = EmbeddedDatabaseCompaction.embeddedStore(dataSource);

            // a delivery's life: inserted pending, then marked delivered, each its own commit
            PreparedStatement insert = open.prepareStatement(
                    "INSERT INTO deliveries VALUES (?, 'pending', 0, ?, CURRENT_TIMESTAMP)");
            PreparedStatement deliver = open.prepareStatement(
                    "UPDATE deliveries SET status = 'delivered', attempts = attempts + 1 WHERE id = ?");
            String body = "x".repeat(600);
            for (long id = 1; id <= 6_000; id++) {
                insert.setLong(1, id);
                insert.setString(2, body);
                insert.executeUpdate();
                deliver.setLong(1, id);
                deliver.executeUpdate();
            }
            Thread.sleep(1_100); // the retention time: chunks rewritten until now may be used again
            for (int i = 0; i < 50 && compaction.compactOnce(); i++) {
                Thread.sleep(20);
            }
            int liveShare = store.getFileStore().getChunksFillRate();
            compaction.destroy();

            // without compaction 4 % of the chunks' bytes were live: chunks with a page or two still in use, never
            // freed, and the file grew by every commit
            assertThat(liveShare).as("percent of the chunks' bytes live").isGreaterThanOrEqualTo(50);
        }
    }
}
