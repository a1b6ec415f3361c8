// Workload 6, ours only: the release build of the page (dist/, from `make web-build`) served on
// 127.0.0.1 at a random port, in headless Chromium (playwright-core, /usr/bin/chromium or
// $CHROMIUM) as the e2e test drives it (tests/e2e/playground.test.mjs). One sample is a fresh
// browser context: from navigation until the tutorial's first run, the 429 scenario at Instant
// speed, shows SUCCEEDED. `load_ms` is the part until the editor and the Run button are there.
//
//   node bench/runners/page.mjs [--dist DIR] [--warmup N] [--runs N]
//
// Prints one JSON line like the other runners (times_ms, load_ms, status; cpu_ms is null: the
// work happens in the browser's processes).

import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const root = path.resolve(fileURLToPath(new URL("../..", import.meta.url)));
const USAGE = "usage: node bench/runners/page.mjs [--dist DIR] [--warmup N] [--runs N]";

function fail(message, code) {
  process.stderr.write(`sfn-bench-page: ${message}\n${code === 2 ? USAGE + "\n" : ""}`);
  process.exit(code);
}

const args = { dist: path.join(root, "dist"), warmup: 1, runs: 1 };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const flag = argv[i];
  if (!["--dist", "--warmup", "--runs"].includes(flag)) fail(`unknown argument '${flag}'`, 2);
  if (i + 1 >= argv.length) fail(`${flag} needs a value`, 2);
  const value = argv[++i];
  if (flag === "--dist") {
    args.dist = path.resolve(value);
  } else {
    if (!/^\d+$/.test(value)) fail(`${flag} '${value}' is not a whole number`, 2);
    args[flag.slice(2)] = Number(value);
  }
}
if (args.runs < 1) fail("--runs must be at least 1", 2);
if (!existsSync(path.join(args.dist, "index.html"))) {
  fail(`no release build at ${args.dist} (make web-build makes dist/)`, 1);
}

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};

const server = createServer(async (req, res) => {
  const url = new URL(req.url, "http://localhost");
  let rel = decodeURIComponent(url.pathname);
  if (rel.endsWith("/")) rel += "index.html";
  const file = path.resolve(args.dist, "." + rel);
  if (!file.startsWith(args.dist + path.sep)) {
    res.writeHead(403).end();
    return;
  }
  try {
    const body = await readFile(file);
    res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream" });
    res.end(body);
  } catch {
    res.writeHead(404).end("not found");
  }
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const baseUrl = `http://127.0.0.1:${server.address().port}/`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});

async function sample() {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (err) => errors.push(err));
  try {
    const start = performance.now();
    await page.goto(baseUrl);
    await page.locator("[data-testid=definition-editor] .cm-editor").waitFor();
    await page.getByTestId("run").waitFor();
    const loaded = performance.now();
    await page.getByTestId("speed").selectOption("instant");
    await page.getByTestId("tab-input").click();
    await page.getByTestId("scenario-429").click();
    await page.getByTestId("run").click();
    await page.waitForFunction(
      () => ["SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"].includes(document.querySelector("[data-testid=status]")?.textContent.trim()),
      null,
      { timeout: 60_000 },
    );
    const end = performance.now();
    const status = (await page.getByTestId("status").textContent()).trim();
    if (errors.length) throw new Error(`the page threw: ${errors[0].message}`);
    return { wall: end - start, load: loaded - start, status };
  } finally {
    await context.close();
  }
}

let code = 0;
try {
  const times = [];
  const loads = [];
  let status;
  for (let i = 0; i < args.warmup + args.runs; i++) {
    const s = await sample();
    status = s.status;
    if (i >= args.warmup) {
      times.push(s.wall);
      loads.push(s.load);
    }
  }
  process.stdout.write(
    JSON.stringify({ implementation: "page", status, times_ms: times, load_ms: loads, cpu_ms: null, max_rss_kb: null }) + "\n",
  );
} catch (e) {
  process.stderr.write(`sfn-bench-page: ${e.message}\n`);
  code = 1;
} finally {
  await browser.close();
  server.close();
}
process.exitCode = code;
