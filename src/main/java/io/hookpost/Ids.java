package io.hookpost;

import java.math.BigInteger;
import java.security.SecureRandom;

/**
 * Prefixed, time-ordered identifiers such as {@code msg_0ujsszwN8NRY24YaXiTIE2VWDTS}: 48 bits of
 * milliseconds then 80 random bits, in fixed-width base62, so ids sort by creation time (cursor paging)
 * and cannot be guessed. Written by hand because no library on the classpath makes KSUID-style ids.
 */
public final class Ids {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET =
            "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    private static final int WIDTH = 22; // 62^22 > 2^128

    private Ids() {
    }

    public static String next(String prefix) {
        byte[] bytes = new byte[16];
        long millis = System.currentTimeMillis();
        for (int i = 0; i < 6; i++) {
            bytes[i] = (byte) (millis >>> (8 * (5 - i)));
        }
        byte[] random = new byte[10];
        RANDOM.nextBytes(random);
        System.arraycopy(random, 0, bytes, 6, 10);
        BigInteger value = new BigInteger(1, bytes);
        char[] out = new char[WIDTH];
        BigInteger base = BigInteger.valueOf(62);
        for (int i = WIDTH - 1; i >= 0; i--) {
            BigInteger[] qr = value.divideAndRemainder(base);
            out[i] = ALPHABET[qr[1].intValue()];
            value = qr[0];
        }
        return prefix + "_" + new String(out);
    }

    /** Random bytes for secrets and keys. */
    public static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
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
