import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.function.LongPredicate;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.sun.net.httpserver.HttpServer;

/**
 * Hookpost's benchmark harness: the ceiling and the scenarios S1–S6 of issue 7, against a Hookpost that bench/run
 * started as its own process on its embedded defaults. A single-file program (java bench/Bench.java), so nothing
 * here is on Hookpost's class path.
 * <p>
 * The load generator is a plain keep-alive HTTP/1.1 client on raw sockets, one blocking thread per connection:
 * the JDK HttpClient topped out near 1,300 posts/s here, far below what the receiver takes.
 * <p>
 * Usage: java bench/Bench.java port pid admin-token seconds [scenarios, e.g. ceiling,S6,S1] [s5-backlog]
 */
public class Bench {
    static final int CONNECTIONS = 64;
    static final long MAX_OUTSTANDING = 10_000;
    /** The warm-up ends once Hookpost's JIT compiler threads took at most this share of one core over a slice. */
    static final double JIT_SETTLED = 0.1;
    static final double JIT_SLICE = 10;
    static final String PAD = "x".repeat(900);
    static final HttpClient ADMIN = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    // ---------------------------------------------------------------------------------------------------------
    /** The receiver: counts posts per path, records latency from the send time in the event, verifies a sample. */
    static final class Receiver {
        final HttpServer server;
        final ExecutorService threads = Executors.newFixedThreadPool(32);
        final Map<String, AtomicLong> received = new ConcurrentHashMap<>();
        final Latencies latencies = new Latencies();
        final AtomicLong verified = new AtomicLong();
        final AtomicLong badSignatures = new AtomicLong();
        final AtomicLong sampled = new AtomicLong();
        final Map<String, byte[]> keys = new ConcurrentHashMap<>();
        volatile long lastArrival;

        Receiver(int port) throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 4096);
            server.setExecutor(threads);
            server.createContext("/", exchange -> {
                byte[] body;
                try (InputStream in = exchange.getRequestBody()) {
                    body = in.readAllBytes();
                }
                String path = exchange.getRequestURI().getPath();
                received.computeIfAbsent(path, p -> new AtomicLong()).incrementAndGet();
                long sent = sentNanos(body);
                long now = System.nanoTime();
                lastArrival = now;
                if (sent > 0) {
                    latencies.add((now - sent) / 1000);
                }
                byte[] key = keys.get(path);
                if (key != null && sampled.incrementAndGet() % 100 == 1) {
                    verify(key, exchange.getRequestHeaders().getFirst("webhook-id"),
                            exchange.getRequestHeaders().getFirst("webhook-timestamp"),
                            exchange.getRequestHeaders().getFirst("webhook-signature"), body);
                }
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
            });
            server.start();
        }

        static long sentNanos(byte[] body) {
            String text = new String(body, 0, Math.min(body.length, 300), StandardCharsets.ISO_8859_1);
            int at = text.indexOf("\"sentNanos\":");
            if (at < 0) {
                return 0;
            }
            long value = 0;
            for (int i = at + 12; i < text.length() && Character.isDigit(text.charAt(i)); i++) {
                value = value * 10 + (text.charAt(i) - '0');
            }
            return value;
        }

        /** The Standard Webhooks check, done by hand so the harness needs no library on its class path. */
        void verify(byte[] key, String id, String timestamp, String signature, byte[] body) {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(key, "HmacSHA256"));
                mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
                String expected = "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
                if (signature != null && Arrays.asList(signature.split(" ")).contains(expected)) {
                    verified.incrementAndGet();
                } else {
                    badSignatures.incrementAndGet();
                }
            } catch (Exception e) {
                badSignatures.incrementAndGet();
            }
        }

        int port() {
            return server.getAddress().getPort();
        }

        String url(String path) {
            return "http://127.0.0.1:" + port() + path;
        }

        long count(String prefix) {
            return received.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                    .mapToLong(e -> e.getValue().get()).sum();
        }

        void stop() {
            server.stop(0);
            threads.shutdownNow();
        }
    }

    /** Latencies in microseconds, appended from many threads. */
    static final class Latencies {
        private long[] values = new long[1 << 16];
        private int size;

        synchronized void add(long micros) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = micros;
        }

        synchronized void clear() {
            size = 0;
        }

        synchronized long[] sorted() {
            long[] copy = Arrays.copyOf(values, size);
            Arrays.sort(copy);
            return copy;
        }

        static long pct(long[] sorted, double p) {
            return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100 * sorted.length) - 1)];
        }
    }

    /** A server that accepts every connection and never answers: an endpoint that hangs until the timeout. */
    static final class Hanging implements AutoCloseable {
        final ServerSocket socket = new ServerSocket(0, 4096, java.net.InetAddress.getLoopbackAddress());
        final List<Socket> held = new CopyOnWriteArrayList<>();
        final Thread acceptor = new Thread(() -> {
            while (!socket.isClosed()) {
                try {
                    held.add(socket.accept());
                } catch (IOException e) {
                    return;
                }
            }
        });

        Hanging() throws IOException {
            acceptor.setDaemon(true);
            acceptor.start();
        }

        String url(String path) {
            return "http://127.0.0.1:" + socket.getLocalPort() + path;
        }

        @Override
        public void close() throws IOException {
            socket.close();
            for (Socket s : held) {
                s.close();
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    /** One keep-alive HTTP/1.1 connection: POST, then read the status line, the headers and the body. */
    static final class Connection implements AutoCloseable {
        final Socket socket;
        final OutputStream out;
        final InputStream in;
        final StringBuilder line = new StringBuilder();
        /** With the port, as HTTP clients send it to a port other than 80. Tomcat parses a bare IPv4 address by
         * reading past its end and catching the exception: 5.5 % of the request threads' CPU in a profile. */
        final String host;
        boolean closing;

        Connection(int port) throws IOException {
            host = "127.0.0.1:" + port;
            socket = new Socket("127.0.0.1", port);
            socket.setTcpNoDelay(true);
            out = new BufferedOutputStream(socket.getOutputStream(), 4096);
            in = new BufferedInputStream(socket.getInputStream(), 4096);
        }

        int post(String path, String token, byte[] body) throws IOException {
            out.write(("POST " + path + " HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: application/json\r\n"
                    + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
                    + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            int status = Integer.parseInt(readLine().substring(9, 12));
            long length = 0;
            boolean chunked = false;
            closing = false;
            for (String header = readLine(); !header.isEmpty(); header = readLine()) {
                String lower = header.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-length:")) {
                    length = Long.parseLong(lower.substring(15).trim());
                } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                    chunked = true;
                } else if (lower.startsWith("connection:") && lower.contains("close")) {
                    closing = true;
                }
            }
            if (chunked) {
                for (long size = Long.parseLong(readLine().trim(), 16); size > 0; size = Long.parseLong(readLine().trim(), 16)) {
                    in.skipNBytes(size);
                    readLine();
                }
                readLine();
            } else {
                in.skipNBytes(length);
            }
            return status;
        }

        private String readLine() throws IOException {
            line.setLength(0);
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) {
                    throw new EOFException("connection closed");
                }
                if (c != '\r') {
                    line.append((char) c);
                }
            }
            return line.toString();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** What a load run did: 2xx answers, other answers, and how long it ran. */
    record Load(long ok, long refused, double seconds) {
        double perSecond() {
            return ok / seconds;
        }
    }

    /**
     * POSTs from {@code connections} keep-alive connections until {@code seconds} have passed or {@code limit}
     * posts were accepted; {@code ratePerSecond} > 0 paces the senders to that total rate (open loop).
     */
    static Load drive(int port, String path, String token, int connections, double seconds, long limit,
                      double ratePerSecond, IntFunction<byte[]> body) throws Exception {
        return drive(port, path, token, connections, seconds, limit, ratePerSecond, body, accepted -> false);
    }

    /** As above; {@code pause} (given the posts accepted so far) holds the senders back while it is true. */
    static Load drive(int port, String path, String token, int connections, double seconds, long limit,
                      double ratePerSecond, IntFunction<byte[]> body, LongPredicate pause) throws Exception {
        AtomicLong ok = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        AtomicLong issued = new AtomicLong();
        Object pauseGate = new Object();
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        Thread[] senders = new Thread[connections];
        for (int i = 0; i < connections; i++) {
            senders[i] = new Thread(() -> {
                Connection connection = null;
                try {
                    while (System.nanoTime() < end) {
                        if (connection == null || connection.closing) {
                            if (connection != null) {
                                connection.close();
                            }
                            connection = new Connection(port);
                        }
                        // one sender at a time waits out a pause, the others wait for the lock: with every sender
                        // polling each millisecond the load generator took a third of a core from Hookpost
                        if (pause.test(ok.get())) {
                            synchronized (pauseGate) {
                                while (pause.test(ok.get()) && System.nanoTime() < end) {
                                    Thread.sleep(1);
                                }
                            }
                        }
                        long n = issued.getAndIncrement();
                        if (n >= limit) {
                            return;
                        }
                        if (ratePerSecond > 0) {
                            long due = start + (long) (n * 1e9 / ratePerSecond);
                            long wait = due - System.nanoTime();
                            if (wait > 0) {
                                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                            }
                        }
                        int status = connection.post(path, token, body.apply((int) n));
                        (status / 100 == 2 ? ok : refused).incrementAndGet();
                        if (status / 100 != 2) {
                            REFUSED.computeIfAbsent(status, k -> new AtomicLong()).incrementAndGet();
                        }
                    }
                    if (connection != null) {
                        connection.close();
                    }
                } catch (Exception e) {
                    System.err.println("load connection failed: " + e);
                }
            });
            senders[i].start();
        }
        for (Thread sender : senders) {
            sender.join();
        }
        return new Load(ok.get(), refused.get(), (System.nanoTime() - start) / 1e9);
    }

    static byte[] event(String type) {
        // sentMillis, the wall clock: against the occurred_at Hookpost records, how long a post took to reach the ingest
        return ("{\"type\":\"" + type + "\",\"data\":{\"sentNanos\":" + System.nanoTime() + ",\"sentMillis\":"
                + System.currentTimeMillis() + ",\"pad\":\"" + PAD + "\"}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------------------------------------------------
    record Row(String name, double perSecond, long[] latencies, long rssKb, double cpuSeconds, String note) {
    }

    /** Each target of issue 7 and whether this run met it. */
    static final List<String> TARGETS = new ArrayList<>();

    static void target(String what, boolean met, String measured) {
        TARGETS.add(String.format(Locale.ROOT, "%-4s %-48s measured: %s", met ? "MET" : "MISS", what, measured));
    }

    static final List<Row> ROWS = new ArrayList<>();
    /** Posts Hookpost did not accept, by the status it answered. */
    static final Map<Integer, AtomicLong> REFUSED = new java.util.concurrent.ConcurrentSkipListMap<>();
    static long pid;
    static int port;
    static String token;
    static String api;

    public static void main(String[] args) throws Exception {
        port = Integer.parseInt(args[0]);
        pid = Long.parseLong(args[1]);
        token = args[2];
        double seconds = Double.parseDouble(args[3]);
        List<String> scenarios = Arrays.asList((args.length > 4 ? args[4] : "ceiling,S6,S1,S2,S3,S4,S5").split(","));
        int backlog = args.length > 5 ? Integer.parseInt(args[5]) : 100_000;
        long startupMs = args.length > 6 ? Long.parseLong(args[6]) : -1;
        if (startupMs >= 0) {
            target("startup to ready <= 8 s", startupMs <= 8_000, startupMs + " ms");
        }
        api = "/api/v1/accounts/bench";
        Receiver receiver = new Receiver(0);
        admin("/api/v1/accounts", "{\"id\":\"bench\",\"name\":\"Bench\"}");
        double ceiling = 0;

        if (scenarios.contains("ceiling")) {
            // the same receiver and body, keep-alive POSTs with no Hookpost in between
            Load load = drive(receiver.port(), "/ceiling", null, CONNECTIONS, Math.min(seconds, 15), Long.MAX_VALUE, 0,
                    n -> event("bench.ceiling"));
            receiver.latencies.clear();
            ceiling = load.perSecond();
            ROWS.add(new Row("ceiling: receiver alone, " + CONNECTIONS + " connections", ceiling, null, 0, 0, ""));
        }
        // a scenario that fails still leaves the table of those that ran before it (a full run takes over ten minutes)
        Exception failed = null;
        try {
            scenarios(receiver, scenarios, seconds, backlog);
        } catch (Exception e) {
            failed = e;
        }

        System.out.printf(Locale.ROOT, "%n%-42s %10s %8s %9s %9s %9s %9s %8s  %s%n", "scenario", "per second",
                "of ceil", "p50 ms", "p95 ms", "p99 ms", "peak RSS", "CPU s", "notes");
        for (Row r : ROWS) {
            long[] l = r.latencies() == null ? new long[0] : r.latencies();
            System.out.printf(Locale.ROOT, "%-42s %10.0f %7.1f%% %9s %9s %9s %6s MB %8.1f  %s%n", r.name(), r.perSecond(),
                    ceiling > 0 ? 100 * r.perSecond() / ceiling : Double.NaN, ms(l, 50), ms(l, 95), ms(l, 99),
                    r.rssKb() / 1024, r.cpuSeconds(), r.note());
        }
        System.out.printf(Locale.ROOT, "signatures checked on a sample by the receiver: %d verified, %d bad%n",
                receiver.verified.get(), receiver.badSignatures.get());
        System.out.println("posts not accepted, by status answered: " + (REFUSED.isEmpty() ? "none" : REFUSED));
        System.out.println();
        TARGETS.forEach(System.out::println);
        receiver.stop();
        if (failed != null) {
            System.out.println();
            System.out.println("the run stopped early, in the warm-up or in the scenario after the last row above:");
            failed.printStackTrace(System.out);
            System.exit(2);
        }
        System.exit(receiver.badSignatures.get() == 0 ? 0 : 1);
    }

    /** The warm-up and every scenario after the ceiling, in the order of the list but S6 first. */
    static void scenarios(Receiver receiver, List<String> scenarios, double seconds, int backlog) throws Exception {
        if (!scenarios.contains("nowarmup")) {
            // warm-up, not measured: the JIT compiles the hot paths of ingest, fan-out and delivery first. It takes
            // minutes: after 20 s the compiler still used a fifth of the CPU and S1 ran at half its later rate, after
            // 120 s it used a twentieth on a fast host; on a slow one it still used a fifth after 3 minutes. So the
            // warm-up goes on, 10 s at a time, while the compiler takes more than JIT_SETTLED of a core, up to
            // BENCH_WARMUP_MAX. Traffic as in S1, at most MAX_OUTSTANDING ahead, so no backlog is left for the scenarios.
            receiver.keys.put("/warm", key(endpoint(receiver.url("/warm"), "bench.warm")));
            double warm = System.getenv("BENCH_WARMUP") != null ? Double.parseDouble(System.getenv("BENCH_WARMUP"))
                    : Math.min(120, 2.0 * seconds);
            double warmMax = System.getenv("BENCH_WARMUP_MAX") != null
                    ? Double.parseDouble(System.getenv("BENCH_WARMUP_MAX")) : 5 * warm;
            long[] accepted = {0};
            LongPredicate ahead = sent -> accepted[0] + sent - receiver.count("/warm") > MAX_OUTSTANDING;
            // the last slice of the warm-up asked for is the first one watched
            double warmed = warmMax >= warm && warm > JIT_SLICE ? warm - JIT_SLICE : warm;
            accepted[0] += drive(port, api + "/events", token, CONNECTIONS, warmed, Long.MAX_VALUE, 0,
                    n -> event("bench.warm"), ahead).ok();
            double jit = Double.NaN;
            while (warmed + JIT_SLICE <= warmMax) {
                long jitBefore = jitTicks();
                long sliceStart = System.nanoTime();
                accepted[0] += drive(port, api + "/events", token, CONNECTIONS, JIT_SLICE, Long.MAX_VALUE, 0,
                        n -> event("bench.warm"), ahead).ok();
                jit = (jitTicks() - jitBefore) / 100.0 / ((System.nanoTime() - sliceStart) / 1e9);
                warmed += JIT_SLICE;
                if (warmed >= warm && jit <= JIT_SETTLED) {
                    break;
                }
            }
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (receiver.count("/warm") < accepted[0] && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            System.out.printf(Locale.ROOT, "warm-up: %.0f s (%s), %d events, %d delivered%n", warmed,
                    Double.isNaN(jit) ? "BENCH_WARMUP_MAX left no time to watch the JIT compiler"
                            : String.format(Locale.ROOT, "the JIT compiler took %.2f of a core in the last %.0f s%s",
                            jit, JIT_SLICE, jit <= JIT_SETTLED ? "" : ", at BENCH_WARMUP_MAX"),
                    accepted[0], receiver.count("/warm"));
        }
        if (scenarios.contains("S6")) {
            // ingest only: a type no endpoint subscribes to
            long cpu = cpuTicks();
            long jit = jitTicks();
            Load load = drive(port, api + "/events", token, CONNECTIONS, seconds, Long.MAX_VALUE, 0, n -> event("bench.none"));
            ROWS.add(new Row("S6 ingest only (202/s)", load.perSecond(), null, rssKb(), (cpuTicks() - cpu) / 100.0,
                    String.format(Locale.ROOT, "%d accepted, %d refused; %.1f CPU s of them the JIT compiler's",
                            load.ok(), load.refused(), (jitTicks() - jit) / 100.0)));
            target("S6 >= 10,000 events/s accepted", load.perSecond() >= 10_000, String.format(Locale.ROOT, "%.0f/s", load.perSecond()));
            // S6 accepts faster than the fan-out records: its events are still queued, and would take the CPU of the
            // next scenario. One event to an endpoint, sent behind them, arrives once they are all fanned out.
            long settleStart = System.nanoTime();
            endpoint(receiver.url("/settle"), "bench.settle");
            admin(api + "/events", new String(event("bench.settle"), StandardCharsets.UTF_8));
            long settleDeadline = settleStart + 1_800_000_000_000L;
            while (receiver.count("/settle") == 0 && System.nanoTime() < settleDeadline) {
                Thread.sleep(100);
            }
            System.out.printf(Locale.ROOT, "S6's events fanned out %.0f s after S6 ended%n", (System.nanoTime() - settleStart) / 1e9);
        }
        if (scenarios.contains("S1") || scenarios.contains("S3") || scenarios.contains("S4")) {
            receiver.keys.put("/s1", key(endpoint(receiver.url("/s1"), "bench.s1")));
        }
        double s1 = 0;
        if (scenarios.contains("S1")) {
            s1 = deliveries("S1 1 endpoint, 1 KB, signed", receiver, "/s1", "bench.s1", 1, seconds, 0);
            target("S1 >= 5,000 deliveries/s", s1 >= 5_000, String.format(Locale.ROOT, "%.0f/s", s1));
        }
        if (scenarios.contains("S2")) {
            for (int i = 0; i < 10; i++) {
                receiver.keys.put("/s2-" + i, key(endpoint(receiver.url("/s2-" + i), "bench.s2")));
            }
            double s2 = deliveries("S2 fan-out 1 event -> 10 endpoints", receiver, "/s2-", "bench.s2", 10, seconds, 0);
            target("S2 >= 10,000 deliveries/s", s2 >= 10_000, String.format(Locale.ROOT, "%.0f/s", s2));
        }
        if (scenarios.contains("S3")) {
            // BENCH_S3_RATE: latency at a rate a slow host sustains (to compare changes there); the target is at 1,000/s
            int rate = System.getenv("BENCH_S3_RATE") != null ? Integer.parseInt(System.getenv("BENCH_S3_RATE")) : 1000;
            deliveries(String.format(Locale.ROOT, "S3 fixed %,d events/s, 1 endpoint", rate), receiver, "/s1", "bench.s1",
                    1, seconds, rate);
            long p99 = Latencies.pct(ROWS.get(ROWS.size() - 1).latencies(), 99);
            if (rate == 1000) {
                target("S3 p99 <= 50 ms at 1,000 events/s", p99 <= 50_000, String.format(Locale.ROOT, "p99 %.1f ms", p99 / 1000.0));
            }
        }
        if (scenarios.contains("S4")) {
            try (Hanging hanging = new Hanging()) {
                for (int i = 0; i < 100; i++) {
                    endpoint(hanging.url("/hang-" + i), "bench.s4.hang");
                }
                // the hanging endpoints get an event every 100 ms each, enough to keep every one at its in-flight limit
                Thread trickle = new Thread(() -> {
                    try {
                        drive(port, api + "/events", token, 1, seconds + 5, Long.MAX_VALUE, 10, n -> event("bench.s4.hang"));
                    } catch (Exception e) {
                        System.err.println("S4 trickle failed: " + e);
                    }
                });
                trickle.start();
                Thread.sleep(5_000); // let the hanging endpoints fill up first
                double healthy = deliveries("S4 healthy endpoint beside 100 hanging", receiver, "/s1", "bench.s1", 1,
                        seconds, 0);
                trickle.join();
                Row row = ROWS.remove(ROWS.size() - 1);
                ROWS.add(new Row(row.name(), row.perSecond(), row.latencies(), row.rssKb(), row.cpuSeconds(),
                        row.note() + (s1 > 0 ? String.format(Locale.ROOT, "; %.0f %% of S1", 100 * healthy / s1) : "")));
                if (s1 > 0) {
                    target("S4 healthy endpoint >= 80 % of S1", healthy >= 0.8 * s1,
                            String.format(Locale.ROOT, "%.0f %% (%.0f/s of %.0f/s)", 100 * healthy / s1, healthy, s1));
                }
            }
        }
        if (scenarios.contains("S5")) {
            backlog(backlog);
        }
    }

    static String ms(long[] sorted, double p) {
        return sorted.length == 0 ? "" : String.format(Locale.ROOT, "%.1f", Latencies.pct(sorted, p) / 1000.0);
    }

    /**
     * Sends events of {@code type} (each fanned out to {@code fanout} endpoints under {@code path}) for
     * {@code seconds}, then waits for every delivery; throughput is deliveries per second from the first post to
     * the last arrival, latency from each event's send time to its arrival at the receiver.
     */
    static double deliveries(String name, Receiver receiver, String path, String type, int fanout, double seconds,
                             double rate) throws Exception {
        long before = receiver.count(path);
        receiver.latencies.clear();
        long cpu = cpuTicks();
        long jit = jitTicks();
        long written = writtenBytes();
        long start = System.nanoTime();
        // at most MAX_OUTSTANDING deliveries accepted but not yet received: the rate measured is one Hookpost
        // sustains, not how fast a backlog builds up
        Load load = drive(port, api + "/events", token, rate > 0 ? 32 : CONNECTIONS, seconds, Long.MAX_VALUE, rate,
                n -> event(type), accepted -> accepted * fanout - (receiver.count(path) - before) > MAX_OUTSTANDING);
        long expected = load.ok() * fanout;
        long deadline = System.nanoTime() + 600_000_000_000L;
        long last = -1;
        long stalledSince = System.nanoTime();
        while (receiver.count(path) - before < expected && System.nanoTime() < deadline) {
            long now = receiver.count(path);
            if (now != last) {
                last = now;
                stalledSince = System.nanoTime();
            } else if (System.nanoTime() - stalledSince > 60_000_000_000L) {
                break; // nothing arrived for a minute: report what did
            }
            Thread.sleep(20);
        }
        long delivered = receiver.count(path) - before;
        double elapsed = (receiver.lastArrival - start) / 1e9;
        double perSecond = delivered / elapsed;
        double cpuSeconds = (cpuTicks() - cpu) / 100.0;
        double jitSeconds = (jitTicks() - jit) / 100.0;
        // the cost of one delivery, which depends less on how busy the host is than the rate does
        ROWS.add(new Row(name + " (deliveries/s)", perSecond, receiver.latencies.sorted(), rssKb(), cpuSeconds,
                String.format(Locale.ROOT, "%d events accepted at %.0f/s, %d of %d delivered in %.1f s; per delivery"
                                + " %.2f ms CPU (%.2f ms the JIT compiler's), %.1f KB written to disk", load.ok(),
                        load.perSecond(), delivered, expected, elapsed, cpuSeconds * 1000 / Math.max(1, delivered),
                        jitSeconds * 1000 / Math.max(1, delivered),
                        (writtenBytes() - written) / 1024.0 / Math.max(1, delivered))));
        return perSecond;
    }

    /** S5: a backlog built while the receiver is down, then drained once it is back and the endpoint re-enabled. */
    static void backlog(int events) throws Exception {
        int downPort;
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            downPort = probe.getLocalPort();
        }
        String endpoint = endpoint("http://127.0.0.1:" + downPort + "/s5", "bench.s5");
        String id = endpoint.replaceAll(".*\"id\":\"([^\"]+)\".*", "$1");
        String since = Instant.now().minusSeconds(60).toString();
        long cpu = cpuTicks();
        Load load = drive(port, api + "/events", token, CONNECTIONS, 3600, events, 0, n -> event("bench.s5"));
        // wait until every event has its delivery recorded (failed attempts against the closed port disable the
        // endpoint after hookpost.delivery.disable-after-failures; what comes after is held)
        Thread.sleep(5_000);
        Receiver up = new Receiver(downPort);
        long start = System.nanoTime();
        admin(api + "/endpoints/" + id + "/enable", "");
        String recovered = admin(api + "/endpoints/" + id + "/recover", "{\"since\":\"" + since + "\"}");
        long deadline = System.nanoTime() + 1_800_000_000_000L;
        while (up.count("/s5") < load.ok() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        double drain = (up.lastArrival - start) / 1e9;
        long delivered = up.count("/s5");
        long[] heap = heapAfterGc();
        ROWS.add(new Row("S5 backlog of " + load.ok() + " drained (deliveries/s)", delivered / drain, null, rssKb(),
                (cpuTicks() - cpu) / 100.0, String.format(Locale.ROOT, "%d delivered in %.1f s after recovery (%s); heap"
                        + " after drain and a full GC: %d MB used of %d MB", delivered, drain, recovered, heap[0], heap[1])));
        target("S5 drains, heap after drain < 512 MB", delivered >= load.ok() && heap[0] < 512,
                String.format(Locale.ROOT, "%d of %d in %.1f s, heap %d MB", delivered, load.ok(), drain, heap[0]));
        up.stop();
    }

    /**
     * Hookpost's used and committed heap in MB after a full GC, read with jcmd (the JDK's own tool) on its pid: the sum
     * over the lines "total …K, used …K", one for G1's heap, one per generation for the parallel and serial collectors.
     * JDK 25's G1 writes "total reserved …K, committed …K, used …K" instead.
     */
    static long[] heapAfterGc() throws Exception {
        run("jcmd", String.valueOf(pid), "GC.run");
        String info = run("jcmd", String.valueOf(pid), "GC.heap_info");
        java.util.regex.Matcher used = java.util.regex.Pattern
                .compile("total (?:reserved \\d+K, committed )?(\\d+)K, used (\\d+)K").matcher(info);
        long usedKb = 0;
        long totalKb = 0;
        while (used.find()) {
            usedKb += Long.parseLong(used.group(2));
            totalKb += Long.parseLong(used.group(1));
        }
        if (totalKb == 0) {
            throw new IllegalStateException("no heap figures from jcmd: " + info);
        }
        return new long[] {usedKb / 1024, totalKb / 1024};
    }

    static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    static String endpoint(String url, String type) throws Exception {
        return admin(api + "/endpoints", "{\"url\":\"" + url + "\",\"eventTypes\":[\"" + type + "\"]}");
    }

    static byte[] key(String created) {
        return Base64.getDecoder().decode(created.replaceAll(".*\"secret\":\"whsec_([^\"]+)\".*", "$1"));
    }

    static String admin(String path, String json) throws Exception {
        HttpResponse<String> response = ADMIN.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException(path + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    static long rssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return 0;
    }

    /** Bytes Hookpost had the kernel write to storage (database, broker journal, logs), from /proc/PID/io. */
    static long writtenBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/io"))) {
            if (line.startsWith("write_bytes:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return 0;
    }

    /**
     * CPU ticks of Hookpost's JIT compiler threads (C1 and C2; those alive when read: with more than 2 cores the JVM
     * may stop some it started, and their ticks go with them), from /proc/PID/task/TID/stat.
     */
    static long jitTicks() throws IOException {
        long ticks = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException ended) {
                    continue;
                }
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
                    ticks += cpuTicksOf(stat);
                }
            }
        }
        return ticks;
    }

    static long cpuTicks() throws IOException {
        return cpuTicksOf(Files.readString(Path.of("/proc/" + pid + "/stat")));
    }

    /** User plus system CPU ticks from a /proc stat line (of a process or a thread), read after the name's ")". */
    static long cpuTicksOf(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(") ") + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }
}
