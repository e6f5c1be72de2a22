package io.hookpost.ops;

import java.util.Arrays;
import java.util.stream.Collectors;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.springframework.boot.autoconfigure.flyway.FlywayMigrationStrategy;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The database's schema is migrated at startup (Flyway, db/migration), and a database a newer Hookpost has migrated
 * is refused. Flyway itself only warns about such a schema and goes on; an older Hookpost writing to it does not know
 * what the newer one stores (a secret rotation by one that knew nothing of older_secrets brought secrets it had
 * ended back into use once the newer one ran again), so going back needs a backup from before the upgrade.
 */
@Configuration(proxyBeanMethods = false)
public class SchemaMigrations {

    @Bean
    FlywayMigrationStrategy migrateUnlessNewer(SecretsAtRest secrets) {
        return flyway -> {
            refuseNewerSchema(flyway);
            flyway.migrate();
            // before anything is claimed in this run
            CrashedRunLeases.release(flyway.getConfiguration().getDataSource());
            // before anything signs: a secret sealed with a key not configured stops the start here
            secrets.storeInCurrentForm(flyway.getConfiguration().getDataSource());
        };
    }

    static void refuseNewerSchema(Flyway flyway) {
        MigrationInfo[] newer = Arrays.stream(flyway.info().applied())
                .filter(migration -> migration.getState() == MigrationState.FUTURE_SUCCESS
                        || migration.getState() == MigrationState.FUTURE_FAILED)
                .toArray(MigrationInfo[]::new);
        if (newer.length > 0) {
            String versions = Arrays.stream(newer).map(migration -> migration.getVersion() + " ("
                    + migration.getDescription() + ")").collect(Collectors.joining(", "));
            throw new IllegalStateException("The database was migrated by a newer Hookpost: its schema has migration "
                    + versions + ", which this version does not know. Run that newer version, or restore a backup "
                    + "of the database taken before the upgrade; this version does not start on it");
        }
    }
}
