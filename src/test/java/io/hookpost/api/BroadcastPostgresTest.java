package io.hookpost.api;

import java.util.List;
import java.util.stream.Stream;

import io.hookpost.support.Postgres;

/** {@link BroadcastTest} with Hookpost on PostgreSQL, a fresh database of its own. */
class BroadcastPostgresTest extends BroadcastTest {
    @Override
    protected List<String> settings() {
        Postgres database = new Postgres();
        database.require();
        return Stream.concat(Stream.of("--spring.profiles.active=postgres"), database.settings().stream()).toList();
    }
}
