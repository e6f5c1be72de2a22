package io.hookpost.outbound;

import java.util.Arrays;
import java.util.Optional;

/** How an endpoint's POSTs are signed; the API names are the contract in PRODUCT.md. */
public enum SignatureScheme {
    /** {@code webhook-signature: v1,<base64 HMAC-SHA256(key, id.timestamp.body)>} (Svix / Standard Webhooks). */
    STANDARD_WEBHOOKS("standard-webhooks", "webhook-signature"),
    /** {@code <header>: sha256=<hex HMAC-SHA256(secret, body)>}. */
    HMAC_SHA256_HEX("hmac-sha256-hex", "X-Webhook-Signature"),
    /** {@code <header>: <base64 HMAC-SHA256(secret, body)>}. */
    HMAC_SHA256_BASE64("hmac-sha256-base64", "X-Webhook-Signature"),
    NONE("none", null);

    private final String apiName;
    private final String defaultHeader;

    SignatureScheme(String apiName, String defaultHeader) {
        this.apiName = apiName;
        this.defaultHeader = defaultHeader;
    }

    public String apiName() {
        return apiName;
    }

    public String defaultHeader() {
        return defaultHeader;
    }

    /** Whether the endpoint may choose the header name (the standard one is fixed by its spec). */
    public boolean headerConfigurable() {
        return this == HMAC_SHA256_HEX || this == HMAC_SHA256_BASE64;
    }

    /**
     * Whether its header carries one signature, compared whole by receivers (as Hyprwatch's, Huntr's and GitHub's docs
     * verify it): only the current secret signs, and a rotation cannot have a grace period.
     */
    public boolean singleSignature() {
        return this == HMAC_SHA256_HEX || this == HMAC_SHA256_BASE64;
    }

    public static Optional<SignatureScheme> fromApiName(String name) {
        return Arrays.stream(values()).filter(s -> s.apiName.equals(name)).findFirst();
    }
}
