package io.hookpost.inbound;

import java.time.Duration;
import java.time.Instant;

/** Freshness of a provider's Unix-seconds timestamp, the guard against replaying an old signed callback. */
final class Timestamps {

    /** The default window either side of now: wide enough for clock skew and queueing, narrow enough for replays. */
    static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);

    private Timestamps() {
    }

    static Duration requireTolerance(Duration tolerance) {
        if (tolerance == null || tolerance.isNegative()) {
            throw new IllegalArgumentException("the timestamp tolerance must be zero or more");
        }
        return tolerance;
    }

    /** Verified when {@code value} is decimal Unix seconds within {@code tolerance} of {@code now}, either way. */
    static Verdict check(String value, Instant now, Duration tolerance) {
        if (value == null || value.isEmpty()) {
            return Verdict.refused("missing timestamp");
        }
        // digits only (no sign, no spaces), and few enough that the arithmetic below cannot overflow
        if (value.length() > 12 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return Verdict.refused("malformed timestamp");
        }
        long age = now.getEpochSecond() - Long.parseLong(value);
        return Math.abs(age) <= tolerance.toSeconds() ? Verdict.ok()
                : Verdict.refused("timestamp outside the allowed window");
    }
}
