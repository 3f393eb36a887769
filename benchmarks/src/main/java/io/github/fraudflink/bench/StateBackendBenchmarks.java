package io.github.fraudflink.bench;

import io.github.fraudflink.features.AccountFeatures;
import io.github.fraudflink.features.AccountHistory;
import io.github.fraudflink.features.Transaction;
import io.github.fraudflink.job.FraudScoringJob;
import io.github.fraudflink.job.features.AccountFeaturesFunction;
import io.github.fraudflink.job.records.FeaturizedTransaction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
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
 * The whole keyed per-event work of the account features operator, in ns per event ({@code -prof gc} adds bytes per
 * event): the real {@link AccountFeaturesFunction} (its state descriptor with its TTL, its metrics) in a
 * {@link KeyedProcessOperator} under Flink's {@link KeyedOneInputStreamOperatorTestHarness}, on RocksDB and on the heap
 * ({@code HashMapStateBackend}), with about 10 and 300 transactions of history per account.
 *
 * <p>{@value #ACCOUNTS} accounts are filled to {@code history} entries in event time; one operation is then one new
 * transaction for the next account in round robin (key context, state read, {@code AccountFeatures.apply}, state
 * write, the output record). Each account's clock advances by its retention / {@code history}, so in steady state
 * one entry enters and one is pruned per event, as in {@code PerEventBenchmarks.accountFeatures}. The harness's own
 * copy of each output record through a serializer is skipped (an identity copy), and its output queue is cleared
 * every {@value #CLEAR_EVERY} events. The TTL clock of the harness stands still, so no state expires. Whatever
 * serializer the job's state descriptor uses is what is measured; the set-up prints its class.
 *
 * <p>RocksDB runs with Flink's default options and a fixed {@value #ROCKSDB_MEMORY} of memory (block cache and write
 * buffers; {@code -Dbench.rocksdb.memory=...} changes it), of the order of a slot's managed memory in
 * {@code flink-conf/config.yaml} (about 160 MB, shared by the slot's stateful operators); the harness's default (3 MB
 * of managed memory) is far below the state's size at 300 entries and makes RocksDB two to six times slower. Run by hand
 * (BENCHMARKS.md), never by the tests.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class StateBackendBenchmarks {
    static final int ACCOUNTS = 1_000;
    static final int CLEAR_EVERY = 256;
    static final String ROCKSDB_MEMORY = "128m";
    /** The job's defaults: fraud.state.ttl, fraud.max-parallelism. */
    static final Duration TTL = Duration.ofDays(31);
    static final int MAX_PARALLELISM = 128;

    @Param({"rocksdb", "hashmap"})
    String backend;

    @Param({"10", "300"})
    int history;

    KeyedOneInputStreamOperatorTestHarness<String, Transaction, FeaturizedTransaction> harness;
    Path rocksDir;
    String[] accounts;
    long[] clocks;
    long step;
    long n;
    int next;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        AccountFeatures features = new AccountFeatures();
        harness = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new AccountFeaturesFunction(features, TTL)),
                new FraudScoringJob.AccountKey(), Types.STRING, MAX_PARALLELISM, 1, 0);
        switch (backend) {
            case "rocksdb" -> {
                rocksDir = Files.createTempDirectory("state-backend-bench-");
                EmbeddedRocksDBStateBackend rocks = new EmbeddedRocksDBStateBackend();
                rocks.setDbStoragePath(rocksDir.toString());
                rocks.getMemoryConfiguration().setFixedMemoryPerSlot(
                        MemorySize.parse(System.getProperty("bench.rocksdb.memory", ROCKSDB_MEMORY)));
                harness.setStateBackend(rocks);
            }
            case "hashmap" -> harness.setStateBackend(new HashMapStateBackend());
            default -> throw new IllegalArgumentException(backend);
        }
        harness.setup(new IdentityCopy<>());
        harness.open();
        ValueStateDescriptor<AccountHistory> d = AccountFeaturesFunction.historyDescriptor(TTL);
        d.initializeSerializerUnlessSet(new ExecutionConfig());
        System.out.println("(account history serializer: " + d.getSerializer().getClass().getName() + ")");

        accounts = new String[ACCOUNTS];
        clocks = new long[ACCOUNTS];
        for (int i = 0; i < ACCOUNTS; i++) {
            accounts[i] = String.format("acct-%06d", i);
            clocks[i] = 1_530_000_000_000L;
        }
        step = features.retention().toMillis() / history; // the retention then holds about `history` entries
        for (long i = 0, fill = (long) ACCOUNTS * (history + 2); i < fill; i++) { // full, and pruning
            processNext();
        }
        harness.getOutput().clear();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        try {
            harness.close();
        } finally {
            if (rocksDir != null) {
                try (Stream<Path> files = Files.walk(rocksDir)) {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    void processNext() throws Exception {
        int a = next;
        next = a + 1 == ACCOUNTS ? 0 : a + 1;
        long t = clocks[a] += step;
        Transaction tx = new Transaction("tx-" + (n++), accounts[a], t, 10 + (n % 97));
        tx.ingestTime = t;
        harness.processElement(tx, t);
    }

    @Benchmark
    public void featuresOperator() throws Exception {
        processNext();
        if (n % CLEAR_EVERY == 0) {
            harness.getOutput().clear();
        }
    }

    /**
     * The harness copies every output record with this serializer before queueing it: an identity copy, so that what
     * is timed is the operator and not the harness. Nothing is ever serialized with it.
     */
    static final class IdentityCopy<T> extends TypeSerializer<T> {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean isImmutableType() {
            return true;
        }

        @Override
        public TypeSerializer<T> duplicate() {
            return this;
        }

        @Override
        public T createInstance() {
            return null;
        }

        @Override
        public T copy(T from) {
            return from;
        }

        @Override
        public T copy(T from, T reuse) {
            return from;
        }

        @Override
        public int getLength() {
            return -1;
        }

        @Override
        public void serialize(T record, DataOutputView target) {
            throw new UnsupportedOperationException();
        }

        @Override
        public T deserialize(DataInputView source) {
            throw new UnsupportedOperationException();
        }

        @Override
        public T deserialize(T reuse, DataInputView source) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void copy(DataInputView source, DataOutputView target) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean equals(Object obj) {
            return obj instanceof IdentityCopy;
        }

        @Override
        public int hashCode() {
            return IdentityCopy.class.hashCode();
        }

        @Override
        public TypeSerializerSnapshot<T> snapshotConfiguration() {
            throw new UnsupportedOperationException();
        }
    }
}
