// Sizes of the release build (dist/): raw, gzip (level 9) and brotli (quality 11) of each file,
// then two totals: what the page needs before the engine has loaded (index.html, CSS, the
// page's JS and wasm, the CodeMirror bundle), and everything (adding the worker's loader, JS
// and wasm). Prints a Markdown table for the README. Node's zlib only: works offline.
//
// Run: node scripts/sizes.mjs [dist]   (or `make sizes`, which builds first)

import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const dist = path.resolve(process.argv[2] ?? "dist");
// The budget: issue 5.
const PAGE_BUDGET = 400_000;
const TOTAL_BUDGET = 1_200_000;

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? files(full) : [full];
  });
}

function sizes(file) {
  const data = readFileSync(file);
  return {
    raw: data.length,
    gzip: gzipSync(data, { level: 9 }).length,
    brotli: brotliCompressSync(data, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 11,
        [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
      },
    }).length,
  };
}

/** The worker's files (trunk names them after the `worker` bin); everything else is the page's. */
function isWorker(rel) {
  return /(^|\/)worker([-_.]|$)/.test(rel);
}

const n = (x) => x.toLocaleString("en-US");
const rows = files(dist)
  .map((file) => {
    const rel = path.relative(dist, file).split(path.sep).join("/");
    return { rel, worker: isWorker(rel), ...sizes(file) };
  })
  .sort((a, b) => a.worker - b.worker || b.brotli - a.brotli);

function total(list) {
  return list.reduce(
    (t, r) => ({ raw: t.raw + r.raw, gzip: t.gzip + r.gzip, brotli: t.brotli + r.brotli }),
    { raw: 0, gzip: 0, brotli: 0 },
  );
}

const page = total(rows.filter((r) => !r.worker));
const all = total(rows);
const verdict = (value, budget) => (value <= budget ? "within" : "OVER") + ` ${n(budget)}`;

console.log("| file | loaded | raw | gzip | brotli |");
console.log("| --- | --- | ---: | ---: | ---: |");
for (const r of rows) {
  const name = r.rel.replace(/-[0-9a-f]{16}(?=[._])/, "-…");
  console.log(`| ${name} | ${r.worker ? "with the engine" : "page"} | ${n(r.raw)} | ${n(r.gzip)} | ${n(r.brotli)} |`);
}
console.log(
  `| **page before the engine** | | **${n(page.raw)}** | **${n(page.gzip)}** | **${n(page.brotli)}** |`,
);
console.log(`| **everything** | | **${n(all.raw)}** | **${n(all.gzip)}** | **${n(all.brotli)}** |`);
console.log();
console.log(`page before the engine: ${n(page.brotli)} bytes brotli (${verdict(page.brotli, PAGE_BUDGET)})`);
console.log(`everything:             ${n(all.brotli)} bytes brotli (${verdict(all.brotli, TOTAL_BUDGET)})`);
