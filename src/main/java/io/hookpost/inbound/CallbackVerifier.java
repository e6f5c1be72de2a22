package io.hookpost.inbound;

import java.time.Instant;

/**
 * Checks that one inbound provider callback is authentic (and, where the provider dates it, fresh), on the raw
 * bytes, before anything parses the body.
 *
 * <p>Anything wrong with the request is a refusal, never an exception. An {@link IllegalArgumentException}
 * means the connection is misconfigured (a credential of the wrong kind, or a SendGrid key that is not a P-256
 * public key): a fault on our side, which should answer 5xx so the provider retries rather than drops it.
 */
public interface CallbackVerifier {

    /**
     * @param request     the callback as received
     * @param credentials the provider connection's credential; each verifier names the kinds it takes
     * @param now         the time to judge timestamps against
     */
    Verdict verify(InboundRequest request, Credentials credentials, Instant now);
}
