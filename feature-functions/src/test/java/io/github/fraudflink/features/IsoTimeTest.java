package io.github.fraudflink.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/** {@link IsoTime} against the JDK, its oracle: generated instants, shapes and corrupted strings. */
class IsoTimeTest {
    private static final long YEAR_0 = -62_167_219_200_000L;
    private static final long YEAR_10000 = 253_402_300_800_000L;
    /** Characters a corruption puts in: what the shape is made of, and what it must reject. */
    private static final String NOISE = "0123456789-:.TtZz+ x\u0660";

    @Test
    void formatsEveryInstantAsTheJdk() {
        qt().withExamples(100_000).forAll(instants()).checkAssert(ms ->
                assertEquals(Instant.ofEpochMilli(ms).toString(), IsoTime.format(ms), () -> "epoch ms " + ms));
        for (long ms : new long[] {0, -1, 1, YEAR_0, YEAR_0 - 1, YEAR_10000 - 1, YEAR_10000, Long.MIN_VALUE, Long.MAX_VALUE}) {
            assertEquals(Instant.ofEpochMilli(ms).toString(), IsoTime.format(ms), () -> "epoch ms " + ms);
        }
    }

    @Test
    void parsesWhatItFormatsAndEveryFractionLikeTheJdk() {
        qt().withExamples(50_000).forAll(instants(), integers().between(0, 999_999_999), integers().between(0, 9))
                .checkAssert((ms, nanos, digits) -> {
                    String base = Instant.ofEpochMilli(ms).toString();
                    same(base);
                    // the same second with 0..9 fraction digits
                    String second = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC)
                            .format(Instant.ofEpochMilli(ms));
                    String fraction = String.format("%09d", nanos).substring(0, digits);
                    same(second + (digits == 0 ? "" : "." + fraction) + "Z");
                    same(second + "." + fraction + "+01:30");
                });
    }

    @Test
    void agreesWithTheJdkOnCorruptedStrings() {
        Gen<String> corrupted = instants().zip(integers().between(0, 29), integers().between(0, NOISE.length() - 1),
                integers().between(0, 2), (ms, at, ch, how) -> {
                    StringBuilder b = new StringBuilder(Instant.ofEpochMilli(ms).toString());
                    int i = Math.min(at, b.length() - (how == 1 ? 0 : 1));
                    switch (how) {
                        case 0 -> b.setCharAt(i, NOISE.charAt(ch));
                        case 1 -> b.insert(i, NOISE.charAt(ch));
                        default -> b.deleteCharAt(i);
                    }
                    return b.toString();
                });
        qt().withExamples(100_000).forAll(corrupted).checkAssert(IsoTimeTest::same);
        for (String s : new String[] {"", "2018-02-29T00:00:00Z", "2016-02-29T00:00:00Z", "2018-04-31T00:00:00Z",
                "2018-04-01T24:00:00Z", "2018-04-01T23:59:60Z", "2018-04-01T00:00:00.Z", "2018-04-01T00:00:00.1234567890Z",
                "2018-04-01t00:00:00z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z", "2018-04-01T00:00Z"}) {
            same(s);
        }
    }

    /** Epoch milliseconds mostly within years 0000-9999 (the fast path), sometimes far beyond. */
    private static Gen<Long> instants() {
        return longs().between(YEAR_0 - 86_400_000L, YEAR_10000 + 86_400_000L)
                .mix(longs().between(-4_000_000_000_000_000L, 4_000_000_000_000_000L), 10);
    }

    /** {@link IsoTime#parseMillis} gives the JDK's value, or fails with the JDK's exception type. */
    private static void same(String s) {
        Object expected;
        try {
            expected = OffsetDateTime.parse(s).toInstant().toEpochMilli();
        } catch (RuntimeException e) {
            expected = e.getClass();
        }
        Object actual;
        try {
            actual = IsoTime.parseMillis(s);
        } catch (RuntimeException e) {
            actual = e.getClass();
        }
        assertEquals(expected, actual, () -> "\"" + s + "\"");
    }
}
