package io.github.fraudflink.data;

import io.github.fraudflink.data.LabelledTransaction;
import java.io.IOException;
import java.io.Reader;
import java.util.List;

/** One file layout of {@link DatasetReader}: turns a file's text into labelled transactions and bad rows. */
interface FormatReader {
    /**
     * Reads all of {@code text}: valid rows go to {@code rows} in file order, every row that cannot be imported to
     * {@code bad} with its line and reason. An {@link IOException} fails the whole import (no header, a missing
     * column, broken CSV quoting).
     */
    void read(Reader text, List<LabelledTransaction> rows, List<Dataset.BadRow> bad) throws IOException;
}
