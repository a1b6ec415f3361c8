//! "Test this state" on the page: the form's texts made into a request for the engine's
//! [`sfn_engine::test_state`] (AWS's TestState API, run offline), and its answer made into
//! plain data for the page. Every problem with a text names the field it is in.
//!
//! The state is looked up by name in the editor's definition: a top-level state is tested in
//! its state machine (as AWS's `stateName` does); a state inside a Parallel branch or a Map's
//! item processor, which TestState cannot name, is tested on its own, in the machine's query
//! language unless it has its own.

use serde_json::{Map, Value};
use sfn_engine::test_state::{nested_states, InspectionLevel, TestStateMock};
use sfn_engine::{test_state, TestStateRequest};
use sfn_playground_data::protocol::{
    TestStateField, TestStateFormView, TestStateMockView, TestStateProblem, TestStateRequestView,
    TestStateResponseView,
};

/// What the form testing `state_name` of `definition` needs.
pub fn form(definition: &str, state_name: &str) -> TestStateFormView {
    let mut form = TestStateFormView {
        state_name: state_name.to_owned(),
        takes_mock: false,
        problem: None,
    };
    match definition_json(definition).and_then(|d| find_state(&d, state_name)) {
        Ok(found) => {
            form.takes_mock = matches!(
                found.state.get("Type").and_then(Value::as_str),
                Some("Task" | "Map" | "Parallel")
            );
        }
        Err(problem) => form.problem = Some(problem.message),
    }
    form
}

/// Runs the request through the engine: TestState's response, or why it cannot be tested.
pub fn test(request: &TestStateRequestView) -> Result<TestStateResponseView, TestStateProblem> {
    let engine_request = engine_request(request)?;
    let response = test_state(&engine_request).map_err(|e| problem(None, e.to_string()))?;
    let inspection_data = response
        .inspection_data
        .as_ref()
        .map(|data| pretty(&Value::Object(data.clone())));
    Ok(TestStateResponseView {
        status: response.status.name().to_owned(),
        output: response.output.as_ref().map(pretty),
        error: response.error.clone(),
        cause: response.cause.clone(),
        next_state: response.next_state.clone(),
        inspection_data,
        aws_json: pretty(&response.to_aws_json()),
    })
}

fn problem(field: Option<TestStateField>, message: impl Into<String>) -> TestStateProblem {
    TestStateProblem {
        field,
        message: message.into(),
    }
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
}

/// The text as JSON, or a problem of `field` naming `what`.
fn json(text: &str, field: Option<TestStateField>, what: &str) -> Result<Value, TestStateProblem> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    serde_json::from_str(text).map_err(|e| problem(field, format!("{what} is not valid JSON: {e}")))
}

fn definition_json(text: &str) -> Result<Value, TestStateProblem> {
    json(text, None, "The definition").map_err(|mut p| {
        p.message.push_str(" (see the Definition's problems)");
        p
    })
}

/// The tested state, and what the request names: a top-level state by its name in the
/// definition, a nested one by its own definition.
struct Found {
    state: Map<String, Value>,
    definition: Value,
}

fn find_state(definition: &Value, name: &str) -> Result<Found, TestStateProblem> {
    let not_found = || {
        problem(
            None,
            format!("State '{name}' is not in the definition in the editor"),
        )
    };
    let states = definition
        .get("States")
        .and_then(Value::as_object)
        .ok_or_else(not_found)?;
    if let Some(state) = states.get(name).and_then(Value::as_object) {
        return Ok(Found {
            state: state.clone(),
            definition: definition.clone(),
        });
    }
    let mut state = find_nested(states, name).ok_or_else(not_found)?.clone();
    // The state alone has lost its machine's query language: it keeps it as its own.
    if let Some(language) = definition.get("QueryLanguage") {
        state
            .entry("QueryLanguage")
            .or_insert_with(|| language.clone());
    }
    Ok(Found {
        definition: Value::Object(state.clone()),
        state,
    })
}

/// The state `name` inside the Parallel branches and Map item processors of `states`, at any
/// depth.
fn find_nested<'d>(states: &'d Map<String, Value>, name: &str) -> Option<&'d Map<String, Value>> {
    states
        .values()
        .filter_map(Value::as_object)
        .flat_map(nested_states)
        .find_map(|(inner_name, inner)| (inner_name == name).then_some(inner))
}

fn engine_request(request: &TestStateRequestView) -> Result<TestStateRequest, TestStateProblem> {
    let definition = definition_json(&request.definition)?;
    let found = find_state(&definition, &request.state_name)?;
    let input = json(&request.input, Some(TestStateField::Input), "The input")?;
    let variables = if request.variables.trim().is_empty() {
        None
    } else {
        match json(
            &request.variables,
            Some(TestStateField::Variables),
            "The variables",
        )? {
            Value::Object(map) => Some(map),
            _ => {
                return Err(problem(
                    Some(TestStateField::Variables),
                    "The variables must be a JSON object of names and values",
                ))
            }
        }
    };
    let context = if request.context.trim().is_empty() {
        None
    } else {
        match json(
            &request.context,
            Some(TestStateField::Context),
            "The Context object",
        )? {
            Value::Object(map) => Some(map),
            _ => {
                return Err(problem(
                    Some(TestStateField::Context),
                    "The Context object must be a JSON object (e.g. {\"Execution\": {\"Name\": \"run-1\"}})",
                ))
            }
        }
    };
    let mock = match &request.mock {
        None => None,
        Some(TestStateMockView::Result { result }) => Some(TestStateMock::Result(json(
            result,
            Some(TestStateField::MockResult),
            "The mocked result",
        )?)),
        Some(TestStateMockView::Error { error, cause }) => {
            if error.trim().is_empty() {
                return Err(problem(
                    Some(TestStateField::MockError),
                    "The mocked error needs a name (e.g. States.TaskFailed)",
                ));
            }
            Some(TestStateMock::Error {
                error: error.trim().to_owned(),
                cause: (!cause.is_empty()).then(|| cause.clone()),
            })
        }
    };
    let inspection_level = InspectionLevel::parse(&request.inspection_level).ok_or_else(|| {
        problem(
            Some(TestStateField::InspectionLevel),
            format!(
                "The inspection level '{}' is not one of INFO, DEBUG, TRACE",
                request.inspection_level
            ),
        )
    })?;
    Ok(TestStateRequest {
        definition: found.definition,
        state_name: Some(request.state_name.clone()),
        input,
        variables,
        context,
        mock,
        retrier_retry_count: u64::from(request.retrier_retry_count),
        error_caused_by_state: None,
        map_iteration_failure_count: None,
        inspection_level,
    })
}
