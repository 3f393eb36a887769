package io.github.fraudflink.features;

import java.time.Instant;
import java.time.OffsetDateTime;

/**
 * ISO-8601 timestamps of the JSON contracts, fast on the common shape and exactly the JDK's answer on every input.
 * {@link #format} gives what {@code Instant.ofEpochMilli(ms).toString()} gives; {@link #parseMillis} what
 * {@code OffsetDateTime.parse(text).toInstant().toEpochMilli()} gives (value or exception). Each has a fast path for
 * the shape every producer of ours writes ({@code 2018-04-01T00:00:31Z}, {@code 2018-04-01T00:00:31.123Z}, years
 * 0000–9999) and hands anything else to the JDK. The JDK's formatters were a top frame of the job's profile.
 */
public final class IsoTime {
    private static final long MIN_FAST_MILLIS = -62_167_219_200_000L; // 0000-01-01T00:00:00Z
    private static final long MAX_FAST_MILLIS = 253_402_300_799_999L; // 9999-12-31T23:59:59.999Z

    private IsoTime() {}

    /** {@code Instant.ofEpochMilli(epochMillis).toString()}. */
    public static String format(long epochMillis) {
        if (epochMillis < MIN_FAST_MILLIS || epochMillis > MAX_FAST_MILLIS) {
            return Instant.ofEpochMilli(epochMillis).toString();
        }
        long seconds = Math.floorDiv(epochMillis, 1000);
        int millis = (int) Math.floorMod(epochMillis, 1000);
        long day = Math.floorDiv(seconds, 86_400);
        int secondOfDay = (int) Math.floorMod(seconds, 86_400);
        java.time.LocalDate date = java.time.LocalDate.ofEpochDay(day);
        char[] c = new char[millis == 0 ? 20 : 24];
        digits(c, 0, date.getYear(), 4);
        c[4] = '-';
        digits(c, 5, date.getMonthValue(), 2);
        c[7] = '-';
        digits(c, 8, date.getDayOfMonth(), 2);
        c[10] = 'T';
        digits(c, 11, secondOfDay / 3600, 2);
        c[13] = ':';
        digits(c, 14, secondOfDay / 60 % 60, 2);
        c[16] = ':';
        digits(c, 17, secondOfDay % 60, 2);
        if (millis != 0) {
            c[19] = '.';
            digits(c, 20, millis, 3);
        }
        c[c.length - 1] = 'Z';
        return new String(c);
    }

    /**
     * {@code OffsetDateTime.parse(text).toInstant().toEpochMilli()}: the same value, or the same exception
     * ({@link java.time.format.DateTimeParseException}, {@link ArithmeticException}).
     */
    public static long parseMillis(String text) {
        long fast = fastParse(text);
        return fast != Long.MIN_VALUE ? fast : OffsetDateTime.parse(text).toInstant().toEpochMilli();
    }

    /** The value of {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z} when {@code s} is exactly that and valid, else MIN_VALUE. */
    private static long fastParse(String s) {
        int n = s.length();
        if (n < 20 || n > 30 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T' || s.charAt(13) != ':'
                || s.charAt(16) != ':' || s.charAt(n - 1) != 'Z') {
            return Long.MIN_VALUE;
        }
        int year = number(s, 0, 4);
        int month = number(s, 5, 2);
        int day = number(s, 8, 2);
        int hour = number(s, 11, 2);
        int minute = number(s, 14, 2);
        int second = number(s, 17, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59
                || second < 0 || second > 59 || day > java.time.YearMonth.of(year, month).lengthOfMonth()) {
            return Long.MIN_VALUE;
        }
        int nanos = 0;
        if (n > 20) {
            int digits = n - 21; // between the point and the Z
            if (s.charAt(19) != '.' || digits < 1 || digits > 9) {
                return Long.MIN_VALUE;
            }
            int fraction = number(s, 20, digits);
            if (fraction < 0) {
                return Long.MIN_VALUE;
            }
            nanos = fraction;
            for (int i = digits; i < 9; i++) {
                nanos *= 10;
            }
        }
        long epochDay = java.time.LocalDate.of(year, month, day).toEpochDay();
        long seconds = epochDay * 86_400 + hour * 3600L + minute * 60L + second;
        return seconds * 1000 + nanos / 1_000_000; // Instant.toEpochMilli: nanos are within the second, never negative
    }

    /** The decimal number of {@code count} ASCII digits at {@code from}, or -1 if one is not a digit. */
    private static int number(String s, int from, int count) {
        int v = 0;
        for (int i = from; i < from + count; i++) {
            char ch = s.charAt(i);
            if (ch < '0' || ch > '9') {
                return -1;
            }
            v = v * 10 + (ch - '0');
        }
        return v;
    }

    private static void digits(char[] c, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            c[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }
}
