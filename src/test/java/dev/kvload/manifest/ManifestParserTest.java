package dev.kvload.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvload.Failure;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ManifestParserTest {
  private static final Path FILE = Path.of("kvload.json");

  private static Manifest parse(String json) {
    return parse(json, null);
  }

  private static Manifest parse(String json, VaultRef override) {
    return ManifestParser.parse(json.getBytes(StandardCharsets.UTF_8), FILE, override);
  }

  private static List<String> problems(String json) {
    return assertThrows(Failure.Manifest.class, () -> parse(json)).lines();
  }

  @Test
  void readsTheContractExampleWithCommentsAndTrailingCommas() {
    Manifest m =
        parse(
            """
            {
              // default vault
              "vault": "contoso-dev",
              "secrets": {
                "DATABASE_URL": "db-connection-string", /* latest */
                "STRIPE_KEY": "https://contoso-pay.vault.azure.net/secrets/stripe-key/0f1e2d3c4b5a",
                "FEATURE_X": { "secret": "feature-x", "optional": true },
                "SHARED_TOKEN": { "secret": "token", "vault": "contoso-shared", "version": "a1b2c3" },
              },
            }
            """);
    assertEquals(
        List.of(
            new Binding(
                "DATABASE_URL", ref("contoso-dev", "db-connection-string", null), false, 5, 5),
            new Binding(
                "STRIPE_KEY", ref("contoso-pay", "stripe-key", "0f1e2d3c4b5a"), false, 6, 5),
            new Binding("FEATURE_X", ref("contoso-dev", "feature-x", null), true, 7, 5),
            new Binding("SHARED_TOKEN", ref("contoso-shared", "token", "a1b2c3"), false, 8, 5)),
        m.bindings());
  }

  private static SecretRef ref(String vault, String name, String version) {
    return new SecretRef(VaultRef.parse(vault), name, version);
  }

  @Test
  void vaultOverrideReplacesTheDefaultButNotExplicitVaults() {
    Manifest m =
        parse(
            """
            {"vault": "contoso-dev", "secrets": {
              "A": "a",
              "B": {"secret": "b", "vault": "contoso-shared"},
              "C": "https://contoso-pay.vault.azure.net/secrets/c"}}
            """,
            VaultRef.parse("contoso-staging"));
    assertEquals(
        List.of("contoso-staging", "contoso-shared", "contoso-pay"),
        m.bindings().stream().map(b -> b.secret().vault().toString()).toList());
  }

  @Test
  void overrideSuppliesAVaultWhenTheManifestHasNone() {
    Manifest m = parse("{\"secrets\": {\"A\": \"a\"}}", VaultRef.parse("https://127.0.0.1:8443"));
    assertEquals("https://127.0.0.1:8443", m.bindings().getFirst().secret().vault().baseUrl());
  }

  @Test
  void acceptsSchemaKeyAndEmptySecrets() {
    assertEquals(
        List.of(), parse("{\"$schema\": \"./kvload.schema.json\", \"secrets\": {}}").bindings());
  }

  @Test
  void reportsEveryProblemNotJustTheFirst() {
    List<String> lines =
        problems(
            """
            {"vault": "contoso-dev", "secrets": {
              "1BAD": "a",
              "GOOD": "b",
              "TYPO": {"secret": "c", "optinal": true}}}
            """);
    assertEquals(2, lines.size(), lines.toString());
  }

  static Stream<Arguments> manyProblems() {
    return Stream.of(
        Arguments.of("20: all shown", 20, 20, null),
        Arguments.of("21: 20 shown and one more", 21, 21, "... and 1 more problems"),
        Arguments.of("45: 20 shown and a count", 45, 21, "... and 25 more problems"));
  }

  /** A broken manifest lists its first 20 problems, then how many more there are. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("manyProblems")
  void manyProblemsAreCountedNotAllListed(String name, int bad, int shown, String last) {
    StringBuilder json = new StringBuilder("{\"vault\": \"contoso-dev\", \"secrets\": {");
    for (int i = 0; i < bad; i++) {
      json.append(i == 0 ? "" : ", ").append("\"").append(i).append("BAD\": \"a\"");
    }
    List<String> lines = problems(json.append("}}").toString());
    assertEquals(shown, lines.size(), lines.toString());
    assertTrue(lines.getFirst().contains("'0BAD' is not a valid variable name"), lines::toString);
    assertTrue(lines.get(19).contains("'19BAD' is not a valid variable name"), lines::toString);
    if (last != null) {
      assertEquals(last, lines.getLast());
    }
  }

  static Stream<Arguments> invalid() {
    return Stream.of(
        Arguments.of("not an object", "[]", "kvload.json:1:1: ", "must be a JSON object"),
        Arguments.of(
            "syntax error", "{\"secrets\": {\"A\" \"b\"}}", "kvload.json:1:", "Unexpected"),
        Arguments.of("truncated", "{\"secrets\": {\"A\": \"b\"", "kvload.json:", "end-of-input"),
        Arguments.of(
            "unknown top-level key",
            "{\"secrets\": {}, \"vaults\": 1}",
            "kvload.json:1:17: ",
            "unknown key 'vaults'"),
        Arguments.of(
            "unknown entry key names the variable",
            "{\"vault\": \"contoso-dev\", \"secrets\": {\"A\": {\"secret\": \"a\", \"optinal\": true}}}",
            "kvload.json:1:59: A: ",
            "unknown key 'optinal'"),
        Arguments.of(
            "bad variable name",
            "{\"vault\": \"contoso-dev\", \"secrets\": {\"1A\": \"a\"}}",
            "kvload.json:1:38: ",
            "'1A' is not a valid variable name"),
        Arguments.of(
            "variable with a dash",
            "{\"vault\": \"contoso-dev\", \"secrets\": {\"MY-VAR\": \"a\"}}",
            "kvload.json:1:38: ",
            "'MY-VAR' is not a valid variable name"),
        Arguments.of(
            "bad secret name",
            "{\"vault\": \"contoso-dev\", \"secrets\": {\"A\": \"a_b\"}}",
            "kvload.json:1:38: A: ",
            "'a_b' is not a secret name"),
        Arguments.of(
            "secret name too long",
            "{\"vault\": \"contoso-dev\", \"secrets\": {\"A\": \"" + "a".repeat(128) + "\"}}",
            "A: ",
            "is not a secret name"),
        Arguments.of(
            "bad vault name",
            "{\"vault\": \"x\", \"secrets\": {}}",
            "kvload.json:1:2: ",
            "'x' is not a vault"),
        Arguments.of(
            "http vault",
            "{\"vault\": \"http://contoso.vault.azure.net\", \"secrets\": {}}",
            "kvload.json:1:2: ",
            "is not a vault"),
        Arguments.of(
            "vault URL with a path",
            "{\"vault\": \"https://contoso.vault.azure.net/secrets\", \"secrets\": {}}",
            "kvload.json:1:2: ",
            "is not a vault"),
        Arguments.of(
            "no vault for a bare name",
            "{\"secrets\": {\"A\": \"a\"}}",
            "kvload.json:1:14: A: ",
            "has no vault"),
        Arguments.of(
            "secret URL without name",
            "{\"secrets\": {\"A\": \"https://contoso.vault.azure.net/secrets/\"}}",
            "A: ",
            "is not a secret URL"),
        Arguments.of(
            "secret URL with a space",
            "{\"secrets\": {\"A\": \"https://contoso.vault.azure.net/secrets/db url\"}}",
            "kvload.json:1:14: A: ",
            "'https://contoso.vault.azure.net/secrets/db url' is not a secret URL"),
        Arguments.of(
            "entry with a bad vault",
            "{\"vault\": \"contoso-dev\", \"secrets\": {\"A\": {\"secret\": \"a\", \"vault\": \"x\"}}}",
            "kvload.json:1:59: A: ",
            "'x' is not a vault"),
        Arguments.of(
            "secret URL of a key",
            "{\"secrets\": {\"A\": \"https://contoso.vault.azure.net/keys/k\"}}",
            "A: ",
            "is not a secret URL"),
        Arguments.of(
            "number value", "{\"secrets\": {\"A\": 3}}", "kvload.json:1:19: A: ", "got a number"),
        Arguments.of(
            "optional not boolean",
            "{\"vault\": \"contoso-dev\", \"secrets\": {\"A\": {\"secret\": \"a\", \"optional\": \"yes\"}}}",
            "A: ",
            "\"optional\" must be true or false, got a string"),
        Arguments.of(
            "object without secret",
            "{\"vault\": \"contoso-dev\", \"secrets\": {\"A\": {\"optional\": true}}}",
            "A: ",
            "missing \"secret\""),
        Arguments.of(
            "URL plus vault",
            "{\"secrets\": {\"A\": {\"secret\": \"https://c.vault.azure.net/secrets/a\", \"vault\": \"contoso\"}}}",
            "A: ",
            "already names the vault"),
        Arguments.of(
            "duplicate variable",
            "{\"vault\": \"contoso-dev\", \"secrets\": {\"A\": \"a\", \"A\": \"b\"}}",
            "kvload.json:1:48: A: ",
            "mapped twice"),
        Arguments.of(
            "duplicate top-level key",
            "{\"vault\": \"contoso-dev\", \"vault\": \"other-vault\", \"secrets\": {}}",
            "kvload.json:1:",
            "duplicate key 'vault'"),
        Arguments.of(
            "secrets not an object", "{\"secrets\": []}", "kvload.json:1:", "must be an object"),
        Arguments.of(
            "no secrets", "{\"vault\": \"contoso-dev\"}", "kvload.json: ", "no \"secrets\""),
        Arguments.of("content after the end", "{\"secrets\": {}} {}", "kvload.json:1:", "after"),
        Arguments.of(
            "bad version",
            "{\"vault\": \"contoso-dev\", \"secrets\": {\"A\": {\"secret\":"
                + " \"a\", \"version\": \"../x\"}}}",
            "A: ",
            "is not a secret version"),
        Arguments.of(
            "control characters are escaped",
            "{\"vault\": \"contoso-dev\", \"secrets\": {\"A\": \"a\\u001bb\"}}",
            "A: ",
            "'a\\u001bb' is not a secret name"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void rejectsWithFileLineColumnAndVariable(
      String name, String json, String prefix, String fragment) {
    List<String> lines = problems(json);
    assertTrue(
        lines.stream().anyMatch(l -> l.contains(prefix) && l.contains(fragment)),
        () -> "expected a line starting " + prefix + " containing " + fragment + ", got " + lines);
    assertTrue(lines.stream().noneMatch(l -> l.contains("\n")), "one line each");
  }

  @Test
  void rejectsNonUtf8() {
    byte[] bytes = {'{', '"', 's', (byte) 0xff, '"', ':', '1', '}'};
    var failure =
        assertThrows(Failure.Manifest.class, () -> ManifestParser.parse(bytes, FILE, null));
    assertTrue(failure.lines().getFirst().startsWith("kvload.json:1:"), failure.lines().toString());
  }

  @Test
  void acceptsAUtf8ByteOrderMark() {
    byte[] json =
        "{\"vault\": \"contoso-dev\", \"secrets\": {\"A\": \"a\"}}"
            .getBytes(StandardCharsets.UTF_8);
    byte[] withBom = new byte[json.length + 3];
    withBom[0] = (byte) 0xef;
    withBom[1] = (byte) 0xbb;
    withBom[2] = (byte) 0xbf;
    System.arraycopy(json, 0, withBom, 3, json.length);
    assertEquals(1, ManifestParser.parse(withBom, FILE, null).bindings().size());
  }
}
