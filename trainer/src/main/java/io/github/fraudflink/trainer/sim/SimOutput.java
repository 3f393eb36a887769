package io.github.fraudflink.trainer.sim;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Helpers shared by the writers. */
final class SimOutput {

    private SimOutput() {}

    /**
     * A buffered file stream, gzip if the name ends with .gz. Java's gzip header is constant (mtime 0, no file
     * name), so the same bytes in give the same file.
     */
    static OutputStream open(Path file) throws IOException {
        OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
        return file.getFileName().toString().endsWith(".gz") ? new GZIPOutputStream(out, 1 << 16) : out;
    }

    /** An amount with exactly two decimals. */
    static BigDecimal cents(double amount) {
        return BigDecimal.valueOf(Math.round(amount * 100), 2);
    }

    /** The number in a simulator id such as "C00042" (42). */
    static long number(String id) {
        return Long.parseLong(id, 1, id.length(), 10);
    }
}
