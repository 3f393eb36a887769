package io.github.fraudflink.job;

import io.github.fraudflink.features.Label;
import io.github.fraudflink.job.input.RouteInvalid;
import io.github.fraudflink.job.kafka.ScoredTransactionJson;
import io.github.fraudflink.job.postgres.FraudLabelTable;
import io.github.fraudflink.job.postgres.ScoredTransactionTable;
import io.github.fraudflink.job.records.ScoredTransaction;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL loader: a second job that feeds the tables {@code scored_transactions} and {@code fraud_labels} from
 * the scored and labels topics, so the scoring job never waits for the database. The data path:
 *
 * <pre>
 * scored-transactions (Kafka, read_committed) -> scored_transactions (PostgreSQL, exactly once)
 * fraud-labels (Kafka, read_committed) -> parse + validate -> fraud_labels (PostgreSQL, exactly once)
 *                                                          -> live quality (metrics from the tables, 1 instance)
 *                                                          -> (invalid: dropped here, the scoring job sends them to the DLQ)
 * </pre>
 *
 * <p>Run the scoring job without {@code fraud.postgres.url} and this job with it (and a transactional-id prefix of its
 * own): a database outage then stalls only this job, which catches up when the database is back, while decisions keep
 * flowing to Kafka. Exactly once end to end: the scoring job's output is transactional, this job reads only committed
 * records, keeps its offsets in its checkpoints and commits the rows with them.
 */
public final class PostgresLoaderJob {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresLoaderJob.class);

    private PostgresLoaderJob() {}

    public static void main(String[] args) throws Exception {
        Configuration conf = JobOptions.fromArgs(args);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        build(env, conf);
        env.execute("fraud-postgres-loader");
    }

    /** Adds the loader to {@code env}; {@code fraud.postgres.url} must be set. */
    public static void build(StreamExecutionEnvironment env, ReadableConfig conf) {
        build(env, conf, true);
    }

    /** The loader as {@link #build} adds it, without touching Kafka or PostgreSQL: for tools that only read the graph. */
    public static void graph(StreamExecutionEnvironment env, ReadableConfig conf) {
        build(env, conf, false);
    }

    private static void build(StreamExecutionEnvironment env, ReadableConfig conf, boolean connect) {
        JobOptions.validate(conf);
        String url = conf.getOptional(JobOptions.POSTGRES_URL).orElseThrow(() -> new IllegalArgumentException(
                "the PostgreSQL loader needs --" + JobOptions.POSTGRES_URL.key() + " jdbc:postgresql://host:5432/db"));
        if (connect) {
            TopicSetup.requireTopics(conf, conf.get(JobOptions.TOPIC_LABELS).isBlank()
                    ? java.util.List.of(conf.get(JobOptions.TOPIC_SCORED))
                    : java.util.List.of(conf.get(JobOptions.TOPIC_SCORED), conf.get(JobOptions.TOPIC_LABELS)));
        }
        FraudScoringJob.configureEnvironment(env, conf);
        boolean restoring = FraudScoringJob.isRestoring(env, conf);
        env.fromSource(scoredSource(conf), WatermarkStrategy.noWatermarks(), "scored-transactions")
                .uid("kafka-scored-source")
                .sinkTo(FraudScoringJob.postgresSink(conf, url, new ScoredTransactionTable(), "-loader-pg", restoring, connect))
                .uid("postgres-scored-sink").name("scored_transactions (PostgreSQL)");
        if (conf.get(JobOptions.TOPIC_LABELS).isBlank()) {
            return; // no labels topic: nothing more to load
        }
        DataStream<Label> labels = env.fromSource(FraudScoringJob.labelSource(conf, conf.get(JobOptions.GROUP_ID)
                        + "-postgres-loader-labels"), WatermarkStrategy.noWatermarks(), "fraud-labels")
                .uid("kafka-labels-source")
                .process(RouteInvalid.labels(), TypeInformation.of(Label.class))
                .uid("route-invalid-labels").name("parse + validate labels");
        FraudScoringJob.monitorLiveQuality(labels, conf, url);
        labels.sinkTo(FraudScoringJob.postgresSink(conf, url, new FraudLabelTable(), "-loader-labels-pg", restoring, connect))
                .uid("postgres-labels-sink").name("fraud_labels (PostgreSQL)");
    }

    static KafkaSource<ScoredTransaction> scoredSource(ReadableConfig conf) {
        KafkaSourceBuilder<ScoredTransaction> b = KafkaSource.<ScoredTransaction>builder()
                .setBootstrapServers(conf.get(JobOptions.BOOTSTRAP_SERVERS))
                .setTopics(conf.get(JobOptions.TOPIC_SCORED))
                .setGroupId(conf.get(JobOptions.GROUP_ID) + "-postgres-loader")
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setProperty("isolation.level", "read_committed")
                .setDeserializer(new ScoredRecords());
        if (conf.get(JobOptions.SOURCE_BOUNDED)) {
            b.setBounded(OffsetsInitializer.latest());
        }
        return b.build();
    }

    /** Reads the scoring job's own output; a record it cannot read (not written by this version) is logged and counted, never fatal. */
    static final class ScoredRecords implements KafkaRecordDeserializationSchema<ScoredTransaction> {
        private static final long serialVersionUID = 1L;

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<ScoredTransaction> out) {
            try {
                out.collect(ScoredTransactionJson.read(record.value()));
            } catch (RuntimeException e) {
                LOG.error("skipping unreadable record {}-{}@{} of the scored topic: {}", record.topic(),
                        record.partition(), record.offset(), e.toString());
            }
        }

        @Override
        public TypeInformation<ScoredTransaction> getProducedType() {
            return TypeInformation.of(ScoredTransaction.class);
        }
    }
}
