package io.github.fraudflink.cli.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.fraudflink.cli.common.Progress;
import io.github.fraudflink.trainer.report.ReportCharts;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import me.tongfei.progressbar.ProgressBar;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ./fraud dashboards}: renders the Grafana dashboards of {@code grafana/dashboards} to PNG images from a
 * Prometheus, without Grafana: the same panels, positions and queries, drawn as line charts (XChart). For reports
 * and incident notes, and for the pictures of the dashboards in docs/operations.md.
 */
@Command(name = "dashboards", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Render the Grafana dashboards (grafana/dashboards/*.json) to PNG images from a Prometheus, without"
                + " Grafana: every panel's queries over a time range, as line charts laid out like the dashboard."})
public final class DashboardsCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LEGEND = Pattern.compile("\\{\\{\\s*(\\w+)\\s*}}");
    /** Pixels of one of Grafana's 24 grid columns, and of one grid row. */
    private static final int COLUMN = 64;
    private static final int ROW = 36;

    @Spec
    CommandSpec spec;

    @Option(names = "--prometheus", defaultValue = "http://localhost:9090", description = "Prometheus to query (default: ${DEFAULT-VALUE}).")
    URI prometheus;

    @Option(names = "--dashboards", defaultValue = "grafana/dashboards", description = "Folder of dashboard JSON files (default: ${DEFAULT-VALUE}).")
    Path dashboards;

    @Option(names = "--out", defaultValue = ".fraud/dashboards", description = "Where the PNG files go (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--range", defaultValue = "15min", description = "Time range up to now (default: ${DEFAULT-VALUE}).")
    Duration range;

    @Option(names = "--end", description = "End of the time range, ISO-8601 (e.g. 2026-11-23T17:29:10Z); default: now.")
    Instant endAt;

    @Option(names = "--rate-interval", defaultValue = "1min",
            description = "What Grafana's $__rate_interval stands for (default: ${DEFAULT-VALUE}; at least 4 scrape intervals).")
    Duration rateInterval;

    @Option(names = "--job", defaultValue = ".+", description = "Regular expression for the dashboards' job variable (default: all jobs).")
    String job;

    @Override
    public Integer call() throws Exception {
        if (!Files.isDirectory(dashboards)) {
            throw new IllegalArgumentException("no folder " + dashboards + ": run from the repository root or pass --dashboards");
        }
        Files.createDirectories(out);
        List<Path> files;
        try (var s = Files.list(dashboards)) {
            files = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        Instant end = endAt != null ? endAt : Instant.now();
        Instant start = end.minus(range);
        long step = Math.max(1, range.toSeconds() / 150);
        HttpClient http = HttpClient.newHttpClient();
        int panels = 0;
        for (Path f : files) {
            panels += JSON.readTree(f.toFile()).path("panels").size();
        }
        try (ProgressBar pb = Progress.bar("panels", panels)) {
            for (Path f : files) {
                JsonNode d = JSON.readTree(f.toFile());
                int rows = 0;
                for (JsonNode p : d.path("panels")) {
                    rows = Math.max(rows, p.path("gridPos").path("y").asInt() + p.path("gridPos").path("h").asInt());
                }
                BufferedImage image = new BufferedImage(24 * COLUMN, rows * ROW + 40, BufferedImage.TYPE_INT_RGB);
                Graphics2D g = image.createGraphics();
                g.setColor(Color.WHITE);
                g.fillRect(0, 0, image.getWidth(), image.getHeight());
                g.setColor(Color.DARK_GRAY);
                g.setFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.BOLD, 20));
                g.drawString(d.path("title").asText() + "    " + range.toMinutes() + " min to "
                        + end.truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + ", from " + prometheus, 12, 28);
                for (JsonNode p : d.path("panels")) {
                    JsonNode pos = p.path("gridPos");
                    XYChart chart = panel(http, p, start, end, step, pos.path("w").asInt() * COLUMN - 8, pos.path("h").asInt() * ROW - 8);
                    g.drawImage(BitmapEncoder.getBufferedImage(chart), pos.path("x").asInt() * COLUMN + 4,
                            40 + pos.path("y").asInt() * ROW + 4, null);
                    pb.step();
                }
                g.dispose();
                Path png = out.resolve(f.getFileName().toString().replaceAll("\\.json$", ".png"));
                ImageIO.write(image, "png", png.toFile());
                spec.commandLine().getOut().println(png);
            }
        }
        spec.commandLine().getOut().flush();
        return 0;
    }

    private XYChart panel(HttpClient http, JsonNode p, Instant start, Instant end, long step, int width, int height) throws Exception {
        String unit = p.path("fieldConfig").path("defaults").path("unit").asText("");
        XYChart c = new XYChartBuilder().width(width).height(height).title(p.path("title").asText())
                .yAxisTitle(unit.equals("short") ? "" : unit).build();
        ReportCharts.style(c.getStyler());
        c.getStyler().setChartTitleFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.BOLD, 13));
        c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNW);
        c.getStyler().setDatePattern("HH:mm");
        c.getStyler().setYAxisDecimalPattern("#,##0.###");
        int series = 0;
        for (JsonNode t : p.path("targets")) {
            String q = t.path("expr").asText().replace("$__rate_interval", rateInterval.toSeconds() + "s").replace("$job", job);
            URI uri = prometheus.resolve("/api/v1/query_range?query=" + URLEncoder.encode(q, StandardCharsets.UTF_8)
                    + "&start=" + start.getEpochSecond() + "&end=" + end.getEpochSecond() + "&step=" + step);
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
            JsonNode body = JSON.readTree(r.body());
            if (!"success".equals(body.path("status").asText())) {
                throw new IllegalStateException("Prometheus " + prometheus + " refused the query of panel '"
                        + p.path("title").asText() + "': " + body.path("error").asText(r.body()));
            }
            for (JsonNode s : body.path("data").path("result")) {
                List<Date> x = new ArrayList<>();
                List<Double> y = new ArrayList<>();
                for (JsonNode v : s.path("values")) {
                    double value = Double.parseDouble(v.get(1).asText());
                    if (Double.isFinite(value)) {
                        x.add(new Date((long) (v.get(0).asDouble() * 1000)));
                        y.add(value);
                    }
                }
                if (x.isEmpty()) {
                    continue;
                }
                String name = legend(t.path("legendFormat").asText(), s.path("metric"));
                while (c.getSeriesMap().containsKey(name)) {
                    name += " ";
                }
                XYSeries line = c.addSeries(name, x, y);
                line.setMarker(SeriesMarkers.NONE);
                series++;
            }
        }
        if (series == 0) {
            c.addSeries("no data", List.of(Date.from(start), Date.from(end)), List.of(0.0, 0.0)).setMarker(SeriesMarkers.NONE);
        }
        return c;
    }

    /** Grafana's legend format: {{label}} replaced by the series' label value. */
    static String legend(String format, JsonNode labels) {
        if (format.isBlank()) {
            List<String> parts = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = labels.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                parts.add(e.getKey() + "=" + e.getValue().asText());
            }
            return parts.isEmpty() ? "value" : String.join(",", parts);
        }
        Matcher m = LEGEND.matcher(format);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, Matcher.quoteReplacement(labels.path(m.group(1)).asText("")));
        }
        m.appendTail(sb);
        return sb.toString();
    }
}
