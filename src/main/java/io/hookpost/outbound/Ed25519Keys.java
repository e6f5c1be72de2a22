package io.hookpost.outbound;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * Standard Webhooks' asymmetric keys ({@code v1a} signatures): {@code whsk_} + base64 of the private key, kept by
 * Hookpost, and {@code whpk_} + base64 of the 32-byte public key, the only part a receiver needs. A private key is
 * stored as libsodium, Go and TweetNaCl serialise one: the 32-byte seed followed by the public key; a bare 32-byte
 * seed is taken too. BouncyCastle's RFC 8032 code signs: the JDK's Ed25519 took 0.5 ms a signature here, about ten
 * times as long, and derives no public key from a private one.
 */
public final class Ed25519Keys {
    public static final String PRIVATE_PREFIX = "whsk_";
    public static final String PUBLIC_PREFIX = "whpk_";
    private static final int SEED = Ed25519.SECRET_KEY_SIZE;
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ed25519Keys() {
    }

    public static boolean isPrivateKey(String secret) {
        return secret != null && secret.startsWith(PRIVATE_PREFIX);
    }

    /** A new key pair, as a {@code whsk_} private key. */
    public static String generate() {
        byte[] seed = new byte[SEED];
        RANDOM.nextBytes(seed);
        return fromSeed(seed);
    }

    /**
     * A given {@code whsk_} key in the stored form (seed and public key).
     *
     * @throws IllegalArgumentException naming what is wrong with it
     */
    public static String normalise(String key) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(key.substring(PRIVATE_PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("its part after whsk_ is not base64");
        }
        if (bytes.length != SEED && bytes.length != 2 * SEED) {
            throw new IllegalArgumentException("it holds " + bytes.length + " bytes, not a 32-byte seed nor a"
                    + " 64-byte seed and public key");
        }
        String stored = fromSeed(Arrays.copyOf(bytes, SEED));
        if (bytes.length == 2 * SEED && !Arrays.equals(bytes, decode(stored))) {
            throw new IllegalArgumentException("its last 32 bytes are not the public key of its seed");
        }
        return stored;
    }

    /** The {@code whpk_} public key of a stored {@code whsk_} key. */
    public static String publicKey(String privateKey) {
        return PUBLIC_PREFIX + Base64.getEncoder().encodeToString(Arrays.copyOfRange(decode(privateKey), SEED, 2 * SEED));
    }

    /** The Ed25519 signature of {@code prefix} followed by {@code body}, with a stored {@code whsk_} key. */
    public static byte[] sign(String privateKey, byte[] prefix, byte[] body) {
        byte[] key = decode(privateKey);
        byte[] message = Arrays.copyOf(prefix, prefix.length + body.length);
        System.arraycopy(body, 0, message, prefix.length, body.length);
        byte[] signature = new byte[Ed25519.SIGNATURE_SIZE];
        // the stored public key, checked against the seed when the key was taken, spares deriving it again
        Ed25519.sign(key, 0, key, SEED, message, 0, message.length, signature, 0);
        return signature;
    }

    private static String fromSeed(byte[] seed) {
        byte[] both = Arrays.copyOf(seed, 2 * SEED);
        Ed25519.generatePublicKey(seed, 0, both, SEED);
        return PRIVATE_PREFIX + Base64.getEncoder().encodeToString(both);
    }

    private static byte[] decode(String privateKey) {
        return Base64.getDecoder().decode(privateKey.substring(PRIVATE_PREFIX.length()));
    }
}
