package io.github.fraudflink.job.features;

import io.github.fraudflink.features.Label;
import io.github.fraudflink.job.records.FeaturizedTransaction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;

/** The terminal stage's test harness: a function keyed as the job keys it (transactions, labels), on RocksDB or the heap. */
public final class TerminalStageHarness {
    private TerminalStageHarness() {}

    public static KeyedTwoInputStreamOperatorTestHarness<String, FeaturizedTransaction, Label, FeaturizedTransaction> of(
            KeyedCoProcessFunction<String, FeaturizedTransaction, Label, FeaturizedTransaction> fn, boolean rocks)
            throws Exception {
        var h = new KeyedTwoInputStreamOperatorTestHarness<>(new KeyedCoProcessOperator<>(fn),
                new TerminalFeaturesFunction.TransactionKey(), new TerminalFeaturesFunction.LabelKey(), Types.STRING);
        if (rocks) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
        }
        return h;
    }
}
