package io.github.fraudflink.cli.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.fraudflink.cli.CliRun;
import io.github.fraudflink.local.EmbeddedPostgres;
import io.github.fraudflink.model.ModelArtifactWriter;
import io.github.fraudflink.model.ModelManifest;
import io.github.fraudflink.sql.SchemaMigrator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./fraud drift} on a real PostgreSQL with the job's schema: rows whose features and score follow the shipped
 * model's reference distributions (values drawn from its reference bins, fixed seed), then a week where only
 * {@code amount} is 100 times larger. The stable week has every PSI below 0.1; the drifted week has amount's above 0.3
 * and every other below 0.1, and each PSI equals a brute-force computation here (own binning, shares floored at 1e-4,
 * the formula written out). The model is the registry's by default, or named, or given by its manifest; the shadow's
 * features are the ones it shares with the champion; and the errors say what is wrong and what to do.
 */
class DriftCommandIT {
    private static final int ROWS = 20_000;
    /** Rows of a second, smaller champion in the stable week: the default is the one with the most rows. */
    private static final int OTHER_ROWS = 500;
    private static final Instant T0 = Instant.parse("2024-03-01T00:00:00Z");
    private static final Instant T1 = T0.plus(Duration.ofDays(7));
    private static final Instant T2 = T1.plus(Duration.ofDays(7));
    private static final String SHADOW = "shadow-xgb";
    private static final String SHADOW_VERSION = "s1";

    @TempDir
    static Path tmp;
    private static EmbeddedPostgres pg;
    private static String url;
    private static ModelManifest shipped;
    /** The drifted week's values per column (features, then score), row by row as inserted. */
    private static final Map<String, double[]> DRIFTED = new LinkedHashMap<>();

    @BeforeAll
    static void served() throws Exception {
        pg = EmbeddedPostgres.start(tmp.resolve("pg"), false);
        url = pg.createDatabase("drift");
        SchemaMigrator.migrate(url, pg.user(), null);
        shipped = ModelManifest.read(DriftCommandIT.class.getClassLoader()
                .getResourceAsStream("models/default/manifest.json").readAllBytes());
        CliRun register = CliRun.of("model", "register", "--manifest", "classpath:models/default/manifest.json",
                "--store", tmp.resolve("store").toString(), "--postgres-url", url, "--postgres-user", pg.user());
        assertThat(register.exit()).as(register.out() + register.err()).isZero();

        try (Connection c = SchemaMigrator.connect(url, pg.user())) {
            insert(c, "stable", T0, T1, ROWS, new Random(42), 1, shipped.name(), shipped.version(), false, null);
            insert(c, "other", T0, T1, OTHER_ROWS, new Random(7), 1, "other-xgb", "v0", false, null);
            insert(c, "drifted", T1, T2, ROWS, new Random(43), 100, shipped.name(), shipped.version(), true, DRIFTED);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        pg.close();
    }

    /** The clock's features, which the job does not watch for drift. */
    private static final List<String> CALENDAR = List.of("hour_of_day", "is_weekend", "is_night");

    /** The compared columns of the shipped model, as the job has them: features with a histogram but the calendar ones, then score. */
    private static List<String> columns() {
        List<String> cols = new ArrayList<>();
        for (String f : shipped.featureNames()) {
            if (shipped.referenceDistributions().containsKey(f) && !CALENDAR.contains(f)) {
                cols.add(f);
            }
        }
        cols.add("score");
        return cols;
    }

    /** A value drawn from a reference histogram: a bin by its count, then uniformly inside it. */
    private static double draw(ModelManifest.Histogram h, Random r) {
        long total = 0;
        for (long c : h.counts()) {
            total += c;
        }
        long pick = (long) (r.nextDouble() * total);
        int b = 0;
        while (pick >= h.counts()[b]) {
            pick -= h.counts()[b];
            b++;
        }
        double lo = h.edges()[b];
        double hi = h.edges()[b + 1];
        double x = lo + r.nextDouble() * (hi - lo);
        return x < hi ? x : lo;
    }

    /**
     * {@code n} scored rows with event times spread over [from, to), features and score drawn from the reference,
     * amount times {@code amountFactor}; with {@code shadow}, a shadow scored them too (its score: the champion's).
     */
    private static void insert(Connection c, String prefix, Instant from, Instant to, int n, Random r,
            double amountFactor, String model, String version, boolean shadow, Map<String, double[]> keep)
            throws Exception {
        List<String> cols = columns();
        if (keep != null) {
            cols.forEach(col -> keep.put(col, new double[n]));
            CALENDAR.forEach(col -> keep.put(col, new double[n]));
        }
        long span = to.toEpochMilli() - from.toEpochMilli();
        c.setAutoCommit(false);
        try (PreparedStatement s = c.prepareStatement("INSERT INTO scored_transactions (transaction_id, account_id,"
                + " amount, event_time, ingest_time, scored_time, features, feature_schema, score, decision, threshold,"
                + " model, model_version, shadow_model, shadow_version, shadow_score) VALUES (?, ?, ?, ?, ?, ?, ?::jsonb,"
                + " ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (int i = 0; i < n; i++) {
                StringBuilder json = new StringBuilder("{");
                double amount = 0;
                for (String f : shipped.featureNames()) {
                    ModelManifest.Histogram h = shipped.referenceDistributions().get(f);
                    double v = h == null ? 0 : draw(h, r);
                    if (f.equals("amount")) {
                        v *= amountFactor;
                        amount = v;
                    }
                    if (keep != null && h != null) {
                        keep.get(f)[i] = v;
                    }
                    json.append(json.length() > 1 ? "," : "").append('"').append(f).append("\":").append(v);
                }
                json.append('}');
                double score = draw(shipped.referenceDistributions().get("score"), r);
                if (keep != null) {
                    keep.get("score")[i] = score;
                }
                Timestamp t = new Timestamp(from.toEpochMilli() + (long) ((double) i / n * span));
                int k = 1;
                s.setString(k++, prefix + "-" + i);
                s.setString(k++, "acct-" + (i % 997));
                s.setDouble(k++, amount);
                s.setTimestamp(k++, t);
                s.setTimestamp(k++, t);
                s.setTimestamp(k++, t);
                s.setString(k++, json.toString());
                s.setString(k++, shipped.featureSchemaId());
                s.setDouble(k++, score);
                s.setString(k++, score >= shipped.threshold() ? "decline" : "approve");
                s.setDouble(k++, shipped.threshold());
                s.setString(k++, model);
                s.setString(k++, version);
                s.setString(k++, shadow ? SHADOW : null);
                s.setString(k++, shadow ? SHADOW_VERSION : null);
                if (shadow) {
                    s.setDouble(k, score);
                } else {
                    s.setNull(k, java.sql.Types.DOUBLE);
                }
                s.addBatch();
                if (i % 1000 == 999) {
                    s.executeBatch();
                }
            }
            s.executeBatch();
        }
        c.commit();
        c.setAutoCommit(true);
    }

    /** The PSI written out: own binning (a linear scan), shares of each side floored at 1e-4, the sum of the terms. */
    private static double bruteForcePsi(ModelManifest.Histogram ref, double[] values) {
        double[] e = ref.edges();
        int bins = e.length - 1;
        long[] actual = new long[bins];
        for (double x : values) {
            int b;
            if (x < e[0]) {
                b = 0;
            } else if (x >= e[bins]) {
                b = bins - 1;
            } else {
                b = 0;
                while (!(e[b] <= x && x < e[b + 1])) {
                    b++;
                }
            }
            actual[b]++;
        }
        long refTotal = 0;
        for (long v : ref.counts()) {
            refTotal += v;
        }
        double psi = 0;
        for (int b = 0; b < bins; b++) {
            double pe = Math.max(1e-4, (double) ref.counts()[b] / refTotal);
            double pa = Math.max(1e-4, (double) actual[b] / values.length);
            psi += (pa - pe) * Math.log(pa / pe);
        }
        return psi;
    }

    private static CliRun drift(String... args) {
        List<String> all = new ArrayList<>(List.of("drift"));
        all.addAll(List.of(args));
        all.addAll(List.of("--postgres-url", url, "--postgres-user", pg.user()));
        return CliRun.of(all.toArray(new String[0]));
    }

    @Test
    void aWeekLikeTheTrainingDataIsStableAndTheDefaultModelIsTheBusiestChampion() throws Exception {
        Path out = tmp.resolve("stable.html");
        CliRun r = drift("--from", T0.toString(), "--to", T1.toString(), "--out", out.toString());
        System.out.println("./fraud drift, the stable week:\n" + r.out() + r.err());
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("model " + shipped.name() + " " + shipped.version() + " (champion; by default the"
                + " champion that scored the most rows in the window: 20,000 of the window's 20,500 champion rows")
                .contains("0 major, 0 moderate, " + columns().size() + " stable");

        CliRun j = drift("--from", T0.toString(), "--to", T1.toString(), "--out", out.toString(), "--json");
        assertThat(j.exit()).as(j.err()).isZero();
        JsonNode s = j.lastJson();
        assertThat(s.get("model").asText()).isEqualTo(shipped.name());
        assertThat(s.get("version").asText()).isEqualTo(shipped.version());
        assertThat(s.get("rows").asLong()).isEqualTo(ROWS);
        assertThat(s.get("psi").size()).isEqualTo(columns().size());
        List<String> calendar = new ArrayList<>();
        s.get("calendar").forEach(n -> calendar.add(n.asText()));
        assertThat(calendar).as("not compared, as in the job").containsExactlyInAnyOrderElementsOf(CALENDAR);
        s.get("psi").fields().forEachRemaining(e -> assertThat(e.getValue().asDouble()).as(e.getKey()).isLessThan(0.1));
    }

    @Test
    void amountTimes100IsMajorDriftOfAmountAloneAndEachPsiIsTheBruteForceOne() throws Exception {
        Path out = tmp.resolve("reports/drifted.html");
        CliRun r = drift("--from", T1.toString(), "--to", T2.toString(), "--model", shipped.name(), "--model-version",
                shipped.version(), "--out", out.toString(), "--json");
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out().lines().count()).as("--json prints one line").isEqualTo(1);
        JsonNode s = r.lastJson();
        System.out.println("./fraud drift --json, amount x 100:\n" + s.toPrettyString());
        assertThat(s.get("rows").asLong()).isEqualTo(ROWS);
        JsonNode psi = s.get("psi");
        assertThat(psi.fieldNames().next()).as("the largest PSI first").isEqualTo("amount");
        assertThat(psi.get("amount").asDouble()).isGreaterThan(0.3);
        assertThat(s.get("level").get("amount").asText()).isEqualTo("major");
        assertThat(s.get("page").get(0).asText()).isEqualTo("amount");
        assertThat(s.get("page").size()).isEqualTo(1);
        for (String col : columns()) {
            double expected = bruteForcePsi(shipped.referenceDistributions().get(col), DRIFTED.get(col));
            assertThat(psi.get(col)).as("PSI of %s", col).isNotNull();
            assertThat(psi.get(col).asDouble()).as("PSI of %s, against brute force", col).isCloseTo(expected, within(1e-9));
            if (!col.equals("amount")) {
                assertThat(psi.get(col).asDouble()).as(col).isLessThan(0.1);
            }
        }

        assertThat(out).exists();
        assertThat(s.get("report").asText()).isEqualTo(out.toAbsolutePath().normalize().toString());
        String html = Files.readString(out);
        assertThat(html).contains("<code>amount</code>").contains("id=\"c-amount\"").contains("data:image/png;base64,")
                .contains(shipped.name()).contains("20,000");
        assertThat(html).as("self-contained: no file or remote reference").doesNotContain("src=\"charts/")
                .doesNotContain("src=\"http");
        System.out.printf("report %s: %,d bytes%n", out, Files.size(out));
        Files.copy(out, Path.of("target", "drift-report-amount-x100.html"), StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void theTextNamesTheTopFeatureAndTheManifestGivesTheModel() throws Exception {
        CliRun r = drift("--from", T1.toString(), "--to", T2.toString(), "--manifest",
                "classpath:models/default/manifest.json", "--top", "3", "--out", tmp.resolve("m.html").toString());
        System.out.println("./fraud drift --manifest, amount x 100:\n" + r.out() + r.err());
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        int header = lines.indexOf(lines.stream().filter(l -> l.startsWith("PSI against")).findFirst().orElseThrow());
        assertThat(lines.get(header + 1)).startsWith("  amount").contains("major").contains("PAGE");
        assertThat(r.out()).contains("given by --manifest").contains("1 major, 0 moderate")
                .contains("more, all in the report");
    }

    @Test
    void theShadowComparesItsScoreAndTheFeaturesItSharesWithTheChampion() throws Exception {
        // the shadow: the shipped model under another name and version, with one feature the champion does not use
        ClassLoader cl = DriftCommandIT.class.getClassLoader();
        List<String> features = new ArrayList<>(shipped.featureNames());
        ModelManifest.Histogram extra = new ModelManifest.Histogram(new double[] {0, 1, 2}, new long[] {5, 5});
        java.util.TreeMap<String, ModelManifest.Histogram> refs = new java.util.TreeMap<>(shipped.referenceDistributions());
        refs.put("not_served_feature", extra);
        features.add("not_served_feature");
        Path dir = tmp.resolve("shadow-artifact");
        ModelArtifactWriter.write(dir, new ModelManifest(SHADOW, SHADOW_VERSION, shipped.format(), shipped.modelFile(),
                shipped.featureSchemaId(), features, shipped.threshold(), null, shipped.trainingDataFingerprint(),
                shipped.createdAt(), shipped.createdBy(), shipped.metrics(), shipped.training(), shipped.goldenSample(),
                refs), Map.of("model.json", cl.getResourceAsStream("models/default/model.json").readAllBytes()));
        CliRun r = drift("--from", T0.toString(), "--to", T2.toString(), "--role", "shadow", "--manifest",
                dir.resolve("manifest.json").toString(), "--out", tmp.resolve("shadow.html").toString(), "--json");
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        JsonNode s = r.lastJson();
        assertThat(s.get("role").asText()).isEqualTo("shadow");
        assertThat(s.get("model").asText()).isEqualTo(SHADOW);
        assertThat(s.get("rows").asLong()).as("only the drifted week had a shadow").isEqualTo(ROWS);
        assertThat(s.get("psi").get("amount").asDouble()).isGreaterThan(0.3);
        assertThat(s.get("psi").get("score").asDouble()).isCloseTo(
                bruteForcePsi(shipped.referenceDistributions().get("score"), DRIFTED.get("score")), within(1e-9));
        assertThat(s.get("psi").has("not_served_feature")).isFalse();
        assertThat(s.get("not_stored").get(0).asText()).isEqualTo("not_served_feature");
        assertThat(Files.readString(tmp.resolve("shadow.html"))).contains("A shadow&#39;s own features are not stored");
    }

    @Test
    void anEmptyWindowSaysWhatTheTableHolds() {
        CliRun r = drift("--from", T2.toString(), "--to", T2.plus(Duration.ofDays(1)).toString(), "--out",
                tmp.resolve("empty.html").toString());
        System.out.println("./fraud drift, an empty window:\n" + r.err());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).startsWith("error: no scored transactions with event time in [" + T2)
                .contains("scored_transactions holds event times from " + T0)
                .contains("choose --from and --to");
        assertThat(tmp.resolve("empty.html")).doesNotExist();
    }

    @Test
    void anUnknownModelListsTheModelsOfTheWindow() {
        CliRun r = drift("--from", T0.toString(), "--to", T1.toString(), "--model", "nope", "--model-version", "1");
        System.out.println("./fraud drift, an unknown model:\n" + r.err());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("nope 1 scored no transactions as champion")
                .contains(shipped.name() + " " + shipped.version() + " (20,000 rows)").contains("other-xgb v0 (500 rows)");
    }

    @Test
    void aModelMissingFromTheRegistryNeedsItsManifest() {
        CliRun r = drift("--from", T0.toString(), "--to", T1.toString(), "--model", "other-xgb");
        System.out.println("./fraud drift, a model the registry does not hold:\n" + r.err());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("other-xgb v0 is not in the model registry").contains("give --manifest");
    }

    @Test
    void aManifestWithoutReferenceDistributionsIsRefusedWithTheFix() throws Exception {
        ClassLoader cl = DriftCommandIT.class.getClassLoader();
        Path dir = tmp.resolve("no-reference");
        ModelArtifactWriter.write(dir, new ModelManifest(shipped.name(), shipped.version(), shipped.format(),
                shipped.modelFile(), shipped.featureSchemaId(), shipped.featureNames(), shipped.threshold(), null,
                shipped.trainingDataFingerprint(), shipped.createdAt(), shipped.createdBy(), shipped.metrics(),
                shipped.training(), shipped.goldenSample(), null),
                Map.of("model.json", cl.getResourceAsStream("models/default/model.json").readAllBytes()));
        CliRun r = drift("--from", T0.toString(), "--to", T1.toString(), "--manifest", dir.toString());
        System.out.println("./fraud drift, a manifest without reference distributions:\n" + r.err());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("has no reference distributions").contains("retrain");
    }

    /** The values of a column are what went in: the drifted week really is amount x 100 (a check of the test). */
    @Test
    void theDriftedWeekIsAmountTimes100() {
        double[] amount = DRIFTED.get("amount");
        double[] edges = shipped.referenceDistributions().get("amount").edges();
        long above = 0;
        for (double a : amount) {
            above += a >= edges[edges.length - 1] ? 1 : 0;
        }
        assertThat((double) above / amount.length).isGreaterThan(0.1);
        Iterator<String> cols = DRIFTED.keySet().iterator();
        assertThat(cols.next()).isEqualTo(shipped.featureNames().get(0));
    }
}
