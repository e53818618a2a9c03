package dev.kvload.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The manifest is a person's file: an edit adds or changes entries of {@code "secrets"} and keeps
 * everything else byte for byte. Every result must also pass the parser and the schema.
 */
class ManifestEditorTest {
  private static final VaultRef OTHER = VaultRef.parse("kv-other");

  private static ManifestEditor.Entry entry(String variable, String secret) {
    return new ManifestEditor.Entry(variable, secret, null);
  }

  static Stream<Arguments> edits() {
    return Stream.of(
        Arguments.of(
            "comments, order and a trailing comma kept",
            """
            // the team's manifest
            {
              "$schema": "./kvload.schema.json",
              "vault": "kv-one", // dev
              "secrets": {
                /* the database */
                "DB": "db-url", // primary
                "API": { "secret": "api-key", "optional": true },
              },
            }
            """,
            List.of(entry("NEW_ONE", "new-one"), entry("NEW_TWO", "new-two")),
            """
            // the team's manifest
            {
              "$schema": "./kvload.schema.json",
              "vault": "kv-one", // dev
              "secrets": {
                /* the database */
                "DB": "db-url", // primary
                "API": { "secret": "api-key", "optional": true },
                "NEW_ONE": "new-one",
                "NEW_TWO": "new-two",
              },
            }
            """),
        Arguments.of(
            "no trailing comma: one goes after the last value, before its comment",
            """
            {
              "vault": "kv-one",
              "secrets": {
                "DB": "db-url" // primary
                // "OLD": "old", kept as a comment
              }
            }
            """,
            List.of(entry("NEW", "new")),
            """
            {
              "vault": "kv-one",
              "secrets": {
                "DB": "db-url", // primary
                // "OLD": "old", kept as a comment
                "NEW": "new"
              }
            }
            """),
        Arguments.of(
            "an object on one line stays on one line",
            "{\"vault\": \"kv-one\", \"secrets\": {\"DB\": \"db-url\"}}\n",
            List.of(entry("NEW", "new")),
            "{\"vault\": \"kv-one\", \"secrets\": {\"DB\": \"db-url\", \"NEW\": \"new\"}}\n"),
        Arguments.of(
            "empty secrets open up",
            """
            {
              "vault": "kv-one",
              "secrets": {}
            }
            """,
            List.of(entry("A", "a"), entry("B", "b")),
            """
            {
              "vault": "kv-one",
              "secrets": {
                "A": "a",
                "B": "b"
              }
            }
            """),
        Arguments.of(
            "empty secrets with a comment inside",
            """
            {
              "vault": "kv-one",
              "secrets": {
                // nothing yet
              }
            }
            """,
            List.of(entry("A", "a")),
            """
            {
              "vault": "kv-one",
              "secrets": {
                // nothing yet
                "A": "a"
              }
            }
            """),
        Arguments.of(
            "tabs and CRLF kept",
            "{\r\n\t\"vault\": \"kv-one\",\r\n\t\"secrets\": {\r\n\t\t\"DB\": \"db-url\"\r\n\t}\r\n}\r\n",
            List.of(entry("NEW", "new")),
            "{\r\n\t\"vault\": \"kv-one\",\r\n\t\"secrets\": {\r\n\t\t\"DB\": \"db-url\",\r\n"
                + "\t\t\"NEW\": \"new\"\r\n\t}\r\n}\r\n"),
        Arguments.of(
            "a secret of another vault names its vault",
            """
            {
              "vault": "kv-one",
              "secrets": {
                "DB": "db-url"
              }
            }
            """,
            List.of(new ManifestEditor.Entry("NEW", "new", OTHER)),
            """
            {
              "vault": "kv-one",
              "secrets": {
                "DB": "db-url",
                "NEW": { "secret": "new", "vault": "kv-other" }
              }
            }
            """),
        Arguments.of(
            "a variable that is there gets its value replaced in place",
            """
            {
              "vault": "kv-one",
              "secrets": {
                "DB": { "secret": "old-db", "optional": true }, // was optional
                "API": "api-key"
              }
            }
            """,
            List.of(entry("DB", "db-url")),
            """
            {
              "vault": "kv-one",
              "secrets": {
                "DB": "db-url", // was optional
                "API": "api-key"
              }
            }
            """),
        Arguments.of(
            "a byte order mark",
            "\uFEFF{\"vault\": \"kv-one\", \"secrets\": {\n  \"DB\": \"db\"\n}}",
            List.of(entry("NEW", "new")),
            "\uFEFF{\"vault\": \"kv-one\", \"secrets\": {\n  \"DB\": \"db\",\n  \"NEW\": \"new\"\n}}"),
        Arguments.of(
            "__proto__ is a key like any other",
            "{\"vault\": \"kv-one\", \"secrets\": {}}",
            List.of(entry("__proto__", "--proto--")),
            "{\"vault\": \"kv-one\", \"secrets\": {\n  \"__proto__\": \"--proto--\"\n}}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("edits")
  void editsOnlyTheEntries(
      String name, String before, List<ManifestEditor.Entry> entries, String expected)
      throws IOException {
    String after = ManifestEditor.put(before, entries);
    assertEquals(expected, after);
    readsBack(after);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("starters")
  void startersReadBack(String name, List<ManifestEditor.Entry> entries) throws IOException {
    String text =
        ManifestEditor.starter(
            List.of("a comment"),
            "https://example.test/kvload.schema.json",
            VaultRef.parse("https://kv-one.vault.azure.net:8443"),
            entries);
    Manifest manifest = readsBack(text);
    assertEquals(
        entries.stream().map(ManifestEditor.Entry::variable).toList(),
        manifest.bindings().stream().map(Binding::variable).toList());
  }

  static Stream<Arguments> starters() {
    return Stream.of(
        Arguments.of("empty", List.of()),
        Arguments.of("some", List.of(entry("A", "a"), entry("DATABASE_URL", "database-url"))),
        Arguments.of("another vault", List.of(new ManifestEditor.Entry("X", "x", OTHER))));
  }

  private static Manifest readsBack(String text) throws IOException {
    assertEquals(List.of(), SchemaTest.schemaErrors(text.replace("\uFEFF", "")));
    return ManifestParser.parse(
        text.getBytes(StandardCharsets.UTF_8), Path.of("kvload.json"), null);
  }
}
