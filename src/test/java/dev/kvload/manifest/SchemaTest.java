package dev.kvload.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.kvload.guard.InProcessKvload;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * kvload.schema.json and the parser agree: every example manifest in the repository passes both,
 * and a table of broken manifests fails both.
 */
public class SchemaTest {
  static final Path ROOT = Path.of("").toAbsolutePath();
  static final Path SCHEMA_FILE = ROOT.resolve("kvload.schema.json");
  static final JsonMapper JSONC =
      JsonMapper.builder()
          .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
          .enable(JsonReadFeature.ALLOW_TRAILING_COMMA)
          .build();
  static final Schema SCHEMA = schema();

  @TempDir Path temp;

  private static Schema schema() {
    try (InputStream in = Files.newInputStream(SCHEMA_FILE)) {
      return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7).getSchema(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The schema's complaints about a manifest, read in kvload's dialect (comments, commas). */
  public static List<String> schemaErrors(String manifest) throws IOException {
    JsonNode node = JSONC.readTree(manifest);
    return SCHEMA.validate(node).stream().map(Object::toString).toList();
  }

  /** {@code kvload validate -m FILE}, in process: its exit status and stderr. */
  static Map.Entry<Integer, String> validate(Path file) {
    var result =
        new InProcessKvload(file.getParent())
            .sources(
                (settings, session) -> {
                  throw new AssertionError("validate must not open a secret source");
                },
                List.of())
            .run("validate", "-m", file.toString());
    return Map.entry(result.exit(), result.stderr());
  }

  /** Every manifest in the repository: JSON files with "secrets", and README/docs code blocks. */
  static List<Map.Entry<String, String>> repositoryManifests() throws IOException {
    List<Map.Entry<String, String>> found = new ArrayList<>();
    try (Stream<Path> files = Files.walk(ROOT)) {
      for (Path f :
          files
              .filter(p -> p.toString().endsWith(".json"))
              .filter(p -> !ROOT.relativize(p).startsWith("target"))
              .filter(p -> !ROOT.relativize(p).startsWith(".git"))
              .sorted()
              .toList()) {
        String text = Files.readString(f);
        JsonNode node = JSONC.readTree(text);
        if (node.isObject() && node.has("secrets") && !f.equals(SCHEMA_FILE)) {
          found.add(Map.entry(ROOT.relativize(f).toString(), text));
        }
      }
    }
    List<Path> docs = new ArrayList<>(List.of(ROOT.resolve("README.md")));
    if (Files.isDirectory(ROOT.resolve("docs"))) {
      try (Stream<Path> files = Files.list(ROOT.resolve("docs"))) {
        files.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
      }
    }
    Pattern block = Pattern.compile("(?ms)^```jsonc?\\n(.*?)^```");
    for (Path doc : docs) {
      Matcher m = block.matcher(Files.readString(doc));
      int n = 0;
      while (m.find()) {
        n++;
        JsonNode node = JSONC.readTree(m.group(1));
        if (node.isObject() && node.has("secrets")) {
          found.add(Map.entry(ROOT.relativize(doc) + " block " + n, m.group(1)));
        }
      }
    }
    return found;
  }

  @TestFactory
  Stream<DynamicTest> everyExampleManifestPassesTheSchemaAndValidate() throws IOException {
    List<Map.Entry<String, String>> manifests = repositoryManifests();
    assertTrue(manifests.size() >= 4, "examples found: " + manifests);
    return manifests.stream()
        .map(
            e ->
                DynamicTest.dynamicTest(
                    e.getKey(),
                    () -> {
                      assertEquals(List.of(), schemaErrors(e.getValue()), "schema");
                      Path file = temp.resolve(e.getKey().replaceAll("[^A-Za-z0-9.]", "_"));
                      Files.writeString(file, e.getValue());
                      var validate = validate(file);
                      assertEquals(0, validate.getKey(), validate.getValue());
                    }));
  }

  @Test
  void examplesPointAtTheSchemaWithAWorkingPath() throws IOException {
    for (var e : repositoryManifests()) {
      JsonNode schema = JSONC.readTree(e.getValue()).get("$schema");
      if (schema == null || e.getKey().contains(" block ")) {
        continue;
      }
      Path resolved = ROOT.resolve(e.getKey()).getParent().resolve(schema.asText()).normalize();
      assertEquals(SCHEMA_FILE, resolved, e.getKey() + ": $schema " + schema.asText());
    }
    assertTrue(Files.readString(ROOT.resolve("examples/kvload.json")).contains("\"$schema\""));
  }

  /** Case: a manifest that the schema and kvload validate both must reject. */
  static Stream<Arguments> broken() {
    return Stream.of(
        Arguments.of("unknown top-level key", "{\"vault\": \"contoso-dev\", \"secret\": {}}"),
        Arguments.of("no secrets", "{\"vault\": \"contoso-dev\"}"),
        Arguments.of("secrets is an array", "{\"vault\": \"contoso-dev\", \"secrets\": []}"),
        Arguments.of(
            "variable starts with a digit",
            "{\"vault\": \"contoso-dev\", \"secrets\":" + " {\"1X\": \"a\"}}"),
        Arguments.of(
            "variable with a dash",
            "{\"vault\": \"contoso-dev\", \"secrets\":" + " {\"MY-VAR\": \"a\"}}"),
        Arguments.of(
            "secret name with an underscore",
            "{\"vault\": \"contoso-dev\", \"secrets\":" + " {\"X\": \"db_url\"}}"),
        Arguments.of(
            "secret name too long",
            "{\"vault\": \"contoso-dev\", \"secrets\": {\"X\": \"" + "a".repeat(128) + "\"}}"),
        Arguments.of("vault name too short", "{\"vault\": \"ab\", \"secrets\": {\"X\": \"a\"}}"),
        Arguments.of(
            "vault name with a double hyphen",
            "{\"vault\": \"ab--cd\", \"secrets\":" + " {\"X\": \"a\"}}"),
        Arguments.of(
            "vault over http",
            "{\"vault\": \"http://contoso.vault.azure.net\"," + " \"secrets\": {\"X\": \"a\"}}"),
        Arguments.of(
            "vault URL with a path",
            "{\"vault\": \"https://contoso.vault.azure.net/x\"," + " \"secrets\": {\"X\": \"a\"}}"),
        Arguments.of(
            "secret URL without a name",
            "{\"secrets\": {\"X\":" + " \"https://contoso.vault.azure.net/secrets/\"}}"),
        Arguments.of(
            "secret URL with a query",
            "{\"secrets\": {\"X\":"
                + " \"https://contoso.vault.azure.net/secrets/a?api-version=7.4\"}}"),
        Arguments.of(
            "typo in an entry",
            "{\"vault\": \"contoso-dev\", \"secrets\": {\"X\":"
                + " {\"secret\": \"a\", \"optinal\": true}}}"),
        Arguments.of(
            "entry without secret",
            "{\"vault\": \"contoso-dev\", \"secrets\": {\"X\":" + " {\"optional\": true}}}"),
        Arguments.of(
            "optional is a string",
            "{\"vault\": \"contoso-dev\", \"secrets\": {\"X\":"
                + " {\"secret\": \"a\", \"optional\": \"yes\"}}}"),
        Arguments.of(
            "bad version",
            "{\"vault\": \"contoso-dev\", \"secrets\": {\"X\":"
                + " {\"secret\": \"a\", \"version\": \"v-1\"}}}"),
        Arguments.of(
            "secret URL and a vault",
            "{\"secrets\": {\"X\": {\"secret\":"
                + " \"https://contoso.vault.azure.net/secrets/a\", \"vault\": \"other-vault\"}}}"),
        Arguments.of(
            "secret URL and a version",
            "{\"secrets\": {\"X\": {\"secret\":"
                + " \"https://contoso.vault.azure.net/secrets/a\", \"version\": \"abc\"}}}"),
        Arguments.of(
            "a number for a secret", "{\"vault\": \"contoso-dev\", \"secrets\":" + " {\"X\": 42}}"),
        Arguments.of("$schema is not a string", "{\"$schema\": 1, \"secrets\": {}}"),
        Arguments.of(
            "file path leaving the folder",
            "{\"vault\": \"contoso-dev\", \"secrets\": {}, \"files\": {\"../x\": {\"secret\":"
                + " \"a\"}}}"),
        Arguments.of(
            "file with secret and template",
            "{\"vault\": \"contoso-dev\", \"secrets\": {}, \"files\": {\"x\": {\"secret\":"
                + " \"a\", \"template\": \"t\"}}}"),
        Arguments.of(
            "unknown file format",
            "{\"vault\": \"contoso-dev\", \"secrets\": {}, \"files\": {\"x\": {\"secret\":"
                + " \"a\", \"format\": \"der\"}}}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("broken")
  void brokenManifestsFailBoth(String name, String manifest) throws IOException {
    assertFalse(schemaErrors(manifest).isEmpty(), "the schema accepts it");
    Path file = Files.writeString(temp.resolve("kvload.json"), manifest);
    assertEquals(3, validate(file).getKey(), "kvload validate accepts it");
  }

  /** Case: a manifest both must accept. */
  static Stream<Arguments> fine() {
    return Stream.of(
        Arguments.of("empty secrets", "{\"secrets\": {}}"),
        Arguments.of("names", "{\"vault\": \"contoso-dev\", \"secrets\": {\"_X1\": \"a-1\"}}"),
        Arguments.of(
            "URL vault with a port",
            "{\"vault\": \"https://kv-1.vault.azure.net:8443\"," + " \"secrets\": {\"X\": \"a\"}}"),
        Arguments.of(
            "secret URL with version and slash",
            "{\"secrets\": {\"X\":" + " \"HTTPS://contoso.vault.azure.cn/secrets/a/0f1e2d/\"}}"),
        Arguments.of(
            "object with every key",
            "{\"vault\": \"contoso-dev\", \"secrets\": {\"X\":"
                + " {\"secret\": \"a\", \"vault\": \"other-vault\", \"version\": \"abc\","
                + " \"optional\": false}}}"),
        Arguments.of(
            "files from secrets",
            "{\"vault\": \"contoso-dev\", \"secrets\": {}, \"files\": {\"tls/key.pem\":"
                + " {\"secret\": \"web-tls\", \"format\": \"key\", \"env\": \"TLS_KEY\"},"
                + " \".npmrc\": {\"secret\":"
                + " \"@Microsoft.KeyVault(VaultName=contoso;SecretName=npmrc)\", \"optional\":"
                + " true}}}"),
        Arguments.of(
            "comments and trailing commas",
            "{\n// c\n\"vault\": \"contoso-dev\", /* c" + " */ \"secrets\": {\"X\": \"a\",},}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fine")
  void validManifestsPassBoth(String name, String manifest) throws IOException {
    assertEquals(List.of(), schemaErrors(manifest));
    Path file = Files.writeString(temp.resolve("kvload.json"), manifest);
    var validate = validate(file);
    assertEquals(0, validate.getKey(), validate.getValue());
  }
}
