package io.durabletask.kafka.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Options the host refuses: one clean line naming the problem, exit code 2, nothing started. */
class MainTest {
  @TempDir Path root;

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "--port                         | 99999              | Expected --port from 0 to 65535",
        "--port                         | -1                 | Expected --port from 0 to 65535",
        "--port                         | abc                | '--port': 'abc' is not an int",
        "--partitions                   | 0                  | Expected --partitions to be",
        "--partitions                   | -3                 | but it is -3",
        "--task-hub                     | a/b                | Expected --task-hub to be 1 to 63",
        "--task-hub                     | \"\"                 | letter or digit, but it is empty",
        "--task-hub                     | ..                 | but it is '..'",
        "--address                      | 999.1.1.1          | '999.1.1.1' is neither an IP",
        "--address                      | nosuchhost.invalid | 'nosuchhost.invalid' is neither",
        "--address                      | 10.255.255.1       | no interface has 10.255.255.1",
        "--bootstrap-servers            | kafka              | Expected --bootstrap-servers to be",
        "--bootstrap-servers            | kafka:0            | a comma-separated list of",
        "--large-record-retention-hours | 0                  | --large-record-retention-hours",
        "--max-payload-bytes            | 0                  | Expected --max-payload-bytes to be",
        "--max-payload-bytes            | -5                 | at least 1, but it is -5",
        "--max-payload-bytes            | 70000000           | below the gRPC message limit",
        "--client-routing               | NOWHERE            | Invalid value for option",
        "--no-such-option               | 1                  | Unknown options",
      })
  void shouldRefuseAnInvalidOptionWithOneLineAndExitCode2(
      String option, String value, String expected) {
    // given
    Path dataDir = root.resolve("data");

    // when
    Refusal refusal = run("--data-dir", dataDir.toString(), option, value);

    // then
    assertThat(refusal.exitCode()).isEqualTo(2);
    assertThat(refusal.output()).startsWith("durabletask-kafka: ").contains(expected);
    assertThat(refusal.output()).doesNotContain("\tat ").doesNotContain("Exception");
    assertThat(Files.exists(dataDir.resolve("hubs"))).isFalse();
  }

  private static Refusal run(String... args) {
    StringWriter output = new StringWriter();
    int exitCode = Main.run(new PrintWriter(output, true), args);
    return new Refusal(exitCode, output.toString());
  }

  private record Refusal(int exitCode, String output) {}
}
