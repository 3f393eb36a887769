package io.github.fraudflink.job;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.time.Duration;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.util.ParameterTool;

/**
 * Every configuration key of the job, with its default: the one documented set (docs/configuration.md).
 *
 * <p>Keys come from the command line ({@code --fraud.kafka.bootstrap-servers host:9092}) or from Flink's
 * configuration; command-line values win. Secrets never go here: they are read from the environment.
 */
public final class JobOptions {
    public static final ConfigOption<String> BOOTSTRAP_SERVERS = key("fraud.kafka.bootstrap-servers")
            .stringType().defaultValue("localhost:9092").withDescription("Kafka bootstrap servers.");
    public static final ConfigOption<String> TOPIC_TRANSACTIONS = key("fraud.kafka.topic.transactions")
            .stringType().defaultValue("transactions").withDescription("Input topic, keyed by account_id.");
    public static final ConfigOption<String> TOPIC_LABELS = key("fraud.kafka.topic.labels")
            .stringType().defaultValue("fraud-labels").withDescription("Input: delayed labels (chargebacks, analyst verdicts), the labels contract of the README. Bad labels go to the DLQ. Empty: no labels (the terminal fraud shares stay 0, and no transaction waits for labels).");
    public static final ConfigOption<String> TOPIC_SCORED = key("fraud.kafka.topic.scored")
            .stringType().defaultValue("scored-transactions").withDescription("Output topic (transactional).");
    public static final ConfigOption<String> TOPIC_DLQ = key("fraud.kafka.topic.dlq")
            .stringType().defaultValue("transactions-dlq").withDescription("Dead-letter topic: original bytes and the reason.");
    public static final ConfigOption<String> TOPIC_MODEL_CONTROL = key("fraud.kafka.topic.model-control")
            .stringType().defaultValue("model-control").withDescription("Compacted topic of model-control events (key: the model name; the registry keys by role), read from the beginning.");
    public static final ConfigOption<String> TOPIC_MODEL_STATUS = key("fraud.kafka.topic.model-status")
            .stringType().defaultValue("model-control-status").withDescription("Where each scoring instance reports models going live, rejected or retired.");
    public static final ConfigOption<String> GROUP_ID = key("fraud.kafka.group-id")
            .stringType().defaultValue("fraud-scoring").withDescription("Consumer group of the source (offsets are kept in checkpoints; the group only shows progress).");
    public static final ConfigOption<String> TRANSACTIONAL_ID_PREFIX = key("fraud.kafka.transactional-id-prefix")
            .stringType().defaultValue("fraud-scoring").withDescription("Prefix of the Kafka transactional ids of the exactly-once sinks: unique per job on a cluster.");
    public static final ConfigOption<Duration> TRANSACTION_TIMEOUT = key("fraud.kafka.transaction-timeout")
            .durationType().defaultValue(Duration.ofMinutes(10)).withDescription("Kafka transaction timeout of the sinks. Must be below the broker's transaction.max.timeout.ms (15 min by default) and well above the checkpoint interval plus the longest expected restart.");
    public static final ConfigOption<Duration> PRODUCER_LINGER = key("fraud.kafka.producer.linger")
            .durationType().defaultValue(Duration.ofMillis(20)).withDescription("How long the exactly-once sinks' producers wait to fill a batch (linger.ms). Output becomes visible at each checkpoint anyway, so this adds nothing a reader sees.");
    public static final ConfigOption<Integer> PRODUCER_BATCH_BYTES = key("fraud.kafka.producer.batch-bytes")
            .intType().defaultValue(256 * 1024).withDescription("Largest batch per partition of the exactly-once sinks' producers (batch.size).");
    public static final ConfigOption<String> PRODUCER_COMPRESSION = key("fraud.kafka.producer.compression")
            .stringType().defaultValue("lz4").withDescription("Compression of the exactly-once sinks' batches (compression.type: none, gzip, snappy, lz4, zstd).");
    public static final ConfigOption<Boolean> SOURCE_BOUNDED = key("fraud.source.bounded")
            .booleanType().defaultValue(false).withDescription("Stop when the input offsets that were latest at start are reached (replays, tests).");
    public static final ConfigOption<Long> START_FROM_TIMESTAMP = key("fraud.source.start-timestamp")
            .longType().noDefaultValue().withDescription("Without a checkpoint to restore, start reading at the first record with this Kafka timestamp (epoch ms) instead of the group's committed offsets (else the earliest).");
    public static final ConfigOption<Duration> OUT_OF_ORDERNESS = key("fraud.watermark.out-of-orderness")
            .durationType().defaultValue(Duration.ofMinutes(1)).withDescription("Bounded out-of-orderness of event time within a partition.");
    public static final ConfigOption<Duration> IDLENESS = key("fraud.watermark.idleness")
            .durationType().defaultValue(Duration.ofSeconds(30)).withDescription("A partition with no events for this long does not hold the watermark back.");
    public static final ConfigOption<Duration> FEATURE_SLACK = key("fraud.features.slack")
            .durationType().defaultValue(Duration.ofDays(1)).withDescription("Event time kept beyond the 30-day window: how late an event may be and still be counted, and how long duplicates are recognised.");
    public static final ConfigOption<Integer> MAX_HISTORY = key("fraud.features.max-history")
            .intType().defaultValue(1000).withDescription("Most transactions an account's history keeps, whatever its rate (a card-testing burst). Past it the oldest are dropped, counted in history_evicted_total; counts then cover the newest ones only.");
    public static final ConfigOption<Duration> LABEL_DELAY = key("fraud.labels.delay")
            .durationType().defaultValue(Duration.ofDays(7)).withDescription("The terminal features' label delay d: a transaction at t counts the terminal's transactions in (t - d - w, t - d], the period whose labels have mostly arrived. Must match the model's training (the trainer's protocol delay).");
    public static final ConfigOption<Duration> LABEL_LAG = key("fraud.labels.lag")
            .durationType().defaultValue(Duration.ofMinutes(1)).withDescription("A transaction at t counts the labels known by t minus this lag, so it never waits for labels that are still on their way. Must be larger than fraud.labels.out-of-orderness plus the labels' delivery delay, or transactions wait for the labels' watermark.");
    public static final ConfigOption<Duration> LABELS_OUT_OF_ORDERNESS = key("fraud.labels.out-of-orderness")
            .durationType().defaultValue(Duration.ofSeconds(5)).withDescription("Bounded out-of-orderness of known_at (the label's record timestamp, or its known_at field) within a labels partition.");
    public static final ConfigOption<Duration> LABELS_IDLENESS = key("fraud.labels.idleness")
            .durationType().defaultValue(Duration.ofSeconds(10)).withDescription("A labels partition without labels for this long no longer holds the labels' watermark back; labels silent this long have caught up, and their watermark then follows the transactions' (a live transaction never waits for a quiet, bursty or paused labels feed, and labels that come back on time count on time). A transactions input silent this long no longer holds the terminal stage's event time (a Kafka partition without records since a restart never reports itself idle). At start with an empty labels topic, transactions wait this long once. Must be shorter than fraud.labels.lag minus fraud.labels.out-of-orderness (checked at start).");
    public static final ConfigOption<Duration> LABELS_MAX_WAIT = key("fraud.labels.max-wait")
            .durationType().defaultValue(Duration.ofMinutes(10)).withDescription("Last resort: the longest a transaction waits for the terminal stage's watermark (processing time). Past it, it is scored with the transactions and labels that are in, counted in terminal_released_unaligned_total, and may differ from a replay. A live transaction does not wait at all while labels flow; one catching up after a restart waits while the slowest partition catches up, which under backpressure can take a while: keep this well above that.");
    public static final ConfigOption<Integer> TERMINAL_MAX_HISTORY = key("fraud.terminal.max-history")
            .intType().defaultValue(io.github.fraudflink.features.TerminalFeatures.DEFAULT_MAX_HISTORY).withDescription("Most transactions (and as many labels) a terminal's history keeps over its d + 30 days, whatever its rate. Past it the oldest are dropped, counted in terminal_history_evicted_total; the 30-day count then saturates at this value.");
    public static final ConfigOption<Duration> STATE_TTL = key("fraud.state.ttl")
            .durationType().defaultValue(Duration.ofDays(31)).withDescription("Processing-time TTL of an idle account's state. Must be at least the 30-day window plus fraud.features.slack (checked at start).");
    public static final ConfigOption<Integer> MAX_PARALLELISM = key("fraud.max-parallelism")
            .intType().defaultValue(128).withDescription("Key groups of the keyed state, used unless pipeline.max-parallelism is set: the most parallel subtasks the job can ever be rescaled to. Fixed by the first checkpoint or savepoint; changing it later makes old savepoints unreadable.");
    public static final ConfigOption<String> MODEL_URI = key("fraud.model.uri")
            .stringType().defaultValue("classpath:models/default/manifest.json").withDescription("Manifest of the model that scores until a champion arrives on the model-control topic (file://, http(s)://, classpath:).");
    public static final ConfigOption<String> MODEL_SHA256 = key("fraud.model.sha256")
            .stringType().noDefaultValue().withDescription("Optional sha256 of that manifest; the job refuses to start on a mismatch.");
    public static final ConfigOption<org.apache.flink.configuration.MemorySize> MODEL_MAX_BYTES = key("fraud.model.max-bytes")
            .memoryType().defaultValue(org.apache.flink.configuration.MemorySize.ofMebiBytes(io.github.fraudflink.model.ModelLoader.DEFAULT_MAX_BYTES >> 20))
            .withDescription("Most bytes of one model artifact (manifest and files together). A control event whose artifact is larger, or a manifest_uri naming a device or an endless stream, is rejected (too_large) before it fills the TaskManager's memory. The verified bytes of each live model are kept in the scorer's broadcast state (written with every checkpoint), so a restore does not need the artifact store.");
    public static final ConfigOption<Duration> MODEL_LOAD_TIMEOUT = key("fraud.model.load-timeout")
            .durationType().defaultValue(io.github.fraudflink.model.ModelLoader.DEFAULT_TIMEOUT)
            .withDescription("Deadline of one model load: connecting, the headers, the whole body of every file, and verifying (schema, golden sample). Past it the model is rejected (timeout) and the next control event loads. Loads run beside the scorer, which keeps scoring with the models it has.");
    public static final ConfigOption<Integer> SCORE_BATCH_SIZE = key("fraud.score.batch-size")
            .intType().defaultValue(64).withDescription("Rows scored in one model call at most.");
    public static final ConfigOption<Duration> SCORE_BATCH_DELAY = key("fraud.score.batch-delay")
            .durationType().defaultValue(Duration.ofMillis(5)).withDescription("Longest time a row waits for its batch to fill (added latency).");
    public static final ConfigOption<Duration> DRIFT_WINDOW = key("fraud.drift.window")
            .durationType().defaultValue(Duration.ofDays(1))
            .withDescription("Event time over which each scoring instance compares a live model's features and score with the reference distributions in its manifest (fraud_drift_psi). It slides by whole slices. A day: features that follow the time of day (counts in the last hour) are compared over whole days, as in the training data; a break shows within hours (docs/model-hot-swap.md, Drift).");
    public static final ConfigOption<Integer> DRIFT_SLICES = key("fraud.drift.slices")
            .intType().defaultValue(24).withDescription("Slices of the drift window: it slides by window / slices of event time.");
    public static final ConfigOption<Long> DRIFT_MIN_EVENTS = key("fraud.drift.min-events")
            .longType().defaultValue(1_000L)
            .withDescription("Events the drift window of a scoring instance must hold before it reports a PSI (below it, NaN: too few to tell).");
    public static final ConfigOption<Duration> CHECKPOINT_INTERVAL = key("fraud.checkpoint.interval")
            .durationType().defaultValue(Duration.ofSeconds(2)).withDescription("Exactly-once checkpoint interval, unless execution.checkpointing.interval is set. Output becomes visible to read_committed consumers at each checkpoint.");
    public static final ConfigOption<String> POSTGRES_URL = key("fraud.postgres.url")
            .stringType().noDefaultValue().withDescription("JDBC URL of a PostgreSQL database (jdbc:postgresql://host:5432/db): when set, scored transactions also go to its table scored_transactions, exactly once, and the schema is migrated at start. The password comes only from the environment variable FRAUD_POSTGRES_PASSWORD (of the client and every task manager), never from a key or the URL.");
    public static final ConfigOption<String> POSTGRES_USER = key("fraud.postgres.user")
            .stringType().defaultValue("fraud").withDescription("PostgreSQL user of the sink and the migrations.");
    public static final ConfigOption<Duration> POSTGRES_RETRY_TIMEOUT = key("fraud.postgres.retry-timeout")
            .durationType().defaultValue(Duration.ofMinutes(2)).withDescription("How long the PostgreSQL sink keeps reconnecting to a lost database (writing the open transaction again) before it fails and the job fails over. Keep it below execution.checkpointing.timeout.");
    public static final ConfigOption<Boolean> POSTGRES_ROLLBACK_FOREIGN_LEFTOVERS = key("fraud.postgres.rollback-foreign-leftovers")
            .booleanType().defaultValue(false).withDescription("Whether a start without a checkpoint may roll back prepared transactions that another job left with the same prefix. Off: such a start is refused, since a completed checkpoint of that job may cover them.");
    public static final ConfigOption<Duration> QUALITY_WINDOW = key("fraud.quality.window")
            .durationType().defaultValue(Duration.ofDays(1)).withDescription("Live quality (with PostgreSQL): the labels that reached the database in this last window are matched with their decisions for the fraud_live_* metrics.");
    public static final ConfigOption<Duration> QUALITY_REFRESH = key("fraud.quality.refresh")
            .durationType().defaultValue(Duration.ofSeconds(30)).withDescription("How often the live quality metrics are read from PostgreSQL.");
    public static final ConfigOption<Double> QUALITY_MIN_PRECISION = key("fraud.quality.min-precision")
            .doubleType().defaultValue(0.2).withDescription("Live precision floor: below it (with enough labels) the metric below_floor is 1 and the alert FraudLiveQualityLow fires.");
    public static final ConfigOption<Double> QUALITY_MIN_RECALL = key("fraud.quality.min-recall")
            .doubleType().defaultValue(0.2).withDescription("Live recall floor, as fraud.quality.min-precision.");
    public static final ConfigOption<Long> QUALITY_MIN_LABELLED = key("fraud.quality.min-labelled")
            .longType().defaultValue(200L).withDescription("Labelled decisions in the window needed before the floors are judged.");
    public static final ConfigOption<Integer> DLQ_MAX_VALUE_BYTES = key("fraud.dlq.max-value-bytes")
            .intType().defaultValue(64 * 1024).withDescription("A dead letter keeps at most this many bytes of the original value (and 1 KiB of the key), with headers giving the full size and its sha256, so it always fits the producer's limits.");
    public static final ConfigOption<Integer> MAX_MESSAGE_BYTES = key("fraud.parser.max-message-bytes")
            .intType().defaultValue(64 * 1024).withDescription("Larger input messages go to the DLQ.");
    public static final ConfigOption<Double> MIN_AMOUNT = key("fraud.parser.min-amount")
            .doubleType().defaultValue(0.001).withDescription("Smaller amounts go to the DLQ (amount_too_small).");
    public static final ConfigOption<String> MIN_EVENT_TIME = key("fraud.parser.min-event-time")
            .stringType().defaultValue("2000-01-01T00:00:00Z").withDescription("Earlier event times go to the DLQ (event_time_too_old): epoch seconds sent as milliseconds land in 1970.");
    public static final ConfigOption<Double> MAX_AMOUNT = key("fraud.parser.max-amount")
            .doubleType().defaultValue(1_000_000d).withDescription("Larger amounts go to the DLQ.");
    public static final ConfigOption<Duration> MAX_FUTURE_SKEW = key("fraud.parser.max-future-skew")
            .durationType().defaultValue(Duration.ofDays(1)).withDescription("Event times further than this past the Kafka record timestamp go to the DLQ. Must not exceed fraud.features.slack (checked at start): one event this far ahead must not prune history still inside the window.");

    /** All options, for documentation and validation. */
    public static final ConfigOption<?>[] ALL = {
        BOOTSTRAP_SERVERS, TOPIC_TRANSACTIONS, TOPIC_LABELS, TOPIC_SCORED, TOPIC_DLQ, TOPIC_MODEL_CONTROL, TOPIC_MODEL_STATUS, GROUP_ID, TRANSACTIONAL_ID_PREFIX,
        TRANSACTION_TIMEOUT, PRODUCER_LINGER, PRODUCER_BATCH_BYTES, PRODUCER_COMPRESSION, SOURCE_BOUNDED, START_FROM_TIMESTAMP, OUT_OF_ORDERNESS, IDLENESS, FEATURE_SLACK, MAX_HISTORY, LABEL_DELAY, LABEL_LAG, LABELS_OUT_OF_ORDERNESS, LABELS_IDLENESS, LABELS_MAX_WAIT, TERMINAL_MAX_HISTORY, STATE_TTL, MAX_PARALLELISM, MODEL_URI,
        MODEL_SHA256, MODEL_MAX_BYTES, MODEL_LOAD_TIMEOUT, SCORE_BATCH_SIZE, SCORE_BATCH_DELAY, DRIFT_WINDOW, DRIFT_SLICES,
        DRIFT_MIN_EVENTS, CHECKPOINT_INTERVAL, POSTGRES_URL, POSTGRES_USER,
        POSTGRES_RETRY_TIMEOUT, POSTGRES_ROLLBACK_FOREIGN_LEFTOVERS, QUALITY_WINDOW, QUALITY_REFRESH, QUALITY_MIN_PRECISION,
        QUALITY_MIN_RECALL, QUALITY_MIN_LABELLED, DLQ_MAX_VALUE_BYTES, MAX_MESSAGE_BYTES, MIN_AMOUNT,
        MIN_EVENT_TIME, MAX_AMOUNT, MAX_FUTURE_SKEW,
    };

    private JobOptions() {}

    /** The scorer's drift settings ({@code fraud.drift.*}), checked. */
    public static io.github.fraudflink.job.scoring.DriftSettings drift(org.apache.flink.configuration.ReadableConfig conf) {
        return new io.github.fraudflink.job.scoring.DriftSettings(conf.get(DRIFT_WINDOW), conf.get(DRIFT_SLICES),
                conf.get(DRIFT_MIN_EVENTS));
    }

    /**
     * Checks the keys that only make sense together, before anything runs; the message names the keys and the fix.
     *
     * @throws IllegalArgumentException on the first inconsistency
     */
    public static void validate(org.apache.flink.configuration.ReadableConfig conf) {
        if (!java.util.List.of("none", "gzip", "snappy", "lz4", "zstd").contains(conf.get(PRODUCER_COMPRESSION))
                || conf.get(PRODUCER_BATCH_BYTES) < 1 || conf.get(PRODUCER_LINGER).isNegative()) {
            throw new IllegalArgumentException(PRODUCER_COMPRESSION.key() + " must be one of none, gzip, snappy, lz4, zstd"
                    + " (got " + conf.get(PRODUCER_COMPRESSION) + "), " + PRODUCER_BATCH_BYTES.key() + " at least 1 (got "
                    + conf.get(PRODUCER_BATCH_BYTES) + ") and " + PRODUCER_LINGER.key() + " not negative (got "
                    + conf.get(PRODUCER_LINGER) + ")");
        }
        Duration slack = conf.get(FEATURE_SLACK);
        Duration retention = new io.github.fraudflink.features.AccountFeatures(slack).retention();
        if (conf.get(STATE_TTL).compareTo(retention) < 0) {
            throw new IllegalArgumentException(STATE_TTL.key() + " = " + conf.get(STATE_TTL) + " is shorter than the 30-day"
                    + " window plus " + FEATURE_SLACK.key() + " (" + retention + "): an account idle that long would lose"
                    + " history still inside its window; set " + STATE_TTL.key() + " to at least " + retention);
        }
        if (conf.get(MAX_FUTURE_SKEW).compareTo(slack) > 0) {
            throw new IllegalArgumentException(MAX_FUTURE_SKEW.key() + " = " + conf.get(MAX_FUTURE_SKEW) + " exceeds "
                    + FEATURE_SLACK.key() + " = " + slack + ": one accepted event that far ahead would prune history"
                    + " still inside the window of the others; lower the skew or raise the slack");
        }
        if (conf.get(LABEL_DELAY).isNegative() || conf.get(LABEL_LAG).isNegative()) {
            throw new IllegalArgumentException(LABEL_DELAY.key() + " and " + LABEL_LAG.key() + " must not be negative");
        }
        if (conf.get(LABELS_IDLENESS).plus(conf.get(LABELS_OUT_OF_ORDERNESS)).compareTo(conf.get(LABEL_LAG)) >= 0) {
            throw new IllegalArgumentException(LABELS_IDLENESS.key() + " (" + conf.get(LABELS_IDLENESS) + ") plus "
                    + LABELS_OUT_OF_ORDERNESS.key() + " (" + conf.get(LABELS_OUT_OF_ORDERNESS) + ") must be shorter than "
                    + LABEL_LAG.key() + " (" + conf.get(LABEL_LAG) + "): otherwise live transactions wait for a silent"
                    + " labels feed; raise the lag or lower the idleness");
        }
        if (conf.get(MAX_HISTORY) < 1 || conf.get(TERMINAL_MAX_HISTORY) < 1) {
            throw new IllegalArgumentException(MAX_HISTORY.key() + " and " + TERMINAL_MAX_HISTORY.key() + " must be at least 1");
        }
        if (conf.get(DLQ_MAX_VALUE_BYTES) < 0 || conf.get(DLQ_MAX_VALUE_BYTES) > 512 * 1024) {
            throw new IllegalArgumentException(DLQ_MAX_VALUE_BYTES.key() + " must be between 0 and 524288 (half the"
                    + " producer's default request size, so a dead letter with its headers always fits)");
        }
        try {
            java.time.Instant.parse(conf.get(MIN_EVENT_TIME));
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException(MIN_EVENT_TIME.key() + " must be an ISO-8601 instant such as"
                    + " 2000-01-01T00:00:00Z, got " + conf.get(MIN_EVENT_TIME));
        }
    }

    /** The live quality monitor of the labels in {@code url} (see {@link io.github.fraudflink.job.postgres.LiveQualityMonitor}). */
    public static io.github.fraudflink.job.postgres.LiveQualityMonitor liveQuality(org.apache.flink.configuration.ReadableConfig conf, String url) {
        return new io.github.fraudflink.job.postgres.LiveQualityMonitor(url, conf.get(POSTGRES_USER), conf.get(QUALITY_WINDOW),
                conf.get(QUALITY_REFRESH), new io.github.fraudflink.job.postgres.LiveQualityMonitor.Floors(
                        conf.get(QUALITY_MIN_PRECISION), conf.get(QUALITY_MIN_RECALL), conf.get(QUALITY_MIN_LABELLED)));
    }

    /** The transactions' contract as this configuration sets it ({@code fraud.parser.*}): the job's parser, and the API's. */
    public static io.github.fraudflink.features.TransactionParser transactionParser(org.apache.flink.configuration.ReadableConfig conf) {
        return new io.github.fraudflink.features.TransactionParser(conf.get(MAX_MESSAGE_BYTES), conf.get(MIN_AMOUNT),
                conf.get(MAX_AMOUNT), conf.get(MAX_FUTURE_SKEW), java.time.Instant.parse(conf.get(MIN_EVENT_TIME)));
    }

    /** The labels' contract as this configuration sets it ({@code fraud.parser.*}): the job's parser, and the API's. */
    public static io.github.fraudflink.features.LabelParser labelParser(org.apache.flink.configuration.ReadableConfig conf) {
        return new io.github.fraudflink.features.LabelParser(conf.get(MAX_MESSAGE_BYTES), conf.get(MAX_FUTURE_SKEW),
                java.time.Instant.parse(conf.get(MIN_EVENT_TIME)));
    }

    /** The terminal features the job computes, from the configuration. */
    public static io.github.fraudflink.features.TerminalFeatures terminalFeatures(org.apache.flink.configuration.ReadableConfig conf) {
        return new io.github.fraudflink.features.TerminalFeatures(conf.get(LABEL_DELAY), conf.get(LABEL_LAG),
                conf.get(TERMINAL_MAX_HISTORY));
    }

    /**
     * What a silent labels input's watermark is, relative to the transactions' watermark
     * ({@link io.github.fraudflink.job.features.TerminalStageClock}): the transactions' frontier (their watermark plus
     * their out-of-orderness) less the labels' out-of-orderness, in the labels' domain ({@code known_at + L - d}).
     */
    public static Duration labelsFollowOffset(org.apache.flink.configuration.ReadableConfig conf) {
        return conf.get(OUT_OF_ORDERNESS).minus(conf.get(LABELS_OUT_OF_ORDERNESS)).plus(conf.get(LABEL_LAG))
                .minus(conf.get(LABEL_DELAY));
    }

    /** How long an idle terminal's history lives: the label delay, the 30-day window and the slack. */
    public static Duration terminalTtl(org.apache.flink.configuration.ReadableConfig conf) {
        return conf.get(LABEL_DELAY).plusDays(30).plus(conf.get(FEATURE_SLACK));
    }

    /** A configuration from {@code --key value} arguments (Flink's {@link ParameterTool} syntax). */
    public static Configuration fromArgs(String[] args) {
        return fromArgs(args, java.util.List.of());
    }

    /** The same for a job that also reads {@code extra} keys (the batch job's). */
    public static Configuration fromArgs(String[] args, java.util.List<ConfigOption<?>> extra) {
        Map<String, String> m = ParameterTool.fromArgs(args).toMap();
        checkKnown(m.keySet(), extra);
        return Configuration.fromMap(m);
    }

    /** Refuses a {@code fraud.*} key that is neither one of these nor of {@code extra}: a typo never falls back to a default. */
    public static void checkKnown(Iterable<String> keys, java.util.List<ConfigOption<?>> extra) {
        for (String k : keys) {
            if (k.startsWith("fraud.") && java.util.Arrays.stream(ALL).noneMatch(o -> o.key().equals(k))
                    && extra.stream().noneMatch(o -> o.key().equals(k))) {
                throw new IllegalArgumentException("unknown option --" + k + "; known options are listed in"
                        + " docs/configuration.md");
            }
        }
    }
}
