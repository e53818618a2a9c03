package dev.kvload.cli;

import dev.kvload.core.Version;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The top-level command: holds the common options; does nothing by itself but show help. */
@Command(
    name = "kvload",
    mixinStandardHelpOptions = true,
    versionProvider = KvloadCommand.VersionProvider.class,
    description = "Load secrets from Azure Key Vault into a program's environment or a file.",
    footer = {
      "",
      "Exit status: 0 ok, 2 usage, 3 manifest, 4 authentication, 5 secret missing/forbidden/"
          + "disabled/expired, 6 vault unreachable or timed out, 7 output not written or refused (--on-conflict fail: environment refused);"
          + " run: the command's own status, 126 not executable, 127 not found."
    })
public final class KvloadCommand implements Runnable {
  @Mixin CommonOptions common;

  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Reads the version the build wrote. */
  public static final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"kvload " + Version.get()};
    }
  }
}
