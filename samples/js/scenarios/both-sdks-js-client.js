"use strict";

// bothSdks, JS client side: starts orchestrations that a Java SDK worker runs (the samples'
// HelloCities and FanOutFanIn) and checks their outputs. Runs no worker of its own.

const { assert, completedOutput } = require("../lib/checks");
const { awaitCompletion, newClient, runScenario } = require("../lib/harness");
const { WireSpy } = require("../lib/wire-spy");

runScenario("bothSdksJsClient", async () => {
  const spy = new WireSpy();
  const client = newClient(spy);
  try {
    const hello = await client.scheduleNewOrchestration("HelloCities");
    const fanOut = await client.scheduleNewOrchestration("FanOutFanIn", 10);

    const helloState = await awaitCompletion(client, hello);
    const fanOutState = await awaitCompletion(client, fanOut);

    assert.equal(completedOutput(helloState), "Hello, Tokyo! Hello, Seattle! Hello, London!");
    assert.equal(completedOutput(fanOutState), 385);
    return {
      hello: { instanceId: hello, output: helloState.serializedOutput },
      fanOut: { instanceId: fanOut, output: fanOutState.serializedOutput },
      wire: spy.summary(),
    };
  } finally {
    await client.stop();
  }
});
