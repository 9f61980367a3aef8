"use strict";

// terminateRunning: a running instance, and one terminated right after its start, end TERMINATED
// with the reason as their output.

const { OrchestrationStatus } = require("@microsoft/durabletask-js");
const { assert, expectStatus, statusName } = require("../lib/checks");
const { awaitCompletion, runScenario, withWorkerAndClient } = require("../lib/harness");

async function* waitForever(ctx) {
  yield ctx.waitForExternalEvent("Never");
  return "not terminated";
}

runScenario("terminateRunning", () => {
  const register = (worker) => worker.addNamedOrchestrator("WaitForever", waitForever);
  return withWorkerAndClient(register, async (client, spy) => {
    const running = await terminate(client, "stopped while running", true);
    const justStarted = await terminate(client, "stopped right after start", false);
    return { running, justStarted, wire: spy.summary() };
  });
});

async function terminate(client, reason, waitUntilRunning) {
  const instanceId = await client.scheduleNewOrchestration("WaitForever");
  if (waitUntilRunning) {
    const started = await client.waitForOrchestrationStart(instanceId, false, 60);
    expectStatus(started, OrchestrationStatus.RUNNING);
  }

  await client.terminateOrchestration(instanceId, reason);
  const state = await awaitCompletion(client, instanceId);

  expectStatus(state, OrchestrationStatus.TERMINATED);
  assert.equal(JSON.parse(state.serializedOutput), reason);
  return { instanceId, status: statusName(state.runtimeStatus), output: state.serializedOutput };
}
