package dev.kvload.auth;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The {@code --auth} values of the contract. */
public enum AuthMode {
  DEFAULT("default"),
  ENVIRONMENT("environment"),
  WORKLOAD_IDENTITY("workload-identity"),
  MANAGED_IDENTITY("managed-identity"),
  AZURE_CLI("azure-cli"),
  LOGIN("login"),
  GITHUB_OIDC("github-oidc");

  private final String option;

  AuthMode(String option) {
    this.option = option;
  }

  public static AuthMode parse(String text) {
    for (AuthMode mode : values()) {
      if (mode.option.equalsIgnoreCase(text)) {
        return mode;
      }
    }
    throw new IllegalArgumentException(
        "'"
            + text
            + "' is not an auth mode: use "
            + Arrays.stream(values()).map(m -> m.option).collect(Collectors.joining(", ")));
  }

  @Override
  public String toString() {
    return option;
  }
}
