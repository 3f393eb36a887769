package io.github.fraudflink.job.batch;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * Writes a bounded stream into one file, for a batch job run with this sink at parallelism 1: the records go to
 * {@code <path>.inprogress}, which becomes {@code <path>} at the end of the input, so a failed run never leaves a
 * half-written file under the final name (a retried run starts the file again). Any Flink file system path.
 */
public final class SingleFileSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;

    /** Turns records into the file's bytes. */
    public interface Encoder<T> extends Serializable {
        /** The bytes before the first record; {@code first} is null for a file without records. */
        byte[] header(T first);

        void encode(T record, OutputStream out) throws IOException;
    }

    private final String path;
    private final Encoder<T> encoder;

    public SingleFileSink(String path, Encoder<T> encoder) {
        this.path = path;
        this.encoder = encoder;
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
        if (context.getTaskInfo().getNumberOfParallelSubtasks() != 1) {
            throw new IllegalStateException("the sink of " + path + " writes one file: run it at parallelism 1");
        }
        Path target = new Path(path);
        Path temporary = new Path(path + ".inprogress");
        FileSystem fs = target.getFileSystem();
        OutputStream out = new BufferedOutputStream(fs.create(temporary, FileSystem.WriteMode.OVERWRITE), 1 << 16);
        return new SinkWriter<>() {
            private boolean started;
            private boolean done;

            @Override
            public void write(T element, Context ctx) throws IOException {
                if (!started) {
                    start(element);
                }
                encoder.encode(element, out);
            }

            private void start(T first) throws IOException {
                started = true;
                byte[] header = encoder.header(first);
                if (header != null) {
                    out.write(header);
                }
            }

            @Override
            public void flush(boolean endOfInput) throws IOException {
                if (endOfInput && !done) {
                    if (!started) {
                        start(null);
                    }
                    done = true;
                    out.close();
                    if (fs.exists(target)) {
                        fs.delete(target, false);
                    }
                    if (!fs.rename(temporary, target)) {
                        throw new IOException("could not rename " + temporary + " to " + target);
                    }
                }
            }

            @Override
            public void close() throws IOException {
                if (!done) {
                    out.close(); // failed or cancelled: the .inprogress file stays, the final name is not written
                }
            }
        };
    }
}
