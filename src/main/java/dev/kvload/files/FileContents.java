package dev.kvload.files;

import dev.kvload.Failure;
import dev.kvload.core.Loader;
import dev.kvload.manifest.Binding;
import dev.kvload.manifest.FileEntry;
import dev.kvload.manifest.FileFormat;
import dev.kvload.vault.Outcome;
import dev.kvload.vault.SecretValue;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The bytes of each file a run makes, from what {@link Loader#loadAll} fetched. */
public final class FileContents {
  private FileContents() {}

  /** One file to write: its relative path, its bytes and the variable that receives its path. */
  public record Made(String path, byte[] content, String env) {
    @Override
    public String toString() {
      return "Made[" + path + ", " + content.length + " bytes]";
    }
  }

  /**
   * Every file of {@code loaded}, in manifest order.
   *
   * @param variables the variables' values after {@code --on-conflict}, for templates
   * @param warn told of an optional file left out
   * @throws Failure.Secret naming every file whose secret does not fit its format, or whose
   *     template names a variable left unset
   */
  public static List<Made> of(
      Loader.Loaded loaded,
      Map<String, String> variables,
      java.util.function.Consumer<String> warn) {
    List<Made> made = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (FileEntry f : loaded.files()) {
      try {
        made.add(new Made(f.path(), content(f, loaded.sources(), variables), f.env()));
      } catch (IllegalArgumentException e) {
        if (f.optional()) {
          warn.accept(e.getMessage() + "; optional, so " + f.label() + " is not written");
        } else {
          problems.add(e.getMessage());
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new Failure.Secret(problems);
    }
    return made;
  }

  /** The paths by variable, for the environment or the env file. */
  public static Map<String, String> paths(
      List<Made> made, java.util.function.Function<Made, String> pathOf) {
    Map<String, String> paths = new LinkedHashMap<>();
    made.stream().filter(m -> m.env() != null).forEach(m -> paths.put(m.env(), pathOf.apply(m)));
    return paths;
  }

  /**
   * @throws IllegalArgumentException with a message naming file, secret and content type, never the
   *     value
   */
  static byte[] content(
      FileEntry f, Map<Binding, Outcome.Found> sources, Map<String, String> variables) {
    if (f.template() != null) {
      String text;
      try {
        text = f.template().render(variables, b -> sources.get(b).value().reveal());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            f.label() + ": " + e.getMessage() + " (its secret is optional and was not loaded)");
      }
      return text.getBytes(StandardCharsets.UTF_8);
    }
    Outcome.Found found = sources.get(f.source());
    SecretValue value = found.value();
    String secret =
        "secret " + f.source().secret().describe() + " in vault " + f.source().secret().vault();
    FileFormat format = f.format();
    if (format == FileFormat.RAW) {
      return value.reveal().getBytes(StandardCharsets.UTF_8);
    }
    if (format == FileFormat.BASE64) {
      try {
        return Certificates.base64(value.reveal());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            f.label() + ": " + secret + " is not base64; use \"format\": \"raw\" for text");
      }
    }
    String type = found.contentType();
    if (!Certificates.isCertificate(type)) {
      throw new IllegalArgumentException(
          f.label()
              + ": \"format\": \""
              + format.label()
              + "\" needs a Key Vault certificate's secret (content type "
              + Certificates.PKCS12
              + " or "
              + Certificates.PEM
              + "), but "
              + secret
              + (type == null || type.isEmpty()
                  ? " has no content type"
                  : " has content type '" + dev.kvload.Printable.of(type, 60) + "'")
              + "; use \"format\": \"raw\" or \"base64\"");
    }
    try {
      return Certificates.convert(value.reveal(), type, format);
    } catch (Certificates.Unreadable e) {
      throw new IllegalArgumentException(
          f.label()
              + ": "
              + secret
              + " (content type "
              + type
              + ") cannot give \"format\": \""
              + format.label()
              + "\": "
              + e.getMessage());
    }
  }
}
