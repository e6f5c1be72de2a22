package io.hookpost.ops;

import io.hookpost.support.Postgres;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/** {@link SecretsAtRestTest}'s start on PostgreSQL: the production database runs the same statements. */
class SecretsAtRestPostgresTest {
    private static final Postgres POSTGRES = Postgres.ofThisJvm();

    @BeforeAll
    static void requirePostgres() {
        POSTGRES.require();
    }

    @Test
    void a_start_seals_what_is_stored_plain_seals_again_under_a_new_key_and_stores_plain_again_without_one()
            throws Exception {
        SingleConnectionDataSource database = new SingleConnectionDataSource(POSTGRES.connect(), true);
        try {
            new SecretsAtRestTest().storedSecretsComeToTheCurrentForm(database, "postgresql");
        } finally {
            database.destroy();
        }
    }
}
