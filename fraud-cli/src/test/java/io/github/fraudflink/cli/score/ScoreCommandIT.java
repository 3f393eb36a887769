package io.github.fraudflink.cli.score;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import io.github.fraudflink.cli.FraudCli;
import io.github.fraudflink.data.DatasetReader;
import io.github.fraudflink.data.FileRow;
import io.github.fraudflink.data.LabelledTransaction;
import io.github.fraudflink.data.RowStream;
import io.github.fraudflink.features.TransactionParser;
import io.github.fraudflink.trainer.sim.HandbookCsvWriter;
import io.github.fraudflink.trainer.sim.SimulatorConfig;
import io.github.fraudflink.trainer.sim.TransactionSimulator;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code ./fraud score} end to end: the rejects with their reasons and lines, the summary against a count of what was
 * written, CSV and JSON lines agreeing value for value, a broken file refused with the cause, and a million rows scored
 * by a separate JVM with a 1 GB heap.
 */
class ScoreCommandIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** A small simulated handbook file with bad rows of each kind mixed in; returns the bad rows' lines and reasons. */
    private static Map<Long, String> handbookWithBadRows(Path file, int n, long seed) throws IOException {
        List<LabelledTransaction> txs = new ArrayList<>();
        for (LabelledTransaction lt : new TransactionSimulator(SimulatorConfig.defaults().withCustomers(200)
                .withTerminals(400).withDays(12).withSeed(seed))) {
            if (txs.size() == n) {
                break;
            }
            txs.add(lt);
        }
        Path clean = file.resolveSibling("clean.csv");
        HandbookCsvWriter.write(txs, LocalDate.of(2018, 4, 1), clean);
        List<String> lines = Files.readAllLines(clean);
        Random r = new Random(seed);
        String[] bad = {
            "1,2018-04-02 10:00:00,3",                                                  // columns
            "900001,2018-13-02 10:00:00,3,4,10.00,0,0,0,0",                             // date
            "900002,2018-04-02 10:00:00,3,4,ten,0,0,0,0",                               // amount not a number
            "900003,2018-04-02 10:00:00,3,4,-5.00,0,0,0,0",                             // contract: non_positive_amount
            "900004,2018-04-02 10:00:00,3,4,10.00,0,0,2,0",                             // label
            "900005,2018-04-02 10:00:00,3,,10.00,0,0,0,0",                              // terminal empty
            "\"900006\",2018-04-02 10:00:00,\"3,5\",4,10.00,0,0,0,0",                   // quoted comma: a valid row
        };
        List<String> out = new ArrayList<>(lines.subList(0, 1));
        Map<Long, String> expected = new HashMap<>();
        int next = 0;
        for (int i = 1; i < lines.size(); i++) {
            out.add(lines.get(i));
            if (next < bad.length && r.nextInt(Math.max(1, n / 20)) == 0) {
                out.add(bad[next]);
                if (next < bad.length - 1) {
                    expected.put((long) out.size(), bad[next]);
                }
                next++;
            }
        }
        for (; next < bad.length; next++) {
            out.add(bad[next]);
            if (next < bad.length - 1) {
                expected.put((long) out.size(), bad[next]);
            }
        }
        Files.write(file, out);
        return expected;
    }

    private record Run(int exit, String out, String err) {}

    private static Run score(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = FraudCli.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        List<String> all = new ArrayList<>(List.of("score"));
        all.addAll(List.of(args));
        int exit = cl.execute(all.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void rejectsCarryTheirLineAndReasonAndTheSummaryCountsWhatWasWritten() throws Exception {
        Path data = tmp.resolve("handbook.csv");
        Map<Long, String> bad = handbookWithBadRows(data, 3_000, 7);
        Path out = tmp.resolve("scored.csv");
        Run run = score("--data", data.toString(), "--out", out.toString(), "--label-delay", "1d", "--json");
        assertThat(run.exit()).as(run.err()).isZero();

        // rejects: exactly the bad rows, by line, each with a reason code
        Map<Long, String> reasons = new HashMap<>();
        for (String line : Files.readAllLines(Path.of(out + ".rejects.jsonl"))) {
            JsonNode o = JSON.readTree(line);
            reasons.put(o.get("line").asLong(), o.get("reason").asText());
            assertThat(o.get("file").asText()).isEqualTo("handbook.csv");
            assertThat(o.get("message").asText()).isNotBlank();
        }
        assertThat(reasons.keySet()).isEqualTo(bad.keySet());
        assertThat(reasons.values()).contains("invalid_row", "non_positive_amount");

        // the summary against a count of the written file and the input's labels (read again, independently)
        Map<Long, Boolean> truth = new HashMap<>();
        try (BufferedReader r = Files.newBufferedReader(data);
                RowStream rows = DatasetReader.rows(r, DatasetReader.Format.HANDBOOK, new TransactionParser())) {
            FileRow row;
            while ((row = rows.next()) != null) {
                if (!row.isRejected()) {
                    truth.put(row.line(), row.fraud());
                }
            }
        }
        long scored = 0;
        long declined = 0;
        long flagged = 0;
        long frauds = 0;
        long tp = 0;
        List<String[]> csv = readCsv(out);
        String[] header = csv.get(0);
        for (String[] f : csv.subList(1, csv.size())) {
            scored++;
            boolean fraud = truth.get(Long.parseLong(f[0]));
            boolean decline = f[6].equals("decline");
            declined += decline ? 1 : 0;
            flagged += decline || f[6].equals("review") ? 1 : 0;
            frauds += fraud ? 1 : 0;
            tp += fraud && decline ? 1 : 0;
        }
        assertThat(header[6]).isEqualTo("decision");
        JsonNode summary = JSON.readTree(run.out());
        assertThat(scored).isEqualTo(truth.size());
        assertThat(summary.get("scored").asLong()).isEqualTo(scored);
        assertThat(summary.get("rejected").asLong()).isEqualTo(bad.size());
        assertThat(summary.get("rows_in").asLong()).isEqualTo(scored + bad.size());
        assertThat(summary.get("declined").asLong()).isEqualTo(declined);
        assertThat(summary.get("flagged").asLong()).isEqualTo(flagged);
        assertThat(summary.get("frauds").asLong()).isEqualTo(frauds);
        assertThat(summary.get("decline_recall").asDouble()).isEqualTo((double) tp / frauds);
        assertThat(summary.get("decline_precision").asDouble()).isEqualTo(declined == 0 ? Double.NaN : (double) tp / declined);

        // the same run as JSON lines: every value the same, exactly
        Path outJson = tmp.resolve("scored.jsonl");
        assertThat(score("--data", data.toString(), "--out", outJson.toString(), "--label-delay", "1d").exit()).isZero();
        Map<String, JsonNode> byId = new HashMap<>();
        for (String line : Files.readAllLines(outJson)) {
            JsonNode o = JSON.readTree(line);
            byId.put(o.get("transaction_id").asText(), o);
        }
        assertThat(byId).hasSize(csv.size() - 1);
        for (String[] f : csv.subList(1, csv.size())) {
            JsonNode o = byId.get(f[1]);
            assertThat(o.get("line").asLong()).isEqualTo(Long.parseLong(f[0]));
            assertThat(o.get("score").asDouble()).isEqualTo(Double.parseDouble(f[5]));
            assertThat(o.get("decision").asText()).isEqualTo(f[6]);
            for (int j = 10; j < header.length; j++) {
                assertThat(o.get("features").get(header[j]).asDouble()).as("%s of %s", header[j], f[1])
                        .isEqualTo(Double.parseDouble(f[j]));
            }
        }
    }

    /**
     * Kaggle end to end in a file: {@code ./fraud train --format kaggle} on the shipped slice of creditcard.csv, then
     * {@code ./fraud score --format kaggle} with that model: each row's features are the trainer's row, by name, and its
     * score is xgboost4j's {@code Booster.predict} of that row; the rows of amount 0 are rejected with the reason.
     */
    @Test
    void aKaggleFileIsScoredWithItsAttributesModelAsXgboost4jScoresIt() throws Exception {
        Path slice = Path.of("..", "trainer", "src", "test", "resources", "kaggle-creditcard-sample-slice.csv.gz");
        Path model = tmp.resolve("kaggle-model");
        StringWriter trainErr = new StringWriter();
        CommandLine train = FraudCli.commandLine();
        train.setOut(new PrintWriter(new StringWriter()));
        train.setErr(new PrintWriter(trainErr));
        assertThat(train.execute("train", "--data", slice.toString(), "--format", "kaggle", "--out", model.toString()))
                .as(trainErr.toString()).isZero();
        io.github.fraudflink.model.ModelManifest manifest = io.github.fraudflink.model.ModelManifest.read(
                Files.readAllBytes(model.resolve(io.github.fraudflink.model.ModelManifest.FILE_NAME)));
        assertThat(manifest.featureSchemaId()).isEqualTo("attributes-v1");

        Path out = tmp.resolve("kaggle-scored.csv");
        Run run = score("--data", slice.toString(), "--format", "kaggle", "--model", model.toString(), "--out",
                out.toString(), "--json");
        assertThat(run.exit()).as(run.err()).isZero();

        // the oracle: the trainer's rows of the same file, and xgboost4j's scores of them
        var ds = DatasetReader.read(slice, DatasetReader.Format.KAGGLE);
        var table = io.github.fraudflink.trainer.FeatureTable.compute(ds.rows(), new io.github.fraudflink.features.AccountFeatures(),
                ds.rows().size()).select(new io.github.fraudflink.features.FeatureCatalog.FeatureSet(
                        manifest.featureSchemaId(), manifest.featureNames(), false));
        ml.dmlc.xgboost4j.java.Booster booster = ml.dmlc.xgboost4j.java.XGBoost.loadModel(
                Files.readAllBytes(model.resolve(manifest.modelFile())));
        double[] expected = io.github.fraudflink.trainer.XgbTrainer.predict(booster, table,
                java.util.stream.IntStream.range(0, table.rows).toArray());
        booster.dispose();
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < table.rows; i++) {
            index.put(table.transactionIds[i], i);
        }
        List<String[]> csv = readCsv(out);
        String[] header = csv.get(0);
        assertThat(List.of(header).subList(10, header.length)).containsExactlyElementsOf(manifest.featureNames());
        assertThat(csv).hasSize(table.rows + 1);
        for (String[] f : csv.subList(1, csv.size())) {
            int i = index.get(f[1]);
            for (int j = 10; j < header.length; j++) {
                assertThat(Double.parseDouble(f[j])).as("%s of %s", header[j], f[1]).isEqualTo(table.features[i][j - 10]);
            }
            assertThat((float) Double.parseDouble(f[5])).as("score of %s", f[1]).isEqualTo((float) expected[i]);
        }
        List<String> rejects = Files.readAllLines(Path.of(out + ".rejects.jsonl"));
        assertThat(rejects).hasSize(ds.badRows().size());
        for (String line : rejects) {
            assertThat(JSON.readTree(line).get("reason").asText()).isEqualTo("non_positive_amount");
        }
        JsonNode summary = JSON.readTree(run.out());
        assertThat(summary.get("labelled").asLong()).isEqualTo(table.rows);
        System.out.printf("score --format kaggle: %d rows as xgboost4j scores them, %d rejected (amount 0)%n", table.rows,
                rejects.size());
    }

    @Test
    void aFileThatCannotBeReadIsRefusedWithTheCause() throws Exception {
        Path kaggle = tmp.resolve("creditcard.csv");
        Files.writeString(kaggle, "Time,V1,Amount,Class\n0,1.0,2.0,0\n");
        Run run = score("--data", kaggle.toString(), "--out", tmp.resolve("x.csv").toString());
        assertThat(run.exit()).isNotZero();
        assertThat(run.err()).contains("Kaggle");

        // broken quoting half-way: the rows after it cannot be found, so the run fails, says where, and leaves no file
        Path data = tmp.resolve("quoting.csv");
        handbookWithBadRows(data, 500, 3);
        List<String> lines = new ArrayList<>(Files.readAllLines(data));
        lines.add(250, "\"900100,2018-04-02 10:00:00,3,4,10.00,0,0,0,0");
        Files.write(data, lines);
        Path scored = tmp.resolve("quoting-scored.csv");
        Run failed = score("--data", data.toString(), "--out", scored.toString());
        assertThat(failed.exit()).isNotZero();
        assertThat(failed.err()).contains("broken CSV quoting").contains("line 251");
        assertThat(scored).doesNotExist();
        assertThat(Path.of(scored + ".inprogress")).doesNotExist();
        assertThat(Path.of(scored + ".rejects.jsonl.inprogress")).doesNotExist();

        Path broken = tmp.resolve("broken.jsonl");
        Files.writeString(broken, "{}\n");
        Run missingModel = score("--data", broken.toString(), "--out", tmp.resolve("y.jsonl").toString(),
                "--model", tmp.resolve("no-such-model").toString());
        assertThat(missingModel.exit()).isNotZero();
        assertThat(missingModel.err()).contains("the model does not load");
        assertThat(tmp.resolve("y.jsonl")).doesNotExist();
    }

    @Test
    void aMillionRowsAreScoredByAJvmWithAOneGigabyteHeap() throws Exception {
        Path data = tmp.resolve("million.csv.gz");
        long n = 0;
        try (OutputStream gz = new GZIPOutputStream(Files.newOutputStream(data), 1 << 16)) {
            TransactionSimulator sim = new TransactionSimulator(SimulatorConfig.defaults().withCustomers(5_000)
                    .withTerminals(10_000).withDays(110).withSeed(11));
            Iterable<LabelledTransaction> first = () -> new java.util.Iterator<>() { // streamed: never all in memory
                private final java.util.Iterator<LabelledTransaction> it = sim.iterator();
                private int taken;

                @Override
                public boolean hasNext() {
                    return taken < 1_000_000 && it.hasNext();
                }

                @Override
                public LabelledTransaction next() {
                    taken++;
                    return it.next();
                }
            };
            n = HandbookCsvWriter.write(first, LocalDate.of(2018, 4, 1), gz);
        }
        assertThat(n).isEqualTo(1_000_000);
        Path root = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath().getParent();
        Path out = tmp.resolve("million-scored.csv");
        Path err = tmp.resolve("stderr.txt");
        ProcessBuilder pb = new ProcessBuilder(List.of(root.resolve("fraud").toString(), "score", "--data", data.toString(),
                "--out", out.toString(), "--json"))
                .redirectOutput(tmp.resolve("stdout.txt").toFile()).redirectError(err.toFile());
        pb.environment().put("FRAUD_SKIP_BUILD", "1");
        pb.environment().put("FRAUD_LOG_DIR", tmp.resolve("logs").toString());
        pb.environment().put("FRAUD_JAVA_OPTS", "-Xmx1g");
        Process p = pb.start();
        assertThat(p.waitFor(10, TimeUnit.MINUTES)).as("scoring finished").isTrue();
        assertThat(p.exitValue()).as(Files.readString(err)).isZero();
        JsonNode summary = JSON.readTree(Files.readString(tmp.resolve("stdout.txt")));
        assertThat(summary.get("rows_in").asLong()).isEqualTo(n);
        long lines;
        try (var s = Files.lines(out)) {
            lines = s.count();
        }
        assertThat(lines - 1).isEqualTo(summary.get("scored").asLong());
        assertThat(summary.get("scored").asLong() + summary.get("rejected").asLong()).isEqualTo(n);
        System.out.printf("score: %,d rows with -Xmx1g in %.1f s (job), %,.0f rows/s%n", n,
                summary.get("job_seconds").asDouble(), summary.get("rows_per_second").asDouble());
    }

    private static List<String[]> readCsv(Path file) throws IOException {
        try (MappingIterator<String[]> it = new CsvMapper().enable(CsvParser.Feature.WRAP_AS_ARRAY)
                .readerFor(String[].class).readValues(file.toFile())) {
            return it.readAll();
        }
    }
}
