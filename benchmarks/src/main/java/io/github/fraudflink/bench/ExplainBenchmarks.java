package io.github.fraudflink.bench;

import io.github.fraudflink.model.JavaXgboostScorer;
import io.github.fraudflink.model.TreeShap;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of explaining one decision of the shipped model: exact TreeSHAP ({@link TreeShap}) on the pure-Java
 * evaluator's trees, every feature's contribution, beside scoring the same row. The rows are the manifest's golden
 * sample (real feature vectors), cycled. Run by hand (BENCHMARKS.md), never by the tests.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class ExplainBenchmarks {
    JavaXgboostScorer scorer;
    TreeShap shap;
    double[][] rows;
    double[] phi;
    int next;

    @Setup
    public void setUp() throws IOException {
        ShippedModel shipped = ShippedModel.load();
        scorer = JavaXgboostScorer.load(shipped.model(), shipped.features());
        shap = new TreeShap(scorer);
        rows = shipped.goldenRows(shipped.manifest().goldenSample().size());
        phi = new double[shipped.features()];
    }

    @TearDown
    public void tearDown() {
        scorer.close();
    }

    @Benchmark
    public double scoreOneRow() {
        return scorer.score(rows[next++ % rows.length]);
    }

    @Benchmark
    public double[] explainOneRow() {
        shap.explain(rows[next++ % rows.length], phi);
        return phi;
    }
}
