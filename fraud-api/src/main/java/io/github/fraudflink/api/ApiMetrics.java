package io.github.fraudflink.api;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import io.prometheus.client.Gauge;
import io.prometheus.client.Histogram;
import io.prometheus.client.exporter.common.TextFormat;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * The API's own metrics for Prometheus at {@code GET /metrics} (the job's are the Flink reporter's): requests by route
 * and status, their duration, how POST /v1/transactions ended (decided, pending after the timeout, refused) and the
 * requests waiting for a decision. A registry of its own, so several servers in one JVM (tests) do not collide.
 */
public final class ApiMetrics {
    private final CollectorRegistry registry = new CollectorRegistry();
    final Counter requests = Counter.build("fraud_api_requests_total", "HTTP requests by route and status")
            .labelNames("route", "status").register(registry);
    final Histogram duration = Histogram.build("fraud_api_request_seconds", "HTTP request duration by route")
            .labelNames("route").buckets(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10).register(registry);
    final Counter decisions = Counter.build("fraud_api_decisions_total",
            "POST /v1/transactions by outcome: decided (the job's decision returned), pending (202 after the timeout)")
            .labelNames("outcome").register(registry);
    final Counter labels = Counter.build("fraud_api_labels_total", "Labels published, by source").labelNames("source")
            .register(registry);

    public ApiMetrics(DecisionFeed feed) {
        Gauge.build("fraud_api_decisions_pending", "Requests waiting for a decision now").register(registry)
                .setChild(new Gauge.Child() {
                    @Override
                    public double get() {
                        return feed.pending();
                    }
                });
    }

    /** The exposition text. */
    public String scrape() {
        StringWriter w = new StringWriter();
        try {
            TextFormat.write004(w, registry.metricFamilySamples());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }
}
