package io.github.fraudflink.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.fraudflink.cli.local.LocalEnvironment;
import io.github.fraudflink.local.KafkaIO;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Where an analyst's fraud verdict posted through the API must end up: once on {@code fraud-labels}, then in {@code fraud_labels}. */
final class AnalystLabels {
    private AnalystLabels() {}

    /** The labels topic holds exactly one label of {@code id}: fraud, from an analyst. */
    static void assertFraudOnTopic(LocalEnvironment env, String id) throws Exception {
        List<JsonNode> found = new ArrayList<>();
        try (KafkaIO.CommittedReader in = new KafkaIO.CommittedReader(env.bootstrapServers(), "fraud-labels", false)) {
            for (ConsumerRecord<byte[], byte[]> rec : in.readToEnd(Duration.ofSeconds(3))) {
                if (id.equals(new String(rec.key(), StandardCharsets.UTF_8))) {
                    found.add(ApiClient.JSON.readTree(rec.value()));
                }
            }
        }
        assertThat(found).as("labels of " + id + " on fraud-labels").hasSize(1);
        assertThat(found.get(0).get("is_fraud").asBoolean()).isTrue();
        assertThat(found.get(0).get("source").asText()).isEqualTo("analyst");
    }

    /** Within 60 s (the job's next checkpoints), {@code fraud_labels} holds exactly one row of {@code id}: fraud, from an analyst. */
    static void assertFraudInTable(LocalEnvironment env, String id) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        try (Connection c = DriverManager.getConnection(env.postgresUrl(), env.postgresUser(), null);
             PreparedStatement st = c.prepareStatement("SELECT is_fraud, source FROM fraud_labels WHERE transaction_id = ?")) {
            st.setString(1, id);
            while (true) {
                try (ResultSet rs = st.executeQuery()) {
                    if (rs.next()) {
                        assertThat(rs.getBoolean(1)).isTrue();
                        assertThat(rs.getString(2)).isEqualTo("analyst");
                        assertThat(rs.next()).as("one row of " + id).isFalse();
                        return;
                    }
                }
                assertThat(System.nanoTime()).as("the label in fraud_labels within 60 s").isLessThan(deadline);
                Thread.sleep(200); // polling PostgreSQL for the job's checkpoint
            }
        }
    }
}
