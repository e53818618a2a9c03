package dev.kvload.auth;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;

/**
 * Is there an Azure Instance Metadata Service to ask for a managed identity token? The SDK's
 * DefaultAzureCredential asks the same question with a one-second connect before it lets
 * ManagedIdentityCredential (which retries for many seconds) loose on IMDS; kvload asks it itself,
 * because it runs each credential of the chain on its own, and starts asking early so the answer is
 * usually in before the vault's challenge is.
 *
 * <p>Only a TCP connect: on an Azure VM or AKS node IMDS is a link-local hop that accepts within
 * milliseconds; where there is none (a laptop, a Codespace's container) the connect is refused or
 * unreachable at once, or dropped, and then {@link #TIMEOUT} bounds the wait.
 */
final class ImdsProbe {
  /** In DefaultAzureCredential's chain, where other credentials wait behind this one. */
  static final Duration CHAINED = Duration.ofMillis(500);

  /** For {@code --auth managed-identity}, where the user says there is a managed identity. */
  static final Duration EXPLICIT = Duration.ofSeconds(2);

  static final String DEFAULT_ENDPOINT = "http://169.254.169.254";

  private final String where;
  private final CompletableFuture<String> outcome;

  private ImdsProbe(String where, CompletableFuture<String> outcome) {
    this.where = where;
    this.outcome = outcome;
  }

  /**
   * Whether DefaultAzureCredential would probe: managed identity falls back to IMDS (no App
   * Service, Cloud Shell, Arc or Service Fabric endpoint, no AKS token exchange) and it is not the
   * one credential {@code AZURE_TOKEN_CREDENTIALS} asks for.
   */
  static boolean neededInChain(AuthContext context) {
    boolean pinned =
        "managedidentitycredential".equalsIgnoreCase(context.get("AZURE_TOKEN_CREDENTIALS"));
    return !pinned && imdsIsTheSource(context);
  }

  /**
   * Whether managed identity would go to IMDS: no App Service, Service Fabric, Cloud Shell or Arc
   * endpoint (msal4j's order), and no AKS token exchange.
   */
  static boolean imdsIsTheSource(AuthContext context) {
    boolean appServiceOrFabric = context.has("IDENTITY_ENDPOINT") && context.has("IDENTITY_HEADER");
    boolean cloudShell = context.has("MSI_ENDPOINT");
    boolean arc = context.has("IDENTITY_ENDPOINT") && context.has("IMDS_ENDPOINT");
    boolean aksExchange =
        context.has("AZURE_TENANT_ID") && context.has("AZURE_FEDERATED_TOKEN_FILE");
    return !(appServiceOrFabric || cloudShell || arc || aksExchange);
  }

  /** Starts connecting now; {@link #failure()} waits for the answer. */
  static ImdsProbe start(AuthContext context, Duration timeout, Executor executor) {
    String endpoint = context.get("AZURE_POD_IDENTITY_AUTHORITY_HOST");
    URI uri = URI.create(endpoint == null ? DEFAULT_ENDPOINT : endpoint);
    int port =
        uri.getPort() != -1 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    String where = uri.getHost() + ":" + port;
    return new ImdsProbe(
        where,
        CompletableFuture.supplyAsync(
            () -> connect(uri.getHost(), port, where, timeout), executor));
  }

  /** Null when something accepted the connection, else why nothing did. */
  String failure() {
    try {
      return outcome.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted while connecting to IMDS at " + where;
    } catch (ExecutionException e) {
      return "could not connect to IMDS at "
          + where
          + " ("
          + e.getCause().getClass().getSimpleName()
          + ")";
    }
  }

  private static String connect(String host, int port, String where, Duration timeout) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
      return null;
    } catch (SocketTimeoutException e) {
      return "no managed identity endpoint: IMDS at "
          + where
          + " did not answer within "
          + timeout.toMillis()
          + " ms";
    } catch (UnknownHostException e) {
      return "no managed identity endpoint: IMDS host " + host + " not found";
    } catch (SocketException e) {
      // Refused, or no route: the operating system's words are the clearest.
      return "no managed identity endpoint: IMDS at "
          + where
          + " is not reachable ("
          + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
          + ")";
    } catch (IOException e) {
      return "no managed identity endpoint: connecting to IMDS at "
          + where
          + " failed ("
          + e.getClass().getSimpleName()
          + ")";
    }
  }
}
