package dev.kvload.cli;

import dev.kvload.core.Exporter;
import dev.kvload.output.Format;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code kvload export}: write the secrets to stdout or a file. */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description = {
      "Fetch every mapped secret and write them to stdout or to FILE.",
      "FILE is written atomically with mode 0600, and only on tmpfs unless --allow-persistent."
    })
public final class ExportCommand implements Callable<Integer> {
  private final Context context;

  @ParentCommand KvloadCommand parent;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      arity = "0..1",
      fallbackValue = "",
      description = {
        "File to write instead of stdout; '-' for stdout. Without FILE: $XDG_RUNTIME_DIR/kvload/env,"
            + " else /dev/shm/kvload-UID/env (what 'kvload shell-hook' sources).",
        "Without -o, --format github inside GitHub Actions appends to $GITHUB_ENV."
      })
  String output;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      description = "sh (default), dotenv, json or github.")
  String format = "sh";

  @Option(
      names = "--files-dir",
      paramLabel = "DIR",
      description =
          "Where the manifest's files go (default: beside FILE, as FILE.files); tmpfs only unless"
              + " --allow-persistent. DIR is a link kvload replaces in one step.")
  Path filesDir;

  @Option(
      names = "--allow-persistent",
      description = "Write FILE even when it is not on tmpfs or ramfs.")
  boolean allowPersistent;

  public ExportCommand(Context context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    var settings = parent.common.toSettings(context.env());
    var request =
        new Exporter.Request(
            CommonOptions.parse("--format", format, Format::parse),
            target(),
            allowPersistent,
            filesDir);
    Exporter.export(context.session(settings), settings, request);
    return 0;
  }

  private Exporter.Target target() {
    if (output == null) {
      return new Exporter.Target.Standard();
    }
    return switch (output) {
      case "" -> new Exporter.Target.DefaultFile();
      case "-" -> new Exporter.Target.Stdout();
      default -> new Exporter.Target.File(Path.of(output));
    };
  }
}
