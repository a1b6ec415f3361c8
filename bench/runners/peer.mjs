// The peer: the npm package aws-local-stepfunctions (bench/package.json pins it) on Node 22.
// Arguments and output: see common.mjs.
//
// - validate: times JSON.parse and `new StateMachine(definition)`, which validates the
//   definition (asl-validator) every time.
// - execution: builds the StateMachine before the timed part, then times `run(input).result`.
//   The events the peer logs are not consumed, so it keeps them all (in its event queue), as
//   our engine keeps its history. They are not counted either: reading them back through its
//   `eventLogs` generator takes quadratic time (Array.shift), half a minute at 400,000 events.
//   So that it does not sleep in real time, every Wait state's duration and every Retry's
//   interval is overridden to 0 (`waitTimeOverrides`, `retryIntervalOverrides`), and the
//   Lambda functions our mock file describes (the `Functions` format: `when` patterns,
//   `return`, `throw`) become `taskResourceLocalHandlers`. `durationSeconds` (simulated time in
//   our engine) is ignored. A JSONata `when` or AWS's `StateMachines` mock format is refused.

import { StateMachine } from "aws-local-stepfunctions";
import { runner, readText, parseJson, timed, WorkloadError } from "./common.mjs";

/** Every state of a definition, nested ones (Map, Parallel) included, as [name, state]. */
function* allStates(machine) {
  for (const [name, state] of Object.entries(machine?.States ?? {})) {
    yield [name, state];
    for (const inner of [state.ItemProcessor, state.Iterator, ...(state.Branches ?? [])]) {
      if (inner) yield* allStates(inner);
    }
  }
}

/** Our mock rules' `when`: an object matches when each key matches recursively. */
function matches(pattern, value) {
  if (pattern !== null && typeof pattern === "object" && !Array.isArray(pattern)) {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
    return Object.entries(pattern).every(([k, p]) => k in value && matches(p, value[k]));
  }
  return JSON.stringify(pattern) === JSON.stringify(value);
}

function lambdaHandler(functionName, rules) {
  if (!Array.isArray(rules)) throw new WorkloadError(`mocks: Functions.${functionName} must be a list of rules`);
  rules.forEach((rule, i) => {
    if (typeof rule?.when === "string") {
      throw new WorkloadError(`mocks: Functions.${functionName}[${i}].when: the peer runner translates only object patterns, not JSONata`);
    }
  });
  return async (input) => {
    const rule = rules.find((r) => r.when === undefined || matches(r.when, input));
    if (!rule) throw new Error(`no mock rule of ${functionName} matches ${JSON.stringify(input)}`);
    if (rule.throw) {
      const error = new Error(rule.throw.cause ?? "");
      error.name = rule.throw.error;
      throw error;
    }
    return rule.return ?? null;
  };
}

function overrides(definition, mocks) {
  const result = { waitTimeOverrides: {}, retryIntervalOverrides: {}, taskResourceLocalHandlers: {} };
  if (mocks && (mocks.StateMachines || !mocks.Functions)) {
    throw new WorkloadError("mocks: the peer runner translates only our `Functions` format");
  }
  for (const [name, state] of allStates(definition)) {
    if (state.Type === "Wait") result.waitTimeOverrides[name] = 0;
    if (Array.isArray(state.Retry)) result.retryIntervalOverrides[name] = 0;
    if (state.Type === "Task" && mocks) {
      const fn = /:function:([^:]+)/.exec(state.Resource ?? "")?.[1];
      if (fn && mocks.Functions[fn]) result.taskResourceLocalHandlers[name] = lambdaHandler(fn, mocks.Functions[fn]);
    }
  }
  return result;
}

await runner("peer", async (args) => {
  const definitionText = readText(args.definition, "definition");
  const times = [];
  const cpuTimes = [];
  const total = args.warmup + args.runs;
  const record = (i, t) => {
    if (i >= args.warmup) {
      times.push(t.wall);
      cpuTimes.push(t.cpu);
    }
  };
  if (args.kind === "validate") {
    let states = 0;
    for (let i = 0; i < total; i++) {
      let t;
      try {
        t = await timed(() => new StateMachine(JSON.parse(definitionText)));
      } catch (e) {
        throw new WorkloadError(e.message);
      }
      record(i, t);
      states = Object.keys(t.value.definition.States).length;
    }
    return { states, times_ms: times, cpu_ms: cpuTimes };
  }
  const definition = parseJson(definitionText, "the definition");
  const input = args.input ? parseJson(readText(args.input, "input"), "the input") : {};
  const mocks = args.mocks ? parseJson(readText(args.mocks, "mocks"), "the mocks") : null;
  let machine;
  try {
    machine = new StateMachine(definition);
  } catch (e) {
    throw new WorkloadError(e.message);
  }
  const options = { overrides: overrides(definition, mocks) };
  let summary;
  for (let i = 0; i < total; i++) {
    const runInput = structuredClone(input);
    const t = await timed(async () => {
      const execution = machine.run(runInput, options);
      try {
        return { status: "SUCCEEDED", output: await execution.result };
      } catch (e) {
        return { status: "FAILED", error: e.cause?.name ?? e.name, cause: e.cause?.message ?? e.message };
      }
    });
    record(i, t);
    if (i === total - 1) summary = t.value;
  }
  return { ...summary, times_ms: times, cpu_ms: cpuTimes };
});
