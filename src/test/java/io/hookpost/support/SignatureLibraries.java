package io.hookpost.support;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;

/**
 * Svix's, Standard Webhooks' and GitHub's own JavaScript libraries ({@code svix}, {@code standardwebhooks},
 * {@code @octokit/webhooks-methods} from npm, pinned in src/test/node/package-lock.json) verifying a POST, as a
 * receiver in Node.js would, and for Ed25519 ({@code v1a}) signatures Node's own crypto (OpenSSL) and
 * {@code tweetnacl}. They need Node.js and
 * {@code npm ci --prefix src/test/node} (.ci/run does it): without them the tests that use them are skipped with a
 * message saying so, and fail under CI.
 */
public final class SignatureLibraries {
    private static final Path DIRECTORY = Path.of("src", "test", "node");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String node;

    private SignatureLibraries(String node) {
        this.node = node;
    }

    /** The libraries, or the test skipped (failed under CI) when Node.js or the installed packages are missing. */
    public static SignatureLibraries find() {
        String node = System.getenv().getOrDefault("HOOKPOST_TEST_NODE", "");
        if (node.isBlank()) {
            node = List.of("/usr/bin/node", "/usr/local/bin/node").stream()
                    .filter(path -> new File(path).canExecute()).findFirst().orElse("");
        }
        boolean installed = Files.isDirectory(DIRECTORY.resolve("node_modules/svix"))
                && Files.isDirectory(DIRECTORY.resolve("node_modules/standardwebhooks"))
                && Files.isDirectory(DIRECTORY.resolve("node_modules/@octokit/webhooks-methods"))
                && Files.isDirectory(DIRECTORY.resolve("node_modules/tweetnacl"));
        if (node.isBlank() || !installed) {
            String problem = "The signature tests with Svix's JavaScript libraries need Node.js (found: "
                    + (node.isBlank() ? "none" : node) + "; or set HOOKPOST_TEST_NODE) and the libraries installed"
                    + " with 'npm ci --prefix src/test/node' (installed: " + installed + ").";
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException(problem);
            }
            Assumptions.abort(problem);
        }
        return new SignatureLibraries(node);
    }

    /**
     * What each library said of the POST with this secret: {@code verified}, or {@code refused: <its reason>}, by
     * library name: {@code svix} and {@code standardwebhooks} for {@code webhook-*} headers, {@code octokit} for
     * an {@code x-hub-signature-256} one, {@code node:crypto} and {@code tweetnacl} for a {@code whpk_} public key
     * (its {@code v1a} signatures).
     */
    public Map<String, String> verify(String secret, Map<String, String> headers, String body)
            throws IOException, InterruptedException {
        Process process = new ProcessBuilder(node, "verify.mjs").directory(DIRECTORY.toFile())
                .redirectErrorStream(true).start();
        try (var stdin = process.getOutputStream()) {
            stdin.write(JSON.writeValueAsBytes(Map.of("secret", secret, "headers", headers, "body", body)));
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("node verify.mjs did not end within 30 s: " + output);
        }
        JsonNode results;
        try {
            results = JSON.readTree(output.lines().reduce((first, last) -> last).orElse(""));
        } catch (IOException e) {
            throw new IllegalStateException("node verify.mjs printed no verdicts: " + output, e);
        }
        return JSON.convertValue(results,
                JSON.getTypeFactory().constructMapType(Map.class, String.class, String.class));
    }
}
