package io.hookpost.ops;

import java.time.Duration;
import java.util.List;

import io.hookpost.HookpostProperties;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Hookpost's migrations on a real H2 database in PostgreSQL mode, as the embedded default runs them. */
class SchemaMigrationsTest {
    private static final SecretsAtRest PLAIN = new SecretsAtRest(new HookpostProperties.Security("", Duration.ofDays(1), "", List.of()));
    private final JdbcDataSource dataSource = new JdbcDataSource();
    private final Flyway flyway;

    SchemaMigrationsTest() {
        dataSource.setURL("jdbc:h2:mem:migrations-" + System.nanoTime()
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1");
        flyway = Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load();
    }

    @Test
    void a_database_migrated_by_a_newer_hookpost_is_refused_with_what_to_do_and_left_as_it_was() {
        new SchemaMigrations().migrateUnlessNewer(PLAIN).migrate(flyway);
        JdbcTemplate db = new JdbcTemplate(dataSource);
        int latest = db.queryForObject("SELECT MAX(installed_rank) FROM flyway_schema_history", Integer.class);
        // what a newer Hookpost's migration leaves in the history
        db.update("INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum,"
                + " installed_by, execution_time, success) VALUES (?, '99', 'from the future', 'SQL',"
                + " 'V99__from_the_future.sql', 1, 'sa', 1, TRUE)", latest + 1);

        int rows = db.queryForObject("SELECT COUNT(*) FROM flyway_schema_history", Integer.class);

        assertThatThrownBy(() -> new SchemaMigrations().migrateUnlessNewer(PLAIN).migrate(flyway))
                .hasMessageContaining("migrated by a newer Hookpost")
                .hasMessageContaining("99 (from the future)")
                .hasMessageContaining("restore a backup");
        assertThat(db.queryForObject("SELECT COUNT(*) FROM flyway_schema_history", Integer.class)).isEqualTo(rows);
    }

    @Test
    void a_database_of_this_version_or_an_older_one_is_migrated() {
        new SchemaMigrations().migrateUnlessNewer(PLAIN).migrate(flyway);
        new SchemaMigrations().migrateUnlessNewer(PLAIN).migrate(flyway);

        assertThat(flyway.info().pending()).isEmpty();
        assertThat(new JdbcTemplate(dataSource).queryForObject(
                "SELECT COUNT(*) FROM information_schema.columns WHERE column_name = 'older_secrets'", Integer.class))
                .isEqualTo(1);
    }
}
