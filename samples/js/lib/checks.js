"use strict";

// Checks shared by the scenarios. Each throws an Error whose message says what was expected.

const assert = require("node:assert/strict");
const { OrchestrationStatus } = require("@microsoft/durabletask-js");

function statusName(status) {
  return OrchestrationStatus[status] ?? `UNKNOWN(${status})`;
}

function expectStatus(state, expected) {
  assert.equal(
    statusName(state.runtimeStatus),
    statusName(expected),
    `Expected instance '${state.instanceId}' to be ${statusName(expected)}, ` +
      `but it is ${statusName(state.runtimeStatus)} (failure: ${state.failureDetails?.message})`,
  );
}

/** The output of a completed instance, parsed from its JSON. */
function completedOutput(state) {
  expectStatus(state, OrchestrationStatus.COMPLETED);
  return JSON.parse(state.serializedOutput);
}

async function eventually(what, condition, timeoutMillis = 30_000) {
  const deadline = Date.now() + timeoutMillis;
  while (Date.now() < deadline) {
    if (condition()) {
      return;
    }
    await sleep(50);
  }
  throw new Error(`Expected ${what} within ${timeoutMillis} ms, but it did not happen`);
}

function sleep(millis) {
  return new Promise((resolve) => setTimeout(resolve, millis));
}

module.exports = { assert, completedOutput, eventually, expectStatus, sleep, statusName };
