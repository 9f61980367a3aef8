package io.durabletask.kafka.samples;

import com.microsoft.durabletask.DurableTaskGrpcWorkerBuilder;
import com.microsoft.durabletask.Task;
import com.microsoft.durabletask.TaskActivity;
import com.microsoft.durabletask.TaskActivityFactory;
import com.microsoft.durabletask.TaskOrchestration;
import com.microsoft.durabletask.TaskOrchestrationFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Orchestrations and activities of the sample application, written with the Java SDK. */
public final class SampleOrchestrations {
  public static final String HELLO_CITIES = "HelloCities";
  public static final String FAN_OUT_FAN_IN = "FanOutFanIn";
  public static final String CHAIN = "Chain";
  public static final String TIMER_THEN_HELLO = "TimerThenHello";
  public static final String SAY_HELLO = "SayHello";
  public static final String SQUARE = "Square";
  public static final String INCREMENT = "Increment";

  private SampleOrchestrations() {}

  /** Registers every sample orchestration and activity on a worker builder. */
  public static DurableTaskGrpcWorkerBuilder register(DurableTaskGrpcWorkerBuilder builder) {
    return builder
        .addOrchestration(orchestration(HELLO_CITIES, SampleOrchestrations::helloCities))
        .addOrchestration(orchestration(FAN_OUT_FAN_IN, SampleOrchestrations::fanOutFanIn))
        .addOrchestration(orchestration(CHAIN, SampleOrchestrations::chain))
        .addOrchestration(orchestration(TIMER_THEN_HELLO, SampleOrchestrations::timerThenHello))
        .addActivity(activity(SAY_HELLO, ctx -> "Hello, " + ctx.getInput(String.class) + "!"))
        .addActivity(activity(SQUARE, ctx -> square(ctx.getInput(Integer.class))))
        .addActivity(activity(INCREMENT, ctx -> ctx.getInput(Integer.class) + 1));
  }

  /** Greets three cities, one activity after the other. */
  static void helloCities(com.microsoft.durabletask.TaskOrchestrationContext ctx) {
    List<String> greetings = new ArrayList<>();
    for (String city : List.of("Tokyo", "Seattle", "London")) {
      greetings.add(ctx.callActivity(SAY_HELLO, city, String.class).await());
    }
    ctx.complete(String.join(" ", greetings));
  }

  /** Squares 1..n in parallel activities and returns the sum of the squares. */
  static void fanOutFanIn(com.microsoft.durabletask.TaskOrchestrationContext ctx) {
    int n = ctx.getInput(Integer.class);
    List<Task<Long>> squares = new ArrayList<>(n);
    for (int i = 1; i <= n; i++) {
      squares.add(ctx.callActivity(SQUARE, i, Long.class));
    }
    long sum = 0;
    for (long square : ctx.allOf(squares).await()) {
      sum += square;
    }
    ctx.complete(sum);
  }

  /** Increments its input in as many sequential activities as the input's "steps". */
  static void chain(com.microsoft.durabletask.TaskOrchestrationContext ctx) {
    int steps = ctx.getInput(Integer.class);
    int value = 0;
    for (int i = 0; i < steps; i++) {
      value = ctx.callActivity(INCREMENT, value, Integer.class).await();
    }
    ctx.complete(value);
  }

  /** Waits for a durable timer of the given seconds, then greets. */
  static void timerThenHello(com.microsoft.durabletask.TaskOrchestrationContext ctx) {
    int seconds = ctx.getInput(Integer.class);
    ctx.createTimer(Duration.ofSeconds(seconds)).await();
    ctx.complete(ctx.callActivity(SAY_HELLO, "timer", String.class).await());
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
