package io.github.fraudflink.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.fraudflink.job.kafka.ModelControlJson;
import io.github.fraudflink.job.records.ModelControl;
import io.github.fraudflink.job.records.ModelStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models live in the job, per scoring instance and role, as the instances report them on the model-control-status
 * topic (read from its beginning, then followed): the last {@code live} report of a role holds until a {@code retired}
 * one; the latest rejections are kept too. What {@code ./fraud model status} prints, as JSON.
 */
public final class LiveModels implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LiveModels.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int KEPT_REJECTIONS = 20;

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    /** instance index -> role -> the status that made it live. */
    private final Map<Integer, Map<String, ModelStatus>> live = new TreeMap<>();
    private final Map<Integer, Integer> instances = new TreeMap<>();
    private final Deque<ModelStatus> rejected = new ArrayDeque<>();
    private volatile boolean running = true;

    public LiveModels(String bootstrap, String statusTopic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        consumer = new KafkaConsumer<>(p);
        try {
            List<TopicPartition> parts = consumer.partitionsFor(statusTopic, Duration.ofSeconds(30)).stream()
                    .map(i -> new TopicPartition(statusTopic, i.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
        } catch (RuntimeException e) {
            consumer.close();
            throw e;
        }
        thread = new Thread(this::run, "fraud-api-models");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    try {
                        apply(ModelControlJson.readStatus(r.value()));
                    } catch (Exception e) {
                        LOG.warn("skipping a status record that does not parse at {}-{}@{}", r.topic(), r.partition(), r.offset(), e);
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    synchronized void apply(ModelStatus s) {
        instances.put(s.instance, s.instances);
        Map<String, ModelStatus> roles = live.computeIfAbsent(s.instance, i -> new TreeMap<>());
        if (ModelStatus.LIVE.equals(s.status)) {
            roles.put(s.role, s);
            if (ModelControl.CHAMPION.equals(s.role) && roles.containsKey(ModelControl.SHADOW)
                    && same(roles.get(ModelControl.SHADOW), s)) {
                roles.remove(ModelControl.SHADOW); // the shadow was promoted
            }
        } else if (ModelStatus.RETIRED.equals(s.status)) {
            roles.remove(s.role);
        } else if (ModelStatus.REJECTED.equals(s.status)) {
            rejected.addFirst(s);
            while (rejected.size() > KEPT_REJECTIONS) {
                rejected.removeLast();
            }
        }
    }

    private static boolean same(ModelStatus a, ModelStatus b) {
        return java.util.Objects.equals(a.model, b.model) && java.util.Objects.equals(a.version, b.version);
    }

    /** {@code {"instances": [{"instance", "of", "champion": {...}, "shadow": {...}}], "rejected": [...]}}. */
    public synchronized ObjectNode json() {
        ObjectNode o = JSON.createObjectNode();
        ArrayNode list = o.putArray("instances");
        live.forEach((instance, roles) -> {
            ObjectNode i = list.addObject();
            i.put("instance", instance);
            i.put("of", instances.get(instance));
            roles.forEach((role, s) -> i.set(role, model(s)));
        });
        ArrayNode rej = o.putArray("rejected");
        rejected.forEach(s -> rej.add(model(s).put("instance", s.instance).put("role", s.role)));
        return o;
    }

    private static ObjectNode model(ModelStatus s) {
        ObjectNode m = JSON.createObjectNode();
        m.put("model", s.model);
        m.put("version", s.version);
        m.put("manifest_uri", s.manifestUri);
        m.put("since", Instant.ofEpochMilli(s.at).toString());
        m.put("cause", s.cause);
        if (s.reason != null) {
            m.put("reason", s.reason);
            m.put("message", s.message);
        }
        return m;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(10_000);
    }
}
