package dev.kvload.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvload.Failure;
import dev.kvload.core.Settings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Options before their environment variables, and the contract's defaults. */
class CommonOptionsTest {
  @Test
  void vaultOptionWinsOverKvloadVault() {
    CommonOptions options = new CommonOptions();
    options.vault = "from-option";
    Settings settings = options.toSettings(Map.of("KVLOAD_VAULT", "from-env"));
    assertEquals("https://from-option.vault.azure.net", settings.vault().baseUrl());
  }

  @Test
  void kvloadVaultWhenNoOption() {
    Settings settings = new CommonOptions().toSettings(Map.of("KVLOAD_VAULT", "from-env"));
    assertEquals("https://from-env.vault.azure.net", settings.vault().baseUrl());
    assertNull(new CommonOptions().toSettings(Map.of("KVLOAD_VAULT", " ")).vault());
  }

  @Test
  void aBadKvloadVaultIsAUsageErrorNamingIt() {
    var failure =
        assertThrows(
            Failure.Usage.class,
            () -> new CommonOptions().toSettings(Map.of("KVLOAD_VAULT", "no_such vault")));
    assertTrue(failure.lines().getFirst().startsWith("KVLOAD_VAULT: "), failure::toString);
  }

  @Test
  void theTimeoutIs30SecondsByDefault() {
    assertEquals(Duration.ofSeconds(30), new CommonOptions().toSettings(Map.of()).timeout());
  }
}
