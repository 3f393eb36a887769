package io.github.fraudflink.sql;

import java.util.Objects;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Brings a PostgreSQL database to the job's schema: runs the Flyway migrations under
 * {@code db/migration/fraud} (this module's resources) against a JDBC URL. Idempotent; concurrent runs are
 * serialised by Flyway's lock. The password is never a configuration key: {@link #passwordFromEnvironment()}.
 */
public final class SchemaMigrator {
    /** The one place a PostgreSQL password comes from. */
    public static final String PASSWORD_ENV = "FRAUD_POSTGRES_PASSWORD";
    /** The table the job writes. */
    public static final String SCORED_TABLE = "scored_transactions";
    /** Every label received on {@code fraud-labels} (history; written again = no-op). */
    public static final String LABELS_TABLE = "fraud_labels";
    /** View: the label that holds per (account_id, transaction_id). */
    public static final String LATEST_LABELS_VIEW = "fraud_labels_latest";
    /** View: one row per labelled scored transaction and model role (champion, shadow) with score and verdict. */
    public static final String MODEL_SCORES_VIEW = "live_model_scores";
    /** View: labelled, frauds, flagged, precision, recall, average_precision per model, version, role and UTC day. */
    public static final String MODEL_QUALITY_VIEW = "live_model_quality";
    /** The model registry: every model version, its alias and offline metrics. */
    public static final String MODEL_VERSIONS_TABLE = "model_versions";
    /** Every alias change of the registry: who, when, why. */
    public static final String ALIAS_HISTORY_TABLE = "model_alias_history";
    /** The model-control events of alias changes, until the publisher has sent them. */
    public static final String CONTROL_OUTBOX_TABLE = "model_control_outbox";
    /** Where the migrations live on the classpath. */
    public static final String LOCATION = "classpath:db/migration/fraud";

    private SchemaMigrator() {}

    /** The password from {@value #PASSWORD_ENV}, or null when it is not set (trust or peer authentication). */
    public static String passwordFromEnvironment() {
        String p = System.getenv(PASSWORD_ENV);
        return p == null || p.isEmpty() ? null : p;
    }

    /**
     * Refuses a URL that carries a password: it would end up in logs, the job graph and shell history.
     * Returns the URL.
     */
    public static String checkUrl(String jdbcUrl) {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("not a PostgreSQL JDBC URL: " + jdbcUrl
                    + " (expected jdbc:postgresql://host:port/database)");
        }
        if (jdbcUrl.toLowerCase(java.util.Locale.ROOT).matches(".*[?&]password=.*")) {
            throw new IllegalArgumentException("the PostgreSQL URL must not contain a password;"
                    + " set the environment variable " + PASSWORD_ENV + " instead");
        }
        return jdbcUrl;
    }

    /**
     * A connection to {@code jdbcUrl} (checked by {@link #checkUrl}) as {@code user}, with the password from the
     * environment. The driver directly, not DriverManager: it does not see drivers in Flink's user-code class loader.
     */
    public static java.sql.Connection connect(String jdbcUrl, String user) throws java.sql.SQLException {
        java.util.Properties p = new java.util.Properties();
        p.setProperty("user", user);
        String password = passwordFromEnvironment();
        if (password != null) {
            p.setProperty("password", password);
        }
        p.setProperty("connectTimeout", "10");
        java.sql.Connection c = new org.postgresql.Driver().connect(checkUrl(jdbcUrl), p);
        if (c == null) {
            throw new java.sql.SQLException("not a PostgreSQL URL: " + jdbcUrl);
        }
        return c;
    }

    /** Applies the pending migrations; returns the schema version afterwards. */
    public static String migrate(String jdbcUrl, String user, String password) {
        MigrateResult r = flyway(jdbcUrl, user, password).migrate();
        return r.targetSchemaVersion != null ? r.targetSchemaVersion : r.initialSchemaVersion;
    }

    /** The Flyway set-up used by {@link #migrate}, for status and validation commands. */
    public static Flyway flyway(String jdbcUrl, String user, String password) {
        return Flyway.configure(SchemaMigrator.class.getClassLoader())
                .dataSource(checkUrl(jdbcUrl), user, password)
                .locations(LOCATION)
                .failOnMissingLocations(true)
                .load();
    }
}
