package dev.kvload.manifest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import dev.kvload.Failure;
import dev.kvload.Printable;
import java.io.CharConversionException;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the manifest dialect: JSON with comments and trailing commas, as devcontainer.json. Every
 * problem is reported with the file, line, column and variable; all problems after the first syntax
 * error are collected so one {@code kvload validate} shows them all.
 */
public final class ManifestParser {
  public static final Pattern VARIABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final int MAX_PROBLEMS = 20;
  private static final JsonFactory JSON =
      JsonFactory.builder()
          .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
          .enable(JsonReadFeature.ALLOW_TRAILING_COMMA)
          .build();

  private final Path file;
  private final VaultRef vaultOverride;
  private final List<String> problems = new ArrayList<>();
  private JsonParser parser;

  private ManifestParser(Path file, VaultRef vaultOverride) {
    this.file = file;
    this.vaultOverride = vaultOverride;
  }

  /**
   * Parses a manifest.
   *
   * @param file shown in messages
   * @param vaultOverride from {@code --vault}/{@code KVLOAD_VAULT}: replaces the manifest's default
   *     vault; null when not given
   * @throws Failure.Manifest naming every problem found
   */
  public static Manifest parse(byte[] content, Path file, VaultRef vaultOverride) {
    return new ManifestParser(file, vaultOverride).parse(content);
  }

  private Manifest parse(byte[] content) {
    List<PendingBinding> pending = new ArrayList<>();
    VaultRef defaultVault = null;
    try (JsonParser p = JSON.createParser(content)) {
      parser = p;
      if (p.nextToken() != JsonToken.START_OBJECT) {
        problem(
            p.currentTokenLocation(),
            null,
            "the manifest must be a JSON object, such as {\"vault\": \"NAME\", \"secrets\": {}}");
        throw failure();
      }
      boolean sawSecrets = false;
      Set<String> seen = new HashSet<>();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String key = p.currentName();
        JsonLocation at = p.currentTokenLocation();
        if (!seen.add(key)) {
          problem(at, null, "duplicate key '" + Printable.of(key) + "'");
        }
        p.nextToken();
        switch (key) {
          case "$schema" -> expectString(at, null, "$schema");
          case "vault" -> {
            String text = expectString(at, null, "vault");
            if (text != null) {
              var vault = VaultRef.tryParse(text);
              if (vault.isEmpty()) {
                problem(at, null, vaultProblem(text));
              }
              defaultVault = vault.orElse(null);
            }
          }
          case "secrets" -> {
            sawSecrets = true;
            readSecrets(pending);
          }
          default -> {
            problem(
                at,
                null,
                "unknown key '" + Printable.of(key) + "' (expected $schema, vault, secrets)");
            p.skipChildren();
          }
        }
      }
      if (p.nextToken() != null) {
        problem(
            p.currentTokenLocation(), null, "unexpected content after the manifest's closing '}'");
        throw failure();
      }
      if (!sawSecrets) {
        problem(
            null,
            null,
            "no \"secrets\" object: map variables to secrets, e.g."
                + " \"secrets\": {\"DATABASE_URL\": \"db-url\"}");
      }
    } catch (JsonProcessingException e) {
      // The rest of the file cannot be trusted after a syntax error: report what was found so far.
      problems.add(at(e.getLocation()) + syntaxMessage(e.getOriginalMessage()));
      throw failure();
    } catch (CharConversionException e) {
      // Bytes that are no UTF-8, UTF-16 or UTF-32 text (the encodings JSON allows).
      problems.add(
          file
              + ": not readable as UTF-8 text ("
              + syntaxMessage(e.getMessage())
              + "): save the manifest as UTF-8");
      throw failure();
    } catch (IOException e) {
      problems.add(file + ": cannot read: " + e.getClass().getSimpleName());
      throw failure();
    }
    VaultRef vault = vaultOverride != null ? vaultOverride : defaultVault;
    List<Binding> bindings = new ArrayList<>();
    for (PendingBinding b : pending) {
      VaultRef v = b.vault() != null ? b.vault() : vault;
      if (v == null) {
        problems.add(
            b.where()
                + Printable.of(b.variable())
                + ": secret '"
                + b.name()
                + "' has no vault: set \"vault\" in the manifest or on this entry, or pass --vault"
                + " (or KVLOAD_VAULT)");
        continue;
      }
      bindings.add(
          new Binding(
              b.variable(),
              new SecretRef(v, b.name(), b.version()),
              b.optional(),
              b.line(),
              b.column()));
    }
    if (!problems.isEmpty()) {
      throw failure();
    }
    return new Manifest(file, bindings);
  }

  private Failure.Manifest failure() {
    List<String> lines =
        new ArrayList<>(problems.subList(0, Math.min(problems.size(), MAX_PROBLEMS)));
    if (problems.size() > MAX_PROBLEMS) {
      lines.add("... and " + (problems.size() - MAX_PROBLEMS) + " more problems");
    }
    return new Failure.Manifest(lines.toArray(String[]::new));
  }

  /** A binding whose vault may still be the default one, resolved once the whole file is read. */
  private record PendingBinding(
      String variable,
      String name,
      VaultRef vault,
      String version,
      boolean optional,
      int line,
      int column,
      String where) {}

  private void readSecrets(List<PendingBinding> pending) throws IOException {
    JsonParser p = parser;
    if (p.currentToken() != JsonToken.START_OBJECT) {
      problem(
          p.currentTokenLocation(),
          null,
          "\"secrets\" must be an object mapping variable names to secrets");
      p.skipChildren();
      return;
    }
    Set<String> seen = new HashSet<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String variable = p.currentName();
      JsonLocation at = p.currentTokenLocation();
      boolean valid = true;
      if (!seen.add(variable)) {
        problem(at, variable, "mapped twice: each variable may appear once");
        valid = false;
      }
      if (!VARIABLE.matcher(variable).matches()) {
        problem(
            at,
            null,
            "'"
                + Printable.of(variable)
                + "' is not a valid variable name"
                + " (letters, digits and '_', not starting with a digit)");
        valid = false;
      }
      JsonToken value = p.nextToken();
      PendingBinding binding =
          switch (value) {
            case VALUE_STRING -> fromString(variable, at, p.getText(), false);
            case START_OBJECT -> fromObject(variable, at);
            default -> {
              problem(
                  p.currentTokenLocation(),
                  variable,
                  "expected a secret name, a secret URL or an object with \"secret\", got "
                      + describe(value));
              p.skipChildren();
              yield null;
            }
          };
      if (valid && binding != null) {
        pending.add(binding);
      }
    }
  }

  private PendingBinding fromObject(String variable, JsonLocation at) throws IOException {
    JsonParser p = parser;
    String secret = null;
    String vault = null;
    String version = null;
    boolean optional = false;
    JsonLocation secretAt = at;
    JsonLocation vaultAt = at;
    Set<String> seen = new HashSet<>();
    boolean valid = true;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String key = p.currentName();
      JsonLocation keyAt = p.currentTokenLocation();
      if (!seen.add(key)) {
        problem(keyAt, variable, "duplicate key '" + Printable.of(key) + "'");
        valid = false;
      }
      p.nextToken();
      switch (key) {
        case "secret" -> {
          secret = expectString(keyAt, variable, "secret");
          secretAt = keyAt;
        }
        case "vault" -> {
          vault = expectString(keyAt, variable, "vault");
          vaultAt = keyAt;
        }
        case "version" -> version = expectString(keyAt, variable, "version");
        case "optional" -> {
          if (p.currentToken().isBoolean()) {
            optional = p.getBooleanValue();
          } else {
            problem(
                keyAt,
                variable,
                "\"optional\" must be true or false, got " + describe(p.currentToken()));
            p.skipChildren();
            valid = false;
          }
        }
        default -> {
          problem(
              keyAt,
              variable,
              "unknown key '"
                  + Printable.of(key)
                  + "' (expected secret, vault, version, optional)");
          p.skipChildren();
          valid = false;
        }
      }
    }
    if (secret == null) {
      if (!seen.contains("secret")) {
        problem(at, variable, "missing \"secret\": name the Key Vault secret to load");
      }
      return null;
    }
    PendingBinding fromSecret = fromString(variable, secretAt, secret, optional);
    if (fromSecret == null || !valid) {
      return null;
    }
    if (fromSecret.vault() != null && (vault != null || version != null)) {
      problem(
          at,
          variable,
          "\"secret\" is a full URL: it already names the vault and version,"
              + " so drop \"vault\" and \"version\"");
      return null;
    }
    VaultRef vaultRef = fromSecret.vault();
    if (vault != null) {
      vaultRef = VaultRef.tryParse(vault).orElse(null);
      if (vaultRef == null) {
        problem(vaultAt, variable, vaultProblem(vault));
        return null;
      }
    }
    String v = fromSecret.version();
    if (version != null) {
      if (!SecretRef.VERSION.matcher(version).matches()) {
        problem(
            at,
            variable,
            "'"
                + Printable.of(version)
                + "' is not a secret version"
                + " (letters and digits, as the portal shows it)");
        return null;
      }
      v = version;
    }
    return new PendingBinding(
        variable,
        fromSecret.name(),
        vaultRef,
        v,
        optional,
        at.getLineNr(),
        at.getColumnNr(),
        at(at));
  }

  private PendingBinding fromString(
      String variable, JsonLocation at, String text, boolean optional) {
    if (text.regionMatches(true, 0, "https://", 0, 8)) {
      return fromUrl(variable, at, text, optional);
    }
    if (!SecretRef.NAME.matcher(text).matches()) {
      problem(
          at,
          variable,
          "'"
              + Printable.of(text)
              + "' is not a secret name (1-127 letters, digits"
              + " and hyphens) or a secret URL (https://VAULT.vault.azure.net/secrets/NAME)");
      return null;
    }
    return new PendingBinding(
        variable, text, null, null, optional, at.getLineNr(), at.getColumnNr(), at(at));
  }

  private PendingBinding fromUrl(String variable, JsonLocation at, String text, boolean optional) {
    String hint =
        "'"
            + Printable.of(text)
            + "' is not a secret URL: expected"
            + " https://VAULT.vault.azure.net/secrets/NAME or .../secrets/NAME/VERSION";
    try {
      URI uri = new URI(text);
      String[] path = uri.getRawPath() == null ? new String[0] : uri.getRawPath().split("/", -1);
      // "", "secrets", name[, version][, ""]
      int parts = path.length;
      if (parts > 0 && path[parts - 1].isEmpty()) {
        parts--;
      }
      if (uri.getHost() == null
          || uri.getRawQuery() != null
          || uri.getRawFragment() != null
          || uri.getRawUserInfo() != null
          || parts < 3
          || parts > 4
          || !path[0].isEmpty()
          || !path[1].equals("secrets")
          || !SecretRef.NAME.matcher(path[2]).matches()
          || (parts == 4 && !SecretRef.VERSION.matcher(path[3]).matches())) {
        problem(at, variable, hint);
        return null;
      }
      return new PendingBinding(
          variable,
          path[2],
          new VaultRef(VaultRef.origin(uri)),
          parts == 4 ? path[3] : null,
          optional,
          at.getLineNr(),
          at.getColumnNr(),
          at(at));
    } catch (URISyntaxException e) {
      problem(at, variable, hint);
      return null;
    }
  }

  private String expectString(JsonLocation at, String variable, String key) throws IOException {
    if (parser.currentToken() == JsonToken.VALUE_STRING) {
      return parser.getText();
    }
    problem(
        at, variable, "\"" + key + "\" must be a string, got " + describe(parser.currentToken()));
    parser.skipChildren();
    return null;
  }

  private static String vaultProblem(String text) {
    return "'"
        + Printable.of(text)
        + "' is not a vault: give a vault name (3-24 letters, digits and"
        + " hyphens) or an https URL such as https://NAME.vault.azure.net";
  }

  private void problem(JsonLocation at, String variable, String what) {
    problems.add(
        (at == null ? file + ": " : at(at))
            + (variable == null ? "" : Printable.of(variable) + ": ")
            + what);
  }

  private String at(JsonLocation location) {
    if (location == null || location.getLineNr() < 1) {
      return file + ": ";
    }
    return file + ":" + location.getLineNr() + ":" + location.getColumnNr() + ": ";
  }

  private static String describe(JsonToken token) {
    if (token == null) {
      return "the end of the file";
    }
    return switch (token) {
      case START_OBJECT -> "an object";
      case START_ARRAY -> "an array";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> token.asString();
    };
  }

  /** Jackson's message without its internal source description, on one line. */
  private static String syntaxMessage(String message) {
    String first = message == null ? "invalid JSON" : message.lines().findFirst().orElse("");
    return Printable.of(
        first
            .replaceAll("\\s*\\(start marker at \\[Source:.*?\\]\\)", "")
            // Jackson names its own API in limit messages: "(1000, from
            // `StreamReadConstraints...`)"
            .replaceAll(", from `[^`]*`", ""),
        200);
  }
}
