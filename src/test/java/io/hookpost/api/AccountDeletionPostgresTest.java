package io.hookpost.api;

import io.hookpost.support.Postgres;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** An account deleted and erased on a real PostgreSQL: the same SQL as on H2. */
class AccountDeletionPostgresTest extends AccountDeletionTest {
    static final Postgres POSTGRES = new Postgres();

    @BeforeAll
    static void requirePostgres() {
        POSTGRES.require();
    }

    @DynamicPropertySource
    static void postgres(DynamicPropertyRegistry registry) {
        POSTGRES.register(registry);
    }
}
