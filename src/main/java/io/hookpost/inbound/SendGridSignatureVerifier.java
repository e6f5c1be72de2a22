package io.hookpost.inbound;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * SendGrid's signed Event Webhook (and signed Inbound Parse): {@code X-Twilio-Email-Event-Webhook-Signature} is a
 * base64 DER ECDSA P-256 / SHA-256 signature over the {@code X-Twilio-Email-Event-Webhook-Timestamp} value
 * followed by the raw body. Takes a {@link Credentials.VerificationKey}. Uses the JDK's own EC support.
 */
public class SendGridSignatureVerifier implements CallbackVerifier {
    public static final String SIGNATURE_HEADER = "X-Twilio-Email-Event-Webhook-Signature";
    public static final String TIMESTAMP_HEADER = "X-Twilio-Email-Event-Webhook-Timestamp";

    private final Duration tolerance;

    public SendGridSignatureVerifier() {
        this(Timestamps.DEFAULT_TOLERANCE);
    }

    /** @param tolerance how far the signed timestamp may be from now, either way */
    public SendGridSignatureVerifier(Duration tolerance) {
        this.tolerance = Timestamps.requireTolerance(tolerance);
    }

    @Override
    public Verdict verify(InboundRequest request, Credentials credentials, Instant now) {
        if (!(credentials instanceof Credentials.VerificationKey key)) {
            throw new IllegalArgumentException("SendGrid signatures need a VerificationKey credential");
        }
        // checked when the connection is saved; one saved before that check could hold anything, and a key that can
        // verify nothing refuses every callback (401) rather than failing as a bug (500)
        Optional<PublicKey> parsed = parseKey(key.base64());
        if (parsed.isEmpty()) {
            return Verdict.refused("the connection's verification key is not an EC P-256 public key");
        }
        PublicKey publicKey = parsed.get();

        Optional<String> signatureHeader = request.header(SIGNATURE_HEADER);
        if (signatureHeader.isEmpty()) {
            return Verdict.refused("missing " + SIGNATURE_HEADER + " header");
        }
        Optional<String> timestamp = request.header(TIMESTAMP_HEADER);
        if (timestamp.isEmpty()) {
            return Verdict.refused("missing " + TIMESTAMP_HEADER + " header");
        }
        Verdict fresh = Timestamps.check(timestamp.get(), now, tolerance);
        if (!fresh.verified()) {
            return fresh;
        }
        byte[] signature = Crypto.base64(signatureHeader.get());
        if (signature == null) {
            return Verdict.refused("malformed signature");
        }
        try {
            Signature ecdsa = Signature.getInstance("SHA256withECDSA");
            ecdsa.initVerify(publicKey);
            // the timestamp is digits only (checked above), so its bytes are the same in any charset
            ecdsa.update(timestamp.get().getBytes(StandardCharsets.US_ASCII));
            ecdsa.update(request.body());
            return ecdsa.verify(signature) ? Verdict.ok() : Verdict.refused("signature does not match");
        } catch (GeneralSecurityException e) {
            // the JDK throws SignatureException for a signature that is not valid DER
            return Verdict.refused("malformed signature");
        }
    }

    /** Whether a key as pasted from SendGrid's settings is usable here; for checking it when it is saved. */
    public static boolean isValidKey(String base64) {
        return base64 != null && parseKey(base64).isPresent();
    }

    private static Optional<PublicKey> parseKey(String base64) {
        try {
            PublicKey key = KeyFactory.getInstance("EC")
                    .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64.trim())));
            // the JDK knows only named curves, and P-256 is its one curve over a 256-bit field
            boolean p256 = key instanceof ECPublicKey ec && ec.getParams().getCurve().getField().getFieldSize() == 256;
            return p256 ? Optional.of(key) : Optional.empty();
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
