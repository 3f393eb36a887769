package io.github.fraudflink.cli.bench;

import io.github.fraudflink.cli.demo.DemoSummary;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Operator metrics of a running job read once a period, as a dashboard sees them: each read is one window of a
 * histogram (the last events of each subtask, the worst subtask). One read at the end of a run catches whatever that
 * window held (a checkpoint's stall, or a quiet moment); keeping every read gives the typical window (the median of the
 * reads) and the worst one. The reads are only written by the reading thread and only read after {@link #close}.
 */
final class OperatorSamples implements AutoCloseable {
    private final RestMetrics metrics;
    private final List<String> names;
    private final Map<String, List<Double>> reads = new HashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bench-operator-samples");
        t.setDaemon(true);
        return t;
    });

    /** Reads each of {@code names} ("max" over subtasks) every {@code period}, the first after {@code delay}. */
    OperatorSamples(RestMetrics metrics, List<String> names, Duration delay, Duration period) {
        this.metrics = metrics;
        this.names = names;
        for (String n : names) {
            reads.put(n, new ArrayList<>());
        }
        timer.scheduleWithFixedDelay(this::readAll, delay.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void readAll() {
        for (String n : names) {
            try {
                OptionalDouble x = metrics.readNow(n, "max");
                if (x.isPresent() && !Double.isNaN(x.getAsDouble())) {
                    reads.get(n).add(x.getAsDouble());
                }
            } catch (Exception e) { // the REST API busy or the job ending: this read is lost, the next one counts
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** The reads of {@code name}, in order; after {@link #close}. */
    List<Double> reads(String name) {
        if (!timer.isTerminated()) {
            throw new IllegalStateException("the reads are only complete once reading stopped (close)");
        }
        return List.copyOf(reads.get(name));
    }

    /** The median of the reads of {@code name} (rounded), or NaN without any. */
    double median(String name) {
        return quantile(name, 0.5);
    }

    /** The largest read of {@code name} (rounded), or NaN without any. */
    double worst(String name) {
        return quantile(name, 1);
    }

    private double quantile(String name, double q) {
        long[] sorted = reads(name).stream().mapToLong(Math::round).sorted().toArray();
        return sorted.length == 0 ? Double.NaN : DemoSummary.quantile(sorted, q);
    }

    /** Stops reading; a read under way finishes first (its results are then visible to this thread). */
    @Override
    public void close() throws InterruptedException {
        timer.shutdown();
        if (!timer.awaitTermination(30, TimeUnit.SECONDS)) {
            timer.shutdownNow();
            timer.awaitTermination(30, TimeUnit.SECONDS);
        }
    }
}
