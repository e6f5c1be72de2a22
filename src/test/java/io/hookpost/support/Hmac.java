package io.hookpost.support;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** A provider's side of a signed callback, computed with the JDK alone (not with Hookpost's own code). */
public final class Hmac {
    private Hmac() {
    }

    /** The HMAC of the parts, in order, under the key's UTF-8 bytes, as lowercase hex. */
    public static String hex(String algorithm, String key, byte[]... parts) throws Exception {
        return HexFormat.of().formatHex(of(algorithm, key, parts));
    }

    public static byte[] of(String algorithm, String key, byte[]... parts) throws Exception {
        Mac mac = Mac.getInstance(algorithm);
        mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), algorithm));
        for (byte[] part : parts) {
            mac.update(part);
        }
        return mac.doFinal();
    }
}
