package io.github.fraudflink.operations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The repository's operations files as the tests read them, and running the tools that check them. */
final class Repo {
    static final ObjectMapper JSON = new ObjectMapper();

    private Repo() {}

    /** The repository root (set by the build; the parent folder when run from an IDE in the module). */
    static Path root() {
        return Path.of(System.getProperty("repo.root", "..")).toAbsolutePath().normalize();
    }

    /** A YAML file as a tree; SnakeYAML reads it, so anchors and merge keys ({@code <<: *flink}) are resolved. */
    static JsonNode yaml(String path) throws IOException {
        try (var in = Files.newInputStream(root().resolve(path))) {
            Object doc = new org.yaml.snakeyaml.Yaml().load(in);
            return JSON.valueToTree(doc);
        }
    }

    /** The dashboards of grafana/dashboards. */
    static List<Path> dashboards() throws IOException {
        try (var s = Files.list(root().resolve("grafana/dashboards"))) {
            return s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
    }

    /** Every PromQL expression of the dashboards' panels: "file / panel title / refId" -> expression. */
    static List<String[]> dashboardQueries() throws IOException {
        List<String[]> out = new ArrayList<>();
        for (Path d : dashboards()) {
            for (JsonNode p : JSON.readTree(d.toFile()).path("panels")) {
                for (JsonNode t : p.path("targets")) {
                    out.add(new String[] {d.getFileName() + " / " + p.path("title").asText() + " / " + t.path("refId").asText(),
                        t.path("expr").asText()});
                }
            }
        }
        return out;
    }

    /** Every alert of prometheus/alerts.yml: name -> expression. */
    static List<String[]> alertQueries() throws IOException {
        List<String[]> out = new ArrayList<>();
        for (JsonNode g : yaml("prometheus/alerts.yml").path("groups")) {
            for (JsonNode r : g.path("rules")) {
                out.add(new String[] {r.path("alert").asText(), r.path("expr").asText()});
            }
        }
        return out;
    }

    /** A free TCP port on loopback (for the servers a test starts). */
    static int freePort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Closes each of {@code resources} that is not null, in order, even when one fails; throws the first failure. */
    static void closeAll(AutoCloseable... resources) throws Exception {
        Exception first = null;
        for (AutoCloseable r : resources) {
            try {
                if (r != null) {
                    r.close();
                }
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** Result of running a program: exit code and its merged output. */
    record Run(int exit, String output) {}

    /**
     * Runs a program in the repository root (one the test declares with {@link HostTools.Needs}), failing with a pointer
     * to the fix if it cannot be started.
     */
    static Run run(long timeoutSeconds, String... command) throws Exception {
        try {
            return run(root(), timeoutSeconds, command);
        } catch (IOException e) {
            throw new IllegalStateException(command[0] + " cannot be started (" + e.getMessage() + "): is it installed?"
                    + " HostTools names the tools the tests need and their Debian packages; .ci/run installs them", e);
        }
    }

    /** Runs a program in {@code dir} and waits for it (it must not leave a child holding its output open). */
    static Run run(Path dir, long timeoutSeconds, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s");
        }
        return new Run(p.exitValue(), out);
    }
}
