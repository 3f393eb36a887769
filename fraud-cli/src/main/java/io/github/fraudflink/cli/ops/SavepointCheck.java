package io.github.fraudflink.cli.ops;

import io.github.fraudflink.job.FraudScoringJob;
import io.github.fraudflink.job.JobOptions;
import io.github.fraudflink.job.PostgresLoaderJob;
import io.github.fraudflink.job.features.AccountHistorySerializer;
import io.github.fraudflink.job.features.TerminalHistorySerializer;
import io.github.fraudflink.job.records.FeaturizedTransactionSerializer;
import io.github.fraudflink.job.records.ModelControlSerializer;
import io.github.fraudflink.job.records.RecordSerializer;
import io.github.fraudflink.job.records.StoredArtifactSerializer;
import io.github.fraudflink.job.records.TransactionSerializer;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import org.apache.flink.api.common.typeutils.CompositeTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.java.typeutils.runtime.PojoSerializerSnapshot;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.memory.DataInputViewStreamWrapper;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.state.IncrementalKeyedStateHandle;
import org.apache.flink.runtime.state.KeyGroupsStateHandle;
import org.apache.flink.runtime.state.KeyedBackendSerializationProxy;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.OperatorBackendSerializationProxy;
import org.apache.flink.runtime.state.OperatorStateHandle;
import org.apache.flink.runtime.state.StreamStateHandle;
import org.apache.flink.runtime.state.metainfo.StateMetaInfoSnapshot;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamGraphHasherV2;
import org.apache.flink.streaming.api.graph.StreamNode;

/**
 * Whether this release's job, with given options, can restore a savepoint, read from the savepoint's metadata and the
 * headers of its state files before anyone submits: which operators' state it restores, which it would drop (and so
 * needs {@code --allowNonRestoredState}), which start empty, whether the key groups match, and for each state whether
 * this release reads its format (as is, after migration) or not (with the state, the format and the fix).
 */
public final class SavepointCheck {
    /** The verdict, from best to worst. */
    public enum Outcome {
        /** Every operator's state restores. */
        RESTORES,
        /** State of operators this job does not have: a restore needs {@code --allowNonRestoredState}, which drops it. */
        NEEDS_ALLOW_NON_RESTORED_STATE,
        /** Some state cannot be restored by this release with these options. */
        CANNOT_RESTORE
    }

    /** The verdict and what led to it, a line per operator and per state. */
    public record Report(Outcome outcome, List<String> lines) {}

    /** An operator of a job: its uid, its name and the key groups of its state. */
    private record Operator(String uid, String name, int maxParallelism) {}

    /** The job's own state serializers: state of Flink's POJO serializer of their types migrates to them. */
    private static final List<RecordSerializer<?>> OWN_SERIALIZERS = List.of(AccountHistorySerializer.INSTANCE,
            TerminalHistorySerializer.INSTANCE, TransactionSerializer.INSTANCE, FeaturizedTransactionSerializer.INSTANCE,
            ModelControlSerializer.INSTANCE, StoredArtifactSerializer.INSTANCE);

    private SavepointCheck() {}

    /**
     * Checks the savepoint in {@code dir} (its {@code _metadata} and state files) against the scoring job ({@code
     * loader} false) or the PostgreSQL loader built with {@code conf}.
     */
    public static Report check(Path dir, Configuration conf, boolean loader) throws IOException {
        Path metadataFile = (Files.isDirectory(dir) ? dir.resolve("_metadata") : dir).toAbsolutePath();
        if (!Files.isRegularFile(metadataFile)) {
            throw new IOException("no savepoint at " + dir + ": a savepoint is a directory with a _metadata file");
        }
        CheckpointMetadata metadata;
        try (DataInputStream in = new DataInputStream(Files.newInputStream(metadataFile))) {
            metadata = Checkpoints.loadCheckpointMetadata(in, SavepointCheck.class.getClassLoader(),
                    metadataFile.getParent().toUri().toString());
        }
        Map<OperatorID, Operator> job = operators(conf, loader);
        Map<OperatorID, Operator> known = knownOperators(conf);
        List<String> lines = new ArrayList<>();
        Outcome outcome = Outcome.RESTORES;
        Set<OperatorID> inSavepoint = new java.util.HashSet<>();
        for (OperatorState state : metadata.getOperatorStates()) {
            inSavepoint.add(state.getOperatorID());
            OperatorID id = state.getOperatorID();
            Operator op = job.get(id);
            // Flink maps no operator of the savepoint, stateful or not, to one whose key groups differ (when the job
            // sets them, as this one does)
            if (op != null && op.maxParallelism() > 0 && state.getMaxParallelism() != op.maxParallelism()) {
                lines.add(String.format("REFUSED  %s: the savepoint has %d key groups for it, this job %d; keep"
                        + " fraud.max-parallelism (or pipeline.max-parallelism) at %d", describe(op),
                        state.getMaxParallelism(), op.maxParallelism(), state.getMaxParallelism()));
                outcome = worse(outcome, Outcome.CANNOT_RESTORE);
                continue;
            }
            if (!hasState(state)) {
                continue;
            }
            if (op == null) {
                Operator k = known.get(id);
                lines.add(String.format("DROPPED  %s: not in this job with these options; a restore needs"
                        + " --allowNonRestoredState, and drops its state", k == null ? "operator " + id
                        + " (not one of this release's)" : describe(k)));
                outcome = worse(outcome, Outcome.NEEDS_ALLOW_NON_RESTORED_STATE);
                continue;
            }
            List<String> states = new ArrayList<>();
            boolean[] refused = {false};
            stateSnapshots(state, (name, snapshot) -> {
                String verdict = snapshot == null ? "not checked (a kind of state file this check does not read)"
                        : verdict(snapshot);
                refused[0] |= verdict.startsWith("cannot");
                states.add(name + ": " + verdict);
            });
            lines.add(String.format("%s %s, parallelism %d: %s", refused[0] ? "REFUSED " : "RESTORES", describe(op),
                    state.getParallelism(), states.isEmpty() ? "source or sink state" : String.join("; ", states)));
            if (refused[0]) {
                outcome = worse(outcome, Outcome.CANNOT_RESTORE);
            }
        }
        for (Map.Entry<OperatorID, Operator> e : job.entrySet()) {
            if (!inSavepoint.contains(e.getKey())) {
                lines.add(String.format("EMPTY    %s: not in the job that took the savepoint; starts without state",
                        describe(e.getValue())));
            }
        }
        return new Report(outcome, lines);
    }

    private static Outcome worse(Outcome a, Outcome b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static String describe(Operator op) {
        return "'" + op.uid() + "' (" + op.name() + ")";
    }

    private static boolean hasState(OperatorState state) {
        return state.getCoordinatorState() != null
                || state.getStates().stream().anyMatch(OperatorSubtaskState::hasState);
    }

    /** The operators of the job built with {@code conf}, by the id Flink derives from each uid. */
    private static Map<OperatorID, Operator> operators(Configuration conf, boolean loader) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf); // as main() does
        if (loader) {
            PostgresLoaderJob.graph(env, conf);
        } else {
            FraudScoringJob.graph(env, conf);
        }
        StreamGraph graph = env.getStreamGraph();
        Map<OperatorID, Operator> out = new LinkedHashMap<>();
        for (StreamNode n : graph.getStreamNodes()) {
            String uid = n.getTransformationUID();
            if (uid != null && !uid.isEmpty()) {
                int max = n.getMaxParallelism() > 0 ? n.getMaxParallelism() : env.getConfig().getMaxParallelism();
                out.put(new OperatorID(StreamGraphHasherV2.generateUserSpecifiedHash(uid)),
                        new Operator(uid, n.getOperatorName(), max));
            }
        }
        return out;
    }

    /** Every operator either job has with any options (PostgreSQL on or off, labels on or off): to name dropped ones. */
    private static Map<OperatorID, Operator> knownOperators(Configuration conf) {
        Map<OperatorID, Operator> out = new LinkedHashMap<>();
        for (boolean labels : new boolean[] {true, false}) {
            Configuration c = new Configuration(conf);
            c.set(JobOptions.TOPIC_LABELS, labels ? JobOptions.TOPIC_LABELS.defaultValue() : "");
            out.putAll(operators(c, false));
            c.set(JobOptions.POSTGRES_URL, "jdbc:postgresql://localhost:5432/fraud"); // not connected to: the graph only
            out.putAll(operators(c, false));
            out.putAll(operators(c, true));
        }
        return out;
    }

    /** Each state's name and the snapshots of its serializers, from the headers of the savepoint's state files. */
    private static void stateSnapshots(OperatorState state, BiConsumer<String, TypeSerializerSnapshot<?>> each)
            throws IOException {
        Set<String> seen = new TreeSet<>();
        for (OperatorSubtaskState subtask : state.getStates()) {
            for (KeyedStateHandle h : subtask.getManagedKeyedState()) {
                StreamStateHandle header = h instanceof KeyGroupsStateHandle k ? k
                        : h instanceof IncrementalKeyedStateHandle i ? i.getMetaDataStateHandle() : null;
                if (header == null) { // e.g. the changelog backend's: say so rather than pass it over
                    if (seen.add("unchecked " + h.getClass().getSimpleName())) {
                        each.accept("keyed state", null);
                    }
                    continue;
                }
                try (InputStream in = header.openInputStream()) {
                    KeyedBackendSerializationProxy<?> proxy = new KeyedBackendSerializationProxy<>(
                            SavepointCheck.class.getClassLoader());
                    proxy.read(new DataInputViewStreamWrapper(in));
                    report(proxy.getStateMetaInfoSnapshots(), "keyed state", seen, each);
                }
            }
            for (OperatorStateHandle h : subtask.getManagedOperatorState()) {
                try (InputStream in = h.openInputStream()) {
                    OperatorBackendSerializationProxy proxy = new OperatorBackendSerializationProxy(
                            SavepointCheck.class.getClassLoader());
                    proxy.read(new DataInputViewStreamWrapper(in));
                    report(proxy.getOperatorStateMetaInfoSnapshots(), "operator state", seen, each);
                    report(proxy.getBroadcastStateMetaInfoSnapshots(), "broadcast state", seen, each);
                }
            }
        }
    }

    private static void report(List<StateMetaInfoSnapshot> snapshots, String kind, Set<String> seen,
            BiConsumer<String, TypeSerializerSnapshot<?>> each) {
        for (StateMetaInfoSnapshot s : snapshots) {
            for (Map.Entry<String, TypeSerializerSnapshot<?>> e : s.getSerializerSnapshotsImmutable().entrySet()) {
                // the values' serializer always; keys, namespaces and the like only when there is something to say
                boolean values = e.getKey().equals(StateMetaInfoSnapshot.CommonSerializerKeys.VALUE_SERIALIZER.toString());
                String name = kind + " '" + s.getName() + "'" + (values ? ""
                        : " " + e.getKey().toLowerCase(java.util.Locale.ROOT).replace('_', ' '));
                if ((values || !verdict(e.getValue()).equals("as is")) && seen.add(name)) {
                    each.accept(name, e.getValue());
                }
            }
        }
    }

    /**
     * What this release makes of state written under {@code snapshot}: the job's own serializers (nested ones
     * included, under a TTL wrapper or in an array) say whether they read its format; state of Flink's POJO serializer
     * of a type the job now writes with its own migrates; Flink's serializers answer for themselves at restore.
     */
    static String verdict(TypeSerializerSnapshot<?> snapshot) {
        List<String> notes = new ArrayList<>();
        walk(snapshot, notes);
        if (notes.isEmpty()) {
            return "as is";
        }
        return notes.stream().anyMatch(n -> n.startsWith("cannot")) ? String.join(", ", notes.stream()
                .filter(n -> n.startsWith("cannot")).toList()) : String.join(", ", notes);
    }

    private static void walk(TypeSerializerSnapshot<?> snapshot, List<String> notes) {
        if (snapshot instanceof RecordSerializer.VersionedSnapshot<?> v) {
            notes.add(v.verdict());
        } else if (snapshot instanceof PojoSerializerSnapshot<?> p) {
            Object instance = p.restoreSerializer().createInstance();
            Class<?> type = instance == null ? null : instance.getClass();
            if (type != null && OWN_SERIALIZERS.stream().anyMatch(s -> s.createInstance().getClass() == type)) {
                notes.add("after migration (" + type.getSimpleName() + " from Flink's POJO serializer to this release's own)");
            }
        } else if (snapshot instanceof CompositeTypeSerializerSnapshot<?, ?> c) {
            for (TypeSerializerSnapshot<?> nested : c.getNestedSerializerSnapshots()) {
                walk(nested, notes);
            }
        }
    }
}
