package dev.kvload.vault;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A 403's inner error code, as the real service sends it, to the defence that refused. */
class OutcomeTest {
  @ParameterizedTest(name = "[{index}] {2}")
  @CsvSource({
    "ForbiddenByRbac, RBAC, HTTP 403 ForbiddenByRbac",
    "ForbiddenByPolicy, ACCESS_POLICY, HTTP 403 ForbiddenByPolicy",
    "AccessDenied, ACCESS_POLICY, HTTP 403 AccessDenied",
    "ForbiddenByFirewall, FIREWALL, HTTP 403 ForbiddenByFirewall",
    "ForbiddenByConnection, PRIVATE_LINK, HTTP 403 ForbiddenByConnection",
    "'', UNKNOWN, HTTP 403",
    "'\u001b]0;owned\u0007', UNKNOWN, HTTP 403",
  })
  void readsTheInnerCode(String code, Outcome.Refusal refusal, String detail) {
    Outcome.Forbidden forbidden = Outcome.Forbidden.of(code);
    assertEquals(refusal, forbidden.refusal());
    assertEquals(detail, forbidden.detail());
  }
}
