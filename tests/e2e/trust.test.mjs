// End-to-end test of what lets a user trust the page (issue 15), on the release build in
// Chromium (see harness.mjs):
// - stale screens: a broken definition leaves the last valid graph dimmed and labelled; the
//   results of a run are marked "earlier definition" once the definition is edited, until the
//   next run;
// - no work lost: an example replacing the user's own work keeps it, and "Your own work" in
//   the Example menu brings it back; the menu follows the text;
// - colours as the console's: States.Runtime at a state fails that state (not left in
//   progress); a task waiting for its retry is in progress, not failed;
// - a fan-out: each Map iteration picked by index in the inspector.
// Screenshots go to target/e2e/.
//
// Run: node --test tests/e2e/   (after the release build; DIST_DIR overrides dist/)

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";

import { startPlayground, stopPlayground, open, setEditor, editorText, status, waitForStatus, run, shots } from "./harness.mjs";

let playground;
let baseUrl;
let page;
/** Uncaught page errors and dialogs. */
const errors = [];

before(async () => {
  playground = await startPlayground(errors);
  ({ baseUrl, page } = playground);
});

after(() => stopPlayground(playground, errors));

async function nodeStatus(state) {
  return page.locator(`g.sfn-state[data-state="${state}"]`).getAttribute("data-status");
}

async function visible(testId) {
  return (await page.getByTestId(testId).count()) > 0;
}

const TWO_PASSES = JSON.stringify({
  StartAt: "Load",
  States: {
    Load: { Type: "Pass", Next: "Save" },
    Save: { Type: "Pass", InputPath: "$.missing", End: true },
  },
});

test("States.Runtime at Save fails Save; an edit marks the results as of an earlier definition", async () => {
  await setEditor(page, "definition-editor", TWO_PASSES);
  await setEditor(page, "input-editor", "{}");
  await run(page, "instant");
  await waitForStatus(page, "FAILED");
  assert.equal(await nodeStatus("Load"), "succeeded");
  assert.equal(await nodeStatus("Save"), "failed", "the failing state is red, not left in progress");
  assert.equal(await visible("history-earlier"), false);

  // Editing the definition marks the run's results; the next run clears the mark.
  await setEditor(page, "definition-editor", TWO_PASSES.replace('"$.missing"', '"$"'));
  await page.getByTestId("history-earlier").waitFor();
  assert.ok(await visible("status-earlier"));
  assert.ok(await visible("graph-earlier"));
  await page.screenshot({ path: path.join(shots, "trust-earlier-definition.png") });
  await run(page, "instant");
  await waitForStatus(page, "SUCCEEDED");
  assert.equal(await visible("history-earlier"), false);
  assert.equal(await visible("graph-earlier"), false);
});

test("a broken definition leaves the last valid graph dimmed and labelled", async () => {
  await setEditor(page, "definition-editor", TWO_PASSES.slice(0, -5));
  await page.getByTestId("graph-stale").waitFor();
  assert.match(await page.getByTestId("graph-stale").textContent(), /Last valid definition/);
  assert.equal(await page.locator("g.sfn-state[data-state=Save]").count(), 1, "the last valid graph stays");
  await page.screenshot({ path: path.join(shots, "trust-last-valid-graph.png") });
  await setEditor(page, "definition-editor", TWO_PASSES);
  await page.getByTestId("graph-stale").waitFor({ state: "detached" });
});

test("an example keeps the user's own work, which the Example menu brings back", async () => {
  const own = JSON.stringify({ StartAt: "Mine", States: { Mine: { Type: "Succeed" } } });
  await setEditor(page, "definition-editor", own);
  assert.equal(await page.getByTestId("example").inputValue(), "own", "edited work is the user's own");
  await page.getByTestId("example").selectOption("tutorial");
  await page.waitForFunction(() => document.querySelector("[data-testid=run-problems]")?.textContent.includes("Your own work is kept"));
  assert.equal(await page.getByTestId("example").inputValue(), "tutorial");
  assert.ok((await editorText(page, "definition-editor")).includes("Call API"));
  assert.ok(await page.getByTestId("scenario-429").count(), "the tutorial's scenarios");

  await page.getByTestId("example").selectOption("own");
  await page.waitForFunction(() =>
    document.querySelector("[data-testid=definition-editor] .cm-content")?.textContent.includes("Mine"),
  );
  assert.equal(await page.getByTestId("example").inputValue(), "own");
  assert.equal(await page.getByTestId("scenario-429").count(), 0, "no scenarios of another example");

  // Kept across a reload too.
  await page.getByTestId("example").selectOption("tutorial");
  await page.waitForTimeout(600);
  await open(page, baseUrl);
  await page.getByTestId("example").selectOption("own");
  await page.waitForFunction(() =>
    document.querySelector("[data-testid=definition-editor] .cm-content")?.textContent.includes("Mine"),
  );
});

test("a task waiting for its retry is in progress, not failed", async () => {
  await setEditor(
    page,
    "definition-editor",
    JSON.stringify({
      StartAt: "Call",
      States: {
        Call: {
          Type: "Task",
          Resource: "arn:aws:lambda:us-east-1:123456789012:function:Flaky",
          Retry: [{ ErrorEquals: ["States.ALL"], IntervalSeconds: 30, MaxAttempts: 1 }],
          End: true,
        },
      },
    }),
  );
  await setEditor(page, "mocks-editor", JSON.stringify({ Functions: { Flaky: [{ throw: { error: "Busy", cause: "try later" } }] } }));
  await setEditor(page, "input-editor", "{}");
  // Real time: the back-off of 30 s is long enough to look at.
  await run(page, "1");
  await page.waitForFunction(() =>
    Array.from(document.querySelectorAll(".history-row")).some((r) => r.dataset.eventType === "LambdaFunctionFailed"),
  );
  assert.equal(await status(page), "RUNNING");
  assert.equal(await nodeStatus("Call"), "in-progress", "waiting for the retry");
  await page.getByTestId("stop").click();
  await waitForStatus(page, "ABORTED", 2_000);
  assert.equal(await nodeStatus("Call"), "cancelled");
});

test("each Map iteration is picked by index in the inspector", async () => {
  await setEditor(
    page,
    "definition-editor",
    JSON.stringify({
      StartAt: "Each",
      States: {
        Each: {
          Type: "Map",
          ItemsPath: "$.items",
          End: true,
          ItemProcessor: {
            StartAt: "Check",
            States: {
              Check: { Type: "Choice", Choices: [{ Variable: "$", NumericEquals: 2, Next: "Bad" }], Default: "Good" },
              Good: { Type: "Pass", End: true },
              Bad: { Type: "Fail", Error: "Two", Cause: "no twos" },
            },
          },
        },
      },
    }),
  );
  await setEditor(page, "mocks-editor", "");
  await setEditor(page, "input-editor", '{"items": [1, 2, 3]}');
  await run(page, "instant");
  await waitForStatus(page, "FAILED");
  await page.locator('g.sfn-state[data-state="Each"]').click();
  await page.getByTestId("inspector-children").waitFor();
  assert.match(await page.getByTestId("children-summary").textContent(), /iterations started/);
  await page.getByTestId("first-failed").click();
  assert.equal((await page.getByTestId("child-status").textContent()).trim(), "FAILED");
  assert.equal((await page.getByTestId("child-input").textContent()).trim(), "2");
  assert.equal(await nodeStatus("Bad"), "failed");
  assert.equal(await nodeStatus("Good"), "not-run", "the graph shows iteration 1 alone");
  await page.screenshot({ path: path.join(shots, "trust-map-iteration.png") });
});

test("branches read left to right; the graph can take the whole column", async () => {
  await setEditor(
    page,
    "definition-editor",
    JSON.stringify({
      StartAt: "P",
      States: {
        P: {
          Type: "Parallel",
          End: true,
          Branches: ["One", "Two", "Three"].map((name) => ({ StartAt: name, States: { [name]: { Type: "Pass", End: true } } })),
        },
      },
    }),
  );
  await page.locator('g.sfn-state[data-state="Three"]').waitFor();
  const x = async (name) => (await page.locator(`g.sfn-state[data-state="${name}"] rect`).boundingBox()).x;
  assert.ok((await x("One")) < (await x("Two")) && (await x("Two")) < (await x("Three")), "definition order");

  const graphHeight = async () => (await page.getByTestId("graph-slot").boundingBox()).height;
  const before = await graphHeight();
  assert.ok(before >= 400, `the graph gets room by default at 1440x900: ${before} px`);
  await page.getByTestId("graph-maximise").click();
  assert.ok((await graphHeight()) > before + 200, "maximised");
  assert.equal(await page.locator(".history").isVisible(), false);
  await page.getByTestId("graph-maximise").click();
  assert.ok(await page.locator(".history").isVisible());
});

test("at 1024 and 800 px wide nothing is cut off and the page never scrolls sideways", async () => {
  for (const width of [1024, 800, 390]) {
    await page.setViewportSize({ width, height: 800 });
    await page.waitForTimeout(200);
    const overflow = await page.evaluate(() => document.scrollingElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${width} px: ${overflow} px of sideways scroll`);
    for (const id of ["run", "stop", "share", "format", "export-history"]) {
      const box = await page.getByTestId(id).boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= width, `${width} px: ${id} on screen (${JSON.stringify(box)})`);
    }
    await page.screenshot({ path: path.join(shots, `trust-${width}px.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1440, height: 900 });
});

test("the inspector speaks the state's query language: JSONata's Arguments and Assign, a Choice's rule", async () => {
  await setEditor(
    page,
    "definition-editor",
    JSON.stringify({
      StartAt: "Price",
      States: {
        Price: {
          Type: "Task",
          QueryLanguage: "JSONata",
          Resource: "arn:aws:lambda:us-east-1:123456789012:function:Price",
          Arguments: { item: "{% $states.input.item %}" },
          Assign: { price: "{% $states.result %}" },
          Output: "{% $states.result %}",
          Next: "Check",
        },
        Check: {
          Type: "Choice",
          Choices: [{ Variable: "$", NumericGreaterThan: 100, Next: "Dear" }],
          Default: "Cheap",
        },
        Dear: { Type: "Succeed" },
        Cheap: { Type: "Succeed" },
      },
    }),
  );
  await setEditor(page, "mocks-editor", JSON.stringify({ Functions: { Price: [{ return: 250 }] } }));
  await setEditor(page, "input-editor", '{"item": "SOFA"}');
  await run(page, "instant");
  await waitForStatus(page, "SUCCEEDED");
  const stages = async () =>
    (await page.locator(".inspector .stage summary").allTextContents()).map((t) => t.replace(/ - not reached.*/, "").trim());

  await page.locator('g.sfn-state[data-state="Price"]').click();
  assert.deepEqual(await stages(), ["Input", "Arguments", "Result", "Output", "Assign"]);
  assert.ok((await page.locator(".inspector").textContent()).includes('"item": "SOFA"'));

  await page.locator('g.sfn-state[data-state="Check"]').click();
  assert.deepEqual(await stages(), ["Input", "After InputPath", "Matched rule", "Output", "Variables in scope"]);
  assert.ok((await page.locator(".inspector").textContent()).includes('Choices #1 matched: next state "Dear"'));
  await page.screenshot({ path: path.join(shots, "trust-inspector-choice.png") });
});
