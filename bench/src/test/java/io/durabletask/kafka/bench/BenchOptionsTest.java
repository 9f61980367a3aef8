package io.durabletask.kafka.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.ParameterException;

class BenchOptionsTest {

  @Test
  void shouldRunEveryWorkloadInBothModesByDefault() {
    // given
    String[] args = {};

    // when
    BenchOptions options = BenchOptions.parse(args);

    // then
    assertThat(options.workloads()).containsExactly(Workload.values());
    assertThat(options.modes()).containsExactly(Mode.LATENCY, Mode.THROUGHPUT);
    assertThat(options.scenarios())
        .extracting(Scenario::name)
        .containsExactly(
            "hello-sequence-3",
            "hello-sequence-5",
            "fan-out-fan-in-100",
            "payload-1KB",
            "payload-10KB",
            "payload-100KB",
            "payload-1MB");
    Settings settings = options.settings();
    assertThat(settings.latencyRuns()).isEqualTo(500);
    assertThat(settings.concurrency()).isNull();
    assertThat(settings.workers()).isEqualTo(16);
    assertThat(settings.warmupSeconds()).isEqualTo(90);
    assertThat(settings.partitions()).isEqualTo(12);
    assertThat(options.dataDir).isNull();
    assertThat(options.json).isFalse();
  }

  @Test
  void shouldUseEachScenariosInstanceCountUnlessInstancesIsGiven() {
    // given
    BenchOptions defaults = BenchOptions.parse();
    BenchOptions overridden = BenchOptions.parse("--instances", "500");

    // when
    List<Integer> byDefault = defaults.scenarios().stream().map(defaults::instancesOf).toList();
    List<Integer> given = overridden.scenarios().stream().map(overridden::instancesOf).toList();

    // then
    assertThat(byDefault).containsExactly(10_000, 10_000, 1_000, 10_000, 10_000, 2_000, 500);
    assertThat(given).containsOnly(500);
  }

  @Test
  void shouldReadCommaListsOfWorkloadsAndModes() {
    // given
    String[] args = {"--workloads", "payload-sweep,hello-sequence-5", "--modes", "throughput"};

    // when
    BenchOptions options = BenchOptions.parse(args);

    // then
    assertThat(options.workloads())
        .containsExactly(Workload.PAYLOAD_SWEEP, Workload.HELLO_SEQUENCE_5);
    assertThat(options.modes()).containsExactly(Mode.THROUGHPUT);
  }

  @Test
  void shouldRefuseAnUnknownWorkloadNamingTheKnownOnes() {
    // given
    String[] args = {"--workloads", "hello-sequence-3,hello-sequence-4"};

    // when / then
    assertThatThrownBy(() -> BenchOptions.parse(args))
        .isInstanceOf(ParameterException.class)
        .hasMessageContaining("'hello-sequence-4'")
        .hasMessageContaining("fan-out-fan-in-100");
  }

  @Test
  void shouldRefuseAnUnknownMode() {
    // given
    String[] args = {"--modes", "latency,soak"};

    // when / then
    assertThatThrownBy(() -> BenchOptions.parse(args))
        .isInstanceOf(ParameterException.class)
        .hasMessageContaining("'soak'")
        .hasMessageContaining("latency, throughput");
  }

  @Test
  void shouldRefuseCountsBelowOne() {
    // given
    String[] args = {"--concurrency", "0"};

    // when / then
    assertThatThrownBy(() -> BenchOptions.parse(args))
        .isInstanceOf(ParameterException.class)
        .hasMessage("Expected --concurrency to be at least 1, but got 0");
  }

  @Test
  void shouldRefuseAValueThatIsNotANumber() {
    // given
    String[] args = {"--latency-runs", "many"};

    // when / then
    assertThatThrownBy(() -> BenchOptions.parse(args))
        .isInstanceOf(ParameterException.class)
        .hasMessageContaining("--latency-runs");
  }
}
