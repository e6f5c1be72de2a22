package io.hookpost.inbound;

/**
 * The outcome of checking one callback: verified, or refused with a short reason fit for a log line or a
 * 401 body (fixed wording; never a secret, never a value copied from the request).
 *
 * @param verified  whether the callback is authentic and fresh
 * @param reason    why it was refused; null when verified
 * @param replayKey when verified, a value the provider sends once per callback (Mailgun's token), for the
 *                  caller to record under a unique key and treat a second sighting as a replay; null otherwise
 */
public record Verdict(boolean verified, String reason, String replayKey) {

    private static final Verdict VERIFIED = new Verdict(true, null, null);

    public Verdict {
        if (verified == (reason != null)) {
            throw new IllegalArgumentException("a refusal has a reason, a verified callback none");
        }
        if (!verified && replayKey != null) {
            throw new IllegalArgumentException("only a verified callback has a replay key");
        }
    }

    public static Verdict ok() {
        return VERIFIED;
    }

    public static Verdict ok(String replayKey) {
        return new Verdict(true, null, replayKey);
    }

    public static Verdict refused(String reason) {
        return new Verdict(false, reason, null);
    }
}
