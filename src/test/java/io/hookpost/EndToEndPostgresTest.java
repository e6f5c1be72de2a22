package io.hookpost;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The end-to-end story on a real PostgreSQL: the same migrations and SQL as on H2. Needs a PostgreSQL server
 * (default 127.0.0.1:5432, user postgres, trust auth; override with HOOKPOST_TEST_PG_URL / _USER / _PASSWORD).
 * Each run creates its own database. Without a server the test is skipped with a message, except in CI
 * (CI=true), where a missing server fails the build.
 */
class EndToEndPostgresTest extends EndToEndTest {
    static final String URL = env("HOOKPOST_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/postgres");
    static final String USER = env("HOOKPOST_TEST_PG_USER", "postgres");
    static final String PASSWORD = env("HOOKPOST_TEST_PG_PASSWORD", "");
    static final String DATABASE = "hookpost_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    static String problem;

    static {
        try (Connection c = DriverManager.getConnection(URL, USER, PASSWORD); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + DATABASE);
        } catch (SQLException e) {
            problem = "PostgreSQL tests need a server at " + URL + " (user " + USER + "): " + e.getMessage()
                    + ". Start PostgreSQL or set HOOKPOST_TEST_PG_URL.";
        }
    }

    @BeforeAll
    static void requirePostgres() {
        if (problem != null && "true".equals(System.getenv("CI"))) {
            throw new IllegalStateException(problem);
        }
        Assumptions.assumeTrue(problem == null, problem);
    }

    @DynamicPropertySource
    static void postgres(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", () -> URL.substring(0, URL.lastIndexOf('/') + 1) + DATABASE);
        registry.add("spring.datasource.username", () -> USER);
        registry.add("spring.datasource.password", () -> PASSWORD);
        // this context runs beside the cached H2 one in the same JVM: its own broker files and in-VM id
        registry.add("spring.artemis.embedded.data-directory", () -> "./target/test-data/" + DATABASE + "/artemis");
        registry.add("spring.artemis.embedded.server-id", () -> "1");
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
