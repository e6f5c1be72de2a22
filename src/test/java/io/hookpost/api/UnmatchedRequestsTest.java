package io.hookpost.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import io.hookpost.support.Api;
import io.hookpost.support.HookpostTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A request no route takes gets a problem document like every other error, never Spring Boot's JSON or HTML page. */
class UnmatchedRequestsTest extends HookpostTest {

    private static void assertProblem(Api.Response response, int status, String title, String detailPart) {
        assertThat(response.status()).as(response.text()).isEqualTo(status);
        assertThat(response.contentType()).isEqualTo("application/problem+json");
        assertThat(response.json().get("status").asInt()).isEqualTo(status);
        assertThat(response.json().get("title").asText()).isEqualTo(title);
        assertThat(response.json().get("detail").asText()).contains(detailPart);
    }

    @Test
    void a_path_nothing_serves_gets_a_404_problem_even_when_a_browser_asks() {
        assertProblem(operator.get("/api/v1/nothing/here"), 404, "Not Found", "nothing at /api/v1/nothing/here");
        assertProblem(operator.send("GET", "/api/v1/nothing/here", "", Map.of("Accept", "text/html")), 404,
                "Not Found", "/api/v1/openapi.yaml");
        assertProblem(new Api(port, null).get("/no-such-page"), 404, "Not Found", "nothing at /no-such-page");
    }

    @Test
    void a_multipart_request_without_a_boundary_gets_the_paths_own_answer_not_a_500() {
        Map<String, String> multipart = Map.of("Content-Type", "multipart/form-data");
        assertProblem(operator.send("POST", "/no-such-page", "x", multipart), 404, "Not Found", "nothing at /no-such-page");
        assertProblem(operator.send("POST", "/inbound/nope/x", "x", multipart), 404, "Not Found", "nothing at /inbound/nope/x");
    }

    @Test
    void a_method_the_path_does_not_take_gets_a_405_problem_and_changes_nothing() {
        String endpoints = "/api/v1/accounts/" + account + "/endpoints";
        assertProblem(operator.send("PUT", endpoints, Map.of("url", "https://example.com/hook"), Map.of()), 405,
                "Method Not Allowed", "PUT is not allowed on " + endpoints);
        assertProblem(operator.delete("/api/v1/accounts"), 405, "Method Not Allowed",
                "DELETE is not allowed on /api/v1/accounts");
        assertProblem(operator.send("PUT", "/inbound/email-status/prv_x", "{}", Map.of()), 405,
                "Method Not Allowed", "PUT is not allowed on /inbound/email-status/prv_x");
        assertThat(count("SELECT COUNT(*) FROM endpoints WHERE account_id = ?", account)).isZero();
        assertThat(count("SELECT COUNT(*) FROM accounts WHERE id = ?", account)).isEqualTo(1);
    }

    @Test
    void a_path_the_web_server_cannot_decode_gets_a_400_problem() throws IOException {
        // over a raw socket: HTTP clients refuse to send such a path
        String answer = rawGet("/api/v1/accounts/%ZZ/endpoints");
        assertThat(answer).startsWith("HTTP/1.1 400");
        assertThat(answer).containsIgnoringCase("Content-Type: application/problem+json");
        assertThat(answer).contains("\"status\":400").contains("refused the request before Hookpost read it")
                .doesNotContain("<html");
    }

    private String rawGet(String path) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + ADMIN_TOKEN
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
