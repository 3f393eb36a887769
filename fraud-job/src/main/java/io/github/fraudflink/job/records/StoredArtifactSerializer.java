package io.github.fraudflink.job.records;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * The serializer of {@link StoredArtifact} in the scorer's broadcast state ({@code live-artifacts}): versioned, so
 * the verified model bytes a restore builds from survive a change of the class.
 *
 * <p>Layout, version {@value #FORMAT_VERSION} (string = {@link StringValue#writeString}; bytes = int length, -1 for
 * null, then the bytes):
 * <pre>
 *   byte    format version
 *   string  manifestUri
 *   bytes   manifestGzip
 *   int     the number of files (-1: null), then per file, by name: string name, bytes the file gzipped
 * </pre>
 * Replaces Flink's POJO serializer of {@link StoredArtifact}: state it wrote restores after migration.
 */
public final class StoredArtifactSerializer extends RecordSerializer<StoredArtifact> {
    private static final long serialVersionUID = 1L;

    public static final StoredArtifactSerializer INSTANCE = new StoredArtifactSerializer();

    /** The version byte written first; bump it (and keep reading the old ones) when the layout changes. */
    static final int FORMAT_VERSION = 1;

    /** More files or bytes than a model artifact may have (the loader's limits are far below): corrupt state. */
    private static final int MAX_LENGTH = Integer.MAX_VALUE - 8;

    private StoredArtifactSerializer() {
        super("a live model's verified bytes (broadcast state 'live-artifacts' of the operator 'score')", 1,
                FORMAT_VERSION);
    }

    @Override
    public StoredArtifact createInstance() {
        return new StoredArtifact();
    }

    @Override
    public StoredArtifact copy(StoredArtifact from) {
        StoredArtifact s = new StoredArtifact();
        s.manifestUri = from.manifestUri;
        s.manifestGzip = from.manifestGzip == null ? null : from.manifestGzip.clone();
        if (from.filesGzip != null) {
            s.filesGzip = new HashMap<>();
            from.filesGzip.forEach((name, bytes) -> s.filesGzip.put(name, bytes == null ? null : bytes.clone()));
        }
        return s;
    }

    @Override
    public void serialize(StoredArtifact s, DataOutputView out) throws IOException {
        writeFormat(out);
        StringValue.writeString(s.manifestUri, out);
        writeBytes(s.manifestGzip, out);
        if (s.filesGzip == null) {
            out.writeInt(-1);
            return;
        }
        out.writeInt(s.filesGzip.size());
        for (Map.Entry<String, byte[]> f : new TreeMap<>(s.filesGzip).entrySet()) { // by name: the same bytes each time
            StringValue.writeString(f.getKey(), out);
            writeBytes(f.getValue(), out);
        }
    }

    @Override
    public StoredArtifact deserialize(DataInputView in) throws IOException {
        readFormat(in);
        StoredArtifact s = new StoredArtifact();
        s.manifestUri = StringValue.readString(in);
        s.manifestGzip = readBytes(in);
        int files = in.readInt();
        if (files < -1 || files > MAX_LENGTH) {
            throw new IOException("corrupt StoredArtifact: " + files + " files");
        }
        if (files >= 0) {
            s.filesGzip = new HashMap<>();
            for (int i = 0; i < files; i++) {
                s.filesGzip.put(StringValue.readString(in), readBytes(in));
            }
        }
        return s;
    }

    private static void writeBytes(byte[] b, DataOutputView out) throws IOException {
        if (b == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(b.length);
            out.write(b);
        }
    }

    private static byte[] readBytes(DataInputView in) throws IOException {
        int n = in.readInt();
        if (n < -1 || n > MAX_LENGTH) {
            throw new IOException("corrupt StoredArtifact: " + n + " bytes");
        }
        if (n < 0) {
            return null;
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    @Override
    public TypeSerializerSnapshot<StoredArtifact> snapshotConfiguration() {
        return new StoredArtifactSerializerSnapshot();
    }

    private Object readResolve() {
        return INSTANCE;
    }

    /** The snapshot of {@link StoredArtifactSerializer}: the format of the state (see {@link VersionedSnapshot}). */
    public static final class StoredArtifactSerializerSnapshot extends VersionedSnapshot<StoredArtifact> {
        public StoredArtifactSerializerSnapshot() {
            super(INSTANCE, StoredArtifact.class, 1);
        }
    }
}
