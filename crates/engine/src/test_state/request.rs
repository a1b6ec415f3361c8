//! TestState's request (the state, its input, variables, context, mock, retrier attempt and
//! inspection level, read from AWS's JSON too), its response and its refusals.

use super::*;

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
pub(super) const REQUEST_FIELDS: [&str; 11] = [
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

pub(super) fn mock_from_aws_json(mock: &Value) -> Result<TestStateMock, TestStateError> {
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
pub(super) const INSPECTION_VALUES: [&str; 4] = [
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
    pub(super) fn invalid_definition(message: impl Into<String>) -> Self {
        TestStateError {
            kind: "InvalidDefinition",
            message: message.into(),
        }
    }

    pub(super) fn validation(message: impl Into<String>) -> Self {
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
