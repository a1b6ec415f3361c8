//! Mock task functions: what a Task state's resource answers in the playground.
//! (Stub: the mocks helper fills this in.)

use serde_json::Value;

/// One call of a Task state's resource, as the executor makes it.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskCall<'a> {
    /// The Task state's name.
    pub state_name: &'a str,
    /// The state's `Resource`, e.g. `arn:aws:lambda:us-east-1:123456789012:function:F` or
    /// `arn:aws:states:::lambda:invoke`.
    pub resource: &'a str,
    /// The effective input sent to the resource (the Payload for `lambda:invoke`).
    pub input: &'a Value,
}

/// What a mock answers.
#[derive(Debug, Clone, PartialEq)]
pub enum MockResponse {
    /// The integration's whole response, as AWS Step Functions Local's mock files and the
    /// conformance corpus give it (for `lambda:invoke`: `{"Payload": ..., "StatusCode": 200...}`).
    Return(Value),
    /// A Lambda function's return value; the executor wraps it in the integration's response
    /// shape where the resource is an integration such as `lambda:invoke`.
    FunctionReturn(Value),
    /// An error with its cause, already in the shape the service gives it.
    Throw { error: String, cause: String },
}

/// A mock's answer and how long the call takes on the simulated clock.
#[derive(Debug, Clone, PartialEq)]
pub struct MockOutcome {
    pub response: MockResponse,
    pub duration_ms: u64,
}

/// Why a mock could not answer: no mock for the state or resource, or responses exhausted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MockError {
    pub message: String,
}

/// All the mocks of a run.
#[derive(Debug, Clone, Default)]
pub struct MockSet {}

impl MockSet {
    /// Reads a mock file: AWS Step Functions Local's format (`StateMachines` and
    /// `MockedResponses`), our `Functions` rules, or both. With several test cases in the file,
    /// `test_case` picks one.
    pub fn from_json_text(text: &str, test_case: Option<&str>) -> Result<MockSet, MockError> {
        let _ = (text, test_case);
        Err(MockError {
            message: "mock files are not implemented".into(),
        })
    }

    /// Builds the mocks of a conformance case: `{"<state>": [response, ...]}`, responses in call
    /// order, each `{"Return": ...}` or `{"Throw": {"Error": ..., "Cause": ...}}`.
    pub fn from_conformance(mocks: &Value) -> Result<MockSet, MockError> {
        let _ = mocks;
        Err(MockError {
            message: "conformance mocks are not implemented".into(),
        })
    }

    /// Answers one call. Calls are counted per state (retries and re-entries count), which is
    /// what the `"0"`, `"1-2"` keys of a mock file index.
    pub fn respond(&mut self, call: &TaskCall<'_>) -> Result<MockOutcome, MockError> {
        Err(MockError {
            message: format!(
                "No mock for the Task state '{}' (resource '{}')",
                call.state_name, call.resource
            ),
        })
    }
}
