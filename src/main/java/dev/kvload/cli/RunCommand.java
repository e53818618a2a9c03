package dev.kvload.cli;

import dev.kvload.Failure;
import dev.kvload.core.Runner;
import dev.kvload.exec.Handoff;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code kvload run -- CMD [ARGS...]}: become CMD with the secrets in its environment. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    showEndOfOptionsDelimiterInUsageHelp = true,
    description = {
      "Fetch every mapped secret, then replace kvload with CMD (execve: same PID, no kvload left"
          + " running), its environment the current one plus the secrets.",
      "Nothing starts when a required secret fails. '--' must come before CMD."
    },
    footer = {
      "",
      "Exit status: CMD's own; 126 CMD not executable, 127 CMD not found; 7 when --on-conflict"
          + " fail finds a variable already set with another value; else as for kvload."
    })
public final class RunCommand implements Callable<Integer> {
  private final Context context;

  @ParentCommand KvloadCommand parent;

  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "CMD",
      description = "The program, found on PATH as a shell finds it.")
  String program;

  @Parameters(index = "1..*", paramLabel = "ARGS", description = "Its arguments, unchanged.")
  List<String> arguments;

  public RunCommand(Context context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    List<String> command = command();
    var settings = parent.common.toSettings(context.env());
    Handoff handoff = Handoff.forEnvironment(context.env(), context.launch());
    return Runner.run(context.session(settings), settings, command, handoff);
  }

  /**
   * A hint for a command line picocli rejected: {@code kvload run ls -la} fails on {@code -la}
   * before {@link #call} can say that {@code --} is missing.
   */
  public static Optional<String> hint(CommandLine rejected, String[] args) {
    return rejected.getCommandSpec().userObject() instanceof RunCommand
            && !List.of(args).contains("--")
        ? Optional.of("put '--' before the command: kvload run [options] -- CMD [ARGS...]")
        : Optional.empty();
  }

  /** CMD and its arguments, which must follow {@code --} so that no option of theirs is ours. */
  private List<String> command() {
    if (program == null) {
      throw new Failure.Usage(
          "run needs a command: kvload run [options] -- CMD [ARGS...]", "see 'kvload run --help'");
    }
    List<String> command = new ArrayList<>();
    command.add(program);
    if (arguments != null) {
      command.addAll(arguments);
    }
    List<String> given = spec.commandLine().getParseResult().originalArgs();
    int delimiter = given.size() - command.size() - 1;
    if (delimiter < 0 || !given.get(delimiter).equals("--")) {
      throw new Failure.Usage(
          "run needs '--' before the command, so that no option of the command is taken for"
              + " kvload's: kvload run [options] -- "
              + program
              + (command.size() > 1 ? " ..." : ""),
          "see 'kvload run --help'");
    }
    return command;
  }
}
