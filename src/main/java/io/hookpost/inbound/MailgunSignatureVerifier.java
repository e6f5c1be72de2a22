package io.hookpost.inbound;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Mailgun: {@code signature} = hex HMAC-SHA256(signing key, timestamp + token), with the three values in the body,
 * under {@code "signature"} of the JSON webhook ({@code {"signature": {"timestamp", "token", "signature"},
 * "event-data": {…}}}) or as the legacy form fields {@code timestamp} / {@code token} / {@code signature}
 * ({@code application/x-www-form-urlencoded}). Takes a {@link Credentials.SharedSecret} (the webhook signing key).
 *
 * <p>Mailgun's signature does not cover the event itself, only the timestamp and a token it never sends twice. So
 * the timestamp must be fresh, and a verified callback reports its token as {@link Verdict#replayKey()}: the caller
 * records it under a unique key and treats a token seen before as a replay. Storage is the caller's.
 */
public class MailgunSignatureVerifier implements CallbackVerifier {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Duration tolerance;

    public MailgunSignatureVerifier() {
        this(Timestamps.DEFAULT_TOLERANCE);
    }

    /** @param tolerance how far the signed timestamp may be from now, either way */
    public MailgunSignatureVerifier(Duration tolerance) {
        this.tolerance = Timestamps.requireTolerance(tolerance);
    }

    private record Signed(String timestamp, String token, String signature) {
    }

    @Override
    public Verdict verify(InboundRequest request, Credentials credentials, Instant now) {
        if (!(credentials instanceof Credentials.SharedSecret signingKey)) {
            throw new IllegalArgumentException("Mailgun signatures need a SharedSecret credential (the signing key)");
        }
        Signed signed = request.hasMediaType("application/x-www-form-urlencoded") ? fromForm(request.body())
                : fromJson(request.body());
        if (signed == null) {
            return Verdict.refused("missing or malformed signature fields");
        }
        Verdict fresh = Timestamps.check(signed.timestamp(), now, tolerance);
        if (!fresh.verified()) {
            return fresh;
        }
        byte[] expected = HexFormat.of().formatHex(Crypto.hmac("HmacSHA256", signingKey.secret(),
                (signed.timestamp() + signed.token()).getBytes(StandardCharsets.UTF_8)))
                .getBytes(StandardCharsets.US_ASCII);
        byte[] given = signed.signature().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(expected, given) ? Verdict.ok(signed.token())
                : Verdict.refused("signature does not match");
    }

    private static Signed fromJson(byte[] body) {
        try {
            JsonNode signature = JSON.readTree(body).path("signature");
            return complete(text(signature.path("timestamp")), text(signature.path("token")),
                    text(signature.path("signature")));
        } catch (IOException e) {
            return null;
        }
    }

    private static Signed fromForm(byte[] body) {
        try {
            Map<String, List<String>> form = FormUrlEncoded.parse(body);
            return complete(FormUrlEncoded.first(form, "timestamp"), FormUrlEncoded.first(form, "token"),
                    FormUrlEncoded.first(form, "signature"));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** A string, or an integer written as digits (the timestamp is documented as a string, but be lenient). */
    private static String text(JsonNode node) {
        return node.isTextual() ? node.textValue() : node.isIntegralNumber() ? node.asText() : null;
    }

    private static Signed complete(String timestamp, String token, String signature) {
        boolean present = timestamp != null && token != null && !token.isEmpty() && signature != null;
        return present ? new Signed(timestamp, token, signature) : null;
    }
}
