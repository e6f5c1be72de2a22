/**
 * Verifiers for inbound provider callbacks: each checks one provider's signature or credentials on the raw
 * request, before anything parses the body, and answers a {@link io.hookpost.inbound.Verdict} (a refusal is a
 * 401, a misconfigured connection an exception and so a 5xx). Which to use for which route:
 *
 * <table>
 *   <caption>inbound route → verifier → credential</caption>
 *   <tr><th>route</th><th>verifier</th><th>credential</th></tr>
 *   <tr><td>SendGrid Event Webhook</td><td>{@link io.hookpost.inbound.SendGridSignatureVerifier}</td>
 *       <td>{@code VerificationKey}</td></tr>
 *   <tr><td>SendGrid Inbound Parse</td><td>{@link io.hookpost.inbound.SendGridInboundParseVerifier}</td>
 *       <td>{@code VerificationKey} or {@code BasicAuth}</td></tr>
 *   <tr><td>Twilio status callbacks</td><td>{@link io.hookpost.inbound.TwilioSignatureVerifier}</td>
 *       <td>{@code SharedSecret} (auth token)</td></tr>
 *   <tr><td>Meta / WhatsApp GET handshake</td><td>{@link io.hookpost.inbound.MetaHandshake}</td>
 *       <td>the verify token</td></tr>
 *   <tr><td>Meta / WhatsApp POST</td><td>{@link io.hookpost.inbound.HmacSha256HexVerifier#meta()}</td>
 *       <td>{@code SharedSecret} (app secret)</td></tr>
 *   <tr><td>Mailgun</td><td>{@link io.hookpost.inbound.MailgunSignatureVerifier} (records the
 *       {@code replayKey})</td><td>{@code SharedSecret} (signing key)</td></tr>
 *   <tr><td>Postmark</td><td>{@link io.hookpost.inbound.BasicAuthVerifier}</td><td>{@code BasicAuth}</td></tr>
 *   <tr><td>Hookpost email delivery status and inbound email</td>
 *       <td>{@link io.hookpost.inbound.HmacSha256HexVerifier#hookpost()}</td><td>{@code SharedSecret}</td></tr>
 * </table>
 *
 * <p>The verifiers are stateless and thread-safe: one instance of each serves every connection.
 */
package io.hookpost.inbound;
