package io.hookpost.ops;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hookpost.support.HookpostTest;
import org.apache.catalina.Service;
import org.apache.catalina.connector.Connector;
import org.apache.coyote.http11.Http11NioProtocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.web.embedded.tomcat.TomcatWebServer;
import org.springframework.boot.web.servlet.context.ServletWebServerApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A request whose first line Tomcat reads at the instant its connector pauses (the graceful stop) is answered with
 * the 503 problem and Retry-After, not Tomcat's HTML 400, and nothing is recorded. The instant is made exact with a
 * second connector on Hookpost's own Tomcat whose protocol reports "paused" from the check after the first line on:
 * the same calls Tomcat makes when the stop pauses it in between. Everything else is real: Hookpost's engine and its
 * valves, the socket, the bytes on the wire.
 */
class PausedConnectorAnswersTest extends HookpostTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Autowired
    private ServletWebServerApplicationContext context;
    private Service service;
    private Connector pausing;

    @BeforeEach
    void addPausingConnector() {
        service = ((TomcatWebServer) context.getWebServer()).getTomcat().getService();
        pausing = new Connector(PausesAfterFirstLine.class.getName());
        pausing.setPort(0);
        service.addConnector(pausing);
    }

    @AfterEach
    void removePausingConnector() throws Exception {
        service.removeConnector(pausing);
        pausing.destroy();
    }

    @Test
    void a_request_caught_by_the_pause_gets_the_503_problem_and_changes_nothing() throws Exception {
        ((PausesAfterFirstLine) pausing.getProtocolHandler()).pauseAfterNextFirstLine();

        String answer = post(pausing.getLocalPort());

        String head = answer.substring(0, answer.indexOf("\r\n\r\n")).toLowerCase();
        assertThat(head).as(answer).startsWith("http/1.1 503 ");
        assertThat(head).contains("\r\ncontent-type: application/problem+json", "\r\nretry-after: 2",
                "\r\nconnection: close");
        JsonNode problem = JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
        assertThat(problem.path("status").asInt()).isEqualTo(503);
        assertThat(problem.path("title").asText()).isEqualTo("Service Unavailable");
        assertThat(problem.path("detail").asText()).contains("starting or stopping");
        // an event sent after it is recorded, and alone: the refused one never reached the events queue
        String after = publish(Map.of("type", "host.offline", "data", Map.of()));
        eventually(() -> recorded().contains(after), "the event sent after it recorded");
        assertThat(recorded()).containsExactly(after);
    }

    @Test
    void a_request_on_a_connector_that_is_not_paused_reaches_the_api() throws Exception {
        String answer = post(pausing.getLocalPort());

        assertThat(answer).as(answer).startsWith("HTTP/1.1 202 ");
        String id = JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4)).path("id").asText();
        eventually(() -> recorded().contains(id), "the event recorded");
    }

    private List<String> recorded() {
        return db.queryForList("SELECT id FROM events WHERE account_id = ?", String.class, account);
    }

    /** Posts an event by hand; the whole answer: the request asks Tomcat to close the connection after it. */
    private String post(int port) throws IOException {
        byte[] body = "{\"type\":\"host.offline\",\"data\":{}}".getBytes(StandardCharsets.UTF_8);
        String request = "POST /api/v1/accounts/" + account + "/events HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nAuthorization: Bearer " + ADMIN_TOKEN + "\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length + "\r\nConnection: close\r\n\r\n";
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(20_000);
            // one write, so Tomcat reads the first line and the rest together, as from any client
            ByteArrayOutputStream whole = new ByteArrayOutputStream();
            whole.write(request.getBytes(StandardCharsets.US_ASCII));
            whole.write(body);
            socket.getOutputStream().write(whole.toByteArray());
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /**
     * Tomcat's HTTP/1.1 protocol, reporting "paused" once armed from its second question on: Http11Processor asks
     * before reading a request (not yet) and again right after the first line (now paused), as when the stop pauses
     * the connector between the two.
     */
    public static class PausesAfterFirstLine extends Http11NioProtocol {
        private final AtomicInteger questionsSinceArmed = new AtomicInteger(-1);

        void pauseAfterNextFirstLine() {
            questionsSinceArmed.set(0);
        }

        @Override
        public boolean isPaused() {
            return super.isPaused() || questionsSinceArmed.get() >= 0 && questionsSinceArmed.incrementAndGet() >= 2;
        }
    }
}
