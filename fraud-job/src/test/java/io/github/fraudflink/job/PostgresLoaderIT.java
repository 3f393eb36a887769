package io.github.fraudflink.job;

import io.github.fraudflink.job.records.ScoredTransaction;
import io.github.fraudflink.job.kafka.ScoredTransactionJson;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fraudflink.local.BadEvents;
import io.github.fraudflink.local.KafkaIO;
import io.github.fraudflink.data.LabelledTransaction;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The decoupled topology: the scoring job writes only Kafka, {@link PostgresLoaderJob} feeds PostgreSQL from the
 * scored topic. Real Kafka, real PostgreSQL, MiniCluster at parallelism 2: the table ends with exactly the first
 * occurrence of every scored transaction, with the values on the topic, and nothing left prepared.
 */
class PostgresLoaderIT {
    @TempDir
    static Path tmp;

    @RegisterExtension
    static final MiniClusterExtension FLINK = JobTestSupport.miniCluster(() -> tmp);

    @RegisterExtension
    static final RealServers SERVERS = new RealServers(() -> tmp);

    @Test
    void theLoaderWritesExactlyTheScoredTopic(@InjectMiniCluster MiniCluster cluster) throws Exception {
        Configuration c = JobTestSupport.jobConfig(SERVERS.kafka(), "loader", true);
        List<LabelledTransaction> txs = JobTestSupport.workload(31, 3000);
        List<LabelledTransaction> input = new ArrayList<>(txs);
        for (int i = 0; i < 20; i++) {
            input.add(txs.get(100 * i)); // repeats: on the topic twice, in the table once
        }
        JobTestSupport.produce(SERVERS.kafka(), c, input, BadEvents.corpus("loader"));

        StreamExecutionEnvironment scoring = StreamExecutionEnvironment.getExecutionEnvironment();
        scoring.setParallelism(JobTestSupport.PARALLELISM);
        FraudScoringJob.build(scoring, c); // no fraud.postgres.url: Kafka only
        JobID scoringId = scoring.execute("scoring").getJobID();
        assertThat(JobTestSupport.failures(cluster, scoringId)).isEmpty();

        Configuration l = new Configuration(c);
        String url = SERVERS.pg().createDatabase("loader");
        l.set(JobOptions.POSTGRES_URL, url);
        l.set(JobOptions.POSTGRES_USER, SERVERS.pg().user());
        l.set(JobOptions.TRANSACTIONAL_ID_PREFIX, "loader-pg-loader");
        StreamExecutionEnvironment loader = StreamExecutionEnvironment.getExecutionEnvironment();
        loader.setParallelism(JobTestSupport.PARALLELISM);
        PostgresLoaderJob.build(loader, l);
        JobID loaderId = loader.execute("loader").getJobID();
        assertThat(JobTestSupport.failures(cluster, loaderId)).isEmpty();

        Map<String, ScoredTransaction> first = new HashMap<>();
        try (var scored = new KafkaIO.CommittedReader(SERVERS.kafka().bootstrapServers(), c.get(JobOptions.TOPIC_SCORED), false)) {
            List<ConsumerRecord<byte[], byte[]>> out = scored.readUntil(input.size(), Duration.ofSeconds(30));
            assertThat(out).hasSize(input.size());
            for (ConsumerRecord<byte[], byte[]> r : out) {
                ScoredTransaction s = ScoredTransactionJson.read(r.value());
                if (!s.duplicate) {
                    assertThat(first.put(s.accountId + "/" + s.transactionId, s)).isNull();
                }
            }
        }
        Map<String, double[]> table = new HashMap<>();
        try (Connection conn = DriverManager.getConnection(url, SERVERS.pg().user(), null); Statement s = conn.createStatement()) {
            try (ResultSet r = s.executeQuery("SELECT account_id, transaction_id, score FROM scored_transactions")) {
                while (r.next()) {
                    assertThat(table.put(r.getString(1) + "/" + r.getString(2), new double[] {r.getDouble(3)})).isNull();
                }
            }
            try (ResultSet r = s.executeQuery("SELECT count(*) FROM pg_prepared_xacts")) {
                r.next();
                assertThat(r.getLong(1)).isZero();
            }
        }
        assertThat(table.keySet()).isEqualTo(first.keySet()).hasSize(txs.size());
        for (Map.Entry<String, double[]> e : table.entrySet()) {
            assertThat(e.getValue()[0]).as("score of %s", e.getKey()).isEqualTo(first.get(e.getKey()).score);
        }
    }
}
