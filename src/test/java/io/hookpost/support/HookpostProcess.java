package io.hookpost.support;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Hookpost as a real separate JVM on its embedded defaults (H2 file and persistent Artemis under its own data
 * directory), so a test can kill it with SIGKILL and start it again on the same data.
 */
public final class HookpostProcess implements AutoCloseable {
    private final Path dataDir;
    private final int port;
    private final List<String> settings;
    private Process process;
    private int starts;
    private String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    private File workingDirectory;
    private File log;

    public HookpostProcess(Path dataDir, int port, List<String> settings) {
        this.dataDir = dataDir;
        this.port = port;
        this.settings = settings;
    }

    /** A Hookpost on a free port with a fresh data directory under target/{@code kind}/, loopback receivers allowed. */
    public static HookpostProcess fresh(String kind, List<String> settings) throws IOException {
        return new HookpostProcess(freshDataDir(kind), freePort(), settings);
    }

    public static Path freshDataDir(String kind) throws IOException {
        return java.nio.file.Files.createDirectories(Path.of("target", kind, java.util.UUID.randomUUID().toString()));
    }

    public static int freePort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Later starts run on this class path instead of the test's (say, with another release of a library). */
    public HookpostProcess onClasspath(String otherClasspath) {
        this.classpath = otherClasspath;
        return this;
    }

    /** Later starts run in this directory (say, one with no ./config/application.yaml) instead of the project's. */
    public HookpostProcess runFrom(Path directory) {
        this.workingDirectory = directory.toAbsolutePath().toFile();
        return this;
    }

    /** The class path the next start runs on. */
    public String classpath() {
        return classpath;
    }

    public Path dataDir() {
        return dataDir;
    }

    public int port() {
        return port;
    }

    public void start() throws IOException, InterruptedException {
        awaitHealthy(launch());
    }

    /** Starts the JVM and returns at once, with the file its output goes to. */
    public File launch() throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // C1 only: these runs are short and light, and a start took about 30 % less time without C2's
                // compiling (8.4-8.7 s instead of 11.8-13.4 s on a 2-core host); the suite starts some 25 of them
                "-Xmx512m", "-XX:TieredStopAtLevel=1", "-cp", classpath, "io.hookpost.HookpostApplication",
                "--server.port=" + port,
                "--hookpost.data-dir=" + dataDir.toAbsolutePath(),
                "--hookpost.security.admin-token=" + HookpostTest.ADMIN_TOKEN,
                "--hookpost.delivery.allow-http=true",
                "--hookpost.delivery.allowed-cidrs=127.0.0.0/8"));
        command.addAll(settings);
        log = dataDir.resolve("hookpost-" + (++starts) + ".log").toFile();
        dataDir.toFile().mkdirs();
        process = new ProcessBuilder(command).directory(workingDirectory).redirectErrorStream(true).redirectOutput(log)
                .start();
        return log;
    }

    /** What the latest start has written so far. */
    public String output() throws IOException {
        return java.nio.file.Files.readString(log.toPath());
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** SIGKILL: no shutdown hook, no flush, nothing graceful. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    /** SIGTERM, and wait for the graceful shutdown. */
    public void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            terminate();
            process.waitFor();
        }
    }

    /** SIGTERM, returning at once: the graceful shutdown goes on. */
    public void terminate() {
        process.destroy();
    }

    /** The embedded database, opened after {@link #stop()}. */
    public Connection database() throws SQLException {
        return DriverManager.getConnection("jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("db/hookpost")
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE", "sa", "");
    }

    private void awaitHealthy(File log) throws InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Hookpost exited at start; see " + log);
            }
            try {
                HttpResponse<String> health = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/actuator/health")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (health.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("Hookpost did not become healthy within 60 s; see " + log);
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly().waitFor();
        }
    }
}
