package io.hookpost.inbound;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

import io.hookpost.outbound.WebhookSigner;

/**
 * {@code <header>: sha256=<hex HMAC-SHA256(secret, raw body)>}, the key being the secret's UTF-8 bytes
 * ({@link Credentials.SharedSecret}): Meta / WhatsApp's {@code X-Hub-Signature-256} with the app secret, and
 * Hookpost's own email-delivery-status and inbound-email endpoints' {@code X-Webhook-Signature} with the
 * connection's secret. It is the scheme Hookpost itself signs with ({@code hmac-sha256-hex}), so the expected
 * value comes from {@link WebhookSigner#hex}. Several comma-separated signatures are accepted when any one
 * matches, as a sender may send during a secret rotation (Hookpost itself sends one).
 *
 * <p>The scheme signs the body alone. A {@code X-Webhook-Timestamp} header is deliberately not checked: it is not
 * covered by the signature, so a replayer would simply drop or rewrite it, and honest retries sent late would be
 * refused for nothing. Replays of these callbacks are harmless because the caller records statuses idempotently
 * and only moves them forward.
 */
public class HmacSha256HexVerifier implements CallbackVerifier {
    public static final String META_HEADER = "X-Hub-Signature-256";
    public static final String HOOKPOST_HEADER = "X-Webhook-Signature";

    private final String header;

    public HmacSha256HexVerifier(String header) {
        if (header == null || header.isBlank()) {
            throw new IllegalArgumentException("the signature header name is empty");
        }
        this.header = header;
    }

    /** Meta / WhatsApp POSTs: {@code X-Hub-Signature-256}, keyed with the app secret. */
    public static HmacSha256HexVerifier meta() {
        return new HmacSha256HexVerifier(META_HEADER);
    }

    /** Hookpost's own email-delivery-status and inbound-email endpoints: {@code X-Webhook-Signature}. */
    public static HmacSha256HexVerifier hookpost() {
        return new HmacSha256HexVerifier(HOOKPOST_HEADER);
    }

    @Override
    public Verdict verify(InboundRequest request, Credentials credentials, Instant now) {
        if (!(credentials instanceof Credentials.SharedSecret secret)) {
            throw new IllegalArgumentException("HMAC signatures need a SharedSecret credential");
        }
        Optional<String> value = request.header(header);
        if (value.isEmpty() || value.get().isBlank()) {
            return Verdict.refused("missing " + header + " header");
        }
        byte[] expected = WebhookSigner.hex(secret.secret(), request.body()).getBytes(StandardCharsets.US_ASCII);
        boolean match = false;
        for (String candidate : value.get().split(",")) {
            // compared as text, lower-cased (hex of either case, "SHA256=" too): a wrong length is just a mismatch
            byte[] given = candidate.trim().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8);
            match |= MessageDigest.isEqual(expected, given);
        }
        return match ? Verdict.ok() : Verdict.refused("signature does not match");
    }
}
