"use strict";

// continueAsNew: a counter restarts itself until it reaches N, with a fresh history each time;
// events that arrive while the instance restarts carry over to the next execution.

const { assert, completedOutput, statusName } = require("../lib/checks");
const { awaitCompletion, runScenario, withWorkerAndClient } = require("../lib/harness");

const TARGET = 10;

async function* counter(ctx, count) {
  if (count >= TARGET) {
    return count;
  }
  const next = yield ctx.callActivity("Increment", count);
  ctx.continueAsNew(next, false);
}

async function* eventCounter(ctx, count) {
  if (count >= TARGET) {
    return count;
  }
  yield ctx.waitForExternalEvent("Inc");
  ctx.continueAsNew(count + 1, true);
}

runScenario("continueAsNew", () => {
  const register = (worker) => {
    worker.addNamedOrchestrator("Counter", counter);
    worker.addNamedOrchestrator("EventCounter", eventCounter);
    worker.addNamedActivity("Increment", (_ctx, value) => value + 1);
  };
  return withWorkerAndClient(register, async (client, spy) => {
    const restarted = await countWithActivities(client, spy);
    const raisedWhileRunning = await countRaisedEvents(client, spy, undefined);
    const raisedBeforeStart = await countRaisedEvents(client, spy, new Date(Date.now() + 1500));
    assert.ok(
      raisedBeforeStart.carryoverEventsSent > 0,
      "Expected the SDK to carry unconsumed events over when they all arrive in one episode",
    );
    return { restarted, raisedWhileRunning, raisedBeforeStart, wire: spy.summary() };
  });
});

async function countWithActivities(client, spy) {
  const instanceId = await client.scheduleNewOrchestration("Counter", 0);

  const state = await awaitCompletion(client, instanceId);

  assert.equal(completedOutput(state), TARGET);
  assert.equal(state.serializedInput, String(TARGET), "Expected the last execution's input");
  const items = spy.orchestratorItemsOf(instanceId);
  const executions = new Set(items.map((item) => item.executionId));
  const maxHistory = Math.max(...items.map((item) => historyOf(item).length));
  const startsPerItem = items.map((item) => countStarts(item));
  assert.equal(executions.size, TARGET + 1, "Expected one execution id per execution");
  assert.ok(
    startsPerItem.every((starts) => starts === 1),
    `Expected one ExecutionStarted in each work item's history, but saw ${startsPerItem}`,
  );
  assert.ok(maxHistory <= 8, `Expected a fresh history each restart, but saw ${maxHistory} events`);
  return {
    instanceId,
    status: statusName(state.runtimeStatus),
    input: state.serializedInput,
    output: state.serializedOutput,
    executions: executions.size,
    workItems: items.length,
    maxHistoryEvents: maxHistory,
  };
}

/**
 * Raises TARGET events to a counter that restarts after each one: while it runs (each event may
 * arrive during a restart), or all before its scheduled start (so one episode holds them all and
 * the SDK carries the unconsumed ones over).
 */
async function countRaisedEvents(client, spy, startAt) {
  const instanceId = await client.scheduleNewOrchestration("EventCounter", 0, { startAt });
  if (!startAt) {
    await client.waitForOrchestrationStart(instanceId, false, 60);
  }
  for (let i = 0; i < TARGET; i++) {
    await client.raiseOrchestrationEvent(instanceId, "Inc", i);
  }

  const state = await awaitCompletion(client, instanceId);

  assert.equal(completedOutput(state), TARGET, "Expected every raised event to count once");
  const carryover = spy.orchestratorResponses
    .filter((response) => response.instanceId === instanceId)
    .reduce((sum, response) => sum + response.carryoverEvents, 0);
  return {
    instanceId,
    output: state.serializedOutput,
    workItems: spy.orchestratorItemsOf(instanceId).length,
    carryoverEventsSent: carryover,
  };
}

function countStarts(item) {
  return historyOf(item).filter((kind) => kind === "executionstarted").length;
}

function historyOf(item) {
  return [...item.pastEvents, ...item.newEvents];
}
