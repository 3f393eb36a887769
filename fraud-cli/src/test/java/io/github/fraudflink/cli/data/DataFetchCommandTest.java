package io.github.fraudflink.cli.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.fraudflink.cli.CliRun;
import io.github.fraudflink.cli.FraudCli;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code ./fraud data fetch handbook} against an HTTP server on 127.0.0.1 serving a small slice of made-up daily
 * files (never the internet): download and checksum, skip of verified files, resume of a broken download, and the
 * errors of a missing file, a truncated download, a stalled server and wrong bytes.
 */
class DataFetchCommandTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private final Server server = new Server();

    @AfterEach
    void stop() {
        server.close();
    }

    /** Three made-up daily files, served and described by a manifest of their own. */
    private List<HandbookDownload.DailyFile> serveThreeDays() throws Exception {
        List<HandbookDownload.DailyFile> files = new ArrayList<>();
        Random random = new Random(7);
        for (int d = 0; d < 3; d++) {
            byte[] bytes = new byte[100_000 + 30_000 * d];
            random.nextBytes(bytes);
            LocalDate date = LocalDate.of(2018, 4, 1 + d);
            server.files.put(date + ".pkl", bytes);
            files.add(new HandbookDownload.DailyFile(date, bytes.length, sha256(bytes)));
        }
        return files;
    }

    private HandbookDownload.Result fetch(List<HandbookDownload.DailyFile> files) throws IOException {
        return new HandbookDownload(server.base(), dir, TIMEOUT).run(files, n -> { });
    }

    @Test
    void downloadsVerifiesAndThenSkipsWhatIsThere() throws Exception {
        List<HandbookDownload.DailyFile> files = serveThreeDays();
        List<Long> progress = new ArrayList<>();

        HandbookDownload.Result first = new HandbookDownload(server.base(), dir, TIMEOUT).run(files, progress::add);

        assertThat(first).isEqualTo(new HandbookDownload.Result(3, 0, 0, 390_000, 390_000));
        for (HandbookDownload.DailyFile f : files) {
            assertThat(dir.resolve(f.name())).hasBinaryContent(server.files.get(f.name()));
        }
        assertThat(progress).isSorted().last().isEqualTo(390_000L);
        try (var listing = Files.list(dir)) {
            assertThat(listing.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(
                    "2018-04-01.pkl", "2018-04-02.pkl", "2018-04-03.pkl");
        }

        server.requests.clear();
        HandbookDownload.Result second = fetch(files);
        assertThat(second).isEqualTo(new HandbookDownload.Result(0, 0, 3, 0, 390_000));
        assertThat(server.requests).isEmpty();

        // a file changed on disk is not the handbook's: fetched again
        Files.write(dir.resolve("2018-04-02.pkl"), new byte[] {1, 2, 3});
        assertThat(fetch(files)).isEqualTo(new HandbookDownload.Result(1, 0, 2, 130_000, 390_000));
        assertThat(dir.resolve("2018-04-02.pkl")).hasBinaryContent(server.files.get("2018-04-02.pkl"));
    }

    @Test
    void aTruncatedDownloadFailsClearlyAndIsResumedByTheNextRun() throws Exception {
        List<HandbookDownload.DailyFile> files = serveThreeDays();
        server.truncateOnce.add("2018-04-02.pkl");

        assertThatThrownBy(() -> fetch(files))
                .isInstanceOf(IOException.class)
                .hasMessage("the download of 2018-04-02.pkl from " + server.base() + "2018-04-02.pkl broke off after"
                        + " 50,000 of 130,000 bytes (the server ended the response); run the command again to resume it");
        assertThat(dir.resolve("2018-04-01.pkl")).exists();
        assertThat(dir.resolve("2018-04-02.pkl")).doesNotExist();
        assertThat(dir.resolve("2018-04-02.pkl.part")).hasSize(50_000);
        assertThat(dir.resolve("2018-04-03.pkl")).doesNotExist();

        server.requests.clear();
        HandbookDownload.Result again = fetch(files);

        assertThat(again).isEqualTo(new HandbookDownload.Result(1, 1, 1, 80_000 + 160_000, 390_000));
        assertThat(server.requests).containsExactly("2018-04-02.pkl bytes=50000-", "2018-04-03.pkl");
        assertThat(dir.resolve("2018-04-02.pkl")).hasBinaryContent(server.files.get("2018-04-02.pkl"));
        assertThat(dir.resolve("2018-04-02.pkl.part")).doesNotExist();
    }

    @Test
    void aServerThatStallsFailsTheDownloadAfterTheTimeoutAndItIsResumed() throws Exception {
        List<HandbookDownload.DailyFile> files = serveThreeDays().subList(0, 1);
        server.stallOnce.add("2018-04-01.pkl");

        assertThatThrownBy(() -> new HandbookDownload(server.base(), dir, Duration.ofMillis(500)).run(files, n -> { }))
                .isInstanceOf(IOException.class)
                .hasMessage("the download of 2018-04-01.pkl from " + server.base() + "2018-04-01.pkl broke off after"
                        + " 50,000 of 100,000 bytes (no data for 500 ms); run the command again to resume it");
        assertThat(dir.resolve("2018-04-01.pkl.part")).hasSize(50_000);

        assertThat(fetch(files)).isEqualTo(new HandbookDownload.Result(0, 1, 0, 50_000, 100_000));
        assertThat(dir.resolve("2018-04-01.pkl")).hasBinaryContent(server.files.get("2018-04-01.pkl"));
    }

    @Test
    void aLeftOverPartThatIsNotAPrefixOrAServerThatIgnoresRangesStartsAgain() throws Exception {
        List<HandbookDownload.DailyFile> files = serveThreeDays().subList(0, 1);
        byte[] bytes = server.files.get("2018-04-01.pkl");
        Files.write(dir.resolve("2018-04-01.pkl.part"), new byte[40_000]); // zeros: resumed, then fails its checksum

        assertThat(fetch(files)).isEqualTo(new HandbookDownload.Result(1, 0, 0, 60_000 + 100_000, 100_000));
        assertThat(server.requests).containsExactly("2018-04-01.pkl bytes=40000-", "2018-04-01.pkl");
        assertThat(dir.resolve("2018-04-01.pkl")).hasBinaryContent(bytes);

        Files.delete(dir.resolve("2018-04-01.pkl"));
        Files.write(dir.resolve("2018-04-01.pkl.part"), Arrays.copyOf(bytes, 30_000));
        server.requests.clear();
        server.ignoreRanges = true; // answers 200 with the whole file
        assertThat(fetch(files)).isEqualTo(new HandbookDownload.Result(1, 0, 0, 100_000, 100_000));
        assertThat(server.requests).containsExactly("2018-04-01.pkl bytes=30000-");
        assertThat(dir.resolve("2018-04-01.pkl")).hasBinaryContent(bytes);
    }

    @Test
    void aMissingFileIsAnHttpErrorNamingTheUrl() throws Exception {
        List<HandbookDownload.DailyFile> files = serveThreeDays();
        server.files.remove("2018-04-02.pkl");

        assertThatThrownBy(() -> fetch(files))
                .isInstanceOf(IOException.class)
                .hasMessage("HTTP 404 (not found) for " + server.base() + "2018-04-02.pkl; check --base-url (default:"
                        + " the handbook's repository at commit 6e67dbd)");
        assertThat(dir.resolve("2018-04-01.pkl")).exists();
        assertThat(dir.resolve("2018-04-02.pkl")).doesNotExist();
        assertThat(dir.resolve("2018-04-02.pkl.part")).doesNotExist();
    }

    @Test
    void wrongBytesFailTheChecksumAndAreDeleted() throws Exception {
        List<HandbookDownload.DailyFile> files = serveThreeDays().subList(0, 1);
        byte[] good = server.files.get("2018-04-01.pkl");
        byte[] bad = good.clone();
        bad[12_345] ^= 1;
        server.files.put("2018-04-01.pkl", bad);

        assertThatThrownBy(() -> fetch(files))
                .isInstanceOf(IOException.class)
                .hasMessage("checksum mismatch for 2018-04-01.pkl from " + server.base() + "2018-04-01.pkl: sha256 "
                        + sha256(bad) + ", expected " + sha256(good) + " (the handbook's file at commit 6e67dbd); the"
                        + " download was deleted. A mirror given with --base-url must serve the same bytes");
        try (var listing = Files.list(dir)) {
            assertThat(listing).isEmpty();
        }

        server.files.put("2018-04-01.pkl", Arrays.copyOf(good, good.length + 1));
        assertThatThrownBy(() -> fetch(files))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("2018-04-01.pkl from " + server.base() + "2018-04-01.pkl is longer than the"
                        + " handbook's file (100,000 bytes); the download was deleted");
        try (var listing = Files.list(dir)) {
            assertThat(listing).isEmpty();
        }
    }

    @Test
    void theBundledManifestListsEveryDailyFileOfTheHandbooksCommit() throws IOException {
        List<HandbookDownload.DailyFile> all = HandbookDownload.manifest();

        assertThat(all).hasSize(183);
        for (int i = 0; i < all.size(); i++) {
            assertThat(all.get(i).date()).isEqualTo(LocalDate.of(2018, 4, 1).plusDays(i));
            assertThat(all.get(i).sha256()).matches("[0-9a-f]{64}");
        }
        assertThat(all.get(182).date()).isEqualTo(LocalDate.of(2018, 9, 30));
        assertThat(all.get(0)).isEqualTo(new HandbookDownload.DailyFile(LocalDate.of(2018, 4, 1), 562_791,
                "6bb3398e858be68532e22522ed8dd52601fe507b6537f6bc2dde0abcdd3e4717"));
        assertThat(all.stream().mapToLong(HandbookDownload.DailyFile::size).sum()).isEqualTo(107_121_710L);
        assertThat(all.stream().filter(f -> !f.date().isAfter(LocalDate.of(2018, 8, 14)))
                .mapToLong(HandbookDownload.DailyFile::size).sum()).isEqualTo(79_614_123L);
    }

    @Test
    void theCommandExplainsTheConversionAndRejectsBadArgumentsInOneLine() throws IOException {
        assertThat(CliRun.of("data", "--help").out()).contains("Usage: fraud data", "fetch");
        assertThat(CliRun.of("data", "fetch", "--help").out()).contains("Usage: fraud data fetch", "handbook");
        CliRun help = CliRun.of("data", "fetch", "handbook", "--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("Usage: fraud data fetch handbook", "--from", "--to", "--dir", "--base-url",
                "--timeout", "pandas pickles");
        // the Python, whole and unwrapped, ready to paste
        assertThat(pythonIn(help.out())).containsExactly(
                "python3 - <<'EOF'",
                "import glob, pandas as pd",
                "files = sorted(glob.glob('DIR/*.pkl'))",
                "df = pd.concat(pd.read_pickle(f) for f in files)",
                "df.sort_values('TRANSACTION_ID').to_csv('handbook-raw.csv.gz', index=False,",
                "    float_format='%.2f', date_format='%Y-%m-%d %H:%M:%S')",
                "EOF");

        assertThat(error("--from", "2018-05-02", "--to", "2018-05-01")).isEqualTo("error: --from 2018-05-02 is after --to 2018-05-01");
        assertThat(error("--to", "2018-10-01"))
                .isEqualTo("error: the handbook's daily files cover 2018-04-01..2018-09-30, not 2018-04-01..2018-10-01");
        assertThat(error("--base-url", "ftp://example.org/data", "--dir", dir.toString()))
                .isEqualTo("error: --base-url must be an http:// or https:// URL, got 'ftp://example.org/data'");
        // the real manifest against the local server, which has no such files
        assertThat(error("--from", "2018-05-01", "--to", "2018-05-01", "--dir", dir.toString(), "--base-url",
                server.base().toString())).isEqualTo("error: HTTP 404 (not found) for " + server.base()
                + "2018-05-01.pkl; check --base-url (default: the handbook's repository at commit 6e67dbd)");
        // a server sending wrong bytes for a real day
        HandbookDownload.DailyFile may1 = HandbookDownload.manifest().get(30);
        assertThat(may1.date()).isEqualTo(LocalDate.of(2018, 5, 1));
        server.files.put("2018-05-01.pkl", new byte[(int) may1.size()]);
        assertThat(error("--from", "2018-05-01", "--to", "2018-05-01", "--dir", dir.toString(), "--base-url",
                server.base().toString())).startsWith("error: checksum mismatch for 2018-05-01.pkl from " + server.base());
        assertThat(dir.resolve("2018-05-01.pkl")).doesNotExist();
    }

    @Test
    void theCommandDownloadsThenSkipsAndPrintsTheConversionForItsFolder() throws Exception {
        List<HandbookDownload.DailyFile> files = serveThreeDays();
        Path folder = dir.resolve("hb raw");
        String[] args = {"data", "fetch", "handbook", "--from", "2018-04-01", "--to", "2018-04-03", "--dir",
            folder.toString(), "--base-url", server.base().toString().replaceFirst("/$", "")};

        CliRun first = runWithManifest(files, args);
        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(first.out()).startsWith("handbook raw data 2018-04-01..2018-04-03: 3 daily files, 0.4 MB in " + folder
                + "\n  downloaded 3, resumed 0, already there 0; 0.4 MB transferred; every file's sha256 verified\n");
        assertThat(pythonIn(first.out())).contains("files = sorted(glob.glob('" + folder + "/*.pkl'))");
        assertThat(first.out().strip()).endsWith("./fraud train --data handbook-raw.csv.gz");
        assertThat(folder.resolve("2018-04-03.pkl")).hasBinaryContent(server.files.get("2018-04-03.pkl"));

        CliRun second = runWithManifest(files, args);
        assertThat(second.exit()).isZero();
        assertThat(second.out()).contains("  downloaded 0, resumed 0, already there 3; 0.0 MB transferred");
    }

    /** The command with {@code files} as its manifest instead of the handbook's. */
    private static CliRun runWithManifest(List<HandbookDownload.DailyFile> files, String... args) {
        CommandLine cl = FraudCli.commandLine();
        DataCommand.Handbook handbook = cl.getSubcommands().get("data").getSubcommands().get("fetch")
                .getSubcommands().get("handbook").getCommand();
        handbook.manifest = files;
        return CliRun.of(cl, args);
    }

    /** The lines from {@code python3 - <<'EOF'} to {@code EOF}. */
    private static List<String> pythonIn(String text) {
        List<String> lines = text.lines().toList();
        int from = lines.indexOf("python3 - <<'EOF'");
        assertThat(from).as("the conversion in %s", text).isNotNegative();
        return lines.subList(from, lines.subList(from, lines.size()).indexOf("EOF") + from + 1);
    }

    /** The command's one-line error, without the pointer to the log file that follows it. */
    private static String error(String... options) {
        List<String> args = new ArrayList<>(List.of("data", "fetch", "handbook"));
        args.addAll(List.of(options));
        CliRun r = CliRun.of(args.toArray(String[]::new));
        assertThat(r.exit()).isNotZero();
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).doesNotContain("\tat ", "Exception");
        List<String> errors = r.err().lines().filter(l -> l.startsWith("error: ")).toList();
        assertThat(errors).hasSize(1);
        return errors.get(0).replaceFirst("; details in .*$", "");
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** Serves {@code /data/<name>} from {@link #files}, with HTTP ranges, and can misbehave on request. */
    static final class Server implements AutoCloseable {
        final Map<String, byte[]> files = new ConcurrentHashMap<>();
        /** Names whose next answer ends after 50,000 bytes (a chunked response cut short). */
        final List<String> truncateOnce = Collections.synchronizedList(new ArrayList<>());
        /** Names whose next answer announces the whole file, sends 50,000 bytes and then nothing. */
        final List<String> stallOnce = Collections.synchronizedList(new ArrayList<>());
        /** Requests, as {@code name} or {@code name range}. */
        final List<String> requests = Collections.synchronizedList(new ArrayList<>());
        volatile boolean ignoreRanges;
        private final HttpServer http;

        Server() {
            try {
                http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            http.createContext("/data/", this::handle);
            http.start();
        }

        URI base() {
            return URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/data/");
        }

        private void handle(HttpExchange ex) throws IOException {
            String name = ex.getRequestURI().getPath().substring("/data/".length());
            String range = ex.getRequestHeaders().getFirst("Range");
            requests.add(range == null ? name : name + " " + range);
            byte[] bytes = files.get(name);
            if (bytes == null) {
                byte[] body = "Not Found".getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(404, body.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(body);
                }
                return;
            }
            int from = 0;
            int status = 200;
            if (range != null && !ignoreRanges) {
                from = Integer.parseInt(range.substring("bytes=".length(), range.indexOf('-')));
                status = 206;
                ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (bytes.length - 1) + "/" + bytes.length);
            }
            if (truncateOnce.remove(name)) {
                ex.sendResponseHeaders(status, 0); // chunked: the response may end anywhere
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(bytes, from, 50_000);
                }
                return;
            }
            ex.sendResponseHeaders(status, bytes.length - from);
            OutputStream out = ex.getResponseBody();
            if (stallOnce.remove(name)) {
                out.write(bytes, from, 50_000);
                out.flush(); // and never the rest: the connection stays open, silent
                return;
            }
            out.write(bytes, from, bytes.length - from);
            out.close();
        }

        @Override
        public void close() {
            http.stop(0);
        }
    }
}
