package io.github.fraudflink.job;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/** The keys that only make sense together are checked before anything runs, with the keys and the fix named. */
class JobOptionsTest {
    @Test
    void theDefaultsAreConsistent() {
        assertThatCode(() -> JobOptions.validate(new Configuration())).doesNotThrowAnyException();
    }

    @Test
    void theBatchJobsKeysAreKnownToItAndATypoIsRefused() {
        String[] args = {"--fraud.batch.input", "in.csv", "--fraud.labels.delay", "1d"};
        assertThatThrownBy(() -> JobOptions.fromArgs(args)).hasMessageContaining("unknown option --fraud.batch.input");
        Configuration c = JobOptions.fromArgs(args, io.github.fraudflink.job.batch.BatchOptions.ALL);
        org.assertj.core.api.Assertions.assertThat(c.get(io.github.fraudflink.job.batch.BatchOptions.INPUT)).isEqualTo("in.csv");
        assertThatThrownBy(() -> JobOptions.fromArgs(new String[] {"--fraud.batch.inptu", "x"},
                io.github.fraudflink.job.batch.BatchOptions.ALL)).hasMessageContaining("fraud.batch.inptu");
    }

    @Test
    void aTtlShorterThanTheWindowPlusSlackIsRefused() {
        Configuration c = new Configuration();
        c.set(JobOptions.STATE_TTL, Duration.ofDays(30));
        assertThatThrownBy(() -> JobOptions.validate(c)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fraud.state.ttl").hasMessageContaining("fraud.features.slack")
                .hasMessageContaining("at least PT744H");
    }

    @Test
    void aFutureSkewBeyondTheSlackIsRefused() {
        Configuration c = new Configuration();
        c.set(JobOptions.MAX_FUTURE_SKEW, Duration.ofDays(2));
        assertThatThrownBy(() -> JobOptions.validate(c)).hasMessageContaining("fraud.parser.max-future-skew")
                .hasMessageContaining("fraud.features.slack");
        c.set(JobOptions.FEATURE_SLACK, Duration.ofDays(2));
        c.set(JobOptions.STATE_TTL, Duration.ofDays(32));
        assertThatCode(() -> JobOptions.validate(c)).doesNotThrowAnyException();
    }

    @Test
    void otherBoundsAreChecked() {
        Configuration c = new Configuration();
        c.set(JobOptions.MAX_HISTORY, 0);
        assertThatThrownBy(() -> JobOptions.validate(c)).hasMessageContaining("fraud.features.max-history");
        Configuration d = new Configuration();
        d.set(JobOptions.DLQ_MAX_VALUE_BYTES, 2_000_000);
        assertThatThrownBy(() -> JobOptions.validate(d)).hasMessageContaining("fraud.dlq.max-value-bytes");
        Configuration e = new Configuration();
        e.set(JobOptions.MIN_EVENT_TIME, "2000-01-01");
        assertThatThrownBy(() -> JobOptions.validate(e)).hasMessageContaining("ISO-8601");
    }

    @Test
    void theJobRefusesAnInconsistentConfigurationBeforeBuildingAnything() {
        Configuration c = new Configuration();
        c.set(JobOptions.STATE_TTL, Duration.ofDays(1));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        assertThatThrownBy(() -> FraudScoringJob.build(env, c)).hasMessageContaining("fraud.state.ttl");
    }

    @Test
    void maxParallelismIsSetOnPurpose() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        FraudScoringJob.configureEnvironment(env, new Configuration());
        org.assertj.core.api.Assertions.assertThat(env.getMaxParallelism()).isEqualTo(128);
        StreamExecutionEnvironment other = StreamExecutionEnvironment.getExecutionEnvironment();
        Configuration c = new Configuration();
        c.set(JobOptions.MAX_PARALLELISM, 720);
        FraudScoringJob.configureEnvironment(other, c);
        org.assertj.core.api.Assertions.assertThat(other.getMaxParallelism()).isEqualTo(720);
    }

    @Test
    void anUnknownProducerCompressionFailsAtStartWithTheChoices() {
        Configuration c = new Configuration();
        c.set(JobOptions.PRODUCER_COMPRESSION, "lz5");
        assertThatThrownBy(() -> JobOptions.validate(c)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fraud.kafka.producer.compression").hasMessageContaining("lz4").hasMessageContaining("lz5");
        assertThatCode(() -> JobOptions.validate(new Configuration())).doesNotThrowAnyException();
    }
}
