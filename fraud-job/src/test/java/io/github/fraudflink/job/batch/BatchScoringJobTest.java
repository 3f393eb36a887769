package io.github.fraudflink.job.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.junit.jupiter.api.Test;

/** The batch graph as a cluster builds it: with the cluster's checkpointing settings, and refusing bad keys early. */
class BatchScoringJobTest {

    private static Configuration job() {
        Configuration c = new Configuration();
        c.set(BatchOptions.INPUT, "/data/in.csv.gz");
        c.set(BatchOptions.OUTPUT, "/data/out.csv");
        return c;
    }

    @Test
    void theGraphBuildsOnAClusterThatCheckpointsEveryTwoSeconds() {
        Configuration cluster = new Configuration();
        cluster.setString("execution.checkpointing.interval", "2 s"); // flink-conf/config.yaml's
        cluster.setString("state.backend.type", "rocksdb");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(cluster);
        BatchScoringJob.build(env, job());
        StreamGraph graph = env.getStreamGraph();
        assertThat(graph.getJobType().name()).isEqualTo("BATCH");
    }

    @Test
    void aHiddenInputOrAnUnknownFormatIsRefusedWithTheFix() {
        Configuration hidden = job();
        hidden.set(BatchOptions.INPUT, "/data/_march.csv");
        assertThatThrownBy(() -> BatchScoringJob.build(StreamExecutionEnvironment.getExecutionEnvironment(), hidden))
                .hasMessageContaining("rename it");
        Configuration format = job();
        format.set(BatchOptions.FORMAT, "parquet");
        assertThatThrownBy(() -> BatchScoringJob.build(StreamExecutionEnvironment.getExecutionEnvironment(), format))
                .hasMessageContaining("handbook");
        Configuration zeroDelay = job();
        zeroDelay.set(io.github.fraudflink.job.JobOptions.LABEL_DELAY, java.time.Duration.ZERO);
        assertThatThrownBy(() -> BatchScoringJob.build(StreamExecutionEnvironment.getExecutionEnvironment(), zeroDelay))
                .hasMessageContaining("fraud.labels.delay");
    }
}
