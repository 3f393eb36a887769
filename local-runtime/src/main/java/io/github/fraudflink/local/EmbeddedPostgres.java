package io.github.fraudflink.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * A real PostgreSQL server (17, from the {@code io.zonky.test} binaries on Maven Central, so no system package
 * is needed) started from this JVM on a free loopback port, with prepared transactions enabled
 * ({@code max_prepared_transactions}) for the job's exactly-once sink. For the one-command local run and
 * the integration tests; production points the job at a real server with {@code --fraud.postgres.url}.
 */
public final class EmbeddedPostgres implements AutoCloseable {
    /** Superuser of the embedded server; it authenticates with {@code trust}, so no password is needed. */
    public static final String USER = "postgres";
    /** Enough for parallelism × checkpoints in flight of several jobs at once. */
    public static final int MAX_PREPARED_TRANSACTIONS = 64;

    private final io.zonky.test.db.postgres.embedded.EmbeddedPostgres server;
    private final Path dataDir;

    private EmbeddedPostgres(io.zonky.test.db.postgres.embedded.EmbeddedPostgres server, Path dataDir) {
        this.server = server;
        this.dataDir = dataDir;
    }

    /** A fast, non-durable server (fsync off) in a new temporary folder: for tests. */
    public static EmbeddedPostgres start() throws IOException {
        return start(Files.createTempDirectory("fraud-postgres-"), false);
    }

    /**
     * Runs initdb in {@code dataDir} (emptied first) and starts the server. {@code durable} keeps PostgreSQL's
     * defaults ({@code fsync}, {@code synchronous_commit}, {@code full_page_writes} on), so throughput figures
     * mean something; otherwise they are off, as is usual for a throw-away test database.
     */
    public static EmbeddedPostgres start(Path dataDir, boolean durable) throws IOException {
        String on = durable ? "on" : "off";
        io.zonky.test.db.postgres.embedded.EmbeddedPostgres server = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(true)
                .setServerConfig("listen_addresses", "127.0.0.1")
                .setServerConfig("max_prepared_transactions", Integer.toString(MAX_PREPARED_TRANSACTIONS))
                .setServerConfig("max_connections", "200")
                .setServerConfig("fsync", on)
                .setServerConfig("synchronous_commit", on)
                .setServerConfig("full_page_writes", on)
                .setPGStartupWait(Duration.ofSeconds(60))
                .start();
        return new EmbeddedPostgres(server, dataDir);
    }

    /** JDBC URL of the {@code postgres} database. */
    public String jdbcUrl() {
        return jdbcUrl("postgres");
    }

    /** JDBC URL of {@code database} on this server. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + server.getPort() + "/" + database;
    }

    /** Creates an empty database (name: letters, digits, underscores) and returns its JDBC URL. */
    public String createDatabase(String database) throws SQLException {
        if (!database.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("database name must be lower-case letters, digits and underscores: " + database);
        }
        try (Connection c = DriverManager.getConnection(jdbcUrl(), USER, null); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + database);
        }
        return jdbcUrl(database);
    }

    public String user() {
        return USER;
    }

    public int port() {
        return server.getPort();
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Stops the server (fast shutdown) and deletes its data directory. */
    @Override
    public void close() throws IOException {
        server.close();
    }
}
