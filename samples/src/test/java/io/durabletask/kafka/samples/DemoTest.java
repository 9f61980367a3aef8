package io.durabletask.kafka.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo as its own process, as the launcher runs it. */
class DemoTest {
  private static final long TIMEOUT_MINUTES = 5;

  @TempDir Path root;

  @Test
  void shouldPrintTheResultsAndKeepInfoLinesOffTheConsole() throws Exception {
    // given
    Path out = root.resolve("demo.out");
    Path err = root.resolve("demo.err");
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx1g",
            "-cp",
            System.getProperty("java.class.path"),
            DemoMain.class.getName(),
            root.resolve("data").toString(),
            "20");

    // when
    Process demo =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    boolean ended = demo.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES);
    if (!ended) {
      demo.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    // then
    String console = Files.readString(err);
    assertThat(ended).as("demo ended; stderr:%n%s", console).isTrue();
    assertThat(demo.exitValue()).as("exit code; stderr:%n%s", console).isZero();
    assertThat(Files.readString(out))
        .contains("City greetings: COMPLETED \"Hello, Tokyo! Hello, Seattle! Hello, London!\"")
        .contains("Fan-out/fan-in of 100 squares: COMPLETED 338350")
        .contains("Burst: 20 of 20 city-greeting orchestrations completed");
    assertThat(console)
        .doesNotContain(" INFO ")
        .doesNotContain("INFO:")
        .doesNotContain("unavailable");
  }
}
