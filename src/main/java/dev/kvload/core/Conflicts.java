package dev.kvload.core;

import dev.kvload.Failure;
import dev.kvload.env.ConflictPolicy;
import dev.kvload.env.Environment;
import dev.kvload.vault.SecretValue;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code --on-conflict}: what becomes of a secret whose variable is already set, for {@code run}
 * (the command's environment) and {@code export} (what the output sets) alike.
 */
final class Conflicts {
  private Conflicts() {}

  /**
   * The session's environment with the secrets added under the settings' policy, after warning
   * about (override) or noting (keep) each variable already set with another value.
   *
   * @param refused what did not happen when the policy is {@code fail}, for its message
   * @throws Failure.Output when {@code --on-conflict fail} finds a variable already set with
   *     another value (7: the environment refused the write, as a file may be refused)
   */
  static Environment resolve(
      Session session, Settings settings, Map<String, SecretValue> secrets, String refused) {
    Map<String, String> values = new LinkedHashMap<>();
    secrets.forEach((name, value) -> values.put(name, value.reveal()));
    ConflictPolicy policy = settings.onConflict();
    Environment.Merge merge = Environment.of(session.env()).merge(values, policy);
    List<String> conflicts = merge.conflicts();
    switch (policy) {
      case OVERRIDE ->
          conflicts.forEach(
              name ->
                  session
                      .diagnostics()
                      .warn(
                          name
                              + " was already set in the environment: the secret's value replaces"
                              + " it (--on-conflict keep keeps the old one)"));
      case KEEP ->
          conflicts.forEach(
              name ->
                  session
                      .diagnostics()
                      .verbose(name + " was already set: keeping its value (--on-conflict keep)"));
      case FAIL -> {
        if (!conflicts.isEmpty()) {
          throw new Failure.Output(
              "--on-conflict fail: "
                  + String.join(", ", conflicts)
                  + (conflicts.size() == 1 ? " is" : " are")
                  + " already set in the environment with another value; "
                  + refused
                  + ": unset "
                  + (conflicts.size() == 1 ? "it" : "them")
                  + " or choose --on-conflict override or keep",
              null);
        }
      }
    }
    return merge.environment();
  }
}
