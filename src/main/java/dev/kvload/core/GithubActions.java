package dev.kvload.core;

import java.nio.file.Path;
import java.util.Map;

/**
 * What a GitHub Actions runner tells a step through its environment. kvload only acts on it when
 * {@code GITHUB_ACTIONS=true}: a stray {@code GITHUB_ENV} in a developer's shell must not send
 * secrets to a file on disk.
 *
 * @param envFile {@code $GITHUB_ENV}: variables for the job's later steps, or null
 * @param stepSummary {@code $GITHUB_STEP_SUMMARY}: Markdown shown on the run's page, or null
 * @param workspace {@code $GITHUB_WORKSPACE}: the checkout, which annotation paths are relative to
 */
public record GithubActions(boolean active, Path envFile, Path stepSummary, Path workspace) {

  public static GithubActions of(Map<String, String> env) {
    if (!"true".equals(env.get("GITHUB_ACTIONS"))) {
      return new GithubActions(false, null, null, null);
    }
    return new GithubActions(
        true,
        path(env.get("GITHUB_ENV")),
        path(env.get("GITHUB_STEP_SUMMARY")),
        path(env.get("GITHUB_WORKSPACE")));
  }

  /**
   * {@code file} as annotations name it, relative to the workspace; null when it lies outside,
   * since GitHub could not show it then.
   */
  public String annotationPath(Path file) {
    Path absolute = file.toAbsolutePath().normalize();
    if (workspace == null) {
      return null;
    }
    Path root = workspace.toAbsolutePath().normalize();
    return absolute.startsWith(root) ? root.relativize(absolute).toString() : null;
  }

  private static Path path(String value) {
    return value == null || value.isBlank() ? null : Path.of(value);
  }
}
