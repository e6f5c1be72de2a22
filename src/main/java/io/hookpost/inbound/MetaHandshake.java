package io.hookpost.inbound;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;

/**
 * Meta / WhatsApp's subscription handshake: a GET with {@code hub.mode=subscribe}, {@code hub.verify_token} and
 * {@code hub.challenge} in the query. When the mode is right and the token is the one configured for the
 * connection, the answer is a 200 whose body is the challenge, as sent (as {@code text/plain}); otherwise a
 * refusal (Meta expects 403). The POSTs that follow are checked by {@link HmacSha256HexVerifier#meta()}.
 */
public class MetaHandshake {

    /** Either the challenge to echo, or why the handshake was refused. */
    public record Answer(String challenge, String refusal) {
        public boolean accepted() {
            return challenge != null;
        }

        @Override
        public String toString() {
            return accepted() ? "Answer[accepted]" : "Answer[refused: " + refusal + "]";
        }
    }

    /** @param verifyToken the token configured on the connection and in Meta's app dashboard */
    public Answer answer(InboundRequest request, String verifyToken) {
        if (verifyToken == null || verifyToken.isEmpty()) {
            throw new IllegalArgumentException("the Meta verify token is empty");
        }
        Map<String, List<String>> query;
        try {
            query = FormUrlEncoded.parse(request.rawQuery());
        } catch (IllegalArgumentException e) {
            return new Answer(null, "malformed query");
        }
        String mode = FormUrlEncoded.first(query, "hub.mode");
        String token = FormUrlEncoded.first(query, "hub.verify_token");
        String challenge = FormUrlEncoded.first(query, "hub.challenge");
        if (!"subscribe".equals(mode)) {
            return new Answer(null, "hub.mode is not subscribe");
        }
        if (token == null || !MessageDigest.isEqual(verifyToken.getBytes(StandardCharsets.UTF_8),
                token.getBytes(StandardCharsets.UTF_8))) {
            return new Answer(null, "wrong hub.verify_token");
        }
        if (challenge == null || challenge.isEmpty()) {
            return new Answer(null, "missing hub.challenge");
        }
        return new Answer(challenge, null);
    }
}
