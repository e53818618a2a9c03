package dev.kvload.core;

import dev.kvload.Failure;
import dev.kvload.env.Environment;
import dev.kvload.exec.Handoff;
import dev.kvload.files.FileContents;
import dev.kvload.vault.SecretValue;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code kvload run}: fetch every mapped secret, add them to the environment under the conflict
 * policy, then hand the process over to the command. Nothing is started when anything fails before.
 */
public final class Runner {
  private Runner() {}

  /**
   * @param command the program and its arguments
   * @return the status to exit with, when the handoff returns at all
   * @throws Failure.Output when {@code --on-conflict fail} finds a variable already set with
   *     another value (7: the environment refused the write, as a file may be refused)
   */
  public static int run(Session session, Settings settings, List<String> command, Handoff handoff) {
    // Checked once the transport is up rather than first: by then the handoff, made on another
    // thread, is ready. A mistyped command still fails before any request is sent.
    Loader.Loaded loaded =
        new Loader(session, settings)
            .loadAll(() -> handoff.check(command, Environment.of(session.env())));
    Map<String, SecretValue> secrets = new LinkedHashMap<>(loaded.variables());
    Map<String, String> fetched = new LinkedHashMap<>();
    secrets.forEach((name, value) -> fetched.put(name, value.reveal()));
    List<Handoff.File> files =
        FileContents.of(loaded, fetched, session.diagnostics()::warn).stream()
            .map(m -> new Handoff.File(m.path(), m.content(), m.env()))
            .toList();
    // The command may print a value the moment it starts: the runner must know them all first.
    Masks.print(session, loaded.maskable());
    // A refusal after this leaves memfds that go with the process, or a private folder that a
    // shutdown hook removes.
    handoff
        .files(files, session.env())
        .forEach((name, path) -> secrets.put(name, new SecretValue(path)));
    Environment environment = Conflicts.resolve(session, settings, secrets, "nothing was started");
    // Whatever kvload wrote must be out before the command writes to the same descriptors.
    session.out().flush();
    session.diagnostics().flush();
    return handoff.start(command, environment);
  }
}
