package io.github.fraudflink.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Artifact URIs that once took a scoring job down or held it up, against the loader's byte limit and deadline: each
 * ends in a rejection with its reason, never in an {@link OutOfMemoryError}, a hang or a read past the limit. Real
 * devices, files and loopback servers; the test's timeout is the proof that nothing hangs.
 */
@Timeout(60)
class HostileArtifactsTest {
    private static final long LIMIT = 1024 * 1024;
    private static final Duration DEADLINE = Duration.ofSeconds(2);

    @TempDir
    Path tmp;

    private static ModelRejectedException rejection(URI uri) {
        ModelLoader loader = new ModelLoader(LIMIT, DEADLINE);
        ModelRejectedException e = catchThrowableOfType(ModelRejectedException.class, () -> loader.load(uri, null));
        assertThat(e).as("a rejection of " + uri).isNotNull();
        assertThat(e.getMessage()).isNotBlank();
        return e;
    }

    @Test
    void devicesAreRefusedBeforeAByteIsRead() {
        for (String device : new String[] {"/dev/zero", "/dev/urandom", "/dev/null"}) {
            ModelRejectedException e = rejection(Path.of(device).toUri());
            assertThat(e.reason()).as(device).isEqualTo(ModelRejectedException.Reason.UNREACHABLE);
            assertThat(e.getMessage()).contains("not a regular file").contains("device");
        }
    }

    @Test
    void aFifoIsRefusedWithoutOpeningIt() throws Exception {
        Path fifo = tmp.resolve("manifest.json");
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertThat(p.waitFor()).isZero();
        // opening a FIFO without a writer blocks for ever: a rejection at all shows it was not opened
        assertThat(rejection(fifo.toUri()).getMessage()).contains("not a regular file");
    }

    @Test
    void aHugeSparseFileIsRefusedByItsSize() throws Exception {
        Path sparse = tmp.resolve("sparse").resolve("manifest.json");
        Files.createDirectories(sparse.getParent());
        try (RandomAccessFile f = new RandomAccessFile(sparse.toFile(), "rw")) {
            f.setLength(2L * 1024 * 1024 * 1024); // 2 GB of holes: no disk, no read
        }
        ModelRejectedException e = rejection(sparse.getParent().toUri());
        assertThat(e.reason()).isEqualTo(ModelRejectedException.Reason.TOO_LARGE);
        assertThat(e.getMessage()).contains("2147483648 bytes").contains("fraud.model.max-bytes");
    }

    @Test
    void aFileThatReportsNoSizeIsCutOffAtTheLimit() throws Exception {
        // /proc files report size 0 and have content: the read itself must stop at the limit
        ModelLoader small = new ModelLoader(java.util.List.of(), 64, DEADLINE);
        ModelRejectedException e = catchThrowableOfType(ModelRejectedException.class,
                () -> small.load(Path.of("/proc/self/maps").toUri(), null));
        assertThat(e.reason()).isEqualTo(ModelRejectedException.Reason.TOO_LARGE);
        assertThat(e.getMessage()).contains("more than 64 bytes");
    }

    @Test
    void aServerThatNeverAnswersIsCutOffAtTheDeadline() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> accept(server)); // accepts, says nothing
            ModelRejectedException e = rejection(URI.create("http://127.0.0.1:" + server.getLocalPort() + "/manifest.json"));
            assertThat(e.reason()).isEqualTo(ModelRejectedException.Reason.TIMEOUT);
            accepted.get(5, TimeUnit.SECONDS).close();
        }
    }

    @Test
    void aServerThatSendsTheBodyByteByByteIsCutOffAtTheDeadlineAndItsConnectionClosed() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Integer> sent = CompletableFuture.supplyAsync(() -> dribble(server));
            ModelRejectedException e = rejection(URI.create("http://127.0.0.1:" + server.getLocalPort() + "/manifest.json"));
            assertThat(e.reason()).isEqualTo(ModelRejectedException.Reason.TIMEOUT);
            assertThat(e.getMessage()).contains("did not finish within the load deadline");
            // the loader closed the connection: the server's next writes fail long before its 1,000 bytes
            assertThat(sent.get(30, TimeUnit.SECONDS)).isLessThan(1_000);
        }
    }

    @Test
    void aContentLengthOverTheLimitIsRefusedBeforeTheBody() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            CompletableFuture.runAsync(() -> respond(server, "HTTP/1.1 200 OK\r\nContent-Length: 10000000000\r\n\r\n", true));
            ModelRejectedException e = rejection(URI.create("http://127.0.0.1:" + server.getLocalPort() + "/manifest.json"));
            assertThat(e.reason()).isEqualTo(ModelRejectedException.Reason.TOO_LARGE);
            assertThat(e.getMessage()).contains("Content-Length");
        }
    }

    @Test
    void anEndlessChunkedBodyIsCutOffAtTheLimit() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            CompletableFuture.runAsync(() -> respond(server, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", true));
            ModelRejectedException e = rejection(URI.create("http://127.0.0.1:" + server.getLocalPort() + "/manifest.json"));
            assertThat(e.reason()).isEqualTo(ModelRejectedException.Reason.TOO_LARGE);
            assertThat(e.getMessage()).contains("more than " + LIMIT + " bytes");
        }
    }

    @Test
    void aRedirectLoopAndARedirectOutOfHttpAreRefused() throws Exception {
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/loop", x -> {
            x.getResponseHeaders().add("Location", "/loop?again");
            x.sendResponseHeaders(302, -1);
            x.close();
        });
        http.createContext("/to-file", x -> {
            x.getResponseHeaders().add("Location", "file:///etc/passwd");
            x.sendResponseHeaders(301, -1);
            x.close();
        });
        http.start();
        try {
            String base = "http://127.0.0.1:" + http.getAddress().getPort();
            ModelRejectedException loop = rejection(URI.create(base + "/loop"));
            assertThat(loop.reason()).isEqualTo(ModelRejectedException.Reason.UNREACHABLE);
            assertThat(loop.getMessage()).contains("more than " + ArtifactFetcher.MAX_REDIRECTS + " redirects");
            assertThat(rejection(URI.create(base + "/to-file")).getMessage()).contains("leaves http(s)");
        } finally {
            http.stop(0);
        }
    }

    @Test
    void aModelFileOverTheLimitIsRefusedWhateverTheManifestSays() throws Exception {
        Path dir = tmp.resolve("big");
        ml.dmlc.xgboost4j.java.Booster booster = TestModels.train(3);
        try {
            TestModels.artifact(dir, booster, "1");
        } finally {
            booster.dispose();
        }
        long manifest = Files.size(dir.resolve("manifest.json"));
        ModelLoader justTheManifest = new ModelLoader(java.util.List.of(), manifest + 10, DEADLINE);
        ModelRejectedException e = catchThrowableOfType(ModelRejectedException.class, () -> justTheManifest.load(dir.toUri(), null));
        assertThat(e.reason()).as("the limit covers the manifest and its files together").isEqualTo(ModelRejectedException.Reason.TOO_LARGE);
        assertThat(e.getMessage()).contains("does not fit").contains(manifest + " are taken before it");
    }

    private static Socket accept(ServerSocket server) {
        try {
            Socket s = server.accept();
            s.getInputStream().read(new byte[4096]); // the request
            return s;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Headers for 1,000 bytes, then one byte every 200 ms; returns how many were written before the client hung up. */
    private static int dribble(ServerSocket server) {
        int n = 0;
        try (Socket s = accept(server); OutputStream out = s.getOutputStream()) {
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            for (; n < 1_000; n++) {
                out.write('{');
                out.flush();
                Thread.sleep(200); // the slow server under test, not a wait for a result
            }
        } catch (IOException closedByTheClient) {
            // what a cut-off looks like from the server: n bytes went out
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return n;
    }

    /** Sends {@code head}, then, if {@code endless}, data without end (chunks of 64 KB) until the client hangs up. */
    private static void respond(ServerSocket server, String head, boolean endless) {
        try (Socket s = accept(server); OutputStream out = s.getOutputStream(); InputStream ignored = s.getInputStream()) {
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = new byte[64 * 1024];
            java.util.Arrays.fill(chunk, (byte) 'x');
            boolean chunked = head.contains("chunked");
            for (int i = 0; endless && i < 100_000; i++) {
                if (chunked) {
                    out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                }
                out.write(chunk);
                if (chunked) {
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                }
            }
        } catch (IOException closedByTheClient) {
            // what a cut-off looks like from the server
        }
    }
}
