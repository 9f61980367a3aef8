package io.durabletask.kafka.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BenchMainTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @Test
  void shouldExitWithCodeTwoAndAMessageForABadOption() {
    // given
    String[] args = {"--warmup-seconds", "-1"};

    // when
    int exitCode = run(args);

    // then
    assertThat(exitCode).isEqualTo(2);
    assertThat(text(err))
        .contains("bench: Expected --warmup-seconds to be at least 0, but got -1")
        .contains("--help");
    assertThat(text(out)).isEmpty();
  }

  @Test
  void shouldExitWithCodeTwoForAnUnknownOption() {
    // given
    String[] args = {"--fast"};

    // when
    int exitCode = run(args);

    // then
    assertThat(exitCode).isEqualTo(2);
    assertThat(text(err)).contains("--fast");
  }

  @Test
  void shouldPrintTheOptionsForHelp() {
    // given
    String[] args = {"--help"};

    // when
    int exitCode = run(args);

    // then
    assertThat(exitCode).isZero();
    assertThat(text(out)).contains("--workloads", "--latency-runs", "--json", "--partitions");
  }

  private int run(String[] args) {
    return BenchMain.run(args, stream(out), stream(err));
  }

  private static PrintStream stream(ByteArrayOutputStream bytes) {
    return new PrintStream(bytes, true, StandardCharsets.UTF_8);
  }

  private static String text(ByteArrayOutputStream bytes) {
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
