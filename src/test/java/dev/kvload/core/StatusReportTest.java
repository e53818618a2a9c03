package dev.kvload.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvload.auth.AuthMode;
import dev.kvload.auth.AuthSettings;
import dev.kvload.auth.LoginStore;
import dev.kvload.auth.StoredLogin;
import dev.kvload.env.ConflictPolicy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What {@code kvload status} and {@code status --json} print in each state: who is signed in (or
 * why the login cannot be read), what {@code --auth default} would use and why, and the manifest's
 * vaults. Never the refresh token, and no source is opened.
 */
class StatusReportTest {
  private static final String REFRESH_TOKEN = "fake-refresh-token-never-shown";
  private static final String HOME_TENANT = "00000000-0000-4000-8000-00000000c0de";
  private static final String CLIENT = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";
  private static final String ENTRA = "https://login.microsoftonline.com/";

  /** An old refresh: status shows when it was last used, and judges nothing by it. */
  private static final StoredLogin LOGIN =
      new StoredLogin(
          ENTRA,
          "organizations",
          CLIENT,
          "dev@contoso.example",
          HOME_TENANT,
          Instant.parse("2025-01-02T03:04:05Z"),
          Instant.parse("2025-01-03T03:04:05Z"),
          "{\"RefreshToken\":{\"k\":{\"secret\":\"" + REFRESH_TOKEN + "\"}}}");

  /** No user name given by Entra ID, no home tenant: the tenant given at login stands in. */
  private static final StoredLogin ANONYMOUS =
      new StoredLogin(
          ENTRA,
          "contoso.example",
          CLIENT,
          "",
          null,
          Instant.parse("2025-01-02T03:04:05Z"),
          Instant.parse("2025-01-02T03:04:05Z"),
          "{\"RefreshToken\":{\"k\":{\"secret\":\"" + REFRESH_TOKEN + "\"}}}");

  /** The developer half of the chain, so that no case depends on whether IMDS answers. */
  private static final String DEV_CHAIN_REST =
      "  passed over IntelliJCredential: not predicted: it depends on the IDE's own sign-in\n"
          + "  passed over VisualStudioCodeCredential: needs the azure-identity-broker library,"
          + " which kvload does not include\n"
          + "  passed over AzureCliCredential: 'az' is not installed (not found on PATH)\n"
          + "  passed over AzurePowerShellCredential: 'pwsh' is not installed (not found on PATH)\n"
          + "  passed over AzureDeveloperCliCredential: 'azd' is not installed (not found on"
          + " PATH)\n";

  private static final String DEV_CHAIN_REST_JSON =
      "\"IntelliJCredential: not predicted: it depends on the IDE's own sign-in\","
          + "\"VisualStudioCodeCredential: needs the azure-identity-broker library, which kvload"
          + " does not include\","
          + "\"AzureCliCredential: 'az' is not installed (not found on PATH)\","
          + "\"AzurePowerShellCredential: 'pwsh' is not installed (not found on PATH)\","
          + "\"AzureDeveloperCliCredential: 'azd' is not installed (not found on PATH)\"";

  private static final String MANIFEST_TEXT =
      "manifest: kvload.json names 1 vault: https://contoso-dev.vault.azure.net\n";
  private static final String MANIFEST_JSON =
      "\"manifest\":{\"file\":\"kvload.json\","
          + "\"vaults\":[\"https://contoso-dev.vault.azure.net\"]}";
  private static final String FILE = "$DIR/state/kvload/login.json";

  private static String signedInText(String who, String lastUsed) {
    return "signed in as "
        + who
        + " with 'kvload login'\n"
        + "  app:             "
        + CLIENT
        + " at "
        + ENTRA
        + "\n"
        + "  signed in:       2025-01-02T03:04:05Z\n"
        + "  refresh token:   last used "
        + lastUsed
        + "\n"
        + "  kept in:         "
        + FILE
        + " (readable by you only, not encrypted)\n";
  }

  private static final String SIGNED_IN_TEXT =
      signedInText("dev@contoso.example (tenant " + HOME_TENANT + ")", "2025-01-03T03:04:05Z");
  private static final String ANONYMOUS_TEXT =
      signedInText("(no user name) (tenant contoso.example)", "2025-01-02T03:04:05Z");
  private static final String SIGNED_IN_JSON =
      "{\"login\":{\"signedIn\":true,\"file\":\""
          + FILE
          + "\",\"user\":\"dev@contoso.example\",\"tenant\":\""
          + HOME_TENANT
          + "\",\"signInTenant\":\"organizations\",\"clientId\":\""
          + CLIENT
          + "\",\"authorityHost\":\""
          + ENTRA
          + "\",\"signedInAt\":\"2025-01-02T03:04:05Z\","
          + "\"refreshTokenLastUsed\":\"2025-01-03T03:04:05Z\"},";

  @TempDir Path dir;

  /** Puts the state in place: the login file, the environment. */
  interface Setup {
    void apply(Path dir, Map<String, String> env) throws IOException;
  }

  static Stream<Arguments> states() {
    return Stream.of(
        Arguments.of(
            "signed in: who, as which app, when, where the login is kept; default uses it",
            (Setup) (dir, env) -> save(env, LOGIN),
            SIGNED_IN_TEXT
                + "--auth default here: kvload login (a login is stored ('kvload login'))\n"
                + MANIFEST_TEXT,
            SIGNED_IN_JSON
                + "\"default\":{\"credential\":\"kvload login\","
                + "\"reason\":\"a login is stored ('kvload login')\",\"passedOver\":[]},"
                + MANIFEST_JSON
                + "}\n"),
        Arguments.of(
            "signed in without a user name or home tenant: the login's tenant is named",
            (Setup) (dir, env) -> save(env, ANONYMOUS),
            ANONYMOUS_TEXT
                + "--auth default here: kvload login (a login is stored ('kvload login'))\n"
                + MANIFEST_TEXT,
            "{\"login\":{\"signedIn\":true,\"file\":\""
                + FILE
                + "\",\"user\":\"\",\"tenant\":\"contoso.example\","
                + "\"signInTenant\":\"contoso.example\",\"clientId\":\""
                + CLIENT
                + "\",\"authorityHost\":\""
                + ENTRA
                + "\",\"signedInAt\":\"2025-01-02T03:04:05Z\","
                + "\"refreshTokenLastUsed\":\"2025-01-02T03:04:05Z\"},"
                + "\"default\":{\"credential\":\"kvload login\","
                + "\"reason\":\"a login is stored ('kvload login')\",\"passedOver\":[]},"
                + MANIFEST_JSON
                + "}\n"),
        Arguments.of(
            "not signed in, nothing set up: where a login would go, each credential passed over",
            (Setup) (dir, env) -> {},
            "not signed in with 'kvload login' (it would keep the login in "
                + FILE
                + ")\n"
                + "--auth default here: no credential (no credential of the chain is set up"
                + " here)\n"
                + "  passed over kvload login: no stored login ("
                + FILE
                + ")\n"
                + DEV_CHAIN_REST
                + MANIFEST_TEXT,
            "{\"login\":{\"signedIn\":false,\"file\":\""
                + FILE
                + "\"},\"default\":{\"credential\":null,"
                + "\"reason\":\"no credential of the chain is set up here\",\"passedOver\":["
                + "\"kvload login: no stored login ("
                + FILE
                + ")\","
                + DEV_CHAIN_REST_JSON
                + "]},"
                + MANIFEST_JSON
                + "}\n"),
        Arguments.of(
            "a login file others may read is refused, and status says why",
            (Setup)
                (dir, env) -> {
                  save(env, LOGIN);
                  Files.setPosixFilePermissions(
                      LoginStore.of(env).file(), PosixFilePermissions.fromString("rw-r--r--"));
                },
            "login: refusing the stored login: the file "
                + FILE
                + " is open to other users (mode 0644); run 'chmod 600 "
                + FILE
                + "', or 'kvload logout' and 'kvload login' if others may have read it\n"
                + "--auth default here: kvload login (a login is stored ('kvload login'))\n"
                + MANIFEST_TEXT,
            "{\"login\":{\"signedIn\":false,\"file\":\""
                + FILE
                + "\",\"problem\":\"refusing the stored login: the file "
                + FILE
                + " is open to other users (mode 0644); run 'chmod 600 "
                + FILE
                + "', or 'kvload logout' and 'kvload login' if others may have read it\"},"
                + "\"default\":{\"credential\":\"kvload login\","
                + "\"reason\":\"a login is stored ('kvload login')\",\"passedOver\":[]},"
                + MANIFEST_JSON
                + "}\n"),
        Arguments.of(
            "a damaged login file",
            (Setup)
                (dir, env) -> {
                  Path file = LoginStore.of(env).file();
                  Files.createDirectories(
                      file.getParent(),
                      PosixFilePermissions.asFileAttribute(
                          PosixFilePermissions.fromString("rwx------")));
                  Files.writeString(file, "{}");
                  Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
                },
            "login: the stored login "
                + FILE
                + " is damaged or from another kvload version\n"
                + "--auth default here: kvload login (a login is stored ('kvload login'))\n"
                + MANIFEST_TEXT,
            "{\"login\":{\"signedIn\":false,\"file\":\""
                + FILE
                + "\",\"problem\":\"the stored login "
                + FILE
                + " is damaged or from another kvload version\"},"
                + "\"default\":{\"credential\":\"kvload login\","
                + "\"reason\":\"a login is stored ('kvload login')\",\"passedOver\":[]},"
                + MANIFEST_JSON
                + "}\n"),
        Arguments.of(
            "neither HOME nor XDG_STATE_HOME: no login file to name",
            (Setup)
                (dir, env) -> {
                  env.remove("XDG_STATE_HOME");
                  env.remove("HOME");
                },
            "login: cannot tell where the login is kept: neither XDG_STATE_HOME nor HOME is an"
                + " absolute path\n"
                + "--auth default here: no credential (no credential of the chain is set up"
                + " here)\n"
                + "  passed over kvload login: cannot tell where the login is kept: neither"
                + " XDG_STATE_HOME nor HOME is an absolute path\n"
                + DEV_CHAIN_REST
                + MANIFEST_TEXT,
            "{\"login\":{\"signedIn\":false,\"file\":null,"
                + "\"problem\":\"cannot tell where the login is kept: neither XDG_STATE_HOME nor"
                + " HOME is an absolute path\"},"
                + "\"default\":{\"credential\":null,"
                + "\"reason\":\"no credential of the chain is set up here\",\"passedOver\":["
                + "\"kvload login: cannot tell where the login is kept: neither XDG_STATE_HOME"
                + " nor HOME is an absolute path\","
                + DEV_CHAIN_REST_JSON
                + "]},"
                + MANIFEST_JSON
                + "}\n"),
        Arguments.of(
            "a service principal in the environment comes first, even over a stored login",
            (Setup)
                (dir, env) -> {
                  save(env, LOGIN);
                  env.remove("AZURE_TOKEN_CREDENTIALS");
                  env.put("AZURE_CLIENT_ID", "c");
                  env.put("AZURE_TENANT_ID", "t");
                  env.put("AZURE_CLIENT_SECRET", REFRESH_TOKEN);
                },
            SIGNED_IN_TEXT
                + "--auth default here: EnvironmentCredential (AZURE_CLIENT_ID, AZURE_TENANT_ID"
                + " and a client secret or certificate are set)\n"
                + MANIFEST_TEXT,
            SIGNED_IN_JSON
                + "\"default\":{\"credential\":\"EnvironmentCredential\","
                + "\"reason\":\"AZURE_CLIENT_ID, AZURE_TENANT_ID and a client secret or"
                + " certificate are set\",\"passedOver\":[]},"
                + MANIFEST_JSON
                + "}\n"),
        Arguments.of(
            "AZURE_TOKEN_CREDENTIALS naming no credential: none, and why",
            (Setup) (dir, env) -> env.put("AZURE_TOKEN_CREDENTIALS", "nonsense"),
            "not signed in with 'kvload login' (it would keep the login in "
                + FILE
                + ")\n"
                + "--auth default here: no credential (AZURE_TOKEN_CREDENTIALS is 'nonsense',"
                + " which the Azure SDK rejects)\n"
                + MANIFEST_TEXT,
            "{\"login\":{\"signedIn\":false,\"file\":\""
                + FILE
                + "\"},\"default\":{\"credential\":null,"
                + "\"reason\":\"AZURE_TOKEN_CREDENTIALS is 'nonsense', which the Azure SDK"
                + " rejects\",\"passedOver\":[]},"
                + MANIFEST_JSON
                + "}\n"));
  }

  private static void save(Map<String, String> env, StoredLogin login) {
    LoginStore.of(env).save(login, line -> {});
  }

  private record Printed(String out, String err) {}

  private Printed status(Setup setup, boolean json) throws IOException {
    Files.writeString(
        dir.resolve("kvload.json"), "{\"vault\": \"contoso-dev\", \"secrets\": {\"A\": \"a\"}}");
    return status(setup, json, Set.of());
  }

  private Printed status(Setup setup, boolean json, Set<String> allowedHosts) throws IOException {
    Map<String, String> env = new HashMap<>();
    env.put("XDG_STATE_HOME", dir.resolve("state").toString());
    env.put("HOME", dir.resolve("home").toString());
    env.put("PATH", dir.resolve("bin").toString());
    env.put("AZURE_TOKEN_CREDENTIALS", "dev");
    // Should the default chain probe IMDS, it probes a closed port on loopback.
    env.put("AZURE_POD_IDENTITY_AUTHORITY_HOST", "http://127.0.0.1:1");
    setup.apply(dir, env);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Session session =
        new Session(
            Map.copyOf(env),
            dir,
            new PrintStream(out, false, StandardCharsets.UTF_8),
            new Diagnostics(new PrintStream(err, true, StandardCharsets.UTF_8), false, true),
            (settings, s) -> {
              throw new AssertionError("status opens no source");
            },
            Clock.fixed(Instant.parse("2026-11-29T12:00:00Z"), ZoneOffset.UTC));
    StatusReport.status(session, settings(null, allowedHosts), json);
    Printed printed =
        new Printed(out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    for (String stream : new String[] {printed.out(), printed.err()}) {
      assertFalse(stream.contains(REFRESH_TOKEN), "a token or secret printed: " + stream);
      assertFalse(stream.contains("RefreshToken"), "the token cache printed: " + stream);
    }
    assertEquals("", printed.err(), "status says everything on stdout");
    return printed;
  }

  private static Settings settings(String manifest, Set<String> allowedHosts) {
    return new Settings(
        manifest,
        null,
        new AuthSettings(AuthMode.DEFAULT, null, null),
        Duration.ofSeconds(30),
        ConflictPolicy.OVERRIDE,
        false,
        false,
        true,
        Set.of(),
        allowedHosts);
  }

  private String expected(String template) {
    return template.replace("$DIR", dir.toString());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("states")
  void text(String name, Setup setup, String text, String json) throws IOException {
    assertEquals(expected(text), status(setup, false).out());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("states")
  void json(String name, Setup setup, String text, String json) throws IOException {
    assertEquals(expected(json), status(setup, true).out());
  }

  static Stream<Arguments> manifests() {
    return Stream.of(
        Arguments.of(
            "two vaults, each named once, in the manifest's order",
            "{\"vault\": \"contoso-dev\", \"secrets\": {\"A\": \"a\", \"B\": \"b\","
                + " \"C\": {\"vault\": \"contoso-ops\", \"secret\": \"c\"}}}",
            Set.of(),
            "manifest: kvload.json names 2 vaults: https://contoso-dev.vault.azure.net,"
                + " https://contoso-ops.vault.azure.net",
            "\"manifest\":{\"file\":\"kvload.json\",\"vaults\":"
                + "[\"https://contoso-dev.vault.azure.net\","
                + "\"https://contoso-ops.vault.azure.net\"]}"),
        Arguments.of(
            "a manifest that maps nothing names no vault, and no colon after it",
            "{\"vault\": \"contoso-dev\", \"secrets\": {}}",
            Set.of(),
            "manifest: kvload.json names 0 vaults\n",
            "\"manifest\":{\"file\":\"kvload.json\",\"vaults\":[]}}\n"),
        Arguments.of(
            "no manifest here: where kvload looked",
            null,
            Set.of(),
            "no manifest: no manifest: looked for ./kvload.json and ./.devcontainer/kvload.json"
                + " in $DIR",
            "\"manifest\":{\"file\":null,\"problem\":\"no manifest: looked for"
                + " ./kvload.json and ./.devcontainer/kvload.json in $DIR\"}"),
        Arguments.of(
            "a vault outside Key Vault's domains is a manifest problem, not a vault to list",
            "{\"vault\": \"https://vault.attacker.example/\", \"secrets\": {\"A\": \"a\"}}",
            Set.of(),
            "no manifest: kvload.json:1:",
            "\"manifest\":{\"file\":null,\"problem\":\"kvload.json:1:"),
        Arguments.of(
            "the same vault allowed by the command line is listed",
            "{\"vault\": \"https://vault.attacker.example/\", \"secrets\": {\"A\": \"a\"}}",
            Set.of("vault.attacker.example"),
            "manifest: kvload.json names 1 vault: https://vault.attacker.example",
            "\"manifest\":{\"file\":\"kvload.json\",\"vaults\":"
                + "[\"https://vault.attacker.example\"]}"));
  }

  /** The manifest part, the last line of the text and the last field of the JSON. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("manifests")
  void manifest(String name, String manifest, Set<String> allowed, String text, String json)
      throws IOException {
    for (boolean asJson : new boolean[] {false, true}) {
      Files.deleteIfExists(dir.resolve("kvload.json"));
      if (manifest != null) {
        Files.writeString(dir.resolve("kvload.json"), manifest);
      }
      String out = status((d, env) -> {}, asJson, allowed).out();
      String expected = expected(asJson ? json : text);
      if (asJson) {
        assertTrue(out.contains(",\"default\":") && out.contains("]}," + expected), out);
      } else {
        String last = out.lines().reduce((a, b) -> b).orElseThrow();
        assertTrue((last + "\n").startsWith(expected), expected + " ends " + out);
      }
    }
  }
}
