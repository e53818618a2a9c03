package dev.kvload.auth;

import com.azure.identity.CredentialUnavailableException;
import java.io.File;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLHandshakeException;

/**
 * Turns what one credential threw into one line for users and, where it is clear, the next step.
 * The SDK's messages run to paragraphs with links; its facts are kept (which variable is missing,
 * the AADSTS code, the tenant the vault asked for) and the rest dropped.
 */
final class Diagnosis {
  private static final Pattern AADSTS = Pattern.compile("AADSTS(\\d{1,9})");
  private static final Pattern OTHER_TENANT =
      Pattern.compile("not configured to acquire tokens for tenant (\\S+?)\\.?(\\s|$)");
  private static final Pattern JWT =
      Pattern.compile("eyJ[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]*");
  private static final Pattern URL = Pattern.compile("\\s*\\(?https?://\\S+");
  private static final List<String> SECRET_VARIABLES =
      List.of(
          "AZURE_CLIENT_SECRET",
          "AZURE_CLIENT_CERTIFICATE_PASSWORD",
          "AZURE_PASSWORD",
          GithubOidc.REQUEST_TOKEN);
  private static final int MAX_REASON = 220;

  /** Where the facts of an SDK message end and its boilerplate begins. */
  private static final List<String> NOISE =
      List.of(
          "To mitigate this issue",
          "To further mitigate",
          "See the troubleshooting",
          "For more",
          "Managed Identity Correlation ID");

  /** How the SDK's messages introduce the text of an answer they quote. */
  private static final List<String> BODY_MARKERS =
      List.of(
          "http body",
          "Error Message:",
          "Error Code:",
          "Content:",
          "could not be parsed",
          "Unrecognized token",
          "Unexpected character");

  private static final String MANAGED_IDENTITY_HINT =
      "run where a managed identity is assigned (Azure VM, App Service, Container Apps, AKS),"
          + " with --client-id for a user-assigned one; elsewhere choose another --auth";

  private Diagnosis() {}

  /** As {@link #of(AuthContext, String, Throwable, Supplier, List)}, no token endpoint answered. */
  static Attempt of(
      AuthContext context,
      String credential,
      Throwable error,
      Supplier<Map<String, String>> claims) {
    return of(context, credential, error, claims, List.of());
  }

  /**
   * @param claims the claims of the federated token presented, if any: the issuer and subject a
   *     missing federated credential must name
   * @param answers what token endpoints answered instead of a token during this attempt: when there
   *     is any, the SDK's message (which quotes such answers) is not used at all
   */
  static Attempt of(
      AuthContext context,
      String credential,
      Throwable error,
      Supplier<Map<String, String>> claims,
      List<TokenAnswers.Answer> answers) {
    Attempt attempt =
        switch (error) {
          case Login.Refused refused ->
              new Attempt(
                  credential,
                  Attempt.Result.REJECTED,
                  refused.getMessage(),
                  Login.SIGN_IN_AGAIN,
                  error);
          case Throwable t when !answers.isEmpty() ->
              answered(context, credential, error, claims, answers.getLast());
          case CredentialUnavailableException e -> unavailable(context, credential, error);
          default -> failed(context, credential, error, claims);
        };
    return new Attempt(
        attempt.credential(),
        attempt.result(),
        scrub(context, attempt.reason()),
        attempt.nextStep() == null ? null : scrub(context, attempt.nextStep()),
        error);
  }

  /**
   * A token endpoint answered, and not with a token: explained from the answer's facts alone.
   * Whether the chain goes on to the next credential still follows the SDK's verdict.
   */
  private static Attempt answered(
      AuthContext context,
      String credential,
      Throwable error,
      Supplier<Map<String, String>> claims,
      TokenAnswers.Answer answer) {
    boolean managed = credential.equals("ManagedIdentityCredential");
    Attempt.Result result =
        error instanceof CredentialUnavailableException
            ? Attempt.Result.UNAVAILABLE
            : Attempt.Result.FAILED;
    if (answer.aadsts() != null) {
      return new Attempt(
          credential,
          result == Attempt.Result.UNAVAILABLE ? result : Attempt.Result.REJECTED,
          "rejected by Entra ID: " + aadsts(answer.aadsts()),
          managed ? MANAGED_IDENTITY_HINT : rejectedNextStep(context, answer.aadsts(), claims),
          error);
    }
    if (answer.noIdentity()) {
      return new Attempt(credential, result, noIdentity(context), MANAGED_IDENTITY_HINT, error);
    }
    String endpoint = "the token endpoint " + answer.host();
    if (!answer.readable()) {
      return new Attempt(
          credential,
          result,
          endpoint + " answered HTTP " + answer.status() + " without a token it could read",
          managed
              ? MANAGED_IDENTITY_HINT
              : "check that no proxy (HTTPS_PROXY) answers in place of " + authority(context),
          error);
    }
    return new Attempt(
        credential,
        result,
        endpoint
            + " refused (HTTP "
            + answer.status()
            + (answer.error() == null ? "" : ", " + answer.error())
            + ")",
        managed ? MANAGED_IDENTITY_HINT : null,
        error);
  }

  private static String noIdentity(AuthContext context) {
    String clientId = context.settings().clientId();
    return "no managed identity is assigned here"
        + (clientId == null ? "" : " with client ID " + clientId);
  }

  /**
   * An AADSTS error in kvload's words, never Entra ID's description: an answer's text is never
   * shown, and Entra ID writes what it was sent into some of them.
   */
  static String aadsts(String code) {
    String meaning =
        switch (code) {
          case "7000215" -> "Invalid client secret provided";
          case "7000222" -> "The client secret has expired";
          case "7000218" -> "Neither a client secret nor a client assertion was sent";
          case "700016" -> "Application not found in the directory";
          case "90002" -> "Tenant not found";
          case "900023" -> "The tenant identifier is not valid";
          case "70021", "700211", "700212", "700213" ->
              "No matching federated identity record found for presented assertion";
          case "700024" -> "Client assertion is not within its valid time range";
          case "700027" -> "Client assertion contains an invalid signature";
          case "50027" -> "The assertion is not a valid JWT";
          case "50013" -> "Assertion failed signature validation";
          case "500011" -> "The resource principal was not found in the tenant";
          case "53003" -> "Access has been blocked by Conditional Access policies";
          case "50173" -> "The refresh token was revoked (a password reset, or an admin)";
          case "700082" -> "The refresh token has expired due to inactivity";
          case "50133" -> "The session ended with a password change or an expiry";
          default -> null;
        };
    return "AADSTS"
        + code
        + (meaning == null
            ? " (see https://login.microsoftonline.com/error?code=" + code + ")"
            : ": " + meaning);
  }

  private static Attempt unavailable(AuthContext context, String credential, Throwable error) {
    String message = String.valueOf(error.getMessage());
    return switch (credential) {
      case "EnvironmentCredential" -> {
        Attempt notConfigured = environmentNotConfigured(context);
        yield notConfigured != null
            ? notConfigured
            : Attempt.unavailable(credential, clean(message, credential), null);
      }
      case "WorkloadIdentityCredential" -> {
        Attempt notConfigured = workloadNotConfigured(context);
        yield notConfigured != null
            ? notConfigured
            : Attempt.unavailable(credential, clean(message, credential), workloadHint());
      }
      case "ManagedIdentityCredential" ->
          Attempt.unavailable(credential, clean(message, credential), MANAGED_IDENTITY_HINT);
      case "IntelliJCredential" ->
          Attempt.unavailable(
              credential, "not signed in with the Azure Toolkit for IntelliJ", null);
      case "VisualStudioCodeCredential" ->
          Attempt.unavailable(
              credential,
              "needs the azure-identity-broker library, which kvload does not include",
              null);
      case Login.CREDENTIAL ->
          Attempt.unavailable(credential, clean(message, credential), Login.FIRST_LOGIN);
      case "AzureCliCredential" -> cli(context, credential, "az", message, azLogin(context));
      case "AzureDeveloperCliCredential" ->
          cli(context, credential, "azd", message, "run 'azd auth login'");
      case "AzurePowerShellCredential" ->
          cli(context, credential, "pwsh", message, "run Connect-AzAccount in PowerShell");
      default -> Attempt.unavailable(credential, clean(message, credential), null);
    };
  }

  /** EnvironmentCredential's variables that are missing, or null when none is. */
  static Attempt environmentNotConfigured(AuthContext context) {
    return notConfigured(
        "EnvironmentCredential",
        Requirements.environment(context),
        " for a service principal, or choose another --auth");
  }

  /** WorkloadIdentityCredential's variables that are missing, or null when none is. */
  static Attempt workloadNotConfigured(AuthContext context) {
    return notConfigured(
        "WorkloadIdentityCredential",
        Requirements.workloadIdentity(context),
        "; " + workloadHint());
  }

  private static Attempt notConfigured(String credential, List<String> missing, String advice) {
    String names = Requirements.join(missing);
    return missing.isEmpty()
        ? null
        : Attempt.unavailable(
            credential, "not configured: " + names + " not set", "set " + names + advice);
  }

  private static Attempt cli(
      AuthContext context, String credential, String tool, String message, String signIn) {
    if (!onPath(context, tool)) {
      return Attempt.unavailable(
          credential,
          "'" + tool + "' is not installed (not found on PATH)",
          "az".equals(tool) ? "install the Azure CLI, then " + azLogin(context) : null);
    }
    if (message.contains("az login")
        || message.contains("azd auth login")
        || message.contains("Connect-AzAccount")) {
      return Attempt.unavailable(credential, "installed but not signed in", signIn);
    }
    return Attempt.unavailable(credential, clean(message, credential), signIn);
  }

  static String azLogin(AuthContext context) {
    return context.inCodespace() ? "run 'az login --use-device-code'" : "run 'az login'";
  }

  private static String workloadHint() {
    return "on AKS, enable workload identity for the pod (label azure.workload.identity/use:"
        + " \"true\" and a service account annotated with azure.workload.identity/client-id)";
  }

  private static Attempt failed(
      AuthContext context,
      String credential,
      Throwable error,
      Supplier<Map<String, String>> claims) {
    Optional<String> otherTenant = find(error, OTHER_TENANT).map(m -> m.group(1));
    if (otherTenant.isPresent()) {
      return tenantMismatch(context, credential, otherTenant.get(), error);
    }
    Optional<Matcher> aadsts = find(error, AADSTS);
    if (aadsts.isPresent()) {
      String code = aadsts.get().group(1);
      return new Attempt(
          credential,
          Attempt.Result.REJECTED,
          "rejected by Entra ID: " + aadsts(code),
          rejectedNextStep(context, code, claims),
          error);
    }
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof GithubOidc.EndpointFailure endpoint) {
        return failure(
            credential,
            endpoint.getMessage(),
            endpoint.getMessage().contains("refused")
                ? "re-run the job; if it keeps failing, check that the job has 'permissions:"
                    + " id-token: write'"
                : "re-run the job: GitHub's token service may be unavailable");
      }
      if (t instanceof NoSuchFileException || t instanceof AccessDeniedException) {
        return fileProblem(context, credential, (java.nio.file.FileSystemException) t);
      }
      if (t instanceof UnknownHostException
          || t instanceof ConnectException
          || t instanceof SocketTimeoutException
          || t instanceof HttpTimeoutException
          || t instanceof SSLHandshakeException) {
        return failure(
            credential,
            "could not reach the sign-in endpoint "
                + authority(context)
                + " ("
                + t.getClass().getSimpleName()
                + ")",
            "check the network, a proxy (HTTPS_PROXY) and AZURE_AUTHORITY_HOST");
      }
    }
    return failure(
        credential,
        clean(deepestMessage(error), credential),
        credential.equals("ManagedIdentityCredential") ? MANAGED_IDENTITY_HINT : null);
  }

  private static Attempt tenantMismatch(
      AuthContext context, String credential, String vaultTenant, Throwable error) {
    String configured = context.tenantId();
    String reason =
        configured == null
            ? "the vault asks for a token from tenant "
                + vaultTenant
                + ", which this credential may not sign in to"
            : "the vault belongs to tenant "
                + vaultTenant
                + ", but "
                + context.tenantIdSource()
                + " is "
                + configured;
    String next =
        "pass --tenant-id "
            + vaultTenant
            + (context.mode() == AuthMode.AZURE_CLI || context.mode() == AuthMode.MANAGED_IDENTITY
                ? ""
                : ", or, for a multi-tenant app registration, set"
                    + " AZURE_ADDITIONALLY_ALLOWED_TENANTS="
                    + vaultTenant);
    return new Attempt(credential, Attempt.Result.FAILED, reason, next, error);
  }

  private static String rejectedNextStep(
      AuthContext context, String code, Supplier<Map<String, String>> claims) {
    String app = context.clientId() == null ? "the app registration" : "app " + context.clientId();
    return switch (code) {
      case "7000215", "7000222" ->
          "AZURE_CLIENT_SECRET is wrong or has expired: create a new client secret for "
              + app
              + " and use its value (not its ID)";
      case "700016" ->
          "no "
              + app
              + " in tenant "
              + context.tenantId()
              + ": check AZURE_CLIENT_ID (--client-id) and AZURE_TENANT_ID (--tenant-id)";
      case "90002", "900023", "90023" ->
          "check AZURE_TENANT_ID (--tenant-id): Entra ID does not know that tenant";
      case "70021", "700211", "700212", "700213" -> federation(app, claims);
      case "700024" ->
          "the federated token is outside its validity window: "
              + (context.mode() == AuthMode.GITHUB_OIDC
                  ? "re-run the job"
                  : "is AZURE_FEDERATED_TOKEN_FILE being refreshed?");
      case "700027", "700023" ->
          "the certificate is not one of "
              + app
              + "'s: upload its public part to the app registration, or check"
              + " AZURE_CLIENT_CERTIFICATE_PATH";
      default -> "check the credential's settings against " + app + " in Entra ID";
    };
  }

  private static String federation(String app, Supplier<Map<String, String>> claims) {
    Map<String, String> presented = claims == null ? Map.of() : claims.get();
    String issuer = presented.get("iss");
    String subject = presented.get("sub");
    return "add a federated credential to "
        + app
        + (issuer == null ? "" : " with issuer " + issuer)
        + (subject == null ? " for this workload" : " and subject " + subject);
  }

  private static Attempt fileProblem(
      AuthContext context, String credential, java.nio.file.FileSystemException e) {
    String file = e.getFile();
    String what =
        file != null && file.equals(context.get("AZURE_FEDERATED_TOKEN_FILE"))
            ? "the federated token file"
            : file != null && file.equals(context.get("AZURE_CLIENT_CERTIFICATE_PATH"))
                ? "the certificate"
                : "file";
    String variable =
        what.equals("the federated token file")
            ? "AZURE_FEDERATED_TOKEN_FILE"
            : what.equals("the certificate") ? "AZURE_CLIENT_CERTIFICATE_PATH" : null;
    String problem = e instanceof NoSuchFileException ? "no such file" : "permission denied";
    String next =
        variable == null
            ? null
            : "check "
                + variable
                + (variable.equals("AZURE_FEDERATED_TOKEN_FILE") ? "; " + workloadHint() : "");
    return failure(credential, "cannot read " + what + " " + file + " (" + problem + ")", next);
  }

  private static Attempt failure(String credential, String reason, String nextStep) {
    return new Attempt(credential, Attempt.Result.FAILED, reason, nextStep, null);
  }

  private static String authority(AuthContext context) {
    String host = context.get("AZURE_AUTHORITY_HOST");
    return host == null ? "https://login.microsoftonline.com" : host;
  }

  /**
   * Entra ID's error number in an SDK or MSAL exception, or null. Only the number is kept: the
   * description may quote what was sent.
   */
  static String aadstsCode(Throwable error) {
    return find(error, AADSTS).map(m -> m.group(1)).orElse(null);
  }

  private static Optional<Matcher> find(Throwable error, Pattern pattern) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t.getMessage() != null) {
        Matcher m = pattern.matcher(t.getMessage());
        if (m.find()) {
          return Optional.of(m);
        }
      }
    }
    return Optional.empty();
  }

  /** The SDK wraps and rewraps; the innermost message says what actually happened. */
  private static String deepestMessage(Throwable error) {
    String message = null;
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        message = t.getMessage();
      }
    }
    if (message == null) {
      return error.getClass().getSimpleName();
    }
    int details = message.indexOf("Error Details: ");
    return details >= 0 ? message.substring(details + "Error Details: ".length()) : message;
  }

  /**
   * The first line and sentence of an SDK message, without the credential's name, troubleshooting
   * links and boilerplate.
   */
  static String clean(String message, String credential) {
    String text = message == null ? "" : message.strip();
    if (BODY_MARKERS.stream().anyMatch(text::contains)) {
      // Normally explained from TokenAnswers' facts before it gets here; should an answer reach a
      // message by another way, it is still not shown.
      return TokenAnswers.saysNoIdentity(text)
          ? "no managed identity is assigned here"
          : "the token endpoint's answer was not a token (its text is not shown)";
    }
    int newline = text.indexOf('\n');
    if (newline >= 0) {
      text = text.substring(0, newline).strip();
    }
    for (String noise : NOISE) {
      int at = text.indexOf(noise);
      if (at >= 0) {
        text = text.substring(0, at).strip();
      }
    }
    text = URL.matcher(text).replaceAll("");
    for (String prefix :
        List.of(
            "[Managed Identity] Error Message:",
            "[Managed Identity]",
            credential + " authentication unavailable.",
            credential + " authentication unavailable",
            credential + " authentication failed.",
            "DefaultAzureCredential authentication failed. --->")) {
      if (text.startsWith(prefix)) {
        text = text.substring(prefix.length()).strip();
      }
    }
    text = text.replaceAll("\\s+", " ").strip();
    while (text.endsWith(".") || text.endsWith(",")) {
      text = text.substring(0, text.length() - 1);
    }
    if (text.isEmpty()) {
      return "unavailable";
    }
    return text.length() > MAX_REASON ? text.substring(0, MAX_REASON) + "..." : text;
  }

  /** Whether an executable named {@code tool} is on the run's PATH. */
  static boolean onPath(AuthContext context, String tool) {
    String path = context.get("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Belt and braces: no SDK message kvload knows of carries a secret, but should one quote a client
   * secret, a password, the Actions request token or any JWT, it is blanked here.
   */
  static String scrub(AuthContext context, String line) {
    String out = JWT.matcher(line).replaceAll("[token]");
    List<String> secrets = new ArrayList<>();
    for (String name : SECRET_VARIABLES) {
      String value = context.get(name);
      if (value != null && value.length() >= 4) {
        secrets.add(value);
      }
    }
    for (String secret : secrets) {
      out = out.replace(secret, "[redacted]");
    }
    return out;
  }
}
