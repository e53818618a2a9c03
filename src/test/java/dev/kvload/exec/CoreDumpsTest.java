package dev.kvload.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CoreDumpsTest {
  private static final String HEADER =
      "Limit                     Soft Limit           Hard Limit           Units     ";

  static Stream<Arguments> limits() {
    return Stream.of(
        Arguments.argumentSet(
            "off",
            "Max core file size        0                    unlimited            bytes     ",
            OptionalLong.of(0)),
        Arguments.argumentSet(
            "unlimited",
            "Max core file size        unlimited            unlimited            bytes     ",
            OptionalLong.of(-1)),
        Arguments.argumentSet(
            "bytes",
            "Max core file size        1048576              2097152              bytes     ",
            OptionalLong.of(1048576)),
        Arguments.argumentSet(
            "no such line", "Max open files  1024  4096  files", OptionalLong.empty()));
  }

  /** Lines of /proc/PID/limits, as Linux prints them. */
  @ParameterizedTest
  @MethodSource("limits")
  void readsTheSoftLimitFromProc(String line, OptionalLong expected) {
    assertEquals(
        expected,
        CoreDumps.parse(
            List.of(
                HEADER,
                "Max cpu time  unlimited  unlimited  seconds",
                line,
                "Max locked memory 8 8 bytes")));
  }
}
