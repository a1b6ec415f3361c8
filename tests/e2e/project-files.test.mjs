// End-to-end test of project files opened on the page (the definition editor's Import…), on
// the release build in Chromium (see harness.mjs): a SAM template in YAML whose state machine
// comes back as ASL JSON in the editor and runs; a YAML definition whose ${...} placeholders
// are asked for, then given fake ARNs; a template with two state machines opened as two tabs;
// files the page cannot open, each refused with the reason while the editor keeps its text.
// The engine's worker reads the files; the page only places what it answers.
//
// Run: node --test tests/e2e/project-files.test.mjs   (after `make web-build`; DIST_DIR overrides dist/)

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";

import { startPlayground, stopPlayground, editorText, waitForStatus, run, root, shots } from "./harness.mjs";

let playground;
let page;
/** Uncaught page errors and dialogs. */
const errors = [];

before(async () => {
  playground = await startPlayground(errors);
  ({ page } = playground);
  // The engine has loaded (its first check answered).
  await page.waitForFunction(
    () => document.querySelector("[data-testid=diagnostic-count]")?.textContent.trim() !== "Loading the engine…",
  );
});

after(() => stopPlayground(playground, errors));

/** Opens `text` as the file `name` through the definition editor's Import. */
async function importFile(name, text) {
  await page.getByTestId("import-definition").setInputFiles({
    name,
    mimeType: "application/octet-stream",
    buffer: Buffer.from(text),
  });
}

async function definition() {
  return editorText(page, "definition-editor");
}

/** Waits until the definition editor's text includes `part`, and returns the text parsed. */
async function definitionWith(part) {
  await page.waitForFunction(
    (want) => document.querySelector("[data-testid=definition-editor] .cm-content")?.textContent.includes(want),
    part,
  );
  return JSON.parse(await definition());
}

async function tabs() {
  return page.getByTestId("machine-tabs").locator("button[role=tab]").allTextContents();
}

/** The page's messages (the status bar's list), once there is one including `part`. */
async function message(part) {
  await page.waitForFunction(
    (want) => document.querySelector("[data-testid=run-problems]")?.textContent.includes(want),
    part,
  );
  return (await page.getByTestId("run-problems").textContent()).trim();
}

const SAM_TEMPLATE = `AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  PriceFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
  OrderStateMachine:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionSubstitutions:
        PriceFunctionArn: !GetAtt PriceFunction.Arn
        Stage: prod
      Definition:
        StartAt: Price
        States:
          Price:
            Type: Task
            Resource: \${PriceFunctionArn}
            Next: Label
          Label:
            Type: Pass
            Parameters:
              stage: \${Stage}
              price.$: $
            End: true
`;

test("a SAM template in YAML opens as ASL JSON in the editor, and runs", async () => {
  await importFile("template.yaml", await readFile(path.join(root, "tests/sfn-play-test/template/template.yaml"), "utf8"));
  let asl = await definitionWith("PriceFunction");
  assert.equal(asl.States.Price.Resource, "arn:aws:lambda:us-east-1:123456789012:function:PriceFunction");
  assert.match(await message("Opened OrderStateMachine from template.yaml"), /Opened OrderStateMachine from template\.yaml/);

  await importFile("order.yaml", SAM_TEMPLATE);
  asl = await definitionWith('"prod"');
  assert.deepEqual(asl, {
    StartAt: "Price",
    States: {
      Price: { Type: "Task", Resource: "arn:aws:lambda:us-east-1:123456789012:function:PriceFunction", Next: "Label" },
      Label: { Type: "Pass", Parameters: { stage: "prod", "price.$": "$" }, End: true },
    },
  });
  // The tab takes the template's logical id (its fake ARN's name).
  assert.deepEqual(await tabs(), ["OrderStateMachine"]);
  await page.waitForFunction(() => document.querySelector("[data-testid=diagnostic-count]")?.textContent.trim() === "No problems");
  await run(page, "instant");
  await waitForStatus(page, "SUCCEEDED");
  await page.screenshot({ path: path.join(shots, "project-files-sam.png") });
});

test("placeholders without a value are asked for, or given fake ARNs", async () => {
  const yaml = "StartAt: Call\nStates:\n  Call:\n    Type: Task\n    Resource: ${ProcessFunction}\n    Parameters:\n      greeting: ${Greeting}\n    End: true\n";
  await importFile("process.asl.yml", yaml);
  const form = page.getByTestId("project-import");
  await form.waitFor();
  assert.equal(await page.getByTestId("sub-ProcessFunction").count(), 1);
  await page.getByTestId("sub-Greeting").fill("hello");
  await page.screenshot({ path: path.join(shots, "project-files-substitutions.png") });
  // One value given: only the other is asked for again (the value typed is kept for the next
  // reading).
  await page.getByTestId("import-apply").click();
  await page.waitForFunction(() => !document.querySelector("[data-testid=sub-Greeting]") && document.querySelector("[data-testid=sub-ProcessFunction]"));
  await page.getByTestId("import-fake-arns").click();
  const asl = await definitionWith("hello");
  assert.equal(asl.States.Call.Resource, "arn:aws:lambda:us-east-1:123456789012:function:ProcessFunction");
  assert.equal(asl.States.Call.Parameters.greeting, "hello");
  assert.match(
    await message("is a fake"),
    /Opened process\.asl\.yml\. · \$\{ProcessFunction\} is a fake: arn:aws:lambda:us-east-1:123456789012:function:ProcessFunction/,
  );
  assert.equal(await form.count(), 0, "the form is gone");
});

test("a template with two state machines opens as two tabs", async () => {
  const template = await readFile(path.join(root, "crates/engine/tests/data/sources/two-machines/template.yaml"), "utf8");
  await importFile("two.template", template);
  await page.getByTestId("project-import").waitFor();
  assert.deepEqual(await page.getByTestId("import-main").locator("option").allTextContents(), ["First", "Second"]);
  await page.getByTestId("import-main").selectOption({ label: "Second" });
  await page.screenshot({ path: path.join(shots, "project-files-choice.png") });
  await page.getByTestId("import-open-tabs").click();
  const asl = await definitionWith('"B"');
  assert.equal(asl.StartAt, "B");
  assert.deepEqual(await tabs(), ["First", "Second"]);
  // The other tab holds the other state machine.
  await page.getByTestId("machine-tabs").getByText("First").click();
  assert.equal((await definitionWith('"A"')).StartAt, "A");
  await page.screenshot({ path: path.join(shots, "project-files-two-machines.png") });
});

test("files the page cannot open are refused with the reason, and the editor keeps its text", async () => {
  const before = await definition();
  const cases = [
    ["broken.yaml", "StartAt: A\nStates:\n  A: {Type: Pass, End: true\n", /Could not import broken\.yaml: it is not JSON or YAML \(.+ at line \d+ column \d+\)\. The Definition editor keeps its text\./],
    ["broken.json", '{"StartAt": "A",\n "States": {,}}', /Could not import broken\.json: it is not JSON \(key must be a string at line 2 column 13\)\. The Definition editor keeps its text\./],
    ["lambda.yaml", "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n", /Could not import lambda\.yaml: the template has no state machine\./],
    [
      "sam.yaml",
      "Resources:\n  M:\n    Type: AWS::Serverless::StateMachine\n    Properties:\n      DefinitionUri: statemachine/m.asl.json\n",
      /Could not import sam\.yaml: M's definition is in the file statemachine\/m\.asl\.json \(DefinitionUri\), which the page cannot open from the template: open that file instead\./,
    ],
    ["empty.json", "  \n", /Could not import empty\.json: it is empty\. The Definition editor keeps its text\./],
  ];
  for (const [name, text, expected] of cases) {
    await importFile(name, text);
    assert.match(await message(`Could not import ${name}`), expected);
    assert.equal(await definition(), before, name);
  }
  await page.screenshot({ path: path.join(shots, "project-files-refused.png") });
});
