package io.github.fraudflink.job;

import io.github.fraudflink.features.AccountFeatures;
import io.github.fraudflink.features.Label;
import io.github.fraudflink.features.LabelParser;
import io.github.fraudflink.features.Transaction;
import io.github.fraudflink.features.TransactionParser;
import io.github.fraudflink.job.features.AccountFeaturesFunction;
import io.github.fraudflink.job.features.TerminalStageClock;
import io.github.fraudflink.job.features.TerminalFeaturesFunction;
import io.github.fraudflink.job.input.InputDeserializer;
import io.github.fraudflink.job.input.RouteInvalid;
import io.github.fraudflink.job.kafka.KafkaRecords;
import io.github.fraudflink.job.postgres.FraudLabelTable;
import io.github.fraudflink.job.postgres.PostgresSink;
import io.github.fraudflink.job.postgres.PostgresTable;
import io.github.fraudflink.job.postgres.ScoredTransactionTable;
import io.github.fraudflink.job.records.FeaturizedTransaction;
import io.github.fraudflink.job.records.ModelControl;
import io.github.fraudflink.job.records.ModelStatus;
import io.github.fraudflink.job.records.ParsedRecord;
import io.github.fraudflink.job.records.RecordTypes;
import io.github.fraudflink.job.records.ScoredTransaction;
import io.github.fraudflink.job.scoring.ScoreOperator;
import io.github.fraudflink.sql.SchemaMigrator;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * The fraud-scoring job. The data path, top-down:
 *
 * <pre>
 * transactions (Kafka) -> parse + validate -> (invalid) ------------------------> transactions-dlq (Kafka, exactly once)
 *                      -> keyBy(account_id) -> account features (keyed state)          ^
 *                      -> keyBy(terminal) -> terminal features (keyed state) <- labels | (invalid)
 *                      -> score (embedded model, micro-batched) -> scored-transactions (Kafka, exactly once)
 *                              ^ broadcast                      -> scored_transactions (PostgreSQL, exactly once; if configured)
 *                              |                                -> (side output) model-control-status (Kafka)
 * fraud-labels (Kafka) -> parse + validate -> keyBy(terminal) ---^ (labels join the terminal stage)
 *                                          -> fraud_labels (PostgreSQL, exactly once; if configured)
 * model-control (Kafka, compacted) -> broadcast -> fetched + verified beside the scorer (byte limit, deadline)
 *                                          -> live model per role (broadcast state, with its verified bytes)
 * </pre>
 *
 * <p>The terminal stage comes after the account stage: the account stage needs only the transaction, the terminal
 * stage needs the labels too and may hold a transaction while the labels lag, and one featurized record leaves it
 * with both feature groups, so no join of two feature streams is needed.
 *
 * Run it with {@code flink run fraud-job-*-job.jar --fraud.kafka.bootstrap-servers host:9092}, or
 * locally with {@code ./fraud demo}. Options: {@link JobOptions}.
 */
public final class FraudScoringJob {
    /** The suffixes of the prepared-transaction prefixes of the scoring job's PostgreSQL sinks (scored rows, labels). */
    public static final String PG_SCORED_SUFFIX = "-pg";
    public static final String PG_LABELS_SUFFIX = "-labels-pg";
    /** Rows per JDBC batch of the PostgreSQL sink. */
    static final int POSTGRES_BATCH_SIZE = 500;
    /** How long a PostgreSQL row-lock wait may last before the sink fails (and the job fails over). */
    static final Duration POSTGRES_LOCK_TIMEOUT = Duration.ofSeconds(60);

    private FraudScoringJob() {}

    public static void main(String[] args) throws Exception {
        Configuration conf = JobOptions.fromArgs(args);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        build(env, conf);
        env.execute("fraud-scoring");
    }

    /** Adds the whole pipeline to {@code env}. */
    public static void build(StreamExecutionEnvironment env, ReadableConfig conf) {
        build(env, conf, featurized -> featurized);
    }

    /**
     * The pipeline with {@code afterFeatures} applied to the featurized stream before scoring. The job passes the
     * identity; failure tests put an operator there that throws, inside the features task.
     */
    static void build(StreamExecutionEnvironment env, ReadableConfig conf,
            UnaryOperator<DataStream<FeaturizedTransaction>> afterFeatures) {
        build(env, conf, afterFeatures, true);
    }

    /**
     * The pipeline as {@link #build} adds it, without touching Kafka or PostgreSQL (no check that the topics exist,
     * no schema migration): for tools that only read the graph, such as the savepoint check.
     */
    public static void graph(StreamExecutionEnvironment env, ReadableConfig conf) {
        build(env, conf, featurized -> featurized, false);
    }

    private static void build(StreamExecutionEnvironment env, ReadableConfig conf,
            UnaryOperator<DataStream<FeaturizedTransaction>> afterFeatures, boolean connect) {
        JobOptions.validate(conf);
        java.util.List<String> inputs = new java.util.ArrayList<>(java.util.List.of(conf.get(JobOptions.TOPIC_TRANSACTIONS),
                conf.get(JobOptions.TOPIC_MODEL_CONTROL)));
        if (!conf.get(JobOptions.TOPIC_LABELS).isBlank()) {
            inputs.add(conf.get(JobOptions.TOPIC_LABELS));
        }
        if (connect) {
            TopicSetup.requireTopics(conf, inputs);
        }
        configureEnvironment(env, conf);
        String bootstrap = conf.get(JobOptions.BOOTSTRAP_SERVERS);

        SingleOutputStreamOperator<Transaction> transactions = env
                .fromSource(transactionSource(conf), watermarks(conf), "transactions")
                .uid("kafka-transactions-source")
                .process(RouteInvalid.transactions(), RecordTypes.TRANSACTION)
                .uid("route-invalid").name("parse + validate");

        SingleOutputStreamOperator<Label> labels = labelRecords(env, conf)
                .process(RouteInvalid.labels(), TypeInformation.of(Label.class))
                .uid("route-invalid-labels").name("parse + validate labels");

        transactions.getSideOutput(RouteInvalid.DEAD_LETTERS)
                .union(labels.getSideOutput(RouteInvalid.DEAD_LETTERS))
                .sinkTo(exactlyOnceSink(conf, bootstrap, "dlq", new KafkaRecords.DeadLetters(conf.get(JobOptions.TOPIC_DLQ))))
                .uid("kafka-dlq-sink").name("transactions-dlq");

        // every scoring instance sees every control event; the scorer keeps them in broadcast state
        DataStream<ModelControl> modelControl = env
                .fromSource(modelControlSource(conf), WatermarkStrategy.noWatermarks(), "model-control")
                .uid("kafka-model-control-source")
                .setParallelism(1)
                .broadcast();

        DataStream<FeaturizedTransaction> featurized = features(transactions, labels, conf, false);
        SingleOutputStreamOperator<ScoredTransaction> scored = score(afterFeatures.apply(featurized), modelControl, conf);

        scored.sinkTo(exactlyOnceSink(conf, bootstrap, "scored", new KafkaRecords.Scored(conf.get(JobOptions.TOPIC_SCORED))))
                .uid("kafka-scored-sink").name("scored-transactions");

        conf.getOptional(JobOptions.POSTGRES_URL).ifPresent(url -> {
            boolean restoring = isRestoring(env, conf);
            scored.sinkTo(postgresSink(conf, url, new ScoredTransactionTable(), PG_SCORED_SUFFIX, restoring, connect))
                    .uid("postgres-scored-sink").name("scored_transactions (PostgreSQL)");
            labels.sinkTo(postgresSink(conf, url, new FraudLabelTable(), PG_LABELS_SUFFIX, restoring, connect))
                    .uid("postgres-labels-sink").name("fraud_labels (PostgreSQL)");
            monitorLiveQuality(labels, conf, url);
        });

        scored.getSideOutput(ScoreOperator.STATUS)
                .sinkTo(KafkaSink.<ModelStatus>builder()
                        .setBootstrapServers(bootstrap)
                        .setRecordSerializer(new KafkaRecords.Status(conf.get(JobOptions.TOPIC_MODEL_STATUS)))
                        .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE) // operators watch it live
                        .build())
                .uid("kafka-model-status-sink").name("model-control-status");
    }

    /**
     * The keyed feature stages, shared by this job and the batch job: the account features (keyed by account), then
     * the terminal features (keyed by terminal, joined with the labels). One featurized record per transaction.
     *
     * @param sortedInputs true in Flink's batch execution mode, where each key's records come sorted by timestamp
     *     instead of in arrival order ({@link AccountFeaturesFunction}, {@link TerminalFeaturesFunction} say what they
     *     do about it); the terminal stage then needs no clock for silent inputs
     */
    public static DataStream<FeaturizedTransaction> features(DataStream<Transaction> transactions, DataStream<Label> labels,
            ReadableConfig conf, boolean sortedInputs) {
        org.apache.flink.streaming.api.datastream.ConnectedStreams<FeaturizedTransaction, Label> joined = transactions
                .keyBy(new AccountKey())
                .process(new AccountFeaturesFunction(new AccountFeatures(conf.get(JobOptions.FEATURE_SLACK),
                        conf.get(JobOptions.MAX_HISTORY)), conf.get(JobOptions.STATE_TTL), sortedInputs), RecordTypes.FEATURIZED)
                .uid("account-features").name("account features")
                .connect(labels)
                .keyBy(new TerminalFeaturesFunction.TransactionKey(), new TerminalFeaturesFunction.LabelKey());
        TerminalFeaturesFunction terminal = new TerminalFeaturesFunction(JobOptions.terminalFeatures(conf),
                JobOptions.terminalTtl(conf), conf.get(JobOptions.LABELS_MAX_WAIT), sortedInputs);
        if (sortedInputs) {
            return joined.process(terminal, RecordTypes.FEATURIZED).uid("terminal-features").name("terminal features");
        }
        return joined.transform("terminal features", RecordTypes.FEATURIZED, new TerminalStageClock<>(terminal,
                        conf.get(JobOptions.LABELS_IDLENESS), JobOptions.labelsFollowOffset(conf)))
                .uid("terminal-features");
    }

    /**
     * The scorer, shared by this job and the batch job: the featurized transactions scored by the live models, swapped
     * by the {@code modelControl} events (broadcast); until a champion arrives the model of {@code fraud.model.uri}.
     */
    public static SingleOutputStreamOperator<ScoredTransaction> score(DataStream<FeaturizedTransaction> featurized,
            DataStream<ModelControl> modelControl, ReadableConfig conf) {
        return featurized
                .connect(modelControl)
                .transform("score", TypeInformation.of(ScoredTransaction.class), new ScoreOperator(conf.get(JobOptions.MODEL_URI),
                        conf.getOptional(JobOptions.MODEL_SHA256).orElse(null),
                        conf.get(JobOptions.SCORE_BATCH_SIZE), conf.get(JobOptions.SCORE_BATCH_DELAY),
                        conf.get(JobOptions.MODEL_MAX_BYTES).getBytes(), conf.get(JobOptions.MODEL_LOAD_TIMEOUT),
                        JobOptions.drift(conf)))
                .uid("score");
    }

    /**
     * An exactly-once PostgreSQL sink of {@code table}, its prepared transactions named
     * {@code <fraud.kafka.transactional-id-prefix><prefixSuffix>:...} (each job its own suffix, so the scoring job's
     * and the loader's never mix even on the same prefix). Building it migrates the schema (Flyway, idempotent) and
     * checks that the server can prepare transactions and, for a start without a checkpoint, that no other job left
     * prepared transactions with this prefix: a wrong URL, password, server setting or leftover fails here, before
     * submission. With {@code connect} false, none of that: the sink only (for a graph that is read, not run).
     */
    static <T> PostgresSink<T> postgresSink(ReadableConfig conf, String url, PostgresTable<T> table, String prefixSuffix,
            boolean restoring, boolean connect) {
        String user = conf.get(JobOptions.POSTGRES_USER);
        PostgresSink<T> sink = new PostgresSink<>(table, url, user,
                conf.get(JobOptions.TRANSACTIONAL_ID_PREFIX) + prefixSuffix, POSTGRES_BATCH_SIZE, POSTGRES_LOCK_TIMEOUT,
                conf.get(JobOptions.POSTGRES_RETRY_TIMEOUT), conf.get(JobOptions.POSTGRES_ROLLBACK_FOREIGN_LEFTOVERS));
        if (!connect) {
            return sink;
        }
        SchemaMigrator.migrate(url, user, SchemaMigrator.passwordFromEnvironment());
        try {
            sink.checkServer(restoring);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL at " + url + ": " + e.getMessage(), e);
        }
        return sink;
    }

    /** Live precision and recall from the labels in PostgreSQL, as metrics: one instance beside the labels sink. */
    static void monitorLiveQuality(DataStream<Label> labels, ReadableConfig conf, String url) {
        labels.global()
                .transform("live quality (PostgreSQL)", TypeInformation.of(Void.class), JobOptions.liveQuality(conf, url))
                .setParallelism(1).setMaxParallelism(1).uid("live-quality");
    }

    /** Whether this submission restores from a savepoint or checkpoint ({@code flink run -s}). */
    static boolean isRestoring(StreamExecutionEnvironment env, ReadableConfig conf) {
        return conf.getOptional(StateRecoveryOptions.SAVEPOINT_PATH).isPresent()
                || env.getConfiguration().getOptional(StateRecoveryOptions.SAVEPOINT_PATH).isPresent();
    }

    /**
     * Generic types off (no Kryo), object reuse on, exactly-once checkpoints unless the cluster configures them.
     *
     * <p>Object reuse only removes the copy of each record between chained operators (network inputs always
     * deserialize a new object). It is safe here because no operator changes a record after emitting it or keeps
     * one it received to change later: every operator emits a new object (the parsers, the feature stages, the
     * scorer), and the chained sinks (Kafka, PostgreSQL) only read what they get.
     */
    static void configureEnvironment(StreamExecutionEnvironment env, ReadableConfig conf) {
        Configuration c = new Configuration();
        c.set(PipelineOptions.GENERIC_TYPES, false);
        c.set(PipelineOptions.OBJECT_REUSE, true);
        env.configure(c);
        // key groups: fixed by the first checkpoint, so set on purpose (pipeline.max-parallelism wins when given)
        if (env.getConfiguration().getOptional(PipelineOptions.MAX_PARALLELISM).isEmpty()
                && conf.getOptional(PipelineOptions.MAX_PARALLELISM).isEmpty()) {
            env.setMaxParallelism(conf.get(JobOptions.MAX_PARALLELISM));
        }
        if (!env.getCheckpointConfig().isCheckpointingEnabled()) {
            env.enableCheckpointing(conf.get(JobOptions.CHECKPOINT_INTERVAL).toMillis(), CheckpointingMode.EXACTLY_ONCE);
        }
    }

    static KafkaSource<ParsedRecord> transactionSource(ReadableConfig conf) {
        TransactionParser parser = JobOptions.transactionParser(conf);
        KafkaSourceBuilder<ParsedRecord> b = KafkaSource.<ParsedRecord>builder()
                .setBootstrapServers(conf.get(JobOptions.BOOTSTRAP_SERVERS))
                .setTopics(conf.get(JobOptions.TOPIC_TRANSACTIONS))
                .setGroupId(conf.get(JobOptions.GROUP_ID))
                .setStartingOffsets(startingOffsets(conf))
                .setProperty("isolation.level", "read_committed")
                .setDeserializer(InputDeserializer.transactions(parser, conf.get(JobOptions.DLQ_MAX_VALUE_BYTES)));
        if (conf.get(JobOptions.SOURCE_BOUNDED)) {
            b.setBounded(OffsetsInitializer.latest());
        }
        return b.build();
    }

    /**
     * The labels topic's records, or with {@code fraud.kafka.topic.labels} empty (no labels at all) an empty stream
     * that ends at once: its watermark is then the end of time and no transaction ever waits for labels.
     */
    static DataStream<ParsedRecord> labelRecords(StreamExecutionEnvironment env, ReadableConfig conf) {
        if (conf.get(JobOptions.TOPIC_LABELS).isBlank()) {
            return env.fromSequence(0, 0).uid("no-labels-source").name("no labels")
                    .flatMap((Long x, org.apache.flink.util.Collector<ParsedRecord> out) -> { }) // emits nothing, then ends
                    .returns(TypeInformation.of(ParsedRecord.class)).uid("no-labels").name("no labels");
        }
        return env.fromSource(labelSource(conf, conf.get(JobOptions.GROUP_ID) + "-labels"), labelWatermarks(conf), "fraud-labels")
                .uid("kafka-labels-source");
    }

    /** Without a checkpoint: the group's committed offsets (else the earliest), or the first record at the start timestamp. */
    static OffsetsInitializer startingOffsets(ReadableConfig conf) {
        return conf.getOptional(JobOptions.START_FROM_TIMESTAMP).map(OffsetsInitializer::timestamp)
                .orElse(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST));
    }

    static KafkaSource<ParsedRecord> labelSource(ReadableConfig conf, String groupId) {
        LabelParser parser = JobOptions.labelParser(conf);
        KafkaSourceBuilder<ParsedRecord> b = KafkaSource.<ParsedRecord>builder()
                .setBootstrapServers(conf.get(JobOptions.BOOTSTRAP_SERVERS))
                .setTopics(conf.get(JobOptions.TOPIC_LABELS))
                .setGroupId(groupId)
                .setStartingOffsets(startingOffsets(conf))
                .setProperty("isolation.level", "read_committed")
                .setDeserializer(InputDeserializer.labels(parser, conf.get(JobOptions.DLQ_MAX_VALUE_BYTES)));
        if (conf.get(JobOptions.SOURCE_BOUNDED)) {
            b.setBounded(OffsetsInitializer.latest());
        }
        return b.build();
    }

    /**
     * Labels carry {@code known_at + L - d} as event time ({@link TerminalFeaturesFunction#labelTimestamp}; known_at:
     * when the label entered the system, its record timestamp unless it says otherwise): the terminal stage's
     * watermark then says when a transaction's labels are all in.
     */
    static WatermarkStrategy<ParsedRecord> labelWatermarks(ReadableConfig conf) {
        Duration delay = conf.get(JobOptions.LABEL_DELAY);
        Duration lag = conf.get(JobOptions.LABEL_LAG);
        return WatermarkStrategy.<ParsedRecord>forBoundedOutOfOrderness(conf.get(JobOptions.LABELS_OUT_OF_ORDERNESS))
                .withTimestampAssigner((r, kafkaTimestamp) -> r.label == null ? r.timestamp()
                        : TerminalFeaturesFunction.labelTimestamp(r.label, delay, lag))
                .withIdleness(conf.get(JobOptions.LABELS_IDLENESS));
    }

    /** The compacted control topic, always from its beginning: the last event per model is its wanted state. */
    static KafkaSource<ModelControl> modelControlSource(ReadableConfig conf) {
        KafkaSourceBuilder<ModelControl> b = KafkaSource.<ModelControl>builder()
                .setBootstrapServers(conf.get(JobOptions.BOOTSTRAP_SERVERS))
                .setTopics(conf.get(JobOptions.TOPIC_MODEL_CONTROL))
                .setGroupId(conf.get(JobOptions.GROUP_ID) + "-model-control")
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(new KafkaRecords.Control());
        if (conf.get(JobOptions.SOURCE_BOUNDED)) {
            b.setBounded(OffsetsInitializer.latest());
        }
        return b.build();
    }

    static WatermarkStrategy<ParsedRecord> watermarks(ReadableConfig conf) {
        return WatermarkStrategy.<ParsedRecord>forBoundedOutOfOrderness(conf.get(JobOptions.OUT_OF_ORDERNESS))
                .withTimestampAssigner((r, kafkaTimestamp) -> r.timestamp())
                .withIdleness(conf.get(JobOptions.IDLENESS));
    }

    static <T> KafkaSink<T> exactlyOnceSink(ReadableConfig conf, String bootstrap, String name,
            org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema<T> serializer) {
        Properties p = new Properties();
        p.setProperty("transaction.timeout.ms", Long.toString(conf.get(JobOptions.TRANSACTION_TIMEOUT).toMillis()));
        // big compressed batches: the broker, on the same machine, handles a quarter of the bytes (BENCHMARKS.md)
        p.setProperty("linger.ms", Long.toString(conf.get(JobOptions.PRODUCER_LINGER).toMillis()));
        p.setProperty("batch.size", Integer.toString(conf.get(JobOptions.PRODUCER_BATCH_BYTES)));
        p.setProperty("compression.type", conf.get(JobOptions.PRODUCER_COMPRESSION));
        return KafkaSink.<T>builder()
                .setBootstrapServers(bootstrap)
                .setRecordSerializer(serializer)
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(conf.get(JobOptions.TRANSACTIONAL_ID_PREFIX) + "-" + name)
                .setKafkaProducerConfig(p)
                .build();
    }

    /** The key of the features state: the account. */
    public static final class AccountKey implements KeySelector<Transaction, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(Transaction t) {
            return t.accountId;
        }
    }
}
