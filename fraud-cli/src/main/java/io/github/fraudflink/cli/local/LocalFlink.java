package io.github.fraudflink.cli.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;

/**
 * Flink settings for running the job in this JVM (a MiniCluster): RocksDB with incremental
 * checkpoints in a local folder, exactly-once checkpoints, one slot per parallel instance.
 */
public final class LocalFlink {
    private LocalFlink() {}

    static Configuration configuration(Path workDir, int parallelism, Duration checkpointInterval, Integer webUiPort) {
        Configuration c = new Configuration();
        c.setString("state.backend.type", "rocksdb");
        c.setString("execution.checkpointing.incremental", "true");
        c.setString("execution.checkpointing.dir", workDir.resolve("checkpoints").toAbsolutePath().toUri().toString());
        c.setString("execution.checkpointing.savepoint-dir", workDir.resolve("savepoints").toAbsolutePath().toUri().toString());
        c.setString("execution.checkpointing.interval", checkpointInterval.toMillis() + " ms");
        c.setString("execution.checkpointing.mode", "EXACTLY_ONCE");
        c.setString("parallelism.default", Integer.toString(parallelism));
        c.setString("taskmanager.numberOfTaskSlots", Integer.toString(parallelism));
        c.setString("pipeline.generic-types", "false");
        // RocksDB's block cache and write buffers come out of managed memory; a local MiniCluster gets 128 MB unless told,
        // which left the terminal histories of the benchmark's 200,000 terminals mostly outside the cache (reads went to
        // the files: operators' p99 80-110 µs, 2.3 s latency at 80% load); with 512 MB they are 30-40 µs (BENCHMARKS.md)
        c.setString("taskmanager.memory.managed.size", "512m");
        c.setString("restart-strategy.type", "fixed-delay");
        c.setString("restart-strategy.fixed-delay.attempts", "10");
        c.setString("restart-strategy.fixed-delay.delay", "1 s");
        // the REST API (and web UI) always runs, on loopback: the demo reads checkpoint statistics from it
        c.setString("rest.port", Integer.toString(webUiPort != null ? webUiPort : freePort()));
        c.setString("rest.address", "127.0.0.1");
        c.setString("rest.bind-address", "127.0.0.1");
        // the REST API's metrics fresh each second (Flink's default is 10 s): the benchmark reads the operators' windows
        c.setString("metrics.fetcher.update-interval", "1 s");
        return c;
    }

    /**
     * Flink settings for a batch job in this JVM ({@code ./fraud score}): {@code parallelism} slots, the sorts' managed
     * memory ({@code managedMemory}) spilling to {@code workDir}, the REST API on loopback (for progress).
     */
    public static Configuration batchConfiguration(Path workDir, int parallelism, String managedMemory) {
        Configuration c = new Configuration();
        c.setString("parallelism.default", Integer.toString(parallelism));
        c.setString("taskmanager.numberOfTaskSlots", Integer.toString(parallelism));
        c.setString("pipeline.generic-types", "false");
        c.setString("taskmanager.memory.managed.size", managedMemory);
        c.setString("io.tmp.dirs", workDir.toAbsolutePath().toString());
        c.setString("restart-strategy.type", "none"); // a bad row never fails the job: a failure is a bug or a full disk
        c.setString("rest.port", Integer.toString(freePort()));
        c.setString("rest.address", "127.0.0.1");
        c.setString("rest.bind-address", "127.0.0.1");
        c.setString("metrics.fetcher.update-interval", "500 ms");
        return c;
    }

    /** The REST API's address in a configuration made here. */
    public static URI restAddress(Configuration c) {
        return URI.create("http://127.0.0.1:" + c.getString("rest.port", "8081"));
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on loopback", e);
        }
    }
}
