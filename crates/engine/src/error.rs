//! Errors as Step Functions sees them: a name (`States.Runtime`, `TooManyRequestsException`...)
//! and a cause text.

use std::fmt;

/// An error raised while running a state: what Retry and Catch match on, and what an
/// execution fails with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatesError {
    /// The error name, e.g. `States.Runtime`. `None` only for a Fail state without `Error`.
    pub error: Option<String>,
    /// The cause text. `None` only for a Fail state without `Cause`.
    pub cause: Option<String>,
}

impl StatesError {
    /// The `error` and `cause` of an event's details (a Failed or Aborted event), each only
    /// when there is one.
    pub fn event_details(&self) -> serde_json::Map<String, serde_json::Value> {
        error_details(self.error.as_deref(), self.cause.as_deref())
    }

    pub fn new(error: impl Into<String>, cause: impl Into<String>) -> Self {
        StatesError {
            error: Some(error.into()),
            cause: Some(cause.into()),
        }
    }

    /// `States.Runtime`: a path, template or value that could not be processed.
    pub fn runtime(cause: impl Into<String>) -> Self {
        Self::new(names::RUNTIME, cause)
    }

    /// The error name, or the empty string for a Fail state without one (what a catcher sees).
    pub fn name(&self) -> &str {
        self.error.as_deref().unwrap_or("")
    }
}

impl fmt::Display for StatesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}",
            self.name(),
            self.cause.as_deref().unwrap_or("")
        )
    }
}

impl std::error::Error for StatesError {}

/// The predefined error names of the States Language.
pub mod names {
    pub const ALL: &str = "States.ALL";
    pub const HEARTBEAT_TIMEOUT: &str = "States.HeartbeatTimeout";
    pub const TIMEOUT: &str = "States.Timeout";
    pub const TASK_FAILED: &str = "States.TaskFailed";
    pub const PERMISSIONS: &str = "States.Permissions";
    pub const RESULT_PATH_MATCH_FAILURE: &str = "States.ResultPathMatchFailure";
    pub const PARAMETER_PATH_FAILURE: &str = "States.ParameterPathFailure";
    pub const BRANCH_FAILED: &str = "States.BranchFailed";
    pub const NO_CHOICE_MATCHED: &str = "States.NoChoiceMatched";
    pub const INTRINSIC_FAILURE: &str = "States.IntrinsicFailure";
    pub const EXCEED_TOLERATED_FAILURE_THRESHOLD: &str = "States.ExceedToleratedFailureThreshold";
    pub const ITEM_READER_FAILED: &str = "States.ItemReaderFailed";
    pub const RESULT_WRITER_FAILED: &str = "States.ResultWriterFailed";
    pub const RUNTIME: &str = "States.Runtime";
    pub const DATA_LIMIT_EXCEEDED: &str = "States.DataLimitExceeded";
    pub const QUERY_EVALUATION_ERROR: &str = "States.QueryEvaluationError";
}

/// `{"error": ..., "cause": ...}` as an event's details have them, each only when given.
pub fn error_details(
    error: Option<&str>,
    cause: Option<&str>,
) -> serde_json::Map<String, serde_json::Value> {
    let mut details = serde_json::Map::new();
    if let Some(e) = error {
        details.insert("error".into(), serde_json::Value::from(e));
    }
    if let Some(c) = cause {
        details.insert("cause".into(), serde_json::Value::from(c));
    }
    details
}
