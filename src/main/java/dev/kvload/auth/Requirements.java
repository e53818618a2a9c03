package dev.kvload.auth;

import java.util.ArrayList;
import java.util.List;

/**
 * Which variables a credential still needs, by the same rules the SDK applies, so that a report can
 * say "AZURE_TENANT_ID is not set" where the SDK says "not fully configured".
 */
final class Requirements {
  static final String SECRET_OR_CERTIFICATE =
      "AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH)";

  private Requirements() {}

  /** EnvironmentCredential: a client secret or certificate (or the deprecated user/password). */
  static List<String> environment(AuthContext context) {
    boolean secretOrCertificate =
        context.has("AZURE_CLIENT_SECRET") || context.has("AZURE_CLIENT_CERTIFICATE_PATH");
    boolean userAndPassword = context.has("AZURE_USERNAME") && context.has("AZURE_PASSWORD");
    List<String> missing = new ArrayList<>();
    if (context.clientId() == null) {
      missing.add("AZURE_CLIENT_ID");
    } else if (userAndPassword) {
      return missing;
    }
    if (context.tenantId() == null) {
      missing.add("AZURE_TENANT_ID");
    }
    if (!secretOrCertificate) {
      missing.add(SECRET_OR_CERTIFICATE);
    }
    return missing;
  }

  /** WorkloadIdentityCredential: tenant, client and the federated token file. */
  static List<String> workloadIdentity(AuthContext context) {
    List<String> missing = new ArrayList<>();
    if (context.tenantId() == null) {
      missing.add("AZURE_TENANT_ID");
    }
    if (context.clientId() == null) {
      missing.add("AZURE_CLIENT_ID");
    }
    if (!context.has("AZURE_FEDERATED_TOKEN_FILE")) {
      missing.add("AZURE_FEDERATED_TOKEN_FILE");
    }
    return missing;
  }

  /** The app registration that a GitHub Actions token is exchanged for. */
  static List<String> githubApp(AuthContext context) {
    List<String> missing = new ArrayList<>();
    if (context.clientId() == null) {
      missing.add("AZURE_CLIENT_ID");
    }
    if (context.tenantId() == null) {
      missing.add("AZURE_TENANT_ID");
    }
    return missing;
  }

  /** "A, B and C". */
  static String join(List<String> names) {
    if (names.size() <= 1) {
      return String.join("", names);
    }
    return String.join(", ", names.subList(0, names.size() - 1)) + " and " + names.getLast();
  }
}
