package io.github.fraudflink.job;

import io.github.fraudflink.local.EmbeddedKafka;
import io.github.fraudflink.local.EmbeddedPostgres;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Kafka broker (in-process KRaft) and a real PostgreSQL server for one test class, started before its tests
 * and stopped after them: {@code @RegisterExtension static final RealServers SERVERS = new RealServers(() -> tmp);}.
 */
public final class RealServers implements BeforeAllCallback, AfterAllCallback {
    private final Supplier<Path> dir;
    private EmbeddedKafka kafka;
    private EmbeddedPostgres pg;

    public RealServers(Supplier<Path> dir) {
        this.dir = dir;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        kafka = EmbeddedKafka.start(dir.get().resolve("kafka"));
        pg = EmbeddedPostgres.start(dir.get().resolve("postgres"), false);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            if (pg != null) {
                pg.close();
            }
        } finally {
            if (kafka != null) {
                kafka.close();
            }
        }
    }

    public EmbeddedKafka kafka() {
        return kafka;
    }

    public EmbeddedPostgres pg() {
        return pg;
    }
}
