package io.hookpost.outbound;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.springframework.boot.convert.DurationStyle;

/**
 * The delays between attempts, e.g. {@code 1s,5s,30s,5m,30m,2h}: after the n-th failed attempt the next one
 * waits the n-th delay; when the list runs out the delivery has failed. Written as "0s,1m" etc. (Spring's
 * simple duration style), stored as that text.
 */
public record RetrySchedule(List<Duration> delays) {
    public static final Duration MAX_DELAY = Duration.ofDays(7);

    public static RetrySchedule parse(List<String> delays) {
        List<Duration> out = new ArrayList<>(delays.size());
        for (String delay : delays) {
            Duration d = DurationStyle.SIMPLE.parse(delay.trim());
            if (d.isNegative() || d.compareTo(MAX_DELAY) > 0) {
                throw new IllegalArgumentException("delay out of range: " + delay);
            }
            out.add(d);
        }
        return new RetrySchedule(List.copyOf(out));
    }

    public static RetrySchedule parse(String csv) {
        return parse(List.of(csv.split(",")));
    }

    /** The wait after the given failed attempt (1 = the first attempt), or empty when the schedule is used up. */
    public Optional<Duration> delayAfter(int failedAttempt) {
        int index = failedAttempt - 1;
        return index >= 0 && index < delays.size() ? Optional.of(delays.get(index)) : Optional.empty();
    }
}
