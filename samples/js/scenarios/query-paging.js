"use strict";

// queryPaging: instance queries filter by status, created-time window and id prefix, page with
// continuation tokens, and give exact totals across all partitions. The host may hold instances of
// earlier scenarios, but nothing else may create instances while this one runs: the unfiltered
// query must return exactly the instances present before plus those created here.

const { OrchestrationStatus } = require("@microsoft/durabletask-js");
const { assert, sleep } = require("../lib/checks");
const { awaitCompletion, runScenario, withWorkerAndClient } = require("../lib/harness");

const COMPLETED_COUNT = 30;
const RUNNING_COUNT = 20;
const LATE_COUNT = 10;
const PAGE_SIZE = 7;
const PREFIX = `qp-${Date.now().toString(36)}-`;

async function* echo(_ctx, input) {
  return input;
}

async function* waitForFinish(ctx) {
  return yield ctx.waitForExternalEvent("Finish");
}

runScenario("queryPaging", () => {
  const register = (worker) => {
    worker.addNamedOrchestrator("Echo", echo);
    worker.addNamedOrchestrator("WaitForFinish", waitForFinish);
  };
  return withWorkerAndClient(register, async (client) => {
    const earlier = (await readPages(client, { pageSize: 50 })).ids;
    const ids = await createInstances(client, earlier);
    const checks = {
      byStatusAndPrefix: await checkStatusAndPrefix(client, ids),
      running: await checkRunning(client, ids),
      createdWindow: await checkCreatedWindow(client, ids),
      resumedFromToken: await checkResumeFromToken(client, ids),
      payloads: await checkPayloads(client),
      unfiltered: await checkUnfiltered(client, ids),
    };
    return { earlierInstances: earlier.length, createdInstances: ids.created.length, ...checks };
  });
});

/** Completed, running, and (after a pause) late completed instances, with the late window. */
async function createInstances(client, earlier) {
  const completed = await startAll(client, `${PREFIX}done-`, COMPLETED_COUNT, "Echo");
  const running = await startAll(client, `${PREFIX}wait-`, RUNNING_COUNT, "WaitForFinish");
  await Promise.all(completed.map((id) => awaitCompletion(client, id)));
  await Promise.all(running.map((id) => client.waitForOrchestrationStart(id, false, 60)));
  await sleep(200);
  const windowFrom = new Date();
  const late = await startAll(client, `${PREFIX}late-`, LATE_COUNT, "Echo");
  await Promise.all(late.map((id) => awaitCompletion(client, id)));
  const windowTo = new Date();
  await sleep(200);
  const created = [...completed, ...running, ...late];
  return { completed, running, late, created, earlier, windowFrom, windowTo };
}

function startAll(client, prefix, count, orchestrator) {
  const starts = [];
  for (let i = 0; i < count; i++) {
    const id = `${prefix}${String(i).padStart(2, "0")}`;
    starts.push(client.scheduleNewOrchestration(orchestrator, { index: i }, id));
  }
  return Promise.all(starts);
}

async function checkStatusAndPrefix(client, ids) {
  const pages = await readPages(client, {
    statuses: [OrchestrationStatus.COMPLETED],
    instanceIdPrefix: `${PREFIX}done-`,
    pageSize: PAGE_SIZE,
  });
  expectSameIds(pages.ids, ids.completed, "completed instances of the done- prefix");
  return pages.report;
}

async function checkRunning(client, ids) {
  const pages = await readPages(client, {
    statuses: [OrchestrationStatus.RUNNING],
    instanceIdPrefix: PREFIX,
    pageSize: PAGE_SIZE,
  });
  expectSameIds(pages.ids, ids.running, "running instances");
  return pages.report;
}

async function checkCreatedWindow(client, ids) {
  const window = {
    createdFrom: ids.windowFrom,
    createdTo: ids.windowTo,
    instanceIdPrefix: PREFIX,
    pageSize: 4,
  };
  const inWindow = await readPages(client, window);
  expectSameIds(inWindow.ids, ids.late, "instances created in the window");
  const running = { ...window, statuses: [OrchestrationStatus.RUNNING] };
  const runningInWindow = await readPages(client, running);
  expectSameIds(runningInWindow.ids, [], "running instances created in the window");
  const earlier = { instanceIdPrefix: PREFIX, createdTo: ids.windowFrom, pageSize: 50 };
  const before = await readPages(client, earlier);
  expectSameIds(before.ids, [...ids.completed, ...ids.running], "instances created before it");
  return {
    inWindow: inWindow.report,
    runningInWindow: runningInWindow.report,
    before: before.report,
  };
}

/** A continuation token from one query resumes the same query from a new pager. */
async function checkResumeFromToken(client, ids) {
  const filter = { instanceIdPrefix: `${PREFIX}done-`, pageSize: PAGE_SIZE };
  const first = await firstPage(client, filter);
  assert.ok(first.hasMoreResults, "Expected a continuation token after the first page");
  const rest = await readPages(client, { ...filter, continuationToken: first.continuationToken });
  const firstIds = first.values.map((state) => state.instanceId);
  expectSameIds([...firstIds, ...rest.ids], ids.completed, "the first page plus the resumed pages");
  return { firstPage: firstIds.length, resumed: rest.report };
}

async function checkPayloads(client) {
  const withPayloads = await firstPage(client, {
    instanceIdPrefix: `${PREFIX}done-00`,
    fetchInputsAndOutputs: true,
  });
  const withoutPayloads = await firstPage(client, { instanceIdPrefix: `${PREFIX}done-00` });
  assert.equal(withPayloads.values.length, 1, "Expected exactly one instance, done-00");
  const [state] = withPayloads.values;
  assert.deepEqual(JSON.parse(state.serializedInput), { index: 0 });
  assert.deepEqual(JSON.parse(state.serializedOutput), { index: 0 });
  const [bare] = withoutPayloads.values;
  assert.ok(!bare.serializedInput && !bare.serializedOutput, "Expected no payloads unless asked");
  return { input: state.serializedInput, output: state.serializedOutput };
}

async function checkUnfiltered(client, ids) {
  const all = await readPages(client, { pageSize: 9 });
  expectSameIds(all.ids, [...ids.earlier, ...ids.created], "earlier and created instances");
  return all.report;
}

async function firstPage(client, filter) {
  for await (const page of client.getAllInstances(filter).asPages()) {
    return page;
  }
  throw new Error("Expected a first page, but the pager yielded none");
}

/** Reads every page of a query, checking the paging contract on the way. */
async function readPages(client, filter) {
  const pageSizes = [];
  const ids = [];
  let lastToken;
  for await (const page of client.getAllInstances(filter).asPages()) {
    pageSizes.push(page.values.length);
    ids.push(...page.values.map((state) => state.instanceId));
    lastToken = page.continuationToken;
    const size = page.values.length;
    assert.ok(size <= filter.pageSize, `Expected at most ${filter.pageSize} per page, got ${size}`);
    if (page.hasMoreResults) {
      assert.ok(page.values.length > 0, "Expected no empty page before the last one");
    }
  }
  assert.ok(!lastToken, `Expected no token after the last page, but got '${lastToken}'`);
  assert.equal(new Set(ids).size, ids.length, `Expected no duplicates, but got ${ids}`);
  return { ids, report: { total: ids.length, pageSizes } };
}

function expectSameIds(actual, expected, what) {
  assert.deepEqual([...actual].sort(), [...expected].sort(), `Expected exactly the ${what}`);
}
