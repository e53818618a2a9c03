package dev.kvload.fake;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Azure on loopback, over HTTPS, for tests, the demo and the benchmarks: Key Vault's secret GET
 * with the real bearer challenge, an App Service-style managed identity token endpoint, Entra ID's
 * token endpoint ({@link FakeEntra}) and the GitHub Actions ID-token endpoint.
 *
 * <p>Vaults are told apart by the Host header, so one server plays every vault of {@link #VAULTS}.
 */
public final class FakeAzure implements AutoCloseable {
  /** The vault names the test hosts file resolves to 127.0.0.1. */
  public static final List<String> VAULTS =
      List.of("kvload-test", "kvload-other", "kvload-third", "kvload-demo", "kvload-bench");

  /** Resolves to 127.0.0.1 but is not in the certificate. */
  public static final String MISMATCHED_HOST = "kvload-mismatch.example.test";

  public static final String TENANT = "00000000-0000-4000-8000-00000000c0de";
  public static final String IDENTITY_HEADER = "fake-identity-header";
  private static final JsonFactory JSON = new JsonFactory();

  private final HttpsServer server;
  private final ExecutorService executor;
  private final Map<String, List<Version>> secrets = new ConcurrentHashMap<>();
  private final Map<String, Function<Request, Reply>> behaviours = new ConcurrentHashMap<>();
  private volatile Function<Request, Reply> tokenBehaviour = request -> null;
  private volatile Function<Request, Reply> entraBehaviour = request -> null;
  private volatile Function<Request, Reply> githubBehaviour = request -> null;
  private volatile boolean challenges = true;
  private volatile String challenge;
  private final List<String> tokenResources = new CopyOnWriteArrayList<>();
  private volatile Duration tokenDelay = Duration.ZERO;
  private final Set<String> tokens = ConcurrentHashMap.newKeySet();
  private final List<Request> requests = new CopyOnWriteArrayList<>();

  /** How much an {@link Reply#endless} answer sends at most: 64 times what kvload reads. */
  public static final long ENDLESS_BOUND = 64L << 20;

  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger peakInFlight = new AtomicInteger();
  private final AtomicInteger tokenRequests = new AtomicInteger();
  private final AtomicInteger idTokenRequests = new AtomicInteger();
  private final FakeEntra entra = new FakeEntra();
  private final String githubRequestToken = "fake-actions-request-" + UUID.randomUUID();
  private volatile String githubSubject = "repo:kvload/kvload:ref:refs/heads/main";
  private volatile int githubRefusal;
  private volatile Duration delay = Duration.ZERO;
  private volatile boolean identityAvailable = true;
  private final Map<String, Written> written = new ConcurrentHashMap<>();
  private final Set<String> deleted = ConcurrentHashMap.newKeySet();
  private volatile boolean readOnly;
  private volatile int pageSize = 25;
  private volatile Function<Request, Reply> listingBehaviour = request -> null;
  private volatile Throttle throttle;
  private final List<Refusal> refusals = new CopyOnWriteArrayList<>();
  private Instant windowStart; // guarded by this
  private int servedInWindow; // guarded by this

  private record Throttle(int limit, Duration window, boolean retryAfter) {}

  /** One version of a secret, as Key Vault stores it. */
  public record Version(
      String id,
      String value,
      boolean enabled,
      Instant notBefore,
      Instant expires,
      String contentType) {
    public Version(String id, String value, boolean enabled, Instant notBefore, Instant expires) {
      this(id, value, enabled, notBefore, expires, null);
    }
  }

  /** What a secret PUT said about the version it made, beside the value. */
  public record Written(String contentType, Map<String, String> tags) {}

  /**
   * A request as the fake saw it.
   *
   * @param userAgent the User-Agent header, or null
   * @param clientRequestId the x-ms-client-request-id header, or null
   */
  public record Request(
      String method,
      String host,
      String path,
      String query,
      boolean authorized,
      Instant at,
      String userAgent,
      String clientRequestId) {
    public String vault() {
      int dot = host.indexOf('.');
      return dot < 0 ? host : host.substring(0, dot);
    }

    /**
     * The kvload process that sent this request: its run id, the prefix of the {@code
     * x-ms-client-request-id} RUNID-SEQUENCE that every request of one run carries ("" without).
     */
    public String run() {
      String id = clientRequestId == null ? "" : clientRequestId;
      return id.substring(0, Math.max(0, id.lastIndexOf('-')));
    }

    /**
     * Where this request stands among its run's: the hex sequence number after the run id, which
     * kvload counts up as requests go to the wire (-1 without one).
     */
    public long sequence() {
      String id = clientRequestId == null ? "" : clientRequestId;
      try {
        return Long.parseLong(id.substring(id.lastIndexOf('-') + 1), 16);
      } catch (NumberFormatException e) {
        return -1;
      }
    }
  }

  /** Key Vault's answer to a request over its vault's limit. */
  public static final String THROTTLED =
      "{\"error\":{\"code\":\"Throttled\",\"message\":\"Request was not processed because"
          + " too many requests were received. Reason: VaultRequestTypeLimitReached\"}}";

  /**
   * A secret GET the throttle refused.
   *
   * @param request the GET, as the fake saw it arrive
   * @param retryAfter the wait its {@code Retry-After} gave, or null when it named none
   */
  public record Refusal(Request request, Duration retryAfter) {}

  /**
   * A canned answer that replaces the normal one.
   *
   * @param dropAfter when not negative: announce the whole body, send this many bytes of it, then
   *     drop the connection (a connection lost mid-body)
   */
  /**
   * @param dropAfter sends this many bytes of the body, then drops the connection; -1: all of it
   * @param endless sends the body again and again, without a length, until the client goes away (or
   *     {@link #ENDLESS_BOUND} bytes, so that a client that never stops still ends the test)
   */
  public record Reply(
      int status,
      Map<String, String> headers,
      byte[] body,
      Duration delay,
      int dropAfter,
      boolean endless) {
    public Reply(int status, Map<String, String> headers, byte[] body, Duration delay) {
      this(status, headers, body, delay, -1, false);
    }

    public Reply(
        int status, Map<String, String> headers, byte[] body, Duration delay, int dropAfter) {
      this(status, headers, body, delay, dropAfter, false);
    }

    /** Sends {@code body} over and over, in chunks, without end. */
    public Reply endlessly() {
      return new Reply(status, headers, body, delay, dropAfter, true);
    }

    public static Reply status(int status, String json) {
      return new Reply(
          status,
          Map.of("Content-Type", "application/json"),
          json.getBytes(StandardCharsets.UTF_8),
          Duration.ZERO);
    }

    /** An answer that never comes (until the fake is closed). */
    public static Reply never() {
      return status(200, "{}").after(Duration.ofDays(1));
    }

    public Reply withHeader(String name, String value) {
      Map<String, String> h = new HashMap<>(headers);
      h.put(name, value);
      return new Reply(status, h, body, delay, dropAfter);
    }

    public Reply after(Duration wait) {
      return new Reply(status, headers, body, wait, dropAfter);
    }

    /** Sends the first {@code bytes} of the body, then drops the connection. */
    public Reply dropAfter(int bytes) {
      return new Reply(status, headers, body, delay, bytes);
    }

    /** The same status and headers, with only the first {@code bytes} of the body, cleanly. */
    public Reply truncated(int bytes) {
      return new Reply(status, headers, java.util.Arrays.copyOf(body, bytes), delay, dropAfter);
    }
  }

  private FakeAzure(TestTls tls) throws IOException {
    server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
    server.setHttpsConfigurator(new HttpsConfigurator(tls.serverContext()));
    executor = Executors.newVirtualThreadPerTaskExecutor();
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  public static FakeAzure start(TestTls tls) {
    try {
      return new FakeAzure(tls);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** {@code https://NAME.vault.azure.net:PORT}: resolved to loopback by the test hosts file. */
  public String vaultUrl(String vault) {
    return "https://" + vault + ".vault.azure.net:" + port();
  }

  /** The App Service managed identity endpoint kvload's credential is pointed at. */
  public String identityEndpoint() {
    return "https://127.0.0.1:" + port() + "/msi/token";
  }

  /**
   * The managed identity endpoint as IMDS serves it ({@code /metadata/identity/oauth2/token}), for
   * {@code AZURE_POD_IDENTITY_AUTHORITY_HOST}: with {@code IDENTITY_ENDPOINT} unset, the credential
   * asks it instead of the App Service endpoint.
   */
  public String imdsHost() {
    return "https://127.0.0.1:" + port();
  }

  /** The token endpoint and app registrations of Entra ID. */
  public FakeEntra entra() {
    return entra;
  }

  /** An access token the vault accepts, as a tool like the Azure CLI would hand one out. */
  public String issueToken() {
    String token = accessToken(TENANT);
    tokens.add(token);
    return token;
  }

  /**
   * An access token shaped as Entra's are: a JWT whose {@code tid} claim names the tenant it was
   * issued in (kvload reads that claim to reuse an early token), unsigned: the fake vault checks
   * tokens by lookup, not by signature.
   */
  public static String accessToken(String tenant) {
    java.util.Base64.Encoder b64 = java.util.Base64.getUrlEncoder().withoutPadding();
    String claims =
        "{\"aud\":\"https://vault.azure.net\",\"tid\":\""
            + tenant
            + "\",\"jti\":\""
            + UUID.randomUUID()
            + "\"}";
    return b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8))
        + "."
        + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8))
        + ".fake";
  }

  /**
   * What a GitHub Actions job with {@code permissions: id-token: write} finds in its environment,
   * pointed at this fake's ID-token endpoint.
   */
  public Map<String, String> githubActionsEnv() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("GITHUB_ACTIONS", "true");
    env.put(
        "ACTIONS_ID_TOKEN_REQUEST_URL",
        "https://127.0.0.1:" + port() + "/github/idtoken?api-version=2.0");
    env.put("ACTIONS_ID_TOKEN_REQUEST_TOKEN", githubRequestToken);
    return env;
  }

  /** The subject of the ID tokens the GitHub endpoint gives out. */
  public String githubSubject() {
    return githubSubject;
  }

  public void githubSubject(String subject) {
    this.githubSubject = subject;
  }

  /** Makes the GitHub ID-token endpoint answer with this HTTP status (0: answer normally). */
  public void githubRefuses(int status) {
    this.githubRefusal = status;
  }

  /** How many ID tokens the GitHub endpoint was asked for. */
  public int idTokenRequests() {
    return idTokenRequests.get();
  }

  /**
   * Everything the fake handed out or holds that is a credential: access tokens, ID tokens, client
   * secrets, the Actions request token. None may ever reach kvload's output.
   */
  public List<String> credentials() {
    List<String> values = new ArrayList<>(tokens);
    values.addAll(entra.sensitive());
    values.add(githubRequestToken);
    return values;
  }

  /** Environment that points every Azure endpoint kvload might use at this fake. */
  public Map<String, String> env() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("IDENTITY_ENDPOINT", identityEndpoint());
    env.put("IDENTITY_HEADER", IDENTITY_HEADER);
    env.put("AZURE_AUTHORITY_HOST", "https://127.0.0.1:" + port() + "/");
    // No IMDS here, as in a Codespace: port 1 on loopback refuses at once.
    env.put("AZURE_POD_IDENTITY_AUTHORITY_HOST", "https://127.0.0.1:1");
    return env;
  }

  /** Adds a version of a secret (the newest is the one a version-less GET returns). */
  public Version put(String vault, String name, String value) {
    return put(vault, name, new Version(newVersionId(), value, true, null, null));
  }

  public Version put(String vault, String name, Version version) {
    secrets.computeIfAbsent(key(vault, name), k -> new CopyOnWriteArrayList<>()).add(version);
    return version;
  }

  public static String newVersionId() {
    return UUID.randomUUID().toString().replace("-", "");
  }

  /** Every value the fake holds: none may ever appear on kvload's stderr. */
  public List<String> allValues() {
    List<String> values = new ArrayList<>();
    secrets.values().forEach(list -> list.forEach(v -> values.add(v.value())));
    return values;
  }

  /**
   * Refuses every secret PUT with 403, as a vault does to an identity that has only the role Key
   * Vault Secrets User.
   */
  public void readOnly(boolean readOnly) {
    this.readOnly = readOnly;
  }

  /**
   * Deletes a secret as soft-delete does: its versions are gone (a GET answers 404) but its name is
   * kept until it is purged (a PUT answers 409).
   */
  public void softDelete(String vault, String name) {
    secrets.remove(key(vault, name));
    deleted.add(key(vault, name));
  }

  /** How many secrets one page of the listing holds at most (Key Vault's own limit is 25). */
  public void pageSize(int size) {
    this.pageSize = size;
  }

  /**
   * Answers listing requests ({@code GET /secrets}) with {@code behaviour} where it is non-null.
   */
  public void behaveForListing(Function<Request, Reply> behaviour) {
    this.listingBehaviour = behaviour;
  }

  /** The versions of a secret, oldest first; empty when there is none. */
  public List<Version> versions(String vault, String name) {
    return List.copyOf(secrets.getOrDefault(key(vault, name), List.of()));
  }

  /** What the PUT that made this version said, or null when the test put it there. */
  public Written written(String versionId) {
    return written.get(versionId);
  }

  /**
   * Answers every GET and PUT of this secret (after the challenge) with {@code behaviour} where it
   * gives a reply; where it gives null, as Key Vault would.
   */
  public void behave(String vault, String name, Function<Request, Reply> behaviour) {
    behaviours.put(key(vault, name), behaviour);
  }

  /**
   * Answers token requests with {@code behaviour} instead (where it returns non-null): a slow or
   * failing managed identity endpoint. Token requests are still counted.
   */
  public void behaveForTokens(Function<Request, Reply> behaviour) {
    this.tokenBehaviour = behaviour;
  }

  /** Answers Entra ID token requests with {@code behaviour} instead (where it returns non-null). */
  public void behaveForEntra(Function<Request, Reply> behaviour) {
    this.entraBehaviour = behaviour;
  }

  /**
   * Answers the GitHub ID-token endpoint with {@code behaviour} instead (where it returns
   * non-null), once the request token is checked.
   */
  public void behaveForGithub(Function<Request, Reply> behaviour) {
    this.githubBehaviour = behaviour;
  }

  /**
   * When false, the vaults serve a request that carries no token as if it carried one: a host that
   * is not Key Vault, which never challenges.
   */
  public void challenges(boolean challenges) {
    this.challenges = challenges;
  }

  /** The {@code WWW-Authenticate} header of the vaults' 401 instead of Key Vault's own. */
  public void challenge(String header) {
    this.challenge = header;
  }

  /**
   * What each token request asked for, in order: the {@code resource} of a managed identity
   * request, the {@code scope} of an Entra ID one.
   */
  public List<String> tokenResources() {
    return List.copyOf(tokenResources);
  }

  /** Delay before every (valid) token answer: a slow managed identity endpoint. */
  public void delayTokens(Duration delay) {
    this.tokenDelay = delay;
  }

  /** The answer a secret GET gets when no behaviour replaces it. */
  public Reply normal(Request request) {
    return secret(request);
  }

  /** Delay added before every answer. */
  public void delay(Duration delay) {
    this.delay = delay;
  }

  /** When false, the managed identity endpoint answers as if no identity were assigned. */
  public void identityAvailable(boolean available) {
    this.identityAvailable = available;
  }

  /**
   * Throttles the vaults as Key Vault does: at most {@code limit} authorized secret GETs served per
   * window (fixed windows from the first such GET, over all vaults together), the rest answered 429
   * {@code Throttled} with Key Vault's body, and with {@code Retry-After} (the whole seconds until
   * the window ends) when {@code retryAfter}. A challenge (a GET without a token) is never
   * throttled.
   */
  public void throttle(int limit, Duration window, boolean retryAfter) {
    this.throttle = new Throttle(limit, window, retryAfter);
  }

  /** Every GET the throttle refused, in order. */
  public List<Refusal> refusals() {
    return List.copyOf(refusals);
  }

  public List<Request> requests() {
    return Collections.unmodifiableList(requests);
  }

  public List<Request> secretRequests() {
    return requests.stream().filter(r -> r.path().startsWith("/secrets")).toList();
  }

  public int peakInFlight() {
    return peakInFlight.get();
  }

  /** Token requests to the managed identity and Entra ID token endpoints together. */
  public int tokenRequests() {
    return tokenRequests.get();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private static String key(String vault, String name) {
    return vault + "/" + name;
  }

  private void handle(HttpExchange exchange) throws IOException {
    int now = inFlight.incrementAndGet();
    peakInFlight.accumulateAndGet(now, Math::max);
    // A request stops counting once its answer starts: the client may send its next request the
    // moment the last byte arrives, before this thread gets to a finally block, and the fake would
    // then count one request twice (LoadIT once saw 9 with kvload's bound at 8).
    boolean[] counted = {true};
    Runnable answered =
        () -> {
          if (counted[0]) {
            counted[0] = false;
            inFlight.decrementAndGet();
          }
        };
    try (exchange) {
      String host = exchange.getRequestHeaders().getFirst("Host");
      host = host == null ? "" : host.replaceFirst(":\\d+$", "");
      String path = exchange.getRequestURI().getRawPath();
      String query = exchange.getRequestURI().getRawQuery();
      String auth = exchange.getRequestHeaders().getFirst("Authorization");
      boolean authorized =
          auth != null && auth.startsWith("Bearer ") && tokens.contains(auth.substring(7));
      Request request =
          new Request(
              exchange.getRequestMethod(),
              host,
              path,
              query == null ? "" : query,
              authorized,
              Instant.now(),
              exchange.getRequestHeaders().getFirst("User-Agent"),
              exchange.getRequestHeaders().getFirst("x-ms-client-request-id"));
      requests.add(request);
      byte[] body = exchange.getRequestBody().readAllBytes();
      Reply reply = answer(request, exchange, body);
      Duration wait = delay.plus(reply.delay());
      if (!wait.isZero()) {
        Thread.sleep(wait);
      }
      reply.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
      exchange.getResponseHeaders().set("x-ms-request-id", UUID.randomUUID().toString());
      answered.run();
      if (reply.dropAfter() >= 0) {
        exchange.sendResponseHeaders(reply.status(), reply.body().length);
        OutputStream out = exchange.getResponseBody();
        out.write(reply.body(), 0, Math.min(reply.dropAfter(), reply.body().length));
        out.flush();
        // Closing the exchange short of the announced length makes the server drop the connection.
        return;
      }
      if (reply.endless()) {
        exchange.sendResponseHeaders(reply.status(), 0);
        OutputStream out = exchange.getResponseBody();
        for (long sent = 0; sent < ENDLESS_BOUND; sent += reply.body().length) {
          out.write(reply.body());
        }
        return;
      }
      if (reply.body().length == 0) {
        exchange.sendResponseHeaders(reply.status(), -1);
      } else {
        exchange.sendResponseHeaders(reply.status(), reply.body().length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(reply.body());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException dropped) {
      // The client went away (kvload gave up at its deadline, or a dropped answer on purpose).
    } finally {
      answered.run();
    }
  }

  private Reply answer(Request request, HttpExchange exchange, byte[] body) {
    if (request.path().equals("/msi/token")) {
      return managedIdentityToken(request, exchange, "X-IDENTITY-HEADER", IDENTITY_HEADER);
    }
    // MSAL appends "//metadata/identity/oauth2/token" to AZURE_POD_IDENTITY_AUTHORITY_HOST: the
    // server reads "//metadata" as an authority and the rest as the path.
    if (request.path().equals("/metadata/identity/oauth2/token")
        || request.path().equals("/identity/oauth2/token")) {
      return managedIdentityToken(request, exchange, "Metadata", "true");
    }
    if (request.path().matches("/[^/]+/oauth2/v2\\.0/token") && request.method().equals("POST")) {
      tokenRequests.incrementAndGet();
      Map<String, String> form = query(new String(body, StandardCharsets.UTF_8));
      tokenResources.add(form.getOrDefault("scope", ""));
      Reply special = entraBehaviour.apply(request);
      if (special != null) {
        return special;
      }
      String tenant = request.path().split("/")[1];
      FakeEntra.Answer answer =
          entra.token(tenant, form, "https://127.0.0.1:" + port() + request.path());
      return answer(answer);
    }
    if (request.path().matches("/[^/]+/oauth2/v2\\.0/devicecode")
        && request.method().equals("POST")) {
      return answer(
          entra
              .signIn()
              .deviceCode(
                  request.path().split("/")[1], query(new String(body, StandardCharsets.UTF_8))));
    }
    if (request.path().equals("/github/idtoken")) {
      return githubIdToken(request, exchange);
    }
    if (!request.path().startsWith("/secrets/") && !request.path().equals("/secrets")) {
      return Reply.status(404, error("NotFound", "The fake serves no " + request.path()));
    }
    if (!request.authorized() && challenges) {
      return Reply.status(
              401,
              error("Unauthorized", "AKV10000: Request is missing a Bearer" + " or PoP token."))
          .withHeader(
              "WWW-Authenticate",
              challenge != null
                  ? challenge
                  : "Bearer authorization=\"https://login.windows.net/"
                      + TENANT
                      + "\", resource=\"https://vault.azure.net\"");
    }
    Reply writtenOrListed = writeOrList(request, body);
    if (writtenOrListed != null) {
      return writtenOrListed;
    }
    if (!request.method().equals("GET")) {
      return Reply.status(405, error("MethodNotAllowed", "only GET"));
    }
    Reply refused = throttled(request);
    if (refused != null) {
      return refused;
    }
    Function<Request, Reply> behaviour = behaviours.get(key(request.vault(), secretName(request)));
    if (behaviour != null) {
      Reply special = behaviour.apply(request);
      if (special != null) {
        return special;
      }
    }
    return secret(request);
  }

  /** An answer of Entra ID's; the access token it carries, if any, is one the vaults accept. */
  private Reply answer(FakeEntra.Answer answer) {
    if (answer.accessToken() != null) {
      tokens.add(answer.accessToken());
    }
    return Reply.status(answer.status(), answer.json());
  }

  /** A secret PUT, or the listing; null for anything else. */
  private Reply writeOrList(Request request, byte[] body) {
    if (request.path().equals("/secrets") || request.path().equals("/secrets/")) {
      if (!request.method().equals("GET")) {
        return Reply.status(405, error("MethodNotAllowed", "the listing is GET only"));
      }
      Reply special = listingBehaviour.apply(request);
      return special != null ? special : listing(request);
    }
    if (!request.method().equals("PUT")) {
      return null;
    }
    Function<Request, Reply> behaviour = behaviours.get(key(request.vault(), secretName(request)));
    Reply special = behaviour == null ? null : behaviour.apply(request);
    return special != null ? special : putSecret(request, body);
  }

  /** Key Vault's SetSecret: a new version, with its content type and tags. */
  private Reply putSecret(Request request, byte[] body) {
    String name = request.path().substring("/secrets/".length());
    if (!name.matches("[0-9A-Za-z-]{1,127}")) {
      return Reply.status(400, error("BadParameter", "The request URI contains an invalid name"));
    }
    if (readOnly) {
      return Reply.status(
          403,
          "{\"error\":{\"code\":\"Forbidden\",\"message\":\"Caller is not authorized to"
              + " perform action on resource. Action:"
              + " 'Microsoft.KeyVault/vaults/secrets/setSecret/action'\",\"innererror\":"
              + "{\"code\":\"ForbiddenByRbac\"}}}");
    }
    if (deleted.contains(key(request.vault(), name))) {
      return Reply.status(
          409,
          error(
              "Conflict",
              "Secret "
                  + name
                  + " is currently in a deleted but recoverable state, and its name cannot be"
                  + " reused; in this state, the secret can only be recovered or purged."));
    }
    String value = null;
    String contentType = null;
    Map<String, String> tags = new LinkedHashMap<>();
    try (JsonParser json = JSON.createParser(body)) {
      if (json.nextToken() != JsonToken.START_OBJECT) {
        return Reply.status(400, error("BadParameter", "The body is not a JSON object"));
      }
      while (json.nextToken() == JsonToken.FIELD_NAME) {
        String field = json.currentName();
        JsonToken token = json.nextToken();
        switch (field) {
          case "value" -> value = token == JsonToken.VALUE_STRING ? json.getText() : null;
          case "contentType" ->
              contentType = token == JsonToken.VALUE_STRING ? json.getText() : null;
          case "tags" -> {
            while (token == JsonToken.START_OBJECT && json.nextToken() == JsonToken.FIELD_NAME) {
              String tag = json.currentName();
              json.nextToken();
              tags.put(tag, json.getText());
            }
          }
          default -> json.skipChildren();
        }
      }
    } catch (IOException e) {
      return Reply.status(400, error("BadParameter", "The body is not JSON"));
    }
    if (value == null) {
      return Reply.status(400, error("BadParameter", "Property value is required"));
    }
    Version version = put(request.vault(), name, value);
    written.put(version.id(), new Written(contentType, Map.copyOf(tags)));
    return new Reply(
        200,
        Map.of("Content-Type", "application/json; charset=utf-8"),
        bundle(request, name, version),
        Duration.ZERO);
  }

  /**
   * Key Vault's GetSecrets: names and attributes, never values, {@link #pageSize} at a time, each
   * page pointing at the next with an absolute {@code nextLink} (port 443 written out, as Key Vault
   * writes it).
   */
  private Reply listing(Request request) {
    Map<String, String> params = query(request.query());
    int skip = Integer.parseInt(params.getOrDefault("$skiptoken", "0"));
    int max = Math.min(Integer.parseInt(params.getOrDefault("maxresults", "25")), pageSize);
    String prefix = request.vault() + "/";
    List<String> names =
        secrets.keySet().stream()
            .filter(k -> k.startsWith(prefix) && !secrets.get(k).isEmpty())
            .map(k -> k.substring(prefix.length()))
            .sorted()
            .toList();
    String origin = "https://" + request.host() + ":" + port();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (JsonGenerator json = JSON.createGenerator(bytes)) {
      json.writeStartObject();
      json.writeArrayFieldStart("value");
      for (String name :
          names.subList(Math.min(skip, names.size()), Math.min(skip + max, names.size()))) {
        Version latest = secrets.get(key(request.vault(), name)).getLast();
        json.writeStartObject();
        json.writeStringField("id", origin + "/secrets/" + name);
        json.writeObjectFieldStart("attributes");
        json.writeBooleanField("enabled", latest.enabled());
        json.writeNumberField("created", 1_700_000_000L);
        json.writeNumberField("updated", 1_700_000_000L);
        json.writeStringField("recoveryLevel", "Recoverable+Purgeable");
        json.writeEndObject();
        Written meta = written.get(latest.id());
        if (meta != null && meta.contentType() != null) {
          json.writeStringField("contentType", meta.contentType());
        }
        json.writeEndObject();
      }
      json.writeEndArray();
      if (skip + max < names.size()) {
        json.writeStringField(
            "nextLink",
            origin + "/secrets?api-version=7.4&$skiptoken=" + (skip + max) + "&maxresults=" + max);
      } else {
        json.writeNullField("nextLink");
      }
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Reply(
        200,
        Map.of("Content-Type", "application/json; charset=utf-8"),
        bytes.toByteArray(),
        Duration.ZERO);
  }

  /** The throttle's 429, or null when the GET is served within its window's limit. */
  private synchronized Reply throttled(Request request) {
    Throttle t = throttle;
    if (t == null || !request.authorized()) {
      return null;
    }
    Instant now = request.at();
    if (windowStart == null) {
      windowStart = now;
    }
    long windows = Duration.between(windowStart, now).toNanos() / t.window().toNanos();
    if (windows > 0) {
      windowStart = windowStart.plus(t.window().multipliedBy(windows));
      servedInWindow = 0;
    }
    if (servedInWindow < t.limit()) {
      servedInWindow++;
      return null;
    }
    Duration left = Duration.between(now, windowStart.plus(t.window()));
    long seconds = Math.max(1, (left.toMillis() + 999) / 1000);
    Reply reply = Reply.status(429, THROTTLED);
    if (t.retryAfter()) {
      reply = reply.withHeader("Retry-After", Long.toString(seconds));
    }
    refusals.add(new Refusal(request, t.retryAfter() ? Duration.ofSeconds(seconds) : null));
    return reply;
  }

  private static String secretName(Request request) {
    return request.path().substring("/secrets/".length()).split("/")[0];
  }

  private Reply secret(Request request) {
    String[] parts = request.path().substring("/secrets/".length()).split("/");
    String name = parts[0];
    String version = parts.length > 1 ? parts[1] : "";
    List<Version> versions = secrets.get(key(request.vault(), name));
    if (versions == null || versions.isEmpty()) {
      return Reply.status(
          404,
          error(
              "SecretNotFound",
              "A secret with (name/id) " + name + " was not found in this key vault."));
    }
    Version found =
        version.isEmpty()
            ? versions.getLast()
            : versions.stream().filter(v -> v.id().equals(version)).findFirst().orElse(null);
    if (found == null) {
      return Reply.status(
          404,
          error(
              "SecretNotFound",
              "A secret with (name/id) "
                  + name
                  + "/"
                  + version
                  + " was not found in this key vault."));
    }
    if (!found.enabled()) {
      return Reply.status(
          403,
          "{\"error\":{\"code\":\"Forbidden\",\"message\":\"Operation get"
              + " is not allowed on a disabled secret.\",\"innererror\":{\"code\":"
              + "\"SecretDisabled\"}}}");
    }
    return new Reply(
        200,
        Map.of("Content-Type", "application/json; charset=utf-8"),
        bundle(request, name, found),
        Duration.ZERO);
  }

  /**
   * App Service's endpoint and IMDS alike: each wants its own header ({@code X-IDENTITY-HEADER},
   * {@code Metadata: true}) and answers the same JSON.
   */
  private Reply managedIdentityToken(
      Request request, HttpExchange exchange, String headerName, String headerValue) {
    tokenRequests.incrementAndGet();
    tokenResources.add(query(request.query()).getOrDefault("resource", ""));
    Reply special = tokenBehaviour.apply(request);
    if (special != null) {
      return special;
    }
    String header = exchange.getRequestHeaders().getFirst(headerName);
    if (!headerValue.equalsIgnoreCase(header)) {
      return Reply.status(401, "{\"statusCode\":401,\"message\":\"bad identity header\"}");
    }
    if (!identityAvailable) {
      return Reply.status(
          400,
          "{\"statusCode\":400,\"message\":\"No managed identity"
              + " assigned to this resource\",\"correlationId\":\"fake\"}");
    }
    return issueToken(request).after(tokenDelay);
  }

  private Reply issueToken(Request request) {
    Map<String, String> params = query(request.query());
    String token = accessToken(TENANT);
    tokens.add(token);
    long expires = Instant.now().plus(Duration.ofHours(1)).getEpochSecond();
    return Reply.status(
        200,
        "{\"access_token\":\""
            + token
            + "\",\"expires_on\":\""
            + expires
            + "\",\"resource\":\""
            + params.getOrDefault("resource", "")
            + "\","
            + "\"token_type\":\"Bearer\",\"client_id\":\""
            + params.getOrDefault("client_id", "00000000-0000-0000-0000-000000000000")
            + "\"}");
  }

  private Reply githubIdToken(Request request, HttpExchange exchange) {
    idTokenRequests.incrementAndGet();
    String auth = exchange.getRequestHeaders().getFirst("Authorization");
    if (auth == null || !auth.equalsIgnoreCase("bearer " + githubRequestToken)) {
      return Reply.status(401, "{\"message\":\"Bad credentials\"}");
    }
    if (githubRefusal != 0) {
      return Reply.status(githubRefusal, "{\"message\":\"Refused by the test\"}");
    }
    Reply special = githubBehaviour.apply(request);
    if (special != null) {
      return special;
    }
    String audience = query(request.query()).getOrDefault("audience", "https://github.com/kvload");
    String token =
        entra.mint(FakeEntra.GITHUB_ISSUER, githubSubject, audience, Duration.ofMinutes(5));
    return Reply.status(
        200, "{\"count\":" + idTokenRequests.get() + ",\"value\":\"" + token + "\"}");
  }

  private byte[] bundle(Request request, String name, Version v) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (JsonGenerator json = JSON.createGenerator(bytes)) {
      json.writeStartObject();
      json.writeStringField("value", v.value());
      if (v.contentType() != null) {
        json.writeStringField("contentType", v.contentType());
      }
      json.writeStringField(
          "id", "https://" + request.host() + ":" + port() + "/secrets/" + name + "/" + v.id());
      json.writeObjectFieldStart("attributes");
      json.writeBooleanField("enabled", v.enabled());
      if (v.notBefore() != null) {
        json.writeNumberField("nbf", v.notBefore().getEpochSecond());
      }
      if (v.expires() != null) {
        json.writeNumberField("exp", v.expires().getEpochSecond());
      }
      json.writeNumberField("created", 1_700_000_000L);
      json.writeNumberField("updated", 1_700_000_000L);
      json.writeStringField("recoveryLevel", "Recoverable+Purgeable");
      json.writeEndObject();
      Written meta = written.get(v.id());
      if (meta != null && meta.contentType() != null) {
        json.writeStringField("contentType", meta.contentType());
      }
      json.writeObjectFieldStart("tags");
      if (meta != null) {
        for (var tag : meta.tags().entrySet()) {
          json.writeStringField(tag.getKey(), tag.getValue());
        }
      }
      json.writeEndObject();
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  public static String error(String code, String message) {
    return "{\"error\":{\"code\":\"" + code + "\",\"message\":\"" + message + "\"}}";
  }

  private static Map<String, String> query(String query) {
    Map<String, String> params = new HashMap<>();
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        params.put(
            URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return params;
  }
}
