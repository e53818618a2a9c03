package dev.kvload.manifest;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A parsed template: text with references to manifest variables and to secret identifiers,
 * written {@code {{kv:VARIABLE}}} or {@code {{kv:https://VAULT.vault.azure.net/secrets/NAME}}}.
 * {@code {{!kv:} gives a literal {@code {{kv:} (each further {@code !} one more {@code !}).
 *
 * @param file as shown in messages
 */
public record Template(Path file, List<Part> parts) {
  public Template {
    parts = List.copyOf(parts);
  }

  /** A piece of a template. */
  public sealed interface Part {}

  /** Text copied as is. */
  public record Text(String text) implements Part {}

  /** {@code {{kv:VARIABLE}}}: the value of a variable the manifest maps. */
  public record Variable(String name, int line, int column) implements Part {}

  /** {@code {{kv:URL}}}: a secret of its own, fetched with the manifest's. */
  public record Secret(Binding binding) implements Part {}

  /** The secrets the template names by URL. */
  public List<Binding> bindings() {
    return parts.stream()
        .filter(Secret.class::isInstance)
        .map(p -> ((Secret) p).binding())
        .distinct()
        .toList();
  }

  /** The variables the template names. */
  public List<Variable> variables() {
    return parts.stream().filter(Variable.class::isInstance).map(Variable.class::cast).toList();
  }

  /**
   * The text with every reference replaced.
   *
   * @param variables the manifest's values, by variable
   * @param secrets the values of {@link #bindings()}
   * @throws IllegalArgumentException naming the first variable without a value (never a value)
   */
  public String render(Map<String, String> variables, Function<Binding, String> secrets) {
    StringBuilder out = new StringBuilder();
    for (Part part : parts) {
      switch (part) {
        case Text t -> out.append(t.text());
        case Variable v -> {
          String value = variables.get(v.name());
          if (value == null) {
            throw new IllegalArgumentException(
                file + ":" + v.line() + ":" + v.column() + ": " + v.name() + " has no value");
          }
          out.append(value);
        }
        case Secret s -> out.append(secrets.apply(s.binding()));
      }
    }
    return out.toString();
  }
}
