package io.hookpost.outbound;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A receiver's {@code Retry-After}, as seconds or as an HTTP date in each form RFC 9110 says a recipient reads. */
class RetryAfterTest {
    private static final ZonedDateTime IN_A_MINUTE = ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(60).withNano(0);

    private static String format(String pattern) {
        return IN_A_MINUTE.format(DateTimeFormatter.ofPattern(pattern, Locale.US));
    }

    private static void assertAboutAMinute(Long millis) {
        assertThat(millis).isNotNull();
        assertThat(Duration.ofMillis(millis)).isBetween(Duration.ofSeconds(55), Duration.ofSeconds(61));
    }

    @Test
    void seconds_are_read_and_more_than_a_long_holds_is_the_most_there_is() {
        assertThat(AttemptCapture.retryAfterMillis("120")).isEqualTo(120_000L);
        assertThat(AttemptCapture.retryAfterMillis(" 0 ")).isZero();
        // overflowed to a negative number (ignored) or failed to parse (ignored): now capped by the caller
        assertThat(AttemptCapture.retryAfterMillis("9300000000000000")).isEqualTo(Long.MAX_VALUE);
        assertThat(AttemptCapture.retryAfterMillis("99999999999999999999999")).isEqualTo(Long.MAX_VALUE);
        assertThat(AttemptCapture.retryAfterMillis("-5")).isZero();
    }

    @Test
    void each_of_the_three_http_date_forms_is_read() {
        assertAboutAMinute(AttemptCapture.retryAfterMillis(format("EEE, dd MMM yyyy HH:mm:ss 'GMT'")));
        assertAboutAMinute(AttemptCapture.retryAfterMillis(format("EEEE, dd-MMM-yy HH:mm:ss 'GMT'")));
        assertAboutAMinute(AttemptCapture.retryAfterMillis(format("EEE MMM ppd HH:mm:ss yyyy")));
    }

    @Test
    void anything_else_is_no_retry_after() {
        assertThat(AttemptCapture.retryAfterMillis("30.5")).isNull();
        assertThat(AttemptCapture.retryAfterMillis("soon")).isNull();
        assertThat(AttemptCapture.retryAfterMillis("")).isNull();
    }
}
