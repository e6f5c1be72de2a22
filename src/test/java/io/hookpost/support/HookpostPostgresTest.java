package io.hookpost.support;

/**
 * Base of the tests that run the whole application on a fresh database of a real PostgreSQL server (see
 * {@link OnPostgres}: skipped with a message without one, failed in CI), with that database at hand for what a test
 * does to it itself. A test class extending another test class (to run its tests on PostgreSQL too) is
 * {@link OnPostgres} itself.
 */
@OnPostgres
public abstract class HookpostPostgresTest extends HookpostTest {
    protected static final Postgres POSTGRES = Postgres.ofThisJvm();
}
