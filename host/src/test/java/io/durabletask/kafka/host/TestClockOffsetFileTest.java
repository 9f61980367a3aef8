package io.durabletask.kafka.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestClockOffsetFileTest {

  private static final long DAY_MILLIS = Duration.ofDays(1).toMillis();
  private static final long SLACK_MILLIS = 60_000;

  @TempDir Path folder;

  @Test
  void shouldRunOnSystemTimeWhileTheFileIsMissing() {
    // given
    Host.OffsetFileClock clock = new Host.OffsetFileClock(folder.resolve("absent"));

    // when
    long now = clock.getAsLong();

    // then
    assertThat(now).isCloseTo(System.currentTimeMillis(), offset(SLACK_MILLIS));
  }

  @Test
  void shouldFollowTheOffsetWithinAFewRereadPeriods() throws Exception {
    // given
    Path file = folder.resolve("offset");
    Files.writeString(file, "0");
    Host.OffsetFileClock clock = new Host.OffsetFileClock(file);

    // when
    Files.writeString(file, String.valueOf(60 * DAY_MILLIS));
    Thread.sleep(120);

    // then
    assertThat(clock.getAsLong() - System.currentTimeMillis())
        .isBetween(60 * DAY_MILLIS - SLACK_MILLIS, 60 * DAY_MILLIS + SLACK_MILLIS);
  }

  @Test
  void shouldKeepTheLastOffsetWhileTheFileIsEmpty() throws Exception {
    // given
    Path file = folder.resolve("offset");
    Files.writeString(file, String.valueOf(DAY_MILLIS));
    Host.OffsetFileClock clock = new Host.OffsetFileClock(file);

    // when
    Files.writeString(file, "");
    Thread.sleep(120);
    clock.getAsLong();

    // then
    assertThat(clock.offsetMillis()).isEqualTo(DAY_MILLIS);
  }

  @Test
  void shouldKeepTheLastOffsetWhenTheFileHoldsNoNumber() throws Exception {
    // given
    Path file = folder.resolve("offset");
    Files.writeString(file, String.valueOf(DAY_MILLIS));
    Host.OffsetFileClock clock = new Host.OffsetFileClock(file);

    // when
    Files.writeString(file, "tomorrow");
    Thread.sleep(120);
    long shifted = clock.getAsLong() - System.currentTimeMillis();

    // then
    assertThat(shifted).isBetween(DAY_MILLIS - SLACK_MILLIS, DAY_MILLIS + SLACK_MILLIS);
    assertThat(clock.offsetMillis()).isEqualTo(DAY_MILLIS);
  }
}
