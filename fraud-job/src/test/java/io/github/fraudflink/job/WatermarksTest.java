package io.github.fraudflink.job;

import io.github.fraudflink.job.records.DeadLetter;
import io.github.fraudflink.job.records.ParsedRecord;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fraudflink.features.Transaction;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.BoundedOutOfOrdernessWatermarks;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/** Event time of the source: transactions drive the watermark; rejected records, stamped with wall-clock time, do not. */
class WatermarksTest {
    @Test
    void aDeadLetterDuringAReplayOfOldTransactionsDoesNotMoveTheWatermark() {
        TimestampAssigner<ParsedRecord> assigner = FraudScoringJob.watermarks(new Configuration()).createTimestampAssigner(null);
        long old = Instant.parse("2018-04-02T10:00:00Z").toEpochMilli();
        long now = System.currentTimeMillis();
        Transaction t = new Transaction();
        t.eventTime = old;
        DeadLetter d = new DeadLetter();
        d.timestamp = now;

        assertThat(assigner.extractTimestamp(ParsedRecord.valid(t), now)).isEqualTo(old);
        assertThat(assigner.extractTimestamp(ParsedRecord.invalid(d), now)).isEqualTo(TimestampAssigner.NO_TIMESTAMP);

        // the bounded-out-of-orderness generator the job uses (1 min): the dead letter leaves it at the transaction's time
        BoundedOutOfOrdernessWatermarks<ParsedRecord> g = new BoundedOutOfOrdernessWatermarks<>(Duration.ofMinutes(1));
        List<Long> emitted = new ArrayList<>();
        WatermarkOutput out = new WatermarkOutput() {
            @Override
            public void emitWatermark(Watermark w) {
                emitted.add(w.getTimestamp());
            }

            @Override
            public void markIdle() {}

            @Override
            public void markActive() {}
        };
        g.onEvent(ParsedRecord.valid(t), old, out);
        g.onEvent(ParsedRecord.invalid(d), assigner.extractTimestamp(ParsedRecord.invalid(d), now), out);
        g.onPeriodicEmit(out);
        assertThat(emitted).containsExactly(old - 60_000 - 1);
    }
}
