package io.github.fraudflink.cli.score;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.fraudflink.cli.common.DurationConverter;
import io.github.fraudflink.cli.common.ManifestUri;
import io.github.fraudflink.cli.common.Progress;
import io.github.fraudflink.cli.local.JobRest;
import io.github.fraudflink.cli.local.LocalFlink;
import io.github.fraudflink.data.DatasetReader;
import io.github.fraudflink.job.JobOptions;
import io.github.fraudflink.job.batch.BatchOptions;
import io.github.fraudflink.job.batch.BatchScoringJob;
import io.github.fraudflink.model.LoadedModel;
import io.github.fraudflink.model.ModelLoader;
import io.github.fraudflink.model.ModelRejectedException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import me.tongfei.progressbar.ProgressBar;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./fraud score}: scores a file with the scoring job's own graph in Flink's batch mode ({@link BatchScoringJob}),
 * on a Flink in this JVM: checks the model and the file first, shows progress, and prints what was written.
 */
@Command(name = "score", sortOptions = false,
        description = {"Score a file of transactions with the job's own features and model, in Flink's batch mode:"
                + " no Kafka, no cluster. Valid rows go to --out, one per transaction (CSV: line, identity, event time,"
                + " score, decision, model, reasons, the model's features by name; or JSON lines), rows that are not"
                + " valid transactions to the rejects file with their reason. Prints rows in, scored, rejected,"
                + " flagged, the rate, and precision/recall when the rows have labels.",
                "The features are those the streaming job computes for the same rows published in event-time order"
                        + " (file order within a timestamp) with the same labels: the file's label column, each label"
                        + " known --label-delay after its transaction, or --labels."},
        footer = {"", "Examples:",
                "  ./fraud score --data ../shared/data/handbook-raw-2018-04-01_2018-08-14.csv.gz --out scored.csv",
                "  ./fraud score --data creditcard.csv --format kaggle --model models/kaggle/manifest.json --out scored.csv",
                "  ./fraud score --data events.jsonl --format job --labels labels.jsonl --out scored.jsonl"})
public final class ScoreCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data", required = true, description = "The file to score (plain or .gz).")
    Path data;

    @Option(names = "--format", description = "handbook, kaggle or job (the job's input JSON, one per line; is_fraud"
            + " optional). Default: job for a .jsonl file, else handbook.")
    String format;

    @Option(names = "--out", required = true, description = "The scored file (written at the end, never half-written).")
    Path out;

    @Option(names = "--out-format", description = "csv or jsonl (default: jsonl when --out ends in .jsonl or .json,"
            + " else csv).")
    String outFormat;

    @Option(names = "--model", description = "The model's manifest.json (a path, or a file://, classpath: or http(s)://"
            + " URI); default: the job's shipped model.")
    String model;

    @Option(names = "--labels", description = "A labels file (one label JSON per line, the labels topic's schema;"
            + " known_at defaults to labelled_at): the terminal features use these instead of the file's label column,"
            + " and precision/recall are measured against them.")
    Path labels;

    @Option(names = "--rejects", description = "Where invalid rows go, one JSON per line (default: <out>.rejects.jsonl).")
    Path rejects;

    @Option(names = "--label-delay", converter = DurationConverter.class, description = "When a row's label from the"
            + " file's label column is known, after its transaction, and the terminal features' delay d"
            + " (fraud.labels.delay). Default: 7d, the handbook's and the shipped model's.")
    Duration labelDelay;

    @Option(names = "--parallelism", defaultValue = "2", description = "Parallel instances of each operator (default: 2).")
    int parallelism;

    @Option(names = "--managed-memory", defaultValue = "512m", description = "Memory of Flink's sorts before they spill"
            + " to disk (default: 512m).")
    String managedMemory;

    @Option(names = "-D", description = "Any job option, e.g. -D fraud.parser.max-amount=100000 (docs/configuration.md).")
    Map<String, String> options = new LinkedHashMap<>();

    @Option(names = "--json", description = "Print the summary as one JSON object on standard output.")
    boolean json;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();
        if (!Files.isRegularFile(data)) {
            throw new IllegalArgumentException("--data " + data + ": no such file");
        }
        if (labels != null && !Files.isRegularFile(labels)) {
            throw new IllegalArgumentException("--labels " + labels + ": no such file");
        }
        String fmt = format != null ? format.toLowerCase(Locale.ROOT)
                : data.getFileName().toString().contains(".jsonl") ? "job" : "handbook";
        String outFmt = outFormat != null ? outFormat.toLowerCase(Locale.ROOT)
                : out.getFileName().toString().matches(".*\\.jsonl?$") ? "jsonl" : "csv";
        Path rejectsFile = rejects != null ? rejects : Path.of(out + ".rejects.jsonl");

        JobOptions.checkKnown(options.keySet(), BatchOptions.ALL);
        Configuration job = new Configuration();
        options.forEach(job::setString);
        job.set(BatchOptions.INPUT, data.toAbsolutePath().toString());
        job.set(BatchOptions.FORMAT, fmt);
        job.set(BatchOptions.OUTPUT, out.toAbsolutePath().toString());
        job.set(BatchOptions.OUTPUT_FORMAT, outFmt);
        job.set(BatchOptions.REJECTS, rejectsFile.toAbsolutePath().toString());
        if (labels != null) {
            job.set(BatchOptions.LABELS, labels.toAbsolutePath().toString());
        }
        if (labelDelay != null) {
            job.set(JobOptions.LABEL_DELAY, labelDelay);
        }
        if (model != null) {
            job.set(JobOptions.MODEL_URI, ManifestUri.of(model).toString());
        }
        BatchOptions.validate(job);
        JobOptions.validate(job);
        DatasetReader.Format format = DatasetReader.Format.of(fmt, data);

        // what can be checked before Flink starts: the model, and the file's header
        try (LoadedModel m = new ModelLoader(job.get(JobOptions.MODEL_MAX_BYTES).getBytes(), job.get(JobOptions.MODEL_LOAD_TIMEOUT))
                .load(URI.create(job.get(JobOptions.MODEL_URI)), job.getOptional(JobOptions.MODEL_SHA256).orElse(null))) {
            err.printf("model %s %s (%s, %d features)%n", m.name(), m.version(), m.featureSchema(), m.featureNames().length);
        } catch (ModelRejectedException e) {
            throw new IllegalArgumentException("the model does not load: " + e.getMessage(), e);
        }
        try (BufferedReader r = ScoreSummary.open(data)) {
            DatasetReader.rows(r, format, JobOptions.transactionParser(job)).close(); // the header and its columns
        } catch (IOException e) {
            throw new IllegalArgumentException("--data " + data + " (format " + fmt + "): " + e.getMessage(), e);
        }
        long lines;
        try (BufferedReader r = ScoreSummary.open(data)) {
            lines = r.lines().count(); // for the progress bars: the rows, give or take the header and blank lines
        }
        err.flush();

        Path work = Files.createTempDirectory("fraud-score-");
        JobExecutionResult result;
        long t0 = System.nanoTime();
        try {
            Configuration flink = LocalFlink.batchConfiguration(work, parallelism, managedMemory);
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(flink);
            env.setParallelism(parallelism);
            BatchScoringJob.build(env, job);
            JobClient client = env.executeAsync("fraud-score " + data.getFileName());
            result = await(client, flink, lines);
        } catch (Exception e) {
            // a failed run leaves nothing under the final names; its half-written files go too
            Files.deleteIfExists(Path.of(out + ".inprogress"));
            Files.deleteIfExists(Path.of(rejectsFile + ".inprogress"));
            throw e;
        } finally {
            deleteRecursively(work);
        }
        double wall = (System.nanoTime() - t0) / 1e9;

        ScoreSummary.Truth truth = labels != null ? ScoreSummary.fromLabels(labels, JobOptions.labelParser(job))
                : ScoreSummary.fromInput(data, format, JobOptions.transactionParser(job));
        ScoreSummary s = ScoreSummary.count(out, outFmt, rejectsFile, truth);
        print(s, result.getNetRuntime(TimeUnit.MILLISECONDS) / 1e3, wall, rejectsFile, json ? stdout : null, err);
        return 0;
    }

    /** Waits for the job, showing the rows read, then the rows written. */
    private JobExecutionResult await(JobClient client, Configuration flink, long lines) throws Exception {
        var done = client.getJobExecutionResult();
        ProgressBar bar = Progress.bar("read", Math.max(1, lines));
        boolean scoring = false;
        try {
            while (!done.isDone()) {
                List<JobRest.Vertex> vertices = JobRest.vertices(flink, client.getJobID());
                for (JobRest.Vertex v : vertices) {
                    if (!scoring && v.name().contains("account features")) {
                        bar.stepTo(Math.min(bar.getMax(), v.readRecords())); // the valid rows read so far
                    } else if (!scoring && v.name().contains("input file")) {
                        if ("FINISHED".equals(v.status())) {
                            bar.stepTo(bar.getMax());
                            bar.close();
                            bar = Progress.bar("score", Math.max(1, lines));
                            scoring = true;
                        }
                    } else if (scoring && v.name().contains("scored file")) {
                        bar.stepTo(Math.min(bar.getMax(), v.readRecords()));
                    }
                }
                try {
                    done.get(250, TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.TimeoutException stillRunning) {
                    // poll again
                }
            }
            JobExecutionResult r = done.get();
            bar.stepTo(bar.getMax());
            return r;
        } finally {
            bar.close();
        }
    }

    private void print(ScoreSummary s, double runtime, double wall, Path rejectsFile, PrintWriter jsonOut, PrintWriter err) {
        long in = s.scored() + s.rejected();
        double rate = runtime > 0 ? in / runtime : Double.NaN;
        if (jsonOut != null) {
            ObjectNode o = new ObjectMapper().createObjectNode();
            o.put("rows_in", in).put("scored", s.scored()).put("rejected", s.rejected()).put("reviewed", s.reviewed())
                    .put("declined", s.declined()).put("flagged", s.flagged()).put("job_seconds", runtime)
                    .put("wall_seconds", wall).put("rows_per_second", rate).put("out", out.toString())
                    .put("rejects", rejectsFile.toString());
            if (s.quality() != null) {
                ScoreSummary.Quality q = s.quality();
                o.put("labelled", q.labelled()).put("frauds", q.frauds())
                        .put("decline_precision", q.declinePrecision(s.declined())).put("decline_recall", q.declineRecall())
                        .put("flag_precision", q.flagPrecision(s.flagged())).put("flag_recall", q.flagRecall());
            }
            jsonOut.println(o);
            jsonOut.flush();
            return;
        }
        err.printf("rows in     %,d%n", in);
        err.printf("scored      %,d -> %s%n", s.scored(), out);
        err.printf("rejected    %,d -> %s%n", s.rejected(), rejectsFile);
        err.printf("flagged     %,d (%,d declined, %,d to review)%n", s.flagged(), s.declined(), s.reviewed());
        err.printf("rate        %,.0f rows/s (job %.1f s; %.1f s with start-up)%n", rate, runtime, wall);
        if (s.quality() != null) {
            ScoreSummary.Quality q = s.quality();
            err.printf("labels      %,d rows labelled, %,d frauds%n", q.labelled(), q.frauds());
            err.printf("declines    precision %.3f, recall %.3f%n", q.declinePrecision(s.declined()), q.declineRecall());
            err.printf("flags       precision %.3f, recall %.3f (review or decline)%n", q.flagPrecision(s.flagged()),
                    q.flagRecall());
        } else {
            err.println("labels      none in the rows: no precision or recall");
        }
        err.flush();
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
