package io.github.fraudflink.local;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Plain Kafka clients for tools and tests: a byte producer, and a {@code read_committed} reader that
 * follows a whole topic from a given point (what a downstream consumer of the job must do to see each
 * scored transaction once).
 */
public final class KafkaIO {
    private KafkaIO() {}

    /** A producer of raw bytes with acks=all and idempotence, batched for throughput. */
    public static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "10");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, "1048576");
        return new KafkaProducer<>(p);
    }

    /** Reads every partition of a topic with {@code isolation.level=read_committed}, without a consumer group. */
    /** A topic to read does not exist. */
    public static final class MissingTopicException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        MissingTopicException(String topic, String bootstrap) {
            super("the topic '" + topic + "' does not exist at " + bootstrap);
        }
    }

    public static final class CommittedReader implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private long count;

        /** @param fromEnd start at the current end of the topic (only new records), else at the beginning */
        public CommittedReader(String bootstrap, String topic, boolean fromEnd) {
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
            consumer = new KafkaConsumer<>(p);
            List<TopicPartition> parts = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            if (parts.isEmpty()) {
                consumer.close();
                throw new MissingTopicException(topic, bootstrap);
            }
            consumer.assign(parts);
            if (fromEnd) {
                consumer.seekToEnd(parts);
            } else {
                consumer.seekToBeginning(parts);
            }
            parts.forEach(consumer::position); // resolve now, so later records are not skipped
        }

        /** Polls once (up to {@code wait}) and hands each record to {@code each}; returns how many came. */
        public int poll(Duration wait, Consumer<ConsumerRecord<byte[], byte[]>> each) {
            int n = 0;
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(wait)) {
                each.accept(r);
                n++;
            }
            count += n;
            return n;
        }

        /** Records read so far. */
        public long count() {
            return count;
        }

        /** Polls until {@code expected} records were read in all, or {@code timeout} passes; returns the new ones. */
        public List<ConsumerRecord<byte[], byte[]>> readUntil(long expected, Duration timeout) {
            List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (count < expected && System.nanoTime() < deadline) {
                poll(Duration.ofMillis(200), out::add);
            }
            return out;
        }

        /** Reads until a poll of {@code idle} brings nothing more: the whole topic as it stands (e.g. a compacted one). */
        public List<ConsumerRecord<byte[], byte[]>> readToEnd(Duration idle) {
            List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
            while (poll(idle, out::add) > 0) {
                // until a poll comes back empty
            }
            return out;
        }

        /** Positions of every partition (what has been read). */
        public Map<TopicPartition, Long> positions() {
            Map<TopicPartition, Long> m = new java.util.TreeMap<>(java.util.Comparator.comparing(TopicPartition::toString));
            consumer.assignment().forEach(tp -> m.put(tp, consumer.position(tp)));
            return m;
        }

        @Override
        public void close() {
            consumer.close();
        }
    }
}
