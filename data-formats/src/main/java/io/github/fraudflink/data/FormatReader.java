package io.github.fraudflink.data;

import io.github.fraudflink.features.TransactionParser;
import java.io.IOException;
import java.io.Reader;

/** One file layout of {@link DatasetReader}: turns a file's text into rows, one at a time. */
interface FormatReader {
    /**
     * The rows of {@code text}, each checked with {@code parser} (the job's input contract). An {@link IOException}
     * here fails the whole file (no header, a missing column).
     *
     * @param labels whether every row must carry a label (training), or a file without a label column is read too
     *     (scoring)
     */
    RowStream open(Reader text, TransactionParser parser, boolean labels) throws IOException;
}
