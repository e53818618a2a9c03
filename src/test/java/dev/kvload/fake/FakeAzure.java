package dev.kvload.fake;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
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
  }

  /**
   * A canned answer that replaces the normal one.
   *
   * @param dropAfter when not negative: announce the whole body, send this many bytes of it, then
   *     drop the connection (a connection lost mid-body)
   */
  public record Reply(
      int status, Map<String, String> headers, byte[] body, Duration delay, int dropAfter) {
    public Reply(int status, Map<String, String> headers, byte[] body, Duration delay) {
      this(status, headers, body, delay, -1);
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

  /** Answers every GET of this secret with {@code behaviour} instead. */
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
      if (reply.dropAfter() >= 0) {
        exchange.sendResponseHeaders(reply.status(), reply.body().length);
        OutputStream out = exchange.getResponseBody();
        out.write(reply.body(), 0, Math.min(reply.dropAfter(), reply.body().length));
        out.flush();
        // Closing the exchange short of the announced length makes the server drop the connection.
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
      inFlight.decrementAndGet();
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
    if (!request.path().startsWith("/secrets/")) {
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
    if (!request.method().equals("GET")) {
      return Reply.status(405, error("MethodNotAllowed", "only GET"));
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
      json.writeObjectFieldStart("tags");
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
