package dev.kvload.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvload.ExitStatus;
import dev.kvload.guard.InProcessKvload;
import dev.kvload.vault.Outcome;
import dev.kvload.vault.SecretValue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The whole CLI in-process against an in-memory source: messages, statuses and exit codes. */
class LoaderTest {
  private static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");
  private static final String VALUE = "s3cr3t-value-never-printed";

  @TempDir Path dir;
  private final InMemorySource source = new InMemorySource();
  private InProcessKvload.Result last;

  @BeforeEach
  void manifest() throws IOException {
    Files.writeString(
        dir.resolve("kvload.json"),
        """
        {"vault": "contoso-dev", "secrets": {
          "DATABASE_URL": "db",
          "ALSO_DB": "db",
          "FEATURE_X": {"secret": "feature", "optional": true}}}
        """);
  }

  private int kvload(String... args) {
    last =
        new InProcessKvload(dir)
            .sources(source, List.of(VALUE))
            .clock(Clock.fixed(NOW, ZoneOffset.UTC))
            .runPrintingValues(args);
    return last.exit();
  }

  private String stdout() {
    return last.stdout();
  }

  private String stderr() {
    return last.stderr();
  }

  private static Outcome found(Instant notBefore, Instant expires) {
    return new Outcome.Found(new SecretValue(VALUE), "v1", notBefore, expires);
  }

  @Test
  void fetchesEachSecretOnceAndSetsEveryVariable() {
    source.put("db", found(null, null)).put("feature", found(null, null));
    assertEquals(0, kvload("export"));
    assertEquals(2, source.asked().size(), source.asked().toString());
    String stdout = stdout();
    assertTrue(stdout.contains("export DATABASE_URL='" + VALUE + "'"));
    assertTrue(stdout.contains("export ALSO_DB='" + VALUE + "'"));
    assertTrue(stderr().contains("loaded 3 secrets from 1 vault in"), stderr());
  }

  @Test
  void optionalFailuresWarnAndLeaveTheVariableUnset() {
    source.put("db", found(null, null));
    assertEquals(0, kvload("export"));
    assertFalse(stdout().contains("FEATURE_X"));
    assertTrue(
        stderr()
            .contains(
                "warning: FEATURE_X: secret 'feature' in vault contoso-dev not"
                    + " found; optional, so FEATURE_X is left unset"),
        stderr());
  }

  @Test
  void quietSilencesWarningsAndTheSummary() {
    source.put("db", found(null, null));
    assertEquals(0, kvload("export", "-q"));
    assertEquals("", stderr());
  }

  static Stream<Arguments> failures() {
    Instant past = NOW.minus(Duration.ofDays(1));
    Instant future = NOW.plus(Duration.ofDays(1));
    return Stream.of(
        Arguments.of(
            "missing, perhaps deleted",
            new Outcome.NotFound(),
            ExitStatus.SECRET,
            "DATABASE_URL: secret 'db' in vault contoso-dev not found: create it in the vault (or,"
                + " if it was deleted recently, recover it: az keyvault secret recover"
                + " --vault-name contoso-dev --name db), fix the name in the manifest, or mark"
                + " DATABASE_URL \"optional\": true"),
        Arguments.of(
            "forbidden, by an unknown defence: both models' grants",
            new Outcome.Forbidden("HTTP 403"),
            ExitStatus.SECRET,
            "DATABASE_URL: reading secret 'db' in vault contoso-dev was denied (HTTP 403): grant"
                + " your identity the 'Key Vault Secrets User' role on vault contoso-dev (a vault"
                + " using Azure RBAC), or give your identity an access policy with Get on secrets"
                + " (az keyvault set-policy --name contoso-dev --secret-permissions get"
                + " --object-id <its object ID>) (one using access policies)"),
        Arguments.of(
            "forbidden by Azure RBAC",
            Outcome.Forbidden.of("ForbiddenByRbac"),
            ExitStatus.SECRET,
            "DATABASE_URL: reading secret 'db' in vault contoso-dev was denied (HTTP 403"
                + " ForbiddenByRbac): the vault uses Azure RBAC: grant your identity the 'Key Vault"
                + " Secrets User' role on vault contoso-dev"),
        Arguments.of(
            "forbidden by access policies",
            Outcome.Forbidden.of("ForbiddenByPolicy"),
            ExitStatus.SECRET,
            "DATABASE_URL: reading secret 'db' in vault contoso-dev was denied (HTTP 403"
                + " ForbiddenByPolicy): the vault uses access policies, where roles do nothing:"
                + " give your identity an access policy with Get on secrets (az keyvault set-policy"
                + " --name contoso-dev --secret-permissions get --object-id <its object ID>)"),
        Arguments.of(
            "forbidden by the firewall",
            Outcome.Forbidden.of("ForbiddenByFirewall"),
            ExitStatus.SECRET,
            "DATABASE_URL: reading secret 'db' in vault contoso-dev was denied (HTTP 403"
                + " ForbiddenByFirewall): the vault's firewall refuses this machine's address: add"
                + " it to the vault's networking rules, or run from an allowed network"),
        Arguments.of(
            "forbidden: private endpoints only",
            Outcome.Forbidden.of("ForbiddenByConnection"),
            ExitStatus.SECRET,
            "DATABASE_URL: reading secret 'db' in vault contoso-dev was denied (HTTP 403"
                + " ForbiddenByConnection): the vault accepts only its private endpoints: run from a"
                + " network that reaches one"),
        Arguments.of(
            "disabled",
            new Outcome.Disabled(),
            ExitStatus.SECRET,
            "DATABASE_URL: secret 'db' in vault contoso-dev is disabled: enable it"),
        Arguments.of(
            "expired",
            found(null, past),
            ExitStatus.SECRET,
            "DATABASE_URL: secret 'db' in vault contoso-dev expired on 2026-11-28T12:00:00Z:"
                + " rotate it or fix its dates in the vault, or pass --allow-expired"),
        Arguments.of(
            "not yet valid",
            found(future, null),
            ExitStatus.SECRET,
            "DATABASE_URL: secret 'db' in vault contoso-dev is not valid before"
                + " 2026-11-30T12:00:00Z"),
        Arguments.of(
            "NUL byte",
            new Outcome.Found(new SecretValue("a\0b"), "v1", null, null),
            ExitStatus.SECRET,
            "DATABASE_URL: the value of secret 'db' in vault contoso-dev" + " contains a NUL byte"),
        Arguments.of(
            "unreachable",
            new Outcome.Unreachable("connection refused"),
            ExitStatus.VAULT,
            "vault contoso-dev: connection refused (DATABASE_URL, ALSO_DB)"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("failures")
  void requiredFailuresNameVariableSecretVaultAndNextStep(
      String name, Outcome outcome, int exit, String line) {
    source.put("db", outcome);
    assertEquals(exit, kvload("export"));
    assertEquals("", stdout(), "nothing exported on failure");
    assertTrue(stderr().contains("kvload: " + line), stderr());
  }

  static Stream<Arguments> unreachableAdvice() {
    return Stream.of(
        Arguments.of(
            "throttled: more time or staggered starts, not the network",
            Outcome.Why.THROTTLED,
            List.of("throttling", "4,000 secret GETs per 10 s", "--timeout", "stagger the starts"),
            "network"),
        Arguments.of(
            "network",
            Outcome.Why.NETWORK,
            List.of("check the network and the vault URL"),
            "--timeout"),
        Arguments.of(
            "server errors: later, or more time",
            Outcome.Why.SERVER_ERROR,
            List.of("server errors", "try again later", "--timeout"),
            "network"),
        Arguments.of(
            "not Key Vault: the URL", Outcome.Why.NOT_KEY_VAULT, List.of("vault URL"), "network"),
        Arguments.of(
            "no answer in time: the network, or more time",
            Outcome.Why.TIMEOUT,
            List.of("check the network", "--timeout"),
            "stagger"));
  }

  /** Each reason a vault gave no answer gets its own next step, with this run's --timeout. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("unreachableAdvice")
  void unreachableVaultsGetAdviceThatFitsWhy(
      String name, Outcome.Why why, List<String> says, String never) {
    source.put("db", new Outcome.Unreachable("the reason", why));
    assertEquals(ExitStatus.VAULT, kvload("export"));
    String advice = stderr().lines().filter(l -> !l.contains("the reason")).toList().toString();
    says.forEach(part -> assertTrue(advice.contains(part), advice));
    assertFalse(advice.contains(never), advice);
    assertEquals(
        why == Outcome.Why.NOT_KEY_VAULT || why == Outcome.Why.NETWORK,
        !advice.contains("(this run's: 30s)"),
        advice);
  }

  /**
   * Reasons carry text from the network (a header, an inner error code): shown escaped in errors
   * and in warnings alike, so none can drive the terminal or the Actions runner.
   */
  @Test
  void foreignTextInErrorsAndWarningsIsShownEscaped() {
    source
        .put("db", new Outcome.Unreachable("refused \u001b[2J ##[error]x \u202etxt.exe"))
        .put("feature", new Outcome.Forbidden("HTTP 403 \u001b]0;title\u0007"));
    assertEquals(ExitStatus.VAULT, kvload("export"));
    assertTrue(stderr().contains("refused \\u001b[2J #\\u0023[error]x \\u202etxt.exe"), stderr());
    assertTrue(stderr().contains("HTTP 403 \\u001b]0;title\\u0007"), stderr());
    assertFalse(stderr().contains("\u001b"), stderr());
    assertFalse(stderr().contains("\u202e"), stderr());
    assertFalse(stderr().contains("##["), stderr());
  }

  @Test
  void allowExpiredAcceptsExpiredAndNotYetValid() {
    source.put("db", found(NOW.plus(Duration.ofDays(1)), NOW.minus(Duration.ofDays(1))));
    assertEquals(0, kvload("export", "--allow-expired"));
  }

  static Stream<Arguments> staleButAllowed() {
    return Stream.of(
        Arguments.of(
            "expired",
            found(null, NOW.minus(Duration.ofDays(1))),
            "warning: DATABASE_URL: secret 'db' in vault contoso-dev expired on"
                + " 2026-11-28T12:00:00Z; used anyway (--allow-expired)"),
        Arguments.of(
            "not yet valid",
            found(NOW.plus(Duration.ofDays(1)), null),
            "warning: DATABASE_URL: secret 'db' in vault contoso-dev is not valid before"
                + " 2026-11-30T12:00:00Z; used anyway (--allow-expired)"));
  }

  /** Allowed is not fine: each stale value is named (RunnerTest: run too); not with -q. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("staleButAllowed")
  void allowExpiredWarnsNamingEachVariable(String name, Outcome outcome, String warning) {
    source.put("db", outcome).put("feature", found(null, null));
    assertEquals(0, kvload("export", "--allow-expired"));
    assertTrue(stderr().contains("kvload: " + warning), stderr());
    assertTrue(stderr().contains(warning.replace("DATABASE_URL", "ALSO_DB")), stderr());
    assertFalse(stderr().contains("FEATURE_X:"), "a valid secret is not named: " + stderr());
    assertEquals(0, kvload("export", "--allow-expired", "--format", "dotenv", "-o", "-"));
    assertTrue(stderr().contains("kvload: " + warning), stderr());
    assertEquals(0, kvload("export", "--allow-expired", "-q"));
    assertEquals("", stderr());
  }

  @Test
  void validateNeedsNoSource() {
    assertEquals(0, kvload("validate"));
    assertTrue(source.asked().isEmpty());
    assertTrue(stderr().contains("kvload.json is valid: 3 variables from 1 vault"), stderr());
  }

  static Stream<Arguments> untrustedHosts() {
    return Stream.of(
        Arguments.of("an emulator", "https://localhost:8443", "localhost"),
        Arguments.of(
            "a look-alike",
            "https://contoso.vault.azure.net.example.com",
            "contoso.vault.azure.net.example.com"),
        Arguments.of(
            "Managed HSM, which holds no secrets",
            "https://contoso.managedhsm.azure.net",
            "contoso.managedhsm.azure.net"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("untrustedHosts")
  void aVaultOutsideKeyVaultsDomainsNeedsTheCommandLinesLeave(
      String name, String vault, String host) throws IOException {
    Files.writeString(
        dir.resolve("kvload.json"),
        "{\"vault\": \"" + vault + "\",\n \"secrets\": {\"DATABASE_URL\": \"db\"}}");
    source.put("db", found(null, null));
    for (String command : List.of("validate", "export", "check")) {
      assertEquals(ExitStatus.MANIFEST, kvload(command), stderr());
      assertTrue(
          stderr()
              .contains(
                  "kvload.json:2:14: DATABASE_URL: vault "
                      + vault
                      + " is outside Key Vault's domains"),
          stderr());
      assertTrue(
          stderr()
              .contains(
                  "next step: if you trust it (an emulator, Azure Stack), pass --allow-vault-host "
                      + host
                      + " or set KVLOAD_ALLOW_VAULT_HOSTS="
                      + host),
          stderr());
    }
    assertTrue(source.asked().isEmpty(), "no request: " + source.asked());
    assertEquals(
        0,
        kvload("export", "--allow-vault-host", host.toUpperCase(java.util.Locale.ROOT)),
        stderr());
    assertEquals(1, source.asked().size());
  }

  /** Like --allow-var, the option adds up wherever it is given, before or after the command. */
  @Test
  void allowedVaultHostsAddUpAcrossTheCommand() throws IOException {
    Files.writeString(
        dir.resolve("kvload.json"),
        "{\"vault\": \"https://localhost:8443\",\n \"secrets\": {\"A\": \"db\","
            + " \"B\": {\"vault\": \"https://emulator.test\", \"secret\": \"db\"}}}");
    source.put("db", found(null, null));
    assertEquals(
        0,
        kvload(
            "--allow-vault-host",
            "localhost",
            "export",
            "--allow-vault-host",
            "emulator.test",
            "--format",
            "sh"),
        stderr());
    assertEquals(ExitStatus.MANIFEST, kvload("--allow-vault-host", "localhost", "validate"));
    assertTrue(stderr().contains("emulator.test is outside Key Vault's domains"), stderr());
  }

  static Stream<Arguments> usage() {
    return Stream.of(
        Arguments.of("unknown option", new String[] {"export", "--bogus"}, "Unknown option"),
        Arguments.of(
            "bad timeout",
            new String[] {"export", "--timeout", "soon"},
            "--timeout: 'soon' is not a duration"),
        Arguments.of(
            "bad format",
            new String[] {"export", "--format", "yaml"},
            "--format: 'yaml' is not an export format"),
        Arguments.of(
            "bad auth",
            new String[] {"export", "--auth", "magic"},
            "--auth: 'magic' is not an auth mode"),
        Arguments.of(
            "bad vault",
            new String[] {"export", "--vault", "x"},
            "--vault: 'x' is not a" + " vault"),
        Arguments.of(
            "bad conflict policy",
            new String[] {"export", "--on-conflict", "merge"},
            "--on-conflict: 'merge' is not a conflict policy"),
        Arguments.of("unknown command", new String[] {"exprot"}, "Unmatched argument"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("usage")
  void usageErrorsExit2WithAHint(String name, String[] args, String fragment) {
    assertEquals(ExitStatus.USAGE, kvload(args));
    assertTrue(stderr().contains(fragment), stderr());
  }

  @Test
  void commonOptionsWorkBeforeAndAfterTheCommand() throws IOException {
    Files.writeString(dir.resolve("other.json"), "{\"vault\": \"contoso-dev\", \"secrets\": {}}");
    assertEquals(0, kvload("-m", "other.json", "validate"));
    assertEquals(0, kvload("validate", "-m", "other.json"));
    assertTrue(stderr().contains("other.json is valid: 0 variables"), stderr());
  }

  /**
   * Variables that change how programs load code: refused with their place and the way to allow
   * them, before any request, whatever the command; allowed only by name on the command line.
   */
  @Test
  void codeLoadingVariablesNeedTheCommandLine() throws IOException {
    Files.writeString(
        dir.resolve("kvload.json"),
        """
        {"vault": "contoso-dev", "secrets": {
          "DATABASE_URL": "db",
          "LD_PRELOAD": "db",
            "NODE_OPTIONS": {"secret": "db"}}}
        """);
    source.put("db", found(null, null));
    // run: RunIT, through the real process.
    for (String command : List.of("validate", "export", "check")) {
      assertEquals(ExitStatus.MANIFEST, kvload(command), command);
      assertEquals(
          "kvload: kvload.json:3:3: LD_PRELOAD: changes how programs load code, so a manifest"
              + " may not set it; if you trust this manifest and its vault, pass --allow-var"
              + " LD_PRELOAD\n"
              + "kvload: kvload.json:4:5: NODE_OPTIONS: changes how programs load code, so a"
              + " manifest may not set it; if you trust this manifest and its vault, pass"
              + " --allow-var NODE_OPTIONS\n",
          stderr(),
          command);
      assertEquals("", stdout());
    }
    assertTrue(source.asked().isEmpty(), "nothing fetched: " + source.asked());
    assertEquals(ExitStatus.MANIFEST, kvload("validate", "--allow-var", "LD_PRELOAD"));
    assertFalse(stderr().contains("LD_PRELOAD"), "allowed: " + stderr());
    assertTrue(stderr().contains("NODE_OPTIONS: changes how"), "still refused: " + stderr());
    assertEquals(
        ExitStatus.MANIFEST,
        kvload("validate", "--allow-var", "ld_preload", "--allow-var", "NODE_OPTIONS"));
    assertTrue(stderr().contains("LD_PRELOAD: changes how"), "names are exact: " + stderr());
    assertEquals(
        0,
        kvload(
            "--allow-var",
            "LD_PRELOAD",
            "export",
            "--allow-var",
            "NODE_OPTIONS",
            "--format",
            "sh"));
    assertTrue(stdout().contains("export NODE_OPTIONS='" + VALUE + "'"), "set when allowed");
  }

  @Test
  void aManifestCannotAllowCodeLoadingVariablesItself() throws IOException {
    Files.writeString(
        dir.resolve("kvload.json"),
        "{\"vault\": \"contoso-dev\", \"allowVars\": [\"PATH\"], \"secrets\": {\"PATH\": \"db\"}}");
    assertEquals(ExitStatus.MANIFEST, kvload("validate"));
    assertTrue(stderr().contains("unknown key 'allowVars'"), stderr());
  }

  @Test
  void missingManifestExits3() throws IOException {
    Files.delete(dir.resolve("kvload.json"));
    assertEquals(ExitStatus.MANIFEST, kvload("validate"));
    assertTrue(
        stderr()
            .contains("no manifest: looked for ./kvload.json and" + " ./.devcontainer/kvload.json"),
        stderr());
  }

  static Stream<Arguments> fileSecrets() {
    return Stream.of(
        Arguments.of(
            "an optional file whose secret is missing: not written, a warning, the rest loads",
            "\"optional\": true",
            null,
            0,
            "warning: file app.ini: secret 'cfg' in vault contoso-dev not found; optional, so file"
                + " app.ini is not written"),
        Arguments.of(
            "a required file whose secret is missing: nothing is written",
            "\"optional\": false",
            null,
            ExitStatus.SECRET,
            "file app.ini: secret 'cfg' in vault contoso-dev not found"),
        Arguments.of(
            "a file's secret may hold NUL, which no variable can: written byte for byte",
            "\"optional\": false",
            VALUE + "\0" + VALUE,
            0,
            "kvload: wrote 1 file under "),
        Arguments.of(
            "a file's env that changes how programs load code: refused, nothing fetched",
            "\"env\": \"LD_PRELOAD\"",
            VALUE,
            ExitStatus.MANIFEST,
            "file app.ini: \"env\": "));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fileSecrets")
  void aFilesSecretFollowsTheFilesRules(
      String name, String option, String value, int exit, String stderrHas) throws IOException {
    Files.writeString(
        dir.resolve("kvload.json"),
        "{\"vault\": \"contoso-dev\", \"secrets\": {\"DATABASE_URL\": \"db\"}, \"files\":"
            + " {\"app.ini\": {\"secret\": \"cfg\", "
            + option
            + "}}}");
    source.put("db", found(null, null));
    if (value != null) {
      source.put("cfg", new Outcome.Found(new SecretValue(value), "v1", null, null));
    }
    assertEquals(exit, kvload("export", "-o", "out.env", "--allow-persistent"), stderr());
    assertTrue(stderr().contains(stderrHas), stderr());
    Path file = dir.resolve("out.env.files/app.ini");
    assertEquals(exit == 0 && value != null, Files.exists(file), "the file written");
    if (Files.exists(file)) {
      assertEquals(value, Files.readString(file));
    }
    assertEquals(exit == 0, Files.exists(dir.resolve("out.env")), "the env file written");
    if (exit == ExitStatus.MANIFEST) {
      assertEquals(List.of(), source.asked(), "fetched before the manifest was refused");
    }
  }
}
