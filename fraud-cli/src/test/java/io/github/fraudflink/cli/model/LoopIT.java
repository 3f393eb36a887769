package io.github.fraudflink.cli.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.fraudflink.cli.CliRun;
import io.github.fraudflink.local.EmbeddedPostgres;
import io.github.fraudflink.registry.AliasChange;
import io.github.fraudflink.registry.ModelVersion;
import io.github.fraudflink.registry.Registry;
import io.github.fraudflink.sql.SchemaMigrator;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model lifecycle end to end on a real Kafka broker, the job on a MiniCluster and a real PostgreSQL
 * ({@code ./fraud demo-loop --then-broken-feed}): seven weeks streamed with labels a week late; the first champion
 * retrained from the served rows; a challenger retrained when the labels arrived, shadowed, compared on live labels and
 * promoted, the job following each change; then a broken labels feed whose challenger is refused.
 */
class LoopIT {
    @TempDir
    Path tmp;

    @Test
    void aChallengerIsRetrainedShadowedComparedAndPromotedAndOneFromABrokenFeedIsRefused() throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.start(tmp.resolve("pg"), false)) {
            String url = pg.createDatabase("loop");
            CliRun r = CliRun.of("demo-loop", "--then-broken-feed", "--postgres-url", url, "--postgres-user", pg.user(),
                    "--work-dir", tmp.resolve("loop").toString(), "--json");
            System.out.println(r.out());
            assertThat(r.exit()).as(r.out() + r.err()).isZero();
            JsonNode s = r.lastJson();
            assertThat(s.get("challenger_shadowed").asBoolean()).isTrue();
            assertThat(s.get("challenger_promoted").asBoolean()).isTrue();
            assertThat(s.get("broken_feed_challenger_refused").asBoolean()).isTrue();
            assertThat(s.get("champion").asText()).isEqualTo("loop-xgb loop-2");
            assertThat(s.get("shadow").isNull()).isTrue();
            assertThat(s.get("steps").findValuesAsText("step")).contains("retrain when labels arrived",
                    "compare champion and shadow on live labels", "promote the shadow", "retrain on the broken feed");

            try (Registry reg = Registry.open(url, pg.user())) {
                List<AliasChange> h = reg.history("loop-xgb");
                assertThat(h).extracting(c -> c.version() + ":" + c.from() + "->" + c.to()).containsExactly(
                        "loop-1:none->shadow", "loop-1:shadow->champion", "loop-2:none->shadow",
                        "loop-1:champion->archived", "loop-2:shadow->champion");
                ModelVersion refused = reg.version("loop-xgb", "loop-3").orElseThrow();
                assertThat(refused.alias()).isEqualTo(ModelVersion.NONE);
                assertThat(refused.evaluation().get("gates_passed").asBoolean()).isFalse();
            }
            // the job followed: loop-2 scored as shadow beside loop-1; the refused challenger never scored
            try (Connection c = SchemaMigrator.connect(url, pg.user()); Statement st = c.createStatement();
                    ResultSet q = st.executeQuery("SELECT count(*) FILTER (WHERE model_version = 'loop-1'"
                            + " AND shadow_version = 'loop-2'), count(*) FILTER (WHERE model_version = 'loop-2'),"
                            + " count(*) FILTER (WHERE shadow_version = 'loop-3') FROM scored_transactions")) {
                q.next();
                assertThat(q.getLong(1)).as("scored by champion loop-1 and shadow loop-2").isPositive();
                assertThat(q.getLong(3)).as("the refused challenger never scored").isZero();
            }
        }
    }
}
