package io.github.fraudflink.cli.model;

import io.github.fraudflink.registry.ControlOutbox;
import io.github.fraudflink.registry.ControlSender;
import io.github.fraudflink.registry.Registry;
import io.github.fraudflink.sql.SchemaMigrator;
import java.io.PrintWriter;
import java.sql.SQLException;
import java.time.Duration;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options of the commands that work on the model registry (PostgreSQL) and the job's control topic (Kafka), and
 * the step every one of them ends with: sending the registry's pending control events.
 */
final class RegistryAccess {
    /** Exit status of a command whose change is recorded but whose control event could not be sent yet. */
    static final int EVENT_PENDING = 5;

    @Mixin
    ModelCommand.Kafka kafka;

    @Option(names = "--postgres-url", defaultValue = "${env:FRAUD_POSTGRES_URL}",
            description = "The registry's PostgreSQL database, the job's (jdbc:postgresql://host:5432/db; default: the"
                    + " environment variable FRAUD_POSTGRES_URL). Password: environment variable "
                    + SchemaMigrator.PASSWORD_ENV + ".")
    String postgresUrl;

    @Option(names = "--postgres-user", defaultValue = "fraud", description = "User for --postgres-url (default: ${DEFAULT-VALUE}).")
    String postgresUser;

    @Option(names = "--send-timeout", defaultValue = "30s",
            description = "How long to wait for the broker to acknowledge a control event (default: ${DEFAULT-VALUE}).")
    Duration sendTimeout;

    @Option(names = "--by", defaultValue = "${sys:user.name}", description = "Who makes the change, for the history (default: ${DEFAULT-VALUE}).")
    String by;

    boolean configured() {
        return postgresUrl != null && !postgresUrl.isBlank();
    }

    /** Opens the registry (migrating the database first); a missing URL is a usage error naming the fix. */
    Registry open() throws SQLException {
        if (!configured()) {
            throw new IllegalArgumentException("the model registry needs its database: give --postgres-url"
                    + " jdbc:postgresql://host:5432/db or set FRAUD_POSTGRES_URL");
        }
        return Registry.open(postgresUrl, postgresUser);
    }

    /**
     * Sends the registry's pending control events to the control topic, oldest first; returns 0 when none is left,
     * else {@link #EVENT_PENDING} after saying so on {@code err}.
     */
    int publishPending(Registry r, PrintWriter out, PrintWriter err) throws Exception {
        int pending = r.pendingEvents();
        if (pending == 0) {
            return 0;
        }
        try (ControlSender sender = new ControlSender(kafka.bootstrap, kafka.controlTopic, sendTimeout)) {
            int sent = ControlOutbox.drain(r.connection(), sender, sendTimeout.toMillis());
            out.printf("sent %d control event(s) to %s%n", sent, kafka.controlTopic);
            return 0;
        } catch (java.io.IOException e) {
            err.printf("warning: %s (%d event(s) pending)%n", e.getMessage(), r.pendingEvents());
            return EVENT_PENDING;
        }
    }
}
