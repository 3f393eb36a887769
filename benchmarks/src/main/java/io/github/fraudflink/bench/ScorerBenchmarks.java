package io.github.fraudflink.bench;

import io.github.fraudflink.model.JavaXgboostScorer;
import io.github.fraudflink.model.ModelManifest;
import io.github.fraudflink.model.Scorer;
import io.github.fraudflink.model.XgboostScorer;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The shipped XGBoost model scored by xgboost4j (a native call) and by the pure-Java {@link JavaXgboostScorer}, one
 * row per call and 64 rows per call, in ns per operation. The rows are the manifest's golden sample (real feature
 * vectors, so the trees are walked along realistic paths), repeated to 64; the one-row benchmark cycles through them.
 * Run by hand (BENCHMARKS.md), never by the tests.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class ScorerBenchmarks {

    @Param({"xgboost4j", "java"})
    String scorer;

    Scorer s;
    double[][] rows;
    double[] out;
    int next;

    @Setup
    public void setUp() throws IOException {
        ShippedModel shipped = ShippedModel.load();
        ModelManifest manifest = shipped.manifest();
        byte[] model = shipped.model();
        int features = manifest.featureNames().size();
        s = switch (scorer) {
            case "xgboost4j" -> XgboostScorer.load(model, manifest.format(), features);
            case "java" -> JavaXgboostScorer.load(model, features);
            default -> throw new IllegalArgumentException(scorer);
        };
        rows = shipped.goldenRows(64);
        out = new double[rows.length];
    }

    @TearDown
    public void tearDown() {
        s.close();
    }

    @Benchmark
    public double scoreOneRow() {
        return s.score(rows[next++ & 63]);
    }

    /** 64 rows in one call: divide by 64 for the cost per row. */
    @Benchmark
    public double[] scoreBatchOf64() {
        s.scoreBatch(rows, rows.length, out);
        return out;
    }
}
