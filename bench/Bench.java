import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.sun.net.httpserver.HttpServer;

/**
 * Hookpost's benchmark harness (first cut: the ceiling, S1 and S6). Runs as a single-file Java program against a
 * Hookpost started by bench/run as its own process, so nothing here is on Hookpost's class path.
 * Usage: java bench/Bench.java <hookpost-port> <pid> <admin-token> <seconds>
 */
public class Bench {
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    static final String PAD = "x".repeat(900);

    /** The receiver: counts posts, records latency from the send time in the event, verifies a sample. */
    static final class Receiver {
        final HttpServer server;
        final AtomicLong received = new AtomicLong();
        final ConcurrentLinkedQueue<Long> latenciesMicros = new ConcurrentLinkedQueue<>();
        final AtomicLong verified = new AtomicLong();
        final AtomicLong badSignatures = new AtomicLong();
        volatile byte[] key;

        Receiver() throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1000);
            server.setExecutor(Executors.newFixedThreadPool(32));
            server.createContext("/", exchange -> {
                byte[] body;
                try (InputStream in = exchange.getRequestBody()) {
                    body = in.readAllBytes();
                }
                long n = received.incrementAndGet();
                String text = new String(body, StandardCharsets.UTF_8);
                int at = text.indexOf("\"sentNanos\":");
                if (at >= 0) {
                    int end = at + 12;
                    while (end < text.length() && Character.isDigit(text.charAt(end))) {
                        end++;
                    }
                    latenciesMicros.add((System.nanoTime() - Long.parseLong(text.substring(at + 12, end))) / 1000);
                }
                if (key != null && n % 100 == 1) {
                    verify(exchange.getRequestHeaders().getFirst("webhook-id"),
                            exchange.getRequestHeaders().getFirst("webhook-timestamp"),
                            exchange.getRequestHeaders().getFirst("webhook-signature"), body);
                }
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
            });
            server.start();
        }

        void verify(String id, String timestamp, String signature, byte[] body) {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(key, "HmacSHA256"));
                mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
                String expected = "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
                if (signature != null && List.of(signature.split(" ")).contains(expected)) {
                    verified.incrementAndGet();
                } else {
                    badSignatures.incrementAndGet();
                }
            } catch (Exception e) {
                badSignatures.incrementAndGet();
            }
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
        }

        void reset() {
            received.set(0);
            latenciesMicros.clear();
        }
    }

    record Result(String name, double perSecond, long p50, long p95, long p99, long rssKb, double cpuSeconds) {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        long pid = Long.parseLong(args[1]);
        String token = args[2];
        int seconds = Integer.parseInt(args[3]);
        String api = "http://127.0.0.1:" + port + "/api/v1";
        Receiver receiver = new Receiver();
        List<Result> results = new ArrayList<>();

        // the ceiling: the same receiver, the same kind of body, keep-alive POSTs with no Hookpost in between
        double ceiling = drive(receiver.url(), seconds, 64, null);
        results.add(new Result("ceiling (receiver alone)", ceiling, 0, 0, 0, 0, 0));

        post(api + "/accounts", token, "{\"id\":\"bench\",\"name\":\"Bench\"}");
        String created = post(api + "/accounts/bench/endpoints", token,
                "{\"url\":\"" + receiver.url() + "\",\"eventTypes\":[\"bench.s1\"]}");
        String secret = created.replaceAll(".*\"secret\":\"whsec_([^\"]+)\".*", "$1");
        receiver.key = Base64.getDecoder().decode(secret);

        // S6: ingest only (a type no endpoint subscribes to)
        long cpu0 = cpuTicks(pid);
        double s6 = drive(api + "/accounts/bench/events", seconds, 64, token, "bench.none");
        results.add(new Result("S6 ingest only (202/s)", s6, 0, 0, 0, rssKb(pid), (cpuTicks(pid) - cpu0) / 100.0));

        // S1: 1 endpoint, 1 KB events, standard-webhooks; throughput measured at the receiver
        receiver.reset();
        cpu0 = cpuTicks(pid);
        long start = System.nanoTime();
        drive(api + "/accounts/bench/events", seconds, 64, token, "bench.s1");
        long sent = receiver.received.get();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        long accepted = S1_ACCEPTED.get();
        while (receiver.received.get() < accepted && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        List<Long> latencies = new ArrayList<>(receiver.latenciesMicros);
        latencies.sort(null);
        results.add(new Result("S1 1 endpoint, 1 KB, signed (deliveries/s)", receiver.received.get() / elapsed,
                pct(latencies, 50), pct(latencies, 95), pct(latencies, 99), rssKb(pid), (cpuTicks(pid) - cpu0) / 100.0));

        System.out.printf(Locale.ROOT, "%n%-45s %12s %9s %9s %9s %9s %10s %10s%n", "scenario", "per second",
                "of ceil", "p50 ms", "p95 ms", "p99 ms", "peak RSS", "CPU s");
        for (Result r : results) {
            System.out.printf(Locale.ROOT, "%-45s %12.0f %8.1f%% %9.1f %9.1f %9.1f %8d MB %10.1f%n", r.name(), r.perSecond(),
                    100 * r.perSecond() / ceiling, r.p50() / 1000.0, r.p95() / 1000.0, r.p99() / 1000.0, r.rssKb() / 1024,
                    r.cpuSeconds());
        }
        System.out.printf(Locale.ROOT, "S1: %d accepted, %d delivered (%d arrived during the send phase); signatures on a"
                        + " sample: %d verified, %d bad%n", accepted, receiver.received.get(), sent, receiver.verified.get(),
                receiver.badSignatures.get());
        System.exit(0);
    }

    static final AtomicLong S1_ACCEPTED = new AtomicLong();

    /** Keep-alive POSTs from {@code clients} concurrent senders for {@code seconds}; the rate of 2xx answers. */
    static double drive(String url, int seconds, int clients, String token, String... type) throws Exception {
        AtomicLong ok = new AtomicLong();
        Semaphore inFlight = new Semaphore(clients);
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        long start = System.nanoTime();
        while (System.nanoTime() < end) {
            inFlight.acquire();
            String body = type.length == 0
                    ? "{\"type\":\"bench.ceiling\",\"data\":{\"sentNanos\":" + System.nanoTime() + ",\"pad\":\"" + PAD + "\"}}"
                    : "{\"type\":\"" + type[0] + "\",\"data\":{\"sentNanos\":" + System.nanoTime() + ",\"pad\":\"" + PAD + "\"}}";
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body));
            if (token != null) {
                request.header("Authorization", "Bearer " + token);
            }
            HTTP.sendAsync(request.build(), HttpResponse.BodyHandlers.discarding()).whenComplete((r, e) -> {
                if (e == null && r.statusCode() / 100 == 2) {
                    ok.incrementAndGet();
                    if (type.length > 0 && type[0].equals("bench.s1")) {
                        S1_ACCEPTED.incrementAndGet();
                    }
                }
                inFlight.release();
            });
        }
        inFlight.acquire(clients);
        inFlight.release(clients);
        return ok.get() / ((System.nanoTime() - start) / 1e9);
    }

    static String post(String url, String token, String json) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException(url + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    static long pct(List<Long> sorted, int p) {
        return sorted.isEmpty() ? 0 : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    static long rssKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return 0;
    }

    static long cpuTicks(long pid) throws IOException {
        String[] fields = Files.readString(Path.of("/proc/" + pid + "/stat")).replaceAll(".*\\) ", "").split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }
}
