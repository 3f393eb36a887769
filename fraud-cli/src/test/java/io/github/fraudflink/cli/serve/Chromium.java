package io.github.fraudflink.cli.serve;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.AssertionFailedError;

/**
 * A real headless browser for page tests: Debian's {@code chromium} and {@code chromium-driver} (Selenium drives the
 * driver at {@value #DRIVER}; nothing is downloaded). A test class marked {@link Needed} is skipped, with the reason and
 * the packages, on a machine without them; under CI ({@code CI=true}) it fails instead, since {@code .ci/run} installs
 * them, unless {@code .ci/run} reported them not installable there ({@code FRAUD_CI_NOT_INSTALLABLE}, e.g. Ubuntu,
 * which ships Chromium only as a snap).
 */
final class Chromium {
    static final String BROWSER = "/usr/bin/chromium";
    static final String DRIVER = "/usr/bin/chromedriver";

    private Chromium() {}

    /** Marks a test class that drives the browser. */
    @Target(ElementType.TYPE)
    @Retention(RetentionPolicy.RUNTIME)
    @ExtendWith(Condition.class)
    @interface Needed {}

    static final class Condition implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            if (Files.isExecutable(Path.of(BROWSER)) && Files.isExecutable(Path.of(DRIVER))) {
                return ConditionEvaluationResult.enabled("chromium and chromedriver are installed");
            }
            String why = "needs a headless browser: " + BROWSER + " and " + DRIVER
                    + " (apt-get install chromium chromium-driver)";
            String ci = System.getenv("CI");
            java.util.List<String> notInstallable = java.util.List.of(
                    System.getenv().getOrDefault("FRAUD_CI_NOT_INSTALLABLE", "").trim().split("\\s+"));
            if (notInstallable.contains("chromium") || notInstallable.contains("chromium-driver")) {
                return ConditionEvaluationResult.disabled(why + "; .ci/run could not install them on this machine"
                        + " (FRAUD_CI_NOT_INSTALLABLE)");
            }
            if ("true".equalsIgnoreCase(ci) || "1".equals(ci)) {
                throw new AssertionFailedError(why + "; .ci/run installs them, so under CI this is a failure");
            }
            return ConditionEvaluationResult.disabled(why);
        }
    }
}
