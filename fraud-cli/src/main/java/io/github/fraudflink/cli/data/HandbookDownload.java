package io.github.fraudflink.cli.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.function.LongConsumer;

/**
 * Downloads daily files of the Fraud Detection Handbook's raw data (the public repository
 * {@code Fraud-Detection-Handbook/simulated-data-raw}, {@code data/<yyyy-MM-dd>.pkl}) into a folder, each checked
 * against the size and sha256 of the handbook's file at commit {@value #COMMIT} (the bundled manifest
 * {@code handbook-raw-sha256.txt}), so a mirror given with a different base URL is held to the same bytes.
 *
 * <p>A file is written to {@code <date>.pkl.part} and renamed to {@code <date>.pkl} only once its checksum is right:
 * a {@code .pkl} file is always a complete, verified one. A file already there with the right checksum is skipped; a
 * {@code .part} left by a broken download is resumed with an HTTP range request (or started again if the server
 * ignores the range). A file that fails its checksum is deleted and the run stops with the reason.
 */
final class HandbookDownload {
    /** The commit of the handbook's repository whose files the manifest describes. */
    static final String COMMIT = "6e67dbd0a3bfe0d7ec33abc4bce5f37cd4ff0d6a";
    static final String DEFAULT_BASE_URL =
            "https://raw.githubusercontent.com/Fraud-Detection-Handbook/simulated-data-raw/" + COMMIT + "/data/";
    private static final String MANIFEST = "handbook-raw-sha256.txt";

    /** One daily file: {@code <date>.pkl}, its size and sha256. */
    record DailyFile(LocalDate date, long size, String sha256) {
        String name() {
            return date + ".pkl";
        }
    }

    /** What a run did: files downloaded whole, resumed, already there (verified), and bytes transferred. */
    record Result(int downloaded, int resumed, int present, long bytesTransferred, long totalBytes) {}

    private enum Outcome { DOWNLOADED, RESUMED, PRESENT }

    private final URI base;
    private final Path dir;
    private final Duration timeout;
    private long transferred;

    /**
     * {@code base} is the folder URL the files are under (a trailing slash is added if missing); {@code timeout} bounds
     * the wait to connect and for each read, so a server that stalls fails the download instead of hanging it.
     */
    HandbookDownload(URI base, Path dir, Duration timeout) {
        String b = base.toString();
        this.base = URI.create(b.endsWith("/") ? b : b + "/");
        this.dir = dir;
        this.timeout = timeout;
    }

    /** The handbook's daily files, oldest first, from the bundled manifest. */
    static List<DailyFile> manifest() throws IOException {
        try (InputStream in = HandbookDownload.class.getResourceAsStream(MANIFEST)) {
            if (in == null) {
                throw new IOException(MANIFEST + " is missing from the fraud-cli jar");
            }
            return manifest(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    /** Parses manifest lines {@code yyyy-MM-dd size sha256}; {@code #} starts a comment line. */
    static List<DailyFile> manifest(String text) {
        List<DailyFile> files = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.strip().split("\\s+");
            files.add(new DailyFile(LocalDate.parse(f[0]), Long.parseLong(f[1]), f[2].toLowerCase(Locale.ROOT)));
        }
        return files;
    }

    /** Downloads {@code files} in order; {@code progress} receives the bytes done so far, present files included. */
    Result run(List<DailyFile> files, LongConsumer progress) throws IOException {
        Files.createDirectories(dir);
        int downloaded = 0;
        int resumed = 0;
        int present = 0;
        long done = 0;
        long total = files.stream().mapToLong(DailyFile::size).sum();
        for (DailyFile f : files) {
            long before = done;
            switch (fetch(f, n -> progress.accept(before + n), true)) {
                case DOWNLOADED -> downloaded++;
                case RESUMED -> resumed++;
                case PRESENT -> present++;
            }
            done += f.size();
            progress.accept(done);
        }
        return new Result(downloaded, resumed, present, transferred, total);
    }

    private Outcome fetch(DailyFile f, LongConsumer progress, boolean mayResume) throws IOException {
        Path target = dir.resolve(f.name());
        if (Files.isRegularFile(target) && Files.size(target) == f.size() && f.sha256().equals(sha256(target))) {
            return Outcome.PRESENT;
        }
        Path part = dir.resolve(f.name() + ".part");
        long have = Files.isRegularFile(part) ? Files.size(part) : 0;
        if (have > f.size() || !mayResume) {
            Files.deleteIfExists(part);
            have = 0;
        }
        URI uri = base.resolve(f.name());
        boolean append = false;
        if (have < f.size()) {
            HttpURLConnection c = open(uri, have);
            try {
                int code = status(c, uri);
                append = have > 0 && code == 206 && rangeStart(c.getHeaderField("Content-Range")) == have;
                if (have > 0 && (code == 416 || code == 206 && !append)) {
                    return fetch(f, progress, false); // not the range asked for, or the .part is not a prefix: start again
                }
                if (code != 200 && !append) {
                    throw new IOException("HTTP " + code + (code == 404 ? " (not found)" : "") + " for " + uri
                            + "; check --base-url (default: the handbook's repository at commit "
                            + COMMIT.substring(0, 7) + ")");
                }
                long start = append ? have : 0;
                progress.accept(start);
                long got = copy(c, part, append, start, f, uri, progress);
                if (got < f.size()) {
                    throw brokenOff(f, got, uri, "the server ended the response");
                }
            } finally {
                c.disconnect();
            }
        }
        String sha = sha256(part);
        if (!sha.equals(f.sha256())) {
            Files.delete(part);
            if (have > 0) {
                return fetch(f, progress, false); // the bytes kept from an earlier run may be the wrong ones
            }
            throw new IOException("checksum mismatch for " + f.name() + " from " + uri + ": sha256 " + sha
                    + ", expected " + f.sha256() + " (the handbook's file at commit " + COMMIT.substring(0, 7)
                    + "); the download was deleted. A mirror given with --base-url must serve the same bytes");
        }
        Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return append || have == f.size() ? Outcome.RESUMED : Outcome.DOWNLOADED;
    }

    private HttpURLConnection open(URI uri, long from) throws IOException {
        HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
        c.setConnectTimeout((int) timeout.toMillis());
        c.setReadTimeout((int) timeout.toMillis());
        c.setInstanceFollowRedirects(true);
        c.setRequestProperty("Accept-Encoding", "identity");
        if (from > 0) {
            c.setRequestProperty("Range", "bytes=" + from + "-");
        }
        return c;
    }

    private int status(HttpURLConnection c, URI uri) throws IOException {
        try {
            return c.getResponseCode();
        } catch (SocketTimeoutException e) {
            throw new IOException("no answer from " + uri + " within " + timeoutText() + "; check the connection or"
                    + " --base-url");
        } catch (IOException e) {
            throw new IOException("cannot download " + uri + ": " + describe(e) + "; check the connection or --base-url");
        }
    }

    /** Writes the body to {@code part} (appending after {@code start} bytes, or from scratch); returns its size. */
    private long copy(HttpURLConnection c, Path part, boolean append, long start, DailyFile f, URI uri,
            LongConsumer progress) throws IOException {
        long size = start;
        boolean tooLong = false;
        try (InputStream in = c.getInputStream();
                OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) >= 0) {
                if (size + n > f.size()) {
                    tooLong = true;
                    break;
                }
                out.write(buf, 0, n);
                size += n;
                transferred += n;
                progress.accept(size);
            }
        } catch (IOException e) {
            throw brokenOff(f, size, uri, describe(e)); // the .part keeps what arrived, for the next run
        }
        if (tooLong) {
            Files.delete(part);
            throw new IOException(String.format(Locale.ROOT, "%s from %s is longer than the handbook's file (%,d bytes);"
                    + " the download was deleted. A mirror given with --base-url must serve the same bytes", f.name(),
                    uri, f.size()));
        }
        return size;
    }

    private static IOException brokenOff(DailyFile f, long got, URI uri, String why) {
        return new IOException(String.format(Locale.ROOT, "the download of %s from %s broke off after %,d of %,d bytes"
                + " (%s); run the command again to resume it", f.name(), uri, got, f.size(), why));
    }

    /** The first byte of a 206 answer's {@code Content-Range: bytes FIRST-LAST/SIZE}, or -1. */
    private static long rangeStart(String range) {
        if (range != null && range.startsWith("bytes ") && range.indexOf('-') > 6) {
            try {
                return Long.parseLong(range.substring(6, range.indexOf('-')).strip());
            } catch (NumberFormatException e) {
                return -1;
            }
        }
        return -1;
    }

    private String timeoutText() {
        return timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + " s" : timeout.toMillis() + " ms";
    }

    private String describe(IOException e) {
        if (e instanceof SocketTimeoutException) {
            return "no data for " + timeoutText();
        }
        if (e instanceof UnknownHostException) {
            return "unknown host " + e.getMessage();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    static String sha256(Path file) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) >= 0) {
                sha.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
