package dev.kvload.vault;

/**
 * A secret's value. It is handed from the vault adapter to the sink and nowhere else; {@link
 * #toString()} is redacted so that a log call, a debugger or an exception message never shows it.
 */
public final class SecretValue {
  private final String value;

  public SecretValue(String value) {
    this.value = value;
  }

  /** The value itself, for the one sink that writes or injects it. */
  public String reveal() {
    return value;
  }

  /** True when the value cannot live in an environment variable. */
  public boolean hasNul() {
    return value.indexOf('\0') >= 0;
  }

  @Override
  public String toString() {
    return "SecretValue[redacted]";
  }
}
