package io.hookpost;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.UUID;

/**
 * Prefixed, time-ordered identifiers such as {@code msg_0ujsszwN8NRY24YaXiTIE2VWDTS}: 48 bits of
 * milliseconds then 80 random bits, in fixed-width base62, so ids sort by creation time (cursor paging)
 * and cannot be guessed. Written by hand because no library on the classpath makes KSUID-style ids.
 */
public final class Ids {
    /**
     * A generator per thread. The JDK's default (NativePRNG) serves every thread under one lock, and the delivery
     * threads queued on it: 62 s of waits within 40 s of the benchmark's S2 (issue 7). DRBG instances are independent
     * of each other, each seeded from the system's entropy by the JDK.
     */
    private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(() -> {
        try {
            return SecureRandom.getInstance("DRBG");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("No DRBG SecureRandom in this JDK", e);
        }
    });
    private static final char[] ALPHABET =
            "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    private static final int WIDTH = 22; // 62^22 > 2^128

    private Ids() {
    }

    public static String next(String prefix) {
        byte[] random = new byte[10];
        RANDOM.get().nextBytes(random);
        return prefix + "_" + encode(System.currentTimeMillis(), random);
    }

    /**
     * The 22 base62 digits of the 128-bit number {@code millis} (48 bits) then {@code random} (80 bits). Divided by
     * 62 in two longs rather than with BigInteger, which took about two fifths of the time of making an id.
     */
    static String encode(long millis, byte[] random) {
        long hi = (millis & 0xFFFF_FFFF_FFFFL) << 16 | (random[0] & 0xFFL) << 8 | (random[1] & 0xFFL);
        long lo = 0;
        for (int i = 2; i < 10; i++) {
            lo = lo << 8 | (random[i] & 0xFFL);
        }
        char[] out = new char[WIDTH];
        for (int i = WIDTH - 1; i >= 0; i--) {
            // (hi, lo) / 62: the high word, then the low word 32 bits at a time with the remainder carried down
            long remainder = Long.remainderUnsigned(hi, 62);
            hi = Long.divideUnsigned(hi, 62);
            long upper = remainder << 32 | lo >>> 32;
            long lower = (upper % 62) << 32 | (lo & 0xFFFF_FFFFL);
            lo = (upper / 62) << 32 | lower / 62;
            out[i] = ALPHABET[(int) (lower % 62)];
        }
        return new String(out);
    }

    /**
     * A version 7 UUID (RFC 9562): 48 bits of milliseconds, then 74 random bits. Still a UUID for receivers (the
     * {@code X-Webhook-Delivery} header of an attempt), but made later means sorted later, so a new attempt's key lands
     * at the end of the attempts table's index instead of on a random page of it, which the database would rewrite
     * on every commit. Written by hand because Java 17 makes only random (v4) and name-based (v3) UUIDs.
     */
    public static UUID uuidV7() {
        byte[] random = randomBytes(10);
        long high = (System.currentTimeMillis() & 0xFFFF_FFFF_FFFFL) << 16
                | 0x7000L                                              // version 7
                | ((random[0] & 0x0FL) << 8 | (random[1] & 0xFFL));   // rand_a: 12 bits
        long low = 0;
        for (int i = 2; i < 10; i++) {
            low = low << 8 | (random[i] & 0xFFL);
        }
        low = 0x8000_0000_0000_0000L | (low & 0x3FFF_FFFF_FFFF_FFFFL); // variant 10, then rand_b: 62 bits
        return new UUID(high, low);
    }

    /** Random bytes for secrets and keys. */
    public static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.get().nextBytes(b);
        return b;
    }

    /** Hex SHA-256, for ids derived from what happened (so a repeat is the same id) and dedupe keys. */
    public static String sha256Hex(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
