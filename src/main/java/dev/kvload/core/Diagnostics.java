package dev.kvload.core;

import dev.kvload.Printable;
import java.io.PrintStream;

/**
 * Everything kvload says on stderr. Callers pass names of variables, secrets, vaults and files;
 * never a value. Every line is shown through {@link Printable#line}: the names come from manifests,
 * vaults and the network, and no caller should have to remember that.
 */
public final class Diagnostics {
  private final PrintStream err;
  private final boolean quiet;
  private final boolean verbose;

  public Diagnostics(PrintStream err, boolean quiet, boolean verbose) {
    this.err = err;
    this.quiet = quiet;
    this.verbose = verbose;
  }

  /** Something the user should know even with {@code -q}: an error line. */
  public void error(String line) {
    err.println("kvload: " + Printable.line(line));
  }

  /** A warning: shown unless {@code -q}. */
  public void warn(String line) {
    if (!quiet) {
      err.println("kvload: warning: " + Printable.line(line));
    }
  }

  /** The one-line summary and similar: shown unless {@code -q}. */
  public void info(String line) {
    if (!quiet) {
      err.println("kvload: " + Printable.line(line));
    }
  }

  /** Detail for {@code -v}. */
  public void verbose(String line) {
    if (verbose) {
      err.println("kvload: " + Printable.line(line));
    }
  }

  /**
   * Lines for a program that reads stderr, printed as given even with {@code -q}: GitHub workflow
   * commands such as {@code ::error::}, which the runner reads on stderr as on stdout.
   */
  public void machine(String lines) {
    err.print(lines);
    err.flush();
  }

  public boolean isVerbose() {
    return verbose;
  }

  public void flush() {
    err.flush();
  }
}
