package io.github.fraudflink.cli.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fraudflink.cli.CliRun;
import io.github.fraudflink.model.ModelManifest;
import io.github.fraudflink.model.drift.Psi;
import java.net.ServerSocket;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * {@code ./fraud drift} without a database: the choice of model and its errors (an empty window above all), the
 * options, an unreachable PostgreSQL, the tally's binning and PSI, the bin labels and the report's HTML.
 */
class DriftCommandTest {
    private static final Instant FROM = Instant.parse("2024-03-01T00:00:00Z");
    private static final Instant TO = Instant.parse("2024-03-08T00:00:00Z");

    @Test
    void anEmptyWindowIsAnErrorThatSaysWhatTheTableHolds() {
        assertThatThrownBy(() -> ServedScores.choose(List.of(), ServedScores.CHAMPION, null, null, FROM, TO,
                () -> "scored_transactions holds event times from 2024-01-01T00:00:00Z to 2024-01-31T00:00:00Z: choose"
                        + " --from and --to (ISO-8601 instants, UTC) in that range"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no scored transactions with event time in [2024-03-01T00:00:00Z, 2024-03-08T00:00:00Z);"
                        + " scored_transactions holds event times from 2024-01-01T00:00:00Z to 2024-01-31T00:00:00Z:"
                        + " choose --from and --to (ISO-8601 instants, UTC) in that range");
        assertThatThrownBy(() -> ServedScores.choose(List.of(), ServedScores.SHADOW, null, null, FROM, TO, () -> "x"))
                .hasMessageContaining("was scored by a shadow model").hasMessageContaining("--role champion");
    }

    @Test
    void theDefaultIsTheBusiestModelAndAnUnknownOneListsTheWindowsModels() {
        List<ServedScores.ModelRows> window = List.of(new ServedScores.ModelRows("a", "2", 900),
                new ServedScores.ModelRows("b", "1", 500), new ServedScores.ModelRows("a", "1", 100));
        assertThat(ServedScores.choose(window, "champion", null, null, FROM, TO, () -> "")).isEqualTo(window.get(0));
        assertThat(ServedScores.choose(window, "champion", "a", "1", FROM, TO, () -> "")).isEqualTo(window.get(2));
        assertThat(ServedScores.choose(window, "champion", "b", null, FROM, TO, () -> "")).isEqualTo(window.get(1));
        assertThatThrownBy(() -> ServedScores.choose(window, "champion", "a", "3", FROM, TO, () -> ""))
                .hasMessageContaining("a 3 scored no transactions as champion")
                .hasMessageContaining("a 2 (900 rows), b 1 (500 rows), a 1 (100 rows)");
    }

    @Test
    void optionsThatDoNotGoTogetherAreUsageErrors() {
        String url = "jdbc:postgresql://127.0.0.1:1/none";
        CliRun r = CliRun.of("drift", "--from", TO.toString(), "--to", FROM.toString(), "--postgres-url", url);
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--from (2024-03-08T00:00:00Z) must be before --to");
        r = CliRun.of("drift", "--from", FROM.toString(), "--to", TO.toString(), "--model-version", "1", "--postgres-url", url);
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--model-version needs --model");
        r = CliRun.of("drift", "--from", FROM.toString(), "--to", TO.toString(), "--model", "m", "--manifest", "x.json",
                "--postgres-url", url);
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("not both");
        r = CliRun.of("drift", "--from", FROM.toString(), "--to", TO.toString(), "--role", "challenger", "--postgres-url", url);
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--role must be champion or shadow");
    }

    @Test
    void anUnreachablePostgresSaysWhereAndWhatToCheck() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // free once closed: nothing listens there
        }
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/fraud";
        CliRun r = CliRun.of("drift", "--from", FROM.toString(), "--to", TO.toString(), "--postgres-url", url);
        System.out.println("./fraud drift, PostgreSQL down:\n" + r.err());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).startsWith("error: cannot connect to PostgreSQL at " + url + " as fraud: ")
                .contains("is PostgreSQL running, and are the host and port in --postgres-url");
    }

    @Test
    void theHelpSaysWhatAShadowReportCovers() {
        CliRun r = CliRun.of("drift", "--help");
        System.out.println(r.out());
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("--role shadow").contains("stores the champion's features only")
                .contains("--postgres-url").contains("--model-version").contains("--manifest").contains("--json");
    }

    private static ModelManifest manifest(Map<String, ModelManifest.Histogram> refs) {
        return new ModelManifest("m", "1", "xgboost-json", "model.json", "s", List.of("a", "hour_of_day", "b", "c"), 0.5, null, null,
                null, null, null, null, null, refs == null ? null : new TreeMap<>(refs));
    }

    @Test
    void aManifestWithoutReferencesIsRefused() {
        assertThatThrownBy(() -> DriftTally.of(manifest(null), "file:/m/manifest.json"))
                .hasMessageContaining("m 1's manifest (file:/m/manifest.json) has no reference distributions")
                .hasMessageContaining("retrain");
        assertThatThrownBy(() -> DriftTally.of(manifest(Map.of("a", new ModelManifest.Histogram(new double[] {1, 0},
                new long[] {3}))), "u")).hasMessageContaining("no usable reference distribution");
    }

    @Test
    void theTallyBinsAsTheJobAndCountsWhatIsMissing() throws Exception {
        ModelManifest.Histogram h = new ModelManifest.Histogram(new double[] {0, 1, 2, 3}, new long[] {10, 20, 70});
        ModelManifest.Histogram score = new ModelManifest.Histogram(new double[] {0, 0.5, 1}, new long[] {90, 10});
        DriftTally t = DriftTally.of(manifest(Map.of("a", h, "b", h, "hour_of_day", h, "score", score)), "u");
        t.add("{\"a\":-5,\"b\":1,\"other\":{\"x\":[1,2]},\"z\":\"s\"}", 0.1);
        t.add("{\"a\":2.5,\"b\":null}", 0.7);
        t.add("{\"a\":3}", 0.2);
        assertThat(t.noReference()).containsExactly("c");
        assertThat(t.calendar()).as("not watched by the job").containsExactly("hour_of_day");
        List<DriftResult.Column> cols = t.columns();
        assertThat(cols).extracting(DriftResult.Column::name).containsExactly("a", "b", "score");
        DriftResult.Column a = cols.get(0);
        assertThat(a.current()).containsExactly(1, 0, 2);
        assertThat(a.below()).isEqualTo(1);
        assertThat(a.above()).isEqualTo(1);
        assertThat(a.missing()).isZero();
        assertThat(a.psi()).isEqualTo(Psi.of(h.counts(), new long[] {1, 0, 2}));
        DriftResult.Column b = cols.get(1);
        assertThat(b.current()).containsExactly(0, 1, 0);
        assertThat(b.missing()).isEqualTo(2);
        assertThat(cols.get(2).current()).containsExactly(2, 1);
    }

    @Test
    void levelsAndAlerts() {
        assertThat(DriftResult.level(0.0999)).isEqualTo("stable");
        assertThat(DriftResult.level(0.1)).isEqualTo("moderate");
        assertThat(DriftResult.level(0.25)).isEqualTo("moderate");
        assertThat(DriftResult.level(0.2501)).isEqualTo("major");
        assertThat(DriftResult.level(Double.NaN)).isEqualTo("no data");
        assertThat(DriftResult.alert(0.2)).isEmpty();
        assertThat(DriftResult.alert(0.21)).isEqualTo("warn");
        assertThat(DriftResult.alert(0.3)).isEqualTo("warn");
        assertThat(DriftResult.alert(0.31)).isEqualTo("page");
    }

    @Test
    void binLabelsUseTheFewestDigitsThatTellTheEdgesApart() {
        assertThat(DriftReport.binLabels(new double[] {0.0, 1.0, 1.0000000000000002}))
                .containsExactly("[0, 1)", "1");
        assertThat(DriftReport.binLabels(new double[] {0.01, 9.74, 1155.1500000000003}))
                .containsExactly("[0.01, 9.74)", "[9.74, 1155)");
        assertThat(DriftReport.binLabels(new double[] {-1.0, 2740.0, 2551409.0000000005}))
                .containsExactly("[-1, 2740)", "[2740, 2551409)");
        assertThat(DriftReport.binLabels(new double[] {0.00022933981381356716, 0.0011361527722328901, 0.0011362}))
                .containsExactly("[0.0002293, 0.001136)", "[0.00113615, 0.0011362)");
    }

    @Test
    void theReportIsOneSelfContainedFile() throws Exception {
        ModelManifest.Histogram h = new ModelManifest.Histogram(new double[] {0, 1, 2, 3}, new long[] {10, 20, 70});
        DriftResult r = new DriftResult("m", "1", "champion", FROM, TO, 3, "file:/m/manifest.json", "given", List.of(
                new ServedScores.ModelRows("m", "1", 3)), List.of(
                new DriftResult.Column("quiet", false, h.edges(), h.counts(), new long[] {1, 2, 7}, 0, 0, 0, 0.0),
                new DriftResult.Column("loud<b>", false, h.edges(), h.counts(), new long[] {7, 2, 1}, 0, 1, 0, 1.2)),
                List.of(), List.of(), List.of());
        assertThat(r.columns()).extracting(DriftResult.Column::name).containsExactly("loud<b>", "quiet");
        String html = DriftReport.html(r);
        assertThat(html).contains("loud&lt;b&gt;").doesNotContain("loud<b>").contains("<tr class=\"page\">")
                .contains("data:image/png;base64,").doesNotContain("src=\"charts/");
    }
}
