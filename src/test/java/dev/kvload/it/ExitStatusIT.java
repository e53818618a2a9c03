package dev.kvload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kvload.fake.FakeAzure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Every exit status of the contract, from the real process.
 *
 * <p>Tests that spend most of their time waiting (for retries, a deadline or credentials that are
 * not there) run beside the others ({@code @Execution(CONCURRENT)}); the rest run one at a time.
 */
class ExitStatusIT {
  private final Harness h = new Harness();

  @AfterEach
  void stop() {
    h.close();
  }

  private void oneSecretManifest(String vaultUrl) {
    h.manifest("{\"vault\": \"" + vaultUrl + "\", \"secrets\": {\"DB\": \"db\"}}");
  }

  @Test
  void successIs0AndVersionHelpWork() {
    h.fake.put("kvload-test", "db", "postgres://ok");
    oneSecretManifest(h.fake.vaultUrl("kvload-test"));
    assertEquals(0, h.run().args("export").valuesOnStdout().go().exit());
    var version = h.kvload("--version");
    assertEquals(0, version.exit());
    assertTrue(version.stdout().matches("kvload \\d+\\.\\d+\\.\\d+.*\\n"), version.stdout());
    var help = h.kvload("--help");
    assertEquals(0, help.exit());
    assertTrue(help.stdout().contains("export") && help.stdout().contains("validate"));
    var helpExport = h.kvload("help", "export");
    assertEquals(0, helpExport.exit(), helpExport::toString);
    assertTrue(helpExport.stdout().contains("--allow-persistent"), helpExport.stdout());
  }

  /** Exit 7 also when stdout cannot take the output: a full disk, here {@code /dev/full}. */
  @Test
  void stdoutThatCannotBeWrittenIs7() {
    assumeTrue(Files.exists(Path.of("/dev/full")), "no /dev/full here");
    h.fake.put("kvload-test", "db", "postgres://full-disk-value-5c6d");
    oneSecretManifest(h.fake.vaultUrl("kvload-test"));
    for (String command : List.of("export", "check")) {
      var result = Shell.run(h, h.baseEnv(), h.dir, "sh", "kvload " + command + " > /dev/full");
      assertEquals(7, result.exit(), command + ": " + result);
    }
  }

  @Test
  void usageErrorIs2() {
    var run = h.kvload("export", "--no-such-option");
    assertEquals(2, run.exit(), run::toString);
    assertTrue(run.stderr().startsWith("kvload: Unknown option: '--no-such-option'"), run.stderr());
  }

  @Test
  void invalidManifestIs3AndNamesFileLineColumnVariable() {
    h.manifest(
        "{\n  \"vault\": \"kvload-test\",\n  \"secrets\": {\n    \"DB\": {\"secrt\": \"db\"}\n"
            + "  }\n}\n");
    var run = h.kvload("validate");
    assertEquals(3, run.exit(), run::toString);
    assertTrue(
        run.stderr().contains("kvload: kvload.json:4:12: DB: unknown key 'secrt'"), run.stderr());
    var missing = h.kvload("export", "-m", "nope.json");
    assertEquals(3, missing.exit(), missing::toString);
  }

  @Test
  void validateUsesNoNetworkAndNoCredential() {
    oneSecretManifest("https://kvload-test.vault.azure.net:1");
    var run = h.run().args("validate").env("IDENTITY_ENDPOINT", null).go();
    assertEquals(0, run.exit(), run::toString);
    assertTrue(h.fake.requests().isEmpty(), "validate sent requests: " + h.fake.requests());
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void noCredentialIs4WithWhatWasTriedAndWhatToDo() {
    h.fake.put("kvload-test", "db", "postgres://x");
    oneSecretManifest(h.fake.vaultUrl("kvload-test"));
    var run =
        h.run().args("export").env("IDENTITY_ENDPOINT", null).env("IDENTITY_HEADER", null).go();
    assertEquals(4, run.exit(), run::toString);
    assertTrue(run.stderr().contains("(--auth default)"), run.stderr());
    assertTrue(run.stderr().contains("az login"), run.stderr());
    assertTrue(run.took().compareTo(Duration.ofSeconds(25)) < 0, run::toString);
  }

  @Test
  void managedIdentityWithoutAnIdentityIs4() {
    h.fake.put("kvload-test", "db", "postgres://x");
    h.fake.identityAvailable(false);
    oneSecretManifest(h.fake.vaultUrl("kvload-test"));
    var run = h.kvload("export", "--auth", "managed-identity");
    assertEquals(4, run.exit(), run::toString);
    assertTrue(run.stderr().contains("(--auth managed-identity)"), run.stderr());
  }

  @Test
  void missingSecretIs5() {
    oneSecretManifest(h.fake.vaultUrl("kvload-test"));
    var run = h.kvload("export");
    assertEquals(5, run.exit(), run::toString);
    assertTrue(
        run.stderr()
            .contains(
                "kvload: DB: secret 'db' in vault "
                    + h.fake.vaultUrl("kvload-test")
                    + " not found"),
        run.stderr());
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void unreachableVaultIs6() {
    // Port 1 on loopback: nothing listens, the connection is refused at once. A few quick retries,
    // then the report: nobody waits out the 30 s default --timeout for a wrong port.
    oneSecretManifest("https://kvload-test.vault.azure.net:1");
    var run = h.kvload("export");
    assertEquals(6, run.exit(), run::toString);
    assertTrue(run.stderr().contains("vault https://kvload-test.vault.azure.net:1"), run.stderr());
    assertTrue(run.stderr().contains("refused"), run.stderr());
    assertTrue(run.took().compareTo(Duration.ofSeconds(15)) < 0, run::toString);
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void slowVaultIs6AtTheTimeout() {
    h.fake.put("kvload-test", "db", "postgres://slow");
    h.fake.behave(
        "kvload-test", "db", r -> FakeAzure.Reply.status(200, "{}").after(Duration.ofSeconds(60)));
    oneSecretManifest(h.fake.vaultUrl("kvload-test"));
    var run = h.kvload("export", "--timeout", "3s");
    assertEquals(6, run.exit(), run::toString);
    assertTrue(run.stderr().contains("no answer before the --timeout deadline"), run.stderr());
    assertTrue(run.took().compareTo(Duration.ofSeconds(15)) < 0, run::toString);
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void unknownVaultHostIs6NamingTheHost() {
    oneSecretManifest("https://no-such-vault.vault.azure.net");
    var run = h.kvload("export");
    assertEquals(6, run.exit(), run::toString);
    assertTrue(run.stderr().contains("host no-such-vault.vault.azure.net not found"), run.stderr());
  }
}
