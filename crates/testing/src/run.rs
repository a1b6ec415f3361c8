//! Preparing a suite (reading what its test file names) and running its cases.
//!
//! Preparing reads files through [`Files`], so the same runner serves the CLI (the file system,
//! YAML and templates) and the page (the workspace's texts). A prepared suite holds only plain
//! data, so its cases can run on as many threads as the caller likes: each case parses its
//! own definition and mocks.

use std::collections::BTreeSet;

use serde_json::{Map, Value};
use sfn_engine::execution::{run_to_end, RunBounds, RunEnd, StateTrace, Workspace};
use sfn_engine::time::{parse_aws_timestamp, Millis};
use sfn_engine::{parse_definition, Execution, ExecutionOptions, ExecutionStatus, MockSet};

use crate::coverage::{hits_of, Coverage, Item};
use crate::expect::{check, Failure, Observed};
use crate::suite::{CaseInput, CaseSpec, Expectations, MachineSource, MockSource, Suite};

/// What the runner reads, relative to the test file.
pub trait Files: Sync {
    /// A file the test file names (an input, a mock file, a definition of `machines`).
    fn read(&self, path: &str) -> Result<String, String>;
    /// The state machine's definition as JSON text (the CLI reads YAML definitions and
    /// templates into it).
    fn definition(&self, source: &MachineSource) -> Result<String, String>;
    /// Completes a mock set read from the mock file `path` (the CLI reads the S3 objects it
    /// names by file); an inline mock file has the path "".
    fn complete_mocks(&self, _mocks: &mut MockSet, _path: &str) -> Result<(), String> {
        Ok(())
    }
}

/// A suite ready to run: every text read, the definition checked.
#[derive(Debug, Clone)]
pub struct PreparedSuite {
    /// The test file, as reports name it.
    pub label: String,
    /// The state machine, as the coverage report names it.
    pub machine_label: String,
    definition: String,
    machines: Vec<(String, String)>,
    pub cases: Vec<PreparedCase>,
    /// What there is to cover (the definition's items).
    pub items: Vec<Item>,
}

#[derive(Debug, Clone)]
pub struct PreparedCase {
    pub name: String,
    /// The input, or why it could not be read (reported as the case's error).
    input: Result<Value, String>,
    mocks: PreparedMocks,
    seed: u64,
    start_time: Option<Millis>,
    pub expect: Expectations,
}

impl PreparedCase {
    /// The case's execution input, when it could be read.
    pub fn input(&self) -> Option<&Value> {
        self.input.as_ref().ok()
    }

    /// The mock file the case reads (`""` for mocks written in the test file), and the Step
    /// Functions Local test case it picks; `None` when the case has no mocks.
    pub fn mocks(&self) -> Option<(&str, Option<&str>)> {
        match &self.mocks {
            PreparedMocks::None => None,
            PreparedMocks::Text {
                path, test_case, ..
            } => Some((path.as_str(), test_case.as_deref())),
        }
    }
}

#[derive(Debug, Clone)]
enum PreparedMocks {
    None,
    Text {
        /// The mock file's path ("" inline), for [`Files::complete_mocks`] and messages.
        path: String,
        text: Result<String, String>,
        test_case: Option<String>,
    },
}

/// How a case ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Passed,
    /// Ran, and some expectations were not met.
    Failed(Vec<Failure>),
    /// Could not run (its input or mocks could not be read).
    Error(String),
}

/// A case's result.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseResult {
    pub suite: String,
    pub name: String,
    pub outcome: Outcome,
    /// The execution's status (`RUNNING` when it waits for a token nobody answers).
    pub status: String,
    pub error: Option<String>,
    pub cause: Option<String>,
    /// From start to end on the simulated clock.
    pub duration_ms: u64,
    /// What the run exercised.
    pub hits: BTreeSet<Item>,
}

impl CaseResult {
    pub fn passed(&self) -> bool {
        self.outcome == Outcome::Passed
    }
}

/// Reads what a suite names. `label` is how reports name the test file.
pub fn prepare(suite: &Suite, label: &str, files: &dyn Files) -> Result<PreparedSuite, String> {
    let definition = files.definition(&suite.state_machine)?;
    let parsed = parse_definition(&definition);
    let errors: Vec<String> = parsed
        .diagnostics()
        .iter()
        .filter(|d| d.severity == sfn_engine::Severity::Error)
        .map(|d| format!("{}:{}: {}", d.line, d.column, d.message))
        .collect();
    let Some(machine) = parsed.into_machine() else {
        return Err(format!(
            "the state machine '{}' is invalid: {}",
            suite.state_machine.label(),
            errors.join("; ")
        ));
    };
    let items = crate::coverage::items_of(&machine);
    let mut machines = Vec::new();
    for (name, path) in &suite.machines {
        let text = files
            .read(path)
            .map_err(|e| format!("machines.{name}: {e}"))?;
        if parse_definition(&text).into_machine().is_none() {
            return Err(format!(
                "machines.{name}: the definition '{path}' is invalid"
            ));
        }
        machines.push((name.clone(), text));
    }
    let start_time = match &suite.start_time {
        None => None,
        Some(text) => Some(parse_aws_timestamp(text).ok_or_else(|| {
            format!("startTime: '{text}' is not an ISO-8601 date-time with a zone")
        })?),
    };
    let mut cases: Vec<PreparedCase> = suite
        .cases
        .iter()
        .map(|case| prepare_case(case, suite.seed, start_time, files))
        .collect();
    if suite.every_test_case {
        for (mocks, test_case) in unnamed_test_cases(suite, files)? {
            cases.push(PreparedCase {
                name: test_case.clone(),
                input: Ok(suite.input.clone()),
                mocks: prepare_mocks(&mocks, Some(test_case), files),
                seed: suite.seed,
                start_time,
                expect: Expectations::default(),
            });
        }
    }
    Ok(PreparedSuite {
        label: label.to_string(),
        machine_label: suite.state_machine.label(),
        definition,
        machines,
        cases,
        items,
    })
}

/// The Step Functions Local test cases of the suite's mock file that no case names.
fn unnamed_test_cases(
    suite: &Suite,
    files: &dyn Files,
) -> Result<Vec<(MockSource, String)>, String> {
    let text = match &suite.mocks {
        MockSource::File { path, .. } => files.read(path)?,
        MockSource::Inline { mocks, .. } => mocks.to_string(),
        MockSource::None => return Ok(Vec::new()),
    };
    let labels = MockSet::test_case_names(&text).map_err(|e| format!("mocks: {}", e.message))?;
    if labels.is_empty() {
        return Err(
            "everyTestCase: the mock file has no Step Functions Local test cases (StateMachines \
             ... TestCases)"
                .to_string(),
        );
    }
    let named: Vec<&str> = suite
        .cases
        .iter()
        .filter_map(|case| match &case.mocks {
            MockSource::File { test_case, .. } | MockSource::Inline { test_case, .. } => {
                test_case.as_deref()
            }
            MockSource::None => None,
        })
        .collect();
    Ok(labels
        .into_iter()
        .filter(|label| {
            !named
                .iter()
                .any(|name| label == name || label.ends_with(&format!("/{name}")))
        })
        .map(|label| (suite.mocks.clone(), label))
        .collect())
}

fn prepare_case(
    case: &CaseSpec,
    suite_seed: u64,
    start_time: Option<Millis>,
    files: &dyn Files,
) -> PreparedCase {
    let input = match &case.input {
        CaseInput::Value(value) => Ok(value.clone()),
        CaseInput::File(path) => files.read(path).and_then(|text| {
            serde_json::from_str(text.trim_start_matches('\u{feff}'))
                .map_err(|e| format!("inputFile '{path}' is not valid JSON: {e}"))
        }),
    };
    let test_case = match &case.mocks {
        MockSource::File { test_case, .. } | MockSource::Inline { test_case, .. } => {
            test_case.clone()
        }
        MockSource::None => None,
    };
    PreparedCase {
        name: case.name.clone(),
        input,
        mocks: prepare_mocks(&case.mocks, test_case, files),
        seed: case.seed.unwrap_or(suite_seed),
        start_time,
        expect: case.expect.clone(),
    }
}

fn prepare_mocks(
    source: &MockSource,
    test_case: Option<String>,
    files: &dyn Files,
) -> PreparedMocks {
    match source {
        MockSource::None => PreparedMocks::None,
        MockSource::File { path, .. } => PreparedMocks::Text {
            path: path.clone(),
            text: files.read(path),
            test_case,
        },
        MockSource::Inline { mocks, .. } => PreparedMocks::Text {
            path: String::new(),
            text: Ok(mocks.to_string()),
            test_case,
        },
    }
}

impl PreparedSuite {
    /// An empty coverage of the suite's state machine, for [`Coverage::hit`] to fill.
    pub fn coverage(&self) -> Coverage {
        Coverage {
            label: self.machine_label.clone(),
            items: self.items.clone(),
            hit: BTreeSet::new(),
        }
    }

    /// Runs one case. Each run is bounded by the engine's quotas (history events, payloads,
    /// the execution's year), so this always returns.
    pub fn run_case(&self, case: &PreparedCase, files: &dyn Files) -> CaseResult {
        let mut result = CaseResult {
            suite: self.label.clone(),
            name: case.name.clone(),
            outcome: Outcome::Passed,
            status: String::new(),
            error: None,
            cause: None,
            duration_ms: 0,
            hits: BTreeSet::new(),
        };
        match self.execute(case, files) {
            Ok((observed, hits)) => {
                result.status = observed.status.clone();
                result.error = observed.error.clone();
                result.cause = observed.cause.clone();
                result.duration_ms = observed.duration_ms;
                result.hits = hits;
                let failures = check(&case.expect, &observed);
                if !failures.is_empty() {
                    result.outcome = Outcome::Failed(failures);
                }
            }
            Err(message) => result.outcome = Outcome::Error(message),
        }
        result
    }

    fn execute(
        &self,
        case: &PreparedCase,
        files: &dyn Files,
    ) -> Result<(Observed, BTreeSet<Item>), String> {
        let input = case.input.clone()?;
        let machine = parse_definition(&self.definition)
            .into_machine()
            .ok_or("the definition is invalid")?;
        let coverage_machine = machine.clone();
        let mut workspace = Workspace::new();
        for (name, text) in &self.machines {
            let child = parse_definition(text)
                .into_machine()
                .ok_or_else(|| format!("machines.{name} is invalid"))?;
            workspace.insert(name.clone(), child);
        }
        let mocks = match &case.mocks {
            PreparedMocks::None => MockSet::default(),
            PreparedMocks::Text {
                path,
                text,
                test_case,
            } => {
                let name = if path.is_empty() {
                    "inline mocks"
                } else {
                    path
                };
                let text = text.clone()?;
                let mut mocks = MockSet::from_json_text(&text, test_case.as_deref())
                    .map_err(|e| format!("mock file '{name}': {}", e.message))?;
                files.complete_mocks(&mut mocks, path)?;
                mocks
            }
        };
        let mut options = ExecutionOptions {
            seed: case.seed,
            record_traces: true,
            keep_history: true,
            ..ExecutionOptions::default()
        };
        if let Some(start) = case.start_time {
            options.start_time = start;
        }
        let start = options.start_time;
        let mut execution =
            Execution::new(machine, input, mocks, options).with_workspace(workspace);
        let end = run_to_end(&mut execution, RunBounds::default());
        let (status, error, cause, output) = match execution.status() {
            ExecutionStatus::Succeeded { output } => (
                "SUCCEEDED".to_string(),
                None,
                None,
                Some((**output).clone()),
            ),
            ExecutionStatus::Failed { error, cause }
            | ExecutionStatus::TimedOut { error, cause } => (
                execution.status().name().to_string(),
                error.clone(),
                cause.clone(),
                None,
            ),
            ExecutionStatus::Aborted => ("ABORTED".to_string(), None, None, None),
            ExecutionStatus::Running => {
                let why = match end {
                    RunEnd::AwaitingAnswer { .. } => {
                        let waiting: Vec<String> = execution
                            .waiting_tasks()
                            .iter()
                            .map(|task| format!("'{}' ({})", task.state_name, task.resource))
                            .collect();
                        format!(
                            "the execution waits for a task token that no mock answers: {} \
                             (mock the state, or give its rule \"answer\": \"never\" to let it \
                             time out)",
                            waiting.join(", ")
                        )
                    }
                    other => format!("the execution did not end: {other}"),
                };
                return Err(why);
            }
        };
        let duration_ms = execution.history().last_time().map_or(0, |end| {
            u64::try_from(end.saturating_sub(start)).unwrap_or(0)
        });
        let traces = execution.traces();
        let hits = hits_of(&coverage_machine, traces);
        let observed = Observed {
            status,
            error,
            cause,
            output,
            path: top_level_path(traces),
            variables: final_variables(traces),
            traces: traces.to_vec(),
            duration_ms,
        };
        Ok((observed, hits))
    }
}

/// The states entered at the top level, in order.
fn top_level_path(traces: &[StateTrace]) -> Vec<String> {
    traces
        .iter()
        .filter(|trace| trace.child.is_none())
        .map(|trace| trace.state_name.clone())
        .collect()
}

/// The workflow variables when the execution ended: those the last top-level state saw, with
/// what its Assign set.
fn final_variables(traces: &[StateTrace]) -> Value {
    let mut variables = Map::new();
    if let Some(last) = traces.iter().rev().find(|trace| trace.child.is_none()) {
        if let Some(seen) = &last.variables {
            variables.extend(seen.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        if let Some(assigned) = &last.assigned {
            variables.extend(assigned.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
    }
    Value::Object(variables)
}
