package io.github.fraudflink.job.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fraudflink.local.EmbeddedPostgres;
import io.github.fraudflink.sql.SchemaMigrator;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.connector.sink2.Committer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committer's failure classification against a real PostgreSQL: a prepared transaction is committed; one that
 * is gone with its marker row was committed before ("already committed"); one gone without its marker was rolled
 * back by someone else, which fails loudly instead of passing for success.
 */
class PostgresCommitterTest {
    @TempDir
    static Path tmp;
    private static EmbeddedPostgres pg;
    private static String url;

    @BeforeAll
    static void start() throws Exception {
        pg = EmbeddedPostgres.start(tmp.resolve("pg"), false);
        url = pg.createDatabase("committer");
        SchemaMigrator.migrate(url, pg.user(), null);
    }

    @AfterAll
    static void stop() throws Exception {
        if (pg != null) {
            pg.close();
        }
    }

    /** What the committer answered for one request. */
    static final class Request implements Committer.CommitRequest<String> {
        final String gid;
        String outcome = "committed";
        Throwable failure;

        Request(String gid) {
            this.gid = gid;
        }

        @Override
        public String getCommittable() {
            return gid;
        }

        @Override
        public int getNumberOfRetries() {
            return 0;
        }

        @Override
        public void signalFailedWithKnownReason(Throwable t) {
            outcome = "failed";
            failure = t;
        }

        @Override
        public void signalFailedWithUnknownReason(Throwable t) {
            outcome = "failed-unknown";
            failure = t;
        }

        @Override
        public void retryLater() {
            outcome = "retry";
        }

        @Override
        public void updateAndRetryLater(String committable) {
            outcome = "retry";
        }

        @Override
        public void signalAlreadyCommitted() {
            outcome = "already-committed";
        }
    }

    /** A transaction as the writer prepares it: a row, its marker, PREPARE. */
    private static void prepare(String gid, String transactionId, boolean marker) throws Exception {
        try (Connection c = DriverManager.getConnection(url, pg.user(), null); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("INSERT INTO scored_transactions (transaction_id, account_id, amount, event_time, ingest_time,"
                    + " scored_time, features, feature_schema, score, decision, threshold, model, model_version)"
                    + " VALUES ('" + transactionId + "', 'a', 1, now(), now(), now(), '{}', 'x', 0.5, 'approve', 1, 'm', 'v')");
            if (marker) {
                s.execute("INSERT INTO sink_transactions (gid, prefix, subtask, label, row_count) VALUES ('" + gid
                        + "', 'c', 0, 1, 1)");
            }
            s.execute("PREPARE TRANSACTION '" + gid + "'");
        }
    }

    private static long rows(String transactionId) throws Exception {
        try (Connection c = DriverManager.getConnection(url, pg.user(), null); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT count(*) FROM scored_transactions WHERE transaction_id = '" + transactionId + "'")) {
            r.next();
            return r.getLong(1);
        }
    }

    private static PostgresCommitter committer() {
        PostgresSink<io.github.fraudflink.job.records.ScoredTransaction> sink = new PostgresSink<>(new ScoredTransactionTable(), url, pg.user(), "c", 10, Duration.ofSeconds(5),
                Duration.ofSeconds(5), false);
        return new PostgresCommitter(sink);
    }

    @Test
    void commitsThenRecognisesACommitAfterARestoreAndRefusesALostTransaction() throws Exception {
        prepare("c:aa:0:1", "t1", true);
        prepare("c:aa:0:2", "t2", true);
        try (Statement s = DriverManager.getConnection(url, pg.user(), null).createStatement()) {
            s.execute("ROLLBACK PREPARED 'c:aa:0:2'"); // someone else's cleanup: the rows and the marker are gone
        }
        Request first = new Request("c:aa:0:1");
        Request again = new Request("c:aa:0:1");
        Request lost = new Request("c:aa:0:2");
        try (PostgresCommitter c = committer()) {
            c.commit(List.of(first));
            c.commit(List.of(again)); // what a restore does with the committables of its checkpoint
            c.commit(List.of(lost));
        }
        assertThat(first.outcome).isEqualTo("committed");
        assertThat(rows("t1")).isOne();
        assertThat(again.outcome).isEqualTo("already-committed");
        // the path that fails the job in Flink (the known-reason one would only count it and go on)
        assertThat(lost.outcome).isEqualTo("failed-unknown");
        assertThat(lost.failure).hasMessageContaining("c:aa:0:2").hasMessageContaining("rolled back by someone else");
        assertThat(rows("t2")).isZero();
    }
}
