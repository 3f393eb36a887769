package io.github.fraudflink.job.batch;

import io.github.fraudflink.features.Label;
import io.github.fraudflink.features.Transaction;
import io.github.fraudflink.job.input.RouteInvalid;
import io.github.fraudflink.job.records.ParsedRecord;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Splits a file's records: transactions on, labels to {@link #LABELS}, rejected rows to
 * {@link RouteInvalid#DEAD_LETTERS}. Timestamps stay as the source gave them.
 */
public final class SplitRows extends ProcessFunction<ParsedRecord, Transaction> {
    private static final long serialVersionUID = 1L;

    /** The side output of the labels. */
    public static final OutputTag<Label> LABELS = new OutputTag<>("labels", TypeInformation.of(Label.class));

    @Override
    public void processElement(ParsedRecord r, Context ctx, Collector<Transaction> out) {
        if (r.transaction != null) {
            out.collect(r.transaction);
        } else if (r.label != null) {
            ctx.output(LABELS, r.label);
        } else {
            ctx.output(RouteInvalid.DEAD_LETTERS, r.deadLetter);
        }
    }
}
