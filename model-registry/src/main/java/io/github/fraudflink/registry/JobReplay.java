package io.github.fraudflink.registry;

import io.github.fraudflink.job.records.ModelControl;
import io.github.fraudflink.job.records.ModelStatus;
import io.github.fraudflink.job.scoring.InMemoryRoles;
import io.github.fraudflink.job.scoring.ModelRegistry;
import io.github.fraudflink.model.ModelLoader;
import java.util.ArrayList;
import java.util.List;

/**
 * What a scoring instance started without state would hold after the control events given, in order: the job's own
 * rules ({@link ModelRegistry}) applied here, loading and verifying each artifact. Checks that the control topic says
 * what the registry says ({@code ./fraud model status}).
 */
public final class JobReplay {
    private JobReplay() {}

    /**
     * @param champion "model version" of the champion (the default model's when no event made one)
     * @param shadow "model version" of the shadow, or null
     * @param rejections the events the job would refuse, but for a retirement of what it no longer holds
     */
    public record Held(String champion, String shadow, List<ModelStatus> rejections) {}

    public static Held replay(String defaultModelUri, List<ModelControl> events) throws Exception {
        List<ModelStatus> statuses = new ArrayList<>();
        try (ModelRegistry job = new ModelRegistry(new ModelLoader(), new InMemoryRoles(), statuses::add, 0, 1)) {
            job.start(defaultModelUri, null);
            for (ModelControl c : events) {
                job.applyInline(c);
            }
            return new Held(job.champion().name() + " " + job.champion().version(),
                    job.shadow() == null ? null : job.shadow().name() + " " + job.shadow().version(),
                    statuses.stream().filter(s -> ModelStatus.REJECTED.equals(s.status) && !"not_live".equals(s.reason))
                            .toList());
        }
    }
}
