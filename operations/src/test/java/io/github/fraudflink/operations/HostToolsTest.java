package io.github.fraudflink.operations;

import static io.github.fraudflink.operations.HostTools.Tool.CURL;
import static io.github.fraudflink.operations.HostTools.Tool.PROMTOOL;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.fraudflink.operations.HostTools.Verdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link HostTools}' decision for a test needing host programs, in a made-up environment: run it when they are on
 * the PATH; skip it, naming the program and its Debian package, when one is missing; fail it under CI, unless
 * .ci/run said the package cannot be installed there.
 */
class HostToolsTest {
    @TempDir
    Path bin;

    private void program(String name, String permissions) throws Exception {
        Path p = Files.writeString(bin.resolve(name), "#!/bin/sh\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(permissions));
    }

    /** An environment whose PATH is a missing folder and the test's bin folder, and {@code keysAndValues}. */
    private Map<String, String> env(String... keysAndValues) {
        Map<String, String> env = new HashMap<>(Map.of("PATH", "/nonexistent:" + bin));
        for (int i = 0; i + 1 < keysAndValues.length; i += 2) {
            env.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return env;
    }

    @Test
    void runsWhenEveryProgramIsAnExecutableOnThePath() throws Exception {
        program("promtool", "rwxr-xr-x");
        program("curl", "rwxr-xr-x");
        assertThat(HostTools.verdict(env("CI", "true"), "SomeIT", PROMTOOL, CURL).action()).isEqualTo(Verdict.Action.RUN);
    }

    @Test
    void skipsNamingTheMissingProgramAndItsPackage() throws Exception {
        program("curl", "rwxr-xr-x");
        program("promtool", "rw-r--r--"); // not executable: not the program
        Verdict v = HostTools.verdict(env(), "OperationsFilesTest.promtool", PROMTOOL, CURL);
        assertThat(v.action()).isEqualTo(Verdict.Action.SKIP);
        assertThat(v.message()).isEqualTo("skipped: OperationsFilesTest.promtool needs promtool (not found on the PATH):"
                + " `apt-get install prometheus` (Debian) provides it; .ci/run installs it");
        assertThat(HostTools.verdict(env("CI", "false"), "T", PROMTOOL).action()).isEqualTo(Verdict.Action.SKIP);
    }

    @Test
    void failsUnderCi() {
        for (String ci : new String[] {"true", "TRUE", "1"}) {
            Verdict v = HostTools.verdict(env("CI", ci), "MonitoringIT", PROMTOOL, CURL);
            assertThat(v.action()).as("CI=%s", ci).isEqualTo(Verdict.Action.FAIL);
            assertThat(v.message()).startsWith("MonitoringIT needs promtool (not found on the PATH): `apt-get install"
                    + " prometheus` (Debian) provides it; and curl (not found on the PATH): `apt-get install curl`")
                    .contains("Under CI (CI=true) a test never skips for a missing program", ".ci/run");
        }
    }

    @Test
    void skipsUnderCiOnlyWhatCiRunCouldNotInstallHere() {
        Verdict waived = HostTools.verdict(env("CI", "true", HostTools.NOT_INSTALLABLE, "postgresql-15 prometheus"),
                "ClusterFaultsIT", PROMTOOL);
        assertThat(waived.action()).isEqualTo(Verdict.Action.SKIP);
        assertThat(waived.message()).startsWith("skipped under CI: ClusterFaultsIT needs promtool")
                .endsWith(".ci/run could not install prometheus on this machine (FRAUD_CI_NOT_INSTALLABLE)");
        Verdict partly = HostTools.verdict(env("CI", "true", HostTools.NOT_INSTALLABLE, "prometheus"), "ClusterFaultsIT",
                PROMTOOL, CURL);
        assertThat(partly.action()).as("curl is installable: still a failure").isEqualTo(Verdict.Action.FAIL);
    }
}
