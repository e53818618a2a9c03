package dev.kvload.auth;

import java.util.Map;

/**
 * What a credential is built from: the settings and the run's environment (never the process's).
 */
record AuthContext(AuthSettings settings, Map<String, String> env) {

  AuthMode mode() {
    return settings.mode();
  }

  /** The variable's value, or null when it is unset or blank. */
  String get(String name) {
    String value = env.get(name);
    return value == null || value.isBlank() ? null : value.strip();
  }

  boolean has(String name) {
    return get(name) != null;
  }

  /** {@code --tenant-id}, else {@code AZURE_TENANT_ID}: the tenant the credential signs in to. */
  String tenantId() {
    return settings.tenantId() != null ? settings.tenantId() : get("AZURE_TENANT_ID");
  }

  /** Where {@link #tenantId()} came from, for messages. */
  String tenantIdSource() {
    return settings.tenantId() != null ? "--tenant-id" : "AZURE_TENANT_ID";
  }

  /** {@code --client-id}, else {@code AZURE_CLIENT_ID}. */
  String clientId() {
    return settings.clientId() != null ? settings.clientId() : get("AZURE_CLIENT_ID");
  }

  boolean inGithubActions() {
    return "true".equalsIgnoreCase(get("GITHUB_ACTIONS"));
  }

  boolean inCodespace() {
    return "true".equalsIgnoreCase(get("CODESPACES"));
  }

  boolean inKubernetes() {
    return has("KUBERNETES_SERVICE_HOST");
  }
}
