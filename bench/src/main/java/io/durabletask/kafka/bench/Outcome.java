package io.durabletask.kafka.bench;

import com.microsoft.durabletask.FailureDetails;
import com.microsoft.durabletask.OrchestrationMetadata;
import com.microsoft.durabletask.OrchestrationRuntimeStatus;
import java.util.Objects;

/** Checks that an instance completed with exactly the output its scenario expects. */
final class Outcome {
  private static final int SHOWN_CHARACTERS = 60;

  private Outcome() {}

  /**
   * @throws BenchFailure saying which instance ended how, when it is not COMPLETED with the
   *     expected output
   */
  static void check(Scenario scenario, String instanceId, OrchestrationMetadata result) {
    if (result.getRuntimeStatus() != OrchestrationRuntimeStatus.COMPLETED) {
      throw new BenchFailure(
          "Expected instance "
              + instanceId
              + " of "
              + scenario.name()
              + " to be COMPLETED, but it is "
              + result.getRuntimeStatus()
              + failureOf(result));
    }
    Object output = readOutput(scenario, result);
    if (!Objects.equals(output, scenario.expected())) {
      throw new BenchFailure(
          "Expected instance "
              + instanceId
              + " of "
              + scenario.name()
              + " to return "
              + abbreviate(scenario.expected())
              + ", but it returned "
              + abbreviate(output));
    }
  }

  /** {@code value} as text, cut to {@value #SHOWN_CHARACTERS} characters plus its length. */
  static String abbreviate(Object value) {
    String text = String.valueOf(value);
    if (text.length() <= SHOWN_CHARACTERS) {
      return "'" + text + "'";
    }
    return "'" + text.substring(0, SHOWN_CHARACTERS) + "…' (" + text.length() + " characters)";
  }

  private static Object readOutput(Scenario scenario, OrchestrationMetadata result) {
    try {
      return result.readOutputAs(scenario.outputType());
    } catch (RuntimeException e) {
      return "unreadable output " + result.getSerializedOutput() + " (" + e.getMessage() + ")";
    }
  }

  private static String failureOf(OrchestrationMetadata result) {
    FailureDetails failure = result.getFailureDetails();
    if (failure == null) {
      return "";
    }
    return ": " + failure.getErrorType() + ": " + failure.getErrorMessage();
  }
}
