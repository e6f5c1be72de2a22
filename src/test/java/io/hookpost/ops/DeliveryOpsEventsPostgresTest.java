package io.hookpost.ops;

import io.hookpost.support.Postgres;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** delivery.failing and delivery.recovered on a real PostgreSQL (see {@link Postgres}): their SQL's parameters. */
class DeliveryOpsEventsPostgresTest extends DeliveryOpsEventsTest {
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
