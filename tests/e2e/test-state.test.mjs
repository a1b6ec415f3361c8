// End-to-end test of "Test this state" (AWS's TestState, run by the engine in its worker) on
// the release build in Chromium (see harness.mjs): the tutorial run, its Call API state tested
// from the inspector with a mocked error (RETRIABLE, then CAUGHT_ERROR once the retrier has
// made its retries), a mocked result (SUCCEEDED, nextState OK), invalid JSON input (the error
// under the input); a Pass state; the Map example's Map state with a mocked result (its
// iterations' results: SUCCEEDED, its ItemsPath and ItemSelector stages shown) and a mocked
// error (caught), a Context object that is not JSON (the error under it), and the Task inside
// the Map.
// Screenshots go to target/e2e/.
//
// Run: node --test tests/e2e/test-state.test.mjs   (after `make web-build`; DIST_DIR overrides dist/)

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";

import { startPlayground, stopPlayground, waitForStatus, run, shots } from "./harness.mjs";

let playground;
let page;
/** Uncaught page errors and dialogs. */
const errors = [];

before(async () => {
  playground = await startPlayground(errors);
  ({ page } = playground);
});

after(() => stopPlayground(playground, errors));

async function example(id, scenario) {
  await page.getByTestId("example").selectOption(id);
  await page.getByTestId("tab-input").click();
  await page.getByTestId(`scenario-${scenario}`).click();
}

/** Opens the inspector on `state`'s latest visit, then its test. */
async function openTest(state) {
  await page.locator(`g.sfn-state[data-state="${state}"]`).click();
  assert.equal((await page.getByTestId("inspector-state").textContent()).trim(), state);
  await page.getByTestId("test-state-open").click();
  await page.getByTestId("test-state").waitFor();
  assert.equal((await page.getByTestId("test-state-name").textContent()).trim(), state);
}

/** Presses Test and waits for TestState's answer: its status, or null for a refusal. */
async function testIt() {
  const dialog = page.getByTestId("test-state");
  const answers = "[data-testid=test-state-status], [data-testid=test-state-error]";
  // The previous answer is marked, so that only the new one is waited for (each answer is
  // drawn afresh).
  await dialog.locator(answers).evaluateAll((els) => els.forEach((el) => (el.dataset.stale = "1")));
  await page.getByTestId("test-state-run").click();
  const fresh = "[data-testid=test-state-status]:not([data-stale]), [data-testid=test-state-error]:not([data-stale])";
  await dialog.locator(fresh).first().waitFor();
  const status = dialog.getByTestId("test-state-status");
  return (await status.count()) ? (await status.textContent()).trim() : null;
}

async function closeTest() {
  await page.getByTestId("test-state-close").click();
  await page.getByTestId("test-state").waitFor({ state: "detached" });
}

test("the tutorial's Call API, tested with a mocked error, a mocked result and invalid input", async () => {
  await example("tutorial", "429");
  await run(page, "instant");
  await waitForStatus(page, "SUCCEEDED");
  await openTest("Call API");
  const dialog = page.getByTestId("test-state");

  // The form starts from the visit: Call API's last input (after Change to 200), pretty.
  assert.equal(await dialog.getByTestId("test-state-input").inputValue(), '{\n  "statuscode": "200"\n}');
  assert.equal(await dialog.getByTestId("test-state-variables").inputValue(), "");
  // A Task takes a mock: the result it got in the run to start with.
  assert.equal(await dialog.getByTestId("test-state-mock-result").inputValue(), '"200 OK"');

  // A throttled call whose retrier has made no retry yet: RETRIABLE.
  await dialog.getByTestId("test-state-mock-error-choice").check();
  await dialog.getByTestId("test-state-mock-error").fill("TooManyRequestsException");
  await dialog.getByTestId("test-state-mock-cause").fill("429 Too Many Requests");
  await dialog.getByTestId("test-state-retry-count").fill("0");
  assert.equal(await testIt(), "RETRIABLE");
  assert.equal((await dialog.getByTestId("test-state-answer-error").textContent()).trim(), "TooManyRequestsException");
  assert.equal((await dialog.getByTestId("test-state-answer-cause").textContent()).trim(), "429 Too Many Requests");
  assert.equal(await dialog.getByTestId("test-state-next").count(), 0, "no nextState while retrying");
  const inspection = JSON.parse(await dialog.getByTestId("test-state-inspection").textContent());
  assert.deepEqual(inspection.errorDetails, { retryBackoffIntervalSeconds: 1, retryIndex: 0 });
  assert.deepEqual(inspection.input, { statuscode: "200" });
  await page.screenshot({ path: path.join(shots, "test-state-retriable.png") });

  // The retrier (MaxAttempts 2) has made its retries: the first catcher takes the error.
  await dialog.getByTestId("test-state-retry-count").fill("2");
  assert.equal(await testIt(), "CAUGHT_ERROR");
  assert.equal((await dialog.getByTestId("test-state-next").textContent()).trim(), "Wait and Try Later");

  // The mocked result: SUCCEEDED, on to OK.
  await dialog.getByTestId("test-state-mock-result-choice").check();
  assert.equal(await testIt(), "SUCCEEDED");
  assert.equal((await dialog.getByTestId("test-state-next").textContent()).trim(), "OK");
  assert.equal((await dialog.getByTestId("test-state-output").textContent()).trim(), '"200 OK"');
  const aws = JSON.parse(await dialog.getByTestId("test-state-aws").textContent());
  assert.equal(aws.status, "SUCCEEDED");
  assert.equal(aws.output, '"200 OK"', "AWS's response has the output as JSON text");
  await page.screenshot({ path: path.join(shots, "test-state-succeeded.png") });

  // Invalid JSON input: refused, the error under the input, and no status.
  await dialog.getByTestId("test-state-input").fill('{"statuscode": ');
  assert.equal(await testIt(), null);
  const problem = dialog.getByTestId("test-state-error");
  assert.match(await problem.textContent(), /^The input is not valid JSON: EOF while parsing/);
  const under = await problem.evaluate((p) => p.previousElementSibling?.querySelector("textarea")?.dataset.testid);
  assert.equal(under, "test-state-input", "the error sits under the input");
  await page.screenshot({ path: path.join(shots, "test-state-invalid-input.png") });

  // Escape closes the test.
  await page.keyboard.press("Escape");
  await page.getByTestId("test-state").waitFor({ state: "detached" });
});

test("a Pass state needs no mock; it goes on to its Next", async () => {
  // The dialog has the focus when it opens: Escape closes it at once.
  await openTest("Change to 200");
  await page.keyboard.press("Escape");
  await page.getByTestId("test-state").waitFor({ state: "detached" });
  await openTest("Change to 200");
  const dialog = page.getByTestId("test-state");
  assert.equal(await dialog.getByTestId("test-state-mock").count(), 0, "no mock for a Pass state");
  assert.equal(await testIt(), "SUCCEEDED");
  assert.equal((await dialog.getByTestId("test-state-next").textContent()).trim(), "Call API");
  assert.deepEqual(JSON.parse(await dialog.getByTestId("test-state-output").textContent()), { statuscode: "200" });
  await closeTest();
});

test("a Map state is tested with its mocked result or error; the Task inside it alone", async () => {
  await example("map", "in-stock");
  await run(page, "instant");
  await waitForStatus(page, "SUCCEEDED");

  await openTest("Check Items");
  const map = page.getByTestId("test-state");
  // A Map takes a mock, the array of its iterations' results: the run's to start with.
  const seeded = JSON.parse(await map.getByTestId("test-state-mock-result").inputValue());
  assert.ok(Array.isArray(seeded) && seeded.length === 3, "the Map's result in the run");
  const lines = [
    { sku: "BOOK-1", warehouse: "east" },
    { sku: "MUG-2", warehouse: "east" },
    { sku: "LAMP-3", warehouse: "west" },
  ];
  await map.getByTestId("test-state-mock-result").fill(JSON.stringify(lines));
  assert.equal(await testIt(), "SUCCEEDED");
  assert.equal((await map.getByTestId("test-state-next").textContent()).trim(), "Summarize");
  const output = JSON.parse(await map.getByTestId("test-state-output").textContent());
  assert.deepEqual(output.lines, lines, "the mock is the Map's result, placed at its ResultPath");
  assert.equal(output.orderId, "order-1001");
  const inspection = JSON.parse(await map.getByTestId("test-state-inspection").textContent());
  assert.deepEqual(inspection.afterItemsPath.map((i) => i.sku), ["BOOK-1", "MUG-2", "LAMP-3"]);
  assert.deepEqual(inspection.afterItemSelector[1], { line: 1, sku: "MUG-2", quantity: 2 });
  assert.equal(inspection.maxConcurrency, 2);
  assert.deepEqual(inspection.result, lines);
  await page.screenshot({ path: path.join(shots, "test-state-map.png") });

  // An iteration out of stock: the Map fails with it, and its catcher takes it.
  await map.getByTestId("test-state-mock-error-choice").check();
  await map.getByTestId("test-state-mock-error").fill("OutOfStock");
  await map.getByTestId("test-state-mock-cause").fill("LAMP-3");
  assert.equal(await testIt(), "CAUGHT_ERROR");
  assert.equal((await map.getByTestId("test-state-next").textContent()).trim(), "Reject Order");
  assert.deepEqual(JSON.parse(await map.getByTestId("test-state-output").textContent()).problem, {
    Error: "OutOfStock",
    Cause: "LAMP-3",
  });

  // A Context object that is not JSON: the error under it.
  await map.getByTestId("test-state-context").fill('{"Execution": ');
  assert.equal(await testIt(), null);
  const problem = map.getByTestId("test-state-error");
  assert.match(await problem.textContent(), /^The Context object is not valid JSON/);
  const under = await problem.evaluate((p) => p.previousElementSibling?.querySelector("textarea")?.dataset.testid);
  assert.equal(under, "test-state-context", "the error sits under the Context object");
  await closeTest();

  await openTest("Check Stock");
  const dialog = page.getByTestId("test-state");
  await dialog.getByTestId("test-state-mock-result").fill('{"sku": "LAMP-1", "warehouse": "north", "extra": true}');
  assert.equal(await testIt(), "SUCCEEDED");
  assert.deepEqual(JSON.parse(await dialog.getByTestId("test-state-output").textContent()), { sku: "LAMP-1", warehouse: "north" });
  assert.equal(await dialog.getByTestId("test-state-next").count(), 0, "the End of its item processor");
  await closeTest();
});
