package dev.kvload.vault;

import static dev.kvload.vault.KeyVaultSourceTest.CHALLENGE;
import static dev.kvload.vault.KeyVaultSourceTest.failing;
import static dev.kvload.vault.KeyVaultSourceTest.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import dev.kvload.Failure;
import dev.kvload.http.BufferedAnswer;
import dev.kvload.http.Transport;
import dev.kvload.manifest.VaultRef;
import dev.kvload.vault.KeyVaultSourceTest.Answer;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Mono;

/**
 * {@link KeyVaultStore}, the write path behind {@code import} and {@code init}, on its real
 * pipeline (challenge policy, whole-body reads) with the vault answering in-process: what each
 * request carries, and what each answer becomes as those commands report it.
 */
class KeyVaultStoreTest {
  private static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final String VALUE = "imported-s3cr3t-never-printed";

  /** The SDK caches each host's challenge in a static map: every test gets a vault of its own. */
  private static final AtomicInteger VAULTS = new AtomicInteger();

  private final VaultRef contoso = VaultRef.parse("kvload-store-" + VAULTS.incrementAndGet());
  private final String host = contoso.url().getHost();
  private final String name = contoso.name();

  /**
   * Key Vault in-process: challenges a request without a token, then answers by method and path.
   */
  static final class Vault implements HttpClient {
    /** By {@code "METHOD /path"}; anything else is a 404. */
    final Map<String, Answer> answers = new ConcurrentHashMap<>();

    final List<Sent> requests = new CopyOnWriteArrayList<>();
    boolean challenges = true;

    @Override
    public Mono<HttpResponse> send(HttpRequest request) {
      return Mono.fromCallable(() -> sendSync(request, Context.NONE));
    }

    @Override
    public HttpResponse sendSync(HttpRequest request, Context context) {
      BinaryData body = request.getBodyAsBinaryData();
      requests.add(
          new Sent(
              request.getHttpMethod() + " " + request.getUrl(),
              request.getHeaders().getValue("Authorization"),
              request.getHeaders().getValue("Content-Type"),
              body == null ? null : body.toString()));
      if (challenges && request.getHeaders().getValue("Authorization") == null) {
        return status(401, "", "WWW-Authenticate", CHALLENGE).answer(request);
      }
      Answer answer = answers.get(request.getHttpMethod() + " " + request.getUrl().getPath());
      return answer == null ? status(404, "{}").answer(request) : answer.answer(request);
    }
  }

  /**
   * One request as sent.
   *
   * @param body null when the request carried none
   */
  record Sent(String request, String authorization, String contentType, String body) {}

  private final Vault vault = new Vault();
  private final KeyVaultSourceTest.Credential credential = new KeyVaultSourceTest.Credential();
  private final Transport transport = Transport.over(vault, Map.of());
  private final CountDownLatch testOver = new CountDownLatch(1);
  private final Function<Throwable, Failure.Auth> authFailure =
      e -> new Failure.Auth(List.of("no token: " + e.getMessage()), e);
  private KeyVaultStore store = store(credential, NOW.plusSeconds(10));

  private KeyVaultStore store(TokenCredential tokens, Instant deadline) {
    return new KeyVaultStore(contoso, tokens, transport, deadline, CLOCK, authFailure);
  }

  @AfterEach
  void close() {
    testOver.countDown();
    store.close();
  }

  private String url(String path) {
    return "https://" + host + path + "?api-version=2025-07-01";
  }

  /** The lines of the failure {@code call} throws, which never hold the value. */
  private List<String> failure(Class<? extends Failure> kind, Executable call) {
    Failure failure = assertThrows(kind, call);
    assertFalse(failure.getMessage().contains(VALUE), failure::getMessage);
    return failure.lines();
  }

  private List<String> expected(List<String> lines) {
    return lines.stream()
        .map(l -> l.replace("%VAULT%", contoso.toString()).replace("%HOST%", host))
        .map(l -> l.replace("%NAME%", name))
        .toList();
  }

  private static final String RBAC_ROLE =
      "import writes secrets: it takes the role 'Key Vault Secrets Officer' on the vault (az role"
          + " assignment create --role \"Key Vault Secrets Officer\" --assignee ID --scope"
          + " VAULT_ID); reading them, as run, export and check do, needs only 'Key Vault Secrets"
          + " User'";
  private static final String IMPORT_POLICY =
      "an access policy with get, list, set on secrets (az keyvault set-policy --name %NAME%"
          + " --secret-permissions get list set --object-id <its object ID>)";

  static String forbidden(String inner) {
    return "{\"error\":{\"code\":\"Forbidden\",\"message\":\""
        + VALUE
        + "\",\"innererror\":{\"code\":\""
        + inner
        + "\"}}}";
  }

  /** Each answer to a PUT, and the failure import reports for it. */
  static Stream<Arguments> refusedWrites() {
    return Stream.of(
        Arguments.of(
            "403 by Azure RBAC: the writer's role, and the reader's",
            status(403, forbidden("ForbiddenByRbac")),
            Failure.Secret.class,
            List.of(
                "vault %VAULT% refused to let kvload write secret 'db' (HTTP 403 ForbiddenByRbac)",
                "the vault uses Azure RBAC: " + RBAC_ROLE)),
        Arguments.of(
            "403 by access policy: get, list and set",
            status(403, forbidden("AccessDenied")),
            Failure.Secret.class,
            List.of(
                "vault %VAULT% refused to let kvload write secret 'db' (HTTP 403 AccessDenied)",
                "the vault uses access policies, where roles do nothing: it takes "
                    + IMPORT_POLICY)),
        Arguments.of(
            "403 by the firewall",
            status(403, forbidden("ForbiddenByFirewall")),
            Failure.Secret.class,
            List.of(
                "vault %VAULT% refused to let kvload write secret 'db' (HTTP 403"
                    + " ForbiddenByFirewall)",
                "the vault's firewall refuses this machine's address: add it to the vault's"
                    + " networking rules, or run from an allowed network")),
        Arguments.of(
            "403 outside the vault's private endpoints",
            status(403, forbidden("ForbiddenByConnection")),
            Failure.Secret.class,
            List.of(
                "vault %VAULT% refused to let kvload write secret 'db' (HTTP 403"
                    + " ForbiddenByConnection)",
                "the vault accepts only its private endpoints: run from a network that reaches"
                    + " one")),
        Arguments.of(
            "403 without a code kvload knows: both ways to grant it",
            status(403, "{}"),
            Failure.Secret.class,
            List.of(
                "vault %VAULT% refused to let kvload write secret 'db' (HTTP 403)",
                RBAC_ROLE
                    + " (a vault using Azure RBAC), or "
                    + IMPORT_POLICY
                    + " (one using"
                    + " access policies)")),
        Arguments.of(
            "409: deleted, recoverable, its name kept",
            status(409, "{\"error\":{\"code\":\"Conflict\",\"message\":\"" + VALUE + "\"}}"),
            Failure.Secret.class,
            List.of(
                "vault %VAULT%: secret 'db' was deleted, and Key Vault keeps a deleted secret's name"
                    + " until it is purged (HTTP 409)",
                "recover it (az keyvault secret recover --vault-name %NAME% --name db) or purge it"
                    + " (az keyvault secret purge --vault-name %NAME% --name db), then import"
                    + " again")),
        Arguments.of(
            "400: the value refused",
            status(400, "{\"error\":{\"message\":\"bad value " + VALUE + "\"}}"),
            Failure.Secret.class,
            List.of(
                "vault %VAULT% refused secret 'db' as invalid (HTTP 400): Key Vault takes values up"
                    + " to 25 KiB")),
        Arguments.of(
            "401 with a challenge: the fresh token refused too",
            status(401, "{}", "WWW-Authenticate", CHALLENGE),
            Failure.Auth.class,
            List.of("no token: the vault refused the token (HTTP 401)")),
        Arguments.of(
            "401 without a challenge",
            status(401, "{}"),
            Failure.Auth.class,
            List.of("no token: the vault refused the token (HTTP 401)")),
        Arguments.of(
            "429",
            status(429, "{}", "Retry-After", "1"),
            Failure.Vault.class,
            List.of(
                "vault %VAULT% was still throttling (HTTP 429) when the --timeout deadline stopped"
                    + " retries while writing secret 'db'")),
        Arguments.of(
            "500",
            status(500, "{}"),
            Failure.Vault.class,
            List.of("vault %VAULT% answered HTTP 500 after retrying while writing secret 'db'")),
        Arguments.of(
            "499, just below the server errors",
            status(499, "{}"),
            Failure.Vault.class,
            List.of("vault %VAULT% answered an unexpected HTTP 499 while writing secret 'db'")),
        Arguments.of(
            "200 that is not Key Vault's JSON",
            status(200, "<html>" + VALUE + "</html>"),
            Failure.Vault.class,
            List.of(
                "vault %VAULT%: the answer about secret 'db' could not be read (not the JSON Key"
                    + " Vault sends): is a proxy answering for %HOST%?")),
        Arguments.of(
            "200 without the new version's id",
            status(200, "{\"value\":\"" + VALUE + "\"}"),
            Failure.Vault.class,
            List.of(
                "vault %VAULT%: the answer about secret 'db' could not be read (not the JSON Key"
                    + " Vault sends): is a proxy answering for %HOST%?")),
        Arguments.of(
            "a body larger than 1 MiB",
            status(200, "{\"value\":\"" + "x".repeat(BufferedAnswer.MAX_BODY) + "\"}"),
            Failure.Vault.class,
            List.of(
                "vault %VAULT%: an answer larger than 1 MiB came from %HOST%, where Key Vault's are a"
                    + " few kilobytes: is a proxy answering for it?")),
        Arguments.of(
            "the connection refused",
            failing(new UncheckedIOException(new ConnectException("Connection refused"))),
            Failure.Vault.class,
            List.of("vault %VAULT%: connection to %HOST% refused or unreachable")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusedWrites")
  void aRefusedWriteSaysWhyAndWhatToDo(
      String caseName, Answer answer, Class<? extends Failure> kind, List<String> lines) {
    vault.answers.put("PUT /secrets/db", answer);
    assertEquals(
        expected(lines), failure(kind, () -> store.write("db", new SecretValue(VALUE))), caseName);
  }

  @Test
  void aWriteSendsTheValueAsJsonWithKvloadsTagAndGivesTheNewVersion() {
    vault.answers.put(
        "PUT /secrets/db",
        status(
            201, "{\"value\":\"" + VALUE + "\",\"id\":\"https://" + host + "/secrets/db/a1b2\"}"));
    assertEquals("a1b2", store.write("db", new SecretValue(VALUE + "\"\n")));
    Sent sent = vault.requests.getLast();
    assertEquals(
        new Sent(
            "PUT " + url("/secrets/db"),
            "Bearer token",
            "application/json",
            "{\"value\":\""
                + VALUE
                + "\\\"\\n\",\"contentType\":\"text/plain\",\"tags\":{\"imported-by\":\"kvload\"}}"),
        sent);
    assertEquals(
        List.of("PUT " + url("/secrets/db"), "PUT " + url("/secrets/db")),
        vault.requests.stream().map(Sent::request).toList(),
        "the challenged try, then the one with a token");
    assertEquals(List.of(List.of("https://vault.azure.net/.default")), credential.asked);
  }

  @Test
  void a200AnswerToAWriteIsItsNewVersionToo() {
    vault.answers.put(
        "PUT /secrets/db", status(200, "{\"id\":\"https://" + host + "/secrets/db/c3d4\"}"));
    assertEquals("c3d4", store.write("db", new SecretValue(VALUE)));
  }

  static Stream<Arguments> reads() {
    return Stream.of(
        Arguments.of(
            "the latest version and its value",
            status(200, "{\"value\":\"" + VALUE + "\",\"id\":\"https://x/secrets/db/e5f6\"}"),
            new SecretStore.Current.Present(new SecretValue(VALUE), "e5f6")),
        Arguments.of("404: no such secret", status(404, "{}"), new SecretStore.Current.Absent()),
        Arguments.of(
            "403 for a disabled secret",
            status(403, forbidden("SecretDisabled")),
            new SecretStore.Current.Disabled()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("reads")
  void aReadFindsTheLatestVersion(String caseName, Answer answer, SecretStore.Current expected) {
    vault.answers.put("GET /secrets/db/", answer);
    SecretStore.Current got = store.read("db");
    if (expected instanceof SecretStore.Current.Present present) {
      SecretStore.Current.Present p = assertInstanceOf(SecretStore.Current.Present.class, got);
      assertEquals(present.value().reveal(), p.value().reveal());
      assertEquals(present.version(), p.version());
    } else {
      assertEquals(expected, got);
    }
    assertEquals("GET " + url("/secrets/db/"), vault.requests.getLast().request());
    assertEquals("Bearer token", vault.requests.getLast().authorization());
  }

  static Stream<Arguments> refusedReads() {
    return Stream.of(
        Arguments.of(
            "403 by Azure RBAC",
            status(403, forbidden("ForbiddenByRbac")),
            Failure.Secret.class,
            List.of(
                "vault %VAULT% refused to let kvload read secret 'db' (HTTP 403 ForbiddenByRbac)",
                "the vault uses Azure RBAC: " + RBAC_ROLE)),
        Arguments.of(
            "200 without a value",
            status(200, "{\"id\":\"https://x/secrets/db/e5f6\"}"),
            Failure.Vault.class,
            List.of(
                "vault %VAULT%: the answer about secret 'db' could not be read (not the JSON Key"
                    + " Vault sends): is a proxy answering for %HOST%?")),
        Arguments.of(
            "200 that is not Key Vault's JSON",
            status(200, VALUE),
            Failure.Vault.class,
            List.of(
                "vault %VAULT%: the answer about secret 'db' could not be read (not the JSON Key"
                    + " Vault sends): is a proxy answering for %HOST%?")),
        Arguments.of(
            "503",
            status(503, "{}"),
            Failure.Vault.class,
            List.of("vault %VAULT% answered HTTP 503 after retrying while reading secret 'db'")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusedReads")
  void aRefusedReadSaysWhy(
      String caseName, Answer answer, Class<? extends Failure> kind, List<String> lines) {
    vault.answers.put("GET /secrets/db/", answer);
    assertEquals(expected(lines), failure(kind, () -> store.read("db")), caseName);
  }

  private static Answer page(String body) {
    return status(200, body);
  }

  @Test
  void theListingFollowsEachNextLinkOnTheVault() {
    String next = "https://" + host + "/secrets?api-version=2025-07-01&$skiptoken=p2";
    vault.answers.put(
        "GET /secrets",
        request ->
            request.getUrl().getQuery().contains("skiptoken=p2")
                ? page("{\"value\":[{\"id\":\"https://"
                        + host
                        + "/secrets/c\"},{\"id\":\"https://"
                        + host
                        + "/secrets/off\",\"attributes\":{\"enabled\":false}}]}")
                    .answer(request)
                : page("{\"value\":[{\"id\":\"https://"
                        + host
                        + "/secrets/a\"},{\"id\":\"https://"
                        + host
                        + "/secrets/b\"}],\"nextLink\":\""
                        + next
                        + "\"}")
                    .answer(request));
    assertEquals(List.of("a", "b", "c"), store.enabledNames());
    assertEquals(
        List.of(
            "GET https://" + host + "/secrets?api-version=2025-07-01&maxresults=25",
            "GET https://" + host + "/secrets?api-version=2025-07-01&maxresults=25",
            "GET " + next),
        vault.requests.stream().map(Sent::request).toList());
  }

  @Test
  void aListingWithoutEndIsCutOffAfterMaxPages() {
    AtomicInteger pages = new AtomicInteger();
    vault.answers.put(
        "GET /secrets",
        request ->
            page("{\"value\":[],\"nextLink\":\"https://"
                    + host
                    + "/secrets?api-version=2025-07-01&$skiptoken="
                    + pages.incrementAndGet()
                    + "\"}")
                .answer(request));
    assertEquals(
        expected(
            List.of(
                "vault %VAULT%: the secret listing did not end after 400 pages (0 names); kvload"
                    + " stopped there and wrote nothing")),
        failure(Failure.Vault.class, store::enabledNames));
    assertEquals(KeyVaultStore.MAX_PAGES, pages.get());
  }

  static Stream<Arguments> refusedListings() {
    return Stream.of(
        Arguments.of(
            "403 by Azure RBAC: the reader's role",
            status(403, forbidden("ForbiddenByRbac")),
            Failure.Secret.class,
            List.of(
                "vault %VAULT% refused to let kvload list the secrets (HTTP 403 ForbiddenByRbac)",
                "the vault uses Azure RBAC: listing secrets takes the role 'Key Vault Secrets"
                    + " User' on the vault")),
        Arguments.of(
            "403 by access policy: list only",
            status(403, forbidden("ForbiddenByPolicy")),
            Failure.Secret.class,
            List.of(
                "vault %VAULT% refused to let kvload list the secrets (HTTP 403 ForbiddenByPolicy)",
                "the vault uses access policies, where roles do nothing: it takes an access policy"
                    + " with list on secrets (az keyvault set-policy --name %NAME%"
                    + " --secret-permissions list --object-id <its object ID>)")),
        Arguments.of(
            "not Key Vault's JSON",
            status(200, "[\"" + VALUE + "\"]"),
            Failure.Vault.class,
            List.of(
                "vault %VAULT%: the secret listing could not be read (not the JSON Key Vault"
                    + " sends): is a proxy answering for %HOST%?")),
        Arguments.of(
            "429",
            status(429, "{}"),
            Failure.Vault.class,
            List.of(
                "vault %VAULT% was still throttling (HTTP 429) when the --timeout deadline stopped"
                    + " retries while listing the secrets")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusedListings")
  void aRefusedListingSaysWhy(
      String caseName, Answer answer, Class<? extends Failure> kind, List<String> lines) {
    vault.answers.put("GET /secrets", answer);
    assertEquals(expected(lines), failure(kind, store::enabledNames), caseName);
  }

  /** Key Vault challenges every request without a token: a host that does not is not believed. */
  static Stream<Arguments> unchallenged() {
    return Stream.of(
        Arguments.of(
            "serves a secret without asking for a token",
            status(200, "{\"value\":\"" + VALUE + "\",\"id\":\"https://x/secrets/db/1\"}"),
            "vault %VAULT%: this host did not ask for a token: it is not Key Vault; nothing more"
                + " was sent to it"),
        Arguments.of(
            "asks for a token without Key Vault's challenge",
            status(401, "{}"),
            "vault %VAULT%: this host asked for a token, but not as Key Vault does: it is not Key"
                + " Vault; nothing more was sent to it"),
        Arguments.of(
            "throttles before any token: believed, as a front end may",
            status(429, "{}"),
            "vault %VAULT% was still throttling (HTTP 429) when the --timeout deadline stopped"
                + " retries while writing secret 'db'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unchallenged")
  void aHostThatDoesNotChallengeGetsNoValue(String caseName, Answer answer, String line) {
    vault.challenges = false;
    vault.answers.put("PUT /secrets/db", answer);
    assertEquals(
        expected(List.of(line)),
        failure(Failure.Vault.class, () -> store.write("db", new SecretValue(VALUE))));
    assertEquals(List.of(), credential.asked, "no token was asked for");
    assertTrue(
        vault.requests.stream().allMatch(r -> r.body() == null || !r.body().contains(VALUE)),
        "the value was never sent");
  }

  @Test
  void aChallengeForAnotherResourceGetsNoTokenAndNoValue() {
    vault.challenges = false;
    vault.answers.put(
        "PUT /secrets/db",
        status(
            401,
            "{}",
            "WWW-Authenticate",
            "Bearer authorization=\"https://login.windows.net/00000000-0000-0000-0000-000000000001\","
                + " resource=\"https://azure.net\""));
    List<String> lines =
        failure(Failure.Vault.class, () -> store.write("db", new SecretValue(VALUE)));
    assertTrue(lines.getFirst().startsWith("vault " + contoso + ": "), lines::toString);
    assertTrue(
        lines.getFirst().contains("not Key Vault's https://vault.azure.net"), lines::toString);
    assertEquals(List.of(), credential.asked, "no token was asked for");
    assertTrue(
        vault.requests.stream().noneMatch(r -> r.body() != null && r.body().contains(VALUE)));
  }

  @Test
  void aCredentialThatFailsIsTheAuthModesFailure() {
    RuntimeException refused = new IllegalStateException("AADSTS70021: no federated identity");
    TokenCredential failing = KeyVaultSourceTest.refusing(refused);
    store = store(failing, NOW.plusSeconds(10));
    Failure.Auth failure = assertThrows(Failure.Auth.class, () -> store.read("db"));
    assertEquals(refused, failure.getCause());
  }

  static Stream<Arguments> lateCalls() {
    return Stream.<Arguments>of(
        Arguments.of(
            "a read",
            (Function<KeyVaultStore, Object>) s -> s.read("db"),
            "vault %VAULT%: no answer before the --timeout deadline (secret 'db')"),
        Arguments.of(
            "a write",
            (Function<KeyVaultStore, Object>) s -> s.write("db", new SecretValue(VALUE)),
            "vault %VAULT%: no answer before the --timeout deadline (secret 'db')"),
        Arguments.of(
            "the listing",
            (Function<KeyVaultStore, Object>) KeyVaultStore::enabledNames,
            "vault %VAULT%: no answer before the --timeout deadline"));
  }

  private Answer hangs() {
    return KeyVaultSourceTest.hangsUntil(testOver);
  }

  /**
   * The deadline has passed (the fixed clock is at it): a vault that does not answer is cut off.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("lateCalls")
  void noAnswerByTheDeadline(String caseName, Function<KeyVaultStore, Object> call, String line) {
    Answer hangs = hangs();
    vault.challenges = false;
    vault.answers.put("GET /secrets/db/", hangs);
    vault.answers.put("PUT /secrets/db", hangs);
    vault.answers.put("GET /secrets", hangs);
    store = store(credential, NOW);
    assertEquals(expected(List.of(line)), failure(Failure.Vault.class, () -> call.apply(store)));
  }

  @Test
  void anInterruptedRequestSaysSoAndKeepsTheInterrupt() {
    vault.challenges = false;
    vault.answers.put("GET /secrets/db/", hangs());
    Thread.currentThread().interrupt();
    try {
      assertEquals(
          expected(List.of("interrupted while talking to vault %VAULT%")),
          failure(Failure.Vault.class, () -> store.read("db")));
      assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is kept for the caller");
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void closingTheStoreClosesItsTransport() {
    store.close();
    assertTrue(transport.executor().isShutdown());
  }
}
