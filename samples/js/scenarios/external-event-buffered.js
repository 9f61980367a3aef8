"use strict";

// externalEventBufferedBeforeWait: an event raised before the orchestration waits for it is
// delivered when it does wait. Two cases:
// - gated: the orchestration is blocked on an activity; the event reaches the worker in an episode
//   of its own, and only then is the activity released and the orchestration starts waiting;
// - beforeFirstEpisode: the event is raised right after the start, before the orchestration ran.

const { assert, completedOutput, eventually } = require("../lib/checks");
const { awaitCompletion, runScenario, withWorkerAndClient } = require("../lib/harness");

async function* approvalAfterGate(ctx) {
  yield ctx.callActivity("Gate");
  const approval = yield ctx.waitForExternalEvent("Approval");
  return { approval };
}

async function* approvalAfterTimer(ctx) {
  yield ctx.createTimer(1);
  const approval = yield ctx.waitForExternalEvent("Approval");
  return { approval };
}

runScenario("externalEventBufferedBeforeWait", () => {
  let openGate;
  const gateOpened = new Promise((resolve) => (openGate = resolve));
  const register = (worker) => {
    worker.addNamedOrchestrator("ApprovalAfterGate", approvalAfterGate);
    worker.addNamedOrchestrator("ApprovalAfterTimer", approvalAfterTimer);
    worker.addNamedActivity("Gate", () => gateOpened.then(() => "open"));
  };
  return withWorkerAndClient(register, async (client, spy) => {
    const gated = await raiseWhileGated(client, spy, openGate);
    const beforeFirstEpisode = await raiseBeforeFirstEpisode(client);
    return { gated, beforeFirstEpisode, wire: spy.summary() };
  });
});

async function raiseWhileGated(client, spy, openGate) {
  const instanceId = await client.scheduleNewOrchestration("ApprovalAfterGate");
  await client.raiseOrchestrationEvent(instanceId, "Approval", { by: "gated" });
  await eventually("the event to reach the worker while the activity is running", () =>
    spy.orchestratorItemsOf(instanceId).some((item) => item.newEvents.includes("eventraised")),
  );
  openGate();

  const output = completedOutput(await awaitCompletion(client, instanceId));

  assert.deepEqual(output, { approval: { by: "gated" } });
  return { instanceId, output, episodes: spy.orchestratorItemsOf(instanceId).length };
}

async function raiseBeforeFirstEpisode(client) {
  const instanceId = await client.scheduleNewOrchestration("ApprovalAfterTimer");
  await client.raiseOrchestrationEvent(instanceId, "Approval", { by: "early" });

  const output = completedOutput(await awaitCompletion(client, instanceId));

  assert.deepEqual(output, { approval: { by: "early" } });
  return { instanceId, output };
}
