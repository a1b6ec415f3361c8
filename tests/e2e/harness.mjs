// What the e2e tests (the *.test.mjs files here) need around the page: a static
// server of dist/ on 127.0.0.1 at a random port (which can also serve files a test puts there),
// Chromium through playwright-core with the flags these machines need, and helpers that read and
// write the editors. Not a test file itself (node --test runs `*.test.mjs`).

import { createServer } from "node:http";
import { mkdir, readFile } from "node:fs/promises";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { deflateSync } from "node:zlib";
import path from "node:path";

export const root = path.resolve(fileURLToPath(new URL("../..", import.meta.url)));
// playwright-core is installed with the editor's npm packages.
const require = createRequire(path.join(root, "editor", "package.json"));
const { chromium } = require("playwright-core");

export const dist = path.resolve(process.env.DIST_DIR ?? path.join(root, "dist"));
export const shots = path.join(root, "target", "e2e");

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

/**
 * Serves dist/, and the files in `extra` (a Map of "/path" to {type, body}) over it.
 * Resolves to {server, baseUrl, extra}.
 */
export async function serve() {
  const extra = new Map();
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, "http://localhost");
    const own = extra.get(url.pathname);
    if (own) {
      res.writeHead(200, { "content-type": own.type }).end(own.body);
      return;
    }
    let rel = decodeURIComponent(url.pathname);
    if (rel.endsWith("/")) rel += "index.html";
    const file = path.resolve(dist, "." + rel);
    if (!file.startsWith(dist + path.sep)) {
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
  return { server, baseUrl: `http://127.0.0.1:${server.address().port}/`, extra };
}

export function launch() {
  return chromium.launch({
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
}

/**
 * A page in a fresh browser context (its own localStorage), recording uncaught page errors and
 * dialogs (an injected `alert` would open one) in `errors`.
 */
export async function freshPage(browser, errors) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  page.on("pageerror", (err) => errors.push(`page error: ${err}`));
  page.on("dialog", (dialog) => {
    errors.push(`dialog: ${dialog.message()}`);
    dialog.dismiss().catch(() => {});
  });
  page.on("console", (msg) => {
    if (msg.type() === "error") console.log(`[browser console] ${msg.text()}`);
  });
  return { context, page };
}

/** Opens `url` as a new document (not a same-document fragment change) and waits for the editors. */
export async function open(page, url) {
  await page.goto("about:blank");
  await page.goto(url);
  await page.locator("[data-testid=definition-editor] .cm-editor").waitFor();
}

/**
 * What most test files start with: dist/ served, Chromium launched, and the playground opened in
 * a fresh page whose uncaught errors and dialogs go to `errors`. Resolves to
 * {server, baseUrl, browser, page}; `stopPlayground` closes them.
 */
export async function startPlayground(errors) {
  await mkdir(shots, { recursive: true });
  const { server, baseUrl } = await serve();
  const browser = await launch();
  const { page } = await freshPage(browser, errors);
  await open(page, baseUrl);
  return { server, baseUrl, browser, page };
}

/** Closes what `startPlayground` opened, then checks the page raised no error and no dialog. */
export async function stopPlayground(playground, errors) {
  await playground?.browser.close();
  await new Promise((resolve) => playground?.server.close(resolve) ?? resolve());
  assert.deepEqual(errors, [], "no page errors and no dialogs");
}

/** Replaces the text of one of the editors, the way a paste would. */
export async function setEditor(page, testId, text) {
  if (testId === "input-editor") await page.getByTestId("tab-input").click();
  if (testId === "mocks-editor") await page.getByTestId("tab-mocks").click();
  const content = page.locator(`[data-testid=${testId}] .cm-content`);
  await content.click();
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.press("Delete");
  await page.keyboard.insertText(text);
  // The editor's text reached the app when the diagnostics settle.
  await page.waitForTimeout(350);
}

/** The text of an editor (its lines; the texts here are short enough to be drawn whole). */
export async function editorText(page, testId) {
  return page.locator(`[data-testid=${testId}] .cm-content`).evaluate((el) =>
    Array.from(el.querySelectorAll(".cm-line"))
      .map((l) => l.textContent)
      .join("\n"),
  );
}

/** The three editors' texts. */
export async function editorTexts(page) {
  const definition = await editorText(page, "definition-editor");
  // An editor in a hidden tab may not have drawn its latest text: show each.
  await page.getByTestId("tab-input").click();
  await page.waitForTimeout(50);
  const input = await editorText(page, "input-editor");
  await page.getByTestId("tab-mocks").click();
  await page.waitForTimeout(50);
  const mocks = await editorText(page, "mocks-editor");
  return { definition, input, mocks };
}

export async function status(page) {
  return (await page.getByTestId("status").textContent()).trim();
}

export async function waitForStatus(page, expected, timeout = 30_000) {
  await page.waitForFunction(
    (want) => document.querySelector("[data-testid=status]")?.textContent.trim() === want,
    expected,
    { timeout },
  );
}

export async function run(page, speed) {
  await page.getByTestId("speed").selectOption(speed);
  await page.getByTestId("run").click();
}

/**
 * The fragment of a share link (without `#`) holding `payload` (an object, or raw bytes or
 * text), the way crates/playground-data/src/share.rs writes it: `v1:` and the base64url text of the zlib stream.
 */
export function shareFragment(payload, version = "v1") {
  const bytes =
    typeof payload === "string" || Buffer.isBuffer(payload) ? Buffer.from(payload) : Buffer.from(JSON.stringify(payload));
  return `${version}:${deflateSync(bytes, { level: 9 }).toString("base64url")}`;
}
