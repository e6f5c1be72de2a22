package io.hookpost.api;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.hookpost.AesGcm;
import io.hookpost.HookpostProperties;
import io.hookpost.Ids;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * A {@code POST} of the API sent with an {@code Idempotency-Key} (as Svix and Stripe take it on every POST), and the
 * PATCH of a provider connection's credentials, is done once: the same request sent again with the same key, by the
 * same API key, within {@code hookpost.security.idempotency-window}, gets the first one's answer again (with
 * {@code Idempotent-Replayed: true}) and changes nothing, so a client may resend a request whose answer it lost (a timeout, a dropped
 * connection) without adding a second endpoint or rotating a secret twice. The same key with another path or body is
 * 422; while the first is still being answered, 409. Only a 2xx answer is kept: after a 4xx or 5xx, which changed
 * nothing, the key may be used again. Publishing an event keeps its own meaning of the key (it names the event).
 * <p>
 * Camel's idempotent consumer skips a repeat; a client needs the first answer (the new endpoint's id and secret), so
 * the answer is kept, encrypted (AES-GCM) under a key derived from the caller's API key and the Idempotency-Key, which
 * the database holds neither of: a copy of the database shows no secret and no API key from these answers. Rows are
 * found by a hash of the same two.
 */
@Component("idempotentRequests")
public class IdempotentRequests {
    private static final Logger LOG = LoggerFactory.getLogger(IdempotentRequests.class);
    public static final String HEADER = "Idempotency-Key";
    /** Exchange property: {@link #callerSecret} of the request's API key, set by {@link ApiAccess}. */
    static final String CALLER = "hookpost.caller";
    /** Exchange property: the request that {@link #finish} keeps the answer of. */
    static final String PENDING = "hookpost.idempotentRequest";
    /** Exchange property: true when {@link #begin} answered with the first request's answer. */
    static final String REPLAYED = "hookpost.replayed";
    /** As long as an event's Idempotency-Key may be. */
    static final int MAX_KEY = 200;
    /** Routes whose Idempotency-Key means something else: publishing names the event by it. */
    private static final Set<String> OWN_MEANING = Set.of("ingest-event");
    /**
     * A PATCH keyed as a POST is: a provider connection's change may generate a secret shown once, which a client that
     * lost the answer and sent the change again would lose (the second change replacing it).
     */
    private static final Set<String> KEYED_PATCHES = Set.of("update-provider");
    /**
     * A first request still unanswered after this long died with its instance (the longest API request, a
     * replay-missing of 10,000 deliveries, takes seconds): a repeat is then done again.
     */
    private static final Duration ABANDONED_AFTER = Duration.ofMinutes(5);

    private final JdbcTemplate jdbc;
    private final Duration window;

    private record Pending(String id, byte[] key) {
    }

    public IdempotentRequests(JdbcTemplate jdbc, HookpostProperties properties) {
        this.jdbc = jdbc;
        this.window = properties.security().idempotencyWindow();
    }

    /** What requests of one API key are known by: derived from the key, which is never stored. */
    static byte[] callerSecret(String apiKey) {
        return sha256("hookpost idempotent caller\n".getBytes(StandardCharsets.UTF_8),
                apiKey.getBytes(StandardCharsets.UTF_8));
    }

    /** The row of an API key's ({@link #callerSecret}) requests with this Idempotency-Key. */
    static String rowId(byte[] caller, String key) {
        return HexFormat.of().formatHex(sha256("id\n".getBytes(StandardCharsets.UTF_8), caller,
                key.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Step {@code idempotent-request}, after {@code authenticate}: for a POST with an Idempotency-Key, the first
     * request's answer when there is one ({@link #REPLAYED}), or the key taken for this request.
     */
    public void begin(Exchange exchange) {
        Message in = exchange.getIn();
        String key = in.getHeader(HEADER, String.class);
        byte[] caller = exchange.getProperty(CALLER, byte[].class);
        String method = in.getHeader(Exchange.HTTP_METHOD, String.class);
        boolean keyed = "POST".equals(method) || "PATCH".equals(method)
                && KEYED_PATCHES.contains(exchange.getFromRouteId());
        if (key == null || caller == null || !keyed || OWN_MEANING.contains(exchange.getFromRouteId())) {
            return;
        }
        if (key.isBlank() || key.length() > MAX_KEY) {
            throw ProblemException.badRequest("The Idempotency-Key header holds 1 to " + MAX_KEY + " characters.");
        }
        byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
        String id = rowId(caller, key);
        byte[] body = in.getBody(byte[].class);
        in.setBody(body); // read once, here: the route reads the same bytes
        String request = HexFormat.of().formatHex(sha256((in.getHeader(Exchange.HTTP_URI, String.class) + "\n")
                .getBytes(StandardCharsets.UTF_8), body == null ? new byte[0] : body));
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        List<Map<String, Object>> rows = jdbc.queryForList("SELECT request_hash, response_status, response_type,"
                + " response_body, created_at FROM idempotent_requests WHERE id = ?", id);
        Map<String, Object> first = rows.isEmpty() ? null : rows.get(0);
        if (first != null && Views.time(first.get("created_at")).isBefore(now.minus(window))) {
            // forgotten: the window is over (the history purge deletes such rows in time)
            jdbc.update("DELETE FROM idempotent_requests WHERE id = ? AND created_at = ?", id, first.get("created_at"));
            first = null;
        }
        byte[] answerKey = sha256("answer\n".getBytes(StandardCharsets.UTF_8), caller, keyBytes);
        if (first == null) {
            try {
                jdbc.update("INSERT INTO idempotent_requests (id, request_hash, created_at) VALUES (?, ?, ?)",
                        id, request, now);
            } catch (DuplicateKeyException sentTwiceAtOnce) {
                throw inProgress(key);
            }
            exchange.setProperty(PENDING, new Pending(id, answerKey));
            return;
        }
        if (!request.equals(first.get("request_hash"))) {
            throw ProblemException.unprocessable("The Idempotency-Key '" + key + "' was used for another request"
                    + " (another path or body); a new request needs a new key.");
        }
        Object status = first.get("response_status");
        if (status == null) {
            OffsetDateTime began = Views.time(first.get("created_at"));
            boolean takenOver = !began.isAfter(now.minus(ABANDONED_AFTER)) && jdbc.update("UPDATE idempotent_requests"
                    + " SET created_at = ? WHERE id = ? AND created_at = ? AND response_status IS NULL", now, id,
                    first.get("created_at")) == 1;
            if (!takenOver) {
                throw inProgress(key);
            }
            exchange.setProperty(PENDING, new Pending(id, answerKey)); // its first request never finished: done now
            return;
        }
        Message answer = exchange.getMessage();
        answer.getHeaders().clear();
        answer.setHeader(Exchange.HTTP_RESPONSE_CODE, ((Number) status).intValue());
        if (first.get("response_type") != null) {
            answer.setHeader(Exchange.CONTENT_TYPE, first.get("response_type"));
        }
        answer.setHeader("Idempotent-Replayed", "true");
        answer.setBody(decrypt(answerKey, (String) first.get("response_body")));
        exchange.setProperty(REPLAYED, true);
    }

    private static ProblemException inProgress(String key) {
        return ProblemException.conflict("A request with the Idempotency-Key '" + key + "' is still being answered;"
                + " send it again once it has been.");
    }

    /**
     * Once the route has answered, before the answer is sent: a 2xx answer is kept for the repeats; after any other,
     * which changed nothing, the key is let go. A failure to keep it is logged, and the answer goes out all the same.
     */
    public void finish(Exchange exchange) {
        Pending pending = exchange.getProperty(PENDING, Pending.class);
        Message answer = exchange.getMessage();
        int status = answer.getHeader(Exchange.HTTP_RESPONSE_CODE, 200, Integer.class);
        try {
            if (exchange.isFailed() || status < 200 || status > 299) {
                jdbc.update("DELETE FROM idempotent_requests WHERE id = ? AND response_status IS NULL", pending.id());
                return;
            }
            byte[] body = answer.getBody(byte[].class);
            answer.setBody(body);
            jdbc.update("UPDATE idempotent_requests SET response_status = ?, response_type = ?, response_body = ?"
                            + " WHERE id = ?", status, answer.getHeader(Exchange.CONTENT_TYPE, String.class),
                    encrypt(pending.key(), body == null ? new byte[0] : body), pending.id());
        } catch (RuntimeException e) {
            LOG.warn("The answer to a request with an Idempotency-Key could not be kept; a repeat within {} is refused"
                    + " (409) until it is taken for abandoned: {}", ABANDONED_AFTER, e.toString());
        }
    }

    /** Step {@code forget-old-idempotency-keys} of the history retention: rows older than the window. */
    public int forgetExpired() {
        return jdbc.update("DELETE FROM idempotent_requests WHERE created_at < ?",
                OffsetDateTime.now(ZoneOffset.UTC).minus(window));
    }

    private static String encrypt(byte[] key, byte[] plain) {
        return Base64.getEncoder().encodeToString(AesGcm.seal(key, plain));
    }

    private static byte[] decrypt(byte[] key, String stored) {
        try {
            return AesGcm.open(key, Base64.getDecoder().decode(stored));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("A kept answer could not be read", e);
        }
    }

    private static byte[] sha256(byte[]... parts) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (byte[] part : parts) {
                digest.update(part);
                digest.update((byte) 0); // a separator, so ("ab", "c") and ("a", "bc") differ
            }
            return digest.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
