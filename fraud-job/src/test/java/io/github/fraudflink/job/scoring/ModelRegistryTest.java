package io.github.fraudflink.job.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fraudflink.job.JobOptions;
import io.github.fraudflink.job.TestArtifacts;
import io.github.fraudflink.job.records.ModelControl;
import io.github.fraudflink.job.records.ModelStatus;
import io.github.fraudflink.model.ModelArtifact;
import io.github.fraudflink.model.ModelLoader;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The model rules of one scoring instance, without an operator: a map as the role store, a list of statuses. */
class ModelRegistryTest {
    @TempDir
    Path tmp;

    private final InMemoryRoles roles = new InMemoryRoles();
    private final List<ModelStatus> statuses = new ArrayList<>();

    private ModelRegistry started() throws Exception {
        ModelRegistry r = new ModelRegistry(new ModelLoader(), roles, statuses::add, 0, 1);
        r.start(JobOptions.MODEL_URI.defaultValue(), null);
        return r;
    }

    /** Applies {@code c} as the operator does, with its model loaded on this thread. */
    private static boolean apply(ModelRegistry r, ModelControl c) throws Exception {
        if (!PendingControls.loads(c)) {
            r.applyWithoutModel(c);
            return false;
        }
        return r.apply(BackgroundLoads.load(new ModelLoader(), c));
    }

    private static ModelControl event(String model, String version, String role, URI uri) {
        return new ModelControl(model, version, role, uri == null ? null : uri.toString(), null);
    }

    @Test
    void startsOnTheDefaultModelAndSwapsOnAVerifiedOne() throws Exception {
        try (ModelRegistry r = started()) {
            String first = r.champion().version();
            assertThat(statuses).singleElement().satisfies(s -> assertThat(s.cause).isEqualTo("startup"));
            URI v2 = TestArtifacts.variant(tmp.resolve("v2"), "demo-xgb", "v2", "3E-1");
            assertThat(apply(r, event("demo-xgb", "v2", ModelControl.CHAMPION, v2))).isTrue();
            assertThat(r.champion().version()).isEqualTo("v2").isNotEqualTo(first);
            assertThat(roles.events()).containsKey(ModelControl.CHAMPION);
        }
    }

    @Test
    void aBadModelNeverReplacesTheChampion() throws Exception {
        try (ModelRegistry r = started()) {
            String live = r.champion().version();
            List<URI> bad = List.of(TestArtifacts.corrupt(tmp.resolve("c")), TestArtifacts.nanScores(tmp.resolve("n")),
                    TestArtifacts.wrongFeatures(tmp.resolve("w")), TestArtifacts.tampered(tmp.resolve("t")),
                    tmp.resolve("nowhere/manifest.json").toUri());
            for (URI uri : bad) {
                statuses.clear();
                assertThat(apply(r, event("demo-xgb", null, ModelControl.CHAMPION, uri))).as("%s", uri).isFalse();
                assertThat(r.champion().version()).isEqualTo(live);
                assertThat(statuses).singleElement().satisfies(s -> {
                    assertThat(s.status).isEqualTo(ModelStatus.REJECTED);
                    assertThat(s.reason).isNotBlank();
                });
            }
            assertThat(roles.events()).isEmpty();
        }
    }

    @Test
    void shadowIsPromotedRetiredAndTheChampionCannotBeRetired() throws Exception {
        try (ModelRegistry r = started()) {
            URI s1 = TestArtifacts.variant(tmp.resolve("s1"), "challenger", "s1", "3E-1");
            assertThat(apply(r, event("challenger", "s1", ModelControl.SHADOW, s1))).isTrue();
            assertThat(r.shadow().name()).isEqualTo("challenger");
            // the same model as champion: promoted, no longer shadow
            assertThat(apply(r, event("challenger", "s1", ModelControl.CHAMPION, s1))).isTrue();
            assertThat(r.champion().name()).isEqualTo("challenger");
            assertThat(r.shadow()).isNull();
            assertThat(roles.events()).containsOnlyKeys(ModelControl.CHAMPION);
            statuses.clear();
            apply(r, new ModelControl("challenger", null, ModelControl.RETIRED, null, null));
            assertThat(statuses).singleElement().satisfies(s -> assertThat(s.reason).isEqualTo("champion_retire"));
            assertThat(r.champion().name()).isEqualTo("challenger");
        }
    }

    @Test
    void aRollbackOfTheChampionKeepsAShadowOfAnotherVersionOfItsModel() throws Exception {
        URI v1 = TestArtifacts.variant(tmp.resolve("r1"), "demo-xgb", "v1", "3E-1");
        URI v2 = TestArtifacts.variant(tmp.resolve("r2"), "demo-xgb", "v2", "2E-1");
        URI v3 = TestArtifacts.variant(tmp.resolve("r3"), "demo-xgb", "v3", "1E-1");
        try (ModelRegistry r = started()) {
            assertThat(apply(r, event("demo-xgb", "v1", ModelControl.CHAMPION, v1))).isTrue();
            assertThat(apply(r, event("demo-xgb", "v2", ModelControl.CHAMPION, v2))).isTrue();
            assertThat(apply(r, event("demo-xgb", "v3", ModelControl.SHADOW, v3))).isTrue();
            // the registry's rollback: v1 champion again; v3 is not the version promoted, so it stays the shadow
            assertThat(apply(r, event("demo-xgb", "v1", ModelControl.CHAMPION, v1))).isTrue();
            assertThat(r.champion().version()).isEqualTo("v1");
            assertThat(r.shadow().version()).isEqualTo("v3");
            // and v3 promoted leaves the shadow role
            assertThat(apply(r, event("demo-xgb", "v3", ModelControl.CHAMPION, v3))).isTrue();
            assertThat(r.champion().version()).isEqualTo("v3");
            assertThat(r.shadow()).isNull();
        }
    }

    @Test
    void aNewVersionOfTheChampionsModelCanShadowItWithoutUnseatingIt() throws Exception {
        URI v2 = TestArtifacts.variant(tmp.resolve("v2"), "demo-xgb", "v2", "3E-1");
        URI v3 = TestArtifacts.variant(tmp.resolve("v3"), "demo-xgb", "v3", "2E-1");
        try (ModelRegistry r = started()) {
            assertThat(apply(r, event("demo-xgb", "v2", ModelControl.CHAMPION, v2))).isTrue();
            assertThat(apply(r, event("demo-xgb", "v3", ModelControl.SHADOW, v3))).isTrue();
            assertThat(r.champion().version()).isEqualTo("v2");
            assertThat(r.shadow().version()).isEqualTo("v3");
            assertThat(roles.events()).containsOnlyKeys(ModelControl.CHAMPION, ModelControl.SHADOW);
            statuses.clear();
            // the champion's own version as shadow is refused
            assertThat(apply(r, event("demo-xgb", "v2", ModelControl.SHADOW, v2))).isFalse();
            assertThat(statuses).singleElement().satisfies(s -> assertThat(s.reason).isEqualTo("already_champion"));
            assertThat(r.shadow().version()).isEqualTo("v3");
        }
        // and after a restart both come back as they were
        statuses.clear();
        try (ModelRegistry again = started()) {
            assertThat(again.champion().version()).isEqualTo("v2");
            assertThat(again.shadow().version()).isEqualTo("v3");
        }
    }

    @Test
    void aRestartLoadsWhatTheStoreNames() throws Exception {
        URI v2 = TestArtifacts.variant(tmp.resolve("v2"), "demo-xgb", "v2", "3E-1");
        try (ModelRegistry r = started()) {
            apply(r, event("demo-xgb", "v2", ModelControl.CHAMPION, v2));
        }
        statuses.clear();
        try (ModelRegistry again = started()) {
            assertThat(again.champion().version()).isEqualTo("v2");
            assertThat(statuses).singleElement().satisfies(s -> assertThat(s.cause).isEqualTo("restore"));
        }
    }
}
