package io.hookpost.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;

/**
 * A fresh database on a real PostgreSQL server for a test class (default 127.0.0.1:5432, user postgres, trust
 * auth; override with HOOKPOST_TEST_PG_URL / _USER / _PASSWORD). Without a server the class is skipped with
 * a message, except in CI (CI=true), where a missing server fails the build.
 *
 * <p>A PostgreSQL test class runs only in a JVM of its own (pom.xml's {@code postgres-tests} execution): the JVM
 * of the H2 tests ({@code default-test}, which sets {@value #SHARED_JVM}) skips it with a message: a second
 * application in one JVM hangs (the embedded broker's in-VM acceptors and Quartz's scheduler registry are per JVM).
 * Surefire ignores an execution's excludes when {@code -Dtest=…} names classes, so without this a pattern such as
 * {@code Lease*Test} hung the build.
 *
 * <p>The databases are dropped by a later run, once they are {@link #STALE_AFTER} old and nothing is connected to
 * them: the application of a test class holds its connections until its JVM ends, after the last test.
 */
public final class Postgres {
    static final String URL = env("HOOKPOST_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/postgres");
    static final String USER = env("HOOKPOST_TEST_PG_USER", "postgres");
    static final String PASSWORD = env("HOOKPOST_TEST_PG_PASSWORD", "");

    /** Set (true) by the surefire execution whose JVM runs the H2 tests. */
    static final String SHARED_JVM = "hookpost-tests.shared-jvm"; // not under hookpost.*, which names settings
    static final String PREFIX = "hookpost_test_";
    static final Duration STALE_AFTER = Duration.ofHours(1);
    /** This class's names: the creation time in epoch seconds and 8 hex digits, or (earlier) 12 hex digits */
    private static final Pattern OURS = Pattern.compile(PREFIX + "(?:([0-9]+)_[0-9a-f]{8}|[0-9a-f]{12})");

    private static Postgres ofThisJvm;
    private final String database = PREFIX + System.currentTimeMillis() / 1000 + "_"
            + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    private final boolean sharedJvm = Boolean.getBoolean(SHARED_JVM);
    private final String problem;

    public Postgres() {
        String failure = null;
        if (!sharedJvm) {
            try (Connection c = DriverManager.getConnection(URL, USER, PASSWORD); Statement s = c.createStatement()) {
                dropStale(s);
                s.execute("CREATE DATABASE " + database);
            } catch (SQLException e) {
                failure = "PostgreSQL tests need a server at " + URL + " (user " + USER + "): " + e.getMessage()
                        + ". Start PostgreSQL or set HOOKPOST_TEST_PG_URL.";
            }
        }
        this.problem = failure;
    }

    /** Call from a static @BeforeAll. */
    public void require() {
        Assumptions.assumeFalse(sharedJvm, "PostgreSQL tests run in a JVM of their own (pom.xml's postgres-tests"
                + " execution), not beside the H2 tests' application");
        if (problem != null && "true".equals(System.getenv("CI"))) {
            throw new IllegalStateException(problem);
        }
        Assumptions.assumeTrue(problem == null, problem);
    }

    /**
     * Earlier runs' databases: those named as this class names them and older than STALE_AFTER, or named as before
     * names held a time (12 hex digits), and not in use. A name of any other form is not Hookpost's to drop.
     */
    private static void dropStale(Statement s) throws SQLException {
        List<String> stale = new ArrayList<>();
        long before = System.currentTimeMillis() / 1000 - STALE_AFTER.toSeconds();
        try (ResultSet names = s.executeQuery("SELECT datname FROM pg_database")) {
            while (names.next()) {
                Matcher name = OURS.matcher(names.getString(1));
                if (name.matches() && (name.group(1) == null || Long.parseLong(name.group(1)) < before)) {
                    stale.add(name.group());
                }
            }
        }
        for (String name : stale) {
            try {
                s.execute("DROP DATABASE IF EXISTS " + name);
            } catch (SQLException inUse) {
                // a run still connected to it (or starting): a later run drops it
            }
        }
    }

    /**
     * The database of this JVM's test class ({@link OnPostgres}): each PostgreSQL test class runs in a JVM of its own
     * (see pom.xml), so this is one per class.
     */
    public static synchronized Postgres ofThisJvm() {
        if (ofThisJvm == null) {
            ofThisJvm = new Postgres();
        }
        return ofThisJvm;
    }

    /** The settings that point the application at this database, as {@code name=value}. */
    List<String> properties() {
        return List.of("spring.datasource.url=" + databaseUrl(), "spring.datasource.username=" + USER,
                "spring.datasource.password=" + PASSWORD);
    }

    /** The same for an application run as a process of its own ({@link HookpostProcess}). */
    public List<String> settings() {
        return properties().stream().map(setting -> "--" + setting).toList();
    }

    /** A connection to this class's database, for a test's own statements. */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(databaseUrl(), USER, PASSWORD);
    }

    private String databaseUrl() {
        return URL.substring(0, URL.lastIndexOf('/') + 1) + database;
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

    static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
