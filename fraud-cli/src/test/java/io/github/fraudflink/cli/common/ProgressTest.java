package io.github.fraudflink.cli.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import me.tongfei.progressbar.ProgressBar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Progress where standard error is not a terminal: plain lines, rate-limited by an injected clock (no sleeping), with
 * no carriage return or escape sequence; the line's format; and how a terminal is told from a file or a pipe.
 */
class ProgressTest {
    private static final long SECOND = 1_000_000_000L;

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    private final AtomicLong now = new AtomicLong(1_000 * SECOND);

    private List<String> printed() {
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertThat(text).doesNotContain("\r").doesNotContain("\u001b");
        return text.lines().toList();
    }

    private PlainProgress consumer() {
        return new PlainProgress(out, now::get, Progress.PLAIN_EVERY);
    }

    @Test
    void printsTheFirstLineAtOnceThenAtMostOneEveryFiveSecondsAndTheLastStateAtTheEnd() {
        PlainProgress c = consumer();
        long t0 = now.get();
        for (int tenths = 0; tenths <= 120; tenths++) { // the library renders each tick; 12 s of ticks every 100 ms
            now.set(t0 + tenths * SECOND / 10);
            c.accept("at " + tenths);
        }
        assertThat(printed()).containsExactly("at 0", "at 50", "at 100");
        c.close();
        assertThat(printed()).containsExactly("at 0", "at 50", "at 100", "at 120");
    }

    @Test
    void theEndIsNotPrintedTwice() {
        PlainProgress c = consumer();
        c.accept("start");
        now.addAndGet(6 * SECOND);
        c.accept("done"); // due: printed at once
        c.close();
        assertThat(printed()).containsExactly("start", "done");
    }

    @Test
    void controlCharactersOfAMessageBecomeSpaces() {
        PlainProgress c = consumer();
        c.accept("scored: 5/10\r\u001b[2K; produced\t7");
        c.clear(); // the library's default would write a carriage return and blanks
        c.close();
        assertThat(printed()).containsExactly("scored: 5/10  [2K; produced 7");
    }

    @Test
    void aLineHasTheTaskTheCountOfTheMaximumThePercentTheRateAndTheElapsedTime() {
        assertThat(PlainProgress.line("scored", 0, 12_345, 100_000, Duration.ofSeconds(5), "", 1, " produced 20000"))
                .isEqualTo("scored: 12,345/100,000 (12%), 2,469/s, 0:00:05; produced 20000");
        assertThat(PlainProgress.line("download", 0, 12_345_678, 79_614_123, Duration.ofSeconds(4), " MB", 1_000_000, ""))
                .isEqualTo("download: 12.3/79.6 MB (15%), 3.1 MB/s, 0:00:04");
        assertThat(PlainProgress.line("replay", 0, 7, -1, Duration.ofMinutes(61).plusSeconds(2), "", 1, null))
                .as("no maximum known").isEqualTo("replay: 7, 0/s, 1:01:02");
        assertThat(PlainProgress.line("replay", 0, 0, 10, Duration.ZERO, "", 1, null)).isEqualTo("replay: 0/10 (0%), -/s, 0:00:00");
    }

    @Test
    void aBarOfTheLibraryWithThePlainConsumerEndsOnItsFinalState() {
        // the clock stands still: after the first line, only the end may print
        ProgressBar pb = Progress.plain("scored", 100, "", 1, out, now::get);
        pb.setExtraMessage(" produced 100");
        pb.stepTo(100);
        pb.close();
        List<String> lines = printed();
        assertThat(lines).hasSizeBetween(1, 2); // the first tick may come after close, which then renders the end once
        assertThat(lines.get(lines.size() - 1)).startsWith("scored: 100/100 (100%), ").endsWith("; produced 100");
    }

    @Test
    void aTerminalIsAPseudoTerminalATtyOrTheConsoleNotAFileAPipeOrDevNull(@TempDir Path tmp) throws Exception {
        for (String target : List.of("/dev/pts/3", "/dev/tty1", "/dev/tty", "/dev/console")) {
            assertThat(Progress.isTerminal(Files.createSymbolicLink(tmp.resolve("fd" + target.hashCode()), Path.of(target)),
                    () -> false)).as(target).isTrue();
        }
        for (String target : List.of("/tmp/fraud.log", "pipe:[40221]", "socket:[1234]", "/dev/null")) {
            assertThat(Progress.isTerminal(Files.createSymbolicLink(tmp.resolve("fd" + target.hashCode()), Path.of(target)),
                    () -> true)).as(target).isFalse();
        }
        assertThat(Progress.isTerminal(tmp.resolve("no-proc"), () -> true)).as("no /proc: the fallback").isTrue();
        assertThat(Progress.isTerminal(tmp.resolve("no-proc"), () -> false)).isFalse();
    }
}
