package io.hookpost;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;

/**
 * Date-times as Hookpost takes them from clients and providers: ISO-8601 with an offset, in years 1 to 9999, the
 * four-digit years RFC 3339 writes. Java reads years up to 999999999 and with an offset of -18:00 past what an Instant
 * holds, and writes years past 9999 with a sign ({@code +10000-01-01T00:00:00Z}) that it then does not read back
 * itself, nor do the receivers' RFC 3339 parsers: such a time was accepted and then failed where it was next read (an
 * event answered 202 and parked invalid by the fan-out, an API key's expiry answered 500).
 */
public final class IsoTimes {
    public static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    public static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999999Z");

    private IsoTimes() {
    }

    /** The instant {@code value} names, or null when it is no such date-time (or null). */
    public static Instant parse(String value) {
        if (value == null) {
            return null;
        }
        try {
            Instant at = OffsetDateTime.parse(value).toInstant();
            return at.isBefore(EARLIEST) || at.isAfter(LATEST) ? null : at;
        } catch (DateTimeException e) {
            return null;
        }
    }
}
