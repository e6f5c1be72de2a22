package io.hookpost;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hookpost.support.Api;
import io.hookpost.support.HookpostProcess;
import io.hookpost.support.HookpostTest;
import io.hookpost.support.TestReceiver;
import io.hookpost.support.TestReceiver.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 6, point 5: routes an integration engineer drops into the routes folder (YAML and XML) load without a
 * rebuild, run, and with reloading on pick up an edited file. The YAML one is the README's example: every
 * endpoint.disabled event copied to a chat webhook.
 */
class ExternalRoutesTest {
    private HookpostProcess hookpost;
    private TestReceiver chat;
    private TestReceiver failing;

    @AfterEach
    void stop() throws Exception {
        if (hookpost != null) {
            hookpost.close();
        }
        if (chat != null) {
            chat.close();
        }
        if (failing != null) {
            failing.close();
        }
    }

    @Test
    void yaml_and_xml_routes_from_the_routes_folder_run_and_an_edited_one_is_reloaded() throws Exception {
        chat = new TestReceiver();
        failing = new TestReceiver();
        failing.answer(r -> Reply.status(500));
        Path data = HookpostProcess.freshDataDir("route-tests");
        Path routes = Files.createDirectories(data.resolve("routes"));
        Files.writeString(routes.resolve("chat-alerts.camel.yaml"), """
                - route:
                    id: endpoint-disabled-to-chat
                    from:
                      uri: direct:endpoint-disabled-hook
                      steps:
                        - unmarshal:
                            json:
                              library: Jackson
                        - setBody:
                            simple: '{"text": "Webhook endpoint ${body[data][endpointId]} was disabled: ${body[data][reason]}"}'
                        - removeHeaders:
                            pattern: "*"
                        - setHeader:
                            name: Content-Type
                            constant: application/json
                        - to: "%s"
                """.formatted(chat.url("/chat")));
        Files.writeString(routes.resolve("ping.xml"), route("pong"));
        int port = HookpostProcess.freePort();
        // the dev profile of ./config/application.yaml reloads whichever folder hookpost.routes-dir names
        hookpost = new HookpostProcess(data, port, List.of(
                "--spring.profiles.active=dev",
                "--hookpost.routes-dir=" + routes.toAbsolutePath()));
        hookpost.start();

        assertThat(get(port, "/custom/ping")).isEqualTo("pong");

        Api api = new Api(port, HookpostTest.ADMIN_TOKEN);
        assertThat(api.post("/api/v1/accounts", Map.of("id", "acme", "name", "Acme")).status()).isEqualTo(201);
        Api.Response endpoint = api.post("/api/v1/accounts/acme/endpoints", Map.of("url", failing.url("/down"),
                "disableAfterFailures", 1, "retrySchedule", List.of("1h")));
        String endpointId = endpoint.json().get("id").asText();
        assertThat(api.post("/api/v1/accounts/acme/events", Map.of("type", "host.offline", "data", Map.of())).status())
                .isEqualTo(202);
        JsonNode message = new ObjectMapper().readTree(chat.next(Duration.ofSeconds(30)).body());
        assertThat(message.get("text").asText()).contains(endpointId, "was disabled");

        // saved the way editors save: a complete new file moved into place
        Path edited = Files.writeString(data.resolve("ping.xml.new"), route("pong, reloaded"));
        Files.move(edited, routes.resolve("ping.xml"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String answer = get(port, "/custom/ping");
        while (!answer.equals("pong, reloaded") && System.nanoTime() < deadline) {
            Thread.sleep(250);
            answer = get(port, "/custom/ping");
        }
        assertThat(answer).isEqualTo("pong, reloaded");
    }

    private static String route(String answer) {
        return """
                <routes xmlns="http://camel.apache.org/schema/xml-io">
                  <route id="custom-ping">
                    <from uri="platform-http:/custom/ping"/>
                    <setBody><constant>%s</constant></setBody>
                  </route>
                </routes>
                """.formatted(answer);
    }

    private static String get(int port, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void a_routes_folder_that_does_not_exist_yet_is_created_and_hookpost_starts() throws Exception {
        Path data = HookpostProcess.freshDataDir("route-tests");
        Path routes = data.resolve("not-there-yet");
        hookpost = new HookpostProcess(data, HookpostProcess.freePort(), List.of("--hookpost.routes-dir=" + routes));
        hookpost.start();
        assertThat(routes).isDirectory();
    }
}
