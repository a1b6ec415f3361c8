//! The test file: which state machine, its mocks, and the cases with what each expects.
//!
//! A test file is JSON or YAML (the caller reads YAML into the same value):
//!
//! ```yaml
//! stateMachine: tutorial.asl.json      # or {template: t.yaml, logicalId: Id, substitutions: {...}}
//! mocks: mocks.json                    # for every case: a file, {file, testCase}, or inline
//! cases:
//!   - name: a 200 succeeds
//!     input: {statuscode: "200"}
//!     expect:
//!       status: SUCCEEDED
//!       output: The request has succeeded.
//!       path: [Call API, OK]
//! ```
//!
//! Every field is checked: an unknown one is an error naming it, so a typo in an expectation
//! never silently expects nothing.

use serde_json::{Map, Value};

/// A problem with the test file, at a place in it (`cases[2].expect.status`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuiteError {
    pub at: String,
    pub message: String,
}

impl std::fmt::Display for SuiteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.at.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.at, self.message)
        }
    }
}

fn error(at: &str, message: impl Into<String>) -> SuiteError {
    SuiteError {
        at: at.to_string(),
        message: message.into(),
    }
}

/// A test file, read.
#[derive(Debug, Clone, PartialEq)]
pub struct Suite {
    pub state_machine: MachineSource,
    /// `machines`: the other state machines of the workspace (`states:startExecution` runs
    /// them as child executions), by name: a file each.
    pub machines: Vec<(String, String)>,
    /// `mocks`: the mocks of every case that names none of its own.
    pub mocks: MockSource,
    /// `seed`: drives retry jitter, States.UUID and States.MathRandom.
    pub seed: u64,
    /// `startTime`: the simulated start, ISO 8601 with a zone.
    pub start_time: Option<String>,
    /// `input`: the input of every case that gives none (default `{}`), and of the test cases
    /// `everyTestCase` runs.
    pub input: Value,
    pub cases: Vec<CaseSpec>,
    /// `everyTestCase: true`: also runs each Step Functions Local test case of the suite's mock
    /// file that no case names, with no expectation but the default (SUCCEEDED).
    pub every_test_case: bool,
}

/// Where the state machine comes from: a definition file (JSON or YAML) or a template.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MachineSource {
    /// `file`: a definition (`.asl.json`, `.asl.yaml`); a string `stateMachine` is this.
    pub file: Option<String>,
    /// `template`: a CloudFormation, SAM or CDK (`cdk.out`) template.
    pub template: Option<String>,
    /// `logicalId`: which state machine of the template (needed when it has several).
    pub logical_id: Option<String>,
    /// `substitutions`: `${...}` DefinitionSubstitutions, by name.
    pub substitutions: Vec<(String, String)>,
    /// `fakeArns`: plausible fake ARNs for the substitutions nobody gave.
    pub fake_arns: bool,
}

impl MachineSource {
    /// How a report names it: its file, or `template#LogicalId`.
    pub fn label(&self) -> String {
        match (&self.file, &self.template, &self.logical_id) {
            (Some(file), _, _) => file.clone(),
            (None, Some(template), Some(id)) => format!("{template}#{id}"),
            (None, Some(template), None) => template.clone(),
            (None, None, _) => String::new(),
        }
    }
}

/// The mocks of a case.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum MockSource {
    /// No mocks (a definition without Task states, or one whose calls are all mocked
    /// elsewhere).
    #[default]
    None,
    /// A mock file, and which of its Step Functions Local test cases to use.
    File {
        path: String,
        test_case: Option<String>,
    },
    /// The mock file's content, written in the test file, and which of its test cases to use.
    Inline {
        mocks: Value,
        test_case: Option<String>,
    },
}

/// One case.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseSpec {
    pub name: String,
    pub input: CaseInput,
    pub mocks: MockSource,
    pub seed: Option<u64>,
    pub expect: Expectations,
}

#[derive(Debug, Clone, PartialEq)]
pub enum CaseInput {
    Value(Value),
    /// `inputFile`: a JSON file, relative to the test file.
    File(String),
}

/// What a case expects; each field that is given is checked.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Expectations {
    /// `status`: SUCCEEDED, FAILED, TIMED_OUT or ABORTED.
    pub status: Option<String>,
    /// `output`: the execution's output, exactly.
    pub output: Option<Value>,
    /// `outputContains`: a JSON subset of the output (objects may have more fields).
    pub output_contains: Option<Value>,
    pub error: Option<String>,
    pub cause: Option<String>,
    /// `causeContains`: text the cause contains.
    pub cause_contains: Option<String>,
    /// `path`: the states entered at the top level, in order.
    pub path: Option<Vec<String>>,
    /// `states`: what a state saw on one of its visits.
    pub states: Vec<StateExpectation>,
    /// `variables`: the workflow variables at the end, exactly.
    pub variables: Option<Value>,
    /// `variablesContain`: a JSON subset of the variables at the end.
    pub variables_contain: Option<Value>,
    /// `durationSeconds`: from start to end on the simulated clock.
    pub duration_seconds: Option<f64>,
}

impl Expectations {
    /// Whether the case expects nothing (it is then expected to succeed).
    pub fn is_empty(&self) -> bool {
        *self == Expectations::default()
    }
}

/// What one visit of a state saw.
#[derive(Debug, Clone, PartialEq)]
pub struct StateExpectation {
    pub state: String,
    /// `visit`: which visit, from 1 (default); `-1` the last.
    pub visit: i64,
    pub input: Option<Value>,
    pub input_contains: Option<Value>,
    pub output: Option<Value>,
    pub output_contains: Option<Value>,
    /// `attempts`: how many times the task ran on that visit (1 + its retries).
    pub attempts: Option<u64>,
    /// `error`: the error the visit ended with (caught or not).
    pub error: Option<String>,
}

/// Reads an object's fields one by one and rejects the ones nobody read.
struct Fields<'a> {
    at: String,
    object: &'a Map<String, Value>,
    known: &'static [&'static str],
}

impl<'a> Fields<'a> {
    fn new(at: &str, value: &'a Value, known: &'static [&'static str]) -> Result<Self, SuiteError> {
        let object = value
            .as_object()
            .ok_or_else(|| error(at, format!("expected an object, not {}", type_name(value))))?;
        if let Some(unknown) = object.keys().find(|k| !known.contains(&k.as_str())) {
            return Err(error(
                at,
                format!(
                    "unknown field '{unknown}' (known fields: {})",
                    known.join(", ")
                ),
            ));
        }
        Ok(Fields {
            at: at.to_string(),
            object,
            known,
        })
    }

    fn at(&self, name: &str) -> String {
        if self.at.is_empty() {
            name.to_string()
        } else {
            format!("{}.{name}", self.at)
        }
    }

    fn get(&self, name: &str) -> Option<&'a Value> {
        debug_assert!(self.known.contains(&name), "{name} is not a known field");
        self.object.get(name)
    }

    fn string(&self, name: &str) -> Result<Option<String>, SuiteError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text.clone())),
            Some(other) => Err(error(
                &self.at(name),
                format!("expected a string, not {}", type_name(other)),
            )),
        }
    }

    fn boolean(&self, name: &str) -> Result<bool, SuiteError> {
        match self.get(name) {
            None => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(other) => Err(error(
                &self.at(name),
                format!("expected true or false, not {}", type_name(other)),
            )),
        }
    }

    fn unsigned(&self, name: &str) -> Result<Option<u64>, SuiteError> {
        match self.get(name) {
            None => Ok(None),
            Some(value) => value.as_u64().map(Some).ok_or_else(|| {
                error(
                    &self.at(name),
                    format!("expected a whole number of 0 or more, not {value}"),
                )
            }),
        }
    }
}

use sfn_engine::definition::json::described_type as type_name;

const SUITE_FIELDS: &[&str] = &[
    "stateMachine",
    "machines",
    "mocks",
    "seed",
    "startTime",
    "input",
    "cases",
    "everyTestCase",
];
const MACHINE_FIELDS: &[&str] = &["file", "template", "logicalId", "substitutions", "fakeArns"];
const MOCK_FIELDS: &[&str] = &["file", "testCase", "inline"];
const CASE_FIELDS: &[&str] = &[
    "name",
    "input",
    "inputFile",
    "mocks",
    "testCase",
    "seed",
    "expect",
];
const EXPECT_FIELDS: &[&str] = &[
    "status",
    "output",
    "outputContains",
    "error",
    "cause",
    "causeContains",
    "path",
    "states",
    "variables",
    "variablesContain",
    "durationSeconds",
];
const STATE_FIELDS: &[&str] = &[
    "state",
    "visit",
    "input",
    "inputContains",
    "output",
    "outputContains",
    "attempts",
    "error",
];

/// The statuses an execution ends with.
pub const STATUSES: [&str; 4] = ["SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"];

impl Suite {
    /// Reads a test file's content.
    pub fn from_value(value: &Value) -> Result<Suite, SuiteError> {
        let fields = Fields::new("", value, SUITE_FIELDS)?;
        let state_machine = match fields.get("stateMachine") {
            None => {
                return Err(error(
                    "stateMachine",
                    "missing: which state machine to test",
                ))
            }
            Some(Value::String(file)) => MachineSource {
                file: Some(file.clone()),
                ..MachineSource::default()
            },
            Some(other) => read_machine(other)?,
        };
        let machines = match fields.get("machines") {
            None => Vec::new(),
            Some(value) => {
                let object = value.as_object().ok_or_else(|| {
                    error(
                        "machines",
                        "expected an object of definition files by state machine name",
                    )
                })?;
                object
                    .iter()
                    .map(|(name, file)| match file {
                        Value::String(file) => Ok((name.clone(), file.clone())),
                        other => Err(error(
                            &format!("machines.{name}"),
                            format!("expected a file name, not {}", type_name(other)),
                        )),
                    })
                    .collect::<Result<_, _>>()?
            }
        };
        let mocks = match fields.get("mocks") {
            None => MockSource::None,
            Some(value) => read_mocks("mocks", value)?,
        };
        let seed = fields.unsigned("seed")?.unwrap_or(0);
        let start_time = fields.string("startTime")?;
        let every_test_case = fields.boolean("everyTestCase")?;
        let input = fields
            .get("input")
            .cloned()
            .unwrap_or_else(|| Value::Object(Map::new()));
        let cases = match fields.get("cases") {
            None => Vec::new(),
            Some(Value::Array(cases)) => cases
                .iter()
                .enumerate()
                .map(|(index, case)| read_case(&format!("cases[{index}]"), case, &mocks, &input))
                .collect::<Result<Vec<_>, _>>()?,
            Some(other) => {
                return Err(error(
                    "cases",
                    format!("expected an array of cases, not {}", type_name(other)),
                ))
            }
        };
        if cases.is_empty() && !every_test_case {
            return Err(error(
                "cases",
                "the test file has no cases (list them under `cases`, or run every test case of \
                 the mock file with `everyTestCase: true`)",
            ));
        }
        if every_test_case && !matches!(mocks, MockSource::File { .. } | MockSource::Inline { .. })
        {
            return Err(error(
                "everyTestCase",
                "needs the suite's `mocks`: the Step Functions Local mock file whose test cases \
                 run",
            ));
        }
        let mut names = std::collections::HashSet::new();
        for (index, case) in cases.iter().enumerate() {
            if !names.insert(case.name.as_str()) {
                return Err(error(
                    &format!("cases[{index}].name"),
                    format!("'{}' names two cases", case.name),
                ));
            }
        }
        Ok(Suite {
            state_machine,
            machines,
            mocks,
            seed,
            start_time,
            input,
            cases,
            every_test_case,
        })
    }
}

fn read_machine(value: &Value) -> Result<MachineSource, SuiteError> {
    let fields = Fields::new("stateMachine", value, MACHINE_FIELDS)?;
    let substitutions = match fields.get("substitutions") {
        None => Vec::new(),
        Some(Value::Object(map)) => map
            .iter()
            .map(|(name, value)| {
                let text = match value {
                    Value::String(text) => text.clone(),
                    Value::Number(_) | Value::Bool(_) => value.to_string(),
                    other => {
                        return Err(error(
                            &format!("stateMachine.substitutions.{name}"),
                            format!("expected a string, not {}", type_name(other)),
                        ))
                    }
                };
                Ok((name.clone(), text))
            })
            .collect::<Result<_, _>>()?,
        Some(other) => {
            return Err(error(
                "stateMachine.substitutions",
                format!(
                    "expected an object of values by name, not {}",
                    type_name(other)
                ),
            ))
        }
    };
    let source = MachineSource {
        file: fields.string("file")?,
        template: fields.string("template")?,
        logical_id: fields.string("logicalId")?,
        substitutions,
        fake_arns: fields.boolean("fakeArns")?,
    };
    match (&source.file, &source.template) {
        (Some(_), Some(_)) => Err(error(
            "stateMachine",
            "give either `file` (a definition) or `template`, not both",
        )),
        (None, None) => Err(error(
            "stateMachine",
            "missing `file` (a definition) or `template` (a CloudFormation or SAM template)",
        )),
        (Some(_), None) if source.logical_id.is_some() => Err(error(
            "stateMachine.logicalId",
            "names a state machine of a `template`, and there is none",
        )),
        _ => Ok(source),
    }
}

fn read_mocks(at: &str, value: &Value) -> Result<MockSource, SuiteError> {
    match value {
        Value::Null => Ok(MockSource::None),
        Value::String(path) => Ok(MockSource::File {
            path: path.clone(),
            test_case: None,
        }),
        Value::Object(object) if object.contains_key("file") || object.contains_key("inline") => {
            let fields = Fields::new(at, value, MOCK_FIELDS)?;
            match (fields.string("file")?, fields.get("inline")) {
                (Some(path), None) => Ok(MockSource::File {
                    path,
                    test_case: fields.string("testCase")?,
                }),
                (None, Some(inline)) => Ok(MockSource::Inline {
                    mocks: inline.clone(),
                    test_case: fields.string("testCase")?,
                }),
                _ => Err(error(at, "give either `file` or `inline`, not both")),
            }
        }
        // The mock file itself, written in the test file.
        Value::Object(_) => Ok(MockSource::Inline {
            mocks: value.clone(),
            test_case: None,
        }),
        other => Err(error(
            at,
            format!(
                "expected a mock file's name, an object with `file` (and `testCase`), or the \
                 mocks themselves, not {}",
                type_name(other)
            ),
        )),
    }
}

fn read_case(
    at: &str,
    value: &Value,
    suite_mocks: &MockSource,
    suite_input: &Value,
) -> Result<CaseSpec, SuiteError> {
    let fields = Fields::new(at, value, CASE_FIELDS)?;
    let test_case = fields.string("testCase")?;
    let name = match (fields.string("name")?, &test_case) {
        (Some(name), _) => name,
        (None, Some(test_case)) => test_case.clone(),
        (None, None) => return Err(error(&fields.at("name"), "missing: every case has a name")),
    };
    let input = match (fields.get("input"), fields.string("inputFile")?) {
        (Some(_), Some(_)) => {
            return Err(error(at, "give either `input` or `inputFile`, not both"));
        }
        (Some(value), None) => CaseInput::Value(value.clone()),
        (None, Some(file)) => CaseInput::File(file),
        (None, None) => CaseInput::Value(suite_input.clone()),
    };
    let mocks = match fields.get("mocks") {
        Some(value) => read_mocks(&fields.at("mocks"), value)?,
        None => suite_mocks.clone(),
    };
    // `testCase` picks a test case of the case's mock file (the suite's, unless it has its own).
    let mocks = match (test_case, mocks) {
        (None, mocks) => mocks,
        (
            Some(wanted),
            MockSource::File {
                path,
                test_case: None,
            },
        ) => MockSource::File {
            path,
            test_case: Some(wanted),
        },
        (
            Some(wanted),
            MockSource::Inline {
                mocks,
                test_case: None,
            },
        ) => MockSource::Inline {
            mocks,
            test_case: Some(wanted),
        },
        (Some(_), MockSource::File { .. } | MockSource::Inline { .. }) => {
            return Err(error(
                &fields.at("testCase"),
                "the case's mocks already name a test case",
            ))
        }
        (Some(_), MockSource::None) => {
            return Err(error(
                &fields.at("testCase"),
                "names a Step Functions Local test case, and the case has no mock file (give \
                 the suite or the case `mocks`)",
            ))
        }
    };
    let expect = match fields.get("expect") {
        None => Expectations::default(),
        Some(value) => read_expectations(&fields.at("expect"), value)?,
    };
    Ok(CaseSpec {
        name,
        input,
        mocks,
        seed: fields.unsigned("seed")?,
        expect,
    })
}

fn read_expectations(at: &str, value: &Value) -> Result<Expectations, SuiteError> {
    let fields = Fields::new(at, value, EXPECT_FIELDS)?;
    let status = fields.string("status")?;
    if let Some(status) = &status {
        if !STATUSES.contains(&status.as_str()) {
            return Err(error(
                &fields.at("status"),
                format!(
                    "'{status}' is not a status an execution ends with ({})",
                    STATUSES.join(", ")
                ),
            ));
        }
    }
    let path = match fields.get("path") {
        None => None,
        Some(Value::Array(names)) => Some(
            names
                .iter()
                .enumerate()
                .map(|(index, name)| {
                    name.as_str().map(str::to_string).ok_or_else(|| {
                        error(
                            &format!("{}[{index}]", fields.at("path")),
                            "expected a state's name",
                        )
                    })
                })
                .collect::<Result<_, _>>()?,
        ),
        Some(other) => {
            return Err(error(
                &fields.at("path"),
                format!("expected an array of state names, not {}", type_name(other)),
            ))
        }
    };
    let states = match fields.get("states") {
        None => Vec::new(),
        Some(Value::Array(states)) => states
            .iter()
            .enumerate()
            .map(|(index, state)| {
                read_state_expectation(&format!("{}[{index}]", fields.at("states")), state)
            })
            .collect::<Result<_, _>>()?,
        Some(other) => {
            return Err(error(
                &fields.at("states"),
                format!(
                    "expected an array of state expectations, not {}",
                    type_name(other)
                ),
            ))
        }
    };
    let duration_seconds = match fields.get("durationSeconds") {
        None => None,
        Some(value) => Some(value.as_f64().filter(|s| *s >= 0.0).ok_or_else(|| {
            error(
                &fields.at("durationSeconds"),
                format!("expected a number of seconds, not {value}"),
            )
        })?),
    };
    Ok(Expectations {
        status,
        output: fields.get("output").cloned(),
        output_contains: fields.get("outputContains").cloned(),
        error: fields.string("error")?,
        cause: fields.string("cause")?,
        cause_contains: fields.string("causeContains")?,
        path,
        states,
        variables: fields.get("variables").cloned(),
        variables_contain: fields.get("variablesContain").cloned(),
        duration_seconds,
    })
}

fn read_state_expectation(at: &str, value: &Value) -> Result<StateExpectation, SuiteError> {
    let fields = Fields::new(at, value, STATE_FIELDS)?;
    let state = fields
        .string("state")?
        .ok_or_else(|| error(&fields.at("state"), "missing: which state"))?;
    let visit = match fields.get("visit") {
        None => 1,
        Some(value) => value
            .as_i64()
            .filter(|visit| *visit >= 1 || *visit == -1)
            .ok_or_else(|| {
                error(
                    &fields.at("visit"),
                    format!("expected 1 or more (the n-th visit), or -1 (the last), not {value}"),
                )
            })?,
    };
    let expectation = StateExpectation {
        state,
        visit,
        input: fields.get("input").cloned(),
        input_contains: fields.get("inputContains").cloned(),
        output: fields.get("output").cloned(),
        output_contains: fields.get("outputContains").cloned(),
        attempts: fields.unsigned("attempts")?,
        error: fields.string("error")?,
    };
    if expectation.input.is_none()
        && expectation.input_contains.is_none()
        && expectation.output.is_none()
        && expectation.output_contains.is_none()
        && expectation.attempts.is_none()
        && expectation.error.is_none()
    {
        return Err(error(
            at,
            "expects nothing of the state: give input, inputContains, output, outputContains, \
             attempts or error",
        ));
    }
    Ok(expectation)
}
