"use strict";

// Records what the unchanged SDK sends and receives over gRPC, through a grpc-js client
// interceptor, so scenarios can report the SDK's wire behaviour next to their outcome.

const grpc = require("@grpc/grpc-js");

class WireSpy {
  constructor() {
    this.calls = {};
    this.workItems = [];
    this.orchestratorResponses = [];
    this.activityResponses = [];
  }

  /** Channel options that route every call of an SDK client or worker through this spy. */
  channelOptions() {
    return { interceptors: [(options, nextCall) => this.intercept(options, nextCall)] };
  }

  intercept(options, nextCall) {
    const method = options.method_definition.path.split("/").pop();
    this.calls[method] = (this.calls[method] ?? 0) + 1;
    const listener = new grpc.ListenerBuilder()
      .withOnReceiveMessage((message, next) => {
        this.onReceive(method, message);
        next(message);
      })
      .build();
    const requester = new grpc.RequesterBuilder()
      .withStart((metadata, _listener, next) => next(metadata, listener))
      .withSendMessage((message, next) => {
        this.onSend(method, message);
        next(message);
      })
      .build();
    return new grpc.InterceptingCall(nextCall(options), requester);
  }

  onReceive(method, message) {
    if (method === "GetWorkItems") {
      this.workItems.push(describeWorkItem(message));
    }
  }

  onSend(method, message) {
    if (method === "CompleteOrchestratorTask") {
      this.orchestratorResponses.push({
        instanceId: message.getInstanceid(),
        completionToken: message.getCompletiontoken(),
        actionIds: message.getActionsList().map((action) => action.getId()),
        hasCustomStatus: message.hasCustomstatus(),
        carryoverEvents: countCarryoverEvents(message),
      });
    } else if (method === "CompleteActivityTask") {
      this.activityResponses.push({
        instanceId: message.getInstanceid(),
        taskId: message.getTaskid(),
        completionToken: message.getCompletiontoken(),
      });
    }
  }

  /** Orchestrator work items of one instance, in the order the worker received them. */
  orchestratorItemsOf(instanceId) {
    return this.workItems.filter(
      (item) => item.kind === "orchestrator" && item.instanceId === instanceId,
    );
  }

  /** What the scenario reports about the SDK's wire behaviour. */
  summary() {
    const sentTokens = new Set(this.workItems.map((item) => item.completionToken));
    const responses = [...this.orchestratorResponses, ...this.activityResponses];
    const echoed = responses.map((response) => response.completionToken);
    return {
      calls: this.calls,
      workItems: this.workItems.length,
      completionsSent: echoed.length,
      completionTokensEchoed: echoed.length > 0 && echoed.every((token) => sentTokens.has(token)),
      customStatusFieldsSent: this.orchestratorResponses.filter((r) => r.hasCustomStatus).length,
      firstActionIds: this.orchestratorResponses
        .slice(0, 4)
        .map((response) => response.actionIds.slice(0, 5)),
    };
  }
}

function countCarryoverEvents(orchestratorResponse) {
  return orchestratorResponse
    .getActionsList()
    .filter((action) => action.hasCompleteorchestration())
    .map((action) => action.getCompleteorchestration().getCarryovereventsList().length)
    .reduce((sum, count) => sum + count, 0);
}

function describeWorkItem(workItem) {
  const token = workItem.getCompletiontoken();
  if (workItem.hasOrchestratorrequest()) {
    const request = workItem.getOrchestratorrequest();
    return {
      kind: "orchestrator",
      instanceId: request.getInstanceid(),
      executionId: request.getExecutionid()?.getValue(),
      completionToken: token,
      pastEvents: request.getPasteventsList().map(eventKind),
      newEvents: request.getNeweventsList().map(eventKind),
    };
  }
  if (workItem.hasActivityrequest()) {
    const request = workItem.getActivityrequest();
    return {
      kind: "activity",
      instanceId: request.getOrchestrationinstance()?.getInstanceid(),
      taskId: request.getTaskid(),
      completionToken: token,
    };
  }
  return { kind: "other", completionToken: token };
}

const EVENT_KINDS = [
  "executionstarted",
  "executioncompleted",
  "executionterminated",
  "taskscheduled",
  "taskcompleted",
  "taskfailed",
  "timercreated",
  "timerfired",
  "orchestratorstarted",
  "orchestratorcompleted",
  "eventraised",
  "continueasnew",
  "executionsuspended",
  "executionresumed",
];

function eventKind(event) {
  const kind = EVENT_KINDS.find((name) => event["has" + name[0].toUpperCase() + name.slice(1)]());
  return kind ?? "other";
}

module.exports = { WireSpy };
