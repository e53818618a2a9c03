package dev.kvload.core;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/**
 * What a command runs with: the environment it was given (never the process's globals), the working
 * folder, the streams, and where secrets come from.
 */
public record Session(
    Map<String, String> env,
    Path cwd,
    PrintStream out,
    Diagnostics diagnostics,
    SourceFactory sources,
    Clock clock) {}
