package io.github.fraudflink.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.github.fraudflink.job.kafka.ModelControlJson;
import io.github.fraudflink.job.records.ModelControl;
import io.github.fraudflink.job.records.ModelStatus;
import io.github.fraudflink.job.scoring.InMemoryRoles;
import io.github.fraudflink.job.scoring.ModelRegistry;
import io.github.fraudflink.local.EmbeddedPostgres;
import io.github.fraudflink.model.LoadedModel;
import io.github.fraudflink.model.ModelLoader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Any sequence of registry operations (promotions to either alias, retirements, rollbacks, refused ones included), on a
 * real PostgreSQL: after each one, the events the outbox sends, applied by the job's own rules ({@link ModelRegistry}
 * of the scoring operator, loading the real artifacts), leave the job with exactly the registry's champion and shadow,
 * and the job rejects none of them; and so does a job started afresh on the compacted topic (the last event per key,
 * in offset order).
 */
class RegistryAgreesWithTheJobTest {
    private static final String DEFAULT_MODEL = "classpath:models/default/manifest.json";
    private static final List<String[]> VERSIONS = List.of(new String[] {"fraud-xgb", "v1"},
            new String[] {"fraud-xgb", "v2"}, new String[] {"fraud-xgb", "v3"}, new String[] {"fraud-xgb", "v4"},
            new String[] {"other-xgb", "v1"}, new String[] {"other-xgb", "v2"});

    @TempDir
    static Path tmp;
    private static EmbeddedPostgres pg;
    private static final List<URI> ARTIFACTS = new ArrayList<>();
    private static int databases;

    @BeforeAll
    static void start() throws Exception {
        pg = EmbeddedPostgres.start(tmp.resolve("pg"), false);
        for (String[] v : VERSIONS) {
            ARTIFACTS.add(Artifacts.variant(tmp.resolve(v[0] + "/" + v[1]), v[0], v[1]));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        pg.close();
    }

    @Test
    void afterEveryOperationTheJobHoldsTheRegistrysChampionAndShadow() {
        qt().withExamples(50).forAll(lists().of(integers().between(0, 5 * VERSIONS.size() - 1)).ofSizeBetween(1, 12))
                .checkAssert(ops -> {
                    try {
                        check(ops);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
    }

    /** What compaction leaves: the last record of each key, in offset order. */
    private static List<String> compacted(List<String[]> records) {
        Map<String, Integer> last = new LinkedHashMap<>();
        for (int i = 0; i < records.size(); i++) {
            last.put(records.get(i)[0], i);
        }
        return last.values().stream().sorted().map(i -> records.get(i)[1]).toList();
    }

    /** A job with no state, replaying {@code events}: its champion and shadow, e.g. "fraud-xgb v2 | none". */
    private static String afresh(List<String> events) throws Exception {
        JobReplay.Held held = JobReplay.replay(DEFAULT_MODEL, events.stream()
                .map(e -> ModelControlJson.read(e.getBytes(StandardCharsets.UTF_8))).toList());
        assertThat(held.rejections()).isEmpty();
        return held.champion() + " | " + (held.shadow() == null ? "none" : held.shadow());
    }

    private static void check(List<Integer> ops) throws Exception {
        List<ModelStatus> statuses = new ArrayList<>();
        try (Registry r = Registry.open(pg.createDatabase("agree" + (++databases)), pg.user());
                ModelRegistry job = new ModelRegistry(new ModelLoader(), new InMemoryRoles(), statuses::add, 0, 1)) {
            job.start(DEFAULT_MODEL, null);
            LoadedModel defaultModel = job.champion();
            String defaultName = defaultModel.name() + " " + defaultModel.version();
            Registration registration = new Registration(r, null, new ModelLoader());
            for (URI a : ARTIFACTS) {
                registration.register(a, null, null, "test");
            }
            List<String> done = new ArrayList<>();
            List<String[]> topic = new ArrayList<>();
            for (int op : ops) {
                String[] v = VERSIONS.get(op % VERSIONS.size());
                String what = switch (op / VERSIONS.size()) {
                    case 0 -> "promote " + v[0] + " " + v[1] + " to champion";
                    case 1 -> "promote " + v[0] + " " + v[1] + " to shadow";
                    case 2 -> "retire " + v[0] + " " + v[1];
                    case 3 -> "retire the shadow";
                    default -> "rollback";
                };
                try {
                    switch (op / VERSIONS.size()) {
                        case 0 -> r.promote(v[0], v[1], ModelVersion.CHAMPION, "t", "test", false);
                        case 1 -> r.promote(v[0], v[1], ModelVersion.SHADOW, "t", "test", false);
                        case 2 -> r.retire(v[0], v[1], "t", "test");
                        case 3 -> r.retire(null, null, "t", "test");
                        default -> r.rollback("t", "test");
                    }
                    done.add(what);
                } catch (IllegalArgumentException refused) {
                    done.add(what + " (refused: " + refused.getMessage() + ")");
                }
                ControlOutbox.drain(r.connection(), (key, event) -> {
                    topic.add(new String[] {key, event});
                    job.applyInline(ModelControlJson.read(event.getBytes(StandardCharsets.UTF_8)));
                }, 5_000);

                Optional<ModelVersion> champion = r.holder(ModelVersion.CHAMPION);
                Optional<ModelVersion> shadow = r.holder(ModelVersion.SHADOW);
                assertThat(job.champion().name() + " " + job.champion().version()).as("champion after %s", done)
                        .isEqualTo(champion.map(c -> c.model() + " " + c.version()).orElse(defaultName));
                assertThat(job.shadow() == null ? null : job.shadow().name() + " " + job.shadow().version())
                        .as("shadow after %s", done).isEqualTo(shadow.map(s -> s.model() + " " + s.version()).orElse(null));
                assertThat(statuses).as("the job's statuses after %s", done)
                        .noneMatch(s -> ModelStatus.REJECTED.equals(s.status));
                assertThat(afresh(compacted(topic))).as("a fresh job on the compacted topic after %s", done).isEqualTo(
                        champion.map(c -> c.model() + " " + c.version()).orElse(defaultName) + " | "
                                + shadow.map(x -> x.model() + " " + x.version()).orElse("none"));
            }
        }
    }
}
