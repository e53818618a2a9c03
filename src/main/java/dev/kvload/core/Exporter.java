package dev.kvload.core;

import dev.kvload.Failure;
import dev.kvload.output.EnvFileWriter;
import dev.kvload.output.Format;
import dev.kvload.output.GithubMasks;
import dev.kvload.vault.SecretValue;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code kvload export}: the secrets, in a format, to stdout or to a file on tmpfs. */
public final class Exporter {
  private Exporter() {}

  /**
   * @param output the file to write, or null for stdout
   */
  public record Request(Format format, Path output, boolean allowPersistent) {}

  public static void export(Session session, Settings settings, Request request) {
    Map<String, SecretValue> secrets = new Loader(session, settings).load();
    Map<String, String> values = new LinkedHashMap<>();
    secrets.forEach((name, value) -> values.put(name, value.reveal()));
    if (request.format() == Format.GITHUB && "true".equals(session.env().get("GITHUB_ACTIONS"))) {
      // The runner must learn every value before any of them can reach a log line.
      session.out().print(GithubMasks.commands(values.values()));
      session.out().flush();
    }
    byte[] content = request.format().render(values);
    if (request.output() == null) {
      session.out().write(content, 0, content.length);
      session.out().flush();
      if (session.out().checkError()) {
        throw new Failure.Output("cannot write to stdout", null);
      }
    } else {
      Path target = session.cwd().resolve(request.output());
      EnvFileWriter.write(
          target, content, request.allowPersistent(), session.diagnostics()::verbose);
      session.diagnostics().verbose("wrote " + target);
    }
  }
}
