package dev.kvload.core;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class VersionTest {
  /** kvload --version and the User-Agent show the build's version, never "unknown". */
  @Test
  void theBuildsVersion() {
    String version = Version.get();
    assertTrue(version.matches("\\d+\\.\\d+\\.\\d+(-[A-Za-z0-9.]+)?"), version);
  }
}
