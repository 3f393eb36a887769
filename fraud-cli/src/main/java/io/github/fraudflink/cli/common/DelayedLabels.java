package io.github.fraudflink.cli.common;

import io.github.fraudflink.features.Label;
import io.github.fraudflink.features.LabelJson;
import io.github.fraudflink.data.LabelledTransaction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The labels of a stream of transactions in event-time order, each sent to the labels topic once {@code delay} of
 * event time has passed in the stream (how chargebacks and analyst verdicts arrive): {@code labelled_at = event_time
 * + delay}, key the transaction id, value the labels contract ({@link LabelJson}). Used by replay, demo and bench.
 */
public final class DelayedLabels {
    private final String topic;
    private final long delayMillis;
    private final String source;
    private final ArrayDeque<LabelledTransaction> waiting = new ArrayDeque<>();
    private long sent;

    public DelayedLabels(String topic, Duration delay, String source) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("--label-delay must not be negative: a label is never dated before its transaction");
        }
        this.topic = topic;
        this.delayMillis = delay.toMillis();
        this.source = source;
    }

    /** Queues the label of {@code lt}, the latest transaction of the stream (its id as sent). */
    public void add(LabelledTransaction lt) {
        waiting.addLast(lt);
    }

    /**
     * Sends the labels due when the stream reaches event time {@code now} ({@code event_time + delay <= now}),
     * handing each to {@code onSent}; returns how many.
     */
    public long sendDue(Producer<byte[], byte[]> producer, long now, Consumer<Label> onSent) {
        long n = 0;
        while (!waiting.isEmpty() && waiting.peekFirst().tx().eventTime + delayMillis <= now) {
            Label l = label(waiting.pollFirst());
            producer.send(new ProducerRecord<>(topic, l.transactionId.getBytes(StandardCharsets.UTF_8), LabelJson.write(l)));
            onSent.accept(l);
            n++;
        }
        sent += n;
        return n;
    }

    /** Labels sent so far. */
    public long sent() {
        return sent;
    }

    private Label label(LabelledTransaction lt) {
        long at = lt.tx().eventTime + delayMillis;
        return Label.of(lt.tx(), lt.fraud(), at, at, source); // simulated time: known when made, not when sent
    }
}
