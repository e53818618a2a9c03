package dev.kvload.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvload.Failure;
import dev.kvload.fake.TmpfsFolder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What {@link EnvFileWriter} leaves behind when a write is stopped: the temporary file has a name
 * nobody can predict, a hook removes it if the JVM ends mid-write (SIGINT, SIGTERM), and the hook
 * goes once the write is over. The hooks are recorded here instead of being the JVM's.
 */
class EnvFileWriterCleanupTest {
  private static final byte[] SECRETS = "export TOKEN='fresh'\n".getBytes(StandardCharsets.UTF_8);
  private static final Pattern TEMPORARY =
      Pattern.compile(" through (\\.env\\.[0-9a-f]{16}\\.tmp)$");

  private final TmpfsFolder tmpfs = new TmpfsFolder();
  private final Path shm = tmpfs.path();
  private final Path target = shm.resolve("env");

  @AfterEach
  void clean() {
    tmpfs.close();
  }

  /** Records the hooks; {@code shuttingDown} refuses new ones as the JVM does once it stops. */
  private static final class Hooks implements EnvFileWriter.ShutdownHooks {
    final List<Thread> added = new ArrayList<>();
    final List<Thread> removed = new ArrayList<>();
    boolean shuttingDown;

    @Override
    public void add(Thread hook) {
      if (shuttingDown) {
        throw new IllegalStateException("Shutdown in progress");
      }
      added.add(hook);
    }

    @Override
    public void remove(Thread hook) {
      removed.add(hook);
    }
  }

  private static String temporaryName(String said) {
    Matcher m = TEMPORARY.matcher(said);
    assertTrue(m.find(), said);
    return m.group(1);
  }

  @Test
  void temporaryNamesAreRandom() {
    List<String> said = new ArrayList<>();
    EnvFileWriter.write(target, SECRETS, false, said::add);
    EnvFileWriter.write(target, SECRETS, false, said::add);
    assertEquals(2, said.size(), said::toString);
    assertNotEquals(temporaryName(said.get(0)), temporaryName(said.get(1)), said::toString);
    assertEquals(List.of("env"), TmpfsFolder.listing(shm));
  }

  @Test
  void theHookExistsWhileTheTemporaryFileDoesAndGoesAfter() throws IOException {
    Hooks hooks = new Hooks();
    List<Boolean> registeredWhileWriting = new ArrayList<>();
    Consumer<String> verbose =
        said ->
            registeredWhileWriting.add(
                hooks.added.size() == 1
                    && Files.exists(shm.resolve(temporaryName(said)))
                    && hooks.removed.isEmpty());
    EnvFileWriter.write(target, SECRETS, false, verbose, EnvFileWriter::nonce, hooks);
    assertEquals(List.of(true), registeredWhileWriting);
    assertEquals(hooks.added, hooks.removed, "the hook is removed once the file is in place");
    // A hook that runs anyway (too late to remove) finds the name gone and leaves the file alone.
    hooks.added.getFirst().run();
    assertEquals("export TOKEN='fresh'\n", Files.readString(target));
  }

  static Stream<Arguments> stops() {
    return Stream.of(
        Arguments.of("the JVM stops mid-write and runs the hook", false, "no such file or folder"),
        Arguments.of(
            "the JVM was already stopping before the hook could be added",
            true,
            "Shutdown in progress"));
  }

  /** Either way no temporary file of secrets stays behind, and the target is not created. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("stops")
  void aStoppedWriteLeavesNothingBehind(String name, boolean alreadyStopping, String reason) {
    Hooks hooks = new Hooks();
    hooks.shuttingDown = alreadyStopping;
    Consumer<String> stop = said -> hooks.added.forEach(Thread::run);
    var failure =
        assertThrows(
            Failure.Output.class,
            () -> EnvFileWriter.write(target, SECRETS, false, stop, EnvFileWriter::nonce, hooks));
    assertEquals(target + ": cannot write: " + reason, failure.getMessage());
    assertEquals(List.of(), TmpfsFolder.listing(shm));
    assertFalse(Files.exists(target));
    assertEquals(hooks.added, hooks.removed, "no hook outlives the write");
  }
}
