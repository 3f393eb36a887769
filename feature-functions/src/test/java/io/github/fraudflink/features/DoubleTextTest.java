package io.github.fraudflink.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import java.io.IOException;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** {@link DoubleText} against its oracles, the JDK's {@link Double#toString} and Jackson's fast writer, on generated values. */
class DoubleTextTest {
    private static final JsonFactory FAST = JsonFactory.builder().enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();

    @Test
    void anyDoubleIsWrittenAsTheJdkWritesIt() {
        // every bit pattern: NaN, infinities, subnormals, -0.0, huge and tiny values
        qt().withExamples(100_000).forAll(longs().all()).checkAssert(bits -> same(Double.longBitsToDouble(bits)));
        // whole numbers around the fast path's edges, and halves next to them
        qt().withExamples(100_000).forAll(longs().between(-20_000_000L, 20_000_000L)).checkAssert(n -> {
            same(n);
            same(n + 0.5);
            same(n / 1000.0);
        });
        for (double v : new double[] {0.0, -0.0, 1.0, -1.0, 9_999_999, -9_999_999, 1e7, -1e7, 1e7 - 0.5, Long.MAX_VALUE,
            Long.MIN_VALUE, Double.MAX_VALUE, Double.MIN_VALUE, Double.NaN, Double.POSITIVE_INFINITY}) {
            same(v);
        }
        assertFalse(DoubleText.isSmallWholeNumber(-0.0), "-0.0 keeps its sign through the JDK");
    }

    @Test
    void aSmallWholeNumberIsWhatJacksonsFastWriterWritesToo() throws IOException {
        for (long n = -100_000; n <= 100_000; n++) {
            assertEquals(jackson(n), text(n));
        }
        for (double v : new double[] {9_999_999, -9_999_999, 1_234_567}) {
            assertEquals(jackson(v), text(v));
        }
    }

    private static void same(double v) {
        assertEquals(Double.toString(v), text(v), () -> "bits " + Double.doubleToRawLongBits(v));
    }

    private static String text(double v) {
        return DoubleText.append(new StringBuilder(), v).toString();
    }

    private static String jackson(double v) throws IOException {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = FAST.createGenerator(w)) {
            g.writeNumber(v);
        }
        return w.toString();
    }
}
