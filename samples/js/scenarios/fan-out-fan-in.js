"use strict";

// fanOutFanIn1000: 1,000 parallel activities give the exact sum, and every activity runs once.
// Optional second argument: the number of activities.

const { whenAll } = require("@microsoft/durabletask-js");
const { assert, completedOutput } = require("../lib/checks");
const { awaitCompletion, runScenario, withWorkerAndClient } = require("../lib/harness");

const COUNT = Number(process.argv[3] ?? 1000);

async function* sumOfSquares(ctx, count) {
  const squares = [];
  for (let i = 1; i <= count; i++) {
    squares.push(ctx.callActivity("Square", i));
  }
  const results = yield whenAll(squares);
  return results.reduce((sum, square) => sum + square, 0);
}

runScenario("fanOutFanIn", () => {
  const runsPerInput = new Map();
  const register = (worker) => {
    worker.addNamedOrchestrator("SumOfSquares", sumOfSquares);
    worker.addNamedActivity("Square", (_ctx, value) => {
      runsPerInput.set(value, (runsPerInput.get(value) ?? 0) + 1);
      return value * value;
    });
  };
  return withWorkerAndClient(register, async (client, spy) => {
    const started = Date.now();
    const instanceId = await client.scheduleNewOrchestration("SumOfSquares", COUNT);

    const output = completedOutput(await awaitCompletion(client, instanceId));
    const elapsedMillis = Date.now() - started;

    assert.equal(output, (COUNT * (COUNT + 1) * (2 * COUNT + 1)) / 6);
    const repeated = [...runsPerInput].filter(([, runs]) => runs !== 1);
    assert.equal(runsPerInput.size, COUNT, `Expected ${COUNT} distinct activities to run`);
    assert.deepEqual(repeated, [], "Expected every activity to run exactly once");
    return {
      instanceId,
      output,
      activities: runsPerInput.size,
      elapsedMillis,
      orchestratorWorkItems: spy.orchestratorItemsOf(instanceId).length,
      wire: spy.summary(),
    };
  });
});
