package io.github.fraudflink.job.batch;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.util.List;
import java.util.Locale;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;

/**
 * The keys of {@link BatchScoringJob}, beside the scoring job's own ({@code fraud.features.*}, {@code fraud.labels.*},
 * {@code fraud.model.*}, {@code fraud.parser.*} of {@link io.github.fraudflink.job.JobOptions}), which mean the same
 * here. Documented in docs/configuration.md.
 */
public final class BatchOptions {
    public static final ConfigOption<String> INPUT = key("fraud.batch.input").stringType().noDefaultValue()
            .withDescription("The file to score (plain or .gz): a path or URI the job's file system reads.");
    public static final ConfigOption<String> FORMAT = key("fraud.batch.format").stringType().defaultValue("handbook")
            .withDescription("The input's layout: handbook (the Fraud Detection Handbook's CSV), kaggle (creditcard.csv)"
                    + " or job (one transaction JSON of the job's input schema per line; is_fraud optional).");
    public static final ConfigOption<String> LABELS = key("fraud.batch.labels").stringType().noDefaultValue()
            .withDescription("Optional labels file, one label JSON of the labels topic's schema per line (known_at"
                    + " defaults to labelled_at). When set, the terminal features use these labels instead of the"
                    + " input's own label column.");
    public static final ConfigOption<String> OUTPUT = key("fraud.batch.output").stringType().noDefaultValue()
            .withDescription("The scored file to write (replaced at the end of the run, never left half-written).");
    public static final ConfigOption<String> OUTPUT_FORMAT = key("fraud.batch.output-format").stringType().defaultValue("csv")
            .withDescription("csv (a header, then one row per scored transaction: line, identity, event time, score,"
                    + " decision, model, reasons, the model's features by name) or jsonl (the scored-transactions"
                    + " topic's JSON with the input line instead of the ingest time).");
    public static final ConfigOption<String> REJECTS = key("fraud.batch.rejects").stringType().noDefaultValue()
            .withDescription("Where the rows that are not valid transactions go, one JSON per line with the line,"
                    + " the reason code, the message and the row (default: the output path + '.rejects.jsonl').");

    public static final List<ConfigOption<?>> ALL = List.of(INPUT, FORMAT, LABELS, OUTPUT, OUTPUT_FORMAT, REJECTS);

    /** The output formats. */
    public static final List<String> OUTPUT_FORMATS = List.of("csv", "jsonl");
    /** The input formats. */
    public static final List<String> FORMATS = List.of("handbook", "kaggle", "job");

    private BatchOptions() {}

    /** The rejects file: {@link #REJECTS}, else the output's path + {@code .rejects.jsonl}. */
    public static String rejects(ReadableConfig conf) {
        return conf.getOptional(REJECTS).orElse(conf.get(OUTPUT) + ".rejects.jsonl");
    }

    /** Checks the keys, with the fix in each message. */
    public static void validate(ReadableConfig conf) {
        if (conf.getOptional(INPUT).isEmpty() || conf.getOptional(OUTPUT).isEmpty()) {
            throw new IllegalArgumentException("batch scoring needs " + INPUT.key() + " (the file to score) and "
                    + OUTPUT.key() + " (the scored file to write)");
        }
        String format = conf.get(FORMAT).toLowerCase(Locale.ROOT);
        if (!FORMATS.contains(format)) {
            throw new IllegalArgumentException(FORMAT.key() + " '" + conf.get(FORMAT) + "' is not one of " + FORMATS);
        }
        if (!OUTPUT_FORMATS.contains(conf.get(OUTPUT_FORMAT).toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException(OUTPUT_FORMAT.key() + " '" + conf.get(OUTPUT_FORMAT) + "' is not one of "
                    + OUTPUT_FORMATS);
        }
        for (ConfigOption<String> file : List.of(INPUT, LABELS)) {
            conf.getOptional(file).ifPresent(path -> {
                String name = new org.apache.flink.core.fs.Path(path).getName();
                if (name.startsWith(".") || name.startsWith("_")) {
                    throw new IllegalArgumentException(file.key() + " '" + path + "': Flink's file source skips files"
                            + " whose name starts with '.' or '_' (it takes them for hidden or temporary files); rename it");
                }
            });
        }
    }
}
