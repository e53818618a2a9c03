package dev.kvload;

import dev.kvload.exec.Launch;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** The process entry point: it only exits. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    // First, before any secret or token can be in memory: core dumps off.
    Launch launch = Launch.atStart(System.getProperty(Launch.PROPERTY));
    // UTF-8 whatever the locale: values are bytes that must arrive unchanged, and a C locale
    // would turn every non-ASCII character of System.out into '?'.
    PrintStream out =
        new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
    PrintStream err =
        new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
    System.exit(Kvload.run(args, System.getenv(), launch, out, err));
  }
}
