package io.github.fraudflink.operations;

import java.io.File;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;
import org.opentest4j.AssertionFailedError;

/**
 * The programs some tests need from the machine, which the build cannot fetch, each with the Debian package that
 * installs it. A test class or method says what it needs with {@link Needs}; when one is missing it is skipped before
 * anything of it runs (no {@code @BeforeAll}, no extension's set-up), reported as skipped with a message naming the
 * program and its package, so {@code mvn -B verify} passes on a machine with only a JDK and Maven.
 *
 * <p>Under CI (environment variable {@code CI=true}, which GitHub Actions and most CI services set, or {@code 1}) a
 * missing program fails the test instead: {@code .ci/run} installs them, so CI never skips one quietly. The exception
 * is a package {@code .ci/run} tried and could not install on that machine (PostgreSQL 15 on an Ubuntu that has
 * another version): it lists those in {@code FRAUD_CI_NOT_INSTALLABLE} (Debian package names, space-separated), and
 * the tests needing one are skipped there, saying so.
 *
 * <p>A condition and not an assumption in {@code @BeforeAll}: Maven's test report shows a class skipped by a condition
 * with its reason, while a class whose {@code @BeforeAll} aborts is reported as 0 tests run, without the message.
 */
final class HostTools {
    /** {@code CI=true}: a missing program fails. */
    static final String CI = "CI";
    /** The Debian packages .ci/run could not install on this machine, space-separated. */
    static final String NOT_INSTALLABLE = "FRAUD_CI_NOT_INSTALLABLE";

    private HostTools() {}

    /** The host programs a test class or method needs; see {@link HostTools}. */
    @Target({ElementType.TYPE, ElementType.METHOD})
    @Retention(RetentionPolicy.RUNTIME)
    @ExtendWith(Condition.class)
    @interface Needs {
        Tool[] value();
    }

    /** A program the tests run, with the Debian package that provides it. */
    enum Tool {
        /** Prometheus's checker of configurations and rules ({@code promtool check config}, {@code promtool test rules}). */
        PROMTOOL("promtool", "prometheus"),
        /** The Prometheus server. */
        PROMETHEUS("prometheus", "prometheus"),
        /** scripts/flink-cluster.sh waits for Flink's REST API with it. */
        CURL("curl", "curl"),
        /** A PostgreSQL 15 server of the system's packages, as {@link PostgresServer} runs it. */
        POSTGRESQL_15("PostgreSQL 15 (initdb, pg_ctl, postgres)", "postgresql-15") {
            @Override
            String missing(Map<String, String> env) {
                return PostgresServer.unavailable();
            }
        };

        final String program;
        final String debianPackage;

        Tool(String program, String debianPackage) {
            this.program = program;
            this.debianPackage = debianPackage;
        }

        /** Why the program cannot run here, given the environment {@code env}; null when it can. */
        String missing(Map<String, String> env) {
            for (String dir : env.getOrDefault("PATH", "").split(File.pathSeparator)) {
                Path p = dir.isEmpty() ? null : Path.of(dir, program);
                if (p != null && Files.isRegularFile(p) && Files.isExecutable(p)) {
                    return null; // where ProcessBuilder finds it too
                }
            }
            return "not found on the PATH";
        }
    }

    /** What to do about a test needing programs: run it, skip it, or fail it; with the message saying why. */
    record Verdict(Action action, String message) {
        enum Action { RUN, SKIP, FAIL }
    }

    /** Under CI: {@code CI} is {@code true} or {@code 1}. */
    static boolean ci(Map<String, String> env) {
        String v = env.getOrDefault(CI, "").trim();
        return v.equalsIgnoreCase("true") || v.equals("1");
    }

    /** What to do about {@code test}, which needs {@code tools}, in the environment {@code env}. */
    static Verdict verdict(Map<String, String> env, String test, Tool... tools) {
        List<String> missing = new ArrayList<>();
        List<String> notInstallableHere = new ArrayList<>();
        Set<String> notInstallable = Set.of(env.getOrDefault(NOT_INSTALLABLE, "").trim().split("\\s+"));
        for (Tool t : tools) {
            String why = t.missing(env);
            if (why != null) {
                missing.add(t.program + " (" + why + "): `apt-get install " + t.debianPackage + "` (Debian) provides it");
                if (notInstallable.contains(t.debianPackage)) {
                    notInstallableHere.add(t.debianPackage);
                }
            }
        }
        if (missing.isEmpty()) {
            return new Verdict(Verdict.Action.RUN, test + " has what it needs");
        }
        String needs = test + " needs " + String.join("; and ", missing);
        if (!ci(env)) {
            return new Verdict(Verdict.Action.SKIP, "skipped: " + needs + "; .ci/run installs " + (missing.size() == 1 ? "it" : "them"));
        }
        if (notInstallableHere.size() == missing.size()) {
            return new Verdict(Verdict.Action.SKIP, "skipped under CI: " + needs + "; .ci/run could not install "
                    + String.join(" ", notInstallableHere) + " on this machine (" + NOT_INSTALLABLE + ")");
        }
        return new Verdict(Verdict.Action.FAIL, needs + ". Under CI (CI=true) a test never skips for a missing program:"
                + " run the tests through .ci/run, which installs " + (missing.size() == 1 ? "it" : "them"));
    }

    /** {@link Needs} at work: enables, disables (skips) or, by throwing, fails the class or method it is on. */
    static final class Condition implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            Optional<Needs> needs = AnnotationSupport.findAnnotation(context.getElement(), Needs.class);
            if (needs.isEmpty()) {
                return ConditionEvaluationResult.enabled("needs no host program of its own");
            }
            String test = context.getRequiredTestClass().getSimpleName()
                    + context.getTestMethod().map(Method::getName).map(m -> "." + m).orElse("");
            Verdict v = verdict(System.getenv(), test, needs.get().value());
            return switch (v.action()) {
                case RUN -> ConditionEvaluationResult.enabled(v.message());
                case SKIP -> ConditionEvaluationResult.disabled(v.message());
                case FAIL -> throw new AssertionFailedError(v.message());
            };
        }
    }
}
