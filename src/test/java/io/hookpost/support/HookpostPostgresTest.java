package io.hookpost.support;

import org.junit.jupiter.api.BeforeAll;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Base of the tests that run the whole application on a fresh database of a real PostgreSQL server (see
 * {@link Postgres}: skipped with a message without one, failed in CI). A test class extending another test class
 * (to run its tests on PostgreSQL too) sets itself up the same way.
 */
public abstract class HookpostPostgresTest extends HookpostTest {
    protected static final Postgres POSTGRES = new Postgres();

    @BeforeAll
    static void requirePostgres() {
        POSTGRES.require();
    }

    @DynamicPropertySource
    static void postgres(DynamicPropertyRegistry registry) {
        POSTGRES.register(registry);
    }
}
