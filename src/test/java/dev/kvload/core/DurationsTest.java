package dev.kvload.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {
  @ParameterizedTest(name = "{0} is {1} ms")
  @CsvSource({
    "30s, 30000",
    "30, 30000",
    "500ms, 500",
    "2m, 120000",
    "1m30s, 90000",
    "1h, 3600000",
    "0s, 0"
  })
  void parses(String text, long millis) {
    assertEquals(Duration.ofMillis(millis), Durations.parse(text));
  }

  @ParameterizedTest(name = "rejects \"{0}\"")
  @ValueSource(strings = {"", "s", "-1s", "1.5s", "10 s", "PT30S", "1y", "99999999999s"})
  void rejects(String text) {
    assertThrows(IllegalArgumentException.class, () -> Durations.parse(text));
  }

  @ParameterizedTest(name = "{0} ms shows as {1}")
  @CsvSource({"250, 250ms", "999, 999ms", "1000, 1s", "30000, 30s", "1500, 1.5s"})
  void formats(long millis, String shown) {
    assertEquals(shown, Durations.format(Duration.ofMillis(millis)));
  }
}
