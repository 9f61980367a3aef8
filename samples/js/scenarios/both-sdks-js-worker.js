"use strict";

// bothSdks, JS worker side: serves the JsGreeting orchestration and its JsShout activity until
// its standard input closes. It prints {"ready":true} once the worker started; its result line
// lists the activities it ran.

const { whenAll } = require("@microsoft/durabletask-js");
const { newWorker, runScenario } = require("../lib/harness");
const { WireSpy } = require("../lib/wire-spy");

async function* jsGreeting(ctx, names) {
  const shouts = yield whenAll(names.map((name) => ctx.callActivity("JsShout", name)));
  return `Hello from JS, ${shouts.join(" ")}`;
}

runScenario("bothSdksJsWorker", async () => {
  const spy = new WireSpy();
  const shouted = [];
  const worker = newWorker(spy);
  worker.addNamedOrchestrator("JsGreeting", jsGreeting);
  worker.addNamedActivity("JsShout", (_ctx, name) => {
    shouted.push(name);
    return `${name.toUpperCase()}!`;
  });
  await worker.start();
  try {
    process.stdout.write(JSON.stringify({ ready: true }) + "\n");
    await inputClosed();
  } finally {
    await worker.stop();
  }
  return { shouted, wire: spy.summary() };
});

function inputClosed() {
  return new Promise((resolve) => {
    process.stdin.on("end", resolve);
    process.stdin.resume();
  });
}
