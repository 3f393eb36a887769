package io.github.fraudflink.job.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.fraudflink.features.Label;
import io.github.fraudflink.job.records.ScoredTransaction;
import io.github.fraudflink.local.EmbeddedPostgres;
import io.github.fraudflink.sql.SchemaMigrator;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Migration V3 on a real PostgreSQL: {@link FraudLabelTable}'s insert, the views {@code fraud_labels_latest} and
 * {@code live_model_quality} on a hand-made case, and the views against a brute-force computation over random data
 * (seed printed; {@code -Dquality.seed=N} replays one).
 */
class LiveModelQualityTest {
    private static final long DAY = 86_400_000L;
    private static final long T0 = Instant.parse("2024-03-01T00:00:00Z").toEpochMilli();

    @TempDir
    static Path tmp;
    private static EmbeddedPostgres pg;
    private static String url;

    @BeforeAll
    static void start() throws Exception {
        pg = EmbeddedPostgres.start(tmp.resolve("pg"), false);
        url = pg.createDatabase("quality");
        assertThat(SchemaMigrator.migrate(url, pg.user(), null)).isEqualTo("6");
    }

    @AfterAll
    static void stop() throws Exception {
        if (pg != null) {
            pg.close();
        }
    }

    @BeforeEach
    void empty() throws Exception {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("TRUNCATE " + SchemaMigrator.SCORED_TABLE + ", " + SchemaMigrator.LABELS_TABLE);
        }
    }

    /** A session in a time zone far from UTC: the views' day must not depend on it. */
    private static Connection connect() throws SQLException {
        Connection c = DriverManager.getConnection(url, pg.user(), null);
        try (Statement s = c.createStatement()) {
            s.execute("SET TIME ZONE 'Pacific/Auckland'");
        }
        return c;
    }

    private static Label label(String account, String tx, long eventTime, boolean fraud, long labelledAt, String source) {
        Label l = new Label();
        l.accountId = account;
        l.transactionId = tx;
        l.terminalId = "term-" + tx;
        l.eventTime = eventTime;
        l.isFraud = fraud;
        l.labelledAt = labelledAt;
        l.source = source;
        return l;
    }

    private static ScoredTransaction scored(String account, String tx, long eventTime, String version, double score,
            double threshold, String shadowVersion, Double shadowScore, Double shadowThreshold) {
        ScoredTransaction s = new ScoredTransaction();
        s.accountId = account;
        s.transactionId = tx;
        s.amount = 10;
        s.eventTime = eventTime;
        s.ingestTime = eventTime;
        s.scoredTime = eventTime;
        s.features = new double[0];
        s.featureNames = new String[0];
        s.featureSchema = "test";
        s.score = score;
        s.threshold = threshold;
        s.reviewThreshold = threshold; // no review band unless a test sets one
        s.decision = score >= threshold ? ScoredTransaction.DECLINE : ScoredTransaction.APPROVE;
        s.model = "champ";
        s.modelVersion = version;
        if (shadowVersion != null) {
            s.shadowModel = "shadow";
            s.shadowVersion = shadowVersion;
            s.shadowScore = shadowScore;
            s.shadowThreshold = shadowThreshold;
        }
        return s;
    }

    /** Writes through the tables' own insert statements, in JDBC batches as the sink does; returns rows inserted. */
    private static <T> int write(PostgresTable<T> table, List<T> rows) throws SQLException {
        try (Connection c = connect(); PreparedStatement insert = c.prepareStatement(table.insertSql())) {
            for (T row : rows) {
                table.bind(insert, row);
                insert.addBatch();
            }
            int inserted = 0;
            for (int n : insert.executeBatch()) {
                inserted += n;
            }
            return inserted;
        }
    }

    @Test
    void labelTableWritesEachLabelOnceAndKeepsItsValues() throws Exception {
        FraudLabelTable table = new FraudLabelTable();
        Label chargeback = label("acc-1", "tx-1", T0 + 1234, true, T0 + 5 * DAY + 7, "chargeback");
        chargeback.terminalId = null;
        Label reversal = label("acc-1", "tx-1", T0 + 1234, false, T0 + 6 * DAY, "analyst");
        Label sameInstant = label("acc-1", "tx-1", T0 + 1234, false, T0 + 5 * DAY + 7, "analyst");
        assertThat(write(table, List.of(chargeback, reversal))).isEqualTo(2);
        Label again = label("acc-1", "tx-1", T0 + 1234, true, T0 + 5 * DAY + 7, "replay"); // same key, other source
        assertThat(write(table, List.of(chargeback, again, reversal, sameInstant))).as("only the same-instant genuine is new")
                .isEqualTo(1);
        assertThat(table.identity(chargeback)).isEqualTo(table.identity(again)).isNotEqualTo(table.identity(sameInstant))
                .isNotEqualTo(table.identity(reversal));
        assertThat(table.insertSql()).endsWith("DO NOTHING");
        assertThat(table.name()).isEqualTo("fraud_labels");

        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet r = s.executeQuery(
                "SELECT transaction_id, account_id, terminal_id, event_time, is_fraud, labelled_at, source, written_at"
                        + " FROM fraud_labels ORDER BY labelled_at, is_fraud")) {
            List<String> rows = new ArrayList<>();
            while (r.next()) {
                assertThat(r.getObject("written_at", OffsetDateTime.class)).isNotNull();
                rows.add(r.getString(1) + "|" + r.getString(2) + "|" + r.getString(3) + "|"
                        + r.getObject(4, OffsetDateTime.class).toInstant().toEpochMilli() + "|" + r.getBoolean(5) + "|"
                        + r.getObject(6, OffsetDateTime.class).toInstant().toEpochMilli() + "|" + r.getString(7));
            }
            assertThat(rows).containsExactly(
                    "tx-1|acc-1|term-tx-1|" + (T0 + 1234) + "|false|" + (T0 + 5 * DAY + 7) + "|analyst",
                    "tx-1|acc-1|null|" + (T0 + 1234) + "|true|" + (T0 + 5 * DAY + 7) + "|chargeback",
                    "tx-1|acc-1|term-tx-1|" + (T0 + 1234) + "|false|" + (T0 + 6 * DAY) + "|analyst");
        }
    }

    @Test
    void handMadeCase() throws Exception {
        long e = T0 + 3_600_000L;
        long l = T0 + 10 * DAY;
        write(new ScoredTransactionTable(), List.of(
                scored("a1", "t1", e, "v1", 0.9, 0.5, "s1", 0.2, 0.3),
                scored("a1", "t2", e + 1, "v1", 0.8, 0.5, "s1", 0.7, 0.3),
                scored("a1", "t3", e + 2, "v1", 0.3, 0.5, "s1", 0.6, 0.3),
                scored("a1", "t4", e + 3, "v1", 0.6, 0.5, null, null, null),
                scored("a1", "t5", e + 4, "v1", 0.95, 0.5, null, null, null), // never labelled
                scored("a2", "t1", e + 5, "v1", 0.1, 0.5, null, null, null))); // same id, other account
        List<Label> labels = List.of(
                label("a1", "t1", e, true, l, "chargeback"),
                label("a1", "t1", e, false, l + 1, "analyst"), // reversed: genuine holds
                label("a1", "t2", e + 1, true, l, "chargeback"),
                label("a1", "t2", e + 1, true, l, "chargeback"), // written twice
                label("a1", "t3", e + 2, false, l, "analyst"),
                label("a1", "t3", e + 2, true, l, "chargeback"), // same instant: fraud holds
                label("a1", "t4", e + 3, false, l, "analyst"),
                label("a1", "t9", e + 9, true, l, "chargeback"), // never scored
                label("a2", "t1", e + 5, false, l, "analyst"));
        assertThat(write(new FraudLabelTable(), labels)).isEqualTo(8);

        try (Connection c = connect(); Statement s = c.createStatement()) {
            try (ResultSet r = s.executeQuery("SELECT shadow_threshold FROM scored_transactions WHERE account_id = 'a1'"
                    + " ORDER BY transaction_id")) {
                r.next();
                assertThat(r.getDouble(1)).as("bound from ScoredTransaction.shadowThreshold").isEqualTo(0.3);
                r.next();
                r.next();
                r.next();
                assertThat(r.getObject(1)).isNull();
            }
            Map<String, Boolean> latest = new TreeMap<>();
            try (ResultSet r = s.executeQuery("SELECT account_id, transaction_id, is_fraud FROM fraud_labels_latest")) {
                while (r.next()) {
                    latest.put(r.getString(1) + "/" + r.getString(2), r.getBoolean(3));
                }
            }
            assertThat(latest).containsExactlyEntriesOf(new TreeMap<>(Map.of("a1/t1", false, "a1/t2", true, "a1/t3", true,
                    "a1/t4", false, "a1/t9", true, "a2/t1", false)));
        }
        Map<String, Quality> q = viewQuality();
        assertThat(q).containsOnlyKeys("champ|v1|champion|2024-03-01", "shadow|s1|shadow|2024-03-01");
        // champion ranking: t1 G, t2 F (1/2), t4 G, t3 F (2/4), a2/t1 G
        q.get("champ|v1|champion|2024-03-01").assertCloseTo(new Quality(5, 2, 3L, 1L, 1 / 3.0, 0.5, 0.5), "champion");
        // shadow: t2 F 0.7, t3 F 0.6, t1 G 0.2
        q.get("shadow|s1|shadow|2024-03-01").assertCloseTo(new Quality(3, 2, 2L, 2L, 1.0, 1.0, 1.0), "shadow");
    }

    @Test
    void groupsWithoutFlagsFraudsOrThresholdsGiveNulls() throws Exception {
        long e = T0 + 5 * DAY - 1; // the last millisecond of 2024-03-05 UTC (already 2024-03-06 in Auckland)
        write(new ScoredTransactionTable(), List.of(
                scored("a", "x1", e, "v1", 0.1, 0.5, "s0", 0.9, null), // shadow from before shadow_threshold
                scored("a", "x2", e, "v1", 0.2, 0.5, "s0", 0.1, null)));
        write(new FraudLabelTable(), List.of(label("a", "x1", e, false, e + DAY, "analyst"),
                label("a", "x2", e, false, e + DAY, "analyst")));
        Map<String, Quality> q = viewQuality();
        assertThat(q.get("champ|v1|champion|2024-03-05")).isEqualTo(new Quality(2, 0, 0L, 0L, null, null, null, 0L, 0L, null, null));
        assertThat(q.get("shadow|s0|shadow|2024-03-05")).isEqualTo(new Quality(2, 0, null, null, null, null, null, null, null,
                null, null));
    }

    /** One row of live_model_quality. */
    record Quality(long labelled, long frauds, Long flagged, Long truePositives, Double precision, Double recall,
            Double averagePrecision, Long reviewed, Long reviewTruePositives, Double reviewPrecision, Double reviewRecall) {
        /** Without the review band's figures: not compared. */
        Quality(long labelled, long frauds, Long flagged, Long truePositives, Double precision, Double recall,
                Double averagePrecision) {
            this(labelled, frauds, flagged, truePositives, precision, recall, averagePrecision, null, null, null, null);
        }

        void assertCloseTo(Quality expected, String group) {
            if (expected.reviewed != null || expected.flagged == null) {
                assertThat(reviewed).as(group + " reviewed").isEqualTo(expected.reviewed);
                assertThat(reviewTruePositives).as(group + " review_true_positives").isEqualTo(expected.reviewTruePositives);
                close(reviewPrecision, expected.reviewPrecision, group + " review_precision");
                close(reviewRecall, expected.reviewRecall, group + " review_recall");
            }
            assertThat(labelled).as(group + " labelled").isEqualTo(expected.labelled);
            assertThat(frauds).as(group + " frauds").isEqualTo(expected.frauds);
            assertThat(flagged).as(group + " flagged").isEqualTo(expected.flagged);
            assertThat(truePositives).as(group + " true_positives").isEqualTo(expected.truePositives);
            close(precision, expected.precision, group + " precision");
            close(recall, expected.recall, group + " recall");
            close(averagePrecision, expected.averagePrecision, group + " average_precision");
        }

        private static void close(Double actual, Double expected, String what) {
            if (expected == null) {
                assertThat(actual).as(what).isNull();
            } else {
                assertThat(actual).as(what).isNotNull().isCloseTo(expected, within(1e-9));
            }
        }
    }

    private static Map<String, Quality> viewQuality() throws SQLException {
        Map<String, Quality> out = new TreeMap<>();
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet r = s.executeQuery(
                "SELECT model, model_version, role, day, labelled, frauds, flagged, true_positives, precision, recall,"
                        + " average_precision, reviewed, review_true_positives, review_precision, review_recall FROM "
                        + SchemaMigrator.MODEL_QUALITY_VIEW)) {
            while (r.next()) {
                String key = r.getString(1) + "|" + r.getString(2) + "|" + r.getString(3) + "|"
                        + r.getObject(4, LocalDate.class);
                Quality q = new Quality(r.getLong(5), r.getLong(6), r.getObject(7, Long.class), r.getObject(8, Long.class),
                        r.getObject(9, Double.class), r.getObject(10, Double.class), r.getObject(11, Double.class),
                        r.getObject(12, Long.class), r.getObject(13, Long.class), r.getObject(14, Double.class),
                        r.getObject(15, Double.class));
                assertThat(out.put(key, q)).as("one row per group: " + key).isNull();
            }
        }
        return out;
    }

    /** One (transaction, model) row as the brute force sees it. */
    private record Scored(String account, String tx, double score, Double threshold, Double review, boolean fraud) {}

    @Test
    void theLiveMonitorCountsTheLabelsOfItsWindowAtEachModelsThreshold() throws Exception {
        Random rnd = new Random(Long.getLong("quality.seed", System.nanoTime()));
        List<ScoredTransaction> scored = new ArrayList<>();
        List<Label> labels = new ArrayList<>();
        java.util.Set<String> old = new java.util.HashSet<>();
        for (int i = 0; i < 400; i++) {
            ScoredTransaction s = scored("a" + (i % 7), "t" + i, T0 + i * 60_000L, "v" + (i % 2), rnd.nextDouble(), 0.6,
                    i % 3 == 0 ? "s1" : null, rnd.nextDouble(), 0.3);
            scored.add(s);
            if (rnd.nextDouble() < 0.8) {
                labels.add(label(s.accountId, s.transactionId, s.eventTime, rnd.nextDouble() < 0.3, s.eventTime + DAY, "chargeback"));
                if (rnd.nextDouble() < 0.2) {
                    old.add(s.accountId + "/" + s.transactionId); // this label reached the database 3 days ago
                }
            }
        }
        write(new ScoredTransactionTable(), scored);
        write(new FraudLabelTable(), labels);
        try (Connection c = connect(); Statement st = c.createStatement()) {
            for (String k : old) {
                String[] p = k.split("/");
                st.execute("UPDATE fraud_labels SET written_at = now() - interval '3 days' WHERE account_id = '" + p[0]
                        + "' AND transaction_id = '" + p[1] + "'");
            }
        }
        // brute force: the recent labels against each model's score and threshold
        Map<String, long[]> want = new java.util.TreeMap<>();
        Map<String, Label> byId = new HashMap<>();
        labels.forEach(l -> byId.put(l.accountId + "/" + l.transactionId, l));
        for (ScoredTransaction s : scored) {
            Label l = byId.get(s.accountId + "/" + s.transactionId);
            if (l == null || old.contains(s.accountId + "/" + s.transactionId)) {
                continue;
            }
            count(want, "champion/champ/" + s.modelVersion, s.score, s.threshold, l.isFraud);
            if (s.shadowModel != null) {
                count(want, "shadow/shadow/" + s.shadowVersion, s.shadowScore, s.shadowThreshold, l.isFraud);
            }
        }
        Map<String, LiveQualityMonitor.Quality> got = LiveQualityMonitor.query(url, pg.user(), java.time.Duration.ofDays(1));
        assertThat(got.keySet()).isEqualTo(want.keySet());
        want.forEach((k, w) -> assertThat(got.get(k)).as(k).isEqualTo(new LiveQualityMonitor.Quality(w[0], w[1], w[2], w[3])));
        LiveQualityMonitor.Floors floors = new LiveQualityMonitor.Floors(0.99, 0.0, 10);
        assertThat(got.values()).as("a precision floor of 0.99 is missed").allMatch(q -> q.belowFloor(floors));
        assertThat(got.values()).as("without enough labels nothing is judged")
                .noneMatch(q -> q.belowFloor(new LiveQualityMonitor.Floors(0.99, 0.99, 1_000)));
    }

    private static void count(Map<String, long[]> m, String key, double score, double threshold, boolean fraud) {
        long[] c = m.computeIfAbsent(key, k -> new long[4]);
        boolean flagged = score >= threshold;
        c[0]++;
        c[1] += fraud ? 1 : 0;
        c[2] += flagged ? 1 : 0;
        c[3] += flagged && fraud ? 1 : 0;
    }

    @Test
    void viewsAgreeWithABruteForceComputationOnRandomData() throws Exception {
        long base = Long.getLong("quality.seed", System.nanoTime());
        for (int round = 0; round < 6; round++) {
            long seed = base + round;
            System.out.println("LiveModelQualityTest seed " + seed + " (replay: -Dquality.seed=" + seed + ")");
            if (round > 0) {
                empty();
            }
            checkRandom(new Random(seed), seed);
            if (Long.getLong("quality.seed") != null) {
                return;
            }
        }
    }

    private void checkRandom(Random rnd, long seed) throws Exception {
        int accounts = 3 + rnd.nextInt(8);
        int transactions = 150 + rnd.nextInt(250);
        List<ScoredTransaction> scored = new ArrayList<>();
        Map<String, ScoredTransaction> byIdentity = new HashMap<>();
        for (int i = 0; i < transactions; i++) {
            String account = "acc-" + rnd.nextInt(accounts);
            String tx = randomId(rnd, transactions);
            if (byIdentity.containsKey(account + "/" + tx)) {
                continue;
            }
            long eventTime = T0 + (long) (rnd.nextDouble() * 4 * DAY);
            // coarse scores: many ties, broken by transaction_id then account_id
            String version = rnd.nextInt(3) == 0 ? "v2" : "v1";
            double score = rnd.nextInt(21) / 20.0;
            double threshold = "v1".equals(version) ? 0.5 : 0.35;
            String shadowVersion = null;
            Double shadowScore = null;
            Double shadowThreshold = null;
            int shadow = rnd.nextInt(10);
            if (shadow < 5) {
                shadowVersion = "s1";
                shadowScore = rnd.nextInt(5) == 0 ? rnd.nextDouble() : rnd.nextInt(11) / 10.0;
                shadowThreshold = rnd.nextInt(150) == 0 ? null : 0.4; // rarely one from before the column
            } else if (shadow == 5) {
                shadowVersion = "s0";
                shadowScore = rnd.nextInt(11) / 10.0;
            } else if (shadow == 6) {
                shadowVersion = "s1"; // a shadow that gave no score
            }
            ScoredTransaction s = scored(account, tx, eventTime, version, score, threshold, shadowVersion, shadowScore,
                    shadowThreshold);
            // review bands: v1 has one, v2 none; the shadow s1 has one unless from before the column
            s.reviewThreshold = "v1".equals(version) ? 0.3 : threshold;
            s.decision = score >= threshold ? ScoredTransaction.DECLINE : score >= s.reviewThreshold ? ScoredTransaction.REVIEW
                    : ScoredTransaction.APPROVE;
            s.shadowReviewThreshold = shadowThreshold == null || rnd.nextInt(4) == 0 ? null : Double.valueOf(0.2);
            scored.add(s);
            byIdentity.put(account + "/" + tx, s);
        }
        // labels: none, one, or several per transaction (reversals, rewrites, same-instant pairs), and some for
        // transactions that were never scored
        List<Label> labels = new ArrayList<>();
        for (ScoredTransaction s : scored) {
            int n = rnd.nextInt(10) < 3 ? 0 : 1 + (rnd.nextInt(4) == 0 ? rnd.nextInt(3) : 0);
            boolean fraud = rnd.nextInt(4) == 0;
            for (int k = 0; k < n; k++) {
                long at = s.eventTime + DAY * (1 + rnd.nextInt(3)) + (rnd.nextBoolean() ? 0 : rnd.nextInt(1000));
                String source = rnd.nextBoolean() ? "chargeback" : "analyst";
                labels.add(label(s.accountId, s.transactionId, s.eventTime, fraud, at, source));
                if (rnd.nextInt(5) == 0) {
                    labels.add(label(s.accountId, s.transactionId, s.eventTime, !fraud, at, "analyst"));
                }
                if (rnd.nextInt(5) == 0) {
                    labels.add(labels.get(labels.size() - 1)); // the same label again
                }
                if (rnd.nextInt(3) == 0) {
                    fraud = !fraud;
                }
            }
        }
        for (int i = 0; i < transactions / 10; i++) {
            labels.add(label("acc-" + rnd.nextInt(accounts), "unscored-" + i, T0, rnd.nextBoolean(), T0 + DAY, "replay"));
        }
        java.util.Collections.shuffle(labels, rnd);
        write(new ScoredTransactionTable(), scored);
        // several batches, so a rewrite also meets rows of an earlier statement
        int third = labels.size() / 3;
        write(new FraudLabelTable(), labels.subList(0, third));
        write(new FraudLabelTable(), labels.subList(third, labels.size()));

        // brute force: the stored history (first write of a key wins), the label that holds, the groups
        Map<String, Label> stored = new LinkedHashMap<>();
        for (Label l : labels) {
            stored.putIfAbsent(new FraudLabelTable().identity(l), l);
        }
        Map<String, Label> latest = new HashMap<>();
        for (Label l : stored.values()) {
            latest.merge(l.accountId + "/" + l.transactionId, l, (a, b) -> later(a, b) ? a : b);
        }
        Map<String, List<Scored>> groups = new TreeMap<>();
        for (ScoredTransaction s : scored) {
            Label l = latest.get(s.accountId + "/" + s.transactionId);
            if (l == null) {
                continue;
            }
            LocalDate day = Instant.ofEpochMilli(s.eventTime).atOffset(ZoneOffset.UTC).toLocalDate();
            groups.computeIfAbsent("champ|" + s.modelVersion + "|champion|" + day, k -> new ArrayList<>())
                    .add(new Scored(s.accountId, s.transactionId, s.score, s.threshold, s.reviewThreshold, l.isFraud));
            if (s.shadowModel != null && s.shadowScore != null) {
                groups.computeIfAbsent("shadow|" + s.shadowVersion + "|shadow|" + day, k -> new ArrayList<>())
                        .add(new Scored(s.accountId, s.transactionId, s.shadowScore, s.shadowThreshold,
                                s.shadowReviewThreshold != null ? s.shadowReviewThreshold : s.shadowThreshold, l.isFraud));
            }
        }
        Map<String, Quality> expected = new TreeMap<>();
        groups.forEach((k, rows) -> expected.put(k, bruteForce(rows)));

        try (Connection c = connect(); Statement st = c.createStatement()) {
            try (ResultSet r = st.executeQuery("SELECT count(*) FROM fraud_labels")) {
                r.next();
                assertThat(r.getLong(1)).as("seed " + seed).isEqualTo(stored.size());
            }
            Map<String, String> viewLatest = new HashMap<>();
            try (ResultSet r = st.executeQuery("SELECT account_id, transaction_id, is_fraud, labelled_at, source"
                    + " FROM fraud_labels_latest")) {
                while (r.next()) {
                    viewLatest.put(r.getString(1) + "/" + r.getString(2), r.getBoolean(3) + "@"
                            + r.getObject(4, OffsetDateTime.class).toInstant().toEpochMilli() + "/" + r.getString(5));
                }
            }
            Map<String, String> expectedLatest = new HashMap<>();
            latest.forEach((k, l) -> expectedLatest.put(k, l.isFraud + "@" + l.labelledAt + "/" + l.source));
            assertThat(viewLatest).as("fraud_labels_latest, seed " + seed).isEqualTo(expectedLatest);
        }
        Map<String, Quality> actual = viewQuality();
        assertThat(actual.keySet()).as("groups, seed " + seed).isEqualTo(expected.keySet());
        expected.forEach((k, q) -> actual.get(k).assertCloseTo(q, "seed " + seed + " " + k));
        assertThat(expected.values()).as("the data exercise every case, seed " + seed)
                .anySatisfy(q -> assertThat(q.flagged()).isNull())
                .anySatisfy(q -> assertThat(q.averagePrecision()).isNotNull())
                .anySatisfy(q -> assertThat(q.reviewed()).isPositive());
    }

    /** Ids from a small pool, so the same transaction_id occurs on several accounts. */
    private static String randomId(Random rnd, int transactions) {
        String[] prefixes = {"T", "t", "tx-", "9", "Z_"};
        return prefixes[rnd.nextInt(prefixes.length)] + rnd.nextInt(transactions / 2);
    }

    /** Whether {@code a} holds over {@code b}: the later labelled_at, at the same instant fraud. */
    private static boolean later(Label a, Label b) {
        return a.labelledAt != b.labelledAt ? a.labelledAt > b.labelledAt : a.isFraud && !b.isFraud;
    }

    private static Quality bruteForce(List<Scored> rows) {
        long frauds = rows.stream().filter(Scored::fraud).count();
        boolean decided = rows.stream().allMatch(r -> r.threshold() != null);
        Long flagged = decided ? rows.stream().filter(r -> r.score() >= r.threshold()).count() : null;
        Long tp = decided ? rows.stream().filter(r -> r.fraud() && r.score() >= r.threshold()).count() : null;
        Double precision = flagged == null || flagged == 0 ? null : (double) tp / flagged;
        Double recall = tp == null || frauds == 0 ? null : (double) tp / frauds;
        List<Scored> ranked = new ArrayList<>(rows);
        // String order is byte order for these ASCII ids, as COLLATE "C" in the view
        ranked.sort(Comparator.comparingDouble(Scored::score).reversed().thenComparing(Scored::tx)
                .thenComparing(Scored::account));
        double sum = 0;
        int hits = 0;
        for (int i = 0; i < ranked.size(); i++) {
            if (ranked.get(i).fraud()) {
                hits++;
                sum += (double) hits / (i + 1);
            }
        }
        Long reviewed = decided ? rows.stream().filter(r -> r.score() >= r.review() && r.score() < r.threshold()).count() : null;
        Long reviewTp = decided ? rows.stream().filter(r -> r.fraud() && r.score() >= r.review() && r.score() < r.threshold())
                .count() : null;
        return new Quality(rows.size(), frauds, flagged, tp, precision, recall, frauds == 0 ? null : sum / frauds, reviewed,
                reviewTp, reviewed == null || reviewed == 0 ? null : (double) reviewTp / reviewed,
                reviewTp == null || frauds == 0 ? null : (double) reviewTp / frauds);
    }
}
