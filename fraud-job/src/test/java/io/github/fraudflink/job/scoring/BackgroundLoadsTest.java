package io.github.fraudflink.job.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.strings;

import io.github.fraudflink.job.records.ModelControl;
import io.github.fraudflink.model.ModelLoader;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * Whatever a control event's {@code manifest_uri} and {@code manifest_sha256} say, loading it gives an outcome (a
 * model, or a rejection with a reason and a message) and never throws: generated URIs of every scheme, device and
 * system paths, ports nothing listens on, and any text. A failure prints its seed; {@code QT_SEED=N} replays it.
 */
@Timeout(300)
class BackgroundLoadsTest {
    private static final ModelLoader LOADER = new ModelLoader(256 * 1024, Duration.ofSeconds(1));

    /** Paths a slip of the hand can name: devices, procfs and sysfs files, directories, the model's own folder. */
    private static final List<String> PLACES = List.of("/dev/zero", "/dev/null", "/dev/urandom", "/dev/stdin", "/dev/",
            "/proc/self/maps", "/proc/self/status", "/proc/self/fd/0", "/proc/kcore", "/sys/kernel/mm/transparent_hugepage/enabled",
            "/etc/hostname", "/", "/tmp", "/nonexistent/manifest.json", "models/default/manifest.json", "models/default/",
            "models/default/model.json");

    private static Gen<String> uris() {
        Gen<String> scheme = Generate.pick(List.of("file://", "file:", "classpath:", "http://127.0.0.1:", "https://127.0.0.1:",
                "http://[::1]:", "jar:file:", "ftp://127.0.0.1/", "", "FILE://", "data:,", "mailto:"));
        Gen<String> place = Generate.pick(PLACES);
        Gen<String> port = integers().between(1, 1023).map((Integer i) -> String.valueOf(i)); // privileged ports: nothing of ours listens there
        Gen<String> text = strings().allPossible().ofLengthBetween(0, 40);
        return scheme.zip(place, port, text, (s, p, n, t) -> switch (t.length() % 4) {
            case 0 -> s + (s.startsWith("http") ? n + p : p);
            case 1 -> s + p + t;
            case 2 -> s + t;
            default -> t;
        });
    }

    @Test
    void anyManifestUriEndsInAnOutcomeWithAReason() {
        qt().withExamples(600).forAll(uris(), strings().allPossible().ofLengthBetween(0, 70)).checkAssert((uri, sha) -> {
            ModelControl c = new ModelControl("m", "v", ModelControl.CHAMPION, uri, sha.isEmpty() ? null : sha);
            BackgroundLoads.Outcome o = BackgroundLoads.load(LOADER, c);
            assertThat(o.event()).isSameAs(c);
            if (o.model() == null) {
                assertThat(o.error()).as(uri).isNotNull();
                assertThat(o.error().getMessage()).isNotBlank();
                assertThat(o.artifact()).isNull();
            } else { // only the shipped model on the class path can load
                assertThat(o.error()).isNull();
                assertThat(o.artifact().size()).isPositive();
                o.model().close();
            }
        });
    }
}
