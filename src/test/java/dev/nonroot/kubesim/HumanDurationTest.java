package dev.nonroot.kubesim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HumanDurationTest {

  @ParameterizedTest
  @CsvSource({
    "0, 0s",
    "59, 59s",
    "119, 119s",
    "120, 2m",
    "192, 3m12s",
    "600, 10m",
    "10799, 179m",
    "10800, 3h",
    "11100, 3h5m",
    "28800, 8h",
    "172799, 47h",
    "172800, 2d",
    "183600, 2d3h",
    "691200, 8d",
    "63072000, 2y",
    "63158400, 2y1d",
    "315360000, 10y",
    "-1, 0s",
    "-5, <invalid>"
  })
  void rendersAgesLikeTheApiServer(long seconds, String expected) {
    assertThat(HumanDuration.of(Duration.ofSeconds(seconds))).isEqualTo(expected);
  }

  @Test
  void agesTimestamps() {
    Clock clock = Clock.fixed(Instant.parse("2026-01-01T01:00:00Z"), ZoneOffset.UTC);
    assertThat(HumanDuration.since("2026-01-01T00:55:00Z", clock)).isEqualTo("5m");
    assertThat(HumanDuration.since(null, clock)).isEqualTo("<unknown>");
    assertThat(HumanDuration.since("yesterday", clock)).isEqualTo("<invalid>");
  }

  @ParameterizedTest
  @CsvSource({
    "0, 0",
    "0s, 0",
    "50ms, 50",
    "3s, 3000",
    "1m30s, 90000",
    "2h, 7200000",
    "1d, 86400000"
  })
  void readsDurationsAsGoWritesThem(String text, long millis) {
    assertThat(HumanDuration.parse(text)).isEqualTo(Duration.ofMillis(millis));
  }

  @ParameterizedTest
  @CsvSource({"''", "3", "-3s", "3 s", "s", "1.5s", "3sec", "99999999999999999999s"})
  void refusesWhatIsNotADuration(String text) {
    assertThatThrownBy(() -> HumanDuration.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("'" + text + "' is not a duration");
  }
}
