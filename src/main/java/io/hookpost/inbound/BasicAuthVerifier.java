package io.hookpost.inbound;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * HTTP basic auth, for Postmark (credentials in the webhook URL, sent as {@code Authorization: Basic …}) and
 * unsigned SendGrid Inbound Parse. Takes a {@link Credentials.BasicAuth}. Basic auth covers neither the body nor
 * the time: it proves only that the caller knows the password.
 */
public class BasicAuthVerifier implements CallbackVerifier {

    @Override
    public Verdict verify(InboundRequest request, Credentials credentials, Instant now) {
        if (!(credentials instanceof Credentials.BasicAuth expected)) {
            throw new IllegalArgumentException("basic auth needs a BasicAuth credential");
        }
        Optional<String> header = request.header("Authorization");
        if (header.isEmpty()) {
            return Verdict.refused("missing Authorization header");
        }
        String value = header.get().trim();
        if (!value.toLowerCase(Locale.ROOT).startsWith("basic ")) {
            return Verdict.refused("Authorization is not basic auth");
        }
        byte[] decoded = Crypto.base64(value.substring("basic ".length()));
        int colon = decoded == null ? -1 : indexOf(decoded, (byte) ':');
        if (colon < 0) {
            return Verdict.refused("malformed basic auth");
        }
        // compared as bytes, so no charset guess is needed; both compared before combining, so the time
        // says nothing about which one was wrong
        boolean user = same(expected.username().getBytes(StandardCharsets.UTF_8), Arrays.copyOfRange(decoded, 0, colon));
        boolean password = same(expected.password().getBytes(StandardCharsets.UTF_8),
                Arrays.copyOfRange(decoded, colon + 1, decoded.length));
        return user & password ? Verdict.ok() : Verdict.refused("wrong username or password");
    }

    /** Constant time, lengths included: the SHA-256 digests have a fixed length whatever was sent. */
    private static boolean same(byte[] expected, byte[] given) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            return MessageDigest.isEqual(sha256.digest(expected), sha256.digest(given));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
