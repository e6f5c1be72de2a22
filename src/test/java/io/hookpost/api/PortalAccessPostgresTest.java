package io.hookpost.api;

import io.hookpost.support.Postgres;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Portal links on a real PostgreSQL: the keys' expiry and scope columns (V12) and their SQL (see {@link Postgres}). */
class PortalAccessPostgresTest extends PortalAccessTest {
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
