package dev.kvload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvload.fake.FakeAzure.Reply;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real service's refusals, replayed in the shape Key Vault sends them (callers and vaults
 * anonymised): the advice must fit the vault's permission model, and a missing secret's must
 * mention recovery, since a secret deleted recently cannot simply be created again.
 */
class RefusalAdviceIT {
  private static final String VAULT = "kvload-test";

  private final Harness h = new Harness();

  RefusalAdviceIT() {
    h.manifest(
        "{\"vault\": \""
            + h.fake.vaultUrl(VAULT)
            + "\", \"secrets\": {\"DATABASE_URL\": \"db-url\"}}");
  }

  @AfterEach
  void close() {
    h.close();
  }

  static Stream<Arguments> refusals() {
    return Stream.of(
        Arguments.of(
            "a vault using access policies",
            Reply.status(
                403,
                "{\"error\":{\"code\":\"Forbidden\",\"message\":\"The user, group or application"
                    + " 'appid=00000000-0000-0000-0000-000000000001;oid=x;iss=y' does not have"
                    + " secrets get permission on key vault 'kvload-test;location=eastus'. For help"
                    + " resolving this issue, please see"
                    + " https://go.microsoft.com/fwlink/?linkid=2125287\",\"innererror\":{\"code\":"
                    + "\"ForbiddenByPolicy\"}}}"),
            5,
            "the vault uses access policies, where roles do nothing: give your identity an access"
                + " policy with Get on secrets (az keyvault set-policy --name kvload-test"
                + " --secret-permissions get"),
        Arguments.of(
            "a vault using Azure RBAC",
            Reply.status(
                403,
                "{\"error\":{\"code\":\"Forbidden\",\"message\":\"Caller is not authorized to"
                    + " perform action on resource.\\r\\nIf role assignments, deny assignments or"
                    + " role definitions were changed recently, please observe propagation"
                    + " time.\\r\\nCaller: appid=x;oid=y;iss=z\\r\\nAction:"
                    + " 'Microsoft.KeyVault/vaults/secrets/getSecret/action'\\r\\nAssignment: (not"
                    + " found)\\r\\nDecisionReason: 'DeniedWithNoValidRBAC'"
                    + " \\r\\n\",\"innererror\":{\"code\":\"ForbiddenByRbac\"}}}"),
            5,
            "the vault uses Azure RBAC: grant your identity the 'Key Vault Secrets User' role"),
        Arguments.of(
            "a secret deleted recently",
            Reply.status(
                404,
                "{\"error\":{\"code\":\"SecretNotFound\",\"message\":\"A secret with (name/id)"
                    + " db-url was not found in this key vault. If you recently deleted this"
                    + " secret you may be able to recover it using the correct recovery command."
                    + " For help resolving this issue, please see"
                    + " https://go.microsoft.com/fwlink/?linkid=2125182\"}}"),
            5,
            "if it was deleted recently, recover it: az keyvault secret recover --vault-name"
                + " kvload-test --name db-url"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusals")
  void adviceFitsWhatTheVaultSaid(String name, Reply reply, int exit, String advice) {
    h.fake.behave(VAULT, "db-url", r -> reply);
    var run = h.run().args("export", "--auth", "managed-identity").go();
    assertEquals(exit, run.exit(), run::toString);
    assertTrue(run.stderr().contains(advice), run::toString);
    assertTrue(run.stderr().lines().count() <= 2, run::toString);
  }
}
