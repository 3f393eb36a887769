package io.github.fraudflink.job.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.github.fraudflink.job.records.ModelControl;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The queue of control events against a brute-force model of its rule (arrival order; a newer load for a role drops
 * the waiting ones of that role, not the loading one) on generated sequences, and its store after every step.
 */
class PendingControlsTest {
    /** The store as a sorted map, like broadcast state after a restore. */
    static final class MapStore implements PendingControls.Store {
        final TreeMap<String, ModelControl> map = new TreeMap<>();

        @Override
        public void put(String key, ModelControl event) {
            map.put(key, event);
        }

        @Override
        public void remove(String key) {
            map.remove(key);
        }

        @Override
        public Iterable<Map.Entry<String, ModelControl>> entries() {
            return new ArrayList<>(map.entrySet());
        }
    }

    private static ModelControl event(int i) {
        String role = switch (i % 4) {
            case 0, 1 -> ModelControl.CHAMPION;
            case 2 -> ModelControl.SHADOW;
            default -> ModelControl.RETIRED;
        };
        ModelControl c = new ModelControl("m" + (i % 3), "v" + i, role, "file:///m" + i, null);
        if (i % 11 == 10) {
            c.error = "unreadable";
        }
        return c;
    }

    @Test
    void generatedSequencesFollowTheRuleAndTheStoreMirrorsTheQueue() {
        // each step: a value >= 0 adds that event, -1 applies the head (its load is done)
        qt().withExamples(500).forAll(lists().of(integers().between(-1, 40)).ofSizeBetween(0, 60)).checkAssert(steps -> {
            try {
                MapStore store = new MapStore();
                PendingControls q = new PendingControls(store);
                List<ModelControl> model = new ArrayList<>();
                boolean loading = false;
                for (int step : steps) {
                    if (step < 0) {
                        if (!model.isEmpty()) {
                            assertThat(q.peek()).isSameAs(model.remove(0));
                            q.poll();
                        }
                        loading = false;
                    } else {
                        ModelControl c = event(step);
                        List<ModelControl> expectedDropped = new ArrayList<>();
                        if (PendingControls.loads(c)) {
                            for (int i = loading ? 1 : 0; i < model.size(); i++) {
                                ModelControl w = model.get(i);
                                if (PendingControls.loads(w) && w.role.equals(c.role)) {
                                    expectedDropped.add(w);
                                }
                            }
                        }
                        model.removeAll(expectedDropped);
                        assertThat(q.add(c, loading)).containsExactlyElementsOf(expectedDropped);
                        model.add(c);
                        loading = loading || PendingControls.loads(model.get(0));
                    }
                    assertThat(new ArrayList<>(store.map.values())).as("store in key order").containsExactlyElementsOf(model);
                    // a restore at this point sees the same queue
                    PendingControls restored = new PendingControls(store);
                    assertThat(restored.size()).isEqualTo(model.size());
                    assertThat(restored.peek()).isSameAs(model.isEmpty() ? null : model.get(0));
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
    }

    @Test
    void aFloodIsRefusedPastTheLimit() throws Exception {
        PendingControls q = new PendingControls(new MapStore());
        for (int i = 0; i < PendingControls.MAX_WAITING; i++) {
            q.add(new ModelControl("m" + i, "v", ModelControl.RETIRED, null, null), false);
        }
        assertThatThrownBy(() -> q.add(new ModelControl("x", "v", ModelControl.RETIRED, null, null), false))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("waiting already");
    }

    @Test
    void keysKeepArrivalOrderAcrossARestore() throws Exception {
        MapStore store = new MapStore();
        PendingControls q = new PendingControls(store);
        for (int i = 0; i < 12; i++) {
            q.add(new ModelControl("m" + i, "v", ModelControl.RETIRED, null, null), false);
        }
        q.poll();
        PendingControls again = new PendingControls(store);
        again.add(new ModelControl("last", "v", ModelControl.RETIRED, null, null), false);
        assertThat(store.map.values()).extracting(c -> c.model)
                .containsExactly("m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9", "m10", "m11", "last");
    }
}
