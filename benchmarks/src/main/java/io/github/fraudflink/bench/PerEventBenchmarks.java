package io.github.fraudflink.bench;

import io.github.fraudflink.features.AccountFeatures;
import io.github.fraudflink.features.AccountHistory;
import io.github.fraudflink.features.FeatureResult;
import io.github.fraudflink.features.Transaction;
import io.github.fraudflink.features.TransactionJson;
import io.github.fraudflink.features.TransactionParser;
import io.github.fraudflink.job.kafka.ScoredTransactionJson;
import io.github.fraudflink.job.records.ScoredTransaction;
import io.github.fraudflink.model.ModelManifest;
import io.github.fraudflink.model.XgboostScorer;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
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
 * The per-event work of the job, one piece at a time, in ns per operation ({@code -prof gc} adds bytes allocated per
 * operation): parsing a transaction, the account features at 10 and 300 transactions of history, the shipped model
 * per row and per batch of 64, the scored JSON, and the account history's round trip through Flink's own POJO
 * serializer (what a RocksDB read and write cost beyond the store itself). Run by hand (BENCHMARKS.md), never by the
 * tests.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PerEventBenchmarks {

    /** A realistic transaction message and the parser the job uses. */
    @State(Scope.Benchmark)
    public static class Message {
        final TransactionParser parser = new TransactionParser();
        byte[] json;
        /** The same with a non-ASCII merchant: the parser's full path (strict UTF-8 decoding, JSON tree). */
        byte[] nonAscii;
        long ingest;

        @Setup
        public void setUp() {
            Transaction t = new Transaction("tx-000123456", "acct-004711", 1_530_000_000_000L, 57.16);
            t.currency = "EUR";
            t.terminalId = "T3156";
            json = TransactionJson.write(t, Map.of());
            t.merchantId = "Caf\u00e9";
            nonAscii = TransactionJson.write(t, Map.of());
            ingest = t.eventTime + 1_000;
        }
    }

    @Benchmark
    public Transaction parseTransaction(Message m) throws Exception {
        return m.parser.parse(m.json, m.ingest);
    }

    @Benchmark
    public Transaction parseTransactionNonAscii(Message m) throws Exception {
        return m.parser.parse(m.nonAscii, m.ingest);
    }

    /** An account with about {@code history} transactions in its 31 days, in steady state. */
    @State(Scope.Thread)
    public static class Account {
        @Param({"10", "300"})
        int history;
        final AccountFeatures features = new AccountFeatures();
        AccountHistory h;
        long clock;
        long step;
        long n;

        @Setup(Level.Trial)
        public void setUp() {
            h = new AccountHistory();
            step = features.retention().toMillis() / history; // the retention then holds about `history` entries
            clock = 1_530_000_000_000L;
            for (int i = 0; i < history * 2; i++) {
                next();
            }
        }

        FeatureResult next() {
            clock += step;
            return features.apply(h, "tx-" + (n++), clock, 10 + (n % 97));
        }
    }

    @Benchmark
    public FeatureResult accountFeatures(Account a) {
        return a.next();
    }

    /** The shipped model, and feature rows to score. */
    @State(Scope.Benchmark)
    public static class Model {
        XgboostScorer scorer;
        double[][] rows;
        double[] out;

        @Setup
        public void setUp() throws IOException {
            ModelManifest manifest;
            byte[] model;
            try (InputStream m = resource("models/default/manifest.json"); InputStream b = resource("models/default/model.json")) {
                manifest = ModelManifest.read(m.readAllBytes());
                model = b.readAllBytes();
            }
            scorer = XgboostScorer.load(model, manifest.format(), manifest.featureNames().size());
            SplittableRandom r = new SplittableRandom(1);
            rows = new double[64][manifest.featureNames().size()];
            for (double[] row : rows) {
                for (int j = 0; j < row.length; j++) {
                    row[j] = r.nextDouble() * 100;
                }
            }
            out = new double[rows.length];
        }

        @TearDown
        public void tearDown() {
            scorer.close();
        }

        private static InputStream resource(String name) {
            InputStream in = PerEventBenchmarks.class.getClassLoader().getResourceAsStream(name);
            if (in == null) {
                throw new IllegalStateException("no resource " + name + " (it ships in the fraud-job jar)");
            }
            return in;
        }
    }

    @Benchmark
    public double scoreOneRow(Model m) {
        return m.scorer.score(m.rows[0]);
    }

    /** A batch of 64 rows in one native call: divide by 64 for the cost per row. */
    @Benchmark
    public double[] scoreBatchOf64(Model m) {
        m.scorer.scoreBatch(m.rows, m.rows.length, m.out);
        return m.out;
    }

    /** A scored event as the job writes it to Kafka. */
    @State(Scope.Benchmark)
    public static class Scored {
        ScoredTransaction s;

        @Setup
        public void setUp() {
            s = new ScoredTransaction();
            s.transactionId = "tx-000123456";
            s.accountId = "acct-004711";
            s.amount = 57.16;
            s.currency = "EUR";
            s.terminalId = "T3156";
            s.eventTime = 1_530_000_000_000L;
            s.ingestTime = s.eventTime + 1_000;
            s.scoredTime = s.ingestTime + 5;
            // a real row: the shipped model's first golden-sample row, its features by name
            io.github.fraudflink.model.ModelManifest m = shippedManifest();
            s.features = m.goldenSample().get(0).features();
            s.featureNames = m.featureNames().toArray(new String[0]);
            s.featureSchema = m.featureSchemaId();
            s.score = 0.0123;
            s.decision = ScoredTransaction.APPROVE;
            s.threshold = 0.875;
            s.model = "demo-xgb";
            s.modelVersion = "sim-2018-05-15-terminal-v3";
        }
    }

    static io.github.fraudflink.model.ModelManifest shippedManifest() {
        try (java.io.InputStream in = PerEventBenchmarks.class.getClassLoader().getResourceAsStream("models/default/manifest.json")) {
            return io.github.fraudflink.model.ModelManifest.read(in.readAllBytes());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Benchmark
    public byte[] writeScoredJson(Scored s) {
        return ScoredTransactionJson.write(s.s);
    }

    /**
     * An account history of {@code history} entries through a state serializer, as the state backend does: the job's
     * ({@code compact}, {@link io.github.fraudflink.job.features.AccountHistorySerializer}) or Flink's POJO serializer
     * it replaced ({@code pojo}).
     */
    @State(Scope.Thread)
    public static class Serialized {
        @Param({"10", "300"})
        int history;
        @Param({"compact", "pojo"})
        String serializerKind;
        TypeSerializer<AccountHistory> serializer;
        AccountHistory h;
        DataOutputSerializer out;
        DataInputDeserializer in;

        @Setup
        public void setUp() {
            serializer = serializerKind.equals("pojo")
                    ? TypeInformation.of(AccountHistory.class).createSerializer(new SerializerConfigImpl())
                    : io.github.fraudflink.job.features.AccountHistorySerializer.INSTANCE;
            Account a = new Account();
            a.history = history;
            a.setUp();
            h = a.h;
            out = new DataOutputSerializer(64 * 1024);
            in = new DataInputDeserializer();
        }
    }

    @Benchmark
    public AccountHistory historySerializerRoundTrip(Serialized s) throws IOException {
        s.out.clear();
        s.serializer.serialize(s.h, s.out);
        s.in.setBuffer(s.out.getSharedBuffer(), 0, s.out.length());
        return s.serializer.deserialize(s.in);
    }
}
