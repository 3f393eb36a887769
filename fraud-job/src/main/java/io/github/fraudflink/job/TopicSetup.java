package io.github.fraudflink.job;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates the job's topics if they do not exist yet (partitions, compaction of model-control). */
public final class TopicSetup {
    private TopicSetup() {}

    /** Creates the input (transactions, labels) and output topics with {@code partitions} partitions, and the DLQ, control and status topics with one. */
    public static List<String> ensureTopics(ReadableConfig conf, int partitions) throws Exception {
        List<NewTopic> topics = new ArrayList<>(List.of(
                new NewTopic(conf.get(JobOptions.TOPIC_TRANSACTIONS), partitions, (short) 1),
                new NewTopic(conf.get(JobOptions.TOPIC_SCORED), partitions, (short) 1),
                new NewTopic(conf.get(JobOptions.TOPIC_DLQ), 1, (short) 1),
                new NewTopic(conf.get(JobOptions.TOPIC_MODEL_CONTROL), 1, (short) 1).configs(Map.of("cleanup.policy", "compact")),
                new NewTopic(conf.get(JobOptions.TOPIC_MODEL_STATUS), 1, (short) 1)));
        if (!conf.get(JobOptions.TOPIC_LABELS).isBlank()) {
            topics.add(new NewTopic(conf.get(JobOptions.TOPIC_LABELS), partitions, (short) 1));
        }
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, conf.get(JobOptions.BOOTSTRAP_SERVERS));
        List<String> created = new ArrayList<>();
        try (Admin admin = Admin.create(p)) {
            Set<String> existing = admin.listTopics().names().get();
            for (NewTopic t : topics) {
                if (existing.contains(t.name())) {
                    continue;
                }
                try {
                    admin.createTopics(List.of(t)).all().get();
                    created.add(t.name());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
        }
        return created;
    }
}
