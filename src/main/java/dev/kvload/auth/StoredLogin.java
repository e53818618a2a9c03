package dev.kvload.auth;

import java.time.Instant;

/**
 * What {@code kvload login} keeps: where and as which app the user signed in, who they are, and
 * MSAL's token cache (the refresh token and the account record), which is all a silent sign-in
 * needs later.
 *
 * @param authorityHost the sign-in host the refresh token came from, and the only one it is ever
 *     sent to ({@code https://login.microsoftonline.com/}, or {@code AZURE_AUTHORITY_HOST})
 * @param tenant the tenant given at login ({@code --tenant-id}, else {@code organizations})
 * @param clientId the public client the refresh token was issued to
 * @param username the account's user name, as Entra ID gave it
 * @param homeTenant the tenant the account belongs to
 * @param signedIn when {@code kvload login} finished
 * @param refreshed when the refresh token was last redeemed (at login, then by silent sign-ins)
 * @param msalCache MSAL's serialised token cache: secret, never shown
 */
public record StoredLogin(
    String authorityHost,
    String tenant,
    String clientId,
    String username,
    String homeTenant,
    Instant signedIn,
    Instant refreshed,
    String msalCache) {

  /** The same login with a new token cache, its refresh token redeemed at {@code when}. */
  StoredLogin refreshed(String cache, Instant when) {
    return new StoredLogin(
        authorityHost, tenant, clientId, username, homeTenant, signedIn, when, cache);
  }

  @Override
  public String toString() {
    return "StoredLogin[" + username + " at " + authorityHost + ", app " + clientId + "]";
  }
}
