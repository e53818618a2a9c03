package dev.kvload.core;

import dev.kvload.Failure;
import dev.kvload.output.DefaultEnvFile;
import dev.kvload.output.EnvFileWriter;
import dev.kvload.output.Format;
import dev.kvload.output.GithubMasks;
import dev.kvload.output.RunnerFile;
import dev.kvload.vault.SecretValue;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code kvload export}: the secrets, in a format, to stdout or to a file on tmpfs. */
public final class Exporter {
  private Exporter() {}

  /** Where the secrets go. */
  public sealed interface Target {
    /**
     * No {@code -o}: stdout, except {@code --format github} inside GitHub Actions, which appends to
     * {@code $GITHUB_ENV}.
     */
    record Standard() implements Target {}

    /** {@code -o -}: stdout, always. */
    record Stdout() implements Target {}

    /** {@code -o FILE}. */
    record File(Path path) implements Target {}

    /** {@code -o} alone: {@link DefaultEnvFile}. */
    record DefaultFile() implements Target {}
  }

  public record Request(Format format, Target target, boolean allowPersistent) {}

  public static void export(Session session, Settings settings, Request request) {
    Map<String, SecretValue> secrets = new Loader(session, settings).load();
    // What the output sets is what the variables would be after --on-conflict: with keep, a
    // variable already set keeps its value in the output too.
    Map<String, String> merged =
        Conflicts.resolve(session, settings, secrets, "nothing was written").asMap();
    Map<String, String> values = new LinkedHashMap<>();
    secrets.keySet().forEach(name -> values.put(name, merged.get(name)));
    GithubActions actions = GithubActions.of(session.env());
    if (request.format() == Format.GITHUB && actions.active()) {
      // The runner must learn every value before any of them can reach a log line.
      session.out().print(GithubMasks.commands(values.values()));
      session.out().flush();
    }
    byte[] content = request.format().render(values);
    switch (request.target()) {
      case Target.Standard s
          when request.format() == Format.GITHUB && actions.envFile() != null -> {
        RunnerFile.append(actions.envFile(), "$GITHUB_ENV", content);
        session
            .diagnostics()
            .info(
                "added "
                    + Loader.plural(values.size(), "variable")
                    + " to $GITHUB_ENV for the job's later steps");
      }
      case Target.Standard s -> stdout(session, content);
      case Target.Stdout s -> stdout(session, content);
      case Target.File f -> file(session, session.cwd().resolve(f.path()), content, request);
      case Target.DefaultFile d -> {
        long user = DefaultEnvFile.currentUid();
        Path target = DefaultEnvFile.path(session.env(), user);
        DefaultEnvFile.prepare(target, user);
        file(session, target, content, request);
        session
            .diagnostics()
            .info("wrote " + Loader.plural(values.size(), "variable") + " to " + target);
      }
    }
  }

  private static void stdout(Session session, byte[] content) {
    session.out().write(content, 0, content.length);
    session.out().flush();
    if (session.out().checkError()) {
      throw new Failure.Output("cannot write to stdout", null);
    }
  }

  private static void file(Session session, Path target, byte[] content, Request request) {
    EnvFileWriter.write(target, content, request.allowPersistent(), session.diagnostics()::verbose);
    session.diagnostics().verbose("wrote " + target);
  }
}
