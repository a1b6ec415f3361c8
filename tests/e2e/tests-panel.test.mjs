// End-to-end test of the Tests panel (beside the history) on the release build in Chromium (see
// harness.mjs): the tutorial's test file, loaded with the example, passes whole at 100%
// coverage, with the same cases and outcomes as `sfn-play test examples/tutorial`; a broken
// expectation fails with its diff shown; a case removed leaves a state greyed out by the
// Coverage toggle; "Use for Run" makes a case's input the one Run uses.
// Screenshots go to target/e2e/.
//
// Run: node --test tests/e2e/tests-panel.test.mjs   (after `make web-build` and `cargo build -p
// sfn-play`; DIST_DIR and SFN_PLAY override dist/ and target/debug/sfn-play)

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";

import { startPlayground, stopPlayground, setEditor, editorText, waitForStatus, run, shots, root } from "./harness.mjs";

let playground;
let page;
/** Uncaught page errors and dialogs. */
const errors = [];
/** The tutorial's test file as the page has it. */
let tutorialTests;

before(async () => {
  playground = await startPlayground(errors);
  ({ page } = playground);
  tutorialTests = JSON.parse(
    await readFile(path.join(root, "crates/playground-data/src/examples/tutorial/tests.json"), "utf8"),
  );
});

after(() => stopPlayground(playground, errors));

/**
 * The tab `id` above the history or the Tests panel (each has the pair in its toolbar, in place
 * of its heading: the one shown).
 */
function bottomTab(id) {
  return page.locator(`[data-testid=${id}]:visible`);
}

/** Presses Run all and waits for its results: the summary line. */
async function runAll() {
  await bottomTab("tab-tests-panel").click();
  const summary = page.getByTestId("tests-summary");
  await summary.evaluate((el) => (el.dataset.stale = "1"));
  // The summary is drawn afresh with each result; the button says Running… until then.
  await page.getByTestId("run-tests").click();
  await page.waitForFunction(
    () => {
      const button = document.querySelector("[data-testid=run-tests]");
      return button && !button.disabled && button.textContent.trim() === "Run all";
    },
    null,
    { timeout: 30_000 },
  );
  return (await summary.textContent()).trim();
}

/** Each case shown: [name, outcome]. */
async function cases() {
  return page
    .getByTestId("test-case")
    .evaluateAll((els) => els.map((el) => [el.dataset.name, el.dataset.outcome]));
}

async function setTests(suite) {
  await page.getByTestId("tab-tests").click();
  await setEditor(page, "tests-editor", JSON.stringify(suite, null, 2));
}

/** `sfn-play test examples/tutorial --json`'s report. */
function cliReport() {
  const binary = process.env.SFN_PLAY ?? path.join(root, "target", "debug", "sfn-play");
  assert.ok(existsSync(binary), `${binary} is missing: build it with cargo build -p sfn-play`);
  const text = execFileSync(binary, ["test", path.join(root, "examples", "tutorial"), "--json"], {
    encoding: "utf8",
  });
  return JSON.parse(text);
}

test("the tutorial's tests pass at 100% coverage, as sfn-play test reports them", async () => {
  // The tutorial is what a new user starts with, its test file in the Tests tab.
  await page.getByTestId("tab-tests").click();
  assert.match(await editorText(page, "tests-editor"), /"a 429 is retried, then tried again later"/);
  const summary = await runAll();
  assert.match(summary, /^4 passed, 0 failed · coverage 100% \(states 6\/6, /);
  const shown = await cases();
  const cli = cliReport();
  assert.deepEqual(
    shown,
    cli.cases.map((c) => [c.name, c.outcome]),
    "the same cases and outcomes as the CLI",
  );
  assert.equal(cli.coverage.total.percent, 100);
  // Each case with its status and simulated duration (the page's mocks answer at once).
  const heads = await page.getByTestId("test-case").allTextContents();
  assert.match(heads[1], /✓\s*a 429 is retried, then tried again later\s*\(SUCCEEDED, 4 s simulated\)/);
  assert.match(heads[2], /\(FAILED, 0 s simulated\)/);
  assert.equal(await page.getByTestId("test-diff").count(), 0);
  // The tab says every case passed.
  assert.match(await bottomTab("tab-tests-panel").textContent(), /✓/);
  await page.screenshot({ path: path.join(shots, "tests-panel-passed.png") });
});

test("a broken expectation fails, with its diff shown", async () => {
  const broken = structuredClone(tutorialTests);
  broken.cases[0].expect.output = "The request has failed.";
  await setTests(broken);
  const summary = await runAll();
  assert.match(summary, /^3 passed, 1 failed · coverage 100%/);
  const first = page.getByTestId("test-case").first();
  assert.equal(await first.getAttribute("data-outcome"), "failed");
  assert.match(await first.textContent(), /✗\s*a 200 succeeds at once/);
  assert.match(await first.textContent(), /output: /);
  const diff = first.getByTestId("test-diff");
  await diff.waitFor();
  assert.equal(await diff.textContent(), '- "The request has failed."\n+ "The request has succeeded."\n');
  // Preformatted, in the monospace font: each line of the diff on its own line.
  const style = await diff.evaluate((el) => [getComputedStyle(el).whiteSpace, getComputedStyle(el).fontFamily]);
  assert.equal(style[0], "pre");
  assert.match(style[1], /mono/i);
  await page.screenshot({ path: path.join(shots, "tests-panel-failed.png") });
});

test("the Coverage toggle greys out the state no case reaches", async () => {
  const fewer = structuredClone(tutorialTests);
  fewer.cases = fewer.cases.filter((c) => !c.name.includes("503"));
  await setTests(fewer);
  const summary = await runAll();
  assert.match(summary, /^3 passed, 0 failed · coverage (\d+(\.\d)?)% /);
  assert.ok(Number(summary.match(/coverage ([\d.]+)%/)[1]) < 100, summary);
  const serverUnavailable = page.locator('g.sfn-state[data-state="Server Unavailable"]');
  const callApi = page.locator('g.sfn-state[data-state="Call API"]');
  assert.doesNotMatch(await serverUnavailable.getAttribute("class"), /uncovered/, "off until toggled");
  await page.getByTestId("coverage-toggle").check();
  await page.waitForFunction(() =>
    document.querySelector('g.sfn-state[data-state="Server Unavailable"]')?.classList.contains("uncovered"),
  );
  assert.doesNotMatch(await callApi.getAttribute("class"), /uncovered/);
  // The catcher's edge to it, too.
  assert.equal(await page.locator("g.sfn-edge.uncovered").count(), 1);
  assert.match(await page.getByTestId("tests-missed").textContent(), /Call API → Server Unavailable \(Catch 2\)/);
  await page.screenshot({ path: path.join(shots, "tests-panel-coverage.png") });
  await page.getByTestId("coverage-toggle").uncheck();
  await page.waitForFunction(() => document.querySelectorAll(".uncovered").length === 0);
});

test("Use for Run makes a case's input the one Run uses", async () => {
  await setTests(tutorialTests);
  await runAll();
  const case429 = page.locator('[data-testid=test-case][data-name="a 429 is retried, then tried again later"]');
  await case429.getByTestId("use-for-run").click();
  await page.getByTestId("tab-input").click();
  assert.equal(await editorText(page, "input-editor"), '{\n  "statuscode": "429"\n}');
  await run(page, "instant");
  await waitForStatus(page, "SUCCEEDED");
  // The 429 path: caught, waited and tried again.
  assert.equal(
    await page.locator('g.sfn-state[data-state="Wait and Try Later"]').getAttribute("data-status"),
    "succeeded",
  );
  await bottomTab("tab-history").click();
  await page.getByTestId("history-scroll").waitFor();
});
