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

mod fanout;
mod request;

pub use fanout::nested_states;
use fanout::*;
pub use request::*;

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
