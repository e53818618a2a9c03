package dev.kvload.fake;

import dev.kvload.auth.Login;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Entra ID's side of a user signing in on a device: the device code endpoint, the device code grant
 * (pending for a set number of polls, then approved, declined or expired, with {@code slow_down}
 * answers on request), and the refresh token grant, which rotates the refresh token (the old one
 * stops working, stricter than Entra ID, so a client that does not keep the new one is caught) and
 * can be revoked. Answers carry the {@code id_token} and {@code client_info} MSAL builds its
 * account from. Access tokens live 4 minutes, under MSAL's 5-minute reuse margin, so every process
 * redeems the refresh token.
 */
public final class FakeSignIn {
  /** The signed-in user. */
  public static final String USER = "dev@contoso.example";

  public static final String USER_OBJECT_ID = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";
  public static final String VERIFICATION_URI = "https://microsoft.com/devicelogin";

  /**
   * Under MSAL's 5-minute reuse margin, so every process redeems the refresh token; over kvload's
   * own 2-minute margin, so one process redeems it once.
   */
  private static final int ACCESS_TOKEN_SECONDS = 240;

  /** How the user answers the verification page. */
  public enum Outcome {
    APPROVE,
    DECLINE,
    EXPIRE
  }

  private volatile int refusal = 50173;
  private volatile String refusalDescription = "The provided grant has expired.";
  private final Set<String> publicClients = ConcurrentHashMap.newKeySet();
  private final Map<String, Flow> flows = new ConcurrentHashMap<>();
  private final Set<String> validRefreshTokens = ConcurrentHashMap.newKeySet();
  private final List<String> issued = new CopyOnWriteArrayList<>();
  private final List<String> userCodes = new CopyOnWriteArrayList<>();
  private final List<String> grants = new CopyOnWriteArrayList<>();
  private final AtomicInteger deviceCodeRequests = new AtomicInteger();
  private volatile Outcome outcome = Outcome.APPROVE;
  private volatile int pendingPolls = 1;
  private volatile int slowDowns;
  private volatile long expiresIn = 900;
  private volatile String userCodeOverride;

  private static final class Flow {
    final String clientId;
    final Outcome outcome;
    int pending;
    int slowDowns;
    boolean used;

    Flow(String clientId, Outcome outcome, int pending, int slowDowns) {
      this.clientId = clientId;
      this.outcome = outcome;
      this.pending = pending;
      this.slowDowns = slowDowns;
    }
  }

  FakeSignIn() {
    publicClients.add(Login.DEFAULT_CLIENT_ID);
  }

  /** The next sign-in: {@code pending} polls answered authorization_pending, then the outcome. */
  public FakeSignIn next(Outcome outcome, int pending) {
    this.outcome = outcome;
    this.pendingPolls = pending;
    return this;
  }

  /** The next sign-in's first polls are answered slow_down, this many. */
  public FakeSignIn slowDowns(int count) {
    this.slowDowns = count;
    return this;
  }

  /** The next device codes' lifetime, in seconds. */
  public FakeSignIn expiresIn(long seconds) {
    this.expiresIn = seconds;
    return this;
  }

  /** A user code the next device code answers carry, instead of a fair one. */
  public FakeSignIn userCode(String code) {
    this.userCodeOverride = code;
    return this;
  }

  /** Another app that may sign users in with the device code flow. */
  public void allowPublicClient(String clientId) {
    publicClients.add(clientId);
  }

  /** Revokes every refresh token given out: as when the password changes or an admin revokes. */
  public void revokeAll() {
    refuseRefreshTokens(
        50173,
        "The provided grant has expired due to it being revoked, a fresh auth token is needed."
            + " The user might have changed or reset their password.");
  }

  /**
   * Every refresh token given out so far is refused from now on with this AADSTS error ({@code
   * invalid_grant}): 50173 revoked, 700082 expired from inactivity, 50133 a password changed.
   */
  public void refuseRefreshTokens(int aadsts, String description) {
    refusal = aadsts;
    refusalDescription = description;
    validRefreshTokens.clear();
  }

  /** Requests to the device code endpoint. */
  public int deviceCodeRequests() {
    return deviceCodeRequests.get();
  }

  /** The grant types of every token request of a user sign-in, in order. */
  public List<String> grants() {
    return List.copyOf(grants);
  }

  /** The user codes shown: meant for the user, so allowed on stderr. */
  public List<String> userCodes() {
    return List.copyOf(userCodes);
  }

  /** Device codes, refresh tokens, access and ID tokens: none may reach kvload's output. */
  List<String> sensitive() {
    return new ArrayList<>(issued);
  }

  /** {@code POST /{tenant}/oauth2/v2.0/devicecode}. */
  FakeEntra.Answer deviceCode(String tenant, Map<String, String> form) {
    deviceCodeRequests.incrementAndGet();
    String clientId = form.get("client_id");
    if (clientId == null || !publicClients.contains(clientId)) {
      return FakeEntra.unknownApp(clientId, tenant);
    }
    if (!knownTenant(tenant)) {
      return FakeEntra.error(400, "invalid_request", 90002, "Tenant '" + tenant + "' not found.");
    }
    String deviceCode = "fake-device-code-" + UUID.randomUUID();
    String userCode =
        userCodeOverride != null
            ? userCodeOverride
            : UUID.randomUUID().toString().substring(0, 8).toUpperCase();
    issued.add(deviceCode);
    userCodes.add(userCode);
    flows.put(deviceCode, new Flow(clientId, outcome, pendingPolls, slowDowns));
    String json =
        "{\"user_code\":\""
            + userCode.replace("\\", "\\\\").replace("\"", "\\\"")
            + "\",\"device_code\":\""
            + deviceCode
            + "\",\"verification_uri\":\""
            + VERIFICATION_URI
            + "\",\"expires_in\":"
            + expiresIn
            + ",\"interval\":1,\"message\":\"To sign in, use a web browser to open the page "
            + VERIFICATION_URI
            + " and enter the code "
            + userCode.replace("\\", "\\\\").replace("\"", "\\\"")
            + " to authenticate.\"}";
    return new FakeEntra.Answer(200, json, null);
  }

  /** The device code and refresh token grants of {@code POST /{tenant}/oauth2/v2.0/token}. */
  FakeEntra.Answer token(String tenant, Map<String, String> form) {
    String grant = form.get("grant_type");
    grants.add(grant);
    String clientId = form.get("client_id");
    if (clientId == null || !publicClients.contains(clientId)) {
      return FakeEntra.unknownApp(clientId, tenant);
    }
    if (!knownTenant(tenant)) {
      return FakeEntra.error(400, "invalid_request", 90002, "Tenant '" + tenant + "' not found.");
    }
    if (grant.equals("refresh_token")) {
      String presented = form.get("refresh_token");
      if (presented == null || !validRefreshTokens.remove(presented)) {
        return FakeEntra.error(400, "invalid_grant", refusal, refusalDescription);
      }
      return tokens(form);
    }
    Flow flow = flows.get(form.getOrDefault("device_code", ""));
    if (flow == null || flow.used || !flow.clientId.equals(clientId)) {
      return pollError("bad_verification_code", 70019, "Verification code expired.");
    }
    synchronized (flow) {
      if (flow.slowDowns > 0) {
        flow.slowDowns--;
        return pollError("slow_down", 70000, "Polling too fast.");
      }
      if (flow.pending > 0) {
        flow.pending--;
        return pollError(
            "authorization_pending",
            70016,
            "OAuth 2.0 device flow error. Authorization is pending. Continue polling.");
      }
      flow.used = true;
    }
    return switch (flow.outcome) {
      case APPROVE -> tokens(form);
      case DECLINE ->
          pollError("authorization_declined", 70000, "The user declined the sign-in request.");
      case EXPIRE ->
          pollError(
              "expired_token",
              70020,
              "The provided value for the input parameter"
                  + " 'device_code' is not valid. This device code has expired.");
    };
  }

  /** Tokens for the user: a new refresh token (the presented one, if any, is spent). */
  private FakeEntra.Answer tokens(Map<String, String> form) {
    String access = FakeAzure.accessToken(FakeAzure.TENANT);
    String refresh = "fake-refresh-" + UUID.randomUUID();
    validRefreshTokens.add(refresh);
    String idToken = idToken(form.get("client_id"));
    issued.add(access);
    issued.add(refresh);
    issued.add(idToken);
    String clientInfo =
        b64("{\"uid\":\"" + USER_OBJECT_ID + "\",\"utid\":\"" + FakeAzure.TENANT + "\"}");
    String json =
        "{\"token_type\":\"Bearer\",\"scope\":\""
            + form.getOrDefault("scope", "")
            + "\",\"expires_in\":"
            + ACCESS_TOKEN_SECONDS
            + ",\"ext_expires_in\":"
            + ACCESS_TOKEN_SECONDS
            + ",\"access_token\":\""
            + access
            + "\",\"refresh_token\":\""
            + refresh
            + "\",\"id_token\":\""
            + idToken
            + "\",\"client_info\":\""
            + clientInfo
            + "\",\"foci\":\"1\"}";
    return new FakeEntra.Answer(200, json, access);
  }

  private static String idToken(String clientId) {
    long now = Instant.now().getEpochSecond();
    String claims =
        "{\"aud\":\""
            + clientId
            + "\",\"iss\":\"https://login.microsoftonline.com/"
            + FakeAzure.TENANT
            + "/v2.0\",\"iat\":"
            + now
            + ",\"nbf\":"
            + now
            + ",\"exp\":"
            + (now + 3600)
            + ",\"name\":\"Dev User\",\"oid\":\""
            + USER_OBJECT_ID
            + "\",\"preferred_username\":\""
            + USER
            + "\",\"sub\":\"fake-subject\",\"tid\":\""
            + FakeAzure.TENANT
            + "\",\"ver\":\"2.0\"}";
    return b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + b64(claims) + ".";
  }

  private static boolean knownTenant(String tenant) {
    return tenant.equals(FakeAzure.TENANT)
        || tenant.equals("organizations")
        || tenant.equals("common");
  }

  private static FakeEntra.Answer pollError(String error, int code, String message) {
    return FakeEntra.error(400, error, code, message);
  }

  private static String b64(String s) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
