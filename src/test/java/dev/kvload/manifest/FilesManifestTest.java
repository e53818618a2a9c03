package dev.kvload.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvload.Failure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The manifest's {@code files}: what is read, and every hostile or mistaken entry refused. */
class FilesManifestTest {
  @TempDir Path dir;

  private Manifest parse(String json) {
    Path file = dir.resolve("kvload.json");
    return ManifestParser.parse(json.getBytes(StandardCharsets.UTF_8), file, dir, null);
  }

  private List<String> problems(String json) {
    return assertThrows(Failure.Manifest.class, () -> parse(json)).lines();
  }

  @Test
  void readsSecretsTemplatesFormatsEnvAndOptional() throws IOException {
    Files.writeString(dir.resolve("npmrc.tmpl"), "//registry/:_authToken={{kv:NPM_TOKEN}}\n");
    Manifest m =
        parse(
            """
            {"vault": "contoso-dev",
             "secrets": {"NPM_TOKEN": "npm-token"},
             "files": {
               "tls/cert.pem": {"secret": "web-tls", "format": "pem", "env": "SSL_CERT_FILE"},
               "gcp.json": {"secret": "@Microsoft.KeyVault(VaultName=contoso-gcp;SecretName=gcp-key)",
                            "optional": true},
               ".npmrc": {"template": "npmrc.tmpl", "env": "NPM_CONFIG_USERCONFIG"}}}
            """);
    assertEquals(3, m.files().size());
    FileEntry tls = m.files().get(0);
    assertEquals("tls/cert.pem", tls.path());
    assertEquals(FileFormat.PEM, tls.format());
    assertEquals("SSL_CERT_FILE", tls.env());
    assertEquals("web-tls", tls.source().secret().name());
    assertEquals("file tls/cert.pem", tls.source().variable());
    assertTrue(tls.source().file());
    assertEquals(4, tls.line());
    FileEntry gcp = m.files().get(1);
    assertEquals(FileFormat.RAW, gcp.format());
    assertTrue(gcp.optional());
    assertEquals("contoso-gcp", gcp.source().secret().vault().toString());
    FileEntry npmrc = m.files().get(2);
    assertNull(npmrc.source());
    assertEquals(List.of(new Template.Variable("NPM_TOKEN", 1, 24)), npmrc.template().variables());
    assertEquals(
        List.of("contoso-dev", "contoso-gcp"), m.vaults().stream().map(Object::toString).toList());
  }

  /** Case: a files entry, and a piece of what kvload must say about it. */
  static Stream<Arguments> refused() {
    return Stream.of(
        Arguments.of(
            "absolute path",
            "\"/etc/cron.d/x\": {\"secret\": \"a\"}",
            "3:5: file /etc/cron.d/x: an absolute path"),
        Arguments.of("parent folder", "\"../../.bashrc\": {\"secret\": \"a\"}", "'..' would leave"),
        Arguments.of("parent inside", "\"a/../../b\": {\"secret\": \"a\"}", "'..' would leave"),
        Arguments.of("home", "\"~/.ssh/id\": {\"secret\": \"a\"}", "an absolute path"),
        Arguments.of("empty segment", "\"a//b\": {\"secret\": \"a\"}", "empty or '.' segment"),
        Arguments.of("dot segment", "\"./b\": {\"secret\": \"a\"}", "empty or '.' segment"),
        Arguments.of("newline in name", "\"a\\nb\": {\"secret\": \"a\"}", "characters other than"),
        Arguments.of("backslash", "\"a\\\\..\\\\b\": {\"secret\": \"a\"}", "characters other than"),
        Arguments.of("option-like", "\"-rf\": {\"secret\": \"a\"}", "starting with '-'"),
        Arguments.of("empty path", "\"\": {\"secret\": \"a\"}", "an empty path"),
        Arguments.of("too deep", "\"a/b/c/d/e/f/g/h/i\": {\"secret\": \"a\"}", "folders deep"),
        Arguments.of("a string entry", "\"a\": \"secret\"", "expected an object"),
        Arguments.of(
            "no source", "\"a\": {\"env\": \"A_FILE\"}", "missing \"secret\" or \"template\""),
        Arguments.of("both sources", "\"a\": {\"secret\": \"a\", \"template\": \"t\"}", "not both"),
        Arguments.of(
            "unknown format",
            "\"a\": {\"secret\": \"a\", \"format\": \"der\"}",
            "'der' is not a format"),
        Arguments.of(
            "typo", "\"a\": {\"secret\": \"a\", \"fromat\": \"pem\"}", "unknown key 'fromat'"),
        Arguments.of(
            "bad env",
            "\"a\": {\"secret\": \"a\", \"env\": \"A-FILE\"}",
            "not a valid variable name"),
        Arguments.of(
            "env mapped in secrets",
            "\"a\": {\"secret\": \"a\", \"env\": \"X\"}",
            "X is already mapped"),
        Arguments.of(
            "env twice",
            "\"a\": {\"secret\": \"a\", \"env\": \"F\"}, \"b\": {\"secret\": \"b\", \"env\": \"F\"}",
            "already receives the path of file a"),
        Arguments.of(
            "file and folder",
            "\"a\": {\"secret\": \"a\"}, \"a/b\": {\"secret\": \"b\"}",
            "'a' is a file of its own"),
        Arguments.of(
            "template outside",
            "\"a\": {\"template\": \"../t\"}",
            "\"template\": '..' would leave"),
        Arguments.of(
            "template absolute",
            "\"a\": {\"template\": \"/etc/shadow\"}",
            "\"template\": an absolute path"),
        Arguments.of(
            "template missing",
            "\"a\": {\"template\": \"nope.tmpl\"}",
            "nope.tmpl: no such template"),
        Arguments.of(
            "format on a template",
            "\"a\": {\"template\": \"t.tmpl\", \"format\": \"pem\"}",
            "\"format\" is for secrets"),
        Arguments.of(
            "bad App Service reference",
            "\"a\": {\"secret\": \"@Microsoft.KeyVault(SecretName=x)\"}",
            "not an App Service Key Vault reference"),
        Arguments.of("files not an object", null, "\"files\" must be an object"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refused")
  void refusesWithFileLineAndColumn(String name, String entries, String expected)
      throws IOException {
    Files.writeString(dir.resolve("t.tmpl"), "x");
    String files = entries == null ? "[]" : "{\n    " + entries + "}";
    List<String> problems =
        problems(
            "{\"vault\": \"contoso-dev\", \"secrets\": {\"X\": \"x\"},\n  \"files\": "
                + files
                + "}");
    assertTrue(
        problems.stream()
            .anyMatch(
                p -> p.contains(expected) && p.startsWith(dir.resolve("kvload.json").toString())),
        problems::toString);
  }

  @Test
  void aTemplateThatIsALinkOutOfTheRepositoryIsRefused() throws IOException {
    Path outside = Files.createDirectory(dir.resolve("outside"));
    Path repo = Files.createDirectory(dir.resolve("repo"));
    Files.writeString(outside.resolve("id_ed25519"), "private key of the user");
    Files.createSymbolicLink(repo.resolve("t.tmpl"), outside.resolve("id_ed25519"));
    var e =
        assertThrows(
            Failure.Manifest.class,
            () ->
                ManifestParser.parse(
                    "{\"secrets\": {}, \"files\": {\"a\": {\"template\": \"t.tmpl\"}}}"
                        .getBytes(StandardCharsets.UTF_8),
                    repo.resolve("kvload.json"),
                    repo,
                    null));
    assertTrue(
        e.lines().getFirst().contains("is a link or leaves the manifest's folder"),
        e.lines()::toString);
  }

  @Test
  void aTemplateNamingAnUnknownVariableIsRefusedAtItsOwnLineAndColumn() throws IOException {
    Files.writeString(dir.resolve("t.tmpl"), "a\nkey = {{kv:NOPE}}\n");
    List<String> problems =
        problems(
            "{\"vault\": \"v-1x\", \"secrets\": {}, \"files\": {\"a\": {\"template\": \"t.tmpl\"}}}");
    assertEquals(
        List.of(
            dir.resolve("t.tmpl")
                + ":2:7: NOPE is not a variable of the manifest's \"secrets\"; map it there, or name the secret by its URL"),
        problems);
  }

  /** Case: an App Service reference and the secret it names. */
  static Stream<Arguments> appService() {
    return Stream.of(
        Arguments.of(
            "SecretUri with a trailing slash",
            "@Microsoft.KeyVault(SecretUri=https://contoso.vault.azure.net/secrets/db/)",
            "contoso",
            "db",
            null),
        Arguments.of(
            "SecretUri with a version",
            "@Microsoft.KeyVault(SecretUri=https://contoso.vault.azure.net/secrets/db/0f1e)",
            "contoso",
            "db",
            "0f1e"),
        Arguments.of(
            "VaultName and SecretName",
            "@Microsoft.KeyVault(VaultName=contoso;SecretName=db)",
            "contoso",
            "db",
            null),
        Arguments.of(
            "with SecretVersion, keys in any case",
            "@Microsoft.KeyVault(vaultname=contoso; SecretName=db; SECRETVERSION=abc1)",
            "contoso",
            "db",
            "abc1"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("appService")
  void appServiceReferencesAreSecrets(
      String name, String text, String vault, String secret, String version) {
    Manifest m = parse("{\"secrets\": {\"X\": \"" + text + "\"}}");
    SecretRef ref = m.bindings().getFirst().secret();
    assertEquals(new SecretRef(VaultRef.parse(vault), secret, version), ref);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badAppService")
  void badAppServiceReferencesAreRefused(String name, String text) {
    List<String> problems =
        problems("{\"vault\": \"contoso\", \"secrets\": {\"X\": \"" + text + "\"}}");
    assertTrue(
        problems.getFirst().contains("not an App Service Key Vault reference"), problems::toString);
  }

  static Stream<Arguments> badAppService() {
    return Stream.of(
        Arguments.of("no closing parenthesis", "@Microsoft.KeyVault(VaultName=a;SecretName=b"),
        Arguments.of("unknown key", "@Microsoft.KeyVault(VaultName=contoso;SecretName=b;Extra=1)"),
        Arguments.of(
            "SecretUri and more",
            "@Microsoft.KeyVault(SecretUri=https://contoso.vault.azure.net/secrets/b;VaultName=x)"),
        Arguments.of(
            "secret name with underscore", "@Microsoft.KeyVault(VaultName=contoso;SecretName=a_b)"),
        Arguments.of(
            "SecretUri over http",
            "@Microsoft.KeyVault(SecretUri=http://contoso.vault.azure.net/secrets/b)"),
        Arguments.of("key twice", "@Microsoft.KeyVault(VaultName=a1b;VaultName=c1d;SecretName=b)"));
  }
}
