package io.github.fraudflink.data;

import java.io.Closeable;
import java.io.IOException;

/** The rows of a file, one at a time, in file order: what the batch scoring source reads (bounded memory). */
public interface RowStream extends Closeable {
    /**
     * The next row, or null after the last. An {@link IOException} ends the file: the rows after it cannot be found
     * (broken CSV quoting, a read error).
     */
    FileRow next() throws IOException;
}
