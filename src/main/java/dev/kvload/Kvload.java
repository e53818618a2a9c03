package dev.kvload;

import dev.kvload.cli.CheckCommand;
import dev.kvload.cli.CompletionCommand;
import dev.kvload.cli.Context;
import dev.kvload.cli.ExportCommand;
import dev.kvload.cli.ImportCommand;
import dev.kvload.cli.InitCommand;
import dev.kvload.cli.InjectCommand;
import dev.kvload.cli.KvloadCommand;
import dev.kvload.cli.LoginCommand;
import dev.kvload.cli.LogoutCommand;
import dev.kvload.cli.RunCommand;
import dev.kvload.cli.ShellHookCommand;
import dev.kvload.cli.StatusCommand;
import dev.kvload.cli.ValidateCommand;
import dev.kvload.core.KeyVaultSources;
import dev.kvload.exec.Launch;
import dev.kvload.http.TlsWarmup;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine;

/** Builds the command line and turns whatever happens into an exit status. */
public final class Kvload {
  private Kvload() {}

  /**
   * Runs kvload as a process would, with the given environment and streams.
   *
   * @param launch what main learned at start ({@link Launch#atStart})
   * @return the exit status
   */
  public static int run(
      String[] args, Map<String, String> env, Launch launch, PrintStream out, PrintStream err) {
    if (reachesVaults(args)) {
      TlsWarmup.start();
    }
    return run(
        args,
        new Context(
            Map.copyOf(env),
            Path.of("").toAbsolutePath(),
            out,
            err,
            new KeyVaultSources(),
            Clock.systemUTC(),
            launch));
  }

  public static int run(String[] args, Context context) {
    CommandLine cli = commandLine(context, args);
    int status = cli.execute(args);
    context.out().flush();
    context.err().flush();
    return status;
  }

  /**
   * Whether the command line names a command that fetches secrets, before picocli has parsed it, so
   * that TLS set-up can start beside the parsing. A guess, as bin/kvload's choice of AOT cache is:
   * a wrong one costs only some CPU.
   */
  static boolean reachesVaults(String[] args) {
    boolean fetching = false;
    for (String arg : args) {
      switch (arg) {
        case "--" -> {
          return fetching;
        }
        case "run", "export", "check", "login", "import", "inject" -> fetching = true;
        case "help", "--help", "-h", "--version", "-V" -> {
          return false;
        }
        default -> {}
      }
    }
    return fetching;
  }

  /**
   * The command tree for these arguments. Building a command's model (reflection over its annotated
   * fields) is a good part of start-up, and when the first argument names a command, picocli can
   * only ever enter that one: the others are left out. {@code help} and {@code completion} walk the
   * whole tree, so they get it.
   */
  static CommandLine commandLine(Context context, String[] args) {
    Map<String, Supplier<Object>> commands = new LinkedHashMap<>();
    commands.put("run", () -> new RunCommand(context));
    commands.put("export", () -> new ExportCommand(context));
    commands.put("check", () -> new CheckCommand(context));
    commands.put("validate", () -> new ValidateCommand(context));
    commands.put("inject", () -> new InjectCommand(context));
    commands.put("shell-hook", () -> new ShellHookCommand(context));
    commands.put("login", () -> new LoginCommand(context));
    commands.put("logout", () -> new LogoutCommand(context));
    commands.put("status", () -> new StatusCommand(context));
    commands.put("init", () -> new InitCommand(context));
    commands.put("import", () -> new ImportCommand(context));
    commands.put("completion", () -> new CompletionCommand(context));
    CommandLine cli = new CommandLine(new KvloadCommand());
    String first = args.length > 0 ? args[0] : "";
    if (commands.containsKey(first) && !first.equals("completion")) {
      cli.addSubcommand(commands.get(first).get());
    } else {
      commands.values().forEach(command -> cli.addSubcommand(command.get()));
      cli.addSubcommand(new CommandLine.HelpCommand());
    }
    // An argument such as `curl -d @body.json` after `run --` must reach the command unchanged.
    cli.setExpandAtFiles(false);
    cli.setOut(new PrintWriter(context.out(), true, StandardCharsets.UTF_8));
    cli.setErr(new PrintWriter(context.err(), true, StandardCharsets.UTF_8));
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.setExecutionExceptionHandler(
        (error, command, parseResult) -> report(error, context.err(), parseResult));
    cli.setParameterExceptionHandler(
        (error, parsed) -> {
          context.err().println("kvload: " + Printable.line(error.getMessage()));
          RunCommand.hint(error.getCommandLine(), parsed)
              .ifPresent(hint -> context.err().println("kvload: " + hint));
          context
              .err()
              .println(
                  "kvload: see '"
                      + error.getCommandLine().getCommandSpec().qualifiedName()
                      + " --help'");
          return ExitStatus.USAGE;
        });
    return cli;
  }

  private static int report(Exception error, PrintStream err, CommandLine.ParseResult parsed) {
    if (error instanceof Failure failure) {
      failure.lines().forEach(line -> err.println("kvload: " + Printable.line(line)));
    } else {
      err.println("kvload: internal error: " + error.getClass().getName());
      err.println("kvload: this is a bug in kvload; please report it with the output of -v");
    }
    if (verbose(parsed)) {
      // Types and frames only: a library's message might quote a response body. A failure kvload
      // expected says all it knows already; what caused it (the SDK's exceptions) may still help.
      // An unexpected exception is a bug: its frames are what a report needs.
      boolean bug = !(error instanceof Failure);
      for (Throwable t = bug ? error : error.getCause(); t != null; t = t.getCause()) {
        err.println("kvload:   caused by " + t.getClass().getName());
        int frames = bug ? 12 : 3;
        for (StackTraceElement frame :
            List.of(t.getStackTrace()).subList(0, Math.min(frames, t.getStackTrace().length))) {
          err.println("kvload:     at " + frame);
        }
      }
    }
    return ExitStatus.of(error);
  }

  private static boolean verbose(CommandLine.ParseResult parsed) {
    for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
      if (p.hasMatchedOption("--verbose")) {
        return true;
      }
    }
    return false;
  }
}
