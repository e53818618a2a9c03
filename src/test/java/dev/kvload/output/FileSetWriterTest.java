package dev.kvload.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvload.Failure;
import dev.kvload.fake.TmpfsFolder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FileSetWriterTest {
  private final TmpfsFolder shm = new TmpfsFolder();

  @AfterEach
  void remove() {
    shm.close();
  }

  /** A write that fails half way (its second file is refused) leaves the first set whole. */
  @Test
  void aWriteThatFailsHalfWayLeavesThePreviousSetAndNoTrace() throws Exception {
    Path target = shm.resolve("files");
    FileSetWriter.write(target, Map.of("a", new byte[] {'1'}), false, s -> {});
    List<String> before = shm.listing();
    Map<String, byte[]> next = new LinkedHashMap<>();
    next.put("b", new byte[] {'2'});
    next.put("../escaped", new byte[] {'3'});
    var e =
        assertThrows(Failure.Output.class, () -> FileSetWriter.write(target, next, false, s -> {}));
    assertTrue(e.lines().getFirst().contains("refusing file '../escaped'"), e.lines()::toString);
    assertEquals("1", Files.readString(target.resolve("a")));
    assertFalse(Files.exists(target.resolve("b")));
    assertFalse(Files.exists(shm.resolve("escaped")));
    assertEquals(before, shm.listing(), "the half-written set is removed");
  }
}
