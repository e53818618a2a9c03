package dev.kvload.importing;

import dev.kvload.Failure;
import dev.kvload.Printable;
import dev.kvload.env.CodeLoadingVariables;
import dev.kvload.manifest.ManifestParser;
import dev.kvload.manifest.SecretRef;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * How variables and Key Vault secret names map onto each other, one rule each way, so that a user
 * can tell a secret's name without running anything: {@code DATABASE_URL} is {@code database-url}
 * (lower case, each {@code _} a {@code -}), and back ({@code database-url} is {@code
 * DATABASE_URL}).
 *
 * <p>Key Vault names ignore case, so variables that differ only in case ({@code DB_URL}, {@code
 * db_url}) would be one secret: that is an error naming both, never a silent overwrite. Each {@code
 * _} becomes one {@code -}, so {@code A__B} and {@code A_B} stay apart.
 */
public final class SecretNames {
  private SecretNames() {}

  /** {@code DATABASE_URL} → {@code database-url}. */
  public static String forVariable(String variable) {
    return variable.toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /**
   * {@code database-url} → {@code DATABASE_URL}; empty when the secret's name is not a Key Vault
   * name or gives no variable name (one starting with a digit).
   */
  public static Optional<String> variableFor(String secret) {
    if (!SecretRef.NAME.matcher(secret).matches()) {
      return Optional.empty();
    }
    String variable = secret.toUpperCase(Locale.ROOT).replace('-', '_');
    return ManifestParser.VARIABLE.matcher(variable).matches()
        ? Optional.of(variable)
        : Optional.empty();
  }

  /**
   * A variable to name.
   *
   * @param where where it was found, for messages ({@code .env:3})
   */
  public record Named(String variable, String where) {}

  /**
   * The secret name of each variable of a dotenv file, as {@link #assign(List, Map, Set, String)}
   * gives it.
   *
   * @param file the file as messages name it
   */
  public static Map<String, String> assign(
      DotenvReader.Dotenv dotenv,
      Map<String, String> overrides,
      Set<String> allowedVars,
      String file) {
    return assign(
        dotenv.entries().stream().map(e -> new Named(e.variable(), file + ":" + e.line())).toList(),
        overrides,
        allowedVars,
        file);
  }

  /**
   * The secret name of each variable: {@code overrides} where given, else {@link #forVariable}.
   *
   * @param overrides {@code --name VAR=secret}
   * @param allowedVars the variables {@code --allow-var} lets through although they load code
   * @param file the dotenv file, for messages
   * @return variable → secret, in the order given
   * @throws Failure.Usage naming every refused variable, bad name and collision (both sides)
   */
  public static Map<String, String> assign(
      List<Named> variables, Map<String, String> overrides, Set<String> allowedVars, String file) {
    List<String> problems = new ArrayList<>();
    Map<String, Named> byVariable = new LinkedHashMap<>();
    variables.forEach(v -> byVariable.put(v.variable(), v));
    overrides.forEach(
        (variable, secret) -> {
          if (!byVariable.containsKey(variable)) {
            problems.add(
                "--name "
                    + Printable.of(variable)
                    + "=...: "
                    + Printable.of(variable)
                    + " is not set in "
                    + file);
          } else if (!SecretRef.NAME.matcher(secret).matches()) {
            problems.add(
                "--name "
                    + variable
                    + "="
                    + Printable.of(secret)
                    + ": not a Key Vault secret name (1-127 letters, digits and hyphens)");
          }
        });
    Map<String, String> names = new LinkedHashMap<>();
    Map<String, Named> bySecret = new HashMap<>();
    for (Named named : variables) {
      String variable = named.variable();
      if (CodeLoadingVariables.contains(variable) && !allowedVars.contains(variable)) {
        problems.add(
            named.where()
                + ": "
                + variable
                + " changes how programs load code, so kvload maps it only when the command line"
                + " allows it: --allow-var "
                + variable);
        continue;
      }
      String secret = overrides.getOrDefault(variable, forVariable(variable));
      if (!SecretRef.NAME.matcher(secret).matches()) {
        if (!overrides.containsKey(variable)) {
          problems.add(
              named.where()
                  + ": "
                  + variable
                  + " would be a secret name longer than Key Vault's 127 characters: name it"
                  + " with --name "
                  + variable
                  + "=SHORTER-NAME");
        }
        continue;
      }
      Named other = bySecret.putIfAbsent(secret.toLowerCase(Locale.ROOT), named);
      if (other != null) {
        problems.add(
            other.where()
                + ": "
                + other.variable()
                + " and "
                + named.where()
                + ": "
                + variable
                + " would both be secret '"
                + secret.toLowerCase(Locale.ROOT)
                + "' (Key Vault names ignore case): name one of them with --name "
                + variable
                + "=OTHER-NAME");
        continue;
      }
      names.put(variable, secret);
    }
    if (!problems.isEmpty()) {
      problems.add("nothing was sent");
      throw new Failure.Usage(problems.toArray(String[]::new));
    }
    return names;
  }

  /**
   * The variables for a vault's secrets ({@code init --from-vault}), sorted by variable. A name
   * that gives no variable, or one that loads code, is left out with a line in {@code skipped}: the
   * vault's contents are not the user's choice, so they never fail the command.
   *
   * @param names as the vault listed them, unchecked
   */
  public static Map<String, String> fromSecrets(
      List<String> names, Set<String> allowedVars, List<String> skipped) {
    Map<String, String> variables = new java.util.TreeMap<>();
    for (String name : names) {
      Optional<String> variable = variableFor(name);
      if (variable.isEmpty()) {
        skipped.add(
            "secret '"
                + Printable.of(name)
                + "' left out: "
                + (SecretRef.NAME.matcher(name).matches()
                    ? "its name gives no variable name (it starts with a digit); map it by hand"
                    : "not a Key Vault secret name"));
        continue;
      }
      String v = variable.get();
      if (CodeLoadingVariables.contains(v) && !allowedVars.contains(v)) {
        skipped.add(
            "secret '"
                + name
                + "' left out: "
                + v
                + " changes how programs load code (allow it with --allow-var "
                + v
                + ")");
        continue;
      }
      String earlier = variables.putIfAbsent(v, name);
      if (earlier != null) {
        skipped.add("secret '" + name + "' left out: '" + earlier + "' is " + v + " already");
      }
    }
    return variables;
  }
}
