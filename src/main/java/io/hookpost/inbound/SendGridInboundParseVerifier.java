package io.hookpost.inbound;

import java.time.Duration;
import java.time.Instant;

/**
 * SendGrid Inbound Parse (inbound email): signed like the Event Webhook when the connection holds a
 * {@link Credentials.VerificationKey}, or protected by basic auth in the parse URL when it holds a
 * {@link Credentials.BasicAuth}. The signature covers the raw multipart body, so nothing may parse it first.
 */
public class SendGridInboundParseVerifier implements CallbackVerifier {
    private final SendGridSignatureVerifier signature;
    private final BasicAuthVerifier basicAuth = new BasicAuthVerifier();

    public SendGridInboundParseVerifier() {
        this(Timestamps.DEFAULT_TOLERANCE);
    }

    /** @param tolerance how far a signed timestamp may be from now, either way */
    public SendGridInboundParseVerifier(Duration tolerance) {
        this.signature = new SendGridSignatureVerifier(tolerance);
    }

    @Override
    public Verdict verify(InboundRequest request, Credentials credentials, Instant now) {
        if (credentials instanceof Credentials.VerificationKey) {
            return signature.verify(request, credentials, now);
        }
        if (credentials instanceof Credentials.BasicAuth) {
            return basicAuth.verify(request, credentials, now);
        }
        throw new IllegalArgumentException("SendGrid Inbound Parse needs a VerificationKey or BasicAuth credential");
    }
}
