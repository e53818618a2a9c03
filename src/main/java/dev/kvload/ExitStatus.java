package dev.kvload;

/** The one place where a failure becomes a process exit status (the contract's table). */
public final class ExitStatus {
  public static final int OK = 0;
  public static final int USAGE = 2;
  public static final int MANIFEST = 3;
  public static final int AUTH = 4;
  public static final int SECRET = 5;
  public static final int VAULT = 6;
  public static final int OUTPUT = 7;
  public static final int NOT_EXECUTABLE = 126;
  public static final int NOT_FOUND = 127;

  /** A bug in kvload: an exception it did not expect. */
  public static final int INTERNAL = 70;

  private ExitStatus() {}

  public static int of(Throwable failure) {
    return switch (failure) {
      case Failure.Usage u -> USAGE;
      case Failure.Manifest m -> MANIFEST;
      case Failure.Auth a -> AUTH;
      case Failure.Secret s -> SECRET;
      case Failure.Vault v -> VAULT;
      case Failure.Output o -> OUTPUT;
      case Failure.Command c -> c.found() ? NOT_EXECUTABLE : NOT_FOUND;
      default -> INTERNAL;
    };
  }
}
