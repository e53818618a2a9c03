package dev.kvload.auth;

import java.util.ArrayList;
import java.util.List;

/**
 * The few lines kvload prints when it gets no token: what happened, one line per credential tried
 * with its reason, and the next step.
 */
final class FailureReport {
  private FailureReport() {}

  static List<String> lines(AuthContext context, List<Attempt> attempts) {
    List<String> lines = new ArrayList<>();
    String mode = "(--auth " + context.mode() + ")";
    Attempt last = attempts.isEmpty() ? null : attempts.getLast();
    boolean noneAvailable =
        attempts.stream().allMatch(a -> a.result() == Attempt.Result.UNAVAILABLE);
    if (noneAvailable) {
      lines.add(
          "no credential available "
              + mode
              + (attempts.size() > 1 ? "; tried, in the Azure SDK's order:" : ":"));
    } else if (last.result() == Attempt.Result.REJECTED) {
      lines.add("authentication failed " + mode + ": Entra ID rejected " + last.credential());
    } else {
      lines.add("authentication failed " + mode + ":");
    }
    for (Attempt attempt : attempts) {
      lines.add("  " + attempt.credential() + ": " + attempt.reason());
    }
    lines.add("next step: " + nextStep(context, attempts, noneAvailable));
    return lines;
  }

  private static String nextStep(
      AuthContext context, List<Attempt> attempts, boolean noneAvailable) {
    Attempt last = attempts.isEmpty() ? null : attempts.getLast();
    if (noneAvailable && attempts.size() > 1) {
      return everywhere(context, attempts);
    }
    if (last != null && last.nextStep() != null) {
      return last.nextStep();
    }
    return "run again with -v to see the Azure SDK's exception";
  }

  /** No credential of the whole chain: advice for the place kvload runs in. */
  private static String everywhere(AuthContext context, List<Attempt> attempts) {
    String pinned = context.get("AZURE_TOKEN_CREDENTIALS");
    if (pinned != null) {
      return "AZURE_TOKEN_CREDENTIALS="
          + pinned
          + " limits DefaultAzureCredential to the credentials above: set one of them up, or"
          + " unset AZURE_TOKEN_CREDENTIALS";
    }
    if (context.inGithubActions()) {
      return "in GitHub Actions use --auth github-oidc (with 'permissions: id-token: write' and a"
          + " federated credential on the app registration), or run azure/login before kvload";
    }
    String cliStep =
        attempts.stream()
            .filter(a -> a.credential().equals("AzureCliCredential") && a.nextStep() != null)
            .map(Attempt::nextStep)
            .findFirst()
            .orElse(Diagnosis.azLogin(context));
    if (context.inCodespace()) {
      // No managed identity, no OIDC token and usually no Azure CLI: signing in as yourself,
      // once, is what works in a Codespace.
      return "run 'kvload login' once in a terminal (it asks you to sign in in a browser; later"
          + " runs are silent), or "
          + cliStep
          + " (kvload then uses the Azure CLI session)";
    }
    if (context.inKubernetes()) {
      return "enable workload identity for the pod (AZURE_FEDERATED_TOKEN_FILE, AZURE_CLIENT_ID,"
          + " AZURE_TENANT_ID), or set AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET";
    }
    return cliStep
        + " (kvload then uses the Azure CLI session), or set AZURE_CLIENT_ID, AZURE_TENANT_ID and"
        + " AZURE_CLIENT_SECRET for a service principal";
  }
}
