package io.hookpost.outbound;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.springframework.stereotype.Component;

/**
 * Step {@code sign-payload}: computes the endpoint's signature header over the exact bytes that will be
 * sent. Reads the body (byte[]), the {@code webhook-id} / {@code webhook-timestamp} headers set before it,
 * and the endpoint's scheme and secrets from exchange properties.
 */
@Component("webhookSigner")
public class WebhookSigner implements Processor {
    public static final String SECRET_PREFIX = "whsec_";

    @Override
    public void process(Exchange exchange) {
        SignatureScheme scheme = exchange.getProperty(DeliveryProperties.SCHEME, SignatureScheme.class);
        if (scheme == SignatureScheme.NONE) {
            return;
        }
        @SuppressWarnings("unchecked")
        List<String> secrets = exchange.getProperty(DeliveryProperties.SECRETS, List.class);
        if (secrets == null || secrets.isEmpty()) {
            // HuddleX-style: the signature header is sent only when a secret is set
            return;
        }
        byte[] body = exchange.getMessage().getBody(byte[].class);
        String header = exchange.getProperty(DeliveryProperties.SIGNATURE_HEADER, String.class);
        String value = switch (scheme) {
            case STANDARD_WEBHOOKS -> standardWebhooks(secrets,
                    exchange.getMessage().getHeader("webhook-id", String.class),
                    exchange.getMessage().getHeader("webhook-timestamp", Long.class), body);
            // one signature, the current secret's: receivers compare the header whole (an endpoint that changed to
            // this scheme during a standard-webhooks grace period drops its old secret)
            case HMAC_SHA256_HEX -> hex(secrets.get(0), body);
            case HMAC_SHA256_BASE64 -> base64(secrets.get(0), body);
            case NONE -> throw new IllegalStateException();
        };
        exchange.getMessage().setHeader(header, value);
    }

    /**
     * One signature per valid secret, space separated (rotation grace period), as Standard Webhooks verifiers accept:
     * {@code v1,<sig>} (HMAC-SHA256, the key the base64-decoded part after {@code whsec_}) or, for a {@code whsk_}
     * key, {@code v1a,<sig>} (Ed25519), so a rotation from one kind to the other has both in its grace period.
     */
    public static String standardWebhooks(List<String> secrets, String msgId, long timestamp, byte[] body) {
        byte[] prefix = (msgId + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8);
        List<String> parts = new ArrayList<>(secrets.size());
        for (String secret : secrets) {
            if (Ed25519Keys.isPrivateKey(secret)) {
                parts.add("v1a," + Base64.getEncoder().encodeToString(Ed25519Keys.sign(secret, prefix, body)));
                continue;
            }
            Mac mac = mac(standardKey(secret));
            mac.update(prefix);
            parts.add("v1," + Base64.getEncoder().encodeToString(mac.doFinal(body)));
        }
        return String.join(" ", parts);
    }

    /** {@code sha256=<hex>}; the key is the secret string's UTF-8 bytes, exactly as shown to the user. */
    public static String hex(String secret, byte[] body) {
        return "sha256=" + HexFormat.of().formatHex(mac(secret.getBytes(StandardCharsets.UTF_8)).doFinal(body));
    }

    /** Base64 HMAC-SHA256 of the whole body with the secret's UTF-8 bytes as key (Huntr-style). */
    public static String base64(String secret, byte[] body) {
        return Base64.getEncoder().encodeToString(mac(secret.getBytes(StandardCharsets.UTF_8)).doFinal(body));
    }

    static byte[] standardKey(String secret) {
        String encoded = secret.startsWith(SECRET_PREFIX) ? secret.substring(SECRET_PREFIX.length()) : secret;
        return Base64.getDecoder().decode(encoded);
    }

    private static Mac mac(byte[] key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** A new endpoint secret: {@code whsec_} + base64 of 32 random bytes. */
    public static String newSecret() {
        return SECRET_PREFIX + Base64.getEncoder().encodeToString(io.hookpost.Ids.randomBytes(32));
    }

    /** Whether a user-supplied secret has the documented shape: whsec_ + base64 of 24–64 bytes. */
    public static boolean isValidSecret(String secret) {
        if (secret == null || !secret.startsWith(SECRET_PREFIX)) {
            return false;
        }
        try {
            int n = Base64.getDecoder().decode(secret.substring(SECRET_PREFIX.length())).length;
            return n >= 24 && n <= 64;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
