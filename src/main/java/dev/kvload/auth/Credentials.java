package dev.kvload.auth;

import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.HttpPipelineBuilder;
import com.azure.core.http.policy.HttpPipelinePolicy;
import com.azure.core.http.policy.RetryPolicy;
import com.azure.core.util.Configuration;
import com.azure.identity.AadCredentialBuilderBase;
import com.azure.identity.AzureCliCredentialBuilder;
import com.azure.identity.ClientAssertionCredentialBuilder;
import com.azure.identity.CredentialUnavailableException;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.identity.ManagedIdentityCredentialBuilder;
import com.azure.identity.WorkloadIdentityCredentialBuilder;
import com.azure.identity.implementation.ImdsRetryStrategy;
import dev.kvload.Failure;
import dev.kvload.http.Transport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;

/**
 * Turns an {@code --auth} mode into a credential that shares the run's transport and reads the
 * run's environment only. An explicit mode builds that one credential and never tries another;
 * {@code default} runs DefaultAzureCredential's chain one credential at a time (see {@link
 * #defaultChain}) so that a failure can say what each credential did.
 *
 * <p>{@code --client-id} and {@code --tenant-id} stand in for {@code AZURE_CLIENT_ID} and {@code
 * AZURE_TENANT_ID}.
 */
public final class Credentials {
  /** DefaultAzureCredential's "prod" credentials, in its order. */
  static final List<String> PRODUCTION =
      List.of("EnvironmentCredential", "WorkloadIdentityCredential", "ManagedIdentityCredential");

  /**
   * Its "dev" credentials, in its order. The SDK ends them with a broker credential that needs the
   * azure-identity-broker library, which kvload does not ship: it could only ever be unavailable.
   */
  static final List<String> DEVELOPER =
      List.of(
          "IntelliJCredential",
          "VisualStudioCodeCredential",
          "AzureCliCredential",
          "AzurePowerShellCredential",
          "AzureDeveloperCliCredential");

  private Credentials() {}

  /**
   * Builds the credential; nothing is requested until a vault asks for a token.
   *
   * @throws Failure.Auth at once when the mode cannot work here (variables unset, outside GitHub
   *     Actions, an authority host that is not an https URL)
   */
  public static TokenCredential create(AuthSettings settings, Transport transport) {
    return create(settings, transport, line -> {});
  }

  /**
   * As {@link #create(AuthSettings, Transport)}.
   *
   * @param warn told what the user should know that does not stop the run (a refreshed login that
   *     could not be written back)
   */
  public static TokenCredential create(
      AuthSettings settings, Transport transport, Consumer<String> warn) {
    AuthContext context = new AuthContext(settings, transport.env());
    TokenAnswers answers = new TokenAnswers();
    Builders builders = new Builders(context, transport, answers);
    if (AuthorityHost.classify(context.get("AZURE_AUTHORITY_HOST")) == AuthorityHost.Kind.INVALID) {
      throw new Failure.Auth(
          List.of(
              "AZURE_AUTHORITY_HOST is not an https URL: '"
                  + context.get("AZURE_AUTHORITY_HOST")
                  + "'",
              "next step: set it to your cloud's sign-in host (e.g."
                  + " https://login.microsoftonline.com/), or unset it"),
          null);
    }
    List<CredentialChain.Link> links =
        switch (settings.mode()) {
          case DEFAULT -> defaultLinks(context, builders, transport, warn);
          case ENVIRONMENT -> {
            Attempt notConfigured = Diagnosis.environmentNotConfigured(context);
            if (notConfigured != null) {
              throw unavailable(context, notConfigured);
            }
            // EnvironmentCredentialBuilder cannot turn instance discovery off; the same
            // EnvironmentCredential built by DefaultAzureCredentialBuilder can.
            yield List.of(
                new CredentialChain.Link(
                    "EnvironmentCredential", () -> builders.defaultOnly("EnvironmentCredential")));
          }
          case WORKLOAD_IDENTITY -> {
            Attempt notConfigured = Diagnosis.workloadNotConfigured(context);
            if (notConfigured != null) {
              throw unavailable(context, notConfigured);
            }
            yield List.of(
                new CredentialChain.Link(
                    "WorkloadIdentityCredential",
                    builders::workloadIdentity,
                    () -> fileClaims(context.get("AZURE_FEDERATED_TOKEN_FILE"))));
          }
          case MANAGED_IDENTITY -> {
            ImdsProbe probe =
                ImdsProbe.imdsIsTheSource(context)
                    ? ImdsProbe.start(context, ImdsProbe.EXPLICIT, transport.executor())
                    : null;
            yield List.of(
                new CredentialChain.Link(
                    "ManagedIdentityCredential",
                    () ->
                        probe == null
                            ? builders.managedIdentity()
                            : probed(probe, builders.managedIdentity())));
          }
          case AZURE_CLI ->
              List.of(new CredentialChain.Link("AzureCliCredential", builders::azureCli));
          case LOGIN -> {
            Attempt notStored = Login.notStored(context);
            if (notStored != null) {
              throw unavailable(context, notStored);
            }
            yield List.of(loginLink(context, transport, warn));
          }
          case GITHUB_OIDC -> {
            Attempt problem = GithubOidc.unavailable(context);
            if (problem != null) {
              throw unavailable(context, problem);
            }
            GithubOidc oidc =
                new GithubOidc(
                    transport.client(),
                    context.get(GithubOidc.REQUEST_URL),
                    context.get(GithubOidc.REQUEST_TOKEN),
                    Clock.systemUTC());
            yield List.of(
                new CredentialChain.Link(
                    GithubOidc.CREDENTIAL,
                    () -> builders.githubOidc(oidc),
                    () -> oidc.last() == null ? Map.of() : claims(oidc.last())));
          }
        };
    return new CachingCredential(
        new CredentialChain(context, links, answers), settings.mode() == AuthMode.MANAGED_IDENTITY);
  }

  /**
   * Starts the token request for a vault's resource now, so that it overlaps the vault's first
   * answer (the 401 challenge, which is still met and verified before any token is sent). Only for
   * Key Vault's own domains, whose resource is known before the challenge.
   */
  public static void prefetch(
      TokenCredential credential, AuthSettings settings, Transport transport, String resource) {
    if (credential instanceof CachingCredential caching) {
      String tenant = new AuthContext(settings, transport.env()).tenantId();
      caching.prefetch(
          new TokenRequestContext()
              .addScopes(resource + "/.default")
              .setTenantId(tenant)
              .setCaeEnabled(true));
    }
  }

  /**
   * DefaultAzureCredential's chain, each credential built by DefaultAzureCredentialBuilder itself
   * (pinned to that one credential through {@code AZURE_TOKEN_CREDENTIALS}), so each behaves
   * exactly as in the SDK's chain. The one difference a pin makes, that managed identity then skips
   * the SDK's IMDS probe, kvload makes up for with its own {@link ImdsProbe}.
   */
  private static List<CredentialChain.Link> defaultLinks(
      AuthContext context, Builders builders, Transport transport, Consumer<String> warn) {
    List<String> names;
    try {
      names = defaultChain(context.get("AZURE_TOKEN_CREDENTIALS"));
    } catch (IllegalArgumentException e) {
      throw new Failure.Auth(
          List.of(
              e.getMessage(),
              "next step: set AZURE_TOKEN_CREDENTIALS to prod, dev or one of "
                  + String.join(", ", all())
                  + ", or unset it"),
          null);
    }
    ImdsProbe probe = null;
    if (names.contains("ManagedIdentityCredential") && ImdsProbe.neededInChain(context)) {
      boolean earlierMayWork =
          (names.contains("EnvironmentCredential") && Requirements.environment(context).isEmpty())
              || (names.contains("WorkloadIdentityCredential")
                  && Requirements.workloadIdentity(context).isEmpty());
      // Started now, the probe runs while the vault's challenge is fetched; when an earlier
      // credential is set up it would be wasted traffic to IMDS, so it waits until needed.
      probe =
          earlierMayWork ? null : ImdsProbe.start(context, ImdsProbe.CHAINED, transport.executor());
    }
    List<CredentialChain.Link> links = new ArrayList<>();
    for (String name : withLogin(names)) {
      if (name.equals(Login.CREDENTIAL)) {
        links.add(loginLink(context, transport, warn));
      } else if (name.equals("ManagedIdentityCredential") && ImdsProbe.neededInChain(context)) {
        ImdsProbe early = probe;
        links.add(
            new CredentialChain.Link(
                name,
                () ->
                    probed(
                        early != null
                            ? early
                            : ImdsProbe.start(context, ImdsProbe.CHAINED, transport.executor()),
                        builders.defaultOnly(name))));
      } else if (name.equals("WorkloadIdentityCredential")) {
        links.add(
            new CredentialChain.Link(
                name,
                () -> builders.defaultOnly(name),
                () -> fileClaims(context.get("AZURE_FEDERATED_TOKEN_FILE"))));
      } else {
        links.add(new CredentialChain.Link(name, () -> builders.defaultOnly(name)));
      }
    }
    return links;
  }

  /**
   * The stored login, built only when the chain reaches it: when no login file exists it is
   * unavailable at once, and MSAL is never loaded.
   */
  private static CredentialChain.Link loginLink(
      AuthContext context, Transport transport, Consumer<String> warn) {
    return new CredentialChain.Link(
        Login.CREDENTIAL, () -> Login.credential(context, transport, warn, Clock.systemUTC()));
  }

  /**
   * The chain {@code default} runs: the SDK's, with the stored login after the credentials of
   * machines (environment, workload identity, managed identity: what a deployment sets up on
   * purpose) and before the developer tools, as one of them. Not when {@code
   * AZURE_TOKEN_CREDENTIALS} asks for the production credentials or a single one.
   */
  static List<String> withLogin(List<String> names) {
    int firstTool = -1;
    for (int i = 0; i < names.size(); i++) {
      if (DEVELOPER.contains(names.get(i))) {
        firstTool = i;
        break;
      }
    }
    if (firstTool < 0 || names.size() == 1) {
      return names;
    }
    List<String> chain = new ArrayList<>(names);
    chain.add(firstTool, Login.CREDENTIAL);
    return chain;
  }

  /**
   * The credentials DefaultAzureCredential tries for an {@code AZURE_TOKEN_CREDENTIALS} value, as
   * the SDK reads it: unset for all, {@code prod}, {@code dev}, or one credential's name, any case.
   *
   * @throws IllegalArgumentException for any other value, as the SDK does
   */
  static List<String> defaultChain(String tokenCredentials) {
    if (tokenCredentials == null || tokenCredentials.isBlank()) {
      List<String> all = new ArrayList<>(PRODUCTION);
      all.addAll(DEVELOPER);
      return all;
    }
    String value = tokenCredentials.strip().toLowerCase(Locale.ROOT);
    if (value.equals("prod")) {
      return PRODUCTION;
    }
    if (value.equals("dev")) {
      return DEVELOPER;
    }
    for (String name : all()) {
      if (name.toLowerCase(Locale.ROOT).equals(value)) {
        return List.of(name);
      }
    }
    throw new IllegalArgumentException(
        "AZURE_TOKEN_CREDENTIALS is '"
            + tokenCredentials.strip()
            + "', which the Azure SDK rejects");
  }

  private static List<String> all() {
    List<String> all = new ArrayList<>(PRODUCTION);
    all.addAll(DEVELOPER);
    return all;
  }

  private static TokenCredential probed(ImdsProbe probe, TokenCredential managedIdentity) {
    return request -> {
      String failure = probe.failure();
      if (failure != null) {
        return Mono.error(new CredentialUnavailableException(failure));
      }
      return managedIdentity.getToken(request);
    };
  }

  private static Failure.Auth unavailable(AuthContext context, Attempt attempt) {
    return new Failure.Auth(FailureReport.lines(context, List.of(attempt)), null);
  }

  private static Map<String, String> claims(GithubOidc.IdToken token) {
    Map<String, String> claims = new HashMap<>();
    if (token.issuer() != null) {
      claims.put("iss", token.issuer());
    }
    if (token.subject() != null) {
      claims.put("sub", token.subject());
    }
    return claims;
  }

  private static Map<String, String> fileClaims(String file) {
    if (file == null) {
      return Map.of();
    }
    try {
      return Json.claims(Files.readString(Path.of(file)));
    } catch (IOException | RuntimeException e) {
      return Map.of();
    }
  }

  /**
   * Explains a failure to get a token: what was tried and why each failed, then what to do next.
   */
  public static Failure.Auth explain(AuthMode mode, Throwable error) {
    if (error instanceof CredentialFailure failure) {
      return new Failure.Auth(
          FailureReport.lines(failure.context(), failure.attempts()), failure.error());
    }
    return new Failure.Auth(
        List.of(
            "authentication failed (--auth "
                + mode
                + "): "
                + Diagnosis.clean(error.getMessage(), "")
                + " ("
                + error.getClass().getSimpleName()
                + ")",
            error instanceof TimeoutException
                ? "next step: check that this machine reaches its token endpoint (the managed"
                    + " identity endpoint or Entra ID), or allow more time with --timeout"
                : "next step: run again with -v to see the Azure SDK's exception"),
        error);
  }

  /**
   * The pipeline azure-identity builds for a credential (IdentityClientBase.setupPipeline): the
   * same retries, IMDS's own strategy for managed identity through IMDS, but no HTTP logging
   * policy, whose class builds a pretty-printing Jackson mapper when loaded: ~75 ms of start-up CPU
   * on the token's path, for logs kvload never writes (bench/levers.md).
   */
  static HttpPipeline identityPipeline(
      Transport transport, boolean imds, HttpPipelinePolicy... more) {
    List<HttpPipelinePolicy> policies = new ArrayList<>();
    policies.add(transport.sdkUserAgent("azure-identity.properties"));
    policies.add(imds ? new RetryPolicy(new ImdsRetryStrategy()) : new RetryPolicy());
    policies.addAll(List.of(more));
    return new HttpPipelineBuilder()
        .httpClient(transport.client())
        .policies(policies.toArray(HttpPipelinePolicy[]::new))
        .build();
  }

  /** The SDK builders, each given the run's HTTP client, executor and configuration. */
  private static final class Builders {
    private final AuthContext context;
    private final Transport transport;
    private final boolean discovery;
    private final TokenAnswers answers;

    Builders(AuthContext context, Transport transport, TokenAnswers answers) {
      this.context = context;
      this.transport = transport;
      this.answers = answers;
      this.discovery =
          AuthorityHost.classify(context.get("AZURE_AUTHORITY_HOST"))
              == AuthorityHost.Kind.AZURE_CLOUD;
    }

    /** The run's environment, with --client-id and --tenant-id in place of the variables. */
    private Configuration configuration(Map<String, String> more) {
      Map<String, String> overrides = new HashMap<>(more);
      if (context.settings().clientId() != null) {
        overrides.put("AZURE_CLIENT_ID", context.settings().clientId());
      }
      if (context.settings().tenantId() != null) {
        overrides.put("AZURE_TENANT_ID", context.settings().tenantId());
      }
      return transport.configurationWith(overrides);
    }

    /** Given explicitly, so the SDK does not read the process's own environment for them. */
    private List<String> additionalTenants() {
      String value = context.get("AZURE_ADDITIONALLY_ALLOWED_TENANTS");
      return value == null
          ? List.of()
          : Arrays.stream(value.split(";")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    /**
     * {@link #identityPipeline} with {@link TokenAnswers}, so that an answer that is not a token is
     * explained without quoting it.
     */
    private HttpPipeline pipeline(boolean imds) {
      return identityPipeline(transport, imds, answers);
    }

    /** DefaultAzureCredential with only {@code name} in its chain. */
    TokenCredential defaultOnly(String name) {
      boolean imds = name.equals("ManagedIdentityCredential") && ImdsProbe.imdsIsTheSource(context);
      DefaultAzureCredentialBuilder builder =
          new DefaultAzureCredentialBuilder()
              .pipeline(pipeline(imds))
              .configuration(configuration(Map.of("AZURE_TOKEN_CREDENTIALS", name)))
              .executorService(transport.executor())
              .additionallyAllowedTenants(additionalTenants());
      if (!discovery) {
        builder.disableInstanceDiscovery();
      }
      return builder.build();
    }

    TokenCredential workloadIdentity() {
      return entra(new WorkloadIdentityCredentialBuilder())
          .tokenFilePath(context.get("AZURE_FEDERATED_TOKEN_FILE"))
          .build();
    }

    /**
     * A builder for a credential that signs in to Entra ID as an app registration: the run's
     * transport, the app and tenant, and no instance discovery for a host that is not Azure's.
     */
    private <T extends AadCredentialBuilderBase<T>> T entra(T builder) {
      builder
          .pipeline(pipeline(false))
          .configuration(configuration(Map.of()))
          .executorService(transport.executor())
          .additionallyAllowedTenants(additionalTenants())
          .tenantId(context.tenantId())
          .clientId(context.clientId());
      if (!discovery) {
        builder.disableInstanceDiscovery();
      }
      return builder;
    }

    TokenCredential managedIdentity() {
      ManagedIdentityCredentialBuilder builder =
          new ManagedIdentityCredentialBuilder()
              .pipeline(pipeline(ImdsProbe.imdsIsTheSource(context)))
              .configuration(configuration(Map.of()))
              .executorService(transport.executor());
      if (context.settings().clientId() != null) {
        builder.clientId(context.settings().clientId());
      }
      return builder.build();
    }

    TokenCredential azureCli() {
      AzureCliCredentialBuilder builder =
          new AzureCliCredentialBuilder()
              .httpClient(transport.client())
              .configuration(configuration(Map.of()))
              .additionallyAllowedTenants(additionalTenants());
      if (context.settings().tenantId() != null) {
        builder.tenantId(context.settings().tenantId());
      }
      return builder.build();
    }

    TokenCredential githubOidc(Supplier<String> assertion) {
      return entra(new ClientAssertionCredentialBuilder()).clientAssertion(assertion).build();
    }
  }
}
