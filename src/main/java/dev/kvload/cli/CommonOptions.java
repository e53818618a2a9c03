package dev.kvload.cli;

import dev.kvload.Failure;
import dev.kvload.auth.AuthMode;
import dev.kvload.auth.AuthSettings;
import dev.kvload.core.Durations;
import dev.kvload.core.Settings;
import dev.kvload.env.ConflictPolicy;
import dev.kvload.manifest.VaultRef;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The options every command takes, before or after the command name ({@code kvload -m f run} and
 * {@code kvload run -m f} alike).
 */
public final class CommonOptions {
  @Option(
      names = {"-m", "--manifest"},
      paramLabel = "FILE",
      scope = ScopeType.INHERIT,
      description =
          "Manifest file (default: $KVLOAD_MANIFEST, ./kvload.json, ./.devcontainer/kvload.json).")
  String manifest;

  @Option(
      names = "--vault",
      paramLabel = "NAME|URL",
      scope = ScopeType.INHERIT,
      description = "Replaces the manifest's default vault (default: $KVLOAD_VAULT).")
  String vault;

  @Option(
      names = "--auth",
      paramLabel = "MODE",
      scope = ScopeType.INHERIT,
      description =
          "default, environment, workload-identity, managed-identity, azure-cli, login or"
              + " github-oidc (default: $KVLOAD_AUTH, else default).")
  String auth;

  @Option(
      names = "--client-id",
      paramLabel = "ID",
      scope = ScopeType.INHERIT,
      description = "Client ID of a user-assigned managed identity or app registration.")
  String clientId;

  @Option(
      names = "--tenant-id",
      paramLabel = "ID",
      scope = ScopeType.INHERIT,
      description = "Entra tenant to authenticate in.")
  String tenantId;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      scope = ScopeType.INHERIT,
      description = "Deadline for the whole run, e.g. 30s, 2m (default: 30s).")
  String timeout;

  @Option(
      names = "--on-conflict",
      paramLabel = "POLICY",
      scope = ScopeType.INHERIT,
      description = "When a variable is already set: override (default, warns), keep, or fail.")
  String onConflict;

  @Option(
      names = "--allow-expired",
      scope = ScopeType.INHERIT,
      description = "Accept secrets past their expiry or before their activation date.")
  boolean allowExpired;

  @Option(
      names = {"-q", "--quiet"},
      scope = ScopeType.INHERIT,
      description = "Only errors on stderr.")
  boolean quiet;

  @Option(
      names = {"-v", "--verbose"},
      scope = ScopeType.INHERIT,
      description = "More detail on stderr (never a secret's value).")
  boolean verbose;

  final Set<String> allowVars = new LinkedHashSet<>();

  // A method, not a list field: picocli starts an inherited list afresh (calling this with an
  // empty list) where the option first appears after the command, and a field would lose what
  // came before: `kvload --allow-var A run --allow-var B` must allow both.
  @Option(
      names = "--allow-var",
      paramLabel = "NAME",
      scope = ScopeType.INHERIT,
      description =
          "Lets the manifest set NAME although it changes how programs load code (LD_PRELOAD,"
              + " PATH, NODE_OPTIONS, ...); repeat for each. A manifest cannot allow these itself.")
  void allowVars(List<String> names) {
    allowVars.addAll(names);
  }

  final Set<String> allowVaultHosts = new LinkedHashSet<>();

  // A method for the same reason as --allow-var.
  @Option(
      names = "--allow-vault-host",
      paramLabel = "HOST",
      scope = ScopeType.INHERIT,
      description =
          "Trusts HOST as a vault although it is outside Key Vault's DNS suffixes (an emulator,"
              + " Azure Stack); repeat for each (default: $KVLOAD_ALLOW_VAULT_HOSTS, comma"
              + " separated).")
  void allowVaultHosts(List<String> hosts) {
    allowVaultHosts.addAll(hosts);
  }

  /** Resolves options and their environment variables; bad values are usage errors (exit 2). */
  Settings toSettings(Map<String, String> env) {
    return new Settings(
        manifest,
        vault(env),
        new AuthSettings(authMode(env), blankToNull(clientId), blankToNull(tenantId)),
        parse("--timeout", timeout == null ? "30s" : timeout, Durations::parse),
        parse("--on-conflict", onConflict == null ? "override" : onConflict, ConflictPolicy::parse),
        allowExpired,
        quiet,
        verbose,
        Set.copyOf(allowVars),
        allowedVaultHosts(env));
  }

  private Set<String> allowedVaultHosts(Map<String, String> env) {
    Set<String> hosts = new LinkedHashSet<>();
    allowVaultHosts.forEach(host -> hosts.add(host.toLowerCase(Locale.ROOT)));
    String fromEnv = blankToNull(env.get("KVLOAD_ALLOW_VAULT_HOSTS"));
    if (fromEnv != null) {
      for (String host : fromEnv.split(",")) {
        if (!host.isBlank()) {
          hosts.add(host.strip().toLowerCase(Locale.ROOT));
        }
      }
    }
    return hosts;
  }

  private VaultRef vault(Map<String, String> env) {
    if (vault != null) {
      return parse("--vault", vault, VaultRef::parse);
    }
    String fromEnv = blankToNull(env.get("KVLOAD_VAULT"));
    return fromEnv == null ? null : parse("KVLOAD_VAULT", fromEnv, VaultRef::parse);
  }

  private AuthMode authMode(Map<String, String> env) {
    if (auth != null) {
      return parse("--auth", auth, AuthMode::parse);
    }
    String fromEnv = blankToNull(env.get("KVLOAD_AUTH"));
    return fromEnv == null ? AuthMode.DEFAULT : parse("KVLOAD_AUTH", fromEnv, AuthMode::parse);
  }

  static <T> T parse(String what, String text, java.util.function.Function<String, T> parser) {
    try {
      return parser.apply(text);
    } catch (IllegalArgumentException e) {
      throw new Failure.Usage(what + ": " + e.getMessage());
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
