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
import java.util.Optional;
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
  private final Path folder;
  private final VaultRef vaultOverride;
  private final List<String> problems = new ArrayList<>();
  private JsonParser parser;

  private ManifestParser(Path file, Path folder, VaultRef vaultOverride) {
    this.file = file;
    this.folder = folder;
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
    return parse(content, file, file.toAbsolutePath().getParent(), vaultOverride);
  }

  /**
   * As {@link #parse(byte[], Path, VaultRef)}, with the manifest's real folder, where its templates
   * are read from.
   */
  public static Manifest parse(byte[] content, Path file, Path folder, VaultRef vaultOverride) {
    return new ManifestParser(file, folder, vaultOverride).parse(content);
  }

  private Manifest parse(byte[] content) {
    List<PendingBinding> pending = new ArrayList<>();
    List<PendingFile> pendingFiles = new ArrayList<>();
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
          case "files" -> readFiles(pendingFiles);
          default -> {
            problem(
                at,
                null,
                "unknown key '"
                    + Printable.of(key)
                    + "' (expected $schema, vault, secrets, files)");
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
      Binding binding = resolve(b, vault, false);
      if (binding != null) {
        bindings.add(binding);
      }
    }
    List<FileEntry> files = new ArrayList<>();
    for (PendingFile f : pendingFiles) {
      Binding source = f.source() == null ? null : resolve(f.source(), vault, true);
      if (f.source() == null || source != null) {
        files.add(
            new FileEntry(
                f.path(),
                source,
                f.format(),
                f.template(),
                f.env(),
                f.optional(),
                f.line(),
                f.column()));
      }
    }
    FileRules.check(bindings, files, problems, file);
    if (!problems.isEmpty()) {
      throw failure();
    }
    return new Manifest(file, bindings, files);
  }

  /** The binding with its vault, or null (and a problem) when it has none. */
  private Binding resolve(PendingBinding b, VaultRef vault, boolean forFile) {
    VaultRef v = b.vault() != null ? b.vault() : vault;
    if (v == null) {
      problems.add(
          b.where()
              + Printable.of(b.variable())
              + ": secret '"
              + b.name()
              + "' has no vault: set \"vault\" in the manifest or on this entry, or pass --vault"
              + " (or KVLOAD_VAULT)");
      return null;
    }
    return new Binding(
        b.variable(),
        new SecretRef(v, b.name(), b.version()),
        b.optional(),
        b.line(),
        b.column(),
        forFile);
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
    if (!expectObject("\"secrets\" must be an object mapping variable names to secrets")) {
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

  /** True when the current token opens an object; else a problem, and the value is skipped. */
  private boolean expectObject(String problem) throws IOException {
    if (parser.currentToken() == JsonToken.START_OBJECT) {
      return true;
    }
    problem(parser.currentTokenLocation(), null, problem);
    parser.skipChildren();
    return false;
  }

  /** A files entry, its secret's vault still to be resolved. */
  private record PendingFile(
      String path,
      PendingBinding source,
      FileFormat format,
      Template template,
      String env,
      boolean optional,
      int line,
      int column) {}

  private void readFiles(List<PendingFile> pending) throws IOException {
    JsonParser p = parser;
    if (!expectObject(
        "\"files\" must be an object mapping relative file paths to {\"secret\": ...} or"
            + " {\"template\": ...}")) {
      return;
    }
    Set<String> seen = new HashSet<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String path = p.currentName();
      JsonLocation at = p.currentTokenLocation();
      String label = FileEntry.label(Printable.of(path, 120));
      boolean valid = true;
      if (!seen.add(path)) {
        problem(at, label, "named twice: each file may appear once");
        valid = false;
      }
      String pathProblem = FilePaths.problem(path);
      if (pathProblem != null) {
        problem(at, label, pathProblem);
        valid = false;
      }
      if (p.nextToken() != JsonToken.START_OBJECT) {
        problem(
            p.currentTokenLocation(),
            label,
            "expected an object such as {\"secret\": \"NAME\"} or {\"template\": \"PATH\"},"
                + " got "
                + describe(p.currentToken()));
        p.skipChildren();
        continue;
      }
      String[] format = {null};
      String[] env = {null};
      String[] template = {null};
      JsonLocation[] templateAt = {at};
      JsonLocation[] formatAt = {at};
      JsonLocation[] envAt = {at};
      PendingBinding source =
          fromObject(
              label,
              at,
              (key, keyAt) ->
                  switch (key) {
                    case "format" -> {
                      formatAt[0] = keyAt;
                      yield (format[0] = expectString(keyAt, label, "format")) != null;
                    }
                    case "env" -> {
                      envAt[0] = keyAt;
                      yield (env[0] = expectString(keyAt, label, "env")) != null;
                    }
                    case "template" -> {
                      templateAt[0] = keyAt;
                      yield (template[0] = expectString(keyAt, label, "template")) != null;
                    }
                    default -> null;
                  },
              "secret, vault, version, format, template, env, optional");
      if (source == null) {
        continue;
      }
      FileFormat fileFormat = FileFormat.RAW;
      if (format[0] != null) {
        var parsed = FileFormat.parse(format[0]);
        if (parsed.isEmpty()) {
          problem(
              formatAt[0],
              label,
              "'"
                  + Printable.of(format[0], 40)
                  + "' is not a format: use raw, base64, pem, cert, key or pfx");
          valid = false;
        }
        fileFormat = parsed.orElse(FileFormat.RAW);
      }
      if (env[0] != null && !VARIABLE.matcher(env[0]).matches()) {
        problem(
            envAt[0],
            label,
            "\"env\": '"
                + Printable.of(env[0], 80)
                + "' is not a valid variable name (letters, digits and '_', not starting with a"
                + " digit)");
        valid = false;
      }
      Template parsedTemplate = null;
      if (source.name() == null && template[0] == null) {
        problem(
            at,
            label,
            "missing \"secret\" or \"template\": name the Key Vault secret or the template"
                + " file that fills it");
        valid = false;
      } else if (source.name() != null && template[0] != null) {
        problem(templateAt[0], label, "give either \"secret\" or \"template\", not both");
        valid = false;
      } else if (template[0] != null) {
        if (format[0] != null) {
          problem(formatAt[0], label, "\"format\" is for secrets; a template is written as text");
          valid = false;
        }
        String templateProblem = FilePaths.problem(template[0]);
        if (templateProblem != null) {
          problem(templateAt[0], label, "\"template\": " + templateProblem);
          valid = false;
        } else {
          try {
            parsedTemplate = Templates.read(folder, file, template[0], label);
          } catch (Failure.Manifest e) {
            e.lines().forEach(line -> problems.add(at(templateAt[0]) + label + ": " + line));
            valid = false;
          }
        }
      }
      if (valid) {
        pending.add(
            new PendingFile(
                path,
                source.name() == null ? null : source,
                fileFormat,
                parsedTemplate,
                env[0],
                source.optional(),
                at.getLineNr(),
                at.getColumnNr()));
      }
    }
  }

  private PendingBinding fromObject(String variable, JsonLocation at) throws IOException {
    return fromObject(variable, at, null, "secret, vault, version, optional");
  }

  /** Reads a files entry's keys beyond the secret's; false when a key is unknown or bad. */
  private interface ExtraKeys {
    /**
     * @return null when the key is not one of these
     */
    Boolean read(String key, JsonLocation keyAt) throws IOException;
  }

  /**
   * An object naming a secret; {@code extra} reads further keys (a files entry's). Returns null
   * when the object has problems; when it has no "secret" at all and {@code extra} is given, a
   * binding with a null name.
   */
  private PendingBinding fromObject(
      String variable, JsonLocation at, ExtraKeys extra, String expected) throws IOException {
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
      Boolean extraRead = extra == null ? null : extra.read(key, keyAt);
      if (extraRead != null) {
        valid &= extraRead;
        continue;
      }
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
              "unknown key '" + Printable.of(key) + "' (expected " + expected + ")");
          p.skipChildren();
          valid = false;
        }
      }
    }
    if (secret == null) {
      if (!seen.contains("secret")) {
        if (extra != null && !seen.contains("vault") && !seen.contains("version")) {
          return valid
              ? new PendingBinding(
                  variable, null, null, null, optional, at.getLineNr(), at.getColumnNr(), at(at))
              : null;
        }
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
    if (text.regionMatches(
        true, 0, AppServiceReference.PREFIX, 0, AppServiceReference.PREFIX.length())) {
      return fromAppService(variable, at, text, optional);
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
    var parsed = secretUrlParts(text);
    if (parsed.isEmpty()) {
      problem(
          at,
          variable,
          "'"
              + Printable.of(text)
              + "' is not a secret URL: expected"
              + " https://VAULT.vault.azure.net/secrets/NAME or .../secrets/NAME/VERSION");
      return null;
    }
    return pending(variable, at, parsed.get(), optional);
  }

  private PendingBinding fromAppService(
      String variable, JsonLocation at, String text, boolean optional) {
    var parsed = AppServiceReference.parse(text);
    if (parsed.isEmpty()) {
      problem(
          at,
          variable,
          "'"
              + Printable.of(text)
              + "' is not an App Service Key Vault reference: expected"
              + " @Microsoft.KeyVault(SecretUri=https://VAULT.vault.azure.net/secrets/NAME/) or"
              + " @Microsoft.KeyVault(VaultName=VAULT;SecretName=NAME[;SecretVersion=VERSION])");
      return null;
    }
    return pending(variable, at, parsed.get(), optional);
  }

  private PendingBinding pending(
      String variable, JsonLocation at, SecretRef ref, boolean optional) {
    return new PendingBinding(
        variable,
        ref.name(),
        ref.vault(),
        ref.version(),
        optional,
        at.getLineNr(),
        at.getColumnNr(),
        at(at));
  }

  /** A secret identifier URL, {@code https://VAULT/secrets/NAME[/VERSION][/]}, or empty. */
  static Optional<SecretRef> secretUrl(String text) {
    if (!text.regionMatches(true, 0, "https://", 0, 8)) {
      return Optional.empty();
    }
    return secretUrlParts(text);
  }

  private static Optional<SecretRef> secretUrlParts(String text) {
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
        return Optional.empty();
      }
      return Optional.of(
          new SecretRef(new VaultRef(VaultRef.origin(uri)), path[2], parts == 4 ? path[3] : null));
    } catch (URISyntaxException e) {
      return Optional.empty();
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
