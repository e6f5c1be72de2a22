package io.hookpost.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

import org.junit.jupiter.api.Assumptions;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * A fresh database on a real PostgreSQL server for a test class (default 127.0.0.1:5432, user postgres, trust
 * auth; override with HOOKPOST_TEST_PG_URL / _USER / _PASSWORD). Without a server the class is skipped with
 * a message, except in CI (CI=true), where a missing server fails the build.
 */
public final class Postgres {
    static final String URL = env("HOOKPOST_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/postgres");
    static final String USER = env("HOOKPOST_TEST_PG_USER", "postgres");
    static final String PASSWORD = env("HOOKPOST_TEST_PG_PASSWORD", "");

    private final String database = "hookpost_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    private final String problem;

    public Postgres() {
        String failure = null;
        try (Connection c = DriverManager.getConnection(URL, USER, PASSWORD); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + database);
        } catch (SQLException e) {
            failure = "PostgreSQL tests need a server at " + URL + " (user " + USER + "): " + e.getMessage()
                    + ". Start PostgreSQL or set HOOKPOST_TEST_PG_URL.";
        }
        this.problem = failure;
    }

    /** Call from a static @BeforeAll. */
    public void require() {
        if (problem != null && "true".equals(System.getenv("CI"))) {
            throw new IllegalStateException(problem);
        }
        Assumptions.assumeTrue(problem == null, problem);
    }

    /** Points the application at this database (each PostgreSQL test class runs in a JVM of its own: see pom.xml). */
    public void register(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", () -> URL.substring(0, URL.lastIndexOf('/') + 1) + database);
        registry.add("spring.datasource.username", () -> USER);
        registry.add("spring.datasource.password", () -> PASSWORD);
    }

    /**
     * Makes the database unreachable for the application, as a database that went away would be: no new
     * connection is accepted and every open one is closed by the server.
     */
    public void refuseConnections() throws SQLException {
        try (Connection c = DriverManager.getConnection(URL, USER, PASSWORD); Statement s = c.createStatement()) {
            s.execute("ALTER DATABASE " + database + " ALLOW_CONNECTIONS false");
            s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + database + "'");
        }
    }

    /** The database is back. */
    public void allowConnections() throws SQLException {
        try (Connection c = DriverManager.getConnection(URL, USER, PASSWORD); Statement s = c.createStatement()) {
            s.execute("ALTER DATABASE " + database + " ALLOW_CONNECTIONS true");
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
