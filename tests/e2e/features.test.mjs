// End-to-end test of the AWS features of issue 14 on the page, one example each, on the
// release build in Chromium (see harness.mjs):
// - a Distributed Map over a CSV in the mocked S3, in batches, each batch a child execution
//   whose history opens from the menu, and the ResultWriter's files in "S3 written";
// - an approval step with a task token: the run waits for the user, who answers it;
// - a parent starting a child state machine of the workspace (its second tab) with .sync:2,
//   the child opened from the parent's event;
// - a failure fixed in the mocks and redriven.
// Screenshots go to target/e2e/.
//
// Run: node --test tests/e2e/   (after the release build; DIST_DIR overrides dist/)

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";

import { startPlayground, stopPlayground, setEditor, status, waitForStatus, run, shots } from "./harness.mjs";

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

/** How many events of the run's history have this type (the history lists only the rows in
 * view, so this asks its type filter). */
async function count(type) {
  const filter = page.getByLabel("Filter by type");
  const options = await filter.locator("option").evaluateAll((os) => os.map((o) => o.value));
  if (!options.includes(type)) return 0;
  await filter.selectOption(type);
  const text = await page.getByTestId("event-count").textContent();
  await filter.selectOption("");
  const match = text.match(/^([\d,]+) of/);
  return match ? Number(match[1].replace(/,/g, "")) : Number(text.match(/^([\d,]+)/)[1].replace(/,/g, ""));
}

test("a Distributed Map over a CSV in S3: batches as child executions, results written to S3", async () => {
  await example("distributed-map", "orders");
  await run(page, "instant");
  await waitForStatus(page, "SUCCEEDED");
  assert.equal(await count("MapRunStarted"), 1);
  assert.equal(await count("MapRunSucceeded"), 1);

  // Six orders in batches of two: three child executions.
  const menu = page.getByTestId("child-executions");
  assert.equal(await menu.locator("option").count(), 1 + 3);
  const second = await menu.locator("option").nth(2).getAttribute("value");
  await menu.selectOption(second);
  await page.getByTestId("child-history").waitFor();
  assert.equal(await page.getByTestId("child-status").textContent(), "SUCCEEDED");
  const childTypes = await page.locator(".child-history .history-row").evaluateAll((rows) => rows.map((r) => r.dataset.eventType));
  assert.equal(childTypes[0], "ExecutionStarted");
  assert.equal(childTypes.at(-1), "ExecutionSucceeded");
  await page.screenshot({ path: path.join(shots, "features-map-run-child.png") });
  await page.getByTestId("child-back").click();
  await page.locator(".history .history-row").first().waitFor();

  // The ResultWriter's manifest and results in the mocked S3.
  await page.getByTestId("tab-s3").click();
  const written = await page.getByTestId("s3-object").allTextContents();
  assert.ok(written.some((t) => t.includes("manifest.json")), written.join("\n"));
  assert.ok(written.some((t) => t.includes("SUCCEEDED_0.json")), written.join("\n"));
  await page.screenshot({ path: path.join(shots, "features-s3-written.png") });
});

test("an approval with a task token waits for the user, who answers it", async () => {
  await example("callback", "large-order");
  await run(page, "instant");
  await waitForStatus(page, "WAITING FOR A TASK TOKEN");
  const task = page.getByTestId("waiting-task");
  assert.equal(await task.getAttribute("data-state"), "Request Approval");
  const token = await page.getByTestId("task-token").inputValue();
  assert.match(token, /\S{16,}/, "the token is shown");
  await page.screenshot({ path: path.join(shots, "features-waiting-for-token.png") });

  await page.getByTestId("task-output").fill('{"approver": "dana"}');
  await page.getByTestId("send-success").click();
  await waitForStatus(page, "SUCCEEDED");
  assert.equal(await count("TaskSucceeded"), 1);
  assert.match(await page.getByTestId("status-detail").textContent(), /dana/);

  // Rejected: SendTaskFailure's error is caught.
  await run(page, "instant");
  await waitForStatus(page, "WAITING FOR A TASK TOKEN");
  await page.getByTestId("task-error").fill("Rejected");
  await page.getByTestId("task-cause").fill("Too expensive");
  await page.getByTestId("send-failure").click();
  await waitForStatus(page, "FAILED");
  assert.match(await page.getByTestId("status-detail").textContent(), /OrderRejected/);

  // Nobody answers: Run while it waits lets the time pass to the heartbeat timeout (an hour
  // on the simulated clock), which the catcher sends to Approval Expired.
  await run(page, "instant");
  await waitForStatus(page, "WAITING FOR A TASK TOKEN");
  await page.getByTestId("run").click();
  await waitForStatus(page, "FAILED");
  assert.match(await page.getByTestId("status-detail").textContent(), /ApprovalExpired/);
  assert.equal(await count("TaskTimedOut"), 1);
  assert.equal(await page.getByTestId("waiting-task").count(), 0, "nothing waits any more");
});

test("a parent starts the child state machine of its second tab with .sync:2", async () => {
  await example("child-execution", "paid");
  const tabs = await page.getByTestId("machine-tabs").locator("button[role=tab]").allTextContents();
  assert.deepEqual(tabs, ["PlaceOrder", "ChargePayment"]);
  await run(page, "instant");
  await waitForStatus(page, "SUCCEEDED");
  await page.getByTestId("open-child").first().click();
  await page.getByTestId("child-history").waitFor();
  assert.equal(await page.getByTestId("child-name").textContent(), "charge-order-42");
  assert.equal(await page.getByTestId("child-status").textContent(), "SUCCEEDED");
  await page.screenshot({ path: path.join(shots, "features-child-execution.png") });
  await page.getByTestId("child-back").click();

  // The child's tab holds its definition.
  await page.getByTestId("machine-tabs").getByText("ChargePayment").click();
  await page.locator("g.sfn-state[data-state='Charge Card']").waitFor();
  await page.getByTestId("machine-tabs").getByText("PlaceOrder").click();
  await page.locator("g.sfn-state[data-state='Charge Payment']").waitFor();
});

test("a failure fixed in the mocks and redriven goes on from the failed state", async () => {
  await example("redrive", "service-down");
  await run(page, "instant");
  await waitForStatus(page, "FAILED");
  await page.getByTestId("redrive").waitFor();
  const fixed = {
    Functions: {
      ReserveStock: [{ return: { reservationId: "res-1" }, durationSeconds: 1 }],
      ChargeCard: [{ return: { paymentId: "pay-7" }, durationSeconds: 1 }],
    },
  };
  await setEditor(page, "mocks-editor", JSON.stringify(fixed, null, 2));
  await page.getByTestId("redrive").click();
  await waitForStatus(page, "SUCCEEDED");
  assert.equal(await count("ExecutionRedriven"), 1);
  assert.equal(await count("ExecutionFailed"), 1, "the first attempt's failure stays in the history");
  // Reserve Stock ran once, before the failure: the redrive went on from Charge Card.
  assert.equal(await count("TaskStateExited"), 2, "Reserve Stock, then Charge Card after the redrive");
  await page.screenshot({ path: path.join(shots, "features-redriven.png") });
  assert.equal(await page.getByTestId("redrive").count(), 0, "a succeeded run cannot be redriven");
  assert.equal(await status(page), "SUCCEEDED");
});

test("a mock file of several Step Functions Local test cases runs the one picked", async () => {
  await setEditor(
    page,
    "definition-editor",
    JSON.stringify({
      StartAt: "Call",
      States: { Call: { Type: "Task", Resource: "arn:aws:lambda:us-east-1:123456789012:function:Greeter", End: true } },
    }),
  );
  await setEditor(page, "input-editor", "{}");
  await setEditor(
    page,
    "mocks-editor",
    JSON.stringify({
      StateMachines: { Greet: { TestCases: { Happy: { Call: "Hello" }, Sad: { Call: "Oops" } } } },
      MockedResponses: {
        Hello: { 0: { Return: "hello" } },
        Oops: { 0: { Throw: { Error: "Sad", Cause: "oops" } } },
      },
    }),
  );
  const picker = page.getByTestId("mock-test-case");
  await picker.waitFor();
  assert.deepEqual(await picker.locator("option").allTextContents(), ["Greet/Happy", "Greet/Sad"]);
  assert.equal(await page.getByTestId("mocks-problems").locator("li").count(), 0, "several test cases are no problem");
  await run(page, "instant");
  await waitForStatus(page, "SUCCEEDED");
  await picker.selectOption("Greet/Sad");
  await run(page, "instant");
  await waitForStatus(page, "FAILED");
  assert.match(await page.getByTestId("status-detail").textContent(), /Sad/);
});
