package io.github.fraudflink.cli.demo;

import io.github.fraudflink.cli.common.Progress;
import io.github.fraudflink.cli.local.LocalEnvironment;
import io.github.fraudflink.job.JobOptions;
import io.github.fraudflink.job.postgres.PostgresSessions;
import io.github.fraudflink.job.records.ScoredTransaction;
import io.github.fraudflink.job.kafka.ScoredTransactionJson;
import io.github.fraudflink.local.KafkaIO;
import io.github.fraudflink.sql.SchemaMigrator;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import me.tongfei.progressbar.ProgressBar;

/**
 * The demo's verification: follows the scored and dead-letter topics ({@code read_committed}, from their end when
 * created) and the run's rows in PostgreSQL (scored transactions and labels) until every produced event and label is
 * accounted for, counting duplicates and the visibility latency of each scored transaction.
 */
final class DemoOutput implements AutoCloseable {
    private final KafkaIO.CommittedReader scored;
    private final KafkaIO.CommittedReader dlq;
    private final RowCounter rows;
    private final LocalEnvironment env;
    private final Tally tally = new Tally();

    /** Starts reading at the current end of both topics: create it before the workload is produced. */
    DemoOutput(LocalEnvironment env, String idPrefix) {
        this.env = env;
        this.scored = new KafkaIO.CommittedReader(env.bootstrapServers(), env.configuration().get(JobOptions.TOPIC_SCORED), true);
        this.dlq = new KafkaIO.CommittedReader(env.bootstrapServers(), env.configuration().get(JobOptions.TOPIC_DLQ), true);
        this.rows = env.postgresUrl() == null ? null : new RowCounter(env.postgresUrl(), env.postgresUser(), idPrefix);
    }

    /**
     * Reads until the producer is done and every valid event is scored (and in PostgreSQL, with every label sent),
     * every bad one dead-lettered;
     * fails on a producer failure, a job that ends, or after {@code timeout} from {@code start} (System.nanoTime()).
     */
    void awaitComplete(DemoWorkload.Produced produced, CompletableFuture<Void> producing, long start, Duration timeout, long events)
            throws Exception {
        long deadline = start + timeout.toNanos();
        boolean produceDone = false;
        try (ProgressBar pb = Progress.bar("scored", events)) {
            while (!producing.isDone() || tally.ids.size() < produced.valid || dlq.count() < produced.bad
                    || (rows != null && (rows.count < produced.valid || rows.labels < produced.labels))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("timed out after " + timeout + " with " + tally.ids.size() + " of "
                            + produced.valid + " scored, " + dlq.count() + " of " + produced.bad + " dead letters"
                            + (rows == null ? "" : " and " + rows.count + " rows and " + rows.labels + " of " + produced.labels
                                    + " labels in PostgreSQL")
                            + "; see the log for the job's errors, or raise --timeout");
                }
                if (producing.isCompletedExceptionally()) {
                    producing.join(); // throws what stopped the producer
                }
                if (producing.isDone() && !produceDone) {
                    produceDone = true;
                    pb.maxHint(produced.valid);
                }
                if (rows != null) {
                    rows.refresh(start);
                }
                env.checkJobRunning();
                scored.poll(Duration.ofMillis(100), r -> tally.add(ScoredTransactionJson.read(r.value())));
                dlq.poll(Duration.ZERO, r -> { });
                pb.stepTo(tally.ids.size());
                pb.setExtraMessage(" produced " + produced.sent + (produced.labels == 0 ? "" : ", labels " + produced.labels));
            }
        }
    }

    Tally tally() {
        return tally;
    }

    long deadLetters() {
        return dlq.count();
    }

    /** The PostgreSQL rows, null without PostgreSQL. */
    RowCounter rows() {
        return rows;
    }

    @Override
    public void close() {
        try (scored; dlq) {
            // both readers closed, even if one fails
        }
    }

    /** Counts of the scored output, checked for duplicates. */
    static final class Tally {
        final Set<String> ids = new HashSet<>();
        final Set<String> flaggedIds = new HashSet<>();
        /** Distinct scored transactions per decision band, in the order approve, review, decline. */
        final java.util.Map<String, Long> bands = new java.util.LinkedHashMap<>();
        /** Distinct scored transactions whose decision carries reasons. */
        long explained;
        long duplicates;

        Tally() {
            for (io.github.fraudflink.model.Decision d : io.github.fraudflink.model.Decision.values()) {
                bands.put(d.code(), 0L);
            }
        }
        String model;
        String modelVersion;
        /** Per transaction: ms from its Kafka timestamp (when it was produced) until a read_committed consumer saw it. */
        private long[] visibleMs = new long[1024];

        void add(ScoredTransaction s) {
            if (!ids.add(s.transactionId)) {
                duplicates++;
                return;
            }
            model = s.model;
            modelVersion = s.modelVersion;
            if (ids.size() > visibleMs.length) {
                visibleMs = Arrays.copyOf(visibleMs, 2 * visibleMs.length);
            }
            visibleMs[ids.size() - 1] = System.currentTimeMillis() - s.ingestTime;
            if (ScoredTransaction.DECLINE.equals(s.decision)) {
                flaggedIds.add(s.transactionId);
            }
            bands.merge(s.decision, 1L, Long::sum);
            explained += s.reasons != null ? 1 : 0;
        }

        /** The visibility latencies, sorted. */
        long[] sortedVisibleMs() {
            long[] v = Arrays.copyOf(visibleMs, ids.size());
            Arrays.sort(v);
            return v;
        }
    }

    /** Follows the run's rows in PostgreSQL: how many are committed (and labels), and when the last row was. */
    static final class RowCounter {
        private static final long EVERY_NANOS = 500_000_000L;
        private static final String RUN = " FROM " + SchemaMigrator.SCORED_TABLE + " WHERE starts_with(transaction_id, ?)";
        private static final String RUN_LABELS = "SELECT count(*) FROM " + SchemaMigrator.LABELS_TABLE
                + " WHERE starts_with(transaction_id, ?)";
        /** The champion's figures of live_model_quality, summed over a range of days. */
        private static final String LIVE_QUALITY = "SELECT coalesce(sum(labelled), 0), coalesce(sum(frauds), 0),"
                + " coalesce(sum(flagged), 0), coalesce(sum(true_positives), 0) FROM " + SchemaMigrator.MODEL_QUALITY_VIEW
                + " WHERE role = 'champion' AND day BETWEEN ? AND ?";
        /** Suffixes the scoring job gives the transaction prefix of its PostgreSQL sinks (FraudScoringJob.build). */
        private static final List<String> SINK_SUFFIXES = List.of(io.github.fraudflink.job.FraudScoringJob.PG_SCORED_SUFFIX,
                io.github.fraudflink.job.FraudScoringJob.PG_LABELS_SUFFIX);
        final String url;
        final String user;
        final String idPrefix;
        long count;
        /** Rows of the run in fraud_labels. */
        long labels;
        long repeated;
        long completeNanos;
        private long lastRefresh;

        RowCounter(String url, String user, String idPrefix) {
            this.url = url;
            this.user = user;
            this.idPrefix = idPrefix;
        }

        /** Counts the committed rows, at most every half second; remembers how long after {@code start} they were all there. */
        void refresh(long start) throws SQLException {
            long now = System.nanoTime();
            if (now - lastRefresh < EVERY_NANOS) {
                return;
            }
            lastRefresh = now;
            long before = count;
            try (Connection c = connect()) {
                count = query(c, "SELECT count(*)" + RUN, idPrefix);
                labels = query(c, RUN_LABELS, idPrefix);
            }
            if (count != before) {
                completeNanos = now - start;
            }
        }

        /**
         * The final counts, the rows of a transaction id already in the table (written twice), and the clean-up of the
         * cancelled job: the last prepared transactions of its sinks (of the job's {@code transactionalIdPrefix}) are
         * rolled back, as the job would do at its next start, which will not come.
         */
        void finish(String transactionalIdPrefix) throws SQLException {
            try (Connection c = connect()) {
                count = query(c, "SELECT count(*)" + RUN, idPrefix);
                repeated = count - query(c, "SELECT count(DISTINCT transaction_id)" + RUN, idPrefix);
                labels = query(c, RUN_LABELS, idPrefix);
            }
            for (String suffix : SINK_SUFFIXES) {
                PostgresSessions.rollbackAll(url, user, transactionalIdPrefix + suffix);
            }
        }

        /**
         * The champion's live quality from the view live_model_quality, its counts summed over the UTC days
         * {@code from} to {@code until} (every run's transactions of those days, in a database shared with others).
         */
        DemoSummary.Live liveQuality(LocalDate from, LocalDate until) throws SQLException {
            try (Connection c = connect(); PreparedStatement s = c.prepareStatement(LIVE_QUALITY)) {
                s.setObject(1, from);
                s.setObject(2, until);
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    return new DemoSummary.Live(r.getLong(1), r.getLong(2), r.getLong(3), r.getLong(4));
                }
            }
        }

        private Connection connect() throws SQLException {
            Properties p = new Properties();
            p.setProperty("user", user);
            String password = SchemaMigrator.passwordFromEnvironment();
            if (password != null) {
                p.setProperty("password", password);
            }
            return new org.postgresql.Driver().connect(url, p);
        }

        private static long query(Connection c, String sql, String parameter) throws SQLException {
            try (PreparedStatement s = c.prepareStatement(sql)) {
                s.setString(1, parameter);
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    return r.getLong(1);
                }
            }
        }
    }
}
