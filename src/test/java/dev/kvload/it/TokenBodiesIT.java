package dev.kvload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvload.fake.FakeAzure;
import dev.kvload.fake.FakeAzure.Reply;
import dev.kvload.fake.FakeEntra;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a token endpoint answers is never shown: a malformed answer may hold a token, and an error's
 * description may quote one. Each credential that talks to a token endpoint is given answers that
 * carry a token-like canary, cut short, not JSON, HTML, or an error quoting it; no piece of the
 * canary may reach stderr, even with {@code -v}.
 */
class TokenBodiesIT {
  private static final String VALUE = "postgres://app:token-bodies-s3cret@db/app";
  private static final String K8S_SUBJECT = "system:serviceaccount:default:kvload";

  private final Harness h = new Harness();

  /** Opaque, so no pattern for JWTs could hide it by luck. */
  private final String canary = "CANARY" + UUID.randomUUID().toString().replace("-", "");

  TokenBodiesIT() {
    h.oneSecret(VALUE);
  }

  @AfterEach
  void close() {
    h.close();
  }

  /** Where a credential meets a token endpoint that the fake lets a test answer. */
  enum Endpoint {
    APP_SERVICE_MANAGED_IDENTITY,
    IMDS_MANAGED_IDENTITY,
    CLIENT_SECRET,
    WORKLOAD_IDENTITY,
    GITHUB_OIDC_ID_TOKEN,
    GITHUB_OIDC_EXCHANGE
  }

  private static final String CUT = "200, JSON cut inside the token";
  private static final String CUT_AFTER = "200, JSON cut after the token";
  private static final String BARE = "200, the bare token";
  private static final String FORM = "200, a form instead of JSON";
  private static final String HTML = "200, an HTML page";
  private static final String AADSTS = "400, an AADSTS error quoting the token";
  private static final String DESCRIPTION = "400, an error whose description and message quote it";
  private static final String HTTP_401 = "401, an error holding the token";

  /** An answer carrying the canary, as a token endpoint might give it. */
  record Body(String name, Function<String, Reply> reply) {
    @Override
    public String toString() {
      return name;
    }
  }

  /**
   * @param field where the endpoint puts its token: {@code access_token}, or GitHub's {@code value}
   */
  static List<Body> bodies(String field) {
    return List.of(
        new Body(CUT, c -> json(200, "{\"" + field + "\":\"" + c)),
        new Body(
            CUT_AFTER,
            c -> json(200, "{\"token_type\":\"Bearer\",\"" + field + "\":\"" + c + "\",")),
        new Body(BARE, c -> json(200, c)),
        new Body(FORM, c -> json(200, field + "=" + c + "&expires_in=1")),
        new Body(
            HTML,
            c ->
                new Reply(
                    200,
                    Map.of("Content-Type", "text/html"),
                    ("<html><body><p>" + c + "</p></body></html>").getBytes(StandardCharsets.UTF_8),
                    Duration.ZERO)),
        new Body(
            AADSTS,
            c ->
                json(
                    400,
                    "{\"error\":\"invalid_client\",\"error_description\":\"AADSTS7000215:"
                        + " Invalid client secret "
                        + c
                        + ".\",\"error_codes\":[7000215]}")),
        new Body(
            DESCRIPTION,
            c ->
                json(
                    400,
                    "{\"error\":\"invalid_request\",\"error_description\":\"Bad request for "
                        + c
                        + "\",\"statusCode\":400,\"message\":\""
                        + c
                        + "\"}")),
        new Body(
            HTTP_401,
            c -> json(401, "{\"error\":\"unauthorized\",\"" + field + "\":\"" + c + "\"}")));
  }

  /**
   * For each endpoint the answers its reader handles differently: cut short, not JSON, HTML and an
   * error quoting the token for each kind of endpoint (managed identity's two, Entra ID's token
   * endpoint, GitHub's ID-token endpoint); fewer for the other credentials that meet Entra ID's
   * endpoint, which MSAL reads as it does for a client secret.
   */
  static Stream<Arguments> cases() {
    Map<Endpoint, List<String>> table = new LinkedHashMap<>();
    table.put(
        Endpoint.APP_SERVICE_MANAGED_IDENTITY, List.of(CUT, BARE, HTML, DESCRIPTION, HTTP_401));
    table.put(Endpoint.IMDS_MANAGED_IDENTITY, List.of(CUT, FORM, HTML, DESCRIPTION, HTTP_401));
    table.put(Endpoint.CLIENT_SECRET, List.of(CUT, BARE, HTML, AADSTS, DESCRIPTION, HTTP_401));
    table.put(Endpoint.WORKLOAD_IDENTITY, List.of(BARE, AADSTS));
    table.put(Endpoint.GITHUB_OIDC_ID_TOKEN, List.of(CUT_AFTER, BARE, HTML, DESCRIPTION));
    table.put(Endpoint.GITHUB_OIDC_EXCHANGE, List.of(CUT, AADSTS));
    List<Arguments> cases = new ArrayList<>();
    table.forEach(
        (endpoint, names) -> {
          String field = endpoint == Endpoint.GITHUB_OIDC_ID_TOKEN ? "value" : "access_token";
          for (Body body : bodies(field)) {
            if (names.contains(body.name())) {
              cases.add(Arguments.of(endpoint, body));
            }
          }
        });
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("cases")
  @Execution(ExecutionMode.CONCURRENT)
  void noPieceOfTheAnswerReachesStderr(Endpoint endpoint, Body body) {
    Harness.Run.Builder builder = setUp(endpoint, r -> body.reply().apply(canary));
    var run = builder.args("--timeout", "20s", "-v").go();
    assertEquals(4, run.exit(), run::toString);
    assertEquals("", run.stdout(), run::toString);
    assertTrue(run.stderr().contains("kvload: authentication failed (--auth "), run::toString);
    assertTrue(run.stderr().contains("kvload: next step: "), run::toString);
    for (int i = 0; i + 8 <= canary.length(); i++) {
      String piece = canary.substring(i, i + 8);
      assertFalse(run.stderr().contains(piece), () -> "'" + piece + "' on stderr: " + run);
    }
  }

  private Harness.Run.Builder setUp(Endpoint endpoint, Function<FakeAzure.Request, Reply> answer) {
    Harness.Run.Builder bare =
        h.run()
            .args("export")
            .env("IDENTITY_ENDPOINT", null)
            .env("IDENTITY_HEADER", null)
            .env("AZURE_POD_IDENTITY_AUTHORITY_HOST", "https://127.0.0.1:" + Harness.closedPort());
    return switch (endpoint) {
      case APP_SERVICE_MANAGED_IDENTITY -> {
        h.fake.behaveForTokens(answer);
        yield h.run().args("export", "--auth", "managed-identity");
      }
      case IMDS_MANAGED_IDENTITY -> {
        h.fake.behaveForTokens(answer);
        yield bare.args("--auth", "managed-identity")
            .env("AZURE_POD_IDENTITY_AUTHORITY_HOST", h.fake.imdsHost());
      }
      case CLIENT_SECRET -> {
        h.fake.behaveForEntra(answer);
        FakeEntra.App app = h.fake.entra().register().withSecret();
        yield bare.args("--auth", "environment")
            .env("AZURE_CLIENT_ID", app.clientId())
            .env("AZURE_TENANT_ID", app.tenant())
            .env("AZURE_CLIENT_SECRET", app.secret());
      }
      case WORKLOAD_IDENTITY -> {
        h.fake.behaveForEntra(answer);
        FakeEntra.App app =
            h.fake.entra().register().federate(FakeEntra.KUBERNETES_ISSUER, K8S_SUBJECT);
        String token =
            h.fake
                .entra()
                .mint(
                    FakeEntra.KUBERNETES_ISSUER,
                    K8S_SUBJECT,
                    FakeEntra.EXCHANGE_AUDIENCE,
                    Duration.ofHours(1));
        yield bare.args("--auth", "workload-identity")
            .env("AZURE_CLIENT_ID", app.clientId())
            .env("AZURE_TENANT_ID", app.tenant())
            .env("AZURE_FEDERATED_TOKEN_FILE", h.write("token", token).toString());
      }
      case GITHUB_OIDC_ID_TOKEN, GITHUB_OIDC_EXCHANGE -> {
        if (endpoint == Endpoint.GITHUB_OIDC_ID_TOKEN) {
          h.fake.behaveForGithub(answer);
        } else {
          h.fake.behaveForEntra(answer);
        }
        FakeEntra.App app =
            h.fake.entra().register().federate(FakeEntra.GITHUB_ISSUER, h.fake.githubSubject());
        yield bare.args("--auth", "github-oidc")
            .env(h.fake.githubActionsEnv())
            .env("AZURE_CLIENT_ID", app.clientId())
            .env("AZURE_TENANT_ID", app.tenant());
      }
    };
  }

  private static Reply json(int status, String body) {
    return Reply.status(status, body);
  }
}
