package io.github.fraudflink.job.metrics;

import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * Where the job's own metrics live in Flink's metric system: the group {@code fraud} of each operator, counters
 * named {@code *_total}, histograms over a sliding window of recent events. With the Prometheus reporter a metric
 * {@code x} of this group is exported as {@code flink_taskmanager_job_task_operator_fraud_x}, a key-value group
 * ({@code addGroup("decision", "decline")}) as a label. The list of names is in docs/operations.md ("Metrics").
 */
public final class JobMetrics {
    /** Events a histogram's quantiles are computed over (per parallel instance). */
    public static final int HISTOGRAM_WINDOW = 4096;

    private JobMetrics() {}

    /** The group {@code fraud} of an operator. */
    public static MetricGroup group(MetricGroup operator) {
        return operator.addGroup("fraud");
    }

    /** A histogram over the last {@link #HISTOGRAM_WINDOW} values (exported as a Prometheus summary). */
    public static Histogram histogram() {
        return new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW);
    }
}
