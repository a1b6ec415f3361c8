//! The page's Tests panel: the Tests editor's test file (docs/TESTING.md) run with
//! `sfn-testing`, as `sfn-play test` runs it, against the editors' texts, and its results and
//! coverage made into plain data for the page.
//!
//! The page has no files, so what a test file names is taken from the editors: its
//! `stateMachine` is the definition in the editor, its `machines` are the workspace's other
//! state machines (by name), and a test file that gives no `mocks` uses the Mocks editor. An
//! `inputFile`, a mock file named by its file name or a template cannot be read: the case (or
//! the test file) says so. An empty Tests editor runs every Step Functions Local test case of
//! the Mocks editor instead, with the Input editor's input, each expected to succeed (as
//! `everyTestCase` does), those of the state machine in the editor when the file has some.
//!
//! Each case runs to its end within the engine's quotas (history events, payloads, the
//! execution's year), as a run on the page does, so a run of the tests always ends.

use std::collections::{BTreeSet, HashSet};

use serde_json::{Map, Value};
use sfn_engine::MockSet;
use sfn_playground_data::protocol::{
    CoverageCount, CoverageView, TestCaseView, TestFailureView, TestOutcome, TestResultsView,
    TestRunRequest,
};
use sfn_playground_data::workspace::{NamedMachine, DEFAULT_MACHINE_NAME};
use sfn_testing::coverage::{Count, Coverage, Item, Kind};
use sfn_testing::suite::{CaseInput, CaseSpec, Expectations, MachineSource, MockSource};
use sfn_testing::{prepare, Files, Outcome, Suite};

/// The name under which a test file's cases read the Mocks editor (in messages, too).
pub const MOCKS_EDITOR: &str = "the Mocks editor";

/// How a test file's `machines` entry reads the workspace's state machine `NAME`.
const MACHINE_PREFIX: &str = "the workspace's state machine ";

/// Runs the request's cases: their results and coverage, or why nothing could run.
pub fn run_tests(request: &TestRunRequest) -> TestResultsView {
    let from_mock_file = request.tests.trim().is_empty();
    let suite = if from_mock_file {
        mock_file_suite(request)
    } else {
        test_file_suite(request)
    };
    let mut results = TestResultsView {
        from_mock_file,
        ..TestResultsView::default()
    };
    let (suite, files) = match suite {
        Ok(suite) => suite,
        Err(problem) => {
            results.problem = Some(problem);
            return results;
        }
    };
    let prepared = match prepare(&suite, "Tests", &files) {
        Ok(prepared) => prepared,
        Err(problem) => {
            results.problem = Some(problem);
            return results;
        }
    };
    let labels = mock_test_case_labels(&request.mocks);
    let mut coverage = prepared.coverage();
    for case in &prepared.cases {
        let result = prepared.run_case(case, &files);
        coverage.hit.extend(result.hits.iter().cloned());
        let (outcome, failures, error) = match result.outcome {
            Outcome::Passed => (TestOutcome::Passed, Vec::new(), None),
            Outcome::Failed(failures) => (
                TestOutcome::Failed,
                failures
                    .into_iter()
                    .map(|f| TestFailureView {
                        expectation: f.expectation,
                        message: f.message,
                        diff: f.diff,
                    })
                    .collect(),
                None,
            ),
            Outcome::Error(message) => (TestOutcome::Error, Vec::new(), Some(message)),
        };
        let mocks = case.mocks();
        results.cases.push(TestCaseView {
            name: result.name,
            outcome,
            status: result.status,
            duration_ms: result.duration_ms,
            failures,
            error,
            input: case.input().map(pretty),
            test_case: mocks
                .filter(|(path, _)| *path == MOCKS_EDITOR)
                .and_then(|(_, test_case)| test_case)
                .and_then(|wanted| full_label(&labels, wanted)),
            own_mocks: mocks.is_some_and(|(path, _)| path != MOCKS_EDITOR),
        });
    }
    results.coverage = Some(coverage_view(&coverage));
    results
}

/// The Tests editor's test file, with what it names taken from the editors.
fn test_file_suite(request: &TestRunRequest) -> Result<(Suite, PageFiles), String> {
    let text = request.tests.trim_start_matches('\u{feff}');
    let mut value: Value = serde_json::from_str(text)
        .map_err(|e| format!("The test file is not valid JSON: {e} (see the Tests tab)"))?;
    // No `mocks`: the Mocks editor's (`null` says there are none).
    if let Value::Object(fields) = &mut value {
        if !fields.contains_key("mocks") && !request.mocks.trim().is_empty() {
            fields.insert("mocks".into(), Value::String(MOCKS_EDITOR.into()));
        }
    }
    let mut suite =
        Suite::from_value(&value).map_err(|e| format!("The test file is not valid: {e}"))?;
    let mut files = PageFiles::new(request);
    if suite.machines.is_empty() {
        // Every state machine of the workspace can be started, as in a run.
        suite.machines = request
            .machines
            .iter()
            .map(|m| (m.name.clone(), format!("{MACHINE_PREFIX}{}", m.name)))
            .collect();
    } else {
        for (name, path) in &mut suite.machines {
            files.machine_files.insert(path.clone());
            if request.machines.iter().any(|m| m.name == *name) {
                *path = format!("{MACHINE_PREFIX}{name}");
            }
        }
    }
    for case in &suite.cases {
        if let CaseInput::File(path) = &case.input {
            files.input_files.insert(path.clone());
        }
    }
    Ok((suite, files))
}

/// Every Step Functions Local test case of the Mocks editor, with the Input editor's input,
/// expected to succeed: those of the state machine in the editor when it has some, else all.
fn mock_file_suite(request: &TestRunRequest) -> Result<(Suite, PageFiles), String> {
    let none = || {
        "No tests to run: write a test file in the Tests tab (its format is in docs/TESTING.md), \
         or give the Mocks editor Step Functions Local test cases (StateMachines … TestCases), \
         which then run, each expected to succeed"
            .to_owned()
    };
    if request.mocks.trim().is_empty() {
        return Err(none());
    }
    let labels =
        MockSet::test_case_names(&request.mocks).map_err(|e| format!("Mocks: {}", e.message))?;
    let machine = if request.name.is_empty() {
        DEFAULT_MACHINE_NAME
    } else {
        &request.name
    };
    let own: Vec<&String> = labels
        .iter()
        .filter(|label| label.split_once('/').is_some_and(|(m, _)| m == machine))
        .collect();
    let picked: Vec<&String> = if own.is_empty() {
        labels.iter().collect()
    } else {
        own
    };
    if picked.is_empty() {
        return Err(none());
    }
    let input: Value = serde_json::from_str(&request.input)
        .map_err(|e| format!("Input: the input of the test cases is not valid JSON: {e}"))?;
    let cases = picked
        .into_iter()
        .map(|label| CaseSpec {
            name: label.clone(),
            input: CaseInput::Value(input.clone()),
            mocks: MockSource::File {
                path: MOCKS_EDITOR.into(),
                test_case: Some(label.clone()),
            },
            seed: None,
            expect: Expectations::default(),
        })
        .collect();
    let suite = Suite {
        state_machine: MachineSource::default(),
        machines: request
            .machines
            .iter()
            .map(|m| (m.name.clone(), format!("{MACHINE_PREFIX}{}", m.name)))
            .collect(),
        mocks: MockSource::None,
        seed: 0,
        start_time: None,
        input: Value::Object(Map::new()),
        cases,
        every_test_case: false,
    };
    Ok((suite, PageFiles::new(request)))
}

/// What a test file names, read from the editors.
struct PageFiles {
    definition: String,
    mocks: String,
    machines: Vec<NamedMachine>,
    /// The files the test file names as `inputFile` and in `machines` (for the messages).
    input_files: HashSet<String>,
    machine_files: HashSet<String>,
}

impl PageFiles {
    fn new(request: &TestRunRequest) -> PageFiles {
        PageFiles {
            definition: request.definition.clone(),
            mocks: request.mocks.clone(),
            machines: request.machines.clone(),
            input_files: HashSet::new(),
            machine_files: HashSet::new(),
        }
    }
}

impl Files for PageFiles {
    fn read(&self, path: &str) -> Result<String, String> {
        if path == MOCKS_EDITOR {
            return Ok(self.mocks.clone());
        }
        if let Some(name) = path.strip_prefix(MACHINE_PREFIX) {
            if let Some(machine) = self.machines.iter().find(|m| m.name == name) {
                return Ok(machine.definition.clone());
            }
        }
        Err(if self.input_files.contains(path) {
            format!(
                "inputFile '{path}' cannot be read on the page, which has no files: give the \
                 case its input inline (`input`)"
            )
        } else if self.machine_files.contains(path) {
            format!(
                "'{path}' cannot be read on the page, which has no files: on the page, \
                 `machines` names the workspace's state machines (the tabs above the editor)"
            )
        } else {
            format!(
                "the mock file '{path}' cannot be read on the page, which has no files: leave \
                 out the test file's `mocks` to use {MOCKS_EDITOR}, or write the mock file \
                 inline"
            )
        })
    }

    fn definition(&self, source: &MachineSource) -> Result<String, String> {
        match &source.template {
            Some(template) => Err(format!(
                "stateMachine: the template '{template}' cannot be read on the page, which \
                 tests the definition in the editor: give `stateMachine` a file name"
            )),
            None => Ok(self.definition.clone()),
        }
    }
}

/// The mock file's test cases (`MACHINE/CASE`), none when it has none or is not valid.
fn mock_test_case_labels(mocks: &str) -> Vec<String> {
    if mocks.trim().is_empty() {
        return Vec::new();
    }
    MockSet::test_case_names(mocks).unwrap_or_default()
}

/// The test case `wanted` (`CASE` or `MACHINE/CASE`) as the Mocks tab's picker names it.
fn full_label(labels: &[String], wanted: &str) -> Option<String> {
    let suffix = format!("/{wanted}");
    labels
        .iter()
        .find(|label| *label == wanted)
        .or_else(|| labels.iter().find(|label| label.ends_with(&suffix)))
        .cloned()
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
}

fn count_view(count: Count) -> CoverageCount {
    CoverageCount {
        covered: u32::try_from(count.covered).unwrap_or(u32::MAX),
        total: u32::try_from(count.total).unwrap_or(u32::MAX),
        percent: (count.percent() * 10.0).round() / 10.0,
    }
}

/// The coverage as the page shows it: the counts, and what no case reached.
fn coverage_view(coverage: &Coverage) -> CoverageView {
    let uncovered_states = coverage
        .missed()
        .filter_map(|item| match item {
            Item::State(name) => Some(name.clone()),
            _ => None,
        })
        .collect();
    // An edge is grey when none of the transitions drawn on it was taken.
    let taken: HashSet<(&str, &str)> = coverage
        .items
        .iter()
        .filter(|item| coverage.is_covered(item))
        .filter_map(|item| Some((item.state(), item.target()?)))
        .collect();
    let uncovered_edges: BTreeSet<(String, String)> = coverage
        .missed()
        .filter_map(|item| Some((item.state(), item.target()?)))
        .filter(|edge| !taken.contains(edge))
        .map(|(from, to)| (from.to_owned(), to.to_owned()))
        .collect();
    CoverageView {
        states: count_view(coverage.count(Some(Kind::State))),
        transitions: count_view(coverage.count(Some(Kind::Transition))),
        retriers: count_view(coverage.count(Some(Kind::Retrier))),
        total: count_view(coverage.count(None)),
        uncovered_states,
        uncovered_edges: uncovered_edges.into_iter().collect(),
        missed: coverage.missed().map(Item::label).collect(),
    }
}
