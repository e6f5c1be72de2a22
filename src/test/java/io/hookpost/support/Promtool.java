package io.hookpost.support;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * Prometheus's own checker, {@code promtool}, run on the monitoring files in config/monitoring. It comes from the
 * machine (Debian: {@code apt-get install prometheus}; .ci/run installs it) or from {@code HOOKPOST_TEST_PROMTOOL}:
 * without it the tests that need it are skipped with a message saying so, and fail under CI.
 */
public final class Promtool {
    private static final List<String> CANDIDATES = List.of("/usr/bin/promtool", "/usr/local/bin/promtool");

    /** What one run printed (standard output and error together) and how it ended. */
    public record Run(int exitCode, String output) {
    }

    private final String executable;

    private Promtool(String executable) {
        this.executable = executable;
    }

    /** The machine's promtool, or the test skipped (failed under CI) when it has none. */
    public static Promtool find() {
        String given = System.getenv("HOOKPOST_TEST_PROMTOOL");
        List<String> candidates = given != null && !given.isBlank() ? List.of(given) : CANDIDATES;
        String found = candidates.stream().filter(path -> new File(path).canExecute()).findFirst().orElse(null);
        if (found == null) {
            String problem = "The monitoring rules' tests need Prometheus's promtool (Debian: apt-get install"
                    + " prometheus; or set HOOKPOST_TEST_PROMTOOL). Looked at " + candidates + ".";
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException(problem);
            }
            Assumptions.abort(problem);
        }
        return new Promtool(found);
    }

    /** {@code promtool <arguments>} in {@code directory}, with {@code input} on its standard input. */
    public Run run(Path directory, byte[] input, String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(executable));
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
}
