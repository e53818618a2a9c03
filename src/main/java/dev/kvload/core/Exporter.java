package dev.kvload.core;

import dev.kvload.Failure;
import dev.kvload.files.FileContents;
import dev.kvload.output.DefaultEnvFile;
import dev.kvload.output.EnvFileWriter;
import dev.kvload.output.FileSetWriter;
import dev.kvload.output.Format;
import dev.kvload.output.RunnerFile;
import dev.kvload.output.WorkflowCommands;
import dev.kvload.vault.SecretValue;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
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

  /**
   * @param filesDir {@code --files-dir}: where the manifest's files go, or null for beside the env
   *     file ({@code FILE.files})
   */
  public record Request(Format format, Target target, boolean allowPersistent, Path filesDir) {
    public Request(Format format, Target target, boolean allowPersistent) {
      this(format, target, allowPersistent, null);
    }
  }

  public static void export(Session session, Settings settings, Request request) {
    GithubActions actions = GithubActions.of(session.env());
    boolean toGithubEnv =
        request.target() instanceof Target.Standard
            && request.format() == Format.GITHUB
            && actions.envFile() != null;
    boolean toStdout =
        request.target() instanceof Target.Stdout
            || (request.target() instanceof Target.Standard && !toGithubEnv);
    if (actions.active() && toStdout && request.format() == Format.JSON) {
      // JSON has no comments to carry the masks, and masks before it would break every reader.
      throw new Failure.Usage(
          "--format json to stdout inside GitHub Actions: the runner must read ::add-mask:: for"
              + " each value first, and JSON has no room for it; write it to a file (-o FILE)"
              + " or use --format sh, dotenv or github");
    }
    Loader.Loaded loaded = new Loader(session, settings).loadAll(() -> {});
    Map<String, SecretValue> secrets = new LinkedHashMap<>(loaded.variables());
    List<FileContents.Made> made =
        FileContents.of(loaded, reveal(secrets), session.diagnostics()::warn);
    Path filesDir = loaded.manifest().files().isEmpty() ? null : filesDir(session, request);
    // The paths go in as variables, under --on-conflict like the secrets' values.
    FileContents.paths(made, m -> filesDir.resolve(m.path()).toString())
        .forEach((name, path) -> secrets.put(name, new SecretValue(path)));
    // What the output sets is what the variables would be after --on-conflict: with keep, a
    // variable already set keeps its value in the output too.
    Map<String, String> merged =
        Conflicts.resolve(session, settings, secrets, "nothing was written").asMap();
    Map<String, String> values = new LinkedHashMap<>();
    secrets.keySet().forEach(name -> values.put(name, merged.get(name)));
    values.forEach(
        (name, value) ->
            request
                .format()
                .pitfall(value)
                .ifPresent(
                    pitfall ->
                        session
                            .diagnostics()
                            .warn(
                                name
                                    + ": its value "
                                    + pitfall
                                    + "; kvload run or --format sh pass it exactly")));
    // What was fetched, which with --on-conflict keep is not always what is written: a value
    // kept from the environment came from the job, whose runner knows its own secrets already.
    // Not the files' paths, which are no secrets.
    Map<String, String> fetched = loaded.maskable();
    byte[] content = request.format().render(values);
    if (filesDir != null) {
      Map<String, byte[]> files = new LinkedHashMap<>();
      made.forEach(m -> files.put(m.path(), m.content()));
      FileSetWriter.write(
          filesDir, files, request.allowPersistent(), session.diagnostics()::verbose);
      session
          .diagnostics()
          .info("wrote " + Loader.plural(files.size(), "file") + " under " + filesDir);
    }
    if (toStdout) {
      stdout(session, framed(session, request.format(), fetched, content));
      return;
    }
    Masks.print(session, fetched);
    switch (request.target()) {
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
      default -> {
        // --format github into $GITHUB_ENV: every stdout case has returned above.
        RunnerFile.append(actions.envFile(), "$GITHUB_ENV", content);
        session
            .diagnostics()
            .info(
                "added "
                    + Loader.plural(values.size(), "variable")
                    + " to $GITHUB_ENV for the job's later steps");
      }
    }
  }

  /**
   * The output for stdout: inside GitHub Actions, the masks first, then the values in a region
   * where the runner acts on no workflow command (a value line such as {@code ::error::} or {@code
   * ##[add-path]} is only text there). For {@code sh} and {@code dotenv} masks and region are
   * comment lines, so that {@code eval "$(kvload export)"} and {@code > .env} still work.
   */
  private static byte[] framed(
      Session session, Format format, Map<String, String> fetched, byte[] content) {
    if (!GithubActions.of(session.env()).active()) {
      return content;
    }
    boolean comments = format != Format.GITHUB;
    String masks = Masks.of(session, fetched, comments ? Masks.Form.COMMENTS : Masks.Form.COMMANDS);
    String token = WorkflowCommands.stopToken(List.of(new String(content, StandardCharsets.UTF_8)));
    byte[] before =
        (masks + (comments ? WorkflowCommands.stopComment(token) : WorkflowCommands.stop(token)))
            .getBytes(StandardCharsets.UTF_8);
    byte[] after =
        (comments ? WorkflowCommands.resumeComment(token) : WorkflowCommands.resume(token))
            .getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[before.length + content.length + after.length];
    System.arraycopy(before, 0, out, 0, before.length);
    System.arraycopy(content, 0, out, before.length, content.length);
    System.arraycopy(after, 0, out, before.length + content.length, after.length);
    return out;
  }

  private static Map<String, String> reveal(Map<String, SecretValue> secrets) {
    Map<String, String> values = new LinkedHashMap<>();
    secrets.forEach((name, value) -> values.put(name, value.reveal()));
    return values;
  }

  /**
   * {@code --files-dir}, else beside the env file: {@code FILE.files}; for stdout and {@code
   * $GITHUB_ENV}, beside the default env file.
   */
  private static Path filesDir(Session session, Request request) {
    if (request.filesDir() != null) {
      return session.cwd().resolve(request.filesDir());
    }
    Path envFile;
    if (request.target() instanceof Target.File f) {
      envFile = session.cwd().resolve(f.path());
    } else {
      long user = DefaultEnvFile.currentUid();
      envFile = DefaultEnvFile.path(session.env(), user);
      DefaultEnvFile.prepare(envFile, user);
    }
    return envFile.resolveSibling(envFile.getFileName() + ".files");
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
