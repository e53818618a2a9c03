package dev.kvload.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kvload.Failure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contract's lookup order: -m, then $KVLOAD_MANIFEST, then ./kvload.json, then .devcontainer.
 */
class ManifestLocatorTest {
  @TempDir Path cwd;

  static Stream<Arguments> orders() {
    List<String> both = List.of("kvload.json", ".devcontainer/kvload.json");
    return Stream.of(
        Arguments.argumentSet(
            "-m wins over everything", "given.json", "env.json", both, "given.json"),
        Arguments.argumentSet(
            "$KVLOAD_MANIFEST wins over the files", null, "env.json", both, "env.json"),
        Arguments.argumentSet(
            "./kvload.json before .devcontainer", null, null, both, "kvload.json"),
        Arguments.argumentSet(
            ".devcontainer when alone",
            null,
            null,
            List.of(".devcontainer/kvload.json"),
            ".devcontainer/kvload.json"),
        Arguments.argumentSet(
            "an empty -m or $KVLOAD_MANIFEST counts as unset", "", "", both, "kvload.json"));
  }

  @ParameterizedTest
  @MethodSource("orders")
  void findsInTheContractsOrder(String option, String fromEnv, List<String> files, String expected)
      throws IOException {
    for (String file : files) {
      Path path = cwd.resolve(file);
      Files.createDirectories(path.getParent());
      Files.writeString(path, "{}");
    }
    Map<String, String> env = new HashMap<>();
    if (fromEnv != null) {
      env.put("KVLOAD_MANIFEST", fromEnv);
    }
    assertEquals(Path.of(expected), ManifestLocator.locate(option, env, cwd));
  }

  @Test
  void noManifestAnywhereSaysWhereItLooked() {
    var failure =
        assertThrows(Failure.Manifest.class, () -> ManifestLocator.locate(null, Map.of(), cwd));
    assertEquals(
        List.of(
            "no manifest: looked for ./kvload.json and ./.devcontainer/kvload.json in " + cwd,
            "write one with 'kvload init --vault VAULT' (or move a .env file's values into Key Vault and a new manifest with 'kvload import .env --vault VAULT'), or pass -m FILE or set KVLOAD_MANIFEST"),
        failure.lines());
  }
}
