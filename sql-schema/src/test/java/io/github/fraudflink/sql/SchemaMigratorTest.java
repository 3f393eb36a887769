package io.github.fraudflink.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fraudflink.local.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The migrations on a real PostgreSQL: the table, its key and indexes, idempotent re-runs, refused URLs. */
class SchemaMigratorTest {
    private static EmbeddedPostgres pg;

    @BeforeAll
    static void start() throws Exception {
        pg = EmbeddedPostgres.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    void createsTheTableAndIsIdempotent() throws Exception {
        assertThat(SchemaMigrator.migrate(pg.jdbcUrl(), pg.user(), null)).isEqualTo("6");
        assertThat(SchemaMigrator.migrate(pg.jdbcUrl(), pg.user(), null)).isEqualTo("6");
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), null); Statement s = c.createStatement()) {
            List<String> columns = new ArrayList<>();
            try (ResultSet r = s.executeQuery("SELECT column_name || ':' || data_type FROM information_schema.columns"
                    + " WHERE table_name = 'scored_transactions' ORDER BY ordinal_position")) {
                while (r.next()) {
                    columns.add(r.getString(1));
                }
            }
            assertThat(columns).startsWith("transaction_id:text", "account_id:text").contains(
                    "event_time:timestamp with time zone", "features:jsonb", "score:double precision").doesNotContain("duplicate:boolean");
            List<String> indexes = new ArrayList<>();
            try (ResultSet r = s.executeQuery("SELECT indexdef FROM pg_indexes WHERE tablename = 'scored_transactions'")) {
                while (r.next()) {
                    indexes.add(r.getString(1));
                }
            }
            assertThat(indexes).hasSize(7).anySatisfy(i -> assertThat(i).contains("UNIQUE", "(account_id, transaction_id)"))
                    .anySatisfy(i -> assertThat(i).contains("(transaction_id)").doesNotContain("UNIQUE"))
                    .anySatisfy(i -> assertThat(i).contains("(event_time)"))
                    .anySatisfy(i -> assertThat(i).contains("(account_id, event_time DESC)"))
                    // the review queue (V6): flagged rows only, by score and by time; a terminal's history
                    .anySatisfy(i -> assertThat(i).contains("(score DESC, event_time DESC)", "WHERE (decision <> 'approve'"))
                    .anySatisfy(i -> assertThat(i).contains("(event_time DESC, score DESC)", "WHERE (decision <> 'approve'"))
                    .anySatisfy(i -> assertThat(i).contains("(terminal_id, event_time DESC)"));
            List<String> markers = new ArrayList<>();
            try (ResultSet r = s.executeQuery("SELECT column_name FROM information_schema.columns"
                    + " WHERE table_name = 'sink_transactions' ORDER BY ordinal_position")) {
                while (r.next()) {
                    markers.add(r.getString(1));
                }
            }
            assertThat(markers).as("the sinks' marker table").startsWith("gid", "prefix", "subtask", "label");
            try (ResultSet r = s.executeQuery("SHOW max_prepared_transactions")) {
                r.next();
                assertThat(r.getInt(1)).as("the embedded server allows prepared transactions").isPositive();
            }
        }
    }

    @Test
    void refusesAPasswordInTheUrl() {
        assertThatThrownBy(() -> SchemaMigrator.checkUrl("jdbc:postgresql://db/fraud?user=x&password=secret"))
                .hasMessageContaining(SchemaMigrator.PASSWORD_ENV);
        assertThatThrownBy(() -> SchemaMigrator.checkUrl("jdbc:mysql://db/fraud")).hasMessageContaining("PostgreSQL");
    }
}
