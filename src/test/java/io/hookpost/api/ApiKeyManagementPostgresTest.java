package io.hookpost.api;

import io.hookpost.support.Postgres;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Keys listed and revoked on a real PostgreSQL, where two revocations at once wait on its row locks. */
class ApiKeyManagementPostgresTest extends ApiKeyManagementTest {
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
