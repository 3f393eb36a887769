package io.github.fraudflink.cli;

import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;

/**
 * Flink settings for running the job in this JVM (a MiniCluster): RocksDB with incremental
 * checkpoints in a local folder, exactly-once checkpoints, one slot per parallel instance.
 */
final class LocalFlink {
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
        c.setString("restart-strategy.type", "fixed-delay");
        c.setString("restart-strategy.fixed-delay.attempts", "10");
        c.setString("restart-strategy.fixed-delay.delay", "1 s");
        if (webUiPort != null) {
            c.setString("rest.port", Integer.toString(webUiPort));
            c.setString("rest.address", "127.0.0.1");
            c.setString("rest.bind-address", "127.0.0.1");
        }
        return c;
    }
}
