// What the JavaScript runners share with the native one (crates/bench/src/main.rs): the same
// arguments, the same JSON line on stdout, the same exit codes (2: usage, 1: the workload failed).
//
//   RUNNER execution --definition DEF.json [--input IN.json] [--mocks MOCKS.json] [--warmup N] [--runs N]
//   RUNNER validate  --definition DEF.json [--warmup N] [--runs N]

import { readFileSync } from "node:fs";

export const USAGE = `usage: RUNNER execution --definition DEF.json [--input IN.json] [--mocks MOCKS.json] [--warmup N] [--runs N]
       RUNNER validate --definition DEF.json [--warmup N] [--runs N]`;

/**
 * Times one call (awaited): { wall, cpu, value } in milliseconds; CPU time is the whole
 * process's (user and system, every thread, so the garbage collector's helpers count).
 */
export async function timed(f) {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const value = await f();
  const wall = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { wall, cpu: (used.user + used.system) / 1000, value };
}

/** A failure of the workload itself (exit 1), as opposed to a usage error (exit 2). */
export class WorkloadError extends Error {}

export function parseArgs(argv) {
  const [kind, ...rest] = argv;
  if (kind !== "execution" && kind !== "validate") {
    throw new Error(kind === undefined ? "missing command" : `unknown command '${kind}'`);
  }
  const args = { kind, definition: null, input: null, mocks: null, warmup: 1, runs: 1 };
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i];
    const value = () => {
      if (i + 1 >= rest.length) throw new Error(`${flag} needs a value`);
      return rest[++i];
    };
    switch (flag) {
      case "--definition":
        args.definition = value();
        break;
      case "--input":
        args.input = value();
        break;
      case "--mocks":
        args.mocks = value();
        break;
      case "--warmup":
      case "--runs": {
        const text = value();
        if (!/^\d+$/.test(text)) throw new Error(`${flag} '${text}' is not a whole number`);
        const n = Number(text);
        if (flag === "--runs" && n === 0) throw new Error("--runs must be at least 1");
        args[flag.slice(2)] = n;
        break;
      }
      default:
        throw new Error(`unknown argument '${flag}'`);
    }
  }
  if (!args.definition) throw new Error("--definition is required");
  if (kind === "validate" && (args.input || args.mocks)) throw new Error("validate takes no --input or --mocks");
  return args;
}

export function readText(path, what) {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new WorkloadError(`cannot read ${what} '${path}': ${e.message}`);
  }
}

export function parseJson(text, what) {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new WorkloadError(`${what} is not valid JSON: ${e.message}`);
  }
}

/**
 * Runs `main(args)` (which returns the result object), prints it as one JSON line with
 * `implementation` and `max_rss_kb`, and exits 0, 1 or 2.
 */
export async function runner(implementation, main) {
  const name = `sfn-bench-${implementation}`;
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${name}: ${e.message}\n${USAGE.replaceAll("RUNNER", name)}\n`);
    process.exit(2);
  }
  try {
    const result = await main(args);
    result.implementation = implementation;
    // resourceUsage().maxRSS is in KiB, like the native runner's VmHWM.
    result.max_rss_kb = process.resourceUsage().maxRSS;
    // Exit once the line is written: process.exit() right away would cut a long line short
    // when stdout is a pipe.
    process.stdout.write(JSON.stringify(result) + "\n", () => process.exit(0));
  } catch (e) {
    process.stderr.write(`${name}: ${e instanceof WorkloadError ? e.message : e.stack ?? e}\n`);
    process.exit(1);
  }
}
