package io.hookpost.inbound;

/**
 * What a provider connection holds to check its callbacks. Each verifier names the kinds it takes.
 * {@code toString()} never shows a secret, so a credential can end up in a log line without harm.
 */
public sealed interface Credentials {

    /** An HMAC key, used as its UTF-8 bytes: Twilio auth token, Meta app secret, Mailgun signing key, Hookpost secret. */
    record SharedSecret(String secret) implements Credentials {
        public SharedSecret {
            requireText(secret, "secret");
        }

        @Override
        public String toString() {
            return "SharedSecret[***]";
        }
    }

    /**
     * SendGrid's verification key as its settings page shows it: base64 of the X.509 SubjectPublicKeyInfo of an
     * EC P-256 key. Not secret, but shown shortened all the same.
     */
    record VerificationKey(String base64) implements Credentials {
        public VerificationKey {
            requireText(base64, "verification key");
        }

        @Override
        public String toString() {
            return "VerificationKey[" + base64.substring(0, Math.min(12, base64.length())) + "…]";
        }
    }

    /** HTTP basic auth the provider sends (Postmark puts it in the webhook URL; SendGrid Inbound Parse likewise). */
    record BasicAuth(String username, String password) implements Credentials {
        public BasicAuth {
            requireText(username, "username");
            requireText(password, "password");
        }

        @Override
        public String toString() {
            return "BasicAuth[***]";
        }
    }

    private static void requireText(String value, String what) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("the " + what + " is empty");
        }
    }
}
