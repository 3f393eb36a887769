package io.github.fraudflink.cli.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** A plain HTTP client of the API for the tests: JSON in, status and JSON out. */
final class ApiClient {
    static final ObjectMapper JSON = new ObjectMapper();

    /** A response: status, the raw body and the body as JSON (null when it is not JSON). */
    record Response(int status, String body, JsonNode json, String location) {}

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String key;

    ApiClient(int port, String key) {
        this.base = "http://127.0.0.1:" + port;
        this.key = key;
    }

    String base() {
        return base;
    }

    Response get(String path) throws IOException, InterruptedException {
        return send(request(path, key).GET().build());
    }

    Response get(String path, String authorization) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return send(b.GET().build());
    }

    Response post(String path, byte[] body) throws IOException, InterruptedException {
        return send(post(path, body, key));
    }

    Response post(String path, String body) throws IOException, InterruptedException {
        return post(path, body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    Response post(String path, String body, String authorization) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json");
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return send(b.POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    CompletableFuture<Response> postAsync(String path, String body) {
        return http.sendAsync(post(path, body.getBytes(java.nio.charset.StandardCharsets.UTF_8), key),
                HttpResponse.BodyHandlers.ofString()).thenApply(ApiClient::response);
    }

    private HttpRequest post(String path, byte[] body, String key) {
        return request(path, key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }

    private HttpRequest.Builder request(String path, String key) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + key);
    }

    private Response send(HttpRequest r) throws IOException, InterruptedException {
        return response(http.send(r, HttpResponse.BodyHandlers.ofString()));
    }

    private static Response response(HttpResponse<String> r) {
        JsonNode json;
        try {
            json = JSON.readTree(r.body());
        } catch (IOException e) {
            json = null;
        }
        return new Response(r.statusCode(), r.body(), json, r.headers().firstValue("Location").orElse(null));
    }
}
