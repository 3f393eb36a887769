package io.github.fraudflink.operations;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * A PostgreSQL 15 server of the system's packages ({@code /usr/lib/postgresql/15/bin}, Debian's
 * {@code postgresql-15}) in a process of its own, as operators run it: {@code initdb} and {@code pg_ctl} as the
 * {@code postgres} user when the test runs as root (initdb refuses root), on 127.0.0.1 and a free port, passwords
 * required over TCP, {@code max_prepared_transactions} set for the job's exactly-once sink, fsync on.
 */
final class PostgresServer implements AutoCloseable {
    static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");
    static final String SUPERUSER = "postgres";

    private final Path base;
    private final Path data;
    private final int port;
    private final String superPassword;

    private PostgresServer(Path base, int port, String superPassword) {
        this.base = base;
        this.data = base.resolve("data");
        this.port = port;
        this.superPassword = superPassword;
    }

    private static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** Why the server cannot run on this machine, or null when it can ({@link HostTools.Tool#POSTGRESQL_15} asks). */
    static String unavailable() {
        for (String tool : List.of("initdb", "pg_ctl", "postgres")) {
            if (!Files.isExecutable(BIN.resolve(tool))) {
                return BIN.resolve(tool) + " is missing";
            }
        }
        if (root()) {
            if (!Files.isExecutable(Path.of("/usr/sbin/runuser")) && !Files.isExecutable(Path.of("/sbin/runuser"))) {
                return "running as root without runuser (util-linux) to run initdb as postgres: initdb refuses root";
            }
            try {
                owner();
            } catch (IOException e) {
                return "running as root and no `postgres` user to run the server as (initdb refuses root; the package creates it)";
            }
        }
        return null;
    }

    private static UserPrincipal owner() throws IOException {
        return Path.of("/").getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(SUPERUSER);
    }

    /** initdb in a new folder under {@code parent} (which the postgres user must be able to enter), then start. */
    static PostgresServer start(Path parent, String superPassword) throws Exception {
        Path base = Files.createTempDirectory(parent, "fraud-postgres-");
        PostgresServer pg = new PostgresServer(base, Repo.freePort(), superPassword);
        Path pwfile = base.resolve("superuser-password");
        Files.writeString(pwfile, superPassword + "\n");
        if (root()) {
            Files.setOwner(base, owner());
            Files.setOwner(pwfile, owner());
        }
        pg.tool("initdb", "-D", pg.data.toString(), "-U", SUPERUSER, "--pwfile=" + pwfile, "-A", "trust",
                "--auth-host=scram-sha-256", "-E", "UTF8", "--no-locale", "--no-sync", "--no-instructions");
        Files.delete(pwfile);
        Files.writeString(pg.data.resolve("postgresql.conf"), String.join("\n",
                "", "# the test's settings",
                "listen_addresses = '127.0.0.1'",
                "port = " + pg.port,
                "unix_socket_directories = '" + base + "'",
                "max_prepared_transactions = 64",
                "max_connections = 100",
                ""), java.nio.file.StandardOpenOption.APPEND);
        pg.start();
        return pg;
    }

    /** Runs a server program as the postgres user (or as this user when it is not root); fails on an error. */
    private String tool(String name, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        if (root()) {
            command.addAll(List.of("runuser", "-u", SUPERUSER, "--"));
        }
        command.add(BIN.resolve(name).toString());
        command.addAll(List.of(args));
        Repo.Run r = Repo.run(base, 120, command.toArray(String[]::new));
        if (r.exit() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed (" + r.exit() + "): " + r.output()
                    + "\nserver log: " + base.resolve("server.log"));
        }
        return r.output();
    }

    /** Starts the server and waits until it accepts connections. */
    void start() throws Exception {
        tool("pg_ctl", "-D", data.toString(), "-l", base.resolve("server.log").toString(), "-w", "-t", "60", "start");
    }

    /** {@code pg_ctl stop -m immediate}: every server process quits at once, as in a crash (recovery at the next start). */
    void stopImmediately() throws Exception {
        tool("pg_ctl", "-D", data.toString(), "-m", "immediate", "-w", "stop");
    }

    /** JDBC URL of {@code database}. */
    String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** A session of the superuser on {@code database}. */
    Connection superuser(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database) + "?connectTimeout=5&socketTimeout=30", SUPERUSER, superPassword);
    }

    /** Creates a login role with a password and a database it owns. */
    void createDatabase(String name, String user, String password) throws SQLException {
        try (Connection c = superuser("postgres"); var s = c.createStatement()) {
            s.execute("CREATE ROLE " + user + " LOGIN PASSWORD '" + password.replace("'", "''") + "'");
            s.execute("CREATE DATABASE " + name + " OWNER " + user);
        }
    }

    Path log() {
        return base.resolve("server.log");
    }

    /** Stops the server (fast shutdown) and deletes its folder. */
    @Override
    public void close() throws Exception {
        try {
            if (Files.exists(data.resolve("postmaster.pid"))) {
                tool("pg_ctl", "-D", data.toString(), "-m", "fast", "-w", "stop");
            }
        } finally {
            Files.walkFileTree(base, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        }
    }
}
