package io.github.fraudflink.cli.common;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress on standard error, so standard output stays clean for results and --json: on a terminal a bar redrawn in
 * place; otherwise (redirected to a file, a pipe, a CI log) a plain line at most every {@link #PLAIN_EVERY} and one
 * at the end ({@link PlainProgress}), no carriage returns or escape sequences.
 *
 * <p>Whether standard error is a terminal is read where {@code /proc/self/fd/2} points (Linux): a terminal is
 * {@code /dev/pts/N}, {@code /dev/tty*} or {@code /dev/console}; a file, a pipe ({@code pipe:[N]}), a socket or
 * {@code /dev/null} is not. {@code System.console()} does not tell (on JDK 17 it is about standard input and output:
 * {@code ./fraud demo 2> log} still has one), and JLine's detection depends on which of its providers loads. Without
 * {@code /proc} (macOS) it falls back to {@code System.console() != null}.
 */
public final class Progress {
    /** How often at most a plain line is printed when standard error is not a terminal. */
    static final Duration PLAIN_EVERY = Duration.ofSeconds(5);
    private static final boolean TERMINAL = isTerminal(Path.of("/proc/self/fd/2"), () -> System.console() != null);

    private Progress() {}

    /** A count of {@code max} steps. */
    public static ProgressBar bar(String task, long max) {
        if (!TERMINAL) {
            return plain(task, max, "", 1, System.err, System::nanoTime);
        }
        return new ProgressBarBuilder().setTaskName(task).setInitialMax(max).setStyle(ProgressBarStyle.ASCII)
                .setConsumer(new ConsoleProgressBarConsumer(System.err)).setUpdateIntervalMillis(250)
                .continuousUpdate().build();
    }

    /** {@code max} bytes, shown in MB with the speed. */
    public static ProgressBar bytes(String task, long max) {
        if (!TERMINAL) {
            return plain(task, max, " MB", 1_000_000, System.err, System::nanoTime);
        }
        return new ProgressBarBuilder().setTaskName(task).setInitialMax(max).setStyle(ProgressBarStyle.ASCII)
                .setConsumer(new ConsoleProgressBarConsumer(System.err)).setUpdateIntervalMillis(250)
                .setUnit(" MB", 1_000_000).showSpeed().build();
    }

    /** A bar printing plain lines to {@code out}, rate-limited by {@code nanoClock}. */
    static ProgressBar plain(String task, long max, String unit, long unitSize, PrintStream out, LongSupplier nanoClock) {
        return new ProgressBarBuilder().setTaskName(task).setInitialMax(max).setUpdateIntervalMillis(1000).continuousUpdate()
                .setRenderer(PlainProgress.renderer(unit, unitSize)).setConsumer(new PlainProgress(out, nanoClock, PLAIN_EVERY))
                .build();
    }

    /**
     * Whether the file descriptor link {@code fd} ({@code /proc/self/fd/N}) points at a terminal device; when it
     * cannot be read (no {@code /proc}), what {@code fallback} says.
     */
    static boolean isTerminal(Path fd, BooleanSupplier fallback) {
        String target;
        try {
            target = Files.readSymbolicLink(fd).toString();
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return fallback.getAsBoolean();
        }
        return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
    }
}
