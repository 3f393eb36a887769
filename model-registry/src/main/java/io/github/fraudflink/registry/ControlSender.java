package io.github.fraudflink.registry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sends model-control events to the control topic one at a time, each acknowledged by all in-sync replicas before
 * {@link #send} returns (idempotent producer), within a deadline.
 */
public final class ControlSender implements ControlOutbox.Sink, AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final String bootstrap;
    private final Duration timeout;

    public ControlSender(String bootstrapServers, String topic, Duration timeout) {
        this.topic = topic;
        this.bootstrap = bootstrapServers;
        this.timeout = timeout;
        int ms = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, ms,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(ms, 30_000),
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Math.max(ms, Math.min(ms, 30_000)),
                ProducerConfig.LINGER_MS_CONFIG, 0),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** The topic events go to. */
    public String topic() {
        return topic;
    }

    /**
     * Sends one event with its key and waits for the broker's acknowledgement.
     *
     * @throws IOException when the broker did not acknowledge it within the timeout, naming the cause
     */
    @Override
    public void send(String key, String event) throws IOException, InterruptedException {
        try {
            producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8),
                    event.getBytes(StandardCharsets.UTF_8))).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new IOException("a control event (" + key + ") was not acknowledged by " + bootstrap + " (topic "
                    + topic + ") within " + timeout.toMillis() + " ms: " + cause.getMessage()
                    + ". It stays in the registry's outbox; any later ./fraud model command sends it", cause);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
