package io.hookpost.inbound;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import io.hookpost.HookpostProperties;
import org.springframework.stereotype.Component;

/**
 * Which verifier checks which provider, with the connection's stored credentials turned into the kind that
 * verifier takes. The verifiers themselves know nothing of connections or storage.
 */
@Component
public class Verifiers {
    private final SendGridSignatureVerifier sendgrid;
    private final SendGridInboundParseVerifier sendgridParse;
    private final TwilioSignatureVerifier twilio = new TwilioSignatureVerifier();
    private final HmacSha256HexVerifier meta = HmacSha256HexVerifier.meta();
    private final MailgunSignatureVerifier mailgun;
    private final BasicAuthVerifier basicAuth = new BasicAuthVerifier();
    private final HmacSha256HexVerifier hookpost = HmacSha256HexVerifier.hookpost();
    private final MetaHandshake handshake = new MetaHandshake();

    public Verifiers(HookpostProperties properties) {
        Duration tolerance = properties.inbound().tolerance();
        this.sendgrid = new SendGridSignatureVerifier(tolerance);
        this.sendgridParse = new SendGridInboundParseVerifier(tolerance);
        this.mailgun = new MailgunSignatureVerifier(tolerance);
    }

    public Verdict verify(Provider provider, InboundRequest request, Map<String, String> credentials, Instant now) {
        return switch (provider) {
            case SENDGRID -> sendgrid.verify(request, new Credentials.VerificationKey(credentials.get("publicKey")), now);
            case SENDGRID_INBOUND_PARSE -> sendgridParse.verify(request, credentials.containsKey("publicKey")
                    ? new Credentials.VerificationKey(credentials.get("publicKey")) : basic(credentials), now);
            case TWILIO -> twilio.verify(request, new Credentials.SharedSecret(credentials.get("authToken")), now);
            case META -> meta.verify(request, new Credentials.SharedSecret(credentials.get("appSecret")), now);
            case MAILGUN -> mailgun.verify(request, new Credentials.SharedSecret(credentials.get("signingKey")), now);
            case POSTMARK -> basicAuth.verify(request, basic(credentials), now);
            case EMAIL_STATUS, INBOUND_EMAIL -> hookpost.verify(request, new Credentials.SharedSecret(credentials.get("secret")), now);
        };
    }

    /** Meta's subscription handshake: the challenge to echo, or why it was refused. */
    public MetaHandshake.Answer metaHandshake(InboundRequest request, Map<String, String> credentials) {
        return handshake.answer(request, credentials.get("verifyToken"));
    }

    private static Credentials.BasicAuth basic(Map<String, String> credentials) {
        return new Credentials.BasicAuth(credentials.get("username"), credentials.get("password"));
    }
}
