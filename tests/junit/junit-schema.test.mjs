// `sfn-play test --junit`: the report validates against the JUnit XML schema CI tools read
// (tests/junit/junit.xsd), and says what the run found. `make junit` builds sfn-play first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(join(root, 'editor', 'package.json'));
const { validateXML } = require('xmllint-wasm');
const schema = readFileSync(join(root, 'tests', 'junit', 'junit.xsd'), 'utf8');
const sfnPlay = join(root, 'target', 'debug', 'sfn-play');

async function validate(xml) {
  return validateXML({ xml: [{ fileName: 'report.xml', contents: xml }], schema: [schema] });
}

function junitOf(folders) {
  const out = join(root, 'target', 'junit');
  mkdirSync(out, { recursive: true });
  const file = join(out, 'report.xml');
  const cases = join(root, 'tests', 'sfn-play-test');
  let code = 0;
  try {
    execFileSync(sfnPlay, ['test', ...folders.map((f) => join(cases, f)), '--junit', file], {
      stdio: 'pipe',
    });
  } catch (error) {
    code = error.status;
  }
  return { code, xml: readFileSync(file, 'utf8') };
}

test('a report of passing, failing and erroring cases is valid JUnit XML', async () => {
  const { code, xml } = junitOf(['passing', 'failing', 'bad-files']);
  assert.equal(code, 1, 'failures exit 1');
  const result = await validate(xml);
  assert.deepEqual(result.errors, [], 'no schema errors');
  assert.equal(result.valid, true);
  const top = xml.match(/<testsuites [^>]*>/)[0];
  // passing: 8 cases; failing: 9 (8 fail); bad-files: 2 cases (1 error) and a file error.
  assert.match(top, /tests="20"/);
  assert.match(top, /failures="8"/);
  assert.match(top, /errors="2"/);
  assert.match(xml, /<failure message="output: differs from what was expected/);
  assert.match(xml, /-   &quot;total&quot;: 45,\n\+   &quot;total&quot;: 40,/);
  assert.match(xml, /<error message="cases\[0\]\.expect: unknown field &apos;stauts&apos;/);
});

test('the schema rejects what CI tools would not read', async () => {
  const result = await validate(
    '<?xml version="1.0"?><testsuites><testsuite tests="x"><testcase/></testsuite></testsuites>',
  );
  assert.equal(result.valid, false);
  assert.ok(result.errors.length >= 2, JSON.stringify(result.errors));
});
