package io.hookpost.api;

import io.hookpost.support.Postgres;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Idempotency-Keys on a real PostgreSQL (see {@link Postgres}): V23, a duplicate key's error, its row lock wait. */
class IdempotentRequestsPostgresTest extends IdempotentRequestsTest {
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
