package io.github.fraudflink.job.kafka;

import io.github.fraudflink.job.records.ModelControl;
import io.github.fraudflink.job.records.ModelStatus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Set;

/** JSON of model-control events and model status records (snake_case), for the job and the {@code fraud model} commands. */
public final class ModelControlJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Set<String> ROLES = Set.of(ModelControl.CHAMPION, ModelControl.SHADOW, ModelControl.RETIRED);

    private ModelControlJson() {}

    /** Reads a control event; never throws: an unreadable one comes back with {@code error} set. */
    public static ModelControl read(byte[] json) {
        ModelControl c = new ModelControl();
        try {
            JsonNode n = MAPPER.readTree(json);
            if (n == null || !n.isObject()) {
                c.error = "a model-control event is a JSON object";
                return c;
            }
            c.model = text(n, "model");
            c.version = text(n, "version");
            c.role = text(n, "role");
            c.manifestUri = text(n, "manifest_uri");
            c.manifestSha256 = text(n, "manifest_sha256");
            c.issuedAt = text(n, "issued_at");
            c.issuedBy = text(n, "issued_by");
            if (c.model == null || c.role == null) {
                c.error = "'model' and 'role' are required";
            } else if (!ROLES.contains(c.role)) {
                c.error = "role '" + c.role + "' is not one of " + ROLES;
            } else if (!ModelControl.RETIRED.equals(c.role) && c.manifestUri == null) {
                c.error = "'manifest_uri' is required for role " + c.role;
            }
        } catch (IOException e) {
            c.error = "not valid JSON: " + e.getMessage();
        }
        return c;
    }

    public static byte[] write(ModelControl c) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("model", c.model);
        n.put("version", c.version);
        n.put("role", c.role);
        n.put("manifest_uri", c.manifestUri);
        n.put("manifest_sha256", c.manifestSha256);
        n.put("issued_at", c.issuedAt);
        n.put("issued_by", c.issuedBy);
        return bytes(n);
    }

    public static byte[] writeStatus(ModelStatus s) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("instance", s.instance);
        n.put("instances", s.instances);
        n.put("status", s.status);
        n.put("role", s.role);
        n.put("model", s.model);
        n.put("version", s.version);
        n.put("manifest_uri", s.manifestUri);
        n.put("reason", s.reason);
        n.put("message", s.message);
        n.put("cause", s.cause);
        n.put("at", java.time.Instant.ofEpochMilli(s.at).toString());
        n.put("load_ms", s.loadMillis);
        return bytes(n);
    }

    public static ModelStatus readStatus(byte[] json) throws IOException {
        JsonNode n = MAPPER.readTree(json);
        ModelStatus s = new ModelStatus();
        s.instance = n.path("instance").asInt();
        s.instances = n.path("instances").asInt();
        s.status = text(n, "status");
        s.role = text(n, "role");
        s.model = text(n, "model");
        s.version = text(n, "version");
        s.manifestUri = text(n, "manifest_uri");
        s.reason = text(n, "reason");
        s.message = text(n, "message");
        s.cause = text(n, "cause");
        s.at = n.hasNonNull("at") ? java.time.Instant.parse(n.get("at").asText()).toEpochMilli() : 0;
        s.loadMillis = n.path("load_ms").asLong();
        return s;
    }

    private static byte[] bytes(ObjectNode n) {
        try {
            return MAPPER.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String text(JsonNode n, String f) {
        return n.hasNonNull(f) ? n.get(f).asText() : null;
    }
}
