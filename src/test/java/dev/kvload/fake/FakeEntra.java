package dev.kvload.fake;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Entra ID's token endpoint as MSAL's client-credentials flow meets it: app registrations with a
 * client secret, a certificate or federated credentials, and the AADSTS errors Entra ID answers
 * when what is presented does not match. Also the issuer of the federated tokens the tests present
 * (GitHub Actions ID tokens, Kubernetes service account tokens), signed with a key only it holds.
 */
public final class FakeEntra {
  public static final String EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";
  public static final String GITHUB_ISSUER = "https://token.actions.githubusercontent.com";
  public static final String KUBERNETES_ISSUER = "https://oidc.prod-aks.azure.com/fake-cluster/";

  /** A tenant the fake knows that holds no app: for "wrong tenant" tests. */
  public static final String OTHER_TENANT = "11111111-2222-4333-8444-555555555555";

  static final String VAULT_SCOPE = "https://vault.azure.net/.default";
  private static final String ASSERTION_TYPE =
      "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
  private static final Pattern FIELD =
      Pattern.compile("\"(\\w+)\"\\s*:\\s*(\"((?:[^\"\\\\]|\\\\.)*)\"|-?\\d+)");

  private final KeyPair issuerKey;
  private final Map<String, App> apps = new ConcurrentHashMap<>();
  private final List<String> minted = new CopyOnWriteArrayList<>();
  private final FakeSignIn signIn = new FakeSignIn();

  /** A federated credential: which tokens an app accepts in place of a secret. */
  public record Federation(String issuer, String subject) {}

  /** An app registration (its service principal lives in {@link FakeAzure#TENANT}). */
  public static final class App {
    private final String clientId;
    private volatile String secret;
    private volatile X509Certificate certificate;
    private final List<Federation> federations = new CopyOnWriteArrayList<>();

    App(String clientId) {
      this.clientId = clientId;
    }

    public String clientId() {
      return clientId;
    }

    public String tenant() {
      return FakeAzure.TENANT;
    }

    public String secret() {
      return secret;
    }

    /** Gives the app a new random client secret and returns it. */
    public App withSecret() {
      this.secret = "fake~secret~" + UUID.randomUUID().toString().replace("-", "");
      return this;
    }

    public App withCertificate(X509Certificate certificate) {
      this.certificate = certificate;
      return this;
    }

    public App federate(String issuer, String subject) {
      federations.add(new Federation(issuer, subject));
      return this;
    }
  }

  /** What the token endpoint answers. */
  public record Answer(int status, String json, String accessToken) {}

  FakeEntra() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      issuerKey = generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Registers an app with a fresh client ID. */
  public App register() {
    App app = new App(UUID.randomUUID().toString());
    apps.put(app.clientId(), app);
    return app;
  }

  /** Users signing in on a device: the device code and refresh token grants. */
  public FakeSignIn signIn() {
    return signIn;
  }

  /**
   * Client secrets, every federated token minted, and the device codes and tokens of user sign-ins:
   * none may ever reach kvload's output.
   */
  List<String> sensitive() {
    List<String> values = new ArrayList<>(minted);
    values.addAll(signIn.sensitive());
    apps.values()
        .forEach(
            a -> {
              if (a.secret() != null) {
                values.add(a.secret());
              }
            });
    return values;
  }

  /** A signed federated token (a JWT, ES256) as an OIDC issuer would give a workload. */
  public String mint(String issuer, String subject, String audience, Duration lifetime) {
    Instant now = Instant.now();
    String header = "{\"alg\":\"ES256\",\"typ\":\"JWT\",\"kid\":\"fake\"}";
    String payload =
        "{\"iss\":\""
            + issuer
            + "\",\"sub\":\""
            + subject
            + "\",\"aud\":\""
            + audience
            + "\",\"jti\":\""
            + UUID.randomUUID()
            + "\",\"iat\":"
            + now.getEpochSecond()
            + ",\"nbf\":"
            + now.minusSeconds(5).getEpochSecond()
            + ",\"exp\":"
            + now.plus(lifetime).getEpochSecond()
            + "}";
    String signingInput = b64(header) + "." + b64(payload);
    try {
      Signature signature = Signature.getInstance("SHA256withECDSAinP1363Format");
      signature.initSign(issuerKey.getPrivate());
      signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      String jwt =
          signingInput
              + "."
              + Base64.getUrlEncoder().withoutPadding().encodeToString(signature.sign());
      minted.add(jwt);
      return jwt;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code POST /{tenant}/oauth2/v2.0/token}: the client-credentials grant. */
  Answer token(String tenant, Map<String, String> form, String endpoint) {
    String grant = form.getOrDefault("grant_type", "");
    if (grant.equals("refresh_token")
        || grant.equals("device_code")
        || grant.equals("urn:ietf:params:oauth:grant-type:device_code")) {
      return signIn.token(tenant, form);
    }
    if (!"client_credentials".equals(grant)) {
      return error(
          400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type.");
    }
    if (!tenant.equals(FakeAzure.TENANT) && !tenant.equals(OTHER_TENANT)) {
      return error(400, "invalid_request", 90002, "Tenant '" + tenant + "' not found.");
    }
    String clientId = form.get("client_id");
    App app = clientId == null ? null : apps.get(clientId);
    if (app == null || !tenant.equals(app.tenant())) {
      return unknownApp(clientId, tenant);
    }
    String problem = authenticate(app, form, endpoint);
    if (problem != null) {
      return errorFor(problem);
    }
    String scope = form.getOrDefault("scope", "");
    if (!Set.of(scope.split(" ")).contains(VAULT_SCOPE)) {
      return error(
          400,
          "invalid_resource",
          500011,
          "The resource principal named " + scope + " was not found in the tenant.");
    }
    String token = FakeAzure.accessToken(tenant);
    return new Answer(
        200,
        "{\"token_type\":\"Bearer\",\"expires_in\":3599,\"ext_expires_in\":3599,\"access_token\":\""
            + token
            + "\"}",
        token);
  }

  /** Null when the app is who it claims to be, else "CODE message". */
  private String authenticate(App app, Map<String, String> form, String endpoint) {
    if (form.containsKey("client_secret")) {
      if (app.secret() == null || !app.secret().equals(form.get("client_secret"))) {
        return "7000215 Invalid client secret provided. Ensure the secret being sent in the request"
            + " is the client secret value, not the client secret ID, for a secret added to app '"
            + app.clientId()
            + "'.";
      }
      return null;
    }
    String assertion = form.get("client_assertion");
    if (assertion == null || !ASSERTION_TYPE.equals(form.get("client_assertion_type"))) {
      return "7000218 The request body must contain the following parameter: 'client_assertion'"
          + " or 'client_secret'.";
    }
    String[] parts = assertion.split("\\.");
    if (parts.length != 3) {
      return "50027 JWT token is invalid or malformed.";
    }
    Map<String, String> header =
        fields(new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8));
    Map<String, String> claims =
        fields(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    String signingInput = parts[0] + "." + parts[1];
    byte[] signature = Base64.getUrlDecoder().decode(parts[2]);
    long now = Instant.now().getEpochSecond();
    long exp = Long.parseLong(claims.getOrDefault("exp", "0"));
    long nbf = Long.parseLong(claims.getOrDefault("nbf", "0"));
    if ("RS256".equals(header.get("alg"))) {
      // A certificate credential: MSAL signs its own assertion with the app's private key.
      if (app.certificate == null
          || !verify("SHA256withRSA", app.certificate.getPublicKey(), signingInput, signature)) {
        return "700027 Client assertion contains an invalid signature. [Reason - The key was not"
            + " found.]";
      }
      if (!endpoint.equals(claims.get("aud"))) {
        return "700212 No matching federated identity record found for presented assertion"
            + " audience '"
            + claims.get("aud")
            + "'.";
      }
      return now > exp || now + 300 < nbf
          ? "700024 Client assertion is not within its valid time range."
          : null;
    }
    if (!verify("SHA256withECDSAinP1363Format", issuerKey.getPublic(), signingInput, signature)) {
      return "50013 Assertion failed signature validation.";
    }
    if (now > exp || now + 300 < nbf) {
      return "700024 Client assertion is not within its valid time range. Current time: "
          + Instant.ofEpochSecond(now)
          + ", expiry time of assertion "
          + Instant.ofEpochSecond(exp)
          + ".";
    }
    Federation presented = new Federation(claims.get("iss"), claims.get("sub"));
    if (!EXCHANGE_AUDIENCE.equals(claims.get("aud")) || !app.federations.contains(presented)) {
      return "70021 No matching federated identity record found for presented assertion. Assertion"
          + " Issuer: '"
          + presented.issuer()
          + "'. Assertion Subject: '"
          + presented.subject()
          + "'. Assertion Audience: '"
          + claims.get("aud")
          + "'.";
    }
    return null;
  }

  private static boolean verify(String algorithm, PublicKey key, String input, byte[] signature) {
    try {
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(key);
      verifier.update(input.getBytes(StandardCharsets.US_ASCII));
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static Answer errorFor(String problem) {
    int space = problem.indexOf(' ');
    int code = Integer.parseInt(problem.substring(0, space));
    String error = code == 700016 ? "unauthorized_client" : "invalid_client";
    return error(code == 7000215 ? 401 : 400, error, code, problem.substring(space + 1));
  }

  /** AADSTS700016: the tenant has no app of that client ID. */
  static Answer unknownApp(String clientId, String tenant) {
    return error(
        400,
        "unauthorized_client",
        700016,
        "Application with identifier '"
            + clientId
            + "' was not found in the directory '"
            + tenant
            + "'.");
  }

  /** An error in Entra ID's shape: the description starts with the AADSTS code. */
  static Answer error(int status, String error, int code, String message) {
    String trace = UUID.randomUUID().toString();
    String description =
        "AADSTS"
            + code
            + ": "
            + message
            + "\\r\\nTrace ID: "
            + trace
            + "\\r\\nCorrelation ID: "
            + UUID.randomUUID()
            + "\\r\\nTimestamp: "
            + Instant.now();
    return new Answer(
        status,
        "{\"error\":\""
            + error
            + "\",\"error_description\":\""
            + description
            + "\",\"error_codes\":["
            + code
            + "],\"timestamp\":\""
            + Instant.now()
            + "\",\"trace_id\":\""
            + trace
            + "\",\"correlation_id\":\""
            + UUID.randomUUID()
            + "\",\"error_uri\":\"https://login.microsoftonline.com/error?code="
            + code
            + "\"}",
        null);
  }

  /** Top-level string and number fields of a small JSON object the fake made or MSAL sent. */
  static Map<String, String> fields(String json) {
    Map<String, String> fields = new ConcurrentHashMap<>();
    Matcher m = FIELD.matcher(json);
    while (m.find()) {
      fields.put(m.group(1), m.group(3) != null ? m.group(3).replace("\\/", "/") : m.group(2));
    }
    return fields;
  }

  private static String b64(String s) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
