package io.github.fraudflink.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.fraudflink.features.Label;
import io.github.fraudflink.features.Transaction;
import io.github.fraudflink.job.JobOptions;
import io.github.fraudflink.sql.SchemaMigrator;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.http.staticfiles.Location;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.configuration.ReadableConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ./fraud serve}: the HTTP face of the scoring job, wired top-down. Every route and its handler are here; the
 * work is done by {@link Intake} (validate with the job's parser, publish), {@link DecisionFeed} (the job's
 * decisions, matched to waiting requests), {@link DecisionStore} (PostgreSQL, read-only), {@link LiveModels},
 * {@link HealthCheck} and {@link ApiMetrics}. The contract is {@code /openapi.json}; the analyst review queue is the page
 * at {@code /review/}. The API never scores: every decision is the job's.
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 500;

    private final byte[] apiKey;
    private final Duration decisionTimeout;
    private final Intake intake;
    private final DecisionFeed feed;
    private final DecisionStore store;
    private final LiveModels models;
    private final HealthCheck health;
    private final ApiMetrics metrics;
    private final Javalin app;

    private ApiServer(ReadableConfig conf, String apiKey) {
        if (apiKey == null || apiKey.isBlank()) {
            throw new IllegalArgumentException("no API key: set the environment variable " + ApiOptions.API_KEY_ENV
                    + " (clients send it as 'Authorization: Bearer <key>'); e.g. export " + ApiOptions.API_KEY_ENV
                    + "=$(openssl rand -hex 24)");
        }
        String bootstrap = conf.getOptional(JobOptions.BOOTSTRAP_SERVERS).orElseThrow(() -> new IllegalArgumentException(
                "no Kafka: set " + JobOptions.BOOTSTRAP_SERVERS.key() + " (--bootstrap-servers)"));
        this.apiKey = apiKey.getBytes(StandardCharsets.UTF_8);
        this.decisionTimeout = conf.get(ApiOptions.DECISION_TIMEOUT);
        Duration healthTimeout = conf.get(ApiOptions.HEALTH_TIMEOUT);
        feed = new DecisionFeed(bootstrap, conf.get(JobOptions.TOPIC_SCORED), conf.get(ApiOptions.READ_COMMITTED),
                conf.get(ApiOptions.MAX_PENDING));
        intake = new Intake(bootstrap, JobOptions.transactionParser(conf), JobOptions.labelParser(conf),
                conf.get(JobOptions.TOPIC_TRANSACTIONS), conf.get(JobOptions.TOPIC_LABELS), decisionTimeout.plusSeconds(3));
        store = conf.getOptional(JobOptions.POSTGRES_URL).map(url -> new DecisionStore(url, conf.get(JobOptions.POSTGRES_USER),
                System.getenv(SchemaMigrator.PASSWORD_ENV), healthTimeout.plusSeconds(3))).orElse(null);
        models = new LiveModels(bootstrap, conf.get(JobOptions.TOPIC_MODEL_STATUS));
        health = new HealthCheck(bootstrap, store, feed, conf.getOptional(ApiOptions.FLINK_REST).orElse(null), healthTimeout);
        metrics = new ApiMetrics(feed);
        app = Javalin.create(c -> {
            c.staticFiles.add(s -> {
                s.hostedPath = "/review";
                s.directory = "/io/github/fraudflink/api/review";
                s.location = Location.CLASSPATH;
            });
            c.http.maxRequestSize = 1024 * 1024;
            c.requestLogger.http((ctx, ms) -> {
                String route = route(ctx);
                metrics.requests.labels(route, Integer.toString(ctx.statusCode())).inc();
                metrics.duration.labels(route).observe(ms / 1000.0);
            });
            c.routes.exception(ApiProblem.class, (e, ctx) -> problem(ctx, e.status(), e.reason(), e.getMessage()));
            c.routes.exception(SQLException.class, (e, ctx) -> {
                LOG.warn("{} {}: PostgreSQL failed", ctx.method(), ctx.path(), e);
                problem(ctx, 503, "postgres_unavailable", "PostgreSQL did not answer: " + e.getMessage());
            });
            c.routes.exception(Exception.class, (e, ctx) -> {
                LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
                problem(ctx, 500, "internal_error", e.toString());
            });
            c.routes.error(404, "*", ctx -> {
                if (ctx.result() == null) {
                    problem(ctx, 404, "no_such_route", "no route " + ctx.method() + " " + ctx.path() + "; see /openapi.json");
                }
            });

            // open: for load balancers, Prometheus, client generators and the page's own files
            c.routes.get("/health", this::health);
            c.routes.get("/metrics", ctx -> ctx.contentType(io.prometheus.client.exporter.common.TextFormat.CONTENT_TYPE_004)
                    .result(metrics.scrape()));
            c.routes.get("/openapi.json", ctx -> ctx.contentType("application/json").result(resource("openapi.json")));
            c.routes.get("/", ctx -> ctx.redirect("/review/", HttpStatus.FOUND));

            // everything under /v1 needs the API key
            c.routes.before("/v1/*", this::authenticate);
            c.routes.post("/v1/transactions", this::submitTransaction);
            c.routes.get("/v1/transactions/{account}/{id}", this::lookupTransaction);
            c.routes.post("/v1/labels", this::postLabel);
            c.routes.get("/v1/models", ctx -> json(ctx, 200, models.json()));
            c.routes.get("/v1/review", this::reviewQueue);
            c.routes.get("/v1/accounts/{account}/transactions", ctx -> json(ctx, 200,
                    items(requireStore().account(ctx.pathParam("account"), limit(ctx)))));
            c.routes.get("/v1/terminals/{terminal}/transactions", ctx -> json(ctx, 200,
                    items(requireStore().terminal(ctx.pathParam("terminal"), limit(ctx)))));
        });
    }

    /**
     * Starts the API on {@code fraud.api.host}:{@code fraud.api.port} against the job configured in {@code conf}
     * (its Kafka, topics, parser settings and PostgreSQL); {@code apiKey} is the secret every {@code /v1} request sends.
     */
    public static ApiServer start(ReadableConfig conf, String apiKey) {
        ApiServer s = new ApiServer(conf, apiKey);
        try {
            s.app.start(conf.get(ApiOptions.HOST), conf.get(ApiOptions.PORT));
            return s;
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** The port it listens on (the one chosen when {@code fraud.api.port} is 0). */
    public int port() {
        return app.port();
    }

    private void authenticate(Context ctx) {
        String h = ctx.header("Authorization");
        byte[] given = h != null && h.startsWith("Bearer ") ? h.substring(7).trim().getBytes(StandardCharsets.UTF_8) : null;
        if (given == null || !MessageDigest.isEqual(given, apiKey)) { // constant time
            ctx.header("WWW-Authenticate", "Bearer");
            throw new ApiProblem(401, "unauthorized", h == null ? "send the API key as 'Authorization: Bearer <key>'"
                    : "the API key is not valid");
        }
    }

    /**
     * POST /v1/transactions: checked with the job's parser (400 with its reason; nothing reaches Kafka), published,
     * then the job's decision (200, the scored record as the job wrote it) or, after {@code fraud.api.decision-timeout},
     * 202 with a location to poll.
     */
    private void submitTransaction(Context ctx) {
        byte[] body = ctx.bodyAsBytes();
        long now = System.currentTimeMillis();
        Transaction t = intake.checkTransaction(body, now);
        DecisionFeed.Wait wait = feed.await(t.accountId, t.transactionId);
        String location = "/v1/transactions/" + encode(t.accountId) + "/" + encode(t.transactionId);
        CompletableFuture<Void> answered = intake.publishTransaction(t, body, now)
                .handle((meta, e) -> {
                    if (e != null) {
                        wait.cancel();
                        throw new ApiProblem(503, "kafka_unavailable", "the transaction could not be published to Kafka: "
                                + (e instanceof CompletionException && e.getCause() != null ? e.getCause() : e));
                    }
                    return meta;
                })
                .thenCompose(meta -> wait.decision.orTimeout(decisionTimeout.toMillis(), TimeUnit.MILLISECONDS)
                        .handle((decision, e) -> {
                            if (decision != null) {
                                metrics.decisions.labels("decided").inc();
                                ctx.status(200).contentType("application/json").header("Location", location).result(decision);
                                return null;
                            }
                            wait.cancel();
                            if (e instanceof TimeoutException || e.getCause() instanceof TimeoutException) {
                                metrics.decisions.labels("pending").inc();
                                ctx.header("Location", location);
                                ObjectNode o = JSON.createObjectNode().put("status", "pending")
                                        .put("transaction_id", t.transactionId).put("account_id", t.accountId)
                                        .put("location", location)
                                        .put("message", "no decision within " + decisionTimeout.toMillis()
                                                + " ms; the transaction is on the topic and will be decided: poll the location");
                                json(ctx, 202, o);
                                return null;
                            }
                            throw new ApiProblem(503, "decisions_unavailable", "waiting for the decision failed: " + e);
                        }));
        ctx.future(() -> answered.exceptionally(e -> {
            Throwable c = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            ApiProblem p = c instanceof ApiProblem ap ? ap : new ApiProblem(500, "internal_error", c.toString());
            problem(ctx, p.status(), p.reason(), p.getMessage());
            return null;
        }));
    }

    /** GET /v1/transactions/{account}/{id}: the stored decision (committed), its features, reasons and label; 404 until stored. */
    private void lookupTransaction(Context ctx) throws SQLException {
        String account = ctx.pathParam("account");
        String id = ctx.pathParam("id");
        ObjectNode o = requireStore().decision(account, id).orElseThrow(() -> new ApiProblem(404, "not_found",
                "no stored decision for account " + account + ", transaction " + id + " (yet: a decision is stored"
                        + " when the job's checkpoint that covers it completes)"));
        json(ctx, 200, o);
    }

    /** POST /v1/labels: checked with the job's labels parser (400 with its reason), published; 202 once Kafka has it. */
    private void postLabel(Context ctx) {
        Intake.Published<Label> p = intake.label(ctx.bodyAsBytes(), System.currentTimeMillis());
        ctx.future(() -> p.ack().orTimeout(decisionTimeout.toMillis() + 3000, TimeUnit.MILLISECONDS).handle((meta, e) -> {
            if (e != null) {
                problem(ctx, 503, "kafka_unavailable", "the label could not be published to Kafka: " + e);
                return null;
            }
            metrics.labels.labels(p.value().source).inc();
            json(ctx, 202, JSON.createObjectNode().put("status", "accepted").put("transaction_id", p.value().transactionId)
                    .put("account_id", p.value().accountId).put("is_fraud", p.value().isFraud)
                    .put("topic", meta.topic()).put("partition", meta.partition()).put("offset", meta.offset()));
            return null;
        }));
    }

    private void reviewQueue(Context ctx) throws SQLException {
        String order = ctx.queryParam("order") == null ? "risk" : ctx.queryParam("order");
        DecisionStore.Order o = switch (order) {
            case "risk" -> DecisionStore.Order.RISK;
            case "newest" -> DecisionStore.Order.NEWEST;
            default -> throw new ApiProblem(400, "invalid_order", "order must be risk or newest, got " + order);
        };
        ObjectNode r = items(requireStore().reviewQueue(o, limit(ctx)));
        r.put("order", order);
        json(ctx, 200, r);
    }

    private void health(Context ctx) {
        HealthCheck.Report r = health.check();
        json(ctx, r.healthy() ? 200 : 503, r.json());
    }

    private DecisionStore requireStore() {
        if (store == null) {
            throw new ApiProblem(503, "postgres_not_configured", "this route reads PostgreSQL: start the API with "
                    + JobOptions.POSTGRES_URL.key() + " (--postgres-url) set to the job's database");
        }
        return store;
    }

    private static int limit(Context ctx) {
        String l = ctx.queryParam("limit");
        if (l == null) {
            return DEFAULT_LIMIT;
        }
        try {
            int n = Integer.parseInt(l);
            if (n >= 1 && n <= MAX_LIMIT) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new ApiProblem(400, "invalid_limit", "limit must be a whole number from 1 to " + MAX_LIMIT + ", got " + l);
    }

    private static ObjectNode items(JsonNode list) {
        ObjectNode o = JSON.createObjectNode();
        o.set("items", list);
        return o;
    }

    private static String route(Context ctx) {
        try {
            return ctx.endpoint().path;
        } catch (RuntimeException e) {
            return ctx.path().startsWith("/review") ? "/review" : "unmatched";
        }
    }

    private static void json(Context ctx, int status, JsonNode body) {
        try {
            ctx.status(status).contentType("application/json").result(JSON.writeValueAsBytes(body));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void problem(Context ctx, int status, String reason, String message) {
        json(ctx, status, JSON.createObjectNode().put("error", HttpStatus.forStatus(status).getMessage())
                .put("reason", reason).put("message", message));
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = ApiServer.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("missing resource " + name);
            }
            return in.readAllBytes();
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Stops the server, then the readers and the producer; each step runs even if one fails. */
    @Override
    public void close() {
        for (AutoCloseable c : new AutoCloseable[] {app == null ? null : app::stop, health, models, feed, intake, store}) {
            if (c == null) {
                continue;
            }
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("closing the API", e);
            }
        }
    }
}
