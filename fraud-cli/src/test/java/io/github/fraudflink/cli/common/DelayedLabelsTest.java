package io.github.fraudflink.cli.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fraudflink.features.Label;
import io.github.fraudflink.features.LabelParser;
import io.github.fraudflink.features.Transaction;
import io.github.fraudflink.data.LabelledTransaction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** The labels replay and demo send: each once its delay of event time has passed in the stream, in the labels contract. */
class DelayedLabelsTest {
    private static final long HOUR = 3_600_000L;
    private static final long T0 = 1_522_540_800_000L; // 2018-04-01T00:00:00Z

    @Test
    void aLabelIsSentWhenTheStreamReachesItsTransactionPlusTheDelay() throws Exception {
        MockProducer<byte[], byte[]> p = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
        DelayedLabels labels = new DelayedLabels("fraud-labels", Duration.ofHours(2), "demo");
        List<Label> sent = new ArrayList<>();
        List<Long> perStep = new ArrayList<>();
        // transactions at 0h, 1h, 1h30, 3h, 5h (event time): as a generator meets them
        long[] hours = {0, 2, 3, 6, 10};
        for (int i = 0; i < hours.length; i++) {
            LabelledTransaction lt = tx("tx" + i, T0 + hours[i] * HOUR / 2, i % 2 == 0);
            labels.add(lt);
            perStep.add(labels.sendDue(p, lt.tx().eventTime, sent::add));
        }
        // at 3h the labels of 0h and 1h are due (<=), at 5h those of 1h30 and 3h; 5h's is not yet
        assertThat(perStep).containsExactly(0L, 0L, 0L, 2L, 2L);
        assertThat(labels.sent()).isEqualTo(4);
        assertThat(sent).extracting(l -> l.transactionId).containsExactly("tx0", "tx1", "tx2", "tx3");
        LabelParser parser = new LabelParser();
        for (int i = 0; i < 4; i++) {
            ProducerRecord<byte[], byte[]> r = p.history().get(i);
            assertThat(r.topic()).isEqualTo("fraud-labels");
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("tx" + i);
            Label l = parser.parse(r.value(), System.currentTimeMillis());
            assertThat(l.labelledAt - l.eventTime).isEqualTo(2 * HOUR);
            assertThat(l.isFraud).isEqualTo(i % 2 == 0);
            assertThat(l.source).isEqualTo("demo");
            assertThat(l.terminalId).isEqualTo("T1");
            assertThat(l.accountId).isEqualTo("C1");
        }
    }

    @Test
    void aNegativeDelayIsRefused() {
        assertThatThrownBy(() -> new DelayedLabels("fraud-labels", Duration.ofSeconds(-1), "demo"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--label-delay");
    }

    private static LabelledTransaction tx(String id, long eventTime, boolean fraud) {
        Transaction t = new Transaction();
        t.transactionId = id;
        t.accountId = "C1";
        t.terminalId = "T1";
        t.eventTime = eventTime;
        t.ingestTime = eventTime;
        t.amount = 10;
        t.currency = "EUR";
        return new LabelledTransaction(t, fraud, fraud ? LabelledTransaction.SCENARIO_AMOUNT : LabelledTransaction.SCENARIO_NONE);
    }
}
