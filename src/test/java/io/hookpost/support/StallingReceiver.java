package io.hookpost.support;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An endpoint that hangs: it accepts every connection and never answers, so each request waits for the
 * sender's timeout. A plain socket rather than an HTTP server, because a server's worker pool would cap how
 * many requests hang at once and hide starvation on the sender's side. {@link #dripping()} answers 200 at
 * once and then sends its body one byte every 200 ms, never idle long enough for a read timeout.
 */
public final class StallingReceiver implements AutoCloseable {
    private final ServerSocket server;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    private final boolean drip;

    public StallingReceiver() throws IOException {
        this(false);
    }

    public static StallingReceiver dripping() throws IOException {
        return new StallingReceiver(true);
    }

    private StallingReceiver(boolean drip) throws IOException {
        this.drip = drip;
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

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                open.add(socket);
                if (drip) {
                    Thread dripper = new Thread(() -> drip(socket), "dripping-receiver");
                    dripper.setDaemon(true);
                    dripper.start();
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

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket socket : open) {
            socket.close();
        }
    }
}
