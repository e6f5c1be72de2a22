package io.hookpost.support;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;

/**
 * Prometheus itself, for the monitoring files in config/monitoring: its checker {@code promtool} and its server. Both
 * come from the machine (Debian: {@code apt-get install prometheus}; .ci/run installs it) or from the directory
 * {@code HOOKPOST_TEST_PROMETHEUS_BIN}: without them the tests that need them are skipped with a message saying so,
 * and fail under CI.
 */
public final class Prometheus {
    private static final List<String> DIRECTORIES = List.of("/usr/bin", "/usr/local/bin");

    /** What one run printed (standard output and error together) and how it ended. */
    public record Run(int exitCode, String output) {
    }

    private final Path bin;

    private Prometheus(Path bin) {
        this.bin = bin;
    }

    /** The machine's Prometheus, or the test skipped (failed under CI) when it has none. */
    public static Prometheus find() {
        String given = System.getenv("HOOKPOST_TEST_PROMETHEUS_BIN");
        List<String> candidates = given != null && !given.isBlank() ? List.of(given) : DIRECTORIES;
        String found = candidates.stream()
                .filter(dir -> new File(dir, "promtool").canExecute() && new File(dir, "prometheus").canExecute())
                .findFirst().orElse(null);
        if (found == null) {
            String problem = "The monitoring files' tests need Prometheus's promtool and server (Debian: apt-get"
                    + " install prometheus; or set HOOKPOST_TEST_PROMETHEUS_BIN to their directory). Looked in "
                    + candidates + ".";
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException(problem);
            }
            Assumptions.abort(problem);
        }
        return new Prometheus(Path.of(found));
    }

    /** {@code promtool <arguments>} in {@code directory}, with {@code input} on its standard input. */
    public Run promtool(Path directory, byte[] input, String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(bin.resolve("promtool").toString()));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
        try (var stdin = process.getOutputStream()) {
            stdin.write(input);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("promtool " + arguments[0] + " did not end within a minute: " + output);
        }
        return new Run(process.exitValue(), output);
    }

    /** A Prometheus server with this configuration, its data under {@code directory}, ready to answer. */
    public Server start(Path config, Path directory, int port) throws IOException, InterruptedException {
        Path log = directory.resolve("prometheus.log");
        Process process = new ProcessBuilder(bin.resolve("prometheus").toString(),
                "--config.file=" + config.toAbsolutePath(),
                "--storage.tsdb.path=" + directory.resolve("data").toAbsolutePath(),
                "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Server server = new Server(process, port, log);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Prometheus ended as it started: " + server.log());
            }
            try {
                if (server.http.send(HttpRequest.newBuilder(URI.create(server.base + "/-/ready")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    return server;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        server.close();
        throw new IllegalStateException("Prometheus not ready within 30 s: " + server.log());
    }

    /** A running Prometheus server; closing it stops it. */
    public static final class Server implements AutoCloseable {
        private static final ObjectMapper JSON = new ObjectMapper();
        private final Process process;
        private final String base;
        private final Path log;
        private final HttpClient http = HttpClient.newHttpClient();

        private Server(Process process, int port, Path log) {
            this.process = process;
            this.base = "http://127.0.0.1:" + port;
            this.log = log;
        }

        /** The {@code data} of an HTTP API answer, such as {@code /api/v1/rules} (unchecked, for polling). */
        public JsonNode api(String path) {
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + path)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 200) {
                    throw new IllegalStateException(path + " answered " + response.statusCode() + ": "
                            + response.body());
                }
                return JSON.readTree(response.body()).get("data");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        public String log() throws IOException {
            return java.nio.file.Files.exists(log) ? java.nio.file.Files.readString(log) : "";
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
