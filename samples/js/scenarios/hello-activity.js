"use strict";

// helloActivity: three activities run one after the other, and the output is exact.

const { assert, completedOutput } = require("../lib/checks");
const { awaitCompletion, runScenario, withWorkerAndClient } = require("../lib/harness");

const CITIES = ["Tokyo", "Seattle", "London"];

async function* helloCities(ctx) {
  const greetings = [];
  for (const city of CITIES) {
    greetings.push(yield ctx.callActivity("SayHello", city));
  }
  return greetings.join(" ");
}

runScenario("helloActivity", () => {
  const activityCalls = [];
  const register = (worker) => {
    worker.addNamedOrchestrator("HelloCities", helloCities);
    worker.addNamedActivity("SayHello", (ctx, city) => {
      activityCalls.push({ city, taskId: ctx.taskId });
      return `Hello, ${city}!`;
    });
  };
  return withWorkerAndClient(register, async (client, spy) => {
    const instanceId = await client.scheduleNewOrchestration("HelloCities");

    const output = completedOutput(await awaitCompletion(client, instanceId));

    assert.equal(output, "Hello, Tokyo! Hello, Seattle! Hello, London!");
    assert.deepEqual(
      activityCalls.map((call) => call.city),
      CITIES,
      "Expected each city greeted once, in order",
    );
    return { instanceId, output, activityCalls, wire: spy.summary() };
  });
});
