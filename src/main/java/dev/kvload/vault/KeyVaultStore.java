package dev.kvload.vault;

import com.azure.core.credential.TokenCredential;
import com.azure.core.exception.ClientAuthenticationException;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.kvload.Failure;
import dev.kvload.http.Transport;
import dev.kvload.manifest.SecretRef;
import dev.kvload.manifest.VaultRef;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Azure Key Vault behind {@link SecretStore}: one vault, through the pipeline the fetch path builds
 * ({@link KeyVaultSource#pipeline}: the challenge, the token for the vault's resource, retries
 * within the deadline), one request at a time. Every answer is translated here.
 *
 * <p>The first request to a vault goes out without a token and, for a write, without its body: the
 * challenge policy holds the body back until the vault has asked for a token as Key Vault does. An
 * answer to a request that carried no token is not believed (Key Vault challenges every one).
 */
public final class KeyVaultStore implements SecretStore {
  /** What every secret that kvload creates says about itself. */
  static final String CONTENT_TYPE = "text/plain";

  static final String TAG = "imported-by";
  static final String TAG_VALUE = "kvload";

  /** The largest page Key Vault's secret listing gives. */
  static final int PAGE_SIZE = 25;

  /** 10,000 secrets: more than any manifest should map, and a bound on a listing without end. */
  static final int MAX_PAGES = 400;

  private static final JsonFactory JSON = new JsonFactory();

  private final VaultRef vault;
  private final Transport transport;
  private final HttpPipeline pipeline;
  private final Instant deadline;
  private final Clock clock;
  private final Function<Throwable, Failure.Auth> authFailure;

  /**
   * @param deadline every request ends by then
   * @param authFailure explains a token failure for the chosen auth mode
   */
  public KeyVaultStore(
      VaultRef vault,
      TokenCredential credential,
      Transport transport,
      Instant deadline,
      Clock clock,
      Function<Throwable, Failure.Auth> authFailure) {
    this.vault = vault;
    this.transport = transport;
    this.deadline = deadline;
    this.clock = clock;
    this.authFailure = authFailure;
    this.pipeline =
        // No retries: an import is sequential and safe to run again (what is already there with
        // the same value is left alone), and a throttled or failing vault is said at once rather
        // than waited out with its Retry-After.
        KeyVaultSource.pipeline(transport, new KeyVaultSource.TrackedCredential(credential), vault);
  }

  @Override
  public Current read(String name) {
    Answer answer = send(get(KeyVaultSource.secretUrl(new SecretRef(vault, name, null))), name);
    return switch (answer.status()) {
      case 200 -> {
        SecretBundle bundle = bundle(answer, name);
        if (bundle.value() == null) {
          throw unreadable(name);
        }
        yield new Current.Present(new SecretValue(bundle.value()), bundle.version());
      }
      case 404 -> new Current.Absent();
      case 403 -> {
        if (SecretBundle.innerErrorCode(answer.body()).equals("SecretDisabled")) {
          yield new Current.Disabled();
        }
        throw forbidden(answer, "read secret '" + name + "'", true);
      }
      default -> throw unexpected(answer, "reading secret '" + name + "'");
    };
  }

  @Override
  public String write(String name, SecretValue value) {
    byte[] body = body(value);
    HttpRequest request =
        new HttpRequest(
                HttpMethod.PUT,
                vault.baseUrl() + "/secrets/" + name + "?api-version=" + KeyVaultSource.API_VERSION)
            .setHeader(HttpHeaderName.ACCEPT, "application/json")
            .setHeader(HttpHeaderName.CONTENT_TYPE, "application/json")
            .setHeader(HttpHeaderName.CONTENT_LENGTH, Integer.toString(body.length))
            .setBody(BinaryData.fromBytes(body));
    Answer answer = send(request, name);
    return switch (answer.status()) {
      case 200, 201 -> {
        String version = bundle(answer, name).version();
        if (version == null) {
          throw unreadable(name);
        }
        yield version;
      }
      case 403 -> throw forbidden(answer, "write secret '" + name + "'", true);
      case 409 ->
          throw new Failure.Secret(
              List.of(
                  "vault "
                      + vault
                      + ": secret '"
                      + name
                      + "' was deleted, and Key Vault keeps a deleted secret's name until it is"
                      + " purged (HTTP 409)",
                  "recover it (az keyvault secret recover --vault-name "
                      + vault.name()
                      + " --name "
                      + name
                      + ") or purge it (az keyvault secret purge --vault-name "
                      + vault.name()
                      + " --name "
                      + name
                      + "), then import again"));
      case 400 ->
          throw new Failure.Secret(
              List.of(
                  "vault "
                      + vault
                      + " refused secret '"
                      + name
                      + "' as invalid (HTTP 400): Key Vault takes values up to 25 KiB"));
      default -> throw unexpected(answer, "writing secret '" + name + "'");
    };
  }

  @Override
  public List<String> enabledNames() {
    return SecretListing.all(
        vault,
        "/secrets?api-version=" + KeyVaultSource.API_VERSION + "&maxresults=" + PAGE_SIZE,
        this::page,
        MAX_PAGES);
  }

  private SecretListing.Page page(String pathAndQuery) {
    Answer answer = send(get(vault.baseUrl() + pathAndQuery), null);
    return switch (answer.status()) {
      case 200 -> {
        try {
          yield SecretListing.parse(answer.body());
        } catch (IOException e) {
          throw new Failure.Vault(
              List.of(
                  "vault "
                      + vault
                      + ": the secret listing could not be read (not the JSON Key Vault sends):"
                      + " is a proxy answering for "
                      + vault.url().getHost()
                      + "?"),
              e);
        }
      }
      case 403 -> throw forbidden(answer, "list the secrets", false);
      default -> throw unexpected(answer, "listing the secrets");
    };
  }

  /** The JSON of a PUT: the value, a content type and the tag that says kvload put it there. */
  private static byte[] body(SecretValue value) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (JsonGenerator json = JSON.createGenerator(bytes)) {
      json.writeStartObject();
      json.writeStringField("value", value.reveal());
      json.writeStringField("contentType", CONTENT_TYPE);
      json.writeObjectFieldStart("tags");
      json.writeStringField(TAG, TAG_VALUE);
      json.writeEndObject();
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot build a request body", null);
    }
    return bytes.toByteArray();
  }

  private static HttpRequest get(String url) {
    return new HttpRequest(HttpMethod.GET, url)
        .setHeader(HttpHeaderName.ACCEPT, "application/json");
  }

  /**
   * An answer, read whole.
   *
   * @param notKeyVault why the answer is not believed (it came to a request without a token), or
   *     null
   */
  private record Answer(int status, byte[] body, String notKeyVault) {}

  /**
   * Sends a request through the pipeline and waits for its answer until the deadline.
   *
   * @param secret the secret concerned, for messages; null for the listing
   */
  private Answer send(HttpRequest request, String secret) {
    Future<Answer> pending =
        transport
            .executor()
            .submit(
                () -> {
                  try (HttpResponse response = pipeline.sendSync(request, Context.NONE)) {
                    return new Answer(
                        response.getStatusCode(),
                        response.getBodyAsBinaryData().toBytes(),
                        KeyVaultSource.unchallenged(response));
                  }
                });
    Answer answer;
    try {
      Duration left = Duration.between(clock.instant(), deadline);
      answer = pending.get(Math.max(0, left.toNanos()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      pending.cancel(true);
      throw new Failure.Vault(
          List.of(
              "vault "
                  + vault
                  + ": no answer before the --timeout deadline"
                  + (secret == null ? "" : " (secret '" + secret + "')")),
          e);
    } catch (ExecutionException e) {
      for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
        if (t instanceof TokenFailure token) {
          throw authFailure.apply(token.failure());
        }
        if (t instanceof ChallengeRefused refused) {
          throw new Failure.Vault(List.of("vault " + vault + ": " + refused.getMessage()), null);
        }
      }
      throw new Failure.Vault(
          List.of("vault " + vault + ": " + KeyVaultSource.networkReason(e.getCause(), vault)),
          e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Failure.Vault(List.of("interrupted while talking to vault " + vault), e);
    }
    if (answer.notKeyVault() != null) {
      throw new Failure.Vault(
          List.of("vault " + vault + ": " + answer.notKeyVault() + "; nothing more was sent to it"),
          null);
    }
    if (answer.status() == 401) {
      // The challenge policy has already retried once with a fresh token.
      throw authFailure.apply(
          new ClientAuthenticationException("the vault refused the token (HTTP 401)", null));
    }
    return answer;
  }

  private SecretBundle bundle(Answer answer, String name) {
    try {
      return SecretBundle.parse(answer.body());
    } catch (IOException e) {
      throw unreadable(name);
    }
  }

  private Failure.Vault unreadable(String name) {
    return new Failure.Vault(
        List.of(
            "vault "
                + vault
                + ": the answer about secret '"
                + name
                + "' could not be read (not the JSON Key Vault sends): is a proxy answering for "
                + vault.url().getHost()
                + "?"),
        null);
  }

  /**
   * A 403, with the advice that fits the defence that refused (the answer's inner error code). An
   * import takes more than {@code run} does, so an identity that reads secrets may still be refused
   * here: the message names what writing takes and what reading takes.
   *
   * @param importing true for import's requests (it writes), false for init's listing
   */
  private Failure.Secret forbidden(Answer answer, String action, boolean importing) {
    Outcome.Forbidden refusal = Outcome.Forbidden.of(SecretBundle.innerErrorCode(answer.body()));
    String role =
        importing
            ? "import writes secrets: it takes the role 'Key Vault Secrets Officer' on the vault (az"
                + " role assignment create --role \"Key Vault Secrets Officer\" --assignee ID"
                + " --scope VAULT_ID); reading them, as run, export and check do, needs only 'Key"
                + " Vault Secrets User'"
            : "listing secrets takes the role 'Key Vault Secrets User' on the vault";
    String permissions = importing ? "get list set" : "list";
    String policy =
        "an access policy with "
            + permissions.replace(" ", ", ")
            + " on secrets (az keyvault set-policy --name "
            + vault.name()
            + " --secret-permissions "
            + permissions
            + " --object-id <its object ID>)";
    String advice =
        switch (refusal.refusal()) {
          case RBAC -> "the vault uses Azure RBAC: " + role;
          case ACCESS_POLICY ->
              "the vault uses access policies, where roles do nothing: it takes " + policy;
          case FIREWALL ->
              "the vault's firewall refuses this machine's address: add it to the vault's"
                  + " networking rules, or run from an allowed network";
          case PRIVATE_LINK ->
              "the vault accepts only its private endpoints: run from a network that reaches one";
          case UNKNOWN ->
              role + " (a vault using Azure RBAC), or " + policy + " (one using access policies)";
        };
    return new Failure.Secret(
        List.of(
            "vault " + vault + " refused to let kvload " + action + " (" + refusal.detail() + ")",
            advice));
  }

  private Failure.Vault unexpected(Answer answer, String action) {
    int status = answer.status();
    String what =
        status == 429
            ? "was still throttling (HTTP 429) when the --timeout deadline stopped retries"
            : status >= 500
                ? "answered HTTP " + status + " after retrying"
                : "answered an unexpected HTTP " + status;
    return new Failure.Vault(List.of("vault " + vault + " " + what + " while " + action), null);
  }

  @Override
  public void close() {
    transport.close();
  }
}
