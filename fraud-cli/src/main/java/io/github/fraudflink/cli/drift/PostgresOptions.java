package io.github.fraudflink.cli.drift;

import io.github.fraudflink.sql.SchemaMigrator;
import picocli.CommandLine.Option;

/**
 * The job's PostgreSQL database, named as the model commands name it ({@code --postgres-url}, default the environment
 * variable {@code FRAUD_POSTGRES_URL}; {@code --postgres-user}; the password from {@code FRAUD_POSTGRES_PASSWORD}).
 * Those commands' mixin also carries Kafka and registry-change options a read-only report has no use for.
 */
final class PostgresOptions {
    @Option(names = "--postgres-url", defaultValue = "${env:FRAUD_POSTGRES_URL}",
            description = "The job's PostgreSQL database, with scored_transactions and the model registry"
                    + " (jdbc:postgresql://host:5432/db; default: the environment variable FRAUD_POSTGRES_URL). Password:"
                    + " environment variable " + SchemaMigrator.PASSWORD_ENV + ".")
    String url;

    @Option(names = "--postgres-user", defaultValue = "fraud", description = "User for --postgres-url (default: ${DEFAULT-VALUE}).")
    String user;

    boolean configured() {
        return url != null && !url.isBlank();
    }
}
