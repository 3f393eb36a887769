package io.github.fraudflink.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.fraudflink.data.Dataset;
import io.github.fraudflink.data.DatasetReader;
import io.github.fraudflink.data.LabelledTransaction;
import io.github.fraudflink.features.AccountFeatures;
import io.github.fraudflink.features.FeatureCatalog;
import io.github.fraudflink.features.Transaction;
import io.github.fraudflink.job.kafka.ScoredTransactionJson;
import io.github.fraudflink.job.records.ScoredTransaction;
import io.github.fraudflink.local.EmbeddedKafka;
import io.github.fraudflink.local.KafkaIO;
import io.github.fraudflink.model.ModelManifest;
import io.github.fraudflink.trainer.DecisionRule;
import io.github.fraudflink.trainer.FeatureTable;
import io.github.fraudflink.trainer.HandbookProtocol;
import io.github.fraudflink.trainer.TrainingRun;
import io.github.fraudflink.trainer.XgbTrainer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.XGBoost;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kaggle end to end through the running job: a model of {@code attributes-v1} trained by the trainer on the shipped
 * Kaggle slice (216 real rows of creditcard.csv) is the job's model ({@code fraud.model.uri}); the slice's rows go to
 * Kafka as the job's JSON events with their {@code attributes} (some copies with attributes left out, some with one
 * the model does not use), on a MiniCluster with 2 task managers at parallelism 2. Each scored record holds, by name,
 * the row the trainer builds for that transaction (a missing attribute NaN) and the score xgboost4j's
 * {@code Booster.predict} (the trainer's call) gives that row; the features as PostgreSQL would store them are the same
 * by name.
 */
class KaggleScoringIT {
    static final Path SLICE = Path.of("..", "trainer", "src", "test", "resources", "kaggle-creditcard-sample-slice.csv.gz");

    @TempDir
    static Path tmp;

    @RegisterExtension
    static final MiniClusterExtension FLINK = JobTestSupport.miniCluster(() -> tmp);

    private static EmbeddedKafka kafka;
    private static Path modelDir;
    private static ModelManifest manifest;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.start(tmp.resolve("kafka"));
        Dataset ds = DatasetReader.read(SLICE, DatasetReader.Format.KAGGLE);
        modelDir = tmp.resolve("kaggle-model");
        manifest = TrainingRun.run(ds.rows(), ds.fingerprint(), new TrainingRun.Options("kaggle-xgb", "it",
                HandbookProtocol.kaggle(), 1, 0.25, XgbTrainer.Params.recipe(1), "2026-01-01T00:00:00Z", "KaggleScoringIT",
                TrainingRun.featureSet(FeatureCatalog.ATTRIBUTES_ID, ds.rows()), false, DecisionRule.DEFAULT), modelDir,
                line -> { }).manifest();
    }

    @AfterAll
    static void stop() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void theJobScoresKaggleEventsAsTheTrainerDoes(@InjectMiniCluster MiniCluster cluster) throws Exception {
        List<LabelledTransaction> events = events(DatasetReader.read(SLICE, DatasetReader.Format.KAGGLE).rows());
        Configuration c = JobTestSupport.jobConfig(kafka, "kaggle", true);
        c.set(JobOptions.MODEL_URI, modelDir.resolve(ModelManifest.FILE_NAME).toUri().toString());
        JobTestSupport.produce(kafka, c, events, List.of());

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(JobTestSupport.PARALLELISM);
        FraudScoringJob.build(env, c);
        org.apache.flink.api.common.JobID id = env.execute("kaggle").getJobID();
        assertThat(JobTestSupport.failures(cluster, id)).isEmpty();

        // what the trainer computes for these transactions, and xgboost4j's score of each row
        FeatureTable trainer = FeatureTable.compute(events, new AccountFeatures(), events.size())
                .select(new FeatureCatalog.FeatureSet(manifest.featureSchemaId(), manifest.featureNames(), false));
        Booster booster = XGBoost.loadModel(Files.readAllBytes(modelDir.resolve(manifest.modelFile())));
        double[] xgboost4j = XgbTrainer.predict(booster, trainer, IntStream.range(0, trainer.rows).toArray());
        booster.dispose();
        Map<String, Integer> row = new HashMap<>();
        for (int i = 0; i < trainer.rows; i++) {
            row.put(trainer.transactionIds[i], i);
        }

        List<ConsumerRecord<byte[], byte[]>> out;
        try (var scored = new KafkaIO.CommittedReader(kafka.bootstrapServers(), c.get(JobOptions.TOPIC_SCORED), false)) {
            out = scored.readUntil(events.size(), Duration.ofSeconds(30));
            out.addAll(scored.readUntil(events.size() + 1, Duration.ofSeconds(2))); // nothing more
        }
        assertThat(out).hasSize(events.size());
        ObjectMapper json = new ObjectMapper();
        int missing = 0;
        int declined = 0;
        for (ConsumerRecord<byte[], byte[]> r : out) {
            ScoredTransaction s = ScoredTransactionJson.read(r.value());
            int i = row.get(s.transactionId);
            double[] want = trainer.features[i];
            assertThat(s.featureSchema).isEqualTo("attributes-v1");
            assertThat(s.featureNames).containsExactlyElementsOf(manifest.featureNames());
            for (int j = 0; j < want.length; j++) {
                assertThat(Double.doubleToLongBits(s.features[j])).as("%s of %s: %s, trainer %s", s.featureNames[j],
                        s.transactionId, s.features[j], want[j]).isEqualTo(Double.doubleToLongBits(want[j]));
                missing += Double.isNaN(want[j]) ? 1 : 0;
            }
            assertThat((float) s.score).as("score of %s", s.transactionId).isEqualTo((float) xgboost4j[i]);
            assertThat(s.score).isCloseTo(xgboost4j[i], within(1e-7));
            assertThat(s.model).isEqualTo("kaggle-xgb");
            declined += "decline".equals(s.decision) ? 1 : 0;

            // by name, on the topic ("NaN" for a missing attribute) and as the PostgreSQL sink writes them (null)
            JsonNode topic = json.readTree(r.value()).get("features");
            JsonNode table = json.readTree(io.github.fraudflink.job.postgres.ScoredTransactionTableAccess.featuresJson(s));
            List<String> names = new ArrayList<>();
            topic.fieldNames().forEachRemaining(names::add);
            assertThat(names).containsExactlyElementsOf(manifest.featureNames());
            for (int j = 0; j < want.length; j++) {
                String name = manifest.featureNames().get(j);
                assertThat(Double.doubleToLongBits(topic.get(name).asDouble())).as(name)
                        .isEqualTo(Double.doubleToLongBits(want[j]));
                if (Double.isNaN(want[j])) {
                    assertThat(table.get(name).isNull()).as(name).isTrue();
                } else {
                    assertThat(table.get(name).doubleValue()).as(name).isEqualTo(want[j]);
                }
            }
        }
        assertThat(missing).as("events with attributes left out were scored").isPositive();
        assertThat(declined).as("the model declines some of the slice's frauds").isPositive();
    }

    /**
     * The slice's transactions, then copies of every tenth with new ids: odd copies without V1..V5 (missing), even
     * copies with one more attribute the model does not use. Event time order.
     */
    static List<LabelledTransaction> events(List<LabelledTransaction> rows) {
        List<LabelledTransaction> out = new ArrayList<>(rows);
        for (int k = 0; k < rows.size(); k += 10) {
            Transaction t = rows.get(k).tx();
            Transaction copy = new Transaction(t.transactionId + "-copy", t.accountId + "-copy", t.eventTime, t.amount);
            copy.ingestTime = t.ingestTime;
            copy.attributes = new TreeMap<>(t.attributes);
            if ((k / 10) % 2 == 1) {
                for (Iterator<String> it = copy.attributes.keySet().iterator(); it.hasNext(); ) {
                    if (List.of("V1", "V2", "V3", "V4", "V5").contains(it.next())) {
                        it.remove();
                    }
                }
            } else {
                copy.attributes.put("not_a_model_feature", 1.5);
            }
            out.add(new LabelledTransaction(copy, rows.get(k).fraud(), rows.get(k).scenario()));
        }
        out.sort(java.util.Comparator.comparingLong(lt -> lt.tx().eventTime));
        return out;
    }
}
