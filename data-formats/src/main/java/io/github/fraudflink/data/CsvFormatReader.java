package io.github.fraudflink.data;

import java.io.IOException;
import java.io.Reader;
import io.github.fraudflink.features.TransactionParser;
import java.util.Locale;

/**
 * A CSV layout with a header row: the header names the columns (found by name, any case; a byte order mark before it
 * is dropped), every other non-blank record is a row that must have the header's width. Fields are read without the
 * white space around them, also inside quotes ({@code " 1.5 "} is {@code 1.5}).
 */
abstract class CsvFormatReader implements FormatReader {

    /** Turns the fields of one data row into a valid row. */
    interface RowReader {
        FileRow read(long line, String[] fields) throws RowContract.Rejected;
    }

    /** What the layout's header must start with, for the error on an empty file. */
    abstract String expectedHeader();

    /**
     * Checks the header's columns (an {@link IOException} if one is missing) and returns the row reader.
     *
     * @param labels whether the label column is required; without it a row's label is null
     */
    abstract RowReader header(String[] columns, TransactionParser parser, boolean labels) throws IOException;

    @Override
    public final RowStream open(Reader text, TransactionParser parser, boolean labels) throws IOException {
        CsvRecords records = new CsvRecords(text);
        String[] columns = records.next();
        if (columns == null) {
            throw new IOException("empty file: expected the header " + expectedHeader());
        }
        for (int i = 0; i < columns.length; i++) {
            columns[i] = columns[i].strip();
        }
        RowReader reader = header(columns, parser, labels);
        return new RowStream() {
            @Override
            public FileRow next() throws IOException {
                String[] fields;
                do {
                    fields = records.next();
                    if (fields == null) {
                        return null;
                    }
                } while (CsvRecords.blank(fields));
                long line = records.line();
                try {
                    if (fields.length != columns.length) {
                        throw new RowContract.Rejected("expected " + columns.length + " columns, found " + fields.length);
                    }
                    for (int i = 0; i < fields.length; i++) {
                        fields[i] = fields[i].strip();
                    }
                    return reader.read(line, fields);
                } catch (RowContract.Rejected e) {
                    return FileRow.rejected(line, e.getMessage(), CsvRecords.join(fields));
                }
            }

            @Override
            public void close() throws IOException {
                records.close();
            }
        };
    }

    /** The label of a row: the column's 0/1 when the file has it ({@code column >= 0}), else null. */
    static Boolean label(String[] fields, int column, String name) throws RowContract.Rejected {
        return column < 0 ? null : zeroOrOne(fields[column], name);
    }

    /** The label column: required ({@link #column}) when {@code labels}, else its index or -1. */
    static int labelColumn(String[] columns, String name, String layout, boolean labels) throws IOException {
        return labels ? column(columns, name, layout) : indexOf(columns, name);
    }

    static int indexOf(String[] columns, String name) {
        for (int i = 0; i < columns.length; i++) {
            if (columns[i].equalsIgnoreCase(name)) {
                return i;
            }
        }
        return -1;
    }

    /** The index of a required column; {@code layout} says what the layout needs. */
    static int column(String[] columns, String name, String layout) throws IOException {
        int i = indexOf(columns, name);
        if (i < 0) {
            throw new IOException("column " + name + " missing from the header; " + layout);
        }
        return i;
    }

    /**
     * A finite decimal number (digits, sign, point, exponent only: no NaN, Infinity, hex or type suffix, which
     * {@link Double#parseDouble} would take).
     */
    static double number(String v, String column) throws RowContract.Rejected {
        boolean plain = !v.isEmpty();
        for (int i = 0; i < v.length() && plain; i++) {
            char c = v.charAt(i);
            plain = (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E';
        }
        if (plain) {
            try {
                double d = Double.parseDouble(v);
                if (Double.isFinite(d)) {
                    return d;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw new RowContract.Rejected(column + " '" + RowContract.abbreviate(v) + "' is not a number");
    }

    /** A 0/1 label ({@code true}/{@code false} accepted). */
    static boolean zeroOrOne(String v, String column) throws RowContract.Rejected {
        switch (v.toLowerCase(Locale.ROOT)) {
            case "1", "true" -> {
                return true;
            }
            case "0", "false" -> {
                return false;
            }
            default -> throw new RowContract.Rejected(column + " must be 0 or 1, got '" + RowContract.abbreviate(v) + "'");
        }
    }
}
