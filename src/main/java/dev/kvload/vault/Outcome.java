package dev.kvload.vault;

import java.time.Instant;

/** What fetching one secret gave. Failures are values here so a run can report all of them. */
public sealed interface Outcome {

  /**
   * The secret, with the attributes kvload acts on.
   *
   * @param notBefore null when the secret has no {@code nbf}
   * @param expires null when the secret has no {@code exp}
   * @param contentType the secret's {@code contentType} (a certificate's secret says {@code
   *     application/x-pkcs12} or {@code application/x-pem-file}), or null
   */
  record Found(
      SecretValue value, String version, Instant notBefore, Instant expires, String contentType)
      implements Outcome {
    public Found(SecretValue value, String version, Instant notBefore, Instant expires) {
      this(value, version, notBefore, expires, null);
    }
  }

  /** 404: no such secret, or no such version. */
  record NotFound() implements Outcome {}

  /**
   * 403 (or another refusal) from the vault: the identity may not read it.
   *
   * @param refusal what the vault's inner error code says refused the caller
   */
  record Forbidden(String detail, Refusal refusal) implements Outcome {
    public Forbidden(String detail) {
      this(detail, Refusal.UNKNOWN);
    }

    /**
     * A 403 with this inner error code ({@code error.innererror.code}). Only the codes kvload knows
     * are shown: the rest of an answer is never quoted.
     */
    public static Forbidden of(String innerCode) {
      Refusal refusal =
          switch (innerCode) {
            case "ForbiddenByRbac" -> Refusal.RBAC;
            // Both come from vaults using access policies: no policy grants the caller Get, or the
            // policy that does is for the caller together with a user (on-behalf-of).
            case "AccessDenied", "ForbiddenByPolicy" -> Refusal.ACCESS_POLICY;
            case "ForbiddenByFirewall" -> Refusal.FIREWALL;
            case "ForbiddenByConnection" -> Refusal.PRIVATE_LINK;
            default -> Refusal.UNKNOWN;
          };
      return new Forbidden(
          refusal == Refusal.UNKNOWN ? "HTTP 403" : "HTTP 403 " + innerCode, refusal);
    }
  }

  /** Which of the vault's defences refused a caller, as its inner error code tells. */
  enum Refusal {
    /** The vault uses Azure RBAC, and no role assignment lets the caller read secrets. */
    RBAC,
    /** The vault uses access policies, and none lets the caller get secrets. */
    ACCESS_POLICY,
    /** The vault's firewall does not let this machine's address in. */
    FIREWALL,
    /** The vault accepts only its private endpoints. */
    PRIVATE_LINK,
    /** No inner code kvload knows. */
    UNKNOWN
  }

  /** 403 because the secret (version) is disabled. */
  record Disabled() implements Outcome {}

  /**
   * The vault did not give a usable answer: network, TLS, 5xx, throttling or no answer in time.
   *
   * @param reason for users; never contains anything from a response body
   * @param kind which of these it was, so that the advice can fit
   */
  record Unreachable(String reason, Why kind) implements Outcome {
    /** A network problem: what most unreachable vaults are. */
    public Unreachable(String reason) {
      this(reason, Why.NETWORK);
    }
  }

  /** Why a vault gave no usable answer: each calls for different advice. */
  enum Why {
    /** The vault throttled the run (HTTP 429) until its deadline. */
    THROTTLED,
    /** The vault kept answering with server errors (5xx, 503 Service Unavailable included). */
    SERVER_ERROR,
    /** The host answered, but not as Key Vault does: a wrong URL, a proxy or an impostor. */
    NOT_KEY_VAULT,
    /** No connection, TLS refused, or an answer that could not be read. */
    NETWORK,
    /** Requests were sent but not answered before the deadline. */
    TIMEOUT
  }
}
