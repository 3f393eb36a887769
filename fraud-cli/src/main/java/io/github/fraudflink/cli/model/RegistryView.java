package io.github.fraudflink.cli.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.fraudflink.job.records.ModelStatus;
import io.github.fraudflink.registry.JobReplay;
import io.github.fraudflink.registry.ModelVersion;
import io.github.fraudflink.registry.Registry;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The registry's side of {@code ./fraud model status}: after sending the pending control events, its champion and
 * shadow; the instances whose live model differs from them (the job has not applied the event yet, or rejected it);
 * and whether the control topic, replayed by the job's rules as a scoring instance started without state would
 * ({@link JobReplay}), gives the same two.
 */
record RegistryView(Optional<ModelVersion> champion, Optional<ModelVersion> shadow, int pending, int exit,
        List<String> disagreements, String topicCheck, boolean topicAgrees) {

    /** The model the replay starts from: the job's default {@code fraud.model.uri}. */
    private static final String DEFAULT_MODEL = "classpath:models/default/manifest.json";

    static RegistryView read(RegistryAccess access, Collection<ModelStatus> live, PrintWriter out, PrintWriter err)
            throws Exception {
        try (Registry r = access.open()) {
            int exit = access.publishPending(r, out, err);
            Optional<ModelVersion> champion = r.holder(ModelVersion.CHAMPION);
            Optional<ModelVersion> shadow = r.holder(ModelVersion.SHADOW);
            List<String> disagreements = new ArrayList<>();
            for (ModelStatus s : live) {
                if (!ModelStatus.LIVE.equals(s.status) && !ModelStatus.RETIRED.equals(s.status)) {
                    continue;
                }
                Optional<ModelVersion> want = ModelVersion.CHAMPION.equals(s.role) ? champion : shadow;
                String has = ModelStatus.LIVE.equals(s.status) ? s.model + " " + s.version : "none";
                // no registry champion yet: the job's start-up model holds the role, which the registry does not name
                if (want.isEmpty() && ModelVersion.CHAMPION.equals(s.role)) {
                    continue;
                }
                String wanted = want.map(v -> v.model() + " " + v.version()).orElse("none");
                if (!has.equals(wanted)) {
                    disagreements.add("instance " + s.instance + " has " + has + " as " + s.role + ", the registry "
                            + wanted);
                }
            }
            String check;
            boolean agrees;
            try {
                JobReplay.Held held = JobReplay.replay(DEFAULT_MODEL, access.kafka.history());
                String wantChampion = champion.map(RegistryView::nameOf).orElse(held.champion());
                String wantShadow = shadow.map(RegistryView::nameOf).orElse(null);
                agrees = held.rejections().isEmpty() && wantChampion.equals(held.champion())
                        && java.util.Objects.equals(wantShadow, held.shadow());
                check = "the control topic, replayed as a job started now would: champion " + held.champion() + ", shadow "
                        + (held.shadow() == null ? "none" : held.shadow())
                        + (agrees ? " (as the registry)" : held.rejections().isEmpty() ? " (NOT as the registry)"
                                : " (some of its models cannot be loaded here: " + held.rejections().get(0).message + ")");
            } catch (io.github.fraudflink.local.KafkaIO.MissingTopicException e) {
                check = e.getMessage();
                agrees = champion.isEmpty() && shadow.isEmpty();
            }
            return new RegistryView(champion, shadow, r.pendingEvents(), exit, disagreements, check, agrees);
        }
    }

    void print(PrintWriter out) {
        out.printf("registry: champion %s, shadow %s%s%n", name(champion), name(shadow),
                pending == 0 ? "" : " (" + pending + " control event(s) not sent yet)");
        out.println(topicCheck);
        if (disagreements.isEmpty()) {
            out.println("every instance reports the registry's models");
        } else {
            out.println("not yet following the registry (the job applies events in order; see the rejections above):");
            disagreements.forEach(d -> out.println("  " + d));
        }
    }

    ObjectNode json(ObjectMapper om) {
        ObjectNode o = om.createObjectNode();
        o.put("champion", champion.map(RegistryView::nameOf).orElse(null));
        o.put("shadow", shadow.map(RegistryView::nameOf).orElse(null));
        o.put("pending_events", pending);
        o.put("topic_agrees", topicAgrees);
        o.put("topic_check", topicCheck);
        ArrayNode a = o.putArray("disagreements");
        disagreements.forEach(a::add);
        return o;
    }

    private static String name(Optional<ModelVersion> v) {
        return v.map(RegistryView::nameOf).orElse("none");
    }

    private static String nameOf(ModelVersion v) {
        return v.model() + " " + v.version();
    }
}
