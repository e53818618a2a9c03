package dev.kvload.importing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvload.Failure;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SecretNamesTest {
  static Stream<Arguments> forward() {
    return Stream.of(
        Arguments.of("the usual", "DATABASE_URL", "database-url"),
        Arguments.of("lower case", "db_url", "db-url"),
        Arguments.of("each _ one -", "A__B", "a--b"),
        Arguments.of("digits", "API_KEY_2", "api-key-2"),
        Arguments.of("__proto__", "__proto__", "--proto--"),
        Arguments.of("one underscore", "_", "-"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("forward")
  void variableToSecret(String name, String variable, String secret) {
    assertEquals(secret, SecretNames.forVariable(variable));
  }

  static Stream<Arguments> backward() {
    return Stream.of(
        Arguments.of("the usual", "database-url", Optional.of("DATABASE_URL")),
        Arguments.of("mixed case", "Db-Url", Optional.of("DB_URL")),
        Arguments.of("hyphens at the ends", "--proto--", Optional.of("__PROTO__")),
        Arguments.of("a leading digit gives no variable", "1password", Optional.empty()),
        Arguments.of("not a secret name: underscore", "a_b", Optional.empty()),
        Arguments.of("not a secret name: dot", "db.url", Optional.empty()),
        Arguments.of("not a secret name: an escape", "a\u001b[2Jb", Optional.empty()),
        Arguments.of("not a secret name: too long", "a".repeat(128), Optional.empty()),
        Arguments.of("not a secret name: non-ASCII", "ümlaut", Optional.empty()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("backward")
  void secretToVariable(String name, String secret, Optional<String> variable) {
    assertEquals(variable, SecretNames.variableFor(secret));
  }

  static Stream<Arguments> assignments() {
    return Stream.of(
        Arguments.of(
            "each by the rule",
            List.of("DATABASE_URL", "API_KEY"),
            Map.of(),
            Set.of(),
            Map.of("DATABASE_URL", "database-url", "API_KEY", "api-key")),
        Arguments.of(
            "A__B and A_B stay apart",
            List.of("A__B", "A_B"),
            Map.of(),
            Set.of(),
            Map.of("A__B", "a--b", "A_B", "a-b")),
        Arguments.of(
            "--name settles a collision",
            List.of("DB_URL", "db_url"),
            Map.of("db_url", "legacy-db-url"),
            Set.of(),
            Map.of("DB_URL", "db-url", "db_url", "legacy-db-url")),
        Arguments.of(
            "--name names a long variable",
            List.of("V".repeat(128)),
            Map.of("V".repeat(128), "short"),
            Set.of(),
            Map.of("V".repeat(128), "short")),
        Arguments.of(
            "--allow-var lets a code-loading variable through",
            List.of("NODE_OPTIONS"),
            Map.of(),
            Set.of("NODE_OPTIONS"),
            Map.of("NODE_OPTIONS", "node-options")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("assignments")
  void assigns(
      String name,
      List<String> variables,
      Map<String, String> overrides,
      Set<String> allowed,
      Map<String, String> expected) {
    assertEquals(expected, SecretNames.assign(named(variables), overrides, allowed, ".env"));
  }

  static Stream<Arguments> refusals() {
    return Stream.of(
        Arguments.of(
            "variables that differ in case only",
            List.of("DB_URL", "OTHER", "db_url"),
            Map.of(),
            ".env:1: DB_URL and .env:3: db_url would both be secret 'db-url' (Key Vault names"
                + " ignore case): name one of them with --name db_url=OTHER-NAME"),
        Arguments.of(
            "--name onto another variable's secret",
            List.of("A", "B"),
            Map.of("B", "A"),
            ".env:1: A and .env:2: B would both be secret 'a'"),
        Arguments.of(
            "--name for a variable the file does not set",
            List.of("A"),
            Map.of("MISSING", "m"),
            "--name MISSING=...: MISSING is not set in .env"),
        Arguments.of(
            "--name with a name Key Vault refuses",
            List.of("A"),
            Map.of("A", "a_b"),
            "--name A=a_b: not a Key Vault secret name"),
        Arguments.of(
            "a variable too long for a secret name",
            List.of("V".repeat(128)),
            Map.of(),
            "would be a secret name longer than Key Vault's 127 characters: name it with --name"),
        Arguments.of(
            "a variable that loads code",
            List.of("LD_PRELOAD"),
            Map.of(),
            ".env:1: LD_PRELOAD changes how programs load code, so kvload maps it only when the"
                + " command line allows it: --allow-var LD_PRELOAD"),
        Arguments.of(
            "loaders in any case",
            List.of("Path"),
            Map.of(),
            "Path changes how programs load code"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusals")
  void refusesBeforeAnythingIsSent(
      String name, List<String> variables, Map<String, String> overrides, String expected) {
    var failure =
        assertThrows(
            Failure.Usage.class,
            () -> SecretNames.assign(named(variables), overrides, Set.of(), ".env"));
    assertTrue(
        failure.lines().stream().anyMatch(l -> l.contains(expected)), failure.lines().toString());
    assertEquals("nothing was sent", failure.lines().getLast());
  }

  @Test
  void vaultNamesBecomeSortedVariablesAndTheRestIsSaidEscaped() {
    List<String> skipped = new ArrayList<>();
    Map<String, String> variables =
        SecretNames.fromSecrets(
            List.of(
                "zeta",
                "database-url",
                "1password",
                "evil\u001b]0;pwned\u0007",
                "path",
                "ld-preload"),
            Set.of(),
            skipped);
    assertEquals(
        new LinkedHashMap<>(Map.of("DATABASE_URL", "database-url", "ZETA", "zeta")), variables);
    assertEquals(List.of("DATABASE_URL", "ZETA"), List.copyOf(variables.keySet()));
    assertEquals(
        List.of(
            "secret '1password' left out: its name gives no variable name (it starts with a digit);"
                + " map it by hand",
            "secret 'evil\\u001b]0;pwned\\u0007' left out: not a Key Vault secret name",
            "secret 'path' left out: PATH changes how programs load code (allow it with"
                + " --allow-var PATH)",
            "secret 'ld-preload' left out: LD_PRELOAD changes how programs load code (allow it"
                + " with --allow-var LD_PRELOAD)"),
        skipped);
  }

  private static List<SecretNames.Named> named(List<String> variables) {
    List<SecretNames.Named> named = new ArrayList<>();
    for (int i = 0; i < variables.size(); i++) {
      named.add(new SecretNames.Named(variables.get(i), ".env:" + (i + 1)));
    }
    return named;
  }
}
