package dev.kvload.vault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.util.Context;
import dev.kvload.Failure;
import dev.kvload.http.BufferedAnswer;
import dev.kvload.http.Transport;
import dev.kvload.manifest.SecretRef;
import dev.kvload.manifest.VaultRef;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Mono;

/**
 * {@link KeyVaultSource} on its real pipeline (challenge policy, retries, whole-body reads), with
 * the vault answering in-process through azure-core's {@link HttpClient} interface: what each
 * answer or failure becomes, as {@code run}, {@code export} and {@code check} report it.
 */
class KeyVaultSourceTest {
  private static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  /**
   * The SDK's challenge policy keeps each host's challenge in a static cache: every test gets
   * vaults of its own, or one test's challenge would decide another's.
   */
  private static final AtomicInteger VAULTS = new AtomicInteger();

  private final VaultRef contoso = newVault();
  private final String host = contoso.url().getHost();
  private final SecretRef db = new SecretRef(contoso, "db", null);

  private static VaultRef newVault() {
    return VaultRef.parse("kvload-test-" + VAULTS.incrementAndGet());
  }

  private static final String VALUE = "s3cr3t-value-never-printed";
  static final String CHALLENGE =
      "Bearer authorization=\"https://login.windows.net/00000000-0000-0000-0000-000000000001\","
          + " resource=\"https://vault.azure.net\"";

  /** What the vault does with one request that carries a token. */
  interface Answer {
    HttpResponse answer(HttpRequest request);
  }

  static Answer status(int status, String body, String... headers) {
    return request -> {
      HttpHeaders h = new HttpHeaders();
      for (int i = 0; i < headers.length; i += 2) {
        h.set(headers[i], headers[i + 1]);
      }
      return new BufferedAnswer(request, status, h, body.getBytes(StandardCharsets.UTF_8));
    };
  }

  static Answer failing(RuntimeException e) {
    return request -> {
      throw e;
    };
  }

  /** Key Vault in-process: challenges a request without a token, then answers by secret path. */
  static final class Vault implements HttpClient {
    final Map<String, Answer> answers = new ConcurrentHashMap<>();

    /** As sent: the pipeline reuses one request object across tries and changes its headers. */
    final List<Sent> requests = new CopyOnWriteArrayList<>();

    boolean challenges = true;
    String challenge = CHALLENGE;

    @Override
    public Mono<HttpResponse> send(HttpRequest request) {
      return Mono.fromCallable(() -> sendSync(request, Context.NONE));
    }

    @Override
    public HttpResponse sendSync(HttpRequest request, Context context) {
      requests.add(
          new Sent(
              request.getUrl().toString(),
              request.getHeaders().getValue("Authorization"),
              request.getHeaders().getValue("Accept")));
      if (challenges && request.getHeaders().getValue("Authorization") == null) {
        return status(401, "", "WWW-Authenticate", challenge).answer(request);
      }
      Answer answer = answers.get(request.getUrl().getPath());
      return answer == null ? status(404, "{}").answer(request) : answer.answer(request);
    }
  }

  record Sent(String url, String authorization, String accept) {}

  /** Gives a token for whatever scope it is asked, and remembers the scopes. */
  static final class Credential implements TokenCredential {
    final List<List<String>> asked = new CopyOnWriteArrayList<>();

    @Override
    public Mono<AccessToken> getToken(TokenRequestContext request) {
      return Mono.fromCallable(() -> getTokenSync(request));
    }

    @Override
    public AccessToken getTokenSync(TokenRequestContext request) {
      asked.add(List.copyOf(request.getScopes()));
      return new AccessToken("token", OffsetDateTime.now().plusHours(1));
    }
  }

  /** A credential whose token requests, sync or not, are answered by {@code sync}. */
  static TokenCredential tokens(Function<TokenRequestContext, AccessToken> sync) {
    return new TokenCredential() {
      @Override
      public Mono<AccessToken> getToken(TokenRequestContext request) {
        return Mono.fromCallable(() -> sync.apply(request));
      }

      @Override
      public AccessToken getTokenSync(TokenRequestContext request) {
        return sync.apply(request);
      }
    };
  }

  /** A credential that fails every token request with {@code e}. */
  static TokenCredential refusing(RuntimeException e) {
    return new TokenCredential() {
      @Override
      public Mono<AccessToken> getToken(TokenRequestContext request) {
        return Mono.error(e);
      }

      @Override
      public AccessToken getTokenSync(TokenRequestContext request) {
        throw e;
      }
    };
  }

  private final CountDownLatch testOver = new CountDownLatch(1);
  private final Vault vault = new Vault();
  private final Credential credential = new Credential();
  private final List<String> prefetched = new CopyOnWriteArrayList<>();
  private final List<String> verbose = new CopyOnWriteArrayList<>();
  private final Function<Throwable, Failure.Auth> authFailure =
      e -> new Failure.Auth(List.of("no token: " + e.getMessage()), e);
  private KeyVaultSource source = source(vault, credential);

  private KeyVaultSource source(HttpClient client, TokenCredential tokens) {
    return source(Transport.over(client, Map.of()), tokens, 4, CLOCK);
  }

  private KeyVaultSource source(
      Transport transport, TokenCredential tokens, int maxInFlight, Clock clock) {
    return new KeyVaultSource(
        tokens, transport, maxInFlight, authFailure, clock, verbose::add, prefetched::add);
  }

  /** A clock that stands still until a test moves it, as a vault's answer can. */
  static final class Stepping extends Clock {
    volatile Instant now = NOW;

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      throw new UnsupportedOperationException();
    }
  }

  @AfterEach
  void close() {
    testOver.countDown();
    source.close();
    verbose.forEach(line -> assertFalse(line.contains(VALUE), line));
  }

  private Outcome fetchDb(Answer answer) {
    vault.answers.put("/secrets/db/", answer);
    return source.fetch(List.of(db), NOW.plusSeconds(10)).get(db);
  }

  static Stream<Arguments> answers() {
    return Stream.of(
        Arguments.of(
            "the secret, with its dates",
            status(
                200,
                "{\"value\":\""
                    + VALUE
                    + "\",\"id\":\"https://HOST/secrets/db/0f1e2d\","
                    + "\"attributes\":{\"enabled\":true,\"nbf\":1700000000,\"exp\":1800000000}}"),
            new Outcome.Found(
                new SecretValue(VALUE),
                "0f1e2d",
                Instant.ofEpochSecond(1700000000),
                Instant.ofEpochSecond(1800000000))),
        Arguments.of(
            "200 without a value",
            status(200, "{\"id\":\"https://HOST/secrets/db/0f1e2d\"}"),
            new Outcome.Unreachable("the vault answered without a value")),
        Arguments.of(
            "200 that is not Key Vault's JSON",
            status(200, "<html>sign in to the hotel wifi</html>"),
            new Outcome.Unreachable(
                "the vault's answer could not be read (not the JSON Key Vault sends): is a proxy"
                    + " answering for HOST?")),
        Arguments.of("404", status(404, "{}"), new Outcome.NotFound()),
        Arguments.of(
            "403, secret disabled",
            status(
                403,
                "{\"error\":{\"code\":\"Forbidden\",\"innererror\":{\"code\":\"SecretDisabled\"}}}"),
            new Outcome.Disabled()),
        Arguments.of(
            "403 by Azure RBAC",
            status(
                403,
                "{\"error\":{\"code\":\"Forbidden\",\"innererror\":{\"code\":\"ForbiddenByRbac\"}}}"),
            Outcome.Forbidden.of("ForbiddenByRbac")),
        Arguments.of(
            "403 saying 'disabled' outside its inner code",
            status(
                403,
                "{\"error\":{\"code\":\"Forbidden\",\"message\":\"Public network access is disabled\"}}"),
            Outcome.Forbidden.of("")),
        Arguments.of(
            "429 asking for longer than the deadline",
            status(429, "{}", "Retry-After", "120"),
            throttled120()),
        Arguments.of(
            "429 with a hostile Retry-After",
            status(
                429,
                "{}",
                "x-ms-retry-after-ms",
                "120000",
                "Retry-After",
                "Thu, 01 Jan 2099 00:00:00 GMT\u001b[31m and then some more text"),
            throttled120()),
        Arguments.of(
            "a server error that is not retried (501)",
            status(501, "{}"),
            new Outcome.Unreachable(
                "HTTP 501 from the vault after retrying", Outcome.Why.SERVER_ERROR)),
        Arguments.of(
            "a server error whose Retry-After outlasts the deadline",
            status(500, "{}", "Retry-After", "3600"),
            new Outcome.Unreachable(
                "HTTP 500 from the vault after retrying", Outcome.Why.SERVER_ERROR)),
        Arguments.of(
            "499, just below the server errors",
            status(499, "{}"),
            new Outcome.Unreachable(
                "unexpected HTTP 499 from the vault", Outcome.Why.SERVER_ERROR)),
        Arguments.of(
            "a body larger than 1 MiB: not Key Vault, not asked again",
            status(200, "{\"value\":\"" + "x".repeat(BufferedAnswer.MAX_BODY) + "\"}"),
            new Outcome.Unreachable(
                "an answer larger than 1 MiB came from HOST, where Key Vault's are a few"
                    + " kilobytes: is a proxy answering for it?",
                Outcome.Why.NOT_KEY_VAULT)),
        Arguments.of(
            "an unexpected status",
            status(418, "{}"),
            new Outcome.Unreachable(
                "unexpected HTTP 418 from the vault", Outcome.Why.SERVER_ERROR)),
        Arguments.of(
            "an unknown host",
            failing(new UncheckedIOException(new UnknownHostException("HOST"))),
            new Outcome.Unreachable("host HOST not found: check the vault name or URL")),
        Arguments.of(
            "a certificate for another host",
            failing(
                new UncheckedIOException(
                    handshake(
                        new CertificateException("No subject alternative DNS name matching x")))),
            new Outcome.Unreachable(
                "TLS certificate refused: the certificate of HOST does not"
                    + " name HOST (host name mismatch); check the vault URL")),
        Arguments.of(
            "a certificate nobody trusted signed",
            failing(
                new UncheckedIOException(
                    handshake(new CertificateException("PKIX path building failed")))),
            new Outcome.Unreachable(
                "TLS certificate refused: the certificate of HOST is not"
                    + " signed by a trusted authority; behind a TLS-inspecting proxy, give Java"
                    + " its CA (KVLOAD_JAVA_OPTS=-Djavax.net.ssl.trustStore=...)")),
        Arguments.of(
            "some other handshake failure",
            failing(new UncheckedIOException(new SSLHandshakeException("Received fatal alert"))),
            new Outcome.Unreachable(
                "TLS handshake with HOST failed: its certificate is not"
                    + " trusted or does not match the host name")));
  }

  /** What a throttled run says: the wait the vault asked for, never its header's raw text. */
  private static Outcome throttled120() {
    return new Outcome.Unreachable(
        "throttled: 1 of 1 secret still missing at the --timeout deadline (HTTP 429 once; the"
            + " vault asked to wait 120 s)",
        Outcome.Why.THROTTLED);
  }

  private static SSLHandshakeException handshake(Throwable cause) {
    SSLHandshakeException e = new SSLHandshakeException("handshake failed");
    e.initCause(cause);
    return e;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("answers")
  void eachAnswerBecomesAnOutcome(String name, Answer answer, Outcome expected) {
    Outcome outcome = fetchDb(answer);
    if (expected instanceof Outcome.Found f) {
      Outcome.Found got = assertInstance(Outcome.Found.class, outcome);
      assertEquals(f.value().reveal(), got.value().reveal());
      assertEquals(
          List.of(f.version(), f.notBefore(), f.expires()),
          List.of(got.version(), got.notBefore(), got.expires()));
    } else if (expected instanceof Outcome.Unreachable u) {
      assertEquals(new Outcome.Unreachable(u.reason().replace("HOST", host), u.kind()), outcome);
    } else {
      assertEquals(expected, outcome);
    }
  }

  /**
   * A 503 closes the vault until the deadline here (the fixed clock never reaches the reopening),
   * so this case lasts its whole deadline: 3 s, not the table's 10, because PIT runs it for every
   * mutant.
   */
  @Test
  void a503OnEveryTryIsAServerErrorAtTheDeadline() {
    vault.answers.put("/secrets/db/", status(503, "{}", "Retry-After", "0"));
    Outcome outcome = source.fetch(List.of(db), NOW.plusSeconds(3)).get(db);
    assertEquals(
        new Outcome.Unreachable(
            "HTTP 503 from the vault after retrying (HTTP 503 once; the vault asked to wait 0 s)",
            Outcome.Why.SERVER_ERROR),
        outcome);
  }

  private static <T> T assertInstance(Class<T> type, Object value) {
    assertTrue(
        type.isInstance(value), () -> "expected a " + type.getSimpleName() + ", got " + value);
    return type.cast(value);
  }

  @Test
  void asksForTheSecretWithKeyVaultsApiVersionAndAToken() {
    fetchDb(status(404, "{}"));
    assertEquals(2, vault.requests.size(), "the challenged try, then the one with a token");
    String url = "https://" + host + "/secrets/db/?api-version=2025-07-01";
    assertEquals(
        List.of(
            new Sent(url, null, "application/json"),
            new Sent(url, "Bearer token", "application/json")),
        vault.requests);
    assertEquals(List.of(List.of("https://vault.azure.net/.default")), credential.asked);
    assertEquals(List.of("https://vault.azure.net"), prefetched);
  }

  @Test
  void aVersionedSecretIsAskedForByVersion() {
    SecretRef pinned = new SecretRef(contoso, "db", "0f1e2d");
    vault.answers.put("/secrets/db/0f1e2d", status(404, "{}"));
    source.fetch(List.of(pinned), NOW.plusSeconds(60));
    assertEquals(
        "https://" + host + "/secrets/db/0f1e2d?api-version=2025-07-01",
        vault.requests.getLast().url());
  }

  static Stream<Arguments> impostors() {
    return Stream.of(
        Arguments.of(
            "serves the secret without asking for a token",
            200,
            "this host did not ask for a token: it is not Key Vault"),
        Arguments.of(
            "answers 404 without asking for a token",
            404,
            "this host did not ask for a token: it is not Key Vault"),
        Arguments.of(
            "asks for a token without Key Vault's challenge",
            401,
            "this host asked for a token, but not as Key Vault does: it is not Key Vault"));
  }

  /** Key Vault challenges every request without a token: a host that does not is not believed. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("impostors")
  void aHostThatDoesNotChallengeIsNotKeyVault(String name, int status, String reason) {
    vault.challenges = false;
    Outcome outcome =
        fetchDb(status(status, "{\"value\":\"" + VALUE + "\",\"id\":\"https://x/secrets/db/1\"}"));
    assertEquals(new Outcome.Unreachable(reason, Outcome.Why.NOT_KEY_VAULT), outcome);
    assertEquals(List.of(), credential.asked, "no token was asked for");
  }

  @Test
  void aChallengeForAnotherResourceGetsNoToken() {
    vault.challenge =
        "Bearer authorization=\"https://login.windows.net/00000000-0000-0000-0000-000000000001\","
            + " resource=\"https://azure.net\"";
    Outcome outcome = fetchDb(status(200, "{}"));
    Outcome.Unreachable unreachable = assertInstance(Outcome.Unreachable.class, outcome);
    assertTrue(
        unreachable.reason().contains("not Key Vault's https://vault.azure.net"),
        unreachable::reason);
    assertEquals(List.of(), credential.asked, "no token was asked for");
  }

  @Test
  void aTokenTheVaultRefusesStopsTheRun() {
    var failure =
        assertThrows(
            Failure.Auth.class, () -> fetchDb(status(401, "{}", "WWW-Authenticate", CHALLENGE)));
    assertTrue(
        failure.lines().getFirst().contains("the vault refused the token (HTTP 401)"),
        failure.lines()::toString);
  }

  @Test
  void aCredentialThatFailsStopsTheRunWithItsOwnFailure() {
    RuntimeException refused =
        new IllegalStateException("AADSTS70021: no matching federated identity");
    TokenCredential failing = refusing(refused);
    source = source(vault, failing);
    var failure = assertThrows(Failure.Auth.class, () -> fetchDb(status(404, "{}")));
    assertSame(refused, failure.getCause());
  }

  @Test
  void eachSecretOnceAndEveryVaultsOwnTokenResource() {
    VaultRef shared = newVault();
    SecretRef a = new SecretRef(contoso, "a", null);
    SecretRef b = new SecretRef(contoso, "b", null);
    SecretRef c = new SecretRef(shared, "c", null);
    Map<SecretRef, Outcome> outcomes = source.fetch(List.of(a, b, a, c), NOW.plusSeconds(60));
    assertEquals(
        Map.of(a, new Outcome.NotFound(), b, new Outcome.NotFound(), c, new Outcome.NotFound()),
        outcomes);
    assertEquals(
        Stream.of(
                host + "/secrets/a/", host + "/secrets/b/", shared.url().getHost() + "/secrets/c/")
            .sorted()
            .toList(),
        vault.requests.stream()
            .filter(r -> r.authorization() != null)
            .map(r -> r.url().substring("https://".length(), r.url().indexOf('?')))
            .sorted()
            .toList(),
        "one request with a token for each secret");
    assertEquals(List.of("https://vault.azure.net"), prefetched, "one prefetch per resource");
    assertTrue(
        verbose.stream().anyMatch(l -> l.startsWith("fetched 3 secrets from 2 vaults in ")),
        verbose::toString);
  }

  @Test
  void nothingToFetchSendsNothing() {
    assertEquals(Map.of(), source.fetch(List.of(), NOW.plusSeconds(60)));
    assertEquals(List.of(), vault.requests);
    assertEquals(List.of(), prefetched);
  }

  /**
   * A secret still retrying at the deadline says what it last got, and only what it got itself: two
   * vaults, each answering its first tokened try and then never again.
   */
  @Test
  void aSecretCutOffByTheDeadlineSaysItsOwnLastAnswer() {
    VaultRef shared = newVault();
    SecretRef a = new SecretRef(contoso, "a", null);
    SecretRef c = new SecretRef(shared, "c", null);
    vault.answers.put("/secrets/a/", once(status(503, "{}", "Retry-After", "0")));
    vault.answers.put("/secrets/c/", once(status(429, "{}", "Retry-After", "0")));
    // Seconds, not less: the first answers must come before the deadline on a loaded machine.
    Map<SecretRef, Outcome> outcomes = source.fetch(List.of(a, c), NOW.plusSeconds(3));
    String forA = assertInstance(Outcome.Unreachable.class, outcomes.get(a)).reason();
    String forC = assertInstance(Outcome.Unreachable.class, outcomes.get(c)).reason();
    assertTrue(forA.contains("HTTP 503") && !forA.contains("429"), forA);
    assertTrue(forC.contains("HTTP 429") && !forC.contains("503"), forC);
  }

  /**
   * Answers once, then hangs until the test is over: not just until the fetch gives up on it, or
   * the failure of the cut try could be noted before the deadline's message reads the last answer.
   */
  private Answer once(Answer first) {
    AtomicBoolean used = new AtomicBoolean();
    Answer hangs = hangsUntil(testOver);
    return request -> used.getAndSet(true) ? hangs.answer(request) : first.answer(request);
  }

  /** Answers nothing until {@code over}, interrupted or not, then fails. */
  static Answer hangsUntil(CountDownLatch over) {
    return request -> {
      boolean interrupted = false;
      while (true) {
        try {
          over.await();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("the test is over");
    };
  }

  static Stream<Arguments> networkFailures() {
    return Stream.of(
        Arguments.of(
            "connection refused",
            new UncheckedIOException(new ConnectException("Connection refused")),
            "connection to HOST refused or unreachable"),
        Arguments.of(
            "a name that does not resolve, inside a ConnectException",
            new UncheckedIOException(
                (ConnectException)
                    new ConnectException("x").initCause(new UnresolvedAddressException())),
            "host HOST not found: check the vault name or URL"),
        Arguments.of(
            "the HTTP client's timeout",
            new UncheckedIOException(new HttpTimeoutException("request timed out")),
            "no answer from HOST in time"),
        Arguments.of(
            "a TLS failure after the handshake",
            new UncheckedIOException(new SSLException("Tag mismatch")),
            "TLS error talking to HOST"),
        Arguments.of(
            "a connection dropped mid-answer",
            new UncheckedIOException(new EOFException("EOF reached while reading")),
            "connection to HOST failed (EOFException)"),
        Arguments.of(
            "an IOException with a cause kvload does not know",
            new UncheckedIOException(new IOException(new IllegalStateException("odd"))),
            "the vault's answer could not be read (UncheckedIOException)"),
        Arguments.of(
            "a parser's failure, whose message could quote a value",
            new IllegalArgumentException(new SecretBundle.MalformedJson()),
            "the vault's answer could not be read (not the JSON Key Vault sends): is a proxy"
                + " answering for HOST?"));
  }

  /** Built from exception types only: a message never carries what the exception said. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("networkFailures")
  void eachNetworkFailureIsSaidInKvloadsWords(String name, Throwable e, String reason) {
    assertEquals(reason.replace("HOST", host), KeyVaultSource.networkReason(e, contoso));
  }

  static Stream<Arguments> unansweredRequests() {
    return Stream.of(
        Arguments.of("200 with a token", 200, true, null),
        Arguments.of("401 with a token: the policy's to handle", 401, true, null),
        Arguments.of("408 without a token: any front end may", 408, false, null),
        Arguments.of("429 without a token: throttled before the challenge", 429, false, null),
        Arguments.of("500 without a token", 500, false, null),
        Arguments.of("503 without a token", 503, false, null),
        Arguments.of(
            "499 without a token",
            499,
            false,
            "this host did not ask for a token: it is not Key Vault"),
        Arguments.of(
            "200 without a token",
            200,
            false,
            "this host did not ask for a token: it is not Key Vault"),
        Arguments.of(
            "401 without a challenge kvload could use",
            401,
            false,
            "this host asked for a token, but not as Key Vault does: it is not Key Vault"));
  }

  /** Which answers to a request without a token are believed. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("unansweredRequests")
  void anAnswerWithoutATokenIsBelievedOnlyWhenItSaysNothingAboutTheSecret(
      String name, int status, boolean token, String reason) {
    HttpRequest request = new HttpRequest(HttpMethod.GET, KeyVaultSource.secretUrl(db));
    if (token) {
      request.setHeader(HttpHeaderName.AUTHORIZATION, "Bearer token");
    }
    assertEquals(reason, KeyVaultSource.unchallenged(status(status, "{}").answer(request)));
  }

  @Test
  void aServerErrorBeforeAnyTokenIsBelieved() {
    vault.challenges = false;
    assertEquals(
        new Outcome.Unreachable("HTTP 500 from the vault after retrying", Outcome.Why.SERVER_ERROR),
        fetchDb(status(500, "{}", "Retry-After", "3600")));
    assertTrue(
        verbose.contains(
            "GET "
                + host
                + "/secrets/db/: HTTP 500, the vault asks to wait 3600000 ms; not retrying, the"
                + " --timeout deadline is too close"),
        verbose::toString);
  }

  /**
   * A connection dropped before the answer is sent again, and the run gets the secret. The vault's
   * answer moves the clock to 1 ms before the last start, so that the retry waits 1 ms.
   */
  @Test
  void aDroppedConnectionIsSentAgain() {
    Stepping clock = new Stepping();
    Instant deadline = NOW.plusSeconds(10);
    AtomicInteger tries = new AtomicInteger();
    vault.answers.put(
        "/secrets/db/",
        request -> {
          if (tries.incrementAndGet() == 1) {
            clock.now = deadline.minus(DeadlineRetry.MIN_ATTEMPT).minusMillis(1);
            throw new UncheckedIOException(new EOFException("connection reset"));
          }
          return status(200, "{\"value\":\"" + VALUE + "\",\"id\":\"https://x/secrets/db/1\"}")
              .answer(request);
        });
    // One worker: a try that failed must give its place back, or the retry and the next secret
    // would wait for it until the deadline.
    source = source(Transport.over(vault, Map.of()), credential, 1, clock);
    SecretRef other = new SecretRef(contoso, "other", null);
    Map<SecretRef, Outcome> outcomes = source.fetch(List.of(db, other), deadline);
    assertEquals(VALUE, assertInstance(Outcome.Found.class, outcomes.get(db)).value().reveal());
    assertEquals(new Outcome.NotFound(), outcomes.get(other));
    assertEquals(2, tries.get());
    assertTrue(
        verbose.contains("request failed (UncheckedIOException), retry 1 in 1 ms"),
        verbose::toString);
  }

  /** A connection refused is a wrong address more often than a blip: three quick retries. */
  @Test
  void aRefusedConnectionIsTriedFourTimesThenSaid() {
    Stepping clock = new Stepping();
    Instant deadline = NOW.plusSeconds(10);
    clock.now = deadline.minus(DeadlineRetry.MIN_ATTEMPT).minusMillis(1);
    source = source(Transport.over(vault, Map.of()), credential, 4, clock);
    vault.answers.put(
        "/secrets/db/", failing(new UncheckedIOException(new ConnectException("refused"))));
    assertEquals(
        new Outcome.Unreachable("connection to " + host + " refused or unreachable"),
        source.fetch(List.of(db), deadline).get(db));
    assertEquals(
        List.of(
            "request failed (UncheckedIOException), retry 1 in 1 ms",
            "request failed (UncheckedIOException), retry 2 in 1 ms",
            "request failed (UncheckedIOException), retry 3 in 1 ms"),
        verbose.stream().filter(l -> l.startsWith("request failed")).toList());
  }

  /** Sent, and never answered: the deadline says so, with no last answer to name. */
  @Test
  void aSecretNeverAnsweredIsATimeout() {
    vault.answers.put("/secrets/db/", hangsUntil(testOver));
    assertEquals(
        new Outcome.Unreachable("no answer before the --timeout deadline", Outcome.Why.TIMEOUT),
        source.fetch(List.of(db), NOW.plusMillis(300)).get(db));
  }

  /** Waiting for a token, not for the vault, at the deadline: the message blames the token. */
  @Test
  void aTokenStillPendingAtTheDeadlineIsAnAuthFailure() {
    Answer hangs = hangsUntil(testOver);
    TokenCredential slow =
        tokens(
            request -> {
              hangs.answer(null);
              throw new IllegalStateException("the test is over");
            });
    source = source(vault, slow);
    Failure.Auth failure =
        assertThrows(Failure.Auth.class, () -> source.fetch(List.of(db), NOW.plusMillis(300)));
    assertEquals(
        List.of(
            "no token: no token before the --timeout deadline: the token endpoint was slow to"
                + " answer, or kept failing"),
        failure.lines());
  }

  @Test
  void aTokenRequestCountsAsPendingUntilItIsAnswered() {
    AtomicReference<KeyVaultSource.TrackedCredential> tracked = new AtomicReference<>();
    List<Integer> seen = new CopyOnWriteArrayList<>();
    TokenCredential counting =
        tokens(
            request -> {
              seen.add(tracked.get().pending());
              return new AccessToken("token", OffsetDateTime.now().plusHours(1));
            });
    tracked.set(new KeyVaultSource.TrackedCredential(counting));
    TokenRequestContext context =
        new TokenRequestContext().addScopes("https://vault.azure.net/.default");
    assertEquals("token", tracked.get().getTokenSync(context).getToken());
    assertEquals("token", tracked.get().getToken(context).block().getToken());
    assertEquals(List.of(1, 1), seen, "pending while asked, sync and async");
    assertEquals(0, tracked.get().pending(), "none once answered");
  }

  @Test
  void aTokenFailureComesOutAsOneSoItIsNotRetried() {
    RuntimeException refused = new IllegalStateException("AADSTS70021");
    var tracked = new KeyVaultSource.TrackedCredential(refusing(refused));
    TokenRequestContext context =
        new TokenRequestContext().addScopes("https://vault.azure.net/.default");
    assertSame(
        refused, assertThrows(TokenFailure.class, () -> tracked.getTokenSync(context)).failure());
    assertSame(
        refused,
        assertThrows(TokenFailure.class, () -> tracked.getToken(context).block()).failure());
    assertEquals(0, tracked.pending());
  }

  /** What -v says when the vault throttles: the wait it asked for, and what the run does. */
  @Test
  void aThrottlingThatOutlastsTheDeadlineIsSaidWithItsWait() {
    fetchDb(status(429, "{}", "Retry-After", "120"));
    assertTrue(
        verbose.contains(
            "GET "
                + host
                + "/secrets/db/: HTTP 429, the vault asks to wait 120000 ms; not retrying, the"
                + " --timeout deadline is too close"),
        verbose::toString);
  }

  @Test
  void aThrottlingWithoutRetryAfterThatOutlastsTheDeadlineIsSaid() {
    vault.answers.put("/secrets/db/", status(429, "{}"));
    // kvload's own first wait is at least 100 ms: more than this deadline leaves.
    Outcome outcome = source.fetch(List.of(db), NOW.plusMillis(150)).get(db);
    assertEquals(Outcome.Why.THROTTLED, assertInstance(Outcome.Unreachable.class, outcome).kind());
    assertTrue(
        verbose.contains(
            "GET "
                + host
                + "/secrets/db/: HTTP 429; not retrying, the --timeout deadline is too"
                + " close"),
        verbose::toString);
  }

  /**
   * Two requests in flight both throttled: the first closes the vault for the run, the second only
   * says when it opens again; both are sent again and served. On a clock that runs: the gate waits
   * for it.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("throttlings")
  void aThrottlingClosesTheVaultToTheRunAndSaysSo(String name, String[] headers, String fresh) {
    Clock running = Clock.offset(Clock.systemUTC(), Duration.between(Instant.now(), NOW));
    source = source(Transport.over(vault, Map.of()), credential, 4, running);
    SecretRef a = new SecretRef(contoso, "a", null);
    SecretRef b = new SecretRef(contoso, "b", null);
    CyclicBarrier bothSent = new CyclicBarrier(2);
    for (String secret : List.of("/secrets/a/", "/secrets/b/")) {
      AtomicBoolean throttled = new AtomicBoolean();
      vault.answers.put(
          secret,
          request -> {
            if (throttled.getAndSet(true)) {
              return status(404, "{}").answer(request);
            }
            try {
              bothSent.await(5, TimeUnit.SECONDS);
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
            return status(429, "{}", headers).answer(request);
          });
    }
    Map<SecretRef, Outcome> outcomes = source.fetch(List.of(db, a, b), NOW.plusSeconds(20));
    assertEquals(
        Map.of(db, new Outcome.NotFound(), a, new Outcome.NotFound(), b, new Outcome.NotFound()),
        outcomes);
    List<String> throttlings = verbose.stream().filter(l -> l.contains("HTTP 429")).toList();
    assertEquals(2, throttlings.size(), throttlings::toString);
    assertTrue(
        throttlings.stream()
            .anyMatch(
                l ->
                    l.matches(
                        "GET "
                            + Pattern.quote(host)
                            + "/secrets/[ab]/: HTTP 429"
                            + Pattern.quote(fresh.replace("VAULT", contoso.toString()))
                                .replace("N", "\\E\\d+\\Q"))),
        throttlings::toString);
    assertTrue(
        throttlings.stream()
            .anyMatch(
                l ->
                    l.matches(
                        "GET "
                            + Pattern.quote(host)
                            + "/secrets/[ab]/: HTTP 429 to a request sent before the vault"
                            + " closed; it opens again in \\d+ ms")),
        throttlings::toString);
  }

  static Stream<Arguments> throttlings() {
    return Stream.of(
        Arguments.of(
            "the vault's wait, stretched",
            new String[] {"Retry-After", "0"},
            ", the vault asks to wait 0 ms; vault VAULT closed to every request of this run for"
                + " N ms (jitter added), then one request, then at most 1 in flight"),
        Arguments.of(
            "no wait named: kvload's backoff",
            new String[] {},
            ", no Retry-After; vault VAULT closed to every request of this run for N ms"
                + " (kvload's backoff, with jitter), then one request, then at most 1 in flight"));
  }

  @Test
  void oneSecretIsOneRequestInFlightAndTheFirstIsTimedForV() {
    fetchDb(status(404, "{}"));
    assertEquals(1, source.peakInFlight());
    assertTrue(
        verbose.stream()
            .anyMatch(l -> l.startsWith("first secret of each vault (challenge and token) in ")),
        verbose::toString);
    assertTrue(
        verbose.stream()
            .anyMatch(
                l ->
                    l.startsWith("fetched 1 secret from 1 vault in ")
                        && l.endsWith(" ms, at most 1 requests in flight (limit 1)")),
        verbose::toString);
  }

  @Test
  void closingTheSourceClosesItsTransport() {
    Transport transport = Transport.over(vault, Map.of());
    source = source(transport, credential, 4, CLOCK);
    source.close();
    assertTrue(transport.executor().isShutdown());
  }
}
