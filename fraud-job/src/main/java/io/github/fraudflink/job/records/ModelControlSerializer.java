package io.github.fraudflink.job.records;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * The serializer of {@link ModelControl} in the scorer's broadcast state ({@code live-models} and {@code
 * pending-models}): a field's name or type can change in a later release without breaking the restore, because the
 * layout is this class's, versioned, not the class's fields.
 *
 * <p>Layout, version {@value #FORMAT_VERSION} (string = {@link StringValue#writeString}, which also encodes null):
 * <pre>
 *   byte    format version
 *   string  model, version, role, manifestUri, manifestSha256, issuedAt, issuedBy, error
 * </pre>
 * Replaces Flink's POJO serializer of {@link ModelControl}: state it wrote restores after migration.
 */
public final class ModelControlSerializer extends RecordSerializer<ModelControl> {
    private static final long serialVersionUID = 1L;

    public static final ModelControlSerializer INSTANCE = new ModelControlSerializer();

    /** The version byte written first; bump it (and keep reading the old ones) when the layout changes. */
    static final int FORMAT_VERSION = 1;

    private ModelControlSerializer() {
        super("a model-control event (broadcast state 'live-models' or 'pending-models' of the operator 'score')", 1,
                FORMAT_VERSION);
    }

    @Override
    public ModelControl createInstance() {
        return new ModelControl();
    }

    @Override
    public ModelControl copy(ModelControl from) {
        ModelControl c = new ModelControl(from.model, from.version, from.role, from.manifestUri, from.manifestSha256);
        c.issuedAt = from.issuedAt;
        c.issuedBy = from.issuedBy;
        c.error = from.error;
        return c;
    }

    @Override
    public void serialize(ModelControl c, DataOutputView out) throws IOException {
        writeFormat(out);
        for (String s : new String[] {c.model, c.version, c.role, c.manifestUri, c.manifestSha256, c.issuedAt,
                c.issuedBy, c.error}) {
            StringValue.writeString(s, out);
        }
    }

    @Override
    public ModelControl deserialize(DataInputView in) throws IOException {
        readFormat(in);
        ModelControl c = new ModelControl(StringValue.readString(in), StringValue.readString(in),
                StringValue.readString(in), StringValue.readString(in), StringValue.readString(in));
        c.issuedAt = StringValue.readString(in);
        c.issuedBy = StringValue.readString(in);
        c.error = StringValue.readString(in);
        return c;
    }

    @Override
    public TypeSerializerSnapshot<ModelControl> snapshotConfiguration() {
        return new ModelControlSerializerSnapshot();
    }

    private Object readResolve() {
        return INSTANCE;
    }

    /** The snapshot of {@link ModelControlSerializer}: the format of the state (see {@link VersionedSnapshot}). */
    public static final class ModelControlSerializerSnapshot extends VersionedSnapshot<ModelControl> {
        public ModelControlSerializerSnapshot() {
            super(INSTANCE, ModelControl.class, 1);
        }
    }
}
