package io.github.fraudflink.cli.drift;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * What {@code ./fraud drift} found: one model's served values over an event-time window against its manifest's
 * reference distributions, a PSI per column, columns sorted by PSI (largest first, columns without values last).
 *
 * @param model the model's name
 * @param version its version
 * @param role {@code champion} or {@code shadow}
 * @param from first event time of the window (inclusive)
 * @param to end of the window (exclusive)
 * @param rows rows of the model in the window, all counted
 * @param manifestUri where the reference came from
 * @param chosenBy how the model was chosen, for people (e.g. "the champion that scored the most rows in the window")
 * @param windowModels every model of the role that scored rows in the window, most rows first
 * @param columns the compared columns, by PSI descending
 * @param notStored features of the model the window never holds a value of (a shadow's features the champion does
 *     not use: {@code scored_transactions} stores the champion's features only)
 * @param calendar the model's calendar features, not compared: the scoring job does not watch them (over a window
 *     shorter than a week they differ from the training data's by design: a night has no daytime hours)
 * @param noReference other features of the model without a usable reference histogram
 */
record DriftResult(String model, String version, String role, Instant from, Instant to, long rows, String manifestUri,
        String chosenBy, List<ServedScores.ModelRows> windowModels, List<Column> columns, List<String> notStored,
        List<String> calendar, List<String> noReference) {
    /** Below this, stable. */
    static final double MODERATE_FROM = 0.1;
    /** Above this, a major shift. */
    static final double MAJOR_ABOVE = 0.25;
    /** Above this, highlighted as a warning. */
    static final double WARN_ABOVE = 0.2;
    /** Above this, highlighted as worth paging someone. */
    static final double PAGE_ABOVE = 0.3;

    /**
     * One column (a feature, or the score).
     *
     * @param edges the reference's bin edges: bin i is {@code [edges[i], edges[i+1])}, values outside the range count
     *     in the nearest end bin
     * @param reference the reference counts per bin
     * @param current the window's counts per bin
     * @param below values under {@code edges[0]} (counted in the first bin)
     * @param above values at or over the last edge (counted in the last bin)
     * @param missing rows without a value (absent or null)
     * @param psi {@link io.github.fraudflink.model.drift.Psi#of}; NaN when no row has a value
     */
    record Column(String name, boolean score, double[] edges, long[] reference, long[] current, long below, long above,
            long missing, double psi) {
        long counted() {
            long n = 0;
            for (long c : current) {
                n += c;
            }
            return n;
        }

        String level() {
            return DriftResult.level(psi);
        }

        String alert() {
            return DriftResult.alert(psi);
        }
    }

    DriftResult {
        columns = columns.stream().sorted(BY_PSI).toList();
        windowModels = List.copyOf(windowModels);
        notStored = List.copyOf(notStored);
        calendar = List.copyOf(calendar);
        noReference = List.copyOf(noReference);
    }

    static final Comparator<Column> BY_PSI = Comparator
            .comparingDouble((Column c) -> Double.isNaN(c.psi()) ? Double.NEGATIVE_INFINITY : c.psi()).reversed()
            .thenComparing(Column::name);

    /** stable (below 0.1), moderate (0.1 to 0.25), major (above 0.25), or "no data" (NaN). */
    static String level(double psi) {
        if (Double.isNaN(psi)) {
            return "no data";
        }
        return psi < MODERATE_FROM ? "stable" : psi <= MAJOR_ABOVE ? "moderate" : "major";
    }

    /** "page" above 0.3, "warn" above 0.2, else "". */
    static String alert(double psi) {
        return psi > PAGE_ABOVE ? "page" : psi > WARN_ABOVE ? "warn" : "";
    }

    long count(String level) {
        return columns.stream().filter(c -> c.level().equals(level)).count();
    }

    /** The summary for people: the model, the window, the top {@code top} columns by PSI, and the levels. */
    void print(PrintWriter out, int top, String report) {
        out.printf("model %s %s (%s; %s)%n", model, version, role, chosenBy);
        out.printf("window [%s, %s): %,d scored transactions%n", from, to, rows);
        out.printf("reference: %s%n", manifestUri);
        out.printf(Locale.ROOT, "PSI against the reference (stable < %.1f <= moderate <= %.2f < major; warn > %.1f, page > %.1f):%n",
                MODERATE_FROM, MAJOR_ABOVE, WARN_ABOVE, PAGE_ABOVE);
        int width = Math.max(24, columns.stream().mapToInt(c -> c.name().length()).max().orElse(0));
        String format = "  %-" + width + "s %9s  %-9s %s";
        int shown = Math.min(top, columns.size());
        for (Column c : columns.subList(0, shown)) {
            out.println(String.format(Locale.ROOT, format, c.name(), psiText(c.psi()), c.level(),
                    c.alert().toUpperCase(Locale.ROOT)).stripTrailing());
        }
        if (shown < columns.size()) {
            out.printf("  ... %d more, all in the report%n", columns.size() - shown);
        }
        out.printf("%d major, %d moderate, %d stable%s%n", count("major"), count("moderate"), count("stable"),
                count("no data") == 0 ? "" : ", " + count("no data") + " without values");
        if (!notStored.isEmpty()) {
            out.printf("not compared, not stored (scored_transactions holds the champion's features): %s%n",
                    String.join(", ", notStored));
        }
        if (!calendar.isEmpty()) {
            out.printf("not compared, calendar features (the job does not watch them either): %s%n",
                    String.join(", ", calendar));
        }
        if (!noReference.isEmpty()) {
            out.printf("not compared, no reference histogram in the manifest: %s%n", String.join(", ", noReference));
        }
        out.printf("report: %s%n", report);
    }

    static String psiText(double psi) {
        return Double.isNaN(psi) ? "-" : String.format(Locale.ROOT, "%.4f", psi);
    }

    /** The machine summary: one JSON object (NaN as null). */
    ObjectNode json(ObjectMapper om, String report) {
        ObjectNode o = om.createObjectNode();
        o.put("model", model);
        o.put("version", version);
        o.put("role", role);
        o.put("chosen_by", chosenBy);
        o.put("from", from.toString());
        o.put("to", to.toString());
        o.put("rows", rows);
        o.put("manifest", manifestUri);
        o.put("report", report);
        ObjectNode psi = o.putObject("psi");
        ObjectNode levels = o.putObject("level");
        List<String> warn = new ArrayList<>();
        List<String> page = new ArrayList<>();
        for (Column c : columns) {
            if (Double.isNaN(c.psi())) {
                psi.putNull(c.name());
            } else {
                psi.put(c.name(), c.psi());
            }
            levels.put(c.name(), c.level());
            if (c.alert().equals("page")) {
                page.add(c.name());
            } else if (c.alert().equals("warn")) {
                warn.add(c.name());
            }
        }
        strings(o.putArray("page"), page);
        strings(o.putArray("warn"), warn);
        strings(o.putArray("not_stored"), notStored);
        strings(o.putArray("calendar"), calendar);
        strings(o.putArray("no_reference"), noReference);
        return o;
    }

    private static void strings(ArrayNode a, List<String> values) {
        values.forEach(a::add);
    }
}
