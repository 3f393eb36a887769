package io.github.fraudflink.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;

/** One run of the {@code fraud} command tree, in-process or through the {@code ./fraud} launcher: exit code, stdout, stderr. */
public record CliRun(int exit, String out, String err) {

    /**
     * A run of the {@code ./fraud} launcher in a new JVM, exactly as a user runs it, on the jar this build packaged
     * (no rebuild), logging into {@code logDir}: what the terminal would show, all of it (library output included).
     */
    public static CliRun launched(Path logDir, String... args) throws Exception {
        Path root = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath().getParent();
        List<String> command = new ArrayList<>(List.of(root.resolve("fraud").toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(logDir, "stdout-", ".txt");
        Path err = Files.createTempFile(logDir, "stderr-", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("FRAUD_SKIP_BUILD", "1");
        pb.environment().put("FRAUD_LOG_DIR", logDir.toString());
        pb.environment().put("FRAUD_JAVA_OPTS", "-Xmx1g");
        Process p = pb.start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("./fraud " + String.join(" ", args) + " still running after 10 minutes");
        }
        return new CliRun(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    public static CliRun of(String... args) {
        return of(FraudCli.commandLine(), args);
    }

    /** A run of {@code cl}, a command tree from {@link FraudCli#commandLine()} that a test has configured further. */
    public static CliRun of(CommandLine cl, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new CliRun(exit, out.toString(), err.toString());
    }

    /** The last line of stdout, parsed as JSON (what --json prints). */
    public JsonNode lastJson() throws Exception {
        List<String> lines = out.lines().toList();
        return new ObjectMapper().readTree(lines.get(lines.size() - 1));
    }
}
