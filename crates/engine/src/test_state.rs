//! Running one state as AWS's TestState API does: a state (or a state of a definition by name),
//! an input, workflow variables, a Context object, a mocked result or error, the retrier's
//! attempt, and TestState's answer: status SUCCEEDED, FAILED, RETRIABLE or CAUGHT_ERROR,
//! output, error, cause, nextState and inspectionData.
//!
//! The state's semantics are the engine's own: the state is run through [`Execution`] in a
//! small state machine built around it (a Pass state that assigns the given variables first,
//! and a Succeed state in place of each state it may go to), and its [`StateTrace`] gives the
//! stages AWS's inspectionData reports.
//!
//! A Map or Parallel state is tested only with a mock (AWS's TestState reference: "TestState
//! only supports the following when a mock is specified: ... Parallel, or Map states"): the
//! mock is the state's result, what its iterations or branches would have returned together,
//! so the state runs as a Task whose call the mock answers, with the state's own InputPath,
//! Parameters or Arguments (Parallel), ResultSelector, ResultPath, OutputPath, Output, Assign,
//! Retry and Catch. A Map's own input stages (ItemsPath or Items, ItemSelector, ItemBatcher and
//! its numbers) are run first in the real Map, with its item processor passing each item
//! through, for inspectionData's `afterItemsPath`, `afterItemSelector`, `afterItemBatcher`,
//! `maxConcurrency`, `toleratedFailureCount` and `toleratedFailurePercentage`; an error there
//! is the state's error, as the iterations never start. `stateConfiguration.
//! mapIterationFailureCount` is weighed against a Distributed Map's tolerated failure
//! threshold as read there: above it, the Map fails with States.ExceedToleratedFailureThreshold.

use std::rc::Rc;

use serde_json::{json, Map, Value};

use crate::execution::{ErrorHandling, StateTrace};
use crate::{parse_definition, Execution, ExecutionOptions, ExecutionStatus, MockSet};

/// How much TestState tells about the state's data processing (AWS's `inspectionLevel`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InspectionLevel {
    /// The status, output and next state only (AWS's default).
    #[default]
    Info,
    /// Also each stage of the input and output processing.
    Debug,
    /// DEBUG plus an HTTP Task's request and response; no HTTP is sent here, so as DEBUG.
    Trace,
}

impl InspectionLevel {
    /// `INFO`, `DEBUG` or `TRACE`.
    pub fn parse(name: &str) -> Option<InspectionLevel> {
        match name {
            "INFO" => Some(InspectionLevel::Info),
            "DEBUG" => Some(InspectionLevel::Debug),
            "TRACE" => Some(InspectionLevel::Trace),
            _ => None,
        }
    }
}

/// TestState's `mock`: what the Task's service call answers.
#[derive(Debug, Clone, PartialEq)]
pub enum TestStateMock {
    /// `mock.result`: the call succeeds with this result.
    Result(Value),
    /// `mock.errorOutput`: the call fails with this error and cause.
    Error {
        error: String,
        cause: Option<String>,
    },
    /// Not AWS's: the answer a mock file (the text of one, as `sfn-play run --mocks` reads)
    /// gives the state's first call, by the state's name; `test_case` as
    /// [`MockSet::from_json_text`] takes it.
    File {
        text: String,
        test_case: Option<String>,
    },
}

/// A TestState request.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TestStateRequest {
    /// One state's definition, or a whole state machine's (then `state_name` picks the state).
    pub definition: Value,
    pub state_name: Option<String>,
    pub input: Value,
    /// The workflow variables the state sees.
    pub variables: Option<Map<String, Value>>,
    /// AWS's `context`, "a valid Context object for the state under test": what the state's
    /// `$$` (JSONata: `$states.context`) shows, merged object by object over the Context
    /// object the engine builds, so fields not given keep the engine's values. AWS allows it
    /// only with a mock.
    pub context: Option<Map<String, Value>>,
    pub mock: Option<TestStateMock>,
    /// `stateConfiguration.retrierRetryCount`: the retries already made by the retrier that
    /// takes the mocked error.
    pub retrier_retry_count: u64,
    /// `stateConfiguration.errorCausedByState`: "The name of the state from which an error
    /// originates when an error is mocked for a Map or Parallel state"; it must name a state
    /// of the Map's item processor or the Parallel's branches.
    pub error_caused_by_state: Option<String>,
    /// `stateConfiguration.mapIterationFailureCount`: "The number of Map state iterations that
    /// failed during the Map state invocation", weighed against the Map's
    /// ToleratedFailureCount and ToleratedFailurePercentage.
    pub map_iteration_failure_count: Option<u64>,
    pub inspection_level: InspectionLevel,
}

impl TestStateRequest {
    /// Reads a request in the shape of AWS's TestState request: `definition`, `stateName`,
    /// `input`, `variables`, `context`, `mock` (`result` or `errorOutput`, and
    /// `fieldValidationMode`), `stateConfiguration` (`retrierRetryCount`,
    /// `errorCausedByState`; also `retrierRetryCount` at the top level) and `inspectionLevel`.
    /// The JSON fields may be JSON text in strings, as AWS takes them, or JSON values.
    /// `roleArn` and `revealSecrets` are accepted and change nothing (no service is called);
    /// any other field is refused, naming it.
    pub fn from_aws_json(request: &Value) -> Result<TestStateRequest, TestStateError> {
        let Some(fields) = request.as_object() else {
            return Err(TestStateError::validation(
                "the request must be a JSON object",
            ));
        };
        if let Some(unknown) = fields
            .keys()
            .find(|k| !REQUEST_FIELDS.contains(&k.as_str()))
        {
            return Err(TestStateError::validation(format!(
                "unknown field '{unknown}' (TestState takes {})",
                REQUEST_FIELDS.join(", ")
            )));
        }
        let field = |name: &str| -> Result<Option<Value>, TestStateError> {
            match request.get(name) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(text)) if name != "stateName" => serde_json::from_str(text)
                    .map(Some)
                    .map_err(|e| TestStateError::validation(format!("{name}: not JSON: {e}"))),
                Some(value) => Ok(Some(value.clone())),
            }
        };
        let object = |name: &str| -> Result<Option<Map<String, Value>>, TestStateError> {
            match field(name)? {
                None => Ok(None),
                Some(Value::Object(map)) => Ok(Some(map)),
                Some(_) => Err(TestStateError::validation(format!(
                    "{name} must be a JSON object"
                ))),
            }
        };
        let variables = object("variables")?;
        let context = object("context")?;
        let mock = match request.get("mock") {
            None | Some(Value::Null) => None,
            Some(mock) => Some(mock_from_aws_json(mock)?),
        };
        let configuration = match request.get("stateConfiguration") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(map)) => map.clone(),
            Some(_) => {
                return Err(TestStateError::validation(
                    "stateConfiguration must be a JSON object",
                ))
            }
        };
        for name in configuration.keys() {
            match name.as_str() {
                "retrierRetryCount" | "errorCausedByState" | "mapIterationFailureCount" => {}
                "mapItemReaderData" => {
                    return Err(TestStateError::validation(format!(
                        "stateConfiguration.{name} is not implemented"
                    )))
                }
                other => {
                    return Err(TestStateError::validation(format!(
                        "unknown field 'stateConfiguration.{other}' (it takes retrierRetryCount, \
                         errorCausedByState, mapIterationFailureCount, mapItemReaderData)"
                    )))
                }
            }
        }
        let retrier_retry_count = configuration
            .get("retrierRetryCount")
            .or_else(|| request.get("retrierRetryCount"))
            .map(|n| {
                n.as_u64().ok_or_else(|| {
                    TestStateError::validation("retrierRetryCount must be an integer of 0 or more")
                })
            })
            .transpose()?
            .unwrap_or(0);
        let error_caused_by_state = configuration
            .get("errorCausedByState")
            .map(|name| {
                name.as_str().map(str::to_string).ok_or_else(|| {
                    TestStateError::validation(
                        "stateConfiguration.errorCausedByState must be a state's name",
                    )
                })
            })
            .transpose()?;
        let map_iteration_failure_count = configuration
            .get("mapIterationFailureCount")
            .map(|n| {
                n.as_u64().ok_or_else(|| {
                    TestStateError::validation(
                        "stateConfiguration.mapIterationFailureCount must be an integer of 0 or more",
                    )
                })
            })
            .transpose()?;
        let inspection_level = match request.get("inspectionLevel").and_then(Value::as_str) {
            None => InspectionLevel::Info,
            Some(name) => InspectionLevel::parse(name).ok_or_else(|| {
                TestStateError::validation(format!(
                    "inspectionLevel '{name}' is not one of INFO, DEBUG, TRACE"
                ))
            })?,
        };
        Ok(TestStateRequest {
            definition: field("definition")?.unwrap_or(Value::Null),
            state_name: request
                .get("stateName")
                .and_then(Value::as_str)
                .map(str::to_string),
            input: field("input")?.unwrap_or_else(|| json!({})),
            variables,
            context,
            mock,
            retrier_retry_count,
            error_caused_by_state,
            map_iteration_failure_count,
            inspection_level,
        })
    }
}

/// The fields of a TestState request [`TestStateRequest::from_aws_json`] reads.
const REQUEST_FIELDS: [&str; 11] = [
    "definition",
    "stateName",
    "input",
    "variables",
    "context",
    "mock",
    "stateConfiguration",
    "retrierRetryCount",
    "inspectionLevel",
    "roleArn",
    "revealSecrets",
];

fn mock_from_aws_json(mock: &Value) -> Result<TestStateMock, TestStateError> {
    let Some(fields) = mock.as_object() else {
        return Err(TestStateError::validation("mock must be a JSON object"));
    };
    if let Some(unknown) = fields
        .keys()
        .find(|k| !["result", "errorOutput", "fieldValidationMode"].contains(&k.as_str()))
    {
        return Err(TestStateError::validation(format!(
            "unknown field 'mock.{unknown}' (it takes result, errorOutput, fieldValidationMode)"
        )));
    }
    // MockInput.fieldValidationMode checks a mocked result against the called service's API
    // model: STRICT (the default) and PRESENT check field names and types, NONE nothing. The
    // engine has no service API models, so every mode checks nothing, as NONE does.
    if let Some(mode) = mock.get("fieldValidationMode") {
        if !matches!(mode.as_str(), Some("STRICT" | "PRESENT" | "NONE")) {
            return Err(TestStateError::validation(format!(
                "mock.fieldValidationMode {mode} is not one of STRICT, PRESENT, NONE"
            )));
        }
    }
    if fields.contains_key("result") && fields.contains_key("errorOutput") {
        return Err(TestStateError::validation(
            "mock takes a result or an errorOutput, not both",
        ));
    }
    if let Some(result) = mock.get("result") {
        let result = match result {
            Value::String(text) => serde_json::from_str(text)
                .map_err(|e| TestStateError::validation(format!("mock.result: not JSON: {e}")))?,
            value => value.clone(),
        };
        return Ok(TestStateMock::Result(result));
    }
    if let Some(output) = mock.get("errorOutput") {
        let text = |name: &str| output.get(name).and_then(Value::as_str).map(str::to_string);
        let Some(error) = text("error") else {
            return Err(TestStateError::validation(
                "mock.errorOutput needs an error",
            ));
        };
        return Ok(TestStateMock::Error {
            error,
            cause: text("cause"),
        });
    }
    Err(TestStateError::validation(
        "mock needs a result or an errorOutput",
    ))
}

/// TestState's status of the state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestStateStatus {
    Succeeded,
    Failed,
    Retriable,
    CaughtError,
}

impl TestStateStatus {
    pub fn name(self) -> &'static str {
        match self {
            TestStateStatus::Succeeded => "SUCCEEDED",
            TestStateStatus::Failed => "FAILED",
            TestStateStatus::Retriable => "RETRIABLE",
            TestStateStatus::CaughtError => "CAUGHT_ERROR",
        }
    }
}

/// TestState's answer. JSON values are values here; [`TestStateResponse::to_aws_json`] writes
/// them as AWS does, as JSON text in strings.
#[derive(Debug, Clone, PartialEq)]
pub struct TestStateResponse {
    pub status: TestStateStatus,
    pub output: Option<Value>,
    pub error: Option<String>,
    pub cause: Option<String>,
    pub next_state: Option<String>,
    /// AWS's `inspectionData` (DEBUG and TRACE only): `input`, `afterInputPath`, ...,
    /// `variables`, `errorDetails`.
    pub inspection_data: Option<Map<String, Value>>,
}

impl TestStateResponse {
    /// The response as AWS's TestState API returns it.
    pub fn to_aws_json(&self) -> Value {
        let mut response = Map::new();
        if let Some(output) = &self.output {
            response.insert("output".into(), Value::String(output.to_string()));
        }
        if let Some(error) = &self.error {
            response.insert("error".into(), Value::String(error.clone()));
        }
        if let Some(cause) = &self.cause {
            response.insert("cause".into(), Value::String(cause.clone()));
        }
        if let Some(data) = &self.inspection_data {
            let data = data
                .iter()
                .map(|(key, value)| {
                    // errorDetails is an object of numbers, and a Map's numbers are numbers;
                    // the data stages are JSON text.
                    let value = if INSPECTION_VALUES.contains(&key.as_str()) {
                        value.clone()
                    } else {
                        Value::String(value.to_string())
                    };
                    (key.clone(), value)
                })
                .collect();
            response.insert("inspectionData".into(), Value::Object(data));
        }
        if let Some(next) = &self.next_state {
            response.insert("nextState".into(), Value::String(next.clone()));
        }
        response.insert("status".into(), Value::String(self.status.name().into()));
        Value::Object(response)
    }
}

/// The inspectionData fields AWS gives as JSON values rather than as JSON text.
const INSPECTION_VALUES: [&str; 4] = [
    "errorDetails",
    "maxConcurrency",
    "toleratedFailureCount",
    "toleratedFailurePercentage",
];

/// Why a request cannot be tested: AWS answers such requests with an exception
/// (`InvalidDefinition`, `ValidationException`); `kind` is its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestStateError {
    pub kind: &'static str,
    pub message: String,
}

impl TestStateError {
    fn invalid_definition(message: impl Into<String>) -> Self {
        TestStateError {
            kind: "InvalidDefinition",
            message: message.into(),
        }
    }

    fn validation(message: impl Into<String>) -> Self {
        TestStateError {
            kind: "ValidationException",
            message: message.into(),
        }
    }
}

impl std::fmt::Display for TestStateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)
    }
}

/// The name the tested state has when the request gives one state without a name.
const DEFAULT_STATE_NAME: &str = "TestState";
/// The Pass state that assigns the request's variables before the tested state.
const VARIABLES_STATE: &str = "TestState.Variables";
/// How many steps the one state may take before TestState gives up on it.
const MAX_STEPS: usize = 10_000;

/// The tested state, and the state machine it is run in.
#[derive(Clone)]
struct Harness {
    name: String,
    state: Map<String, Value>,
    query_language: Option<Value>,
    /// Whether the request gave the state alone (not in a state machine).
    single: bool,
}

impl Harness {
    /// A diagnostic's pointer in the request's definition: in a state given alone, relative
    /// to the state (the state machine around it is ours).
    fn user_pointer<'p>(&self, pointer: &'p str) -> &'p str {
        if !self.single {
            return pointer;
        }
        let escaped = self.name.replace('~', "~0").replace('/', "~1");
        match pointer
            .strip_prefix("/States/")
            .and_then(|p| p.strip_prefix(escaped.as_str()))
        {
            Some("") => "the state",
            Some(rest) if rest.starts_with('/') => rest,
            _ => pointer,
        }
    }

    /// Whether the state machine's query language is JSONata.
    fn jsonata(&self) -> bool {
        self.query_language.as_ref().and_then(Value::as_str) == Some("JSONata")
    }
}

/// Runs one state as AWS's TestState does.
pub fn test_state(request: &TestStateRequest) -> Result<TestStateResponse, TestStateError> {
    let harness = harness(request)?;
    let state_type = harness.state.get("Type").and_then(Value::as_str);
    match state_type.map(str::to_owned).as_deref() {
        Some("Map") => test_map(request, harness),
        Some("Parallel") => {
            // Checked as written: the Task it runs as has lost its branches.
            run_checked(request, &harness)?;
            Ok(run_state(request, &mocked_fanout(harness))?.response)
        }
        _ => Ok(run_state(request, &harness)?.response),
    }
}

/// Runs the harness's state, and again with the retrier's attempts used up when the request
/// says that retrier has already made them.
fn run_state(request: &TestStateRequest, harness: &Harness) -> Result<Run, TestStateError> {
    let first = run_once(request, harness)?;
    // A retrier that has already made its retries takes the error no more: AWS goes on to
    // the catchers, so run again with that retrier's attempts used up.
    if request.retrier_retry_count > 0 {
        if let Some((index, max_attempts)) = first.retry {
            if request.retrier_retry_count >= max_attempts {
                let mut spent = harness.clone();
                set_max_attempts_zero(&mut spent.state, index);
                return run_once(request, &spent);
            }
        }
    }
    Ok(first)
}

fn harness(request: &TestStateRequest) -> Result<Harness, TestStateError> {
    let Some(definition) = request.definition.as_object() else {
        return Err(TestStateError::invalid_definition(
            "the definition must be a JSON object",
        ));
    };
    let single = !definition.contains_key("States");
    let (name, state, query_language) = match definition.get("States") {
        Some(states) => {
            let Some(name) = &request.state_name else {
                return Err(TestStateError::validation(
                    "stateName is required when the definition is a state machine",
                ));
            };
            let state = states.get(name).and_then(Value::as_object).ok_or_else(|| {
                TestStateError::validation(format!("State '{name}' not found in the definition"))
            })?;
            (
                name.clone(),
                state.clone(),
                definition.get("QueryLanguage").cloned(),
            )
        }
        None => (
            request
                .state_name
                .clone()
                .unwrap_or_else(|| DEFAULT_STATE_NAME.into()),
            definition.clone(),
            None,
        ),
    };
    let Some(state_type) = state.get("Type").and_then(Value::as_str) else {
        return Err(TestStateError::invalid_definition("the state has no Type"));
    };
    check_mock(request, state_type, &state)?;
    Ok(Harness {
        name,
        state,
        query_language,
        single,
    })
}

/// What the request's mock, context and errorCausedByState must be for a state of this type.
fn check_mock(
    request: &TestStateRequest,
    state_type: &str,
    state: &Map<String, Value>,
) -> Result<(), TestStateError> {
    // AWS's TestState reference, context: "This field may only be specified if a mock is
    // specified in the same request."
    if request.context.is_some() && request.mock.is_none() {
        return Err(TestStateError::validation(
            "context may only be specified if a mock is specified in the same request",
        ));
    }
    let fanout = matches!(state_type, "Map" | "Parallel");
    match (state_type, &request.mock) {
        ("Task", None) => {
            return Err(TestStateError::validation(
                "a Task state needs a mock (mock.result or mock.errorOutput): no service is called",
            ))
        }
        ("Map", None) => {
            return Err(TestStateError::validation(
                "a Map state needs a mock (mock.result: the array of its iterations' results, or \
                 mock.errorOutput): its iterations are not run",
            ))
        }
        ("Parallel", None) => {
            return Err(TestStateError::validation(
                "a Parallel state needs a mock (mock.result: the array of its branches' outputs, \
                 or mock.errorOutput): its branches are not run",
            ))
        }
        ("Task" | "Map" | "Parallel", Some(_)) => {}
        (_, Some(_)) => {
            return Err(TestStateError::validation(format!(
                "a {state_type} state takes no mock: only Task, Map and Parallel states are \
                 answered by one"
            )))
        }
        (_, None) => {}
    }
    if fanout {
        if let Some(TestStateMock::Result(result)) = &request.mock {
            if !result.is_array() {
                let what = if state_type == "Map" {
                    "the array of its iterations' results"
                } else {
                    "the array of its branches' outputs, in order"
                };
                return Err(TestStateError::validation(format!(
                    "mock.result of a {state_type} state must be a JSON array: {what}"
                )));
            }
        }
    }
    if request.map_iteration_failure_count.is_some() && state_type != "Map" {
        return Err(TestStateError::validation(
            "stateConfiguration.mapIterationFailureCount is for a Map state only",
        ));
    }
    if let Some(origin) = &request.error_caused_by_state {
        if !fanout {
            return Err(TestStateError::validation(
                "stateConfiguration.errorCausedByState is for a Map or Parallel state only",
            ));
        }
        if !matches!(request.mock, Some(TestStateMock::Error { .. })) {
            return Err(TestStateError::validation(
                "stateConfiguration.errorCausedByState needs mock.errorOutput: it names the state \
                 the mocked error comes from",
            ));
        }
        if !nested_states(state).iter().any(|(name, _)| *name == origin) {
            let scope = if state_type == "Map" {
                "the Map state's item processor"
            } else {
                "the Parallel state's branches"
            };
            return Err(TestStateError::validation(format!(
                "stateConfiguration.errorCausedByState: no state '{origin}' in {scope}"
            )));
        }
    }
    Ok(())
}

/// The states inside a Map's item processor or a Parallel's branches, at any depth, with their
/// names (the page's "Test this state" finds a nested state by name with it).
pub fn nested_states(state: &Map<String, Value>) -> Vec<(&String, &Map<String, Value>)> {
    let mut found = Vec::new();
    let branches = state
        .get("Branches")
        .and_then(Value::as_array)
        .into_iter()
        .flatten();
    let processors = ["ItemProcessor", "Iterator"]
        .into_iter()
        .filter_map(|key| state.get(key));
    for scope in branches.chain(processors) {
        let states = scope.get("States").and_then(Value::as_object);
        for (name, inner) in states.into_iter().flatten() {
            if let Some(inner) = inner.as_object() {
                found.push((name, inner));
                found.extend(nested_states(inner));
            }
        }
    }
    found
}

/// The resource of the Task a mocked Map or Parallel state runs as; the mock answers its call.
const MOCKED_FANOUT_RESOURCE: &str =
    "arn:aws:lambda:us-east-1:123456789012:function:TestState-mocked-result";

/// The fields a Map or Parallel state keeps when it runs as a Task whose call the mock
/// answers: the result's processing, error handling and transitions. A Parallel's Parameters
/// or Arguments are its branches' input, so they stay (inspectionData's afterParameters or
/// afterArguments); a Map's item fields are run by [`test_map`] instead.
const FANOUT_KEPT_FIELDS: [&str; 13] = [
    "Comment",
    "QueryLanguage",
    "InputPath",
    "ResultSelector",
    "ResultPath",
    "OutputPath",
    "Output",
    "Assign",
    "Retry",
    "Catch",
    "Next",
    "End",
    "Parameters",
];

/// The Map or Parallel state as a Task whose result is the mock.
fn mocked_fanout(mut harness: Harness) -> Harness {
    let is_parallel = harness.state.get("Type").and_then(Value::as_str) == Some("Parallel");
    let mut task = Map::new();
    task.insert("Type".into(), json!("Task"));
    task.insert("Resource".into(), json!(MOCKED_FANOUT_RESOURCE));
    for (key, value) in &harness.state {
        let kept = FANOUT_KEPT_FIELDS.contains(&key.as_str()) || key == "Arguments";
        // A Map's Parameters is its ItemSelector's old name.
        let item_field = !is_parallel && matches!(key.as_str(), "Parameters" | "Arguments");
        if kept && !item_field {
            task.insert(key.clone(), value.clone());
        }
    }
    harness.state = task;
    harness
}

/// The Map state of [`test_map`]'s first run: the real Map up to its iterations, each of which
/// passes its item through, so its result is what the iterations were given.
fn map_input_stages(harness: &Harness) -> Harness {
    let mut state = harness.state.clone();
    for key in [
        "ResultSelector",
        "ResultPath",
        "OutputPath",
        "Output",
        "Assign",
        "ResultWriter",
        "Next",
    ] {
        state.remove(key);
    }
    state.insert("End".into(), json!(true));
    let processor_key = if state.contains_key("Iterator") {
        "Iterator"
    } else {
        "ItemProcessor"
    };
    let mut processor = Map::new();
    if let Some(config) = state
        .get(processor_key)
        .and_then(|p| p.get("ProcessorConfig"))
    {
        processor.insert("ProcessorConfig".into(), config.clone());
    }
    processor.insert("StartAt".into(), json!(MAP_ITEM_STATE));
    processor.insert(
        "States".into(),
        json!({ MAP_ITEM_STATE: {"Type": "Pass", "End": true} }),
    );
    state.insert(processor_key.into(), Value::Object(processor));
    Harness {
        state,
        ..harness.clone()
    }
}

/// The state each iteration of [`map_input_stages`] runs.
const MAP_ITEM_STATE: &str = "TestState.Item";

/// A Map state with a mock: its input stages in the real Map (unless an ItemReader reads its
/// items from a source TestState cannot reach), then the mock as its result.
fn test_map(
    request: &TestStateRequest,
    harness: Harness,
) -> Result<TestStateResponse, TestStateError> {
    // The state as written is checked first: the Task it runs as has lost its item fields.
    run_checked(request, &harness)?;
    let failures = request.map_iteration_failure_count.filter(|n| *n > 0);
    let mut stages = Map::new();
    let mut exceeded = false;
    if harness.state.contains_key("ItemReader") {
        if failures.is_some() {
            return Err(TestStateError::validation(
                "stateConfiguration.mapIterationFailureCount is not implemented for a Map with \
                 an ItemReader (TestState does not read its items)",
            ));
        }
    } else {
        let staged = run_state(request, &map_input_stages(&harness))?;
        if staged.response.status != TestStateStatus::Succeeded {
            return Ok(staged.response);
        }
        if let Some(trace) = &staged.trace {
            stages = map_stages(&harness, trace);
            if let Some(failures) = failures {
                exceeded = exceeds_tolerance(&harness, trace, failures)?;
            }
        }
    }
    let mut request = request.clone();
    if exceeded && !matches!(request.mock, Some(TestStateMock::Error { .. })) {
        // The Map Run fails as in an execution; its Retry and Catch take the error.
        request.mock = Some(TestStateMock::Error {
            error: crate::error::names::EXCEED_TOLERATED_FAILURE_THRESHOLD.into(),
            cause: Some("The specified tolerated failure threshold was exceeded".into()),
        });
    }
    let request = &request;
    let mut response = run_state(request, &mocked_fanout(harness))?.response;
    if let Some(data) = response.inspection_data.take() {
        response.inspection_data = Some(with_map_stages(data, stages));
    }
    Ok(response)
}

/// Whether `failures` failed iterations exceed the Map's tolerated failure threshold, read by
/// the run of its input stages. AWS documents the thresholds (ToleratedFailureCount,
/// ToleratedFailurePercentage) for a Distributed Map; without one, the first failed iteration
/// fails the Map with its own error, which mock.errorOutput (and errorCausedByState) gives.
fn exceeds_tolerance(
    harness: &Harness,
    trace: &StateTrace,
    failures: u64,
) -> Result<bool, TestStateError> {
    let Some(map) = &trace.map else {
        return Ok(false);
    };
    let distributed = ["ItemProcessor", "Iterator"].iter().any(|key| {
        harness
            .state
            .get(*key)
            .and_then(|p| p.pointer("/ProcessorConfig/Mode"))
            .and_then(Value::as_str)
            == Some("DISTRIBUTED")
    });
    if !distributed
        || (map.tolerated_failure_count.is_none() && map.tolerated_failure_percentage.is_none())
    {
        return Err(TestStateError::validation(
            "stateConfiguration.mapIterationFailureCount needs a Map in DISTRIBUTED mode with a \
             ToleratedFailureCount or ToleratedFailurePercentage: otherwise a failed iteration \
             fails the Map with its own error, which mock.errorOutput gives",
        ));
    }
    // The iterations are the batches when an ItemBatcher groups the items.
    let iterations = match (&trace.result, harness.state.contains_key("ItemBatcher")) {
        (Some(Value::Array(batches)), true) => batches.len(),
        _ => map.items.as_array().map_or(0, Vec::len),
    };
    let total = u64::try_from(iterations).unwrap_or(u64::MAX);
    if failures > total {
        return Err(TestStateError::validation(format!(
            "stateConfiguration.mapIterationFailureCount {failures} is more than the Map's \
             {total} iterations"
        )));
    }
    // As in an execution: tolerated when within either threshold.
    let by_count = map.tolerated_failure_count.is_some_and(|c| failures <= c);
    let by_percentage = map
        .tolerated_failure_percentage
        .is_some_and(|p| failures as f64 * 100.0 / total.max(1) as f64 <= p);
    Ok(!(by_count || by_percentage))
}

/// Parses the state machine around the harness's state: its first diagnostic, if any.
fn run_checked(request: &TestStateRequest, harness: &Harness) -> Result<(), TestStateError> {
    parsed_machine(request, harness).map(|_| ())
}

/// inspectionData's Map stages from the trace of [`map_input_stages`]'s Map.
fn map_stages(harness: &Harness, trace: &StateTrace) -> Map<String, Value> {
    let mut stages = Map::new();
    let Some(map) = &trace.map else {
        return stages;
    };
    if !harness.jsonata() {
        stages.insert("afterItemsPath".into(), map.items.clone());
    }
    if let Some(result) = &trace.result {
        if harness.state.contains_key("ItemBatcher") {
            stages.insert("afterItemBatcher".into(), result.clone());
        } else if harness.state.contains_key("ItemSelector")
            || harness.state.contains_key("Parameters")
        {
            stages.insert("afterItemSelector".into(), result.clone());
        }
    }
    if let Some(n) = map.max_concurrency {
        stages.insert("maxConcurrency".into(), json!(n));
    }
    if let Some(n) = map.tolerated_failure_count {
        stages.insert("toleratedFailureCount".into(), json!(n));
    }
    if let Some(p) = map.tolerated_failure_percentage {
        stages.insert("toleratedFailurePercentage".into(), json!(p));
    }
    stages
}

/// The mocked run's inspectionData with the Map's stages after its input stage, in the order
/// the state runs them.
fn with_map_stages(data: Map<String, Value>, stages: Map<String, Value>) -> Map<String, Value> {
    let mut merged = Map::new();
    let mut stages = Some(stages);
    for (key, value) in data {
        let after_input = matches!(key.as_str(), "input" | "afterInputPath");
        if !after_input {
            if let Some(stages) = stages.take() {
                merged.extend(stages);
            }
        }
        merged.insert(key, value);
    }
    if let Some(stages) = stages {
        merged.extend(stages);
    }
    merged
}

/// The states the tested state may go to: Next, Default, each Choice rule's and catcher's.
fn targets(state: &Map<String, Value>) -> Vec<String> {
    let mut targets = Vec::new();
    let mut add = |value: Option<&Value>| {
        if let Some(next) = value.and_then(Value::as_str) {
            if !targets.iter().any(|t| t == next) {
                targets.push(next.to_string());
            }
        }
    };
    add(state.get("Next"));
    add(state.get("Default"));
    for list in ["Choices", "Catch"] {
        for entry in state
            .get(list)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            add(entry.get("Next"));
        }
    }
    targets
}

fn machine_json(request: &TestStateRequest, harness: &Harness) -> Value {
    let mut states = Map::new();
    for target in targets(&harness.state) {
        if target != harness.name {
            states.insert(target, json!({"Type": "Succeed"}));
        }
    }
    states.insert(harness.name.clone(), Value::Object(harness.state.clone()));
    let mut start = harness.name.clone();
    if let Some(variables) = request.variables.as_ref().filter(|v| !v.is_empty()) {
        states.insert(
            VARIABLES_STATE.into(),
            variables_state(variables, &harness.name, harness.jsonata()),
        );
        start = VARIABLES_STATE.into();
    }
    let mut machine = Map::new();
    if let Some(language) = &harness.query_language {
        machine.insert("QueryLanguage".into(), language.clone());
    }
    machine.insert("StartAt".into(), Value::String(start));
    machine.insert("States".into(), Value::Object(states));
    Value::Object(machine)
}

/// The Pass state that assigns the variables, taking each from the execution input
/// ([`execution_input`]) rather than writing it in Assign, where strings would be evaluated
/// (`{% ... %}`, keys ending in `.$`); its output is the request's input.
fn variables_state(variables: &Map<String, Value>, next: &str, jsonata: bool) -> Value {
    let assign: Map<String, Value> = variables
        .keys()
        .map(|name| {
            if jsonata {
                (
                    name.clone(),
                    Value::String(format!("{{% $states.input.variables.`{name}` %}}")),
                )
            } else {
                (
                    format!("{name}.$"),
                    Value::String(format!("$.variables['{name}']")),
                )
            }
        })
        .collect();
    if jsonata {
        json!({"Type": "Pass", "Assign": assign, "Output": "{% $states.input.input %}", "Next": next})
    } else {
        json!({"Type": "Pass", "Assign": assign, "OutputPath": "$.input", "Next": next})
    }
}

/// The execution's input: the request's, or with variables, the request's input and the
/// variables for [`variables_state`].
fn execution_input(request: &TestStateRequest) -> Value {
    match request.variables.as_ref().filter(|v| !v.is_empty()) {
        Some(variables) => json!({"input": request.input, "variables": variables}),
        None => request.input.clone(),
    }
}

fn mocks(request: &TestStateRequest, name: &str) -> Result<MockSet, TestStateError> {
    let response = match &request.mock {
        None => return Ok(MockSet::default()),
        Some(TestStateMock::File { text, test_case }) => {
            return MockSet::from_json_text(text, test_case.as_deref())
                .map_err(|e| TestStateError::validation(format!("mock file: {}", e.message)))
        }
        Some(TestStateMock::Result(result)) => json!({"Return": result}),
        Some(TestStateMock::Error { error, cause }) => {
            let mut throw = Map::new();
            throw.insert("Error".into(), Value::String(error.clone()));
            if let Some(cause) = cause {
                throw.insert("Cause".into(), Value::String(cause.clone()));
            }
            json!({ "Throw": throw })
        }
    };
    let file = json!({
        "StateMachines": {"TestState": {"TestCases": {"TestState": {name: "Mock"}}}},
        "MockedResponses": {"Mock": {"0": response}},
    });
    MockSet::from_json_text(&file.to_string(), Some("TestState"))
        .map_err(|e| TestStateError::validation(format!("mock: {}", e.message)))
}

struct Run {
    response: TestStateResponse,
    /// The retrier that took the state's first error, and its MaxAttempts.
    retry: Option<(usize, u64)>,
    /// The trace of the tested state's visit.
    trace: Option<StateTrace>,
}

/// The state machine around the harness's state, or its first diagnostic.
fn parsed_machine(
    request: &TestStateRequest,
    harness: &Harness,
) -> Result<crate::StateMachine, TestStateError> {
    let text = machine_json(request, harness).to_string();
    let parsed = parse_definition(&text);
    if let Some(error) = parsed.first_error() {
        return Err(TestStateError::invalid_definition(format!(
            "{} (at {})",
            error.message,
            harness.user_pointer(&error.pointer)
        )));
    }
    parsed
        .into_machine()
        .ok_or_else(|| TestStateError::invalid_definition("the state was rejected"))
}

fn run_once(request: &TestStateRequest, harness: &Harness) -> Result<Run, TestStateError> {
    let machine = parsed_machine(request, harness)?;
    let mocks = mocks(request, &harness.name)?;
    let options = ExecutionOptions {
        keep_history: false,
        context_overlay: request.context.clone().map(Rc::new),
        ..ExecutionOptions::default()
    };
    let mut execution = Execution::new(machine, execution_input(request), mocks, options);
    let mut steps = 0usize;
    loop {
        let stalled = execution.step().is_empty();
        steps = steps.saturating_add(1);
        if *execution.status() != ExecutionStatus::Running {
            break;
        }
        let traces = execution.traces();
        if let Some(index) = tested_index(traces, &harness.name) {
            let retried = traces.get(index).is_some_and(|t| {
                t.errors
                    .iter()
                    .any(|e| matches!(e.handled_by, ErrorHandling::Retry { .. }))
            });
            if retried || next_index(traces, index).is_some() {
                break;
            }
        }
        if stalled || steps >= MAX_STEPS {
            return Err(TestStateError::validation(
                "the state did not finish (a task token or an activity waits for an answer)",
            ));
        }
    }
    Ok(answer(request, harness, &execution))
}

/// The tested state's visit: at the top level (its Map iterations' or branches' visits are
/// nested).
fn tested_index(traces: &[StateTrace], name: &str) -> Option<usize> {
    traces
        .iter()
        .position(|t| t.child.is_none() && t.state_name == name)
}

/// The visit after the tested state's: the next at the top level.
fn next_index(traces: &[StateTrace], tested: usize) -> Option<usize> {
    let start = tested.saturating_add(1);
    traces
        .iter()
        .skip(start)
        .position(|t| t.child.is_none())
        .map(|i| i.saturating_add(start))
}

fn answer(request: &TestStateRequest, harness: &Harness, execution: &Execution) -> Run {
    let traces = execution.traces();
    let index = tested_index(traces, &harness.name);
    let trace = index.and_then(|i| traces.get(i));
    let next_trace = index
        .and_then(|i| next_index(traces, i))
        .and_then(|i| traces.get(i));
    let first_error = trace.and_then(|t| t.errors.first());
    let mut response = TestStateResponse {
        status: TestStateStatus::Succeeded,
        output: None,
        error: first_error.and_then(|e| e.error.error.clone()),
        cause: first_error.and_then(|e| e.error.cause.clone()),
        next_state: None,
        inspection_data: None,
    };
    let mut error_details = None;
    let mut retry = None;
    match first_error.map(|e| &e.handled_by) {
        Some(ErrorHandling::Retry { retrier_index, .. }) => {
            let retrier = retrier(&harness.state, *retrier_index);
            let max_attempts = retrier
                .and_then(|r| r.get("MaxAttempts"))
                .and_then(Value::as_u64)
                .unwrap_or(3);
            retry = Some((*retrier_index, max_attempts));
            response.status = TestStateStatus::Retriable;
            error_details = Some(json!({
                "retryBackoffIntervalSeconds": backoff_seconds(retrier, request.retrier_retry_count),
                "retryIndex": retrier_index,
            }));
        }
        Some(ErrorHandling::Catch {
            catcher_index,
            next,
        }) => {
            response.status = TestStateStatus::CaughtError;
            response.next_state = Some(next.clone());
            response.output = next_trace.map(|t| t.input.clone());
            error_details = Some(json!({ "catchIndex": catcher_index }));
        }
        Some(ErrorHandling::Unhandled) | None => match execution.status() {
            ExecutionStatus::Failed { error, cause }
            | ExecutionStatus::TimedOut { error, cause } => {
                response.status = TestStateStatus::Failed;
                response.error = error.clone();
                response.cause = cause.clone();
            }
            _ => {
                response.output = trace.and_then(|t| t.output.clone());
                response.next_state = next_trace.map(|t| t.state_name.clone());
            }
        },
    }
    if request.inspection_level != InspectionLevel::Info {
        if let Some(trace) = trace {
            let mut data = inspection_data(trace, request.variables.as_ref());
            if let Some(details) = error_details {
                data.insert("errorDetails".into(), details);
            }
            response.inspection_data = Some(data);
        }
    }
    Run {
        response,
        retry,
        trace: trace.cloned(),
    }
}

fn retrier(state: &Map<String, Value>, index: usize) -> Option<&Map<String, Value>> {
    state
        .get("Retry")
        .and_then(Value::as_array)
        .and_then(|r| r.get(index))
        .and_then(Value::as_object)
}

fn set_max_attempts_zero(state: &mut Map<String, Value>, index: usize) {
    if let Some(retrier) = state
        .get_mut("Retry")
        .and_then(Value::as_array_mut)
        .and_then(|r| r.get_mut(index))
        .and_then(Value::as_object_mut)
    {
        retrier.insert("MaxAttempts".into(), json!(0));
    }
}

/// The retry's wait before jitter: IntervalSeconds × BackoffRate^retries, at most
/// MaxDelaySeconds (the defaults are AWS's: 1 second, a rate of 2.0).
fn backoff_seconds(retrier: Option<&Map<String, Value>>, retries: u64) -> u64 {
    let field = |name: &str| retrier.and_then(|r| r.get(name)).and_then(Value::as_f64);
    let interval = field("IntervalSeconds").unwrap_or(1.0);
    let rate = field("BackoffRate").unwrap_or(2.0);
    let exponent = i32::try_from(retries).unwrap_or(i32::MAX);
    let mut delay = interval * rate.powi(exponent);
    if let Some(max) = field("MaxDelaySeconds") {
        delay = delay.min(max);
    }
    // A float to integer `as` saturates; the delay is never negative.
    delay.max(0.0) as u64
}

fn inspection_data(
    trace: &StateTrace,
    variables: Option<&Map<String, Value>>,
) -> Map<String, Value> {
    let mut data = Map::new();
    data.insert("input".into(), trace.input.clone());
    let stages = [
        ("afterInputPath", &trace.after_input_path),
        (
            if trace.jsonata {
                "afterArguments"
            } else {
                "afterParameters"
            },
            &trace.after_parameters,
        ),
        ("result", &trace.result),
        ("afterResultSelector", &trace.after_result_selector),
        ("afterResultPath", &trace.after_result_path),
    ];
    for (name, stage) in stages {
        if let Some(value) = stage {
            data.insert(name.into(), value.clone());
        }
    }
    let mut after = variables.cloned().unwrap_or_default();
    for (name, value) in trace.assigned.iter().flatten() {
        after.insert(name.clone(), value.clone());
    }
    if !after.is_empty() {
        data.insert("variables".into(), Value::Object(after));
    }
    data
}
