package ccx.hooks.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package boundaries of README's map, read from the sources: no package cycle, the shared
 * vocabulary ({@code core}) uses no other package of the relay, and only the composition root and
 * the command line know the composition root.
 */
class PackageDependenciesTest {
  private static final Path SOURCES = Path.of("src/main/java/ccx/hooks");

  /** Another package of the relay named in a source file (generated code is left out). */
  private static final Pattern REFERENCE = Pattern.compile("\\bccx\\.hooks\\.([a-z]+)\\.");

  private static final Set<String> GENERATED = Set.of("v1");

  @Test
  void no_package_depends_on_itself_through_others() throws IOException {
    Map<String, Set<String>> uses = packageDependencies();
    for (String start : uses.keySet()) {
      assertThat(reachable(uses, start))
          .as("packages that lead back to " + start)
          .doesNotContain(start);
    }
  }

  @Test
  void the_shared_vocabulary_uses_no_other_package_of_the_relay() throws IOException {
    assertThat(packageDependencies().get("core")).isEmpty();
  }

  @Test
  void only_the_command_line_builds_the_relay() throws IOException {
    packageDependencies()
        .forEach(
            (pkg, used) -> {
              if (!pkg.equals("cli")) {
                assertThat(used).as(pkg).doesNotContain("app");
              }
            });
  }

  private static Map<String, Set<String>> packageDependencies() throws IOException {
    Map<String, Set<String>> uses = new TreeMap<>();
    try (Stream<Path> files = Files.walk(SOURCES)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        String pkg = SOURCES.relativize(file.getParent()).toString().replace('/', '.');
        Set<String> used = uses.computeIfAbsent(pkg, p -> new TreeSet<>());
        Matcher reference = REFERENCE.matcher(Files.readString(file));
        while (reference.find()) {
          String other = reference.group(1);
          if (!other.equals(pkg) && !GENERATED.contains(other)) {
            used.add(other);
          }
        }
      }
    }
    return uses;
  }

  private static Set<String> reachable(Map<String, Set<String>> uses, String start) {
    Set<String> seen = new HashSet<>();
    List<String> next = new ArrayList<>(uses.getOrDefault(start, Set.of()));
    while (!next.isEmpty()) {
      String pkg = next.removeLast();
      if (seen.add(pkg)) {
        next.addAll(uses.getOrDefault(pkg, Set.of()));
      }
    }
    return seen;
  }
}
