package io.github.fraudflink.cli.drift;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.fraudflink.cli.common.Progress;
import io.github.fraudflink.model.ModelArtifact;
import io.github.fraudflink.model.ModelLoader;
import io.github.fraudflink.model.ModelManifest;
import io.github.fraudflink.model.ModelRejectedException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.LongConsumer;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ./fraud drift}: an offline drift report of one model over an event-time window, from the features the job
 * served (PostgreSQL) against the reference distributions of the model's manifest, with the scoring job's own binning
 * and PSI, so the figures are the ones its {@code fraud_drift_psi} gauge gives for the same rows.
 */
@Command(name = "drift", sortOptions = false,
        description = {"An offline drift report: the features and the score a model served over an event-time window"
                + " (PostgreSQL, table scored_transactions) against the reference distributions in its manifest (the"
                + " training data's histograms), binned and measured by the scoring job's own code (population"
                + " stability index, PSI). Writes one self-contained HTML file (every column by PSI, and per column the"
                + " reference and current shares per bin side by side) and prints the largest PSIs.",
            "Columns: those the scoring job watches (its fraud_drift_psi gauge), the model's features with a reference"
                + " histogram but the calendar ones (hour_of_day, is_weekend, is_night: a window shorter than a week"
                + " sees only part of their cycle), and the score. Levels: stable below 0.1, moderate 0.1 to 0.25,"
                + " major above 0.25; highlighted: warn above 0.2, page above 0.3.",
            "Model: --model (and --model-version), or --manifest; by default the one of the role that scored the most"
                + " rows in the window (the output says which). Its manifest: --manifest, else the model registry's"
                + " (model_versions.manifest_uri).",
            "--role shadow: scored_transactions stores the champion's features only, so the shadow's score"
                + " (shadow_score) is compared, and of its features only those the champion also uses (the job feeds"
                + " both models from one feature vector by name, so those are the values the shadow saw); the others"
                + " are listed as not stored.",
            "Rows are streamed through a cursor: a window of any size needs memory for the histograms only."})
public final class DriftCommand implements Callable<Integer> {
    /** Windows with at least this many rows show progress on standard error. */
    static final long PROGRESS_FROM = 100_000;

    @Spec
    CommandSpec spec;

    @Option(names = "--from", required = true, description = "First event time of the window, inclusive (ISO-8601"
            + " instant, e.g. 2024-03-01T00:00:00Z).")
    Instant from;

    @Option(names = "--to", required = true, description = "End of the window, exclusive.")
    Instant to;

    @Option(names = "--model", description = "Model name (default: the model of the role that scored the most rows in"
            + " the window).")
    String model;

    @Option(names = "--model-version", description = "Its version (needs --model; default: the version of --model that"
            + " scored the most rows in the window).")
    String modelVersion;

    @Option(names = "--manifest", description = "The model's manifest.json (a path, or a file://, classpath: or"
            + " http(s):// URI; its artifact is read and checked as the job loads it): the reference, and the model"
            + " whose rows are read (its name and version). Instead of --model; default: the registry's.")
    String manifest;

    @Option(names = "--role", defaultValue = ServedScores.CHAMPION, description = "champion or shadow (default:"
            + " ${DEFAULT-VALUE}). shadow: its score, and only the features the champion also uses (the rest are not"
            + " stored).")
    String role;

    @Option(names = "--out", defaultValue = "drift-report.html", description = "The HTML report to write (default:"
            + " ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--top", defaultValue = "10", description = "Columns printed, largest PSI first (default:"
            + " ${DEFAULT-VALUE}; the report has all).")
    int top;

    @Option(names = "--json", description = "Instead of the text, one JSON object on standard output: model, version,"
            + " role, rows, the window, psi per column (largest first), level per column, the columns above the page"
            + " and warn levels, the columns not compared, the report's path.")
    boolean json;

    @Mixin
    PostgresOptions postgres;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Override
    public Integer call() throws Exception {
        checkOptions();
        PrintWriter o = spec.commandLine().getOut();
        ModelManifest given = null;
        String givenUri = null;
        if (manifest != null) {
            ModelArtifact a = artifact(uri(manifest), null);
            givenUri = a.manifestUri().toString();
            given = ModelManifest.read(a.manifest());
        }
        String wantModel = given != null ? given.name() : model;
        String wantVersion = given != null ? given.version() : modelVersion;
        try (Connection c = ServedScores.connect(postgres.url, postgres.user)) {
            List<ServedScores.ModelRows> inWindow = ServedScores.models(c, role, from, to);
            ServedScores.ModelRows chosen = ServedScores.choose(inWindow, role, wantModel, wantVersion, from, to,
                    () -> held(c));
            String chosenBy = chosenBy(chosen, inWindow);
            ModelManifest m = given;
            String manifestUri = givenUri;
            if (m == null) {
                ServedScores.Registered reg = ServedScores.registered(c, chosen.model(), chosen.version())
                        .orElseThrow(() -> new IllegalArgumentException(chosen.model() + " " + chosen.version() + " is"
                                + " not in the model registry (table model_versions), so its manifest is unknown: give"
                                + " --manifest with its manifest.json (path or URI), or register it with ./fraud model"
                                + " register --manifest ..."));
                ModelArtifact a = artifact(URI.create(reg.manifestUri()), reg.manifestSha256());
                manifestUri = a.manifestUri().toString();
                m = ModelManifest.read(a.manifest());
                if (!m.name().equals(chosen.model()) || !m.version().equals(chosen.version())) {
                    throw new IllegalStateException("the registry's manifest for " + chosen.model() + " " + chosen.version()
                            + " (" + manifestUri + ") is " + m.name() + " " + m.version() + ": give --manifest with the"
                            + " right one");
                }
            }
            DriftTally tally = DriftTally.of(m, manifestUri);
            long rows = read(c, chosen, tally);
            List<DriftResult.Column> compared = new ArrayList<>();
            List<String> notStored = new ArrayList<>();
            for (DriftResult.Column col : tally.columns()) {
                if (!col.score() && col.counted() == 0) {
                    notStored.add(col.name());
                } else {
                    compared.add(col);
                }
            }
            DriftResult result = new DriftResult(chosen.model(), chosen.version(), role, from, to, rows, manifestUri,
                    chosenBy, inWindow, compared, notStored, tally.calendar(), tally.noReference());
            Path report = out.toAbsolutePath().normalize();
            DriftReport.write(report, result);
            if (json) {
                o.println(new ObjectMapper().writeValueAsString(result.json(new ObjectMapper(), report.toString())));
            } else {
                result.print(o, top, report.toString());
            }
            return 0;
        }
    }

    private void checkOptions() {
        if (!from.isBefore(to)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--from (" + from + ") must be before --to ("
                    + to + ")");
        }
        if (!ServedScores.CHAMPION.equals(role) && !ServedScores.SHADOW.equals(role)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--role must be champion or shadow, not '"
                    + role + "'");
        }
        if (modelVersion != null && model == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--model-version needs --model");
        }
        if (manifest != null && model != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "give --model (and --model-version) or"
                    + " --manifest, not both: the manifest names its model and version");
        }
        if (top < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--top must not be negative");
        }
        if (!postgres.configured()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "the served features are in the job's"
                    + " PostgreSQL database: give --postgres-url jdbc:postgresql://host:5432/db or set FRAUD_POSTGRES_URL");
        }
    }

    private static String held(Connection c) {
        try {
            return ServedScores.heldEventTimes(c);
        } catch (SQLException e) {
            return "(what it holds could not be read: " + e.getMessage() + ")";
        }
    }

    private String chosenBy(ServedScores.ModelRows chosen, List<ServedScores.ModelRows> inWindow) {
        long all = inWindow.stream().mapToLong(ServedScores.ModelRows::rows).sum();
        String share = String.format(Locale.ROOT, "%,d of the window's %,d %s rows", chosen.rows(), all, role);
        if (manifest != null) {
            return "given by --manifest; " + share;
        }
        if (model != null && modelVersion != null) {
            return "given by --model and --model-version; " + share;
        }
        if (model != null) {
            return "the version of --model that scored the most rows in the window: " + share;
        }
        return "by default the " + role + " that scored the most rows in the window: " + share + "; --model for another";
    }

    /** Streams the chosen model's rows into the tally; progress on standard error for a large window. */
    private long read(Connection c, ServedScores.ModelRows chosen, DriftTally tally) throws SQLException, IOException {
        if (chosen.rows() < PROGRESS_FROM) {
            return ServedScores.read(c, role, chosen, from, to, tally, n -> { });
        }
        try (ProgressBar pb = Progress.bar("read " + chosen.model() + " " + chosen.version(), chosen.rows())) {
            LongConsumer step = n -> {
                if ((n & 4095) == 0) {
                    pb.stepTo(n);
                }
            };
            long n = ServedScores.read(c, role, chosen, from, to, tally, step);
            pb.stepTo(n);
            return n;
        }
    }

    /** A manifest option: a path (existing, or without a scheme), else a URI. */
    static URI uri(String manifest) {
        return manifest.contains(":") && !Files.exists(Path.of(manifest)) ? URI.create(manifest)
                : Path.of(manifest).toAbsolutePath().normalize().toUri();
    }

    /** The artifact at {@code uri}, read and checked as the job loads it (the manifest's sha256 when known). */
    private static ModelArtifact artifact(URI uri, String sha256) {
        ModelLoader loader = new ModelLoader();
        try {
            return loader.fetch(uri, sha256, loader.deadline());
        } catch (ModelRejectedException e) {
            throw new IllegalArgumentException("cannot read the model's manifest at " + uri + ": " + e.getMessage()
                    + " (--manifest: the model's manifest.json with its files, as a path or URI)", e);
        }
    }
}
