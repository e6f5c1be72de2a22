package io.hookpost.support;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An endpoint that hangs: it accepts every connection and never answers, so each request waits for the
 * sender's timeout. A plain socket rather than an HTTP server, because a server's worker pool would cap how
 * many requests hang at once and hide starvation on the sender's side. {@link #dripping()} answers 200 at
 * once and then sends its body one byte every 200 ms, never idle long enough for a read timeout.
 * {@link #flooding()} answers 200 with a body of a terabyte by its Content-Length and writes it as fast as the sender
 * takes it (at most {@link #FLOOD_CAP} bytes, then it holds the connection), counting what it wrote.
 * {@link #floodingHeaders()} does the same with an answer head of header lines without end.
 */
public final class StallingReceiver implements AutoCloseable {
    private final ServerSocket server;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    /** What a flooding receiver writes at most: enough to tell a sender that reads it all from one that stops. */
    public static final long FLOOD_CAP = 128L * 1024 * 1024;

    private enum Answer { NONE, DRIP, FLOOD, FLOOD_HEADERS }

    private final Answer answer;
    private final AtomicLong written = new AtomicLong();
    private final AtomicBoolean dropped = new AtomicBoolean();

    public StallingReceiver() throws IOException {
        this(Answer.NONE);
    }

    public static StallingReceiver dripping() throws IOException {
        return new StallingReceiver(Answer.DRIP);
    }

    public static StallingReceiver flooding() throws IOException {
        return new StallingReceiver(Answer.FLOOD);
    }

    public static StallingReceiver floodingHeaders() throws IOException {
        return new StallingReceiver(Answer.FLOOD_HEADERS);
    }

    private StallingReceiver(Answer answer) throws IOException {
        this.answer = answer;
        server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1000);
        acceptor = new Thread(this::accept, "stalling-receiver");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getLocalPort() + path;
    }

    /** Connections accepted so far; each holds one request that will never be answered. */
    public int accepted() {
        return open.size();
    }

    /** Bytes of body a flooding receiver has written so far. */
    public long written() {
        return written.get();
    }

    /** Whether the sender closed a flooding answer's connection while the receiver was still writing to it. */
    public boolean dropped() {
        return dropped.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                open.add(socket);
                if (answer != Answer.NONE) {
                    Thread answering = new Thread(() -> {
                        if (answer == Answer.DRIP) {
                            drip(socket);
                        } else if (answer == Answer.FLOOD) {
                            flood(socket);
                        } else {
                            floodHeaders(socket);
                        }
                    }, answer == Answer.DRIP ? "dripping-receiver" : "flooding-receiver");
                    answering.setDaemon(true);
                    answering.start();
                }
            } catch (IOException closed) {
                return;
            }
        }
    }

    private static void drip(Socket socket) {
        try {
            OutputStream out = socket.getOutputStream();
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            while (!socket.isClosed()) {
                Thread.sleep(200);
                out.write('x');
                out.flush();
            }
        } catch (IOException | InterruptedException dropped) {
            // the sender gave up: what the test wants
        }
    }

    /** A body of 64 KB pieces of 'x' after a Content-Length of a terabyte. */
    private void flood(Socket socket) {
        byte[] chunk = new byte[64 * 1024];
        Arrays.fill(chunk, (byte) 'x');
        flood(socket, "HTTP/1.1 200 OK\r\nContent-Length: 1000000000000\r\n\r\n", n -> chunk);
    }

    /** An answer head of 1 KB header lines that never ends. */
    private void floodHeaders(Socket socket) {
        String value = "v".repeat(1000);
        flood(socket, "HTTP/1.1 200 OK\r\n",
                n -> ("X-Flood-" + n + ": " + value + "\r\n").getBytes(StandardCharsets.US_ASCII));
    }

    /** Writes the head, then pieces as fast as the sender takes them up to FLOOD_CAP, then holds the connection. */
    private void flood(Socket socket, String head, java.util.function.LongFunction<byte[]> piece) {
        try {
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            for (long n = 0; written.get() < FLOOD_CAP; n++) {
                byte[] next = piece.apply(n);
                out.write(next);
                written.addAndGet(next.length);
            }
            out.flush();
            while (!socket.isClosed()) {
                Thread.sleep(200);
                out.write('x'); // fails once the sender has closed its end
                out.flush();
            }
        } catch (IOException closedBySender) {
            dropped.set(true);
        } catch (InterruptedException stopped) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket socket : open) {
            socket.close();
        }
    }
}
