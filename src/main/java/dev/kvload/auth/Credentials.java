package dev.kvload.auth;

import com.azure.core.credential.TokenCredential;
import com.azure.core.exception.ClientAuthenticationException;
import com.azure.identity.CredentialUnavailableException;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.identity.ManagedIdentityCredentialBuilder;
import dev.kvload.Failure;
import dev.kvload.http.Transport;
import java.util.ArrayList;
import java.util.List;

/** Turns an {@code --auth} mode into a credential that shares the run's transport. */
public final class Credentials {
  private Credentials() {}

  /** Builds the credential; nothing is requested until a vault asks for a token. */
  public static TokenCredential create(AuthSettings settings, Transport transport) {
    TokenCredential credential =
        switch (settings.mode()) {
          case DEFAULT -> defaultChain(settings, transport);
          case MANAGED_IDENTITY -> managedIdentity(settings, transport);
          default ->
              throw new Failure.Usage(
                  "--auth " + settings.mode() + " is not supported by this kvload yet",
                  "use --auth default or --auth managed-identity");
        };
    return new CachingCredential(credential);
  }

  private static TokenCredential defaultChain(AuthSettings settings, Transport transport) {
    DefaultAzureCredentialBuilder builder =
        new DefaultAzureCredentialBuilder()
            .httpClient(transport.client())
            .configuration(transport.configuration())
            .executorService(transport.executor());
    if (settings.clientId() != null) {
      builder.managedIdentityClientId(settings.clientId());
    }
    if (settings.tenantId() != null) {
      builder.tenantId(settings.tenantId());
    }
    return builder.build();
  }

  private static TokenCredential managedIdentity(AuthSettings settings, Transport transport) {
    ManagedIdentityCredentialBuilder builder =
        new ManagedIdentityCredentialBuilder()
            .httpClient(transport.client())
            .configuration(transport.configuration())
            .executorService(transport.executor());
    if (settings.clientId() != null) {
      builder.clientId(settings.clientId());
    }
    return builder.build();
  }

  /**
   * Explains a failure to get a token: what was tried and why each failed, then what to do next.
   * The SDK's messages name credentials and endpoints, never a secret's value.
   */
  public static Failure.Auth explain(AuthMode mode, Throwable error) {
    List<String> lines = new ArrayList<>();
    boolean unavailable = error instanceof CredentialUnavailableException;
    lines.add(
        (unavailable ? "no credential available" : "authentication failed")
            + " (--auth "
            + mode
            + ")");
    String message =
        error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
    for (String line : message.split("\r?\n")) {
      String trimmed = line.strip();
      int troubleshooting = trimmed.indexOf("To mitigate this issue");
      if (troubleshooting >= 0) {
        trimmed = trimmed.substring(0, troubleshooting).strip();
      }
      if (!trimmed.isEmpty() && lines.size() < 12) {
        lines.add("  " + (trimmed.length() > 300 ? trimmed.substring(0, 300) + "..." : trimmed));
      }
    }
    lines.add(nextStep(mode));
    return new Failure.Auth(lines, error instanceof ClientAuthenticationException ? error : null);
  }

  private static String nextStep(AuthMode mode) {
    return switch (mode) {
      case MANAGED_IDENTITY ->
          "run where a managed identity is assigned (Azure VM, App Service, AKS), or pass"
              + " --client-id for a user-assigned one";
      default ->
          "sign in with 'az login' and use --auth azure-cli, or set AZURE_CLIENT_ID,"
              + " AZURE_TENANT_ID and AZURE_CLIENT_SECRET for a service principal";
    };
  }
}
