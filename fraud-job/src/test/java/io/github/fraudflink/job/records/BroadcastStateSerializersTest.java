package io.github.fraudflink.job.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.strings;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * {@link ModelControlSerializer} and {@link StoredArtifactSerializer}, the serializers of the scorer's broadcast
 * state: exact round trips of generated values (any field null or not, any UTF-16 text including unpaired
 * surrogates, any bytes, any number of files), the same bytes whatever the order of a map, and Flink's serializer
 * contract. Their snapshots: {@link VersionedSnapshotTest}.
 */
class BroadcastStateSerializersTest {
    private static final Gen<String> TEXT = strings().basicMultilingualPlaneAlphabet().ofLengthBetween(0, 40)
            .mix(strings().allPossible().ofLengthBetween(0, 10)).toOptionals(20).map(o -> o.orElse(null));
    private static final Gen<byte[]> BYTES = lists().of(integers().between(-128, 127)).ofSizeBetween(0, 300)
            .map(l -> {
                byte[] b = new byte[l.size()];
                for (int i = 0; i < b.length; i++) {
                    b[i] = (byte) (int) l.get(i);
                }
                return b;
            }).toOptionals(10).map(o -> o.orElse(null));

    private static final BiConsumer<ModelControl, ModelControl> SAME_CONTROL = (a, b) -> assertThat(a)
            .usingRecursiveComparison().isEqualTo(b);
    private static final BiConsumer<StoredArtifact, StoredArtifact> SAME_ARTIFACT = (a, b) -> assertThat(a)
            .usingRecursiveComparison().isEqualTo(b);

    private static <T> boolean same(BiConsumer<T, T> assertSame, T a, T b) {
        try {
            assertSame.accept(a, b);
            return true;
        } catch (AssertionError e) {
            return false;
        }
    }

    @Test
    void anyModelControlRoundTripsExactly() {
        qt().forAll(lists().of(TEXT).ofSize(8)).checkAssert(f -> {
            ModelControl c = new ModelControl(f.get(0), f.get(1), f.get(2), f.get(3), f.get(4));
            c.issuedAt = f.get(5);
            c.issuedBy = f.get(6);
            c.error = f.get(7);
            RecordSerializerContract.roundTrip(ModelControlSerializer.INSTANCE, c, SAME_CONTROL);
        });
    }

    @Test
    void anyStoredArtifactRoundTripsExactlyWhateverTheOrderOfItsFiles() {
        qt().forAll(TEXT, BYTES, lists().of(TEXT.map(t -> t == null ? "" : t)).ofSizeBetween(0, 6), BYTES)
                .checkAssert((uri, manifest, names, file) -> {
                    StoredArtifact s = new StoredArtifact();
                    s.manifestUri = uri;
                    s.manifestGzip = manifest;
                    s.filesGzip = names.isEmpty() && file == null ? null : new HashMap<>();
                    for (String n : names) {
                        s.filesGzip.put(n, file);
                    }
                    StoredArtifact back = RecordSerializerContract.roundTrip(StoredArtifactSerializer.INSTANCE, s, SAME_ARTIFACT);
                    if (s.filesGzip != null) {
                        Map<String, byte[]> reversed = new java.util.LinkedHashMap<>();
                        List<String> keys = new java.util.ArrayList<>(s.filesGzip.keySet());
                        java.util.Collections.reverse(keys);
                        keys.forEach(k -> reversed.put(k, s.filesGzip.get(k)));
                        back.filesGzip = reversed;
                        assertThat(RecordSerializerContract.bytes(StoredArtifactSerializer.INSTANCE, back))
                                .isEqualTo(RecordSerializerContract.bytes(StoredArtifactSerializer.INSTANCE, s));
                    }
                });
    }

    @Nested
    class ModelControlContract extends RecordSerializerContract<ModelControl> {
        ModelControlContract() {
            super(ModelControlSerializer.INSTANCE, ModelControl.class, (a, b) -> same(SAME_CONTROL, a, b));
        }

        @Override
        protected ModelControl[] getTestData() {
            ModelControl full = new ModelControl("fraud-xgb", "2018-07-25", ModelControl.CHAMPION,
                    "file:///models/m/manifest.json", "ab".repeat(32));
            full.issuedAt = "2026-12-07T05:00:00Z";
            full.issuedBy = "analyst \uD83D\uDE00";
            ModelControl bad = new ModelControl();
            bad.error = "not JSON";
            return new ModelControl[] {full, bad, new ModelControl()};
        }
    }

    @Nested
    class StoredArtifactContract extends RecordSerializerContract<StoredArtifact> {
        StoredArtifactContract() {
            super(StoredArtifactSerializer.INSTANCE, StoredArtifact.class, (a, b) -> same(SAME_ARTIFACT, a, b));
        }

        @Override
        protected StoredArtifact[] getTestData() {
            StoredArtifact full = new StoredArtifact();
            full.manifestUri = "https://models.example/m/manifest.json";
            full.manifestGzip = new byte[] {31, -117, 8, 0};
            full.filesGzip = new HashMap<>(Map.of("model.json", new byte[] {1, 2, 3}, "golden.csv", new byte[0]));
            return new StoredArtifact[] {full, new StoredArtifact()};
        }
    }
}
