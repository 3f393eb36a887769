package io.github.fraudflink.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fraudflink.job.kafka.ModelControlJson;
import io.github.fraudflink.job.records.ModelControl;
import io.github.fraudflink.local.EmbeddedPostgres;
import io.github.fraudflink.model.ModelLoader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry on a real PostgreSQL: registration, aliases, their history and the outbox's events. */
class RegistryTest {
    @TempDir
    static Path tmp;
    private static EmbeddedPostgres pg;
    private static int databases;

    @BeforeAll
    static void start() throws Exception {
        pg = EmbeddedPostgres.start(tmp.resolve("pg"), false);
    }

    @AfterAll
    static void stop() throws Exception {
        pg.close();
    }

    private static Registry fresh() throws Exception {
        return Registry.open(pg.createDatabase("registry" + (++databases)), pg.user());
    }

    private static Registration registration(Registry r, Path store) {
        return new Registration(r, store == null ? null : new ArtifactStore(store), new ModelLoader());
    }

    /** Drains the outbox into a list: the events as the topic would hold them. */
    private static List<ModelControl> drain(Registry r) throws Exception {
        List<ModelControl> events = new ArrayList<>();
        ControlOutbox.drain(r.connection(), (key, event) -> {
            ModelControl c = ModelControlJson.read(event.getBytes(StandardCharsets.UTF_8));
            assertThat(key).isEqualTo(c.role.equals("champion") ? "champion" : "shadow");
            events.add(c);
        }, 5_000);
        return events;
    }

    @Test
    void aRegisteredVersionIsCopiedToTheStoreVerifiedAndDescribed() throws Exception {
        try (Registry r = fresh()) {
            URI source = Artifacts.variant(tmp.resolve("a/v1"), "fraud-xgb", "v1");
            ModelVersion v = registration(r, tmp.resolve("store")).register(source, null, null, "alice");
            assertThat(v.alias()).isEqualTo(ModelVersion.NONE);
            assertThat(v.registeredBy()).isEqualTo("alice");
            assertThat(Path.of(URI.create(v.manifestUri()))).isEqualTo(tmp.resolve("store/fraud-xgb/v1/manifest.json"))
                    .exists();
            assertThat(v.files()).containsOnlyKeys("model.json");
            assertThat(v.featureNames()).isNotEmpty();
            assertThat(v.offlineMetrics()).containsKey("auprc");
            assertThat(v.trainingData().hash()).hasSize(64);
            assertThat(v.trainingData().source()).isEqualTo(source.toString());
            // the stored copy is what the job will load: it verifies
            assertThat(new ModelLoader().load(URI.create(v.manifestUri()), v.manifestSha256()).version()).isEqualTo("v1");
            // the same again is a no-op; other bytes under the same version are refused
            assertThat(registration(r, tmp.resolve("store")).register(source, null, null, "bob")).isEqualTo(v);
            URI other = Artifacts.variant(tmp.resolve("b/v1"), "fraud-xgb", "v1");
            Files.writeString(Path.of(other).resolveSibling("extra.txt"), "x");
            String changed = Files.readString(Path.of(other)).replace("\"created_by\"", "\"created_by_\"");
            Files.writeString(Path.of(other), changed);
            assertThatThrownBy(() -> registration(r, null).register(other, null, null, "bob"))
                    .hasMessageContaining("already registered with another manifest");
            assertThat(r.versions(null)).hasSize(1);
        }
    }

    @Test
    void aDamagedArtifactIsRefusedBeforeAnythingIsRecorded() throws Exception {
        try (Registry r = fresh()) {
            URI source = Artifacts.variant(tmp.resolve("damaged/v1"), "fraud-xgb", "v1");
            Files.writeString(Path.of(source).resolveSibling("model.json"), "{}");
            assertThatThrownBy(() -> registration(r, tmp.resolve("store2")).register(source, null, null, "alice"))
                    .hasMessageContaining("the job would reject this model").hasMessageContaining("file_checksum_mismatch");
            assertThat(r.versions(null)).isEmpty();
            assertThat(tmp.resolve("store2")).doesNotExist();
        }
    }

    @Test
    void promotionsRetirementsAndRollbacksWriteTheirHistoryAndTheJobsEvents() throws Exception {
        try (Registry r = fresh()) {
            for (String v : List.of("v1", "v2", "v3")) {
                registration(r, null).register(Artifacts.variant(tmp.resolve("p/" + v), "fraud-xgb", v), null, null, "ci");
            }
            r.promote("fraud-xgb", "v1", ModelVersion.CHAMPION, "alice", "first model", false);
            r.promote("fraud-xgb", "v2", ModelVersion.SHADOW, "alice", "challenger", false);
            r.promote("fraud-xgb", "v2", ModelVersion.CHAMPION, "bob", "better on live labels", false);
            r.promote("fraud-xgb", "v3", ModelVersion.SHADOW, "carol", "next challenger", false);
            r.rollback("dave", "incident 42");
            r.retire(null, null, "erin", "not needed");

            assertThat(r.history("fraud-xgb")).extracting(h -> h.version() + ":" + h.from() + "->" + h.to() + " by " + h.by())
                    .containsExactly("v1:none->champion by alice", "v2:none->shadow by alice",
                            "v1:champion->archived by bob", "v2:shadow->champion by bob", "v3:none->shadow by carol",
                            "v2:champion->archived by dave", "v1:archived->champion by dave", "v3:shadow->archived by erin");
            assertThat(r.history(null).get(6).reason()).isEqualTo("rollback from fraud-xgb v2: incident 42");
            assertThat(r.holder(ModelVersion.CHAMPION)).get().extracting(ModelVersion::version).isEqualTo("v1");
            assertThat(r.holder(ModelVersion.SHADOW)).isEmpty();
            assertThat(r.pendingEvents()).isEqualTo(7);

            List<ModelControl> events = drain(r);
            // the shadow promoted: its retirement first, so the compacted topic's last shadow record is not v2
            assertThat(events).extracting(c -> c.version + "/" + c.role).containsExactly("v1/champion", "v2/shadow",
                    "v2/retired", "v2/champion", "v3/shadow", "v1/champion", "v3/retired");
            assertThat(events.get(0).manifestSha256).isEqualTo(r.version("fraud-xgb", "v1").orElseThrow().manifestSha256());
            assertThat(events.get(0).issuedBy).isEqualTo("alice");
            assertThat(r.pendingEvents()).isZero();
            assertThat(drain(r)).as("sent once").isEmpty();
        }
    }

    @Test
    void refusedChangesChangeNothing() throws Exception {
        try (Registry r = fresh()) {
            registration(r, null).register(Artifacts.variant(tmp.resolve("r/v1"), "fraud-xgb", "v1"), null, null, "ci");
            assertThatThrownBy(() -> r.promote("fraud-xgb", "v9", ModelVersion.CHAMPION, "a", "x", false))
                    .hasMessageContaining("fraud-xgb v9 is not registered");
            assertThatThrownBy(() -> r.rollback("a", "x")).hasMessageContaining("no champion");
            r.promote("fraud-xgb", "v1", ModelVersion.CHAMPION, "a", "x", false);
            assertThatThrownBy(() -> r.promote("fraud-xgb", "v1", ModelVersion.SHADOW, "a", "x", false))
                    .hasMessageContaining("cannot be its own shadow");
            assertThatThrownBy(() -> r.retire("fraud-xgb", "v1", "a", "x")).hasMessageContaining("cannot be retired");
            assertThatThrownBy(() -> r.retire(null, null, "a", "x")).hasMessageContaining("no shadow to retire");
            assertThatThrownBy(() -> r.rollback("a", "x")).hasMessageContaining("only version that was ever champion");
            assertThatThrownBy(() -> r.promote("fraud-xgb", "v1", ModelVersion.ARCHIVED, "a", "x", false))
                    .hasMessageContaining("promote to champion or shadow");
            assertThat(r.history(null)).hasSize(1);
            assertThat(r.pendingEvents()).isEqualTo(1);
        }
    }
}
