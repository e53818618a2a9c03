package dev.kvload.exec;

import java.util.OptionalLong;

/**
 * What {@code main} learns first thing, before any secret or token can be in memory: it turns core
 * dumps off ({@link CoreDumps}) and keeps the soft limit it found, and it keeps {@code
 * bin/kvload}'s record, unread. {@code run} makes the {@link Inherited} the command gets from both,
 * on the thread that prepares the handoff: nothing else needs the record, and reading it takes the
 * PID, which costs a {@link ProcessHandle} at start.
 *
 * @param record the value of {@link #PROPERTY}, or null
 * @param coreFound the soft core limit found at start (0 when it was 0 already); empty when it
 *     could not be read or lowered here
 */
public record Launch(String record, OptionalLong coreFound) {
  /**
   * Where {@code bin/kvload} puts its record: on the java command line ({@code
   * -Dkvload.inherited=PID;FD,FD,...;SIGIGN-HEX;CORE}), which only whoever starts the JVM can set.
   */
  public static final String PROPERTY = "kvload.inherited";

  /** No launcher and core dumps left alone: for in-process runs (tests). */
  public static final Launch NONE = new Launch(null, OptionalLong.empty());

  /** Turns core dumps off for this process, then keeps what it found and the launcher's record. */
  public static Launch atStart(String record) {
    return new Launch(record, CoreDumps.disable());
  }
}
