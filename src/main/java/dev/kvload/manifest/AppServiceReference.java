package dev.kvload.manifest;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Key Vault references as App Service and Functions app settings write them, so a team can paste
 * its settings: {@code @Microsoft.KeyVault(SecretUri=https://V.vault.azure.net/secrets/N/)} or
 * {@code @Microsoft.KeyVault(VaultName=V;SecretName=N;SecretVersion=X)}.
 */
final class AppServiceReference {
  static final String PREFIX = "@Microsoft.KeyVault(";

  private AppServiceReference() {}

  static Optional<SecretRef> parse(String text) {
    if (!text.regionMatches(true, 0, PREFIX, 0, PREFIX.length()) || !text.endsWith(")")) {
      return Optional.empty();
    }
    String body = text.substring(PREFIX.length(), text.length() - 1);
    Map<String, String> fields = new LinkedHashMap<>();
    for (String part : body.split(";", -1)) {
      int eq = part.indexOf('=');
      if (eq <= 0) {
        return Optional.empty();
      }
      String key = part.substring(0, eq).strip().toLowerCase(Locale.ROOT);
      if (fields.put(key, part.substring(eq + 1).strip()) != null) {
        return Optional.empty();
      }
    }
    if (fields.containsKey("secreturi")) {
      return fields.size() == 1
          ? ManifestParser.secretUrl(fields.get("secreturi"))
          : Optional.empty();
    }
    String vault = fields.remove("vaultname");
    String name = fields.remove("secretname");
    String version = fields.remove("secretversion");
    if (vault == null
        || name == null
        || !fields.isEmpty()
        || !SecretRef.NAME.matcher(name).matches()
        || (version != null && !version.isEmpty() && !SecretRef.VERSION.matcher(version).matches())
        || vault.regionMatches(true, 0, "https://", 0, 8)) {
      return Optional.empty();
    }
    return VaultRef.tryParse(vault)
        .map(v -> new SecretRef(v, name, version == null || version.isEmpty() ? null : version));
  }
}
