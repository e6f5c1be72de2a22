package io.hookpost.inbound;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Twilio's {@code X-Twilio-Signature}: base64 HMAC-SHA1, keyed with the auth token ({@link Credentials.SharedSecret}),
 * over the full URL followed by the POST form parameters sorted by name, each name then its value. Three shapes,
 * as twilio-java's {@code RequestValidator} accepts them:
 * <ul>
 *   <li>a form body ({@code application/x-www-form-urlencoded}), parsed here from the raw bytes;</li>
 *   <li>any other body (JSON) when the URL carries {@code bodySHA256} = hex SHA-256 of the raw body: the signature
 *       then covers the URL alone, and the URL's hash must match the body;</li>
 *   <li>no body at all (a GET): the URL alone.</li>
 * </ul>
 * A non-form body without {@code bodySHA256} is refused: nothing would vouch for it.
 *
 * <p>Twilio is not consistent about the port in the URL it signs, so, like twilio-java, a signature over the URL
 * with its port or without it is accepted: a URL with no port is also tried with the scheme's standard one, a URL
 * with a port also without it. The port is changed in the text of the URL only, so the rest stays byte for byte
 * as the provider sent it. Twilio dates nothing it signs, so there is no freshness check.
 */
public class TwilioSignatureVerifier implements CallbackVerifier {
    public static final String SIGNATURE_HEADER = "X-Twilio-Signature";
    static final String BODY_HASH_PARAM = "bodySHA256";

    @Override
    public Verdict verify(InboundRequest request, Credentials credentials, Instant now) {
        if (!(credentials instanceof Credentials.SharedSecret authToken)) {
            throw new IllegalArgumentException("Twilio signatures need a SharedSecret credential (the auth token)");
        }
        Optional<String> header = request.header(SIGNATURE_HEADER);
        if (header.isEmpty()) {
            return Verdict.refused("missing " + SIGNATURE_HEADER + " header");
        }
        byte[] signature = Crypto.base64(header.get());
        if (signature == null) {
            return Verdict.refused("malformed signature");
        }

        String signedParams;
        try {
            String bodyHash = FormUrlEncoded.first(FormUrlEncoded.parse(request.rawQuery()), BODY_HASH_PARAM);
            if (bodyHash != null) {
                if (!bodyHashMatches(bodyHash, request.body())) {
                    return Verdict.refused("body does not match bodySHA256");
                }
                signedParams = "";
            } else if (request.hasMediaType("application/x-www-form-urlencoded")) {
                signedParams = sortedParams(FormUrlEncoded.parse(request.body()));
            } else if (request.body().length == 0) {
                signedParams = "";
            } else {
                return Verdict.refused("body is neither a form nor covered by bodySHA256");
            }
        } catch (IllegalArgumentException e) {
            return Verdict.refused("malformed form or query");
        }

        for (String url : urlVariants(request.url())) {
            byte[] expected = Crypto.hmac("HmacSHA1", authToken.secret(),
                    (url + signedParams).getBytes(StandardCharsets.UTF_8));
            if (MessageDigest.isEqual(expected, signature)) {
                return Verdict.ok();
            }
        }
        return Verdict.refused("signature does not match");
    }

    /**
     * Names in Java's string order (twilio-java's; Twilio's docs say case-sensitive), each with its value. A name
     * sent twice gets its distinct values in sorted order, as twilio-python and twilio-node do.
     */
    private static String sortedParams(Map<String, List<String>> params) {
        StringBuilder signed = new StringBuilder();
        new TreeMap<>(params).forEach((name, values) -> values.stream().distinct().sorted()
                .forEach(value -> signed.append(name).append(value)));
        return signed.toString();
    }

    private static boolean bodyHashMatches(String hexHash, byte[] body) {
        try {
            byte[] actual = MessageDigest.getInstance("SHA-256").digest(body);
            // compared as lower-case hex text so any length is a mismatch, never an error
            byte[] expected = HexFormat.of().formatHex(actual).getBytes(StandardCharsets.US_ASCII);
            return MessageDigest.isEqual(expected, hexHash.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    /** The URL as given, plus the same with the port dropped (when it has one) or the standard port added. */
    static List<String> urlVariants(String url) {
        List<String> variants = new ArrayList<>(2);
        variants.add(url);
        int schemeEnd = url.indexOf("://");
        if (schemeEnd < 0) {
            return variants;
        }
        String scheme = url.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
        int authorityStart = schemeEnd + 3;
        int authorityEnd = authorityStart;
        while (authorityEnd < url.length() && "/?#".indexOf(url.charAt(authorityEnd)) < 0) {
            authorityEnd++;
        }
        String authority = url.substring(authorityStart, authorityEnd);
        // the port follows the last ':' after any user info and after an IPv6 literal's ']'
        int hostStart = Math.max(authority.lastIndexOf('@'), authority.lastIndexOf(']')) + 1;
        int colon = authority.indexOf(':', hostStart);
        String hostPart;
        if (colon >= 0) {
            hostPart = authority.substring(0, colon);
        } else {
            String port = switch (scheme) {
                case "https" -> "443";
                case "http" -> "80";
                default -> null;
            };
            if (port == null) {
                return variants;
            }
            hostPart = authority + ":" + port;
        }
        variants.add(url.substring(0, authorityStart) + hostPart + url.substring(authorityEnd));
        return variants;
    }
}
