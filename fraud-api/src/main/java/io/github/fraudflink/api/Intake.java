package io.github.fraudflink.api;

import io.github.fraudflink.features.InvalidTransactionException;
import io.github.fraudflink.features.Label;
import io.github.fraudflink.features.LabelParser;
import io.github.fraudflink.features.Transaction;
import io.github.fraudflink.features.TransactionParser;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The way in: a transaction or a label is checked with the job's own parser (the same contract and settings), and only
 * a message the job would accept is published, keyed as the job expects (a transaction by account, a label by
 * transaction), with a record timestamp equal to the ingest time it was checked against. A message the job would reject
 * is refused with the job's reason and never reaches Kafka.
 */
public final class Intake implements AutoCloseable {
    private final TransactionParser transactions;
    private final LabelParser labels;
    private final String transactionsTopic;
    private final String labelsTopic;
    private final KafkaProducer<byte[], byte[]> producer;

    /** A validated message, published or about to be. */
    public record Published<T>(T value, CompletableFuture<RecordMetadata> ack) {}

    public Intake(String bootstrap, TransactionParser transactions, LabelParser labels, String transactionsTopic,
            String labelsTopic, java.time.Duration deliveryTimeout) {
        this.transactions = transactions;
        this.labels = labels;
        this.transactionsTopic = transactionsTopic;
        this.labelsTopic = labelsTopic;
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true"); // a retried send is written once
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        int timeout = (int) Math.max(1000, deliveryTimeout.toMillis());
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Integer.toString(timeout));
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.toString(timeout));
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Integer.toString(timeout)); // metadata of a broker that is down
        this.producer = new KafkaProducer<>(p);
    }

    /** Checks a transaction as the job would at {@code now}; throws a 400 with the job's reason if it would not accept it. */
    public Transaction checkTransaction(byte[] body, long now) {
        try {
            return transactions.parse(body, now);
        } catch (InvalidTransactionException e) {
            throw new ApiProblem(400, e.reason().code(), e.getMessage());
        }
    }

    /** Publishes a checked transaction (key: its account), stamped {@code now}. */
    public CompletableFuture<RecordMetadata> publishTransaction(Transaction t, byte[] body, long now) {
        return send(new ProducerRecord<>(transactionsTopic, null, now, t.accountId.getBytes(StandardCharsets.UTF_8), body));
    }

    /** Checks and publishes a label (key: its transaction id), stamped {@code now}; a 400 if the job would refuse it. */
    public Published<Label> label(byte[] body, long now) {
        Label l;
        try {
            l = labels.parse(body, now);
        } catch (InvalidTransactionException e) {
            throw new ApiProblem(400, e.reason().code(), e.getMessage());
        }
        return new Published<>(l, send(new ProducerRecord<>(labelsTopic, null, now,
                l.transactionId.getBytes(StandardCharsets.UTF_8), body)));
    }

    public String labelsTopic() {
        return labelsTopic;
    }

    private CompletableFuture<RecordMetadata> send(ProducerRecord<byte[], byte[]> r) {
        CompletableFuture<RecordMetadata> ack = new CompletableFuture<>();
        try {
            producer.send(r, (meta, e) -> {
                if (e != null) {
                    ack.completeExceptionally(e);
                } else {
                    ack.complete(meta);
                }
            });
        } catch (RuntimeException e) { // metadata not available within max.block.ms, producer closed
            ack.completeExceptionally(e);
        }
        return ack;
    }

    @Override
    public void close() {
        producer.close(java.time.Duration.ofSeconds(5));
    }
}
