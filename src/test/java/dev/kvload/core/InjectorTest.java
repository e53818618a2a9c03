package dev.kvload.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvload.guard.InProcessKvload;
import dev.kvload.manifest.SecretRef;
import dev.kvload.vault.Outcome;
import dev.kvload.vault.SecretValue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code kvload inject}, in-process: a template rendered byte for byte with only the secrets it
 * names, to stdout or a file, and what it refuses before any request.
 */
class InjectorTest {
  private static final String TOKEN = "s3cr3t-token-never-printed";
  private static final String NOTES = "s3cr3t-notes-never-printed";

  @TempDir Path dir;
  private final InMemorySource source = new InMemorySource();

  @BeforeEach
  void manifest() throws IOException {
    Files.writeString(
        dir.resolve("kvload.json"),
        "{\"vault\": \"contoso-dev\", \"secrets\": {\"API_TOKEN\": \"api-token\", \"UNUSED\":"
            + " \"unused\"}}");
    source
        .put("api-token", new Outcome.Found(new SecretValue(TOKEN), "1", null, null))
        .put("notes", new Outcome.Found(new SecretValue(NOTES), "1", null, null));
  }

  private InProcessKvload kvload() {
    return new InProcessKvload(dir).sources(source, List.of(TOKEN, NOTES));
  }

  private List<String> asked() {
    return source.asked().stream().map(SecretRef::name).toList();
  }

  static Stream<Arguments> renders() {
    return Stream.of(
        Arguments.of(
            "a variable twice, a secret URL, escapes and shell text kept as they are",
            "a={{kv:API_TOKEN}}\r\nb={{kv:https://contoso-dev.vault.azure.net/secrets/notes}}"
                + "|{{kv:API_TOKEN}}|{{!kv:X}}|{{!!kv:Y}}|${HOME}\n",
            "a=" + TOKEN + "\r\nb=" + NOTES + "|" + TOKEN + "|{{kv:X}}|{{!kv:Y}}|${HOME}\n",
            List.of("api-token", "notes")),
        Arguments.of(
            "no reference at all: the text as it is, nothing fetched",
            "plain {{!kv:X}} text\n",
            "plain {{kv:X}} text\n",
            List.of()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renders")
  void rendersByteExactToStdoutFetchingOnlyWhatItNames(
      String name, String template, String expected, List<String> fetched) throws IOException {
    Files.writeString(dir.resolve("deploy.tmpl"), template);
    for (List<String> output : List.of(List.<String>of(), List.of("-o", "-"))) {
      List<String> args = new ArrayList<>(List.of("inject", "-i", "deploy.tmpl"));
      args.addAll(output);
      var run = kvload().runPrintingValues(args.toArray(String[]::new));
      assertEquals(0, run.exit(), run::toString);
      assertEquals(expected, run.stdout());
      assertFalse(run.stderr().contains(TOKEN) || run.stderr().contains(NOTES), run::toString);
    }
    assertEquals(fetched, asked().stream().distinct().toList(), "only what the template names");
  }

  /** A template with no reference needs no manifest. */
  @Test
  void aTemplateWithoutReferencesNeedsNoManifest() throws IOException {
    Files.delete(dir.resolve("kvload.json"));
    Files.writeString(dir.resolve("plain.tmpl"), "just text\n");
    var run = kvload().runPrintingValues("inject", "-i", "plain.tmpl");
    assertEquals(0, run.exit(), run::toString);
    assertEquals("just text\n", run.stdout());
  }

  /** To a file: the rendered bytes, 0600, nothing on stdout outside Actions; the masks inside. */
  @ParameterizedTest(name = "inside Actions: {0}")
  @MethodSource("booleans")
  void writesAFileAndMasksInsideActions(boolean actions) throws IOException {
    Files.writeString(dir.resolve("deploy.tmpl"), "t={{kv:API_TOKEN}}\n");
    Path out = dir.resolve("deploy.yaml");
    InProcessKvload kvload = kvload();
    if (actions) {
      kvload.env("GITHUB_ACTIONS", "true");
    }
    var run =
        kvload.runPrintingValues(
            "inject", "-i", "deploy.tmpl", "-o", "deploy.yaml", "--allow-persistent", "-v");
    assertEquals(0, run.exit(), run::toString);
    assertArrayEquals(
        ("t=" + TOKEN + "\n").getBytes(StandardCharsets.UTF_8), Files.readAllBytes(out));
    assertEquals(
        "rw-------",
        java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(out)));
    assertEquals(actions ? "::add-mask::" + TOKEN + "\n" : "", run.stdout());
    assertTrue(run.stderr().contains("kvload: wrote " + out + "\n"), run::toString);
    assertFalse(run.stderr().contains(TOKEN), run::toString);
  }

  static Stream<Boolean> booleans() {
    return Stream.of(false, true);
  }

  static Stream<Arguments> refused() {
    return Stream.of(
        Arguments.of(
            "a variable the manifest does not map",
            "ok\n  {{kv:HOME}}\n",
            List.of(),
            List.of(),
            3,
            "deploy.tmpl:2:3: HOME is not a variable of kvload.json; map it there, or name the"
                + " secret by its URL"),
        Arguments.of(
            "a secret URL outside Key Vault's domains",
            "{{kv:API_TOKEN}}{{kv:https://evil.example.test/secrets/x}}\n",
            List.of(),
            List.of(),
            3,
            "is outside Key Vault's domains"),
        Arguments.of(
            "no such template", null, List.of(), List.of(), 3, "deploy.tmpl: no such template"),
        Arguments.of(
            "a folder for a template",
            "",
            List.of(),
            List.of(),
            3,
            "deploy.tmpl: cannot read the template (IOException)"),
        Arguments.of(
            "stdout inside Actions, where the masks would have to come first",
            "{{kv:API_TOKEN}}\n",
            List.of("GITHUB_ACTIONS"),
            List.of(),
            2,
            "inject to stdout inside GitHub Actions: the runner must read ::add-mask:: for each"
                + " value first; write to a file with -o FILE"),
        Arguments.of(
            "-o - inside Actions",
            "{{kv:API_TOKEN}}\n",
            List.of("GITHUB_ACTIONS"),
            List.of("-o", "-"),
            2,
            "inject to stdout inside GitHub Actions"));
  }

  /** Refused with the contract's exit status, before any request, nothing on stdout. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("refused")
  void refusesBeforeAnyRequest(
      String name,
      String template,
      List<String> env,
      List<String> options,
      int exit,
      String message)
      throws IOException {
    Path file = dir.resolve("deploy.tmpl");
    if (template != null && template.isEmpty()) {
      Files.createDirectory(file);
    } else if (template != null) {
      Files.writeString(file, template);
    }
    InProcessKvload kvload = kvload();
    env.forEach(v -> kvload.env(v, "true"));
    List<String> args = new ArrayList<>(List.of("inject", "-i", "deploy.tmpl"));
    args.addAll(options);
    var run = kvload.run(args.toArray(String[]::new));
    assertEquals(exit, run.exit(), run::toString);
    assertTrue(run.stderr().contains(message), () -> name + ":\n" + run);
    assertEquals("", run.stdout());
    assertEquals(List.of(), asked(), "asked the vault");
  }
}
