package io.hookpost.outbound;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.hc.client5.http.classic.ExecChain;
import org.apache.hc.client5.http.classic.ExecChainHandler;
import org.apache.hc.client5.http.classic.ExecRuntime;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.io.entity.HttpEntityWrapper;

/**
 * The whole-request timeout ({@code hookpost.delivery.timeout}): from sending the request to the end of the
 * response body. HttpClient's own timeouts are per connect and per socket read, so a receiver that drips one
 * byte a second would hold a delivery thread forever; this exec-chain interceptor drops the connection at the
 * deadline instead, and the attempt fails like any timeout. Written by hand because HttpClient 5's classic
 * API has no total-exchange deadline.
 */
final class DeliveryDeadline implements ExecChainHandler, AutoCloseable {
    private final String message;
    private final long timeoutNanos;
    private final ScheduledThreadPoolExecutor timer;

    DeliveryDeadline(Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
        this.message = "timed out: no complete answer within " + timeout.toMillis() + " ms";
        this.timer = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "hookpost-delivery-deadline");
            thread.setDaemon(true);
            return thread;
        });
        timer.setRemoveOnCancelPolicy(true);
    }

    @Override
    public ClassicHttpResponse execute(ClassicHttpRequest request, ExecChain.Scope scope, ExecChain chain)
            throws IOException, HttpException {
        Expiry expiry = new Expiry(scope.execRuntime);
        expiry.future = timer.schedule(expiry, timeoutNanos, TimeUnit.NANOSECONDS);
        ClassicHttpResponse response;
        try {
            response = chain.proceed(request, scope);
        } catch (IOException | HttpException | RuntimeException e) {
            expiry.cancel();
            if (expiry.fired.get()) {
                throw new DeadlineExceeded(message, e);
            }
            throw e;
        }
        HttpEntity entity = response.getEntity();
        if (entity == null) {
            expiry.cancel();
        } else {
            response.setEntity(new HttpEntityWrapper(entity) {
                @Override
                public InputStream getContent() throws IOException {
                    return new Body(super.getContent(), expiry);
                }
            });
        }
        return response;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    /** Thrown instead of the socket error the dropped connection caused, so the attempt says why. */
    static final class DeadlineExceeded extends IOException {
        DeadlineExceeded(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final class Expiry implements Runnable {
        private final ExecRuntime runtime;
        private final AtomicBoolean fired = new AtomicBoolean();
        private volatile ScheduledFuture<?> future;

        Expiry(ExecRuntime runtime) {
            this.runtime = runtime;
        }

        @Override
        public void run() {
            fired.set(true);
            runtime.discardEndpoint();
        }

        void cancel() {
            ScheduledFuture<?> scheduled = future;
            if (scheduled != null) {
                scheduled.cancel(false);
            }
        }
    }

    /**
     * The response body: the deadline ends with it. {@link #abort()} drops the connection instead of draining
     * a body we no longer want.
     */
    final class Body extends FilterInputStream {
        private final Expiry expiry;

        private Body(InputStream in, Expiry expiry) {
            super(in);
            this.expiry = expiry;
        }

        @Override
        public int read() throws IOException {
            try {
                int b = super.read();
                if (b == -1) {
                    expiry.cancel();
                }
                return b;
            } catch (IOException e) {
                throw failure(e);
            }
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            try {
                int n = super.read(buffer, offset, length);
                if (n == -1) {
                    expiry.cancel();
                }
                return n;
            } catch (IOException e) {
                throw failure(e);
            }
        }

        @Override
        public void close() throws IOException {
            expiry.cancel();
            super.close();
        }

        void abort() {
            expiry.cancel();
            expiry.runtime.discardEndpoint();
        }

        private IOException failure(IOException e) {
            expiry.cancel();
            return expiry.fired.get() ? new DeadlineExceeded(message, e) : e;
        }
    }
}
