package dev.kvload.env;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** An environment as a value: changes give a new environment and never touch the process's. */
public final class Environment {
  private final Map<String, String> variables;

  private Environment(Map<String, String> variables) {
    this.variables = Collections.unmodifiableMap(variables);
  }

  public static Environment of(Map<String, String> variables) {
    return new Environment(new LinkedHashMap<>(variables));
  }

  public Optional<String> get(String name) {
    return Optional.ofNullable(variables.get(name));
  }

  public Environment set(String name, String value) {
    Map<String, String> copy = new LinkedHashMap<>(variables);
    copy.put(name, value);
    return new Environment(copy);
  }

  public Environment unset(String name) {
    Map<String, String> copy = new LinkedHashMap<>(variables);
    copy.remove(name);
    return new Environment(copy);
  }

  public Map<String, String> asMap() {
    return variables;
  }

  /**
   * Adds variables under a conflict policy.
   *
   * @return the new environment and the variables that were already set with another value
   */
  public Merge merge(Map<String, String> additions, ConflictPolicy policy) {
    Map<String, String> copy = new LinkedHashMap<>(variables);
    List<String> conflicts = new ArrayList<>();
    additions.forEach(
        (name, value) -> {
          String existing = variables.get(name);
          boolean differs = existing != null && !existing.equals(value);
          if (differs) {
            conflicts.add(name);
          }
          if (existing == null || policy == ConflictPolicy.OVERRIDE) {
            copy.put(name, value);
          }
        });
    return new Merge(new Environment(copy), List.copyOf(conflicts));
  }

  /**
   * The result of {@link #merge}.
   *
   * @param conflicts variables that were set before with a different value, in merge order
   */
  public record Merge(Environment environment, List<String> conflicts) {}

  @Override
  public boolean equals(Object o) {
    return o instanceof Environment other && variables.equals(other.variables);
  }

  @Override
  public int hashCode() {
    return variables.hashCode();
  }

  /** Names only: an environment holds secrets once merged. */
  @Override
  public String toString() {
    return "Environment" + variables.keySet();
  }
}
