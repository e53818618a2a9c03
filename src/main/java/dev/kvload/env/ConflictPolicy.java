package dev.kvload.env;

import java.util.Locale;

/** What happens when a mapped variable is already set in the environment. */
public enum ConflictPolicy {
  /** The secret wins; a warning names each variable whose existing value differs. */
  OVERRIDE,
  /** The existing value wins. */
  KEEP,
  /** Refuse to start. */
  FAIL;

  public static ConflictPolicy parse(String text) {
    for (ConflictPolicy p : values()) {
      if (p.name().equalsIgnoreCase(text)) {
        return p;
      }
    }
    throw new IllegalArgumentException(
        "'" + text + "' is not a conflict policy: use override, keep or fail");
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
