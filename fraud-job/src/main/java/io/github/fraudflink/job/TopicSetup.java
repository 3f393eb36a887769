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

/**
 * The job's topics: creates them if they do not exist yet (partitions, compaction of model-control), and checks at
 * submission that the topics a job reads exist.
 */
public final class TopicSetup {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TopicSetup.class);

    private TopicSetup() {}

    /**
     * Fails with the fix when the broker answers and one of {@code topics} does not exist: a Kafka source on a missing
     * topic would fail the job over and over after submission. A broker that does not answer in time is only logged:
     * it may be back before the job starts.
     */
    public static void requireTopics(ReadableConfig conf, List<String> topics) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, conf.get(JobOptions.BOOTSTRAP_SERVERS));
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
        Set<String> existing;
        try (Admin admin = Admin.create(p)) {
            existing = admin.listTopics().names().get(20, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("could not list the topics of {} to check {} exist ({}); submitting anyway",
                    conf.get(JobOptions.BOOTSTRAP_SERVERS), topics, e.toString());
            return;
        }
        List<String> missing = topics.stream().filter(t -> !existing.contains(t)).toList();
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("topic(s) " + missing + " do not exist on " + conf.get(JobOptions.BOOTSTRAP_SERVERS)
                    + ": create them (./fraud demo and the tests do it with TopicSetup; docker-compose with its init"
                    + " service), or point the job at the right ones (--" + JobOptions.TOPIC_TRANSACTIONS.key() + ", --"
                    + JobOptions.TOPIC_LABELS.key() + " \"\" to run without labels, ...)");
        }
    }

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
            // a created topic reaches every broker's metadata a moment later: wait until a listing shows them all, so a
            // check right after (requireTopics, at submission) never sees one missing
            Set<String> names = new java.util.HashSet<>(topics.stream().map(NewTopic::name).toList());
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
            while (!admin.listTopics().names().get().containsAll(names)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("topics " + names + " were created but are not all listed after 30 s");
                }
                Thread.sleep(50); // waiting for the broker's metadata, which has no event to wait on
            }
        }
        return created;
    }
}
