package dev.kvload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvload.core.Loader;
import dev.kvload.env.ConflictPolicy;
import dev.kvload.env.Environment;
import dev.kvload.fake.TmpfsFolder;
import dev.kvload.guard.InProcessKvload;
import dev.kvload.manifest.Binding;
import dev.kvload.manifest.SecretRef;
import dev.kvload.manifest.VaultRef;
import dev.kvload.vault.Outcome;
import dev.kvload.vault.SecretValue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Secret values never show up where they were not asked for: in the {@code toString()} of the types
 * that carry them, in messages, or in {@code -v} output (the guard checks every run here).
 */
class SecretHygieneTest {
  private static final String VALUE = "correct-horse-battery-staple";
  private static final SecretRef REF = new SecretRef(VaultRef.parse("kv-one"), "db-url", null);

  @TempDir Path dir;
  private final TmpfsFolder shm = new TmpfsFolder();
  private InProcessKvload kvload;

  @AfterEach
  void clean() {
    shm.close();
  }

  static Stream<Arguments> holders() {
    SecretValue value = new SecretValue(VALUE);
    Outcome.Found found = new Outcome.Found(value, "v1", Instant.EPOCH, null);
    Binding binding = new Binding("DATABASE_URL", REF, false, 3, 5);
    Environment env = Environment.of(Map.of("PATH", "/bin")).set("DATABASE_URL", VALUE);
    return Stream.of(
        Arguments.of("SecretValue", value),
        Arguments.of("Outcome.Found", found),
        Arguments.of("Loader.Result", new Loader.Result(binding, found)),
        Arguments.of("Environment", env),
        Arguments.of(
            "Environment.Merge",
            env.merge(Map.of("DATABASE_URL", VALUE + "-new"), ConflictPolicy.OVERRIDE)),
        Arguments.of("InProcessKvload.Result", new InProcessKvload.Result(0, VALUE, "")),
        Arguments.of("guard Output", new dev.kvload.guard.Output("run", VALUE, VALUE, true)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("holders")
  void toStringNeverShowsTheValue(String name, Object holder) {
    assertFalse(holder.toString().contains(VALUE), holder::toString);
    assertFalse(holder.toString().contains(VALUE.substring(0, 8)), holder::toString);
  }

  @Test
  void verboseExportToAFileSaysWhatItDidAndNothingSecret() throws IOException {
    kvload = runner().secret("kv-one", "db-url", VALUE).secret("kv-one", "api-key", VALUE + "-2");
    manifest(
        "{\"vault\":\"kv-one\",\"secrets\":{\"DATABASE_URL\":\"db-url\",\"API\":\"api-key\"}}");
    Path out = shm.resolve("env");
    var result = kvload.run("export", "-v", "-o", out.toString());
    assertEquals(0, result.exit(), result::toString);
    assertEquals("", result.stdout());
    assertTrue(result.stderr().contains("kvload: writing " + out), result::toString);
    assertTrue(result.stderr().contains("kvload: wrote " + out), result::toString);
    assertEquals(
        "export DATABASE_URL='" + VALUE + "'\nexport API='" + VALUE + "-2'\n",
        Files.readString(out));
  }

  @Test
  void exportToStdoutPrintsValuesThereOnly() {
    kvload = runner().secret("kv-one", "db-url", VALUE);
    manifest("{\"vault\":\"kv-one\",\"secrets\":{\"DATABASE_URL\":\"db-url\"}}");
    var result = kvload.runPrintingValues("export", "-v", "--format", "json");
    assertEquals(0, result.exit(), result::toString);
    assertTrue(result.stdout().contains(VALUE));
  }

  @Test
  void valueWithANulByteIsRefusedNamingTheVariableNotTheValue() {
    kvload = runner().secret("kv-one", "db-url", VALUE + "\0tail");
    manifest("{\"vault\":\"kv-one\",\"secrets\":{\"DATABASE_URL\":\"db-url\"}}");
    Path out = shm.resolve("env");
    var result = kvload.run("export", "-v", "-o", out.toString());
    assertEquals(5, result.exit(), result::toString);
    assertTrue(
        result
            .stderr()
            .contains(
                "kvload: DATABASE_URL: the value of secret 'db-url' in vault kv-one contains a NUL"
                    + " byte"),
        result::toString);
    assertFalse(Files.exists(out));
    assertEquals(List.of(), shm.listing());
  }

  @Test
  void failuresNameVariablesAndSecretsNeverValues() {
    kvload = runner().secret("kv-one", "present", VALUE);
    manifest(
        "{\"vault\":\"kv-one\",\"secrets\":{\"HERE\":\"present\",\"GONE\":\"absent\","
            + "\"MAYBE\":{\"secret\":\"also-absent\",\"optional\":true}}}");
    var result = kvload.run("export", "-v", "-o", shm.resolve("env").toString());
    assertEquals(5, result.exit(), result::toString);
    assertTrue(result.stderr().contains("GONE: secret 'absent' in vault kv-one not found"));
    assertTrue(result.stderr().contains("MAYBE"), result::toString);
  }

  private InProcessKvload runner() {
    return new InProcessKvload(dir);
  }

  private void manifest(String json) {
    try {
      Files.writeString(dir.resolve("kvload.json"), json);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
