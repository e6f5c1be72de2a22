package io.hookpost.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real HTTP receiver on loopback, as a customer's webhook endpoint would be: it records every request
 * (raw body bytes and headers, names lower-cased) and answers what the test scripts.
 */
public final class TestReceiver implements AutoCloseable {

    /** One request as the receiver saw it. */
    public record Received(String path, Map<String, List<String>> headers, byte[] body) {
        public String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null ? null : values.get(0);
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** What to answer. A header's value with line breaks goes as one header line each: a repeated header. */
    public record Reply(int status, Map<String, String> headers, byte[] body) {
        public static Reply ok() {
            return new Reply(200, Map.of(), "ok".getBytes(StandardCharsets.UTF_8));
        }

        public static Reply status(int status) {
            return new Reply(status, Map.of(), new byte[0]);
        }

        /** Close the connection without answering. */
        public static Reply drop() {
            return new Reply(-1, Map.of(), new byte[0]);
        }
    }

    private final HttpServer server;
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private volatile Function<Received, Reply> script = r -> Reply.ok();
    private volatile java.util.function.Consumer<Received> afterReply = r -> { };

    public TestReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.createContext("/", this::handle);
        server.start();
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    public void answer(Function<Received, Reply> script) {
        this.script = script;
    }

    /** For answer scripts of a slow receiver: waits, keeping the thread's interrupt status if interrupted. */
    public static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs after the reply has been written to the client (e.g. to kill the sender right then). */
    public void afterReply(java.util.function.Consumer<Received> action) {
        this.afterReply = action;
    }

    /** Every request received so far, without waiting, and forget them. */
    public List<Received> takeAll() {
        List<Received> out = new ArrayList<>();
        received.drainTo(out);
        return out;
    }

    public Received next(Duration timeout) throws InterruptedException {
        Received r = received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (r == null) {
            throw new AssertionError("the receiver got no request within " + timeout);
        }
        return r;
    }

    /**
     * Adds the webhook-ids of the posts as they arrive to {@code seen} until it holds {@code expected}, and fails when
     * the wait ends first: at-least-once delivery, each delivery counted once however often it came.
     */
    public void awaitWebhookIds(Set<String> seen, int expected, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (seen.size() < expected && System.nanoTime() < deadline) {
            takeAll().forEach(r -> seen.add(r.header("webhook-id")));
            Thread.sleep(100);
        }
        assertThat(seen).as("distinct webhook-ids the receiver saw").hasSize(expected);
    }

    /** Waits a little and returns whatever arrived (to prove that nothing did). */
    public List<Received> drain(Duration wait) throws InterruptedException {
        Thread.sleep(wait.toMillis());
        List<Received> out = new ArrayList<>();
        received.drainTo(out);
        return out;
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        Map<String, List<String>> headers = new TreeMap<>();
        exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
        Received r = new Received(exchange.getRequestURI().getPath(), headers, body);
        Reply reply = script.apply(r);
        received.add(r);
        if (reply.status() < 0) {
            exchange.getRequestBody().close();
            exchange.close(); // no status line: the client sees the connection end
            return;
        }
        reply.headers().forEach((k, v) -> {
            for (String line : v.split("\n")) {
                exchange.getResponseHeaders().add(k, line);
            }
        });
        exchange.sendResponseHeaders(reply.status(), reply.body().length == 0 ? -1 : reply.body().length);
        if (reply.body().length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(reply.body());
            }
        }
        exchange.close();
        afterReply.accept(r);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
