package io.github.fraudflink.model;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reads the bytes behind one artifact URI, never more than a byte limit and never past a deadline: the only place a
 * model artifact is read from a file, the class path or an HTTP server.
 *
 * <p>{@code file:} must name a regular file (a device such as {@code /dev/zero}, a FIFO or a directory is refused
 * before a byte is read) whose size is within the limit (a 2 GB sparse file is refused by its size); the read itself
 * stops at the limit too, for files that report no size ({@code /proc}). {@code http(s):} has the deadline on the
 * connection, the headers and the whole body (a server that sends one byte every few seconds is cut off at the
 * deadline, its connection closed), a {@code Content-Length} over the limit is refused before the body, a body that
 * grows past it is cut off, and redirects are followed at most {@link #MAX_REDIRECTS} times, same scheme or to https.
 */
final class ArtifactFetcher {
    /** Redirects followed at most (HttpClient's own limit is a JDK property; this one is checked here). */
    static final int MAX_REDIRECTS = 5;
    private static final int CHUNK = 64 * 1024;

    private final HttpClient http;

    ArtifactFetcher() {
        // redirects are followed here, not by the client: counted, and each hop gets the same deadline
        this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /**
     * The bytes at {@code uri}, at most {@code maxBytes} of them, read before {@code deadlineNanos}
     * ({@link System#nanoTime()} clock).
     */
    byte[] fetch(URI uri, long maxBytes, long deadlineNanos) throws ModelRejectedException {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme();
        try {
            switch (scheme) {
                case "file":
                    return file(uri, maxBytes, deadlineNanos);
                case "classpath":
                    return classpath(uri.getSchemeSpecificPart(), maxBytes, deadlineNanos);
                case "http":
                case "https":
                    return http(uri, maxBytes, deadlineNanos);
                default:
                    throw new ModelRejectedException(ModelRejectedException.Reason.UNREACHABLE,
                            "unsupported URI scheme in " + uri + ": use file://, http(s):// or classpath:");
            }
        } catch (NoSuchFileException e) {
            throw new ModelRejectedException(ModelRejectedException.Reason.UNREACHABLE, uri + " does not exist", e);
        } catch (IOException | IllegalArgumentException e) {
            throw new ModelRejectedException(ModelRejectedException.Reason.UNREACHABLE,
                    "cannot read " + uri + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelRejectedException(ModelRejectedException.Reason.TIMEOUT, "interrupted while reading " + uri, e);
        }
    }

    private static byte[] file(URI uri, long maxBytes, long deadlineNanos) throws IOException, ModelRejectedException {
        Path p = Path.of(uri);
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class); // follows links: the target counts
        if (!a.isRegularFile()) {
            throw new ModelRejectedException(ModelRejectedException.Reason.UNREACHABLE, uri + " is not a regular file ("
                    + (a.isDirectory() ? "a directory without " + ModelManifest.FILE_NAME : a.isOther() ? "a device, FIFO or socket"
                    : "not a file") + "): point manifest_uri at the artifact's manifest.json");
        }
        if (a.size() > maxBytes) {
            throw tooLarge(uri, a.size() + " bytes", maxBytes);
        }
        try (InputStream in = Files.newInputStream(p)) {
            return bounded(in, uri, maxBytes, deadlineNanos);
        }
    }

    private static byte[] classpath(String path, long maxBytes, long deadlineNanos) throws IOException, ModelRejectedException {
        String p = path.startsWith("/") ? path.substring(1) : path;
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        InputStream in = context == null ? null : context.getResourceAsStream(p);
        if (in == null) {
            in = ArtifactFetcher.class.getClassLoader().getResourceAsStream(p);
        }
        if (in == null) {
            throw new NoSuchFileException("classpath:" + p);
        }
        try (InputStream s = in) {
            return bounded(s, URI.create("classpath:" + p), maxBytes, deadlineNanos);
        }
    }

    /** Reads {@code in} to its end, refusing more than {@code maxBytes} and stopping at the deadline between chunks. */
    private static byte[] bounded(InputStream in, URI uri, long maxBytes, long deadlineNanos) throws IOException, ModelRejectedException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[CHUNK];
        long total = 0;
        for (int n; (n = in.read(buf)) >= 0; ) {
            total += n;
            if (total > maxBytes) {
                throw tooLarge(uri, "more than " + maxBytes + " bytes", maxBytes);
            }
            out.write(buf, 0, n);
            checkDeadline(deadlineNanos, "reading " + uri);
        }
        return out.toByteArray();
    }

    private byte[] http(URI start, long maxBytes, long deadlineNanos)
            throws IOException, InterruptedException, ModelRejectedException {
        URI uri = start;
        for (int hop = 0; ; hop++) {
            Duration left = remaining(deadlineNanos, "connecting to " + uri);
            LimitedBody body = new LimitedBody(maxBytes);
            URI current = uri;
            CompletableFuture<HttpResponse<byte[]>> f = http.sendAsync(
                    HttpRequest.newBuilder(uri).timeout(left).GET().build(), info -> body.forResponse(info, current));
            HttpResponse<byte[]> r;
            try {
                r = f.get(Math.max(1, left.toNanos()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                body.abort();
                f.cancel(true);
                throw new ModelRejectedException(ModelRejectedException.Reason.TIMEOUT, uri + " sent " + body.received()
                        + " bytes and did not finish within the load deadline: the artifact server is too slow or hung;"
                        + " fix the server or raise fraud.model.load-timeout");
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                if (c instanceof ModelRejectedException m) {
                    throw m;
                }
                if (c instanceof java.net.http.HttpTimeoutException) {
                    throw new ModelRejectedException(ModelRejectedException.Reason.TIMEOUT, uri
                            + " did not answer within the load deadline: the artifact server is down, slow or hung", c);
                }
                throw c instanceof IOException io ? io : new IOException(String.valueOf(c), c);
            }
            int status = r.statusCode();
            if (status >= 300 && status < 400) {
                String location = r.headers().firstValue("Location").orElse(null);
                if (location == null) {
                    throw new IOException("HTTP " + status + " without a Location header");
                }
                if (hop >= MAX_REDIRECTS) {
                    throw new IOException("more than " + MAX_REDIRECTS + " redirects (a redirect loop?); the last to " + location);
                }
                URI next = uri.resolve(location);
                if (!"https".equals(next.getScheme()) && !uri.getScheme().equals(next.getScheme())) {
                    throw new IOException("redirect from " + uri + " to " + next + " leaves http(s)");
                }
                uri = next;
                continue;
            }
            if (status != 200) {
                throw new IOException("HTTP " + status);
            }
            return r.body();
        }
    }

    static void checkDeadline(long deadlineNanos, String doing) throws ModelRejectedException {
        if (System.nanoTime() - deadlineNanos > 0) {
            throw new ModelRejectedException(ModelRejectedException.Reason.TIMEOUT, "the load deadline passed while "
                    + doing + ": raise fraud.model.load-timeout, or make the artifact smaller or its store faster");
        }
    }

    private static Duration remaining(long deadlineNanos, String doing) throws ModelRejectedException {
        checkDeadline(deadlineNanos, doing);
        return Duration.ofNanos(Math.max(1_000_000, deadlineNanos - System.nanoTime()));
    }

    static ModelRejectedException tooLarge(URI uri, String size, long maxBytes) {
        return new ModelRejectedException(ModelRejectedException.Reason.TOO_LARGE, uri + " has " + size + ", over the"
                + " limit of " + maxBytes + " bytes for a model artifact: check manifest_uri, or raise fraud.model.max-bytes");
    }

    /**
     * An HTTP body that holds at most {@code maxBytes}: a {@code Content-Length} over it is refused at the headers, a
     * body that grows past it is cancelled; {@link #abort} closes the connection of a body that is too slow.
     */
    private static final class LimitedBody {
        private final long maxBytes;
        private volatile Flow.Subscription subscription;
        private volatile long received;
        private volatile boolean aborted;

        LimitedBody(long maxBytes) {
            this.maxBytes = maxBytes;
        }

        long received() {
            return received;
        }

        void abort() {
            aborted = true;
            Flow.Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
        }

        HttpResponse.BodySubscriber<byte[]> forResponse(HttpResponse.ResponseInfo info, URI uri) {
            long length = info.headers().firstValueAsLong("Content-Length").orElse(-1);
            boolean refused = info.statusCode() == 200 && length > maxBytes;
            return new HttpResponse.BodySubscriber<>() {
                private final ByteArrayOutputStream out = new ByteArrayOutputStream();
                private final CompletableFuture<byte[]> result = new CompletableFuture<>();

                @Override
                public CompletionStage<byte[]> getBody() {
                    return result;
                }

                @Override
                public void onSubscribe(Flow.Subscription s) {
                    subscription = s;
                    if (refused) {
                        s.cancel(); // not a byte of a body that is too large by its Content-Length
                        result.completeExceptionally(tooLarge(uri, length + " bytes (Content-Length)", maxBytes));
                    } else if (aborted) {
                        s.cancel();
                    } else {
                        s.request(Long.MAX_VALUE);
                    }
                }

                @Override
                public void onNext(List<ByteBuffer> items) {
                    for (ByteBuffer b : items) {
                        long total = received + b.remaining();
                        received = total;
                        if (total > maxBytes) {
                            subscription.cancel();
                            result.completeExceptionally(tooLarge(uri, "more than " + maxBytes + " bytes", maxBytes));
                            return;
                        }
                        byte[] chunk = new byte[b.remaining()];
                        b.get(chunk);
                        out.write(chunk, 0, chunk.length);
                    }
                }

                @Override
                public void onError(Throwable t) {
                    result.completeExceptionally(t);
                }

                @Override
                public void onComplete() {
                    result.complete(out.toByteArray());
                }
            };
        }
    }
}
