// End-to-end test of the release build: serves dist/ (`trunk build --release --public-url ./`)
// on 127.0.0.1 at a random port, drives Debian's Chromium with playwright-core, and checks what a
// user sees: the tutorial's 429 scenario (failed attempts, retries, the wait, the success), the
// 503 scenario failing, a broken definition's diagnostic, Stop on an endless run, and a history
// of 25,000 events. Any uncaught page error fails the test. Screenshots go to target/e2e/.
//
// Run: node --test tests/e2e/   (after the release build; DIST_DIR overrides dist/)

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFile, mkdir } from "node:fs/promises";
import path from "node:path";

// The static server of dist/ and Chromium's launch are shared with safety.test.mjs.
import { root, shots, serve, launch } from "./harness.mjs";

// The tutorial (the seed's definition), with the mock Lambda of the seed README.
const TUTORIAL = await readFile(path.join(root, "examples", "tutorial", "tutorial.asl.json"), "utf8");
const MOCKS = JSON.stringify(
  {
    Functions: {
      MockAPIFunction: [
        {
          when: { statuscode: "429" },
          throw: { error: "TooManyRequestsException", cause: "429 Too Many Requests" },
          durationSeconds: 0.5,
        },
        {
          when: { statuscode: "503" },
          throw: { error: "ServerUnavailableException", cause: "503 Server Unavailable" },
          durationSeconds: 0.5,
        },
        { when: { statuscode: "200" }, return: "200 OK", durationSeconds: 0.5 },
        { throw: { error: "UnknownException", cause: "Unknown error" }, durationSeconds: 0.5 },
      ],
    },
  },
  null,
  2,
);

let server;
let baseUrl;
let browser;
let page;
const pageErrors = [];

before(async () => {
  await mkdir(shots, { recursive: true });
  ({ server, baseUrl } = await serve());

  browser = await launch();
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  page = await context.newPage();
  page.on("pageerror", (err) => pageErrors.push(err));
  page.on("console", (msg) => {
    if (msg.type() === "error") console.log(`[browser console] ${msg.text()}`);
  });
  await page.goto(baseUrl);
  await page.locator("[data-testid=definition-editor] .cm-editor").waitFor();
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve) ?? resolve());
});

/** Replaces the text of one of the editors, the way a paste would. */
async function setEditor(testId, text) {
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

async function editorText(testId) {
  return page.locator(`[data-testid=${testId}] .cm-content`).evaluate((el) =>
    Array.from(el.querySelectorAll(".cm-line"))
      .map((l) => l.textContent)
      .join("\n"),
  );
}

async function status() {
  return (await page.getByTestId("status").textContent()).trim();
}

async function waitForStatus(expected, timeout = 30_000) {
  await page.waitForFunction(
    (want) => document.querySelector("[data-testid=status]")?.textContent.trim() === want,
    expected,
    { timeout },
  );
}

/** How many events of this type the history holds (through the type filter). */
async function countOfType(type) {
  const select = page.locator(".history select");
  await select.selectOption(type === "" ? "" : type).catch(() => {});
  const text = (await page.getByTestId("event-count").textContent()).trim();
  const m = text.match(/^([\d,]+)(?: of ([\d,]+))? events$/);
  assert.ok(m, `event count text: ${text}`);
  const n = Number(m[1].replaceAll(",", ""));
  // A type that does not occur is not in the filter's list at all.
  const options = await select.locator("option").allTextContents();
  await select.selectOption("");
  return options.includes(type) ? n : 0;
}

/** A machine that repeats `body` until the input has a `stop` field (it never has). */
function loop(body) {
  return JSON.stringify(
    {
      StartAt: "Loop",
      States: {
        Loop: { ...body, Next: "Check" },
        Check: {
          Type: "Choice",
          Choices: [{ Variable: "$.stop", IsPresent: true, Next: "Done" }],
          Default: "Loop",
        },
        Done: { Type: "Succeed" },
      },
    },
    null,
    2,
  );
}

/** Loads one of the example's inputs (the buttons above the Input editor). */
async function pickScenario(id) {
  await page.getByTestId("tab-input").click();
  await page.getByTestId(`scenario-${id}`).click();
}

async function run(speed) {
  await page.getByTestId("speed").selectOption(speed);
  await page.getByTestId("run").click();
}

test("the page opens with the tutorial and its scenarios", async () => {
  assert.equal(await page.getByTestId("example").inputValue(), "tutorial");
  assert.match(await editorText("definition-editor"), /"Call API"/);
  for (const id of ["200", "429", "503", "500"]) {
    assert.equal(await page.getByTestId(`scenario-${id}`).count(), 1, `scenario ${id}`);
  }
  // The graph shows the tutorial's states, once the engine's worker has checked and laid out
  // the definition (the page itself holds neither the engine nor the layout).
  await page.locator("[data-testid=graph-slot] g.sfn-state").first().waitFor();
  for (const name of ["Call API", "Wait and Try Later", "Change to 200", "OK"]) {
    assert.ok((await page.locator("[data-testid=graph-slot] svg").getByText(name, { exact: true }).count()) >= 1, name);
  }
  assert.equal((await page.getByTestId("diagnostic-count").textContent()).trim(), "No problems");
});

test("the 429 scenario retries, waits and succeeds, live", async () => {
  // The mocks the seed README describes, imported from a file, so the test does not depend on
  // the example's.
  await page.getByTestId("tab-mocks").click();
  await page.getByTestId("import-mocks").setInputFiles({
    name: "mocks.json",
    mimeType: "application/json",
    buffer: Buffer.from(MOCKS),
  });
  await page.waitForFunction(() =>
    document.querySelector("[data-testid=mocks-editor] .cm-content")?.textContent.includes("durationSeconds"),
  );
  await page.waitForTimeout(300);
  await pickScenario("429");
  assert.equal(JSON.parse(await editorText("input-editor")).statuscode, "429");
  assert.equal((await page.getByTestId("diagnostic-count").textContent()).trim(), "No problems");

  // 10× real time: 6 simulated seconds play in about 0.6 s, with rows appearing as they go.
  const started = Date.now();
  await run("10");
  await page.waitForFunction(() => document.querySelectorAll(".history-row").length > 0);
  const rowsWhileRunning = await page.locator(".history-row").count();
  const statusWhileRunning = await status();
  await waitForStatus("SUCCEEDED");
  const elapsed = Date.now() - started;
  assert.equal(statusWhileRunning, "RUNNING", "rows appear while it runs");
  assert.ok(rowsWhileRunning > 0);
  assert.ok(elapsed >= 400, `paced playback took ${elapsed} ms`);

  assert.equal(await countOfType("LambdaFunctionFailed"), 3, "three failed attempts");
  assert.equal(await countOfType("LambdaFunctionScheduled"), 4, "two retries, then a call after the wait");
  assert.equal(await countOfType("WaitStateEntered"), 1, "the wait");
  assert.equal(await countOfType("PassStateEntered"), 2, "Change to 200, then OK");
  assert.equal(await countOfType("LambdaFunctionSucceeded"), 1, "the success");
  assert.equal(await countOfType("ExecutionSucceeded"), 1);
  const detail = await page.getByTestId("status-detail").textContent();
  assert.match(detail, /The request has succeeded\./);
  // 1 s + 2 s of retry back-off, 1 s of Wait, and four calls of 0.5 s.
  assert.equal((await page.getByTestId("duration").textContent()).trim(), "6 s");

  // The history exports as GetExecutionHistory JSON.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByTestId("export-history").click(),
  ]);
  const exported = JSON.parse(await readFile(await download.path(), "utf8"));
  assert.equal(exported.events.length, 24);
  assert.equal(exported.events[0].type, "ExecutionStarted");
  assert.equal(typeof exported.events[0].executionStartedEventDetails.input, "string");

  // The inspector shows the first Call API visit with its errors and how each was handled.
  await page.locator(".history input[type=search]").fill("Call API");
  await page.locator(".history-row", { hasText: "TaskStateEntered" }).first().click();
  const errors = await page.getByTestId("inspector-errors").textContent();
  assert.match(errors, /TooManyRequestsException/);
  assert.match(errors, /Retried after 1 s/);
  assert.match(errors, /Retried after 2 s/);
  assert.match(errors, /Caught by Catch #1/);
  await page.screenshot({ path: path.join(shots, "429-succeeded.png") });
  await page.locator(".history input[type=search]").fill("");
  await page.screenshot({ path: path.join(shots, "429-history.png") });

  // The dark theme follows the system's.
  await page.emulateMedia({ colorScheme: "dark" });
  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const [r, g, b] = background.match(/\d+/g).map(Number);
  assert.ok(r + g + b < 150, `dark background: ${background}`);
  await page.screenshot({ path: path.join(shots, "429-dark.png") });
  await page.emulateMedia({ colorScheme: "light" });
});

test("the 503 scenario fails with the Fail state's cause", async () => {
  await pickScenario("503");
  await run("instant");
  await waitForStatus("FAILED");
  const detail = await page.getByTestId("status-detail").textContent();
  assert.match(detail, /Cause: The server is currently unable to handle the request\./);
  assert.doesNotMatch(detail, /Error:/, "the Fail state has no error name");
  assert.equal(await countOfType("LambdaFunctionFailed"), 1, "not retried");
  assert.equal(await countOfType("FailStateEntered"), 1);
  await page.screenshot({ path: path.join(shots, "503-failed.png") });
});

test("a broken definition shows its diagnostic and Run says why it cannot run", async () => {
  await setEditor("definition-editor", TUTORIAL.replace('"Next": "OK"', '"Next": "Missing State"'));
  await page.waitForFunction(() =>
    document.querySelector("[data-testid=problems]")?.textContent.includes("Missing State"),
  );
  assert.ok((await page.locator("[data-testid=definition-editor] .cm-lintRange-error").count()) >= 1);
  await run("instant");
  await waitForStatus("CANNOT RUN");
  assert.match(await page.getByTestId("run-problems").textContent(), /Definition, line \d+ column \d+/);
  await page.screenshot({ path: path.join(shots, "diagnostic.png") });
  // Format restores a tidy text and the fix clears the diagnostic.
  await setEditor("definition-editor", TUTORIAL);
  await page.getByTestId("format").click();
  await page.waitForFunction(
    () => document.querySelector("[data-testid=diagnostic-count]")?.textContent.trim() === "No problems",
  );
});

test("Stop ends an endless run and the next run works", async () => {
  await setEditor(
    "definition-editor",
    loop({ Type: "Wait", Seconds: 1 }),
  );
  await setEditor("input-editor", "{}");
  await run("1");
  await page.waitForFunction(() => document.querySelectorAll(".history-row").length >= 3);
  assert.equal(await status(), "RUNNING");
  const clicked = Date.now();
  await page.getByTestId("stop").click();
  await waitForStatus("ABORTED", 1_000);
  const stopMs = Date.now() - clicked;
  console.log(`Stop of an endless run: ABORTED shown ${stopMs} ms after the click`);
  assert.ok(stopMs < 1000, `stopped in ${stopMs} ms`);
  const rows = await page.locator(".history-row").count();
  await page.waitForTimeout(1500);
  assert.equal(await page.locator(".history-row").count(), rows, "nothing more arrives after Stop");
  // As StopExecution writes it: the Wait in progress aborted, then ExecutionAborted; the graph
  // shows the Wait cancelled, not failed or still in progress.
  const lastTypes = await page.locator(".history-row").evaluateAll((rows) =>
    rows.slice(-2).map((r) => r.getAttribute("data-event-type")),
  );
  assert.deepEqual(lastTypes, ["WaitStateAborted", "ExecutionAborted"]);
  assert.equal(
    await page.locator("g.sfn-state[data-state=Loop]").getAttribute("data-status"),
    "cancelled",
  );

  await setEditor("definition-editor", '{"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}');
  await run("instant");
  await waitForStatus("SUCCEEDED");
});

test("a history of 25,000 events stays responsive", async () => {
  await setEditor(
    "definition-editor",
    loop({ Type: "Pass" }),
  );
  const started = Date.now();
  await run("instant");
  await waitForStatus("FAILED", 120_000);
  const took = Date.now() - started;
  const total = (await page.getByTestId("event-count").textContent()).trim();
  assert.match(total, /^2\d,\d{3} events$/);
  const inDom = await page.locator(".history-row").count();
  assert.ok(inDom < 100, `${inDom} rows in the DOM`);
  // The list ends on the final event, where the run ended (with no filter left by a test
  // before).
  await page.locator(".history input[type=search]").fill("");
  await page.locator(".history select").selectOption("");
  await page.waitForFunction(() =>
    Array.from(document.querySelectorAll(".history-row")).some((r) => r.dataset.eventType === "ExecutionFailed"),
  );
  const lastId = await page.locator(".history-row").last().locator(".id").textContent();
  assert.match(lastId.trim(), /^\D*2\d\d\d\d$/, `the last row shows its whole id: ${lastId}`);
  // Scrolling to the top renders the first rows.
  const t0 = Date.now();
  await page.getByTestId("history-scroll").evaluate((el) => {
    el.scrollTop = 0;
  });
  await page.waitForFunction(() =>
    Array.from(document.querySelectorAll(".history-row .type")).some((c) => c.textContent === "ExecutionStarted"),
  );
  const scrollMs = Date.now() - t0;
  console.log(`25,000-event run: ${took} ms; scroll to top re-rendered in ${scrollMs} ms`);
  assert.ok(scrollMs < 2000);
  await page.screenshot({ path: path.join(shots, "25000-events.png") });
});

test("a share link reopens the same work, and work survives a reload", async () => {
  await setEditor("definition-editor", '{"StartAt": "Shared", "States": {"Shared": {"Type": "Succeed"}}}');
  await setEditor("input-editor", '{"shared": true}');
  await page.getByTestId("share").click();
  const link = await page.getByTestId("share-link").inputValue();
  assert.match(link, /#v1:[A-Za-z0-9_-]+$/);
  await page.screenshot({ path: path.join(shots, "share.png") });

  // Saved work comes back after a reload.
  await page.waitForTimeout(600);
  await page.reload();
  await page.locator("[data-testid=definition-editor] .cm-editor").waitFor();
  assert.match(await editorText("definition-editor"), /"Shared"/);

  // The link opens the same work in a fresh browser context (no saved work there).
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const other = await context.newPage();
  other.on("pageerror", (err) => pageErrors.push(err));
  await other.goto(link);
  await other.locator("[data-testid=definition-editor] .cm-editor").waitFor();
  const text = await other
    .locator("[data-testid=definition-editor] .cm-content")
    .evaluate((el) => Array.from(el.querySelectorAll(".cm-line")).map((l) => l.textContent).join("\n"));
  assert.match(text, /"Shared"/);
  const input = await other
    .locator("[data-testid=input-editor] .cm-content")
    .evaluate((el) => Array.from(el.querySelectorAll(".cm-line")).map((l) => l.textContent).join("\n"));
  assert.deepEqual(JSON.parse(input), { shared: true });
  await context.close();
});

test("a new Task without a mock gets a starting one, and the run succeeds at once", async () => {
  const definition = {
    StartAt: "Greet",
    States: {
      Greet: { Type: "Task", Resource: "arn:aws:lambda:us-east-1:123456789012:function:Greeter", End: true },
    },
  };
  await setEditor("definition-editor", JSON.stringify(definition, null, 2));
  await setEditor("mocks-editor", "");
  await page.waitForTimeout(400);
  await run("instant");
  await waitForStatus("SUCCEEDED");
  assert.match(await editorText("mocks-editor"), /Greeter/, "the starting rule is in the Mocks editor");
  assert.equal(await countOfType("LambdaFunctionSucceeded"), 1);
});

test("no page errors", () => {
  assert.deepEqual(
    pageErrors.map((e) => String(e)),
    [],
  );
});
