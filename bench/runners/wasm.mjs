// Our engine compiled to wasm32-unknown-unknown (crates/bench, `wasm-bindgen --target nodejs`),
// under Node. Arguments and output: see common.mjs. The module's directory is
// $SFN_BENCH_WASM_DIR, or target/bench/wasm.

import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { runner, readText, timed, WorkloadError } from "./common.mjs";

const root = path.resolve(fileURLToPath(new URL("../..", import.meta.url)));
const dir = path.resolve(process.env.SFN_BENCH_WASM_DIR ?? path.join(root, "target", "bench", "wasm"));

await runner("wasm", async (args) => {
  const modulePath = path.join(dir, "sfn_bench.js");
  if (!existsSync(modulePath)) {
    throw new WorkloadError(`the wasm build is missing: ${modulePath} (make bench builds it)`);
  }
  const wasm = createRequire(import.meta.url)(modulePath);
  const definition = readText(args.definition, "definition");
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
        t = await timed(() => wasm.validate(definition));
      } catch (e) {
        throw new WorkloadError(e.message);
      }
      record(i, t);
      states = t.value;
    }
    return { states, times_ms: times, cpu_ms: cpuTimes };
  }
  const input = args.input ? readText(args.input, "input") : "";
  const mocks = args.mocks ? readText(args.mocks, "mocks") : "";
  let summary;
  for (let i = 0; i < total; i++) {
    let execution;
    try {
      execution = new wasm.WasmExecution(definition, input, mocks);
    } catch (e) {
      throw new WorkloadError(e.message);
    }
    record(i, await timed(() => execution.run()));
    if (i === total - 1) summary = JSON.parse(execution.summary());
    execution.free();
  }
  return { ...summary, times_ms: times, cpu_ms: cpuTimes };
});
