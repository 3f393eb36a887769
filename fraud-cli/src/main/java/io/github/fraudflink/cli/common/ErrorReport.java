package io.github.fraudflink.cli.common;

import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * How a command fails: one line on standard error, {@code error: <what went wrong>; <what to do>}, naming the log file
 * where the stack trace went (the terminal never shows one), and a non-zero exit code: 2 for a wrong command line, 1
 * for a command that failed.
 */
public final class ErrorReport {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorReport.class);

    private ErrorReport() {}

    /**
     * Configures a command line as {@code ./fraud}'s: durations and instants as options, failures reported this way
     * ({@link #install}). For the command tree, and for a command that runs another one.
     */
    public static CommandLine configure(CommandLine cl) {
        cl.registerConverter(java.time.Duration.class, new DurationConverter());
        cl.registerConverter(java.time.Instant.class, java.time.Instant::parse);
        install(cl);
        return cl;
    }

    /** Makes {@code cl} report failures this way. */
    public static void install(CommandLine cl) {
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            LOG.error("{} failed", cmd.getCommandSpec().qualifiedName(), e);
            cmd.getErr().println("error: " + describe(e) + "; details in " + logFile());
            cmd.getErr().flush();
            return cmd.getCommandSpec().exitCodeOnExecutionException();
        });
        cl.setParameterExceptionHandler((e, args) -> {
            CommandLine cmd = e.getCommandLine();
            String suggestion = e instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()
                    ? " (did you mean " + String.join(" or ", u.getSuggestions()) + "?)" : "";
            cmd.getErr().println("error: " + firstLine(e.getMessage()) + suggestion + "; see '"
                    + cmd.getCommandSpec().qualifiedName() + " --help'");
            cmd.getErr().flush();
            return cmd.getCommandSpec().exitCodeOnInvalidInput();
        });
    }

    /** Logs what a thread outside the commands' control throws, instead of printing its stack trace on standard error. */
    public static void logUncaughtExceptions() {
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> LOG.error("uncaught in thread {}", t.getName(), e));
    }

    /** The log file the launcher's {@code fraud.log.dir} points at (log4j2.properties writes there). */
    public static Path logFile() {
        return Path.of(System.getProperty("fraud.log.dir", ".fraud/logs"), "fraud.log");
    }

    /**
     * The failure in one line: the outermost message (where a command says what it was doing), followed by the root
     * cause when that message does not already say it, and a hint for the causes whose message does not say what to do.
     * Only the first line of a message counts (the rest is usually a table or a position, which the log keeps).
     */
    static String describe(Throwable e) {
        List<Throwable> causes = new ArrayList<>();
        for (Throwable t = e.getCause(); t != null && !causes.contains(t) && t != e; t = t.getCause()) {
            causes.add(t);
        }
        Throwable root = causes.isEmpty() ? e : causes.get(causes.size() - 1);
        String top = firstLine(e.getMessage());
        String m;
        if (root == e) {
            m = text(e);
        } else if (top.isEmpty() || top.startsWith(e.getCause().getClass().getName())) { // a wrapper without words of its own
            m = text(root);
        } else if (causes.stream().map(c -> firstLine(c.getMessage())).anyMatch(c -> !c.isEmpty() && top.contains(c))) {
            m = top; // it cites its cause already
        } else {
            m = top + ": " + text(root);
        }
        return m.toLowerCase(java.util.Locale.ROOT).contains("check") ? m : m + hint(root);
    }

    private static String text(Throwable t) {
        String m = firstLine(t.getMessage());
        if (t instanceof FileSystemException f) { // its message is only the path
            String what = t instanceof java.nio.file.NoSuchFileException ? "no such file or directory"
                    : t instanceof java.nio.file.AccessDeniedException ? "permission denied"
                    : t instanceof java.nio.file.FileAlreadyExistsException ? "already exists" : f.getReason();
            return what == null ? t.getClass().getSimpleName() + ": " + m : what + ": " + f.getFile();
        }
        if (m.isEmpty()) {
            return t.getClass().getSimpleName();
        }
        boolean selfExplaining = t instanceof IllegalArgumentException || t instanceof IllegalStateException
                || t instanceof java.io.UncheckedIOException || t.getClass() == java.io.IOException.class;
        return selfExplaining ? m : t.getClass().getSimpleName() + ": " + m;
    }

    private static String hint(Throwable root) {
        if (root instanceof OutOfMemoryError) {
            return "; give the JVM more memory, e.g. FRAUD_JAVA_OPTS=-Xmx8g ./fraud ...";
        }
        if (root instanceof org.apache.kafka.common.errors.TimeoutException) {
            return "; is Kafka running and reachable at the bootstrap servers given?";
        }
        if (root instanceof java.net.ConnectException || root instanceof java.net.UnknownHostException) {
            return "; is the server running, and the host and port right?";
        }
        return "";
    }

    /** The first line that is not blank, stripped; "" for none. */
    private static String firstLine(String s) {
        return s == null ? "" : s.lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse("");
    }
}
