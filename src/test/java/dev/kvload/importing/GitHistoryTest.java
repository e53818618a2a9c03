package dev.kvload.importing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What git says about a dotenv file, in repositories the test makes in its own folder ({@code HOME}
 * there, no system configuration), and what it must never do: fail when git is absent, or run a
 * program a cloned repository names.
 */
class GitHistoryTest {
  @TempDir Path dir;
  private Path repo;
  private Map<String, String> env;

  @BeforeEach
  void repository() throws Exception {
    assumeTrue(GitHistory.find("/usr/local/bin:/usr/bin:/bin").isPresent(), "git is installed");
    env = new LinkedHashMap<>();
    env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
    env.put("HOME", dir.toString());
    env.put("GIT_CONFIG_NOSYSTEM", "1");
    repo = Files.createDirectory(dir.resolve("repo"));
    git("init", "-q", ".");
  }

  private void git(String... args) throws Exception {
    List<String> command =
        new ArrayList<>(List.of("git", "-c", "user.name=t", "-c", "user.email=t@t"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(repo.toFile());
    builder.environment().clear();
    builder.environment().putAll(env);
    Process process = builder.redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes());
    assumeTrue(process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0, out);
  }

  private Optional<GitHistory.Status> status(String file) {
    return GitHistory.of(repo.resolve(file), env);
  }

  @Test
  void aTrackedFileIsExposed() throws Exception {
    Files.writeString(repo.resolve(".env"), "A=1\n");
    git("add", ".env");
    git("commit", "-qm", "oops");
    assertEquals(Optional.of(new GitHistory.Status(true, true, true, false)), status(".env"));
  }

  @Test
  void aFileNoLongerTrackedIsStillInTheHistory() throws Exception {
    Files.writeString(repo.resolve(".env"), "A=1\n");
    git("add", ".env");
    git("commit", "-qm", "oops");
    git("rm", "-q", "--cached", ".env");
    git("commit", "-qm", "untrack");
    assertEquals(Optional.of(new GitHistory.Status(true, false, true, false)), status(".env"));
  }

  @Test
  void aCommitOnAnotherBranchCountsToo() throws Exception {
    Files.writeString(repo.resolve("README"), "x\n");
    git("add", "README");
    git("commit", "-qm", "start");
    git("checkout", "-q", "-b", "side");
    Files.writeString(repo.resolve(".env"), "A=1\n");
    git("add", ".env");
    git("commit", "-qm", "oops");
    git("checkout", "-q", "-");
    Files.writeString(repo.resolve(".env"), "A=2\n");
    assertEquals(Optional.of(new GitHistory.Status(true, false, true, false)), status(".env"));
  }

  @Test
  void anIgnoredFileThatWasNeverCommittedIsNot() throws Exception {
    Files.writeString(repo.resolve(".gitignore"), ".env\n");
    Files.writeString(repo.resolve(".env"), "A=1\n");
    assertEquals(Optional.of(new GitHistory.Status(true, false, false, true)), status(".env"));
  }

  @Test
  void aFileInNoRepositoryHasNothingToSay() throws IOException {
    Path outside = Files.createDirectory(dir.resolve("outside"));
    Files.writeString(outside.resolve(".env"), "A=1\n");
    assertEquals(Optional.empty(), GitHistory.of(outside.resolve(".env"), env));
  }

  @Test
  void withoutGitThereIsNothingToSayAndNothingFails() throws IOException {
    Files.writeString(repo.resolve(".env"), "A=1\n");
    env.put("PATH", dir.resolve("no-such-folder").toString());
    assertEquals(Optional.empty(), status(".env"));
    env.remove("PATH");
    assertEquals(Optional.empty(), status(".env"));
  }

  /** A relative PATH entry would run a "git" that the repository itself holds. */
  @Test
  void neverRunsAGitFromARelativePathEntry() throws IOException {
    Path fake = repo.resolve("git");
    Files.writeString(fake, "#!/bin/sh\ntouch \"$HOME/ran\"\n");
    Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwx------"));
    assertEquals(Optional.empty(), GitHistory.find(".:bin::"));
    env.put("PATH", ".");
    assertEquals(Optional.empty(), status(".env"));
    assertFalse(Files.exists(dir.resolve("ran")));
  }

  /** git ls-files runs core.fsmonitor: a cloned repository's config must not start a program. */
  @Test
  void aRepositorysConfigurationStartsNoProgram() throws Exception {
    Files.writeString(repo.resolve(".env"), "A=1\n");
    git("add", ".env");
    git("commit", "-qm", "oops");
    Path hook = dir.resolve("hook");
    Files.writeString(hook, "#!/bin/sh\ntouch \"" + dir.resolve("ran") + "\"\n");
    Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwx------"));
    git("config", "core.fsmonitor", hook.toString());
    git("config", "core.pager", hook.toString());
    git("config", "log.showSignature", "true");
    git("config", "gpg.program", hook.toString());
    assertEquals(Optional.of(new GitHistory.Status(true, true, true, false)), status(".env"));
    assertFalse(Files.exists(dir.resolve("ran")), "the repository's program ran");
  }
}
