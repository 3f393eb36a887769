package io.github.fraudflink.job.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every metric the job registers is in the metric list of {@code docs/operations.md} (section "Metrics"): the names are
 * found in the job's own sources (each {@code counter("…")}, {@code histogram("…")} and {@code gauge("…")}), so a new
 * metric cannot go undocumented.
 */
class MetricsDocumentedTest {
    private static final Pattern REGISTERED = Pattern.compile("\\.(?:counter|histogram|gauge)\\(\\s*\"([a-z_]+)\"");

    @Test
    void everyRegisteredMetricIsInTheMetricsDocumentation() throws IOException {
        String doc = Files.readString(Path.of("..", "docs", "operations.md"));
        TreeSet<String> names = new TreeSet<>();
        try (Stream<Path> files = Files.walk(Path.of("src", "main", "java"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                Matcher m = REGISTERED.matcher(Files.readString(f));
                while (m.find()) {
                    names.add(m.group(1));
                }
            }
        }
        assertThat(names).as("metric names found in the sources").contains("feature_latency_us", "model_swaps_total");
        List<String> missing = new ArrayList<>();
        for (String n : names) {
            // a name of its own (`events_late_total`), or the last part of a grouped one (`score_role_permille`)
            if (!doc.contains("`" + n + "`") && !doc.contains("_" + n + "`")) {
                missing.add(n);
            }
        }
        assertThat(missing).as("metrics the job registers that docs/operations.md does not list").isEmpty();
    }
}
