package dev.kvload.auth;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Which credential {@code --auth default} would use here, and why, told from the environment alone
 * (and one TCP connect to IMDS, as the chain itself makes): no token is asked for. For {@code
 * kvload status}.
 */
public final class DefaultPrediction {
  private DefaultPrediction() {}

  /**
   * @param credential the credential the chain would reach and try first with a chance of working,
   *     or null when none would
   * @param reason why that one
   * @param skipped the credentials before it, each with why it would be passed over
   */
  public record Prediction(String credential, String reason, List<String> skipped) {}

  public static Prediction predict(AuthSettings settings, Map<String, String> env) {
    AuthContext context =
        new AuthContext(
            new AuthSettings(AuthMode.DEFAULT, settings.clientId(), settings.tenantId()), env);
    List<String> names;
    try {
      names =
          Credentials.withLogin(Credentials.defaultChain(context.get("AZURE_TOKEN_CREDENTIALS")));
    } catch (IllegalArgumentException e) {
      return new Prediction(null, e.getMessage(), List.of());
    }
    List<String> skipped = new ArrayList<>();
    for (String name : names) {
      String why = chosen(context, name);
      if (why.startsWith("+")) {
        return new Prediction(name, why.substring(1), skipped);
      }
      skipped.add(name + ": " + why);
    }
    return new Prediction(null, "no credential of the chain is set up here", skipped);
  }

  /** "+why" when the chain would use this credential, else why it would pass over it. */
  private static String chosen(AuthContext context, String name) {
    return switch (name) {
      case "EnvironmentCredential" -> {
        List<String> missing = Requirements.environment(context);
        yield missing.isEmpty()
            ? "+AZURE_CLIENT_ID, AZURE_TENANT_ID and a client secret or certificate are set"
            : Requirements.join(missing) + " not set";
      }
      case "WorkloadIdentityCredential" -> {
        List<String> missing = Requirements.workloadIdentity(context);
        yield missing.isEmpty()
            ? "+AZURE_FEDERATED_TOKEN_FILE, AZURE_CLIENT_ID and AZURE_TENANT_ID are set"
            : Requirements.join(missing) + " not set";
      }
      case "ManagedIdentityCredential" -> {
        if (!ImdsProbe.imdsIsTheSource(context)) {
          yield "+a managed identity endpoint is set (App Service, Cloud Shell, Arc or AKS)";
        }
        String failure = ImdsProbe.start(context, ImdsProbe.CHAINED, Runnable::run).failure();
        yield failure == null ? "+the Azure Instance Metadata Service (IMDS) answers" : failure;
      }
      case Login.CREDENTIAL -> {
        Attempt notStored = Login.notStored(context);
        yield notStored == null ? "+a login is stored ('kvload login')" : notStored.reason();
      }
      case "AzureCliCredential" -> tool(context, "az", "Azure CLI");
      case "AzureDeveloperCliCredential" -> tool(context, "azd", "Azure Developer CLI");
      case "AzurePowerShellCredential" -> tool(context, "pwsh", "PowerShell");
      case "VisualStudioCodeCredential" ->
          "needs the azure-identity-broker library, which kvload does not include";
      default -> "not predicted: it depends on the IDE's own sign-in";
    };
  }

  private static String tool(AuthContext context, String command, String what) {
    return Diagnosis.onPath(context, command)
        ? "+'" + command + "' is on PATH: its " + what + " session, if signed in"
        : "'" + command + "' is not installed (not found on PATH)";
  }
}
