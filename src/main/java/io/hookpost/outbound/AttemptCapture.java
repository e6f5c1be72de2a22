package io.hookpost.outbound;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.hc.client5.http.utils.DateUtils;
import org.apache.hc.core5.http.io.EofSensorInputStream;
import io.hookpost.HookpostProperties;
import io.hookpost.ops.HookpostMetrics;
import org.springframework.stereotype.Component;

/**
 * Steps {@code remember-request} and {@code capture-response}: build the attempt row from the request
 * exactly as sent and from what the receiver answered (status,
 * headers, the first {@code hookpost.delivery.response-body-limit} bytes of body) or from the error that
 * prevented an answer, and leaves it as the body for the SQL insert.
 *
 * <p>The response arrives as the raw stream (stream caching off), so a huge or endless body is never
 * buffered: we read up to the limit and abort the connection if more is coming.
 *
 * <p>Each attempt is also counted in {@code hookpost_attempt_duration_seconds{outcome}}.
 */
@Component("attemptCapture")
public class AttemptCapture {
    /** Characters of response headers kept with an attempt: Node.js's bound on a whole answer head. */
    static final int STORED_HEADERS_LIMIT = 16 * 1024;
    private static final Pattern DIGITS = Pattern.compile("[0-9]+");
    private static final DateTimeFormatter ASCTIME = DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US)
            .withZone(ZoneOffset.UTC);
    private final ObjectMapper json;
    private final int bodyLimit;
    private final HookpostMetrics metrics;

    public AttemptCapture(ObjectMapper json, HookpostProperties properties, HookpostMetrics metrics) {
        this.json = json;
        this.bodyLimit = properties.delivery().responseBodyLimit();
        this.metrics = metrics;
    }

    /** Right before the POST: the request headers as they go on the wire (signature included). */
    public void requestSent(Exchange exchange) throws IOException {
        Map<String, Object> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        exchange.getMessage().getHeaders().forEach((k, v) -> {
            if (!k.startsWith("Camel")) {
                headers.put(k, String.valueOf(v));
            }
        });
        attempt(exchange).put("request_headers", json.writeValueAsString(headers));
    }

    /** After an answer arrived (any status). */
    public Map<String, Object> answered(Exchange exchange) throws IOException {
        Map<String, Object> attempt = attempt(exchange);
        Message message = exchange.getMessage();
        int status = message.getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        Map<String, Object> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        int kept = 0;
        for (Map.Entry<String, Object> header : message.getHeaders().entrySet()) {
            String name = header.getKey();
            if (!name.startsWith("Camel") && !name.startsWith("camel")) {
                // a header the answer repeats comes as a list: its values joined as HTTP combines them (RFC 9110,
                // 5.3), not the list's toString "[a=1, b=2]"
                String value = header.getValue() instanceof Collection<?> repeated
                        ? repeated.stream().map(String::valueOf).collect(Collectors.joining(", "))
                        : String.valueOf(header.getValue());
                kept += name.length() + value.length();
                if (kept > STORED_HEADERS_LIMIT) {
                    break; // the rest of an answer head this large is not worth keeping with every attempt
                }
                headers.put(name, value);
            }
        }
        attempt.put("response_status", status);
        attempt.put("response_headers", json.writeValueAsString(headers));
        attempt.put("response_body", readBounded(message.getBody(InputStream.class)));
        attempt.put("error", null);
        boolean succeeded = status >= 200 && status < 300;
        attempt.put("succeeded", succeeded);
        exchange.setProperty(DeliveryProperties.SUCCEEDED, succeeded);
        attempt.put("retry_after_ms", status == 429 || status == 503
                ? retryAfterMillis((String) headers.get("Retry-After")) : null);
        return finish(attempt, succeeded ? "success" : "http_error");
    }

    /** When no answer arrived: connection refused, timeout, DNS failure, blocked destination. */
    public Map<String, Object> failed(Exchange exchange) {
        Map<String, Object> attempt = attempt(exchange);
        Throwable error = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        attempt.put("response_status", null);
        attempt.put("response_headers", null);
        attempt.put("response_body", null);
        attempt.put("error", describe(error));
        attempt.put("succeeded", false);
        exchange.setProperty(DeliveryProperties.SUCCEEDED, false);
        attempt.put("retry_after_ms", null);
        return finish(attempt, outcome(error));
    }

    private Map<String, Object> attempt(Exchange exchange) {
        @SuppressWarnings("unchecked")
        Map<String, Object> attempt = exchange.getProperty(DeliveryProperties.ATTEMPT, Map.class);
        return attempt;
    }

    private Map<String, Object> finish(Map<String, Object> attempt, String outcome) {
        long started = (Long) attempt.get("started_nanos");
        long took = System.nanoTime() - started;
        attempt.put("duration_ms", (int) Math.min(Integer.MAX_VALUE, took / 1_000_000));
        attempt.put("created_at", OffsetDateTime.now(ZoneOffset.UTC));
        metrics.attempt(outcome, Duration.ofNanos(took));
        return attempt;
    }

    /** For the attempt metric: why no answer came. */
    static String outcome(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof SsrfGuard.BlockedDestinationException || cause instanceof SsrfGuard.BlockedHostException) {
                return "blocked";
            }
            if (cause instanceof SocketTimeoutException || cause instanceof DeliveryDeadline.DeadlineExceeded) {
                return "timeout";
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return "error";
    }

    private String readBounded(InputStream in) throws IOException {
        if (in == null) {
            return "";
        }
        byte[] buffer = in.readNBytes(bodyLimit);
        if (in.read() != -1) {
            // more than we keep: drop the connection instead of draining an arbitrarily large body
            if (in instanceof DeliveryDeadline.Body body) {
                body.abort();
            } else if (in instanceof EofSensorInputStream sensor) {
                sensor.abort();
            }
        }
        return storable(new String(buffer, StandardCharsets.UTF_8));
    }

    /**
     * Text as PostgreSQL can store it: a receiver's NUL character (which no text column takes) becomes U+FFFD, as
     * bytes that are not UTF-8 already have. Unstorable, the attempt was never recorded and the delivery sent again
     * and again, outside its schedule.
     */
    static String storable(String text) {
        return text.indexOf('\u0000') < 0 ? text : text.replace('\u0000', '\uFFFD');
    }

    /**
     * {@code Retry-After} as seconds or an HTTP date in any of the three forms RFC 9110 says a recipient must read
     * (HttpClient's formats for two; asctime's day is space-padded, which they do not read); null when absent or
     * unreadable. More seconds than a long holds in milliseconds is the most there is: the caller caps it.
     */
    static Long retryAfterMillis(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String text = value.trim();
        if (DIGITS.matcher(text).matches()) {
            return text.length() > 15 ? Long.MAX_VALUE : Long.parseLong(text) * 1000;
        }
        if (text.startsWith("-") && DIGITS.matcher(text.substring(1)).matches()) {
            return 0L; // not a valid delay: no wait beyond the schedule's
        }
        Instant at = DateUtils.parseDate(text, DateUtils.FORMATTER_RFC1123, DateUtils.FORMATTER_RFC1036, ASCTIME);
        return at == null ? null : Math.max(0, at.toEpochMilli() - System.currentTimeMillis());
    }

    static String describe(Throwable error) {
        if (error == null) {
            return "unknown error";
        }
        String text = error.getClass().getSimpleName() + (error.getMessage() != null ? ": " + error.getMessage() : "");
        return storable(text.length() > 1000 ? text.substring(0, 1000) : text);
    }
}
