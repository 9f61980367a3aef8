"use strict";

// Runs one scenario against a durabletask-kafka host through the unchanged JS SDK. The host's
// port is the first argument. The scenario's outcome is one JSON line on stdout; the exit code is 0
// only when every check passed. SDK warnings and errors go to stderr.

const { TaskHubGrpcClient, TaskHubGrpcWorker } = require("@microsoft/durabletask-js");
const { WireSpy } = require("./wire-spy");

const WAIT_SECONDS = 60;

const stderrLogger = {
  error: (message, ...args) => console.error("[sdk error]", message, ...args),
  warn: (message, ...args) => console.error("[sdk warn]", message, ...args),
  info: () => {},
  debug: () => {},
};

function hostAddress() {
  const port = process.argv[2];
  if (!/^[0-9]+$/.test(port ?? "")) {
    throw new Error(`Expected the host's port as the first argument, but got '${port}'`);
  }
  return `localhost:${port}`;
}

/** Runs body, prints its result (or the failure) as one JSON line, and exits. */
async function runScenario(name, body) {
  let exitCode = 0;
  let result;
  try {
    result = { scenario: name, passed: true, ...(await body()) };
  } catch (error) {
    exitCode = 1;
    result = { scenario: name, passed: false, error: String(error?.stack ?? error) };
  }
  process.stdout.write(JSON.stringify(result) + "\n", () => process.exit(exitCode));
}

/**
 * Starts a worker with the given registrations and a client, both watched by one WireSpy, runs
 * body(client, spy), and stops both whatever body did.
 */
async function withWorkerAndClient(register, body) {
  const spy = new WireSpy();
  const worker = newWorker(spy);
  register(worker);
  await worker.start();
  const client = newClient(spy);
  try {
    return await body(client, spy);
  } finally {
    await Promise.allSettled([worker.stop(), client.stop()]);
  }
}

function newWorker(spy) {
  return new TaskHubGrpcWorker({
    hostAddress: hostAddress(),
    options: spy.channelOptions(),
    logger: stderrLogger,
  });
}

function newClient(spy) {
  return new TaskHubGrpcClient({
    hostAddress: hostAddress(),
    options: spy ? spy.channelOptions() : {},
    logger: stderrLogger,
  });
}

/** Waits for an instance to reach a terminal status and fails when it does not within the wait. */
async function awaitCompletion(client, instanceId) {
  const state = await client.waitForOrchestrationCompletion(instanceId, true, WAIT_SECONDS);
  if (!state) {
    throw new Error(`Expected instance '${instanceId}' to exist, but the host reports it missing`);
  }
  return state;
}

module.exports = {
  WAIT_SECONDS,
  awaitCompletion,
  hostAddress,
  newClient,
  newWorker,
  runScenario,
  stderrLogger,
  withWorkerAndClient,
};
