package io.hookpost.outbound;

/**
 * Names of the exchange properties the deliver route carries between its steps. State rides in
 * properties, never in headers, because every header on the message is sent to the receiver.
 */
public final class DeliveryProperties {
    public static final String DELIVERY = "hookpost.delivery";
    public static final String SCHEME = "hookpost.signatureScheme";
    public static final String SIGNATURE_HEADER = "hookpost.signatureHeader";
    public static final String SECRETS = "hookpost.secrets";
    /** The endpoint's {@link OAuthClient}, when its receiver wants an access token; absent otherwise. */
    public static final String OAUTH = "hookpost.oauth";
    public static final String ATTEMPT = "hookpost.attempt";
    /** The delivery id and the lease token this exchange holds on it. */
    public static final String DELIVERY_ID = "hookpost.deliveryId";
    public static final String CLAIM = "hookpost.claim";
    /** When that lease ends (as loaded): in-memory retries must end before, or the retry scheduler claims it too. */
    public static final String CLAIM_UNTIL = "hookpost.claimUntil";
    /** The endpoint of the loaded delivery (for the log lines about it, see DeliveryLogContext). */
    public static final String ENDPOINT_ID = "hookpost.endpointId";
    /**
     * Whether a manual retry was asked for before this attempt (as loaded): the attempt is that retry, and the request
     * is taken (take-retry-request) so that its failure does not add another.
     */
    public static final String RETRY_REQUESTED = "hookpost.retryRequested";
    /** Whether the attempt's answer was a 2xx (set with the attempt's outcome by AttemptCapture). */
    public static final String SUCCEEDED = "hookpost.succeeded";

    private DeliveryProperties() {
    }
}
