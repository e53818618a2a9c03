package dev.kvload.cli;

import dev.kvload.core.Diagnostics;
import dev.kvload.core.Session;
import dev.kvload.core.Settings;
import dev.kvload.core.SourceFactory;
import dev.kvload.exec.Launch;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/** What the process gave kvload: passed to every command, so tests can give their own. */
public record Context(
    Map<String, String> env,
    Path cwd,
    PrintStream out,
    PrintStream err,
    SourceFactory sources,
    Clock clock,
    Launch launch) {

  Session session(Settings settings) {
    return new Session(
        env, cwd, out, new Diagnostics(err, settings.quiet(), settings.verbose()), sources, clock);
  }
}
