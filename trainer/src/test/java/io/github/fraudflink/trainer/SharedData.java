package io.github.fraudflink.trainer;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Where the tests find data: the small slices shipped in {@code src/test/resources} (always there; how each was cut
 * is in that folder's README), and the large reference data of {@code ../shared/data}, which a fresh clone does not
 * have. The large data is looked for in the directory named by the system property {@value #PROPERTY} if set, else in
 * {@code ../shared/data} beside the project; a test that needs a file that is not there is skipped with a message
 * that says what is skipped and how to enable it.
 */
public final class SharedData {
    /** System property naming the reference data directory: {@code mvn test -Dfraud.shared.data=/path/to/data}. */
    public static final String PROPERTY = "fraud.shared.data";

    private SharedData() {}

    /** The reference data directory: {@value #PROPERTY}, else {@code ../shared/data} beside the project. */
    public static Path dir() {
        String configured = System.getProperty(PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        // surefire runs in the module directory (the project is its parent), an IDE may run in the project's
        Path here = Path.of(System.getProperty("user.dir")).toAbsolutePath().normalize();
        Path project = here.getParent() != null && Files.isDirectory(here.getParent().resolve("trainer"))
                ? here.getParent() : here;
        return project.resolve("../shared/data").normalize();
    }

    /**
     * The reference file {@code name}, or a skipped test (a JUnit assumption) when it is not there.
     *
     * @param checks what the skipped test checks, for the message
     */
    public static Path require(String name, String checks) {
        Path file = dir().resolve(name);
        Assumptions.assumeTrue(Files.isRegularFile(file), () -> "SKIPPED full-data check (" + checks + "): " + file
                + " is not there. To run it, put the reference data in ../shared/data beside the project or run with -D"
                + PROPERTY + "=/path/to/data (the folder holding " + name + ")");
        return file;
    }

    /** A file shipped in {@code src/test/resources} (a slice), as a path. */
    public static Path resource(String name) {
        URL url = SharedData.class.getResource("/" + name);
        if (url == null) {
            throw new IllegalStateException("test resource " + name + " is missing from src/test/resources");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
