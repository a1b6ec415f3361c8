// Generates the workload files too big to keep in git, the same for every implementation:
// - map-10k.input.json: {"items": [{"id": 0}, ... {"id": 9999}]} (workload 2);
// - states-1000.asl.json: a valid definition of 1,000 states (workload 3): a chain of Pass
//   (Parameters, ResultPath), Task (Retry, Catch), Choice (And, several rules), Wait and Pass
//   (Result, InputPath, OutputPath) states, then a Fail the Catches go to and a Succeed.
//
// Usage: node bench/gen.mjs [OUT_DIR]   (default target/bench/generated). run.mjs calls it.

import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(fileURLToPath(new URL("..", import.meta.url)));

export function mapInput(n) {
  return { items: Array.from({ length: n }, (_, id) => ({ id })) };
}

export function manyStates(n) {
  if (!Number.isInteger(n) || n < 3) throw new Error(`manyStates needs at least 3 states, not ${n}`);
  const chain = n - 2;
  const name = (i) => (i < chain ? `Step ${String(i).padStart(4, "0")}` : "Done");
  const states = {};
  for (let i = 0; i < chain; i++) {
    const next = name(i + 1);
    switch (i % 5) {
      case 0:
        states[name(i)] = {
          Type: "Pass",
          Parameters: { index: i, "value.$": "$.value", "label.$": "States.Format('step {}', $.value)" },
          ResultPath: "$.pass",
          Next: next,
        };
        break;
      case 1:
        states[name(i)] = {
          Type: "Task",
          Resource: `arn:aws:lambda:us-east-1:123456789012:function:Worker${i}`,
          TimeoutSeconds: 30,
          ResultPath: "$.task",
          Retry: [
            { ErrorEquals: ["States.Timeout", "Lambda.ServiceException"], IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2 },
          ],
          Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "Failed" }],
          Next: next,
        };
        break;
      case 2:
        states[name(i)] = {
          Type: "Choice",
          Choices: [
            {
              And: [
                { Variable: "$.value", IsNumeric: true },
                { Variable: "$.value", NumericGreaterThanEquals: 0 },
              ],
              Next: next,
            },
            { Variable: "$.name", StringMatches: "step*", Next: next },
          ],
          Default: next,
        };
        break;
      case 3:
        states[name(i)] = { Type: "Wait", Seconds: 1, Next: next };
        break;
      default:
        states[name(i)] = {
          Type: "Pass",
          InputPath: "$",
          Result: { visited: true, step: i },
          ResultPath: "$.last",
          OutputPath: "$",
          Next: next,
        };
    }
  }
  states.Failed = { Type: "Fail", Error: "StepFailed", Cause: "A step failed" };
  states.Done = { Type: "Succeed" };
  return { Comment: `Workload 3: a generated definition of ${n} states`, StartAt: name(0), States: states };
}

export function generate(outDir = path.join(root, "target", "bench", "generated")) {
  mkdirSync(outDir, { recursive: true });
  const files = {
    "map-10k.input.json": mapInput(10_000),
    "states-1000.asl.json": manyStates(1_000),
  };
  for (const [file, value] of Object.entries(files)) {
    writeFileSync(path.join(outDir, file), JSON.stringify(value, null, 2) + "\n");
  }
  return outDir;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(`generated in ${generate(process.argv[2])}`);
}
