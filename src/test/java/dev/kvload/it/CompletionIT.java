package dev.kvload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code kvload completion}: the script loads in the shell and completes commands and options. */
class CompletionIT {
  private final Harness h = new Harness();

  @AfterEach
  void close() {
    h.close();
  }

  /** What bash's completion function offers for the words typed so far. */
  private List<String> complete(Path script, String... words) {
    String line = String.join(" ", words);
    var run =
        Shell.run(
            h,
            h.baseEnv(),
            h.dir,
            "bash",
            ". '"
                + script
                + "'; COMP_WORDS=("
                + line
                + "); COMP_CWORD="
                + (words.length - 1)
                + "; COMP_LINE='"
                + line
                + "'; COMP_POINT=${#COMP_LINE}; _complete_kvload; printf '%s\\n' \"${COMPREPLY[@]}\"");
    assertEquals(0, run.exit(), run::toString);
    return run.stdout().lines().map(String::strip).toList();
  }

  @Test
  void bashCompletesCommandsAndOptions() {
    var gen = h.kvload("completion", "bash");
    assertEquals(0, gen.exit(), gen::toString);
    Path script = h.write("kvload.bash", gen.stdout());
    assertEquals(List.of("check", "completion"), complete(script, "kvload", "c"));
    assertTrue(complete(script, "kvload", "check", "--").contains("--expiry-warning"));
    assertTrue(complete(script, "kvload", "shell-hook", "").containsAll(List.of("bash", "zsh")));
  }

  @Test
  void zshLoadsTheScriptThroughBashcompinit() {
    assumeTrue(Shell.has("zsh"), "zsh is not installed here");
    var gen = h.kvload("completion", "zsh");
    assertEquals(0, gen.exit(), gen::toString);
    Path script = h.write("kvload.zsh", gen.stdout());
    var run = Shell.run(h, h.baseEnv(), h.dir, "zsh", ". '" + script + "' && complete -p kvload");
    assertEquals(0, run.exit(), run::toString);
    assertTrue(run.stdout().contains("_complete_kvload"), run::toString);
  }

  @Test
  void unknownShellIsAUsageError() {
    var run = h.kvload("completion", "fish");
    assertEquals(2, run.exit());
    assertTrue(run.stderr().contains("bash, zsh"), run::toString);
  }
}
