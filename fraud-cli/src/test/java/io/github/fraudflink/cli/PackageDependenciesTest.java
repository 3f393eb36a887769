package io.github.fraudflink.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering of the command line's packages, read from its sources: the entry point ({@code cli}, {@link FraudCli})
 * depends on the command families ({@code cli.demo}, {@code cli.bench}, ...), the families on the shared plumbing
 * ({@code cli.common}, {@code cli.local}), never the reverse, and no two packages depend on each other through any
 * path. A reference is an import or a qualified name in code (comments and strings do not count); a class reaches
 * another package only through one of those.
 */
class PackageDependenciesTest {
    private static final String ROOT = "io.github.fraudflink.cli";
    private static final Set<String> PLUMBING = Set.of(ROOT + ".common", ROOT + ".local");
    private static final Pattern REFERENCE = Pattern.compile("\\bio\\.github\\.fraudflink\\.cli\\.([A-Za-z_]\\w*)");

    /** Package -> the other cli packages its classes reference, each with the first file that does. */
    private static final Map<String, Map<String, Path>> DEPENDENCIES = new TreeMap<>();

    @BeforeAll
    static void readSources() throws IOException {
        Path sources = Path.of(System.getProperty("basedir", System.getProperty("user.dir")), "src/main/java/io/github/fraudflink/cli");
        List<Path> files;
        try (Stream<Path> s = Files.walk(sources)) {
            files = s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
        assertThat(files).as("the command line's sources under %s", sources).isNotEmpty();
        for (Path f : files) {
            String sub = sources.relativize(f.getParent()).toString().replace('/', '.');
            String pkg = sub.isEmpty() ? ROOT : ROOT + "." + sub;
            Map<String, Path> deps = DEPENDENCIES.computeIfAbsent(pkg, k -> new TreeMap<>());
            Matcher m = REFERENCE.matcher(code(Files.readString(f)));
            while (m.find()) {
                // a lower-case segment is a subpackage; an upper-case one a class of the entry point's package
                String target = Character.isLowerCase(m.group(1).charAt(0)) ? ROOT + "." + m.group(1) : ROOT;
                if (!target.equals(pkg)) {
                    deps.putIfAbsent(target, sources.relativize(f));
                }
            }
        }
    }

    @Test
    void theFamiliesAndThePlumbingNeverDependOnTheEntryPoint() {
        DEPENDENCIES.forEach((pkg, deps) -> assertThat(deps.keySet())
                .as("%s depends on the entry point's package %s (%s); move what it needs to cli.common", pkg, ROOT, deps.get(ROOT))
                .doesNotContain(ROOT));
    }

    @Test
    void thePlumbingDependsOnNoFamily() {
        for (String pkg : PLUMBING) {
            Map<String, Path> deps = DEPENDENCIES.getOrDefault(pkg, Map.of());
            assertThat(deps.keySet()).as("%s (shared plumbing) depends only on plumbing; it references %s", pkg, deps)
                    .isSubsetOf(PLUMBING);
        }
    }

    @Test
    void noPackagesDependOnEachOther() {
        for (String start : DEPENDENCIES.keySet()) {
            List<String> cycle = cycleThrough(start, new ArrayList<>(List.of(start)));
            assertThat(cycle).as("a cycle between packages: %s; the files: %s", cycle, files(cycle)).isEmpty();
        }
    }

    @Test
    void theEntryPointReachesEveryFamily() {
        Set<String> families = new TreeSet<>(DEPENDENCIES.keySet());
        families.remove(ROOT);
        families.removeAll(PLUMBING);
        assertThat(families).as("the command families").contains(ROOT + ".demo", ROOT + ".bench", ROOT + ".data");
        assertThat(DEPENDENCIES.get(ROOT).keySet()).as("what FraudCli's package references").containsAll(families);
    }

    /** A path of dependencies from the last package of {@code path} back to its first; empty if there is none. */
    private static List<String> cycleThrough(String start, List<String> path) {
        for (String next : DEPENDENCIES.getOrDefault(path.get(path.size() - 1), Map.of()).keySet()) {
            if (next.equals(start)) {
                List<String> cycle = new ArrayList<>(path);
                cycle.add(start);
                return cycle;
            }
            if (!path.contains(next)) {
                path.add(next);
                List<String> found = cycleThrough(start, path);
                if (!found.isEmpty()) {
                    return found;
                }
                path.remove(path.size() - 1);
            }
        }
        return List.of();
    }

    private static List<Path> files(List<String> cycle) {
        List<Path> files = new ArrayList<>();
        for (int i = 0; i + 1 < cycle.size(); i++) {
            files.add(DEPENDENCIES.get(cycle.get(i)).get(cycle.get(i + 1)));
        }
        return files;
    }

    /** The source without its comments, string and character literals and text blocks. */
    static String code(String source) {
        StringBuilder out = new StringBuilder(source.length());
        int i = 0;
        while (i < source.length()) {
            if (source.startsWith("\"\"\"", i)) {
                i = source.indexOf("\"\"\"", i + 3) + 3;
                out.append("\"\"");
            } else if (source.charAt(i) == '"' || source.charAt(i) == '\'') {
                char quote = source.charAt(i);
                int j = i + 1;
                while (source.charAt(j) != quote) {
                    j += source.charAt(j) == '\\' ? 2 : 1;
                }
                i = j + 1;
                out.append("\"\"");
            } else if (source.startsWith("//", i)) {
                int end = source.indexOf('\n', i);
                i = end < 0 ? source.length() : end;
            } else if (source.startsWith("/*", i)) {
                i = source.indexOf("*/", i + 2) + 2;
            } else {
                out.append(source.charAt(i++));
            }
        }
        return out.toString();
    }

    @Test
    void referencesInCommentsAndStringsAreNotDependencies() {
        String src = """
                import io.github.fraudflink.cli.local.LocalFlink;
                /** see io.github.fraudflink.cli.demo.DemoCommand */
                class X { // io.github.fraudflink.cli.bench
                    String s = "io.github.fraudflink.cli.data.Y // /*";
                    char c = '"';
                    Object o = io.github.fraudflink.cli.FraudCli.class;
                }
                """;
        List<String> found = new ArrayList<>();
        Matcher m = REFERENCE.matcher(code(src));
        while (m.find()) {
            found.add(m.group(1));
        }
        assertThat(found).containsExactly("local", "FraudCli");
    }
}
