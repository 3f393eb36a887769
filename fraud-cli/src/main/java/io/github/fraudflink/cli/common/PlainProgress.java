package io.github.fraudflink.cli.common;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarRenderer;

/**
 * Progress for a standard error that is not a terminal (a file, a pipe, a CI log), where a bar redrawn in place with
 * carriage returns would pile up: one plain line at most every {@code every} (by the clock given, {@link System#nanoTime}
 * scale), the first one at once, and the last state once more when the bar closes if it was not the last line printed.
 * A line is {@code task: current/max unit (percent%), rate unit/s, elapsed h:mm:ss; extra message}, with no carriage
 * return, escape sequence or other control character.
 */
final class PlainProgress implements ProgressBarConsumer {
    private final PrintStream out;
    private final LongSupplier nanoClock;
    private final long everyNanos;
    private boolean printedAny;
    private long lastPrinted;
    /** The latest line not printed yet (it came too soon after the last one); null when there is none. */
    private String pending;

    PlainProgress(PrintStream out, LongSupplier nanoClock, Duration every) {
        this.out = out;
        this.nanoClock = nanoClock;
        this.everyNanos = every.toNanos();
    }

    /** The lines of a bar counting {@code unit}s of {@code unitSize} (e.g. " MB", 1,000,000; "", 1 for plain counts). */
    static ProgressBarRenderer renderer(String unit, long unitSize) {
        return (state, width) -> line(state.getTaskName(), state.getStart(), state.getCurrent(),
                state.isIndefinite() ? -1 : state.getMax(), state.getElapsedAfterStart(), unit, unitSize, state.getExtraMessage());
    }

    /**
     * One line: {@code current} of {@code max} (unknown when not positive), the rate since {@code start} over
     * {@code elapsed}, and {@code extra} when it is not blank.
     */
    static String line(String task, long start, long current, long max, Duration elapsed, String unit, long unitSize,
            String extra) {
        StringBuilder b = new StringBuilder(task).append(": ").append(amount(current, unitSize));
        if (max > 0) {
            b.append('/').append(amount(max, unitSize)).append(unit)
                    .append(String.format(Locale.ROOT, " (%d%%)", (long) Math.floor(100.0 * current / max)));
        } else {
            b.append(unit);
        }
        double seconds = elapsed.toNanos() / 1e9;
        b.append(", ");
        if (seconds > 0) {
            double rate = (current - start) / seconds / unitSize;
            b.append(String.format(Locale.ROOT, unitSize == 1 ? "%,.0f" : "%,.1f", rate)).append(unit).append("/s");
        } else {
            b.append('-').append(unit).append("/s");
        }
        long s = elapsed.toSeconds();
        b.append(String.format(Locale.ROOT, ", %d:%02d:%02d", s / 3600, s / 60 % 60, s % 60));
        if (extra != null && !extra.isBlank()) {
            b.append("; ").append(extra.strip());
        }
        return b.toString();
    }

    private static String amount(long n, long unitSize) {
        return unitSize == 1 ? String.format(Locale.ROOT, "%,d", n) : String.format(Locale.ROOT, "%,.1f", n / (double) unitSize);
    }

    @Override
    public synchronized void accept(String line) {
        long now = nanoClock.getAsLong();
        if (!printedAny || now - lastPrinted >= everyNanos) {
            print(line);
            lastPrinted = now;
            printedAny = true;
            pending = null;
        } else {
            pending = line;
        }
    }

    /** The bar's end: its last state, unless that was printed already. */
    @Override
    public synchronized void close() {
        if (pending != null) {
            print(pending);
            pending = null;
        }
        out.flush();
    }

    /** Nothing to erase: lines are never redrawn (the library's default writes a carriage return and blanks). */
    @Override
    public void clear() {
        // nothing
    }

    @Override
    public int getMaxRenderedLength() {
        return Integer.MAX_VALUE; // the renderer here ignores it: a line is as long as it needs
    }

    private void print(String line) {
        StringBuilder b = new StringBuilder(line.length());
        line.codePoints().forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? ' ' : c));
        out.println(b);
        out.flush();
    }
}
