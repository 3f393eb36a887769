package io.github.fraudflink.cli.data;

import io.github.fraudflink.cli.common.Progress;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ./fraud data ...}: public reference data for training and evaluation. */
@Command(name = "data", mixinStandardHelpOptions = true,
        description = "Get public reference data for training and evaluation.",
        subcommands = DataCommand.Fetch.class)
public final class DataCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code ./fraud data fetch ...}: one subcommand per data set. */
    @Command(name = "fetch", mixinStandardHelpOptions = true, description = "Download a public data set.",
            subcommands = Handbook.class)
    static final class Fetch implements Runnable {
        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(spec.commandLine().getOut());
        }
    }

    /** {@code ./fraud data fetch handbook}: the Fraud Detection Handbook's daily raw files, checksums verified. */
    @Command(name = "handbook", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Download the Fraud Detection Handbook's simulated raw transactions: one file a day, from its"
                    + " public repository Fraud-Detection-Handbook/simulated-data-raw (commit 6e67dbd), each checked"
                    + " against the size and sha256 of the handbook's file. Files already there are skipped, a broken"
                    + " download is resumed by running the command again.",
                "",
                "The files are pandas pickles (.pkl), the handbook's own format, which Java does not read (pandas' and"
                    + " numpy's objects inside the pickle); to get the handbook CSV that ./fraud train reads, convert them with Python and pandas (the command"
                    + " prints this with the folder in place of DIR):",
                "",
                DataCommand.Handbook.CONVERT,
                "",
                "Loading a pickle runs code from the file: convert only files this command verified."},
            footer = {"", "2018-04-01..2018-08-14 (the default) is the period of the project's reference data: 136 files,"
                    + " 79.6 MB, 1,303,778 transactions. The repository has 2018-04-01..2018-09-30 (183 files, 107 MB).",
                "", "Default --base-url:", HandbookDownload.DEFAULT_BASE_URL})
    static final class Handbook implements Callable<Integer> {
        /**
         * The Python that writes the CSV, {@code DIR} standing for the download folder, in lines short enough that
         * the help does not wrap them, with {@code %n} for a line break and {@code %%} for {@code %}, as picocli's
         * help and {@code printf} read it. For the default days its output is, unzipped, byte for byte the project's
         * reference file {@code handbook-raw-2018-04-01_2018-08-14.csv} (checked with pandas 1.5.3).
         */
        static final String CONVERT = "python3 - <<'EOF'%n"
                + "import glob, pandas as pd%n"
                + "files = sorted(glob.glob('DIR/*.pkl'))%n"
                + "df = pd.concat(pd.read_pickle(f) for f in files)%n"
                + "df.sort_values('TRANSACTION_ID').to_csv('handbook-raw.csv.gz', index=False,%n"
                + "    float_format='%%.2f', date_format='%%Y-%%m-%%d %%H:%%M:%%S')%n"
                + "EOF";

        @Spec
        CommandSpec spec;

        @Option(names = "--from", defaultValue = "2018-04-01", description = "First day (default: ${DEFAULT-VALUE}).")
        LocalDate from;

        @Option(names = "--to", defaultValue = "2018-08-14", description = "Last day, included (default: ${DEFAULT-VALUE}).")
        LocalDate to;

        @Option(names = "--dir", defaultValue = ".fraud/data/handbook-raw",
                description = "Folder for the daily files <yyyy-MM-dd>.pkl (default: ${DEFAULT-VALUE}).")
        Path dir;

        @Option(names = "--base-url", defaultValue = HandbookDownload.DEFAULT_BASE_URL,
                description = "URL of the folder holding the daily files, e.g. a mirror; its files must have the"
                        + " handbook's checksums (default: the handbook's repository at commit 6e67dbd, below).")
        String baseUrl;

        @Option(names = "--timeout", defaultValue = "60s",
                description = "Longest wait to connect, and for data while downloading (default: ${DEFAULT-VALUE}).")
        Duration timeout;

        /** The daily files to choose from; null: the bundled manifest of the handbook's files (tests set their own). */
        List<HandbookDownload.DailyFile> manifest;

        @Override
        public Integer call() throws Exception {
            List<HandbookDownload.DailyFile> all = manifest != null ? manifest : HandbookDownload.manifest();
            LocalDate first = all.get(0).date();
            LocalDate last = all.get(all.size() - 1).date();
            if (from.isAfter(to)) {
                throw new IllegalArgumentException("--from " + from + " is after --to " + to);
            }
            if (from.isBefore(first) || to.isAfter(last)) {
                throw new IllegalArgumentException("the handbook's daily files cover " + first + ".." + last + ", not "
                        + from + ".." + to);
            }
            URI base = baseUrl(baseUrl);
            List<HandbookDownload.DailyFile> files = all.stream()
                    .filter(f -> !f.date().isBefore(from) && !f.date().isAfter(to)).toList();
            HandbookDownload.Result r;
            try (ProgressBar pb = Progress.bytes("download", files.stream().mapToLong(HandbookDownload.DailyFile::size).sum())) {
                r = new HandbookDownload(base, dir, timeout).run(files, pb::stepTo);
            }
            PrintWriter out = spec.commandLine().getOut();
            out.printf(Locale.ROOT, "handbook raw data %s..%s: %d daily files, %.1f MB in %s%n", from, to, files.size(),
                    r.totalBytes() / 1e6, dir);
            out.printf(Locale.ROOT, "  downloaded %d, resumed %d, already there %d; %.1f MB transferred; every file's"
                    + " sha256 verified%n", r.downloaded(), r.resumed(), r.present(), r.bytesTransferred() / 1e6);
            out.println("They are pandas pickles. To write the handbook CSV that ./fraud train reads (Python with pandas):");
            String folder = dir.toString().replace("\\", "\\\\").replace("'", "\\'").replace("%", "%%");
            out.printf(Locale.ROOT, CONVERT.replace("DIR", folder) + "%n");
            out.println("./fraud train --data handbook-raw.csv.gz");
            out.flush();
            return 0;
        }

        private static URI baseUrl(String url) {
            try {
                URI u = new URI(url);
                if (u.getHost() != null && ("http".equalsIgnoreCase(u.getScheme()) || "https".equalsIgnoreCase(u.getScheme()))) {
                    return u;
                }
            } catch (URISyntaxException e) {
                // reported below
            }
            throw new IllegalArgumentException("--base-url must be an http:// or https:// URL, got '" + url + "'");
        }
    }
}
