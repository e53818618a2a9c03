package dev.kvload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvload.fake.FakeAzure;
import dev.kvload.manifest.SchemaTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code kvload init} end to end: a starter manifest from a dotenv file or a vault's listing. */
class InitIT {
  private static final String VAULT = "kvload-test";

  private final Harness h = new Harness();

  @AfterEach
  void close() {
    h.close();
    ImportIT.removeTree(h.dir);
  }

  private String vault() {
    return h.fake.vaultUrl(VAULT);
  }

  private void valid(Path manifest) throws IOException {
    var validate = h.kvload("validate", "-m", manifest.toString());
    assertEquals(0, validate.exit(), validate::toString);
    assertEquals(List.of(), SchemaTest.schemaErrors(Files.readString(manifest)));
  }

  /** The listing requests that carried a token (the first one meets the challenge without). */
  private List<FakeAzure.Request> listings() {
    return h.fake.requests().stream()
        .filter(r -> r.path().equals("/secrets") && r.authorized())
        .toList();
  }

  private boolean anyValueRead() {
    return h.fake.requests().stream().anyMatch(r -> r.path().startsWith("/secrets/"));
  }

  @Test
  void fromADotenvFileItMapsTheVariablesAndSendsNothing() throws IOException {
    h.guard(List.of("postgres://app:pw-4711@db", "ak-0815-xyz"));
    h.write(
        ".env", "# local\nDATABASE_URL=postgres://app:pw-4711@db\nexport API_KEY='ak-0815-xyz'\n");
    var run = h.kvload("init", "--vault", vault(), "--from-env", ".env");
    assertEquals(0, run.exit(), run::toString);
    Path manifest = h.dir.resolve("kvload.json");
    String text = Files.readString(manifest);
    assertTrue(text.contains("\"$schema\": \"https://"), text);
    assertTrue(text.contains("\"DATABASE_URL\": \"database-url\""), text);
    assertTrue(text.contains("\"API_KEY\": \"api-key\""), text);
    assertTrue(
        run.stderr().contains("kvload.json is valid: 2 variables from 1 vault"), run.stderr());
    assertEquals(List.of(), h.fake.requests(), "values ignored: nothing sent anywhere");
    valid(manifest);
  }

  @Test
  void fromAPagedListingItMapsTheEnabledSecretsBack() throws IOException {
    h.fake.pageSize(2);
    for (String name : List.of("database-url", "api-key", "stripe-key", "feature-x", "redis-url")) {
      h.fake.put(VAULT, name, name + "-value-0");
    }
    h.fake.put(
        VAULT,
        "switched-off",
        new FakeAzure.Version(FakeAzure.newVersionId(), "off-value-0", false, null, null));
    var run = h.kvload("init", "--vault", vault(), "--from-vault");
    assertEquals(0, run.exit(), run::toString);
    assertEquals(3, listings().size(), "six secrets, two a page");
    assertFalse(anyValueRead(), "a listing reads no value");
    String text = Files.readString(h.dir.resolve("kvload.json"));
    for (String variable :
        List.of("API_KEY", "DATABASE_URL", "FEATURE_X", "REDIS_URL", "STRIPE_KEY")) {
      assertTrue(text.contains("\"" + variable + "\": \""), variable + " in\n" + text);
    }
    assertFalse(text.contains("SWITCHED_OFF"), text);
    assertTrue(run.stdout().contains("kvload import .env --vault " + vault()), run.stdout());
    valid(h.dir.resolve("kvload.json"));
  }

  @Test
  void aDevcontainerFolderGetsTheManifest() throws IOException {
    Files.createDirectories(h.dir.resolve(".devcontainer"));
    var run = h.kvload("init", "--vault", "contoso-dev");
    assertEquals(0, run.exit(), run::toString);
    assertTrue(Files.exists(h.dir.resolve(".devcontainer/kvload.json")));
    assertFalse(Files.exists(h.dir.resolve("kvload.json")));
    valid(h.dir.resolve(".devcontainer/kvload.json"));
  }

  @Test
  void anExistingManifestIsReplacedOnlyWithForce() throws IOException {
    Path manifest = h.manifest("// mine\n{\"vault\": \"contoso-dev\", \"secrets\": {}}\n");
    String mine = Files.readString(manifest);
    var refused = h.kvload("init", "--vault", "contoso-dev");
    assertEquals(7, refused.exit(), refused::toString);
    assertTrue(refused.stderr().contains("a manifest is there already"), refused.stderr());
    assertTrue(
        refused.stderr().contains("'kvload import FILE --vault VAULT' adds"), refused.stderr());
    assertEquals(mine, Files.readString(manifest));
    var forced = h.kvload("init", "--vault", "contoso-dev", "--force");
    assertEquals(0, forced.exit(), forced::toString);
    assertTrue(Files.readString(manifest).contains("Written by kvload init"));
  }

  @Test
  void aLinkInThePlaceOfTheManifestIsRefusedEvenWithForce() throws IOException {
    Path target = h.write("elsewhere.txt", "someone else's file\n");
    Files.createSymbolicLink(h.dir.resolve("kvload.json"), target);
    for (String[] args :
        List.of(
            new String[] {"init", "--vault", "contoso-dev"},
            new String[] {"init", "--vault", "contoso-dev", "--force"})) {
      var run = h.kvload(args);
      assertEquals(7, run.exit(), run::toString);
      assertTrue(run.stderr().contains("kvload.json: is a symbolic link"), run.stderr());
    }
    assertEquals("someone else's file\n", Files.readString(target));
    assertTrue(Files.isSymbolicLink(h.dir.resolve("kvload.json")));
  }

  @Test
  void aDanglingLinkIsRefusedToo() throws IOException {
    Path target = h.dir.resolve("not-yet");
    Files.createSymbolicLink(h.dir.resolve("kvload.json"), target);
    var run = h.kvload("init", "--vault", "contoso-dev");
    assertEquals(7, run.exit(), run::toString);
    assertFalse(Files.exists(target), "nothing was written through the link");
  }

  @Test
  void namesFromAHostileListingAreLeftOutAndShownEscaped() throws IOException {
    h.fake.behaveForListing(
        request ->
            FakeAzure.Reply.status(
                200,
                "{\"value\": ["
                    + "{\"id\": \"https://x/secrets/good-one\", \"attributes\": {\"enabled\": true}},"
                    + "{\"id\": \"https://x/secrets/evil\\u001b]0;owned\\u0007\","
                    + " \"attributes\": {\"enabled\": true}},"
                    + "{\"id\": \"https://x/secrets/path\", \"attributes\": {\"enabled\": true}}"
                    + "], \"nextLink\": null}"));
    var run = h.kvload("init", "--vault", vault(), "--from-vault");
    assertEquals(0, run.exit(), run::toString);
    assertTrue(run.stderr().contains("secret 'evil\\u001b]0;owned\\u0007' left out"), run.stderr());
    assertFalse(run.stderr().contains("\u001b"), "a raw escape reached the terminal");
    assertTrue(run.stderr().contains("PATH changes how programs load code"), run.stderr());
    String text = Files.readString(h.dir.resolve("kvload.json"));
    assertTrue(text.contains("\"GOOD_ONE\": \"good-one\""), text);
    assertFalse(text.contains("PATH"), text);
    valid(h.dir.resolve("kvload.json"));
  }

  @Test
  void aNextLinkToAnotherHostIsNotFollowedAndGetsNoToken() {
    h.fake.behaveForListing(
        request ->
            request.vault().equals(VAULT)
                ? FakeAzure.Reply.status(
                    200,
                    "{\"value\": [], \"nextLink\": \""
                        + h.fake.vaultUrl("kvload-other")
                        + "/secrets?api-version=7.4\"}")
                : null);
    var run = h.kvload("init", "--vault", vault(), "--from-vault");
    assertEquals(6, run.exit(), run::toString);
    assertTrue(run.stderr().contains("not followed, and no token was sent there"), run.stderr());
    assertTrue(
        h.fake.requests().stream().noneMatch(r -> r.vault().equals("kvload-other")),
        "a request reached the other host");
    assertFalse(Files.exists(h.dir.resolve("kvload.json")));
  }

  @Test
  void aListingThatLoopsIsCutOff() {
    h.fake.behaveForListing(
        request ->
            FakeAzure.Reply.status(
                200,
                "{\"value\": [], \"nextLink\": \""
                    + vault()
                    + "/secrets?api-version=7.4&$skiptoken=same\"}"));
    var run = h.kvload("init", "--vault", vault(), "--from-vault");
    assertEquals(6, run.exit(), run::toString);
    assertTrue(run.stderr().contains("points back to a page it already sent"), run.stderr());
    assertEquals(2, listings().size());
    assertFalse(Files.exists(h.dir.resolve("kvload.json")));
  }

  static Stream<Arguments> listingAnswers() {
    String escape = "\\u001b]0;owned\\u0007";
    return Stream.of(
        Arguments.of(
            "403 for an identity that may not list",
            FakeAzure.Reply.status(
                403,
                "{\"error\": {\"code\": \"Forbidden\", \"message\": \"no "
                    + escape
                    + "\","
                    + " \"innererror\": {\"code\": \"ForbiddenByRbac\"}}}"),
            5,
            "listing secrets takes the role 'Key Vault Secrets User' on the vault"),
        Arguments.of(
            "a page that is not JSON",
            FakeAzure.Reply.status(200, "<html>" + escape + "</html>"),
            6,
            "the secret listing could not be read (not the JSON Key Vault sends)"),
        Arguments.of(
            "a 500 with an escape in its body",
            // A Retry-After beyond any deadline: kvload gives up at once, before --timeout.
            FakeAzure.Reply.status(500, "{\"error\": {\"message\": \"" + escape + "\"}}")
                .withHeader("Retry-After", "3600"),
            6,
            "answered HTTP 500 after retrying while listing the secrets"));
  }

  /** Whatever answers a listing, init says what happened in its own words and writes nothing. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("listingAnswers")
  void aListingThatFailsWritesNoManifest(
      String name, FakeAzure.Reply reply, int exit, String expected) {
    h.fake.behaveForListing(request -> reply);
    var run = h.kvload("init", "--vault", vault(), "--from-vault");
    assertEquals(exit, run.exit(), run::toString);
    assertTrue(run.stderr().contains(expected), run.stderr());
    assertFalse(run.stderr().contains("\u001b"), "a raw escape reached the terminal");
    assertFalse(Files.exists(h.dir.resolve("kvload.json")));
  }

  @Test
  void initNeedsAVault() {
    var run = h.kvload("init");
    assertEquals(2, run.exit(), run::toString);
    assertTrue(run.stderr().contains("init needs the manifest's vault: --vault"), run.stderr());
  }
}
