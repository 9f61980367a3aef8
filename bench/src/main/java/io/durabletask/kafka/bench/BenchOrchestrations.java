package io.durabletask.kafka.bench;

import com.microsoft.durabletask.DurableTaskGrpcWorkerBuilder;
import com.microsoft.durabletask.Task;
import com.microsoft.durabletask.TaskActivity;
import com.microsoft.durabletask.TaskActivityFactory;
import com.microsoft.durabletask.TaskOrchestration;
import com.microsoft.durabletask.TaskOrchestrationContext;
import com.microsoft.durabletask.TaskOrchestrationFactory;
import java.util.ArrayList;
import java.util.List;

/** The orchestrations and activities of the bench workloads, written with the Java SDK. */
final class BenchOrchestrations {
  static final String HELLO_SEQUENCE = "BenchHelloSequence";
  static final String FAN_OUT_FAN_IN = "BenchFanOutFanIn";
  static final String ECHO_SEQUENCE = "BenchEchoSequence";
  static final String SAY_HELLO = "BenchSayHello";
  static final String SQUARE = "BenchSquare";
  static final String ECHO = "BenchEcho";

  /** The activities of one echo sequence. */
  static final int ECHO_STEPS = 3;

  private BenchOrchestrations() {}

  /** Registers every bench orchestration and activity on a worker builder. */
  static DurableTaskGrpcWorkerBuilder register(DurableTaskGrpcWorkerBuilder builder) {
    return builder
        .addOrchestration(orchestration(HELLO_SEQUENCE, BenchOrchestrations::helloSequence))
        .addOrchestration(orchestration(FAN_OUT_FAN_IN, BenchOrchestrations::fanOutFanIn))
        .addOrchestration(orchestration(ECHO_SEQUENCE, BenchOrchestrations::echoSequence))
        .addActivity(activity(SAY_HELLO, ctx -> greeting(ctx.getInput(String.class))))
        .addActivity(activity(SQUARE, ctx -> square(ctx.getInput(Integer.class))))
        .addActivity(activity(ECHO, ctx -> ctx.getInput(String.class)));
  }

  static String greeting(String city) {
    return "Hello, " + city + "!";
  }

  /** Greets the cities of its input one after the other; returns the greetings. */
  private static void helloSequence(TaskOrchestrationContext ctx) {
    List<String> greetings = new ArrayList<>();
    for (String city : ctx.getInput(String[].class)) {
      greetings.add(ctx.callActivity(SAY_HELLO, city, String.class).await());
    }
    ctx.complete(String.join(" ", greetings));
  }

  /** Squares 1 to its input in parallel activities; returns the sum of the squares. */
  private static void fanOutFanIn(TaskOrchestrationContext ctx) {
    int width = ctx.getInput(Integer.class);
    List<Task<Long>> squares = new ArrayList<>(width);
    for (int i = 1; i <= width; i++) {
      squares.add(ctx.callActivity(SQUARE, i, Long.class));
    }
    long sum = 0;
    for (long square : ctx.allOf(squares).await()) {
      sum += square;
    }
    ctx.complete(sum);
  }

  /** Passes its input through {@value #ECHO_STEPS} activities that return their input. */
  private static void echoSequence(TaskOrchestrationContext ctx) {
    String value = ctx.getInput(String.class);
    for (int i = 0; i < ECHO_STEPS; i++) {
      value = ctx.callActivity(ECHO, value, String.class).await();
    }
    ctx.complete(value);
  }

  private static long square(int value) {
    return (long) value * value;
  }

  private static TaskOrchestrationFactory orchestration(String name, TaskOrchestration body) {
    return new TaskOrchestrationFactory() {
      @Override
      public String getName() {
        return name;
      }

      @Override
      public TaskOrchestration create() {
        return body;
      }
    };
  }

  private static TaskActivityFactory activity(String name, TaskActivity body) {
    return new TaskActivityFactory() {
      @Override
      public String getName() {
        return name;
      }

      @Override
      public TaskActivity create() {
        return body;
      }
    };
  }
}
