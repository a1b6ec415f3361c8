//! History events as the page holds them: one [`EventRow`] per event, prepared by the engine's
//! worker, with what the page needs to know about its type ([`EventClass`]) and the event as
//! AWS's `GetExecutionHistory` lists it, so the page never interprets event type names and
//! exports the history without the engine ([`get_execution_history`]).

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One history event as the table shows it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct EventRow {
    pub id: u64,
    pub previous_event_id: u64,
    /// Simulated milliseconds since the Unix epoch.
    pub timestamp: i64,
    pub event_type: String,
    /// What the event says about its state and the run (the worker classifies the engine's
    /// event kind).
    pub class: EventClass,
    /// The state (step) the event belongs to, if any.
    pub step: Option<String>,
    /// The resource a task event concerns, if any.
    pub resource: Option<String>,
    /// Index of the state visit (`TraceView::index`) the event belongs to.
    pub trace: Option<u32>,
    /// The details object as compact JSON text (`{"<key>": {...}}`), or empty for none.
    pub details: String,
    /// The event as `GetExecutionHistory` lists it (compact JSON text), made by the engine.
    pub aws_event: String,
}

/// What an event type means for the state it belongs to and for the run, as the page's graph
/// colours and history table tones need it. Every event type falls in exactly one class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum EventClass {
    /// `<Type>StateEntered`, but for a Fail state: the state is in progress.
    StateEntered,
    /// `FailStateEntered`: the state fails.
    FailStateEntered,
    /// `<Type>StateExited`: the state is done.
    StateExited,
    /// `ExecutionStarted`.
    #[default]
    ExecutionStarted,
    /// `ExecutionSucceeded`.
    ExecutionSucceeded,
    /// `ExecutionAborted`, `MapIterationAborted`, `MapRunAborted`: a stop, which says nothing
    /// new about the state it is attributed to.
    Aborted,
    /// `TaskStateAborted`, `WaitStateAborted`, `ParallelStateAborted`, `MapStateAborted`: the
    /// state was stopped while in progress (a sibling failed, the execution timed out or was
    /// stopped).
    StateAborted,
    /// A failure or a time-out of the execution, a state, its task or an expression
    /// (`ExecutionFailed`, `TaskTimedOut`, `ParallelStateFailed`, `EvaluationFailed`, ...): the
    /// state it belongs to failed.
    Failed,
    /// A failure that does not fail the state (yet): `MapIterationFailed`, `MapRunFailed` (one
    /// part of a Map failed, which does not fail a Map that tolerates failures; when the Map
    /// fails, `MapStateFailed` says so), or a failed attempt a retrier takes (`TaskFailed`
    /// followed by a back-off and another attempt).
    PartFailed,
    /// Work scheduled, started or submitted (`TaskScheduled`, `MapIterationStarted`,
    /// `ParallelStateStarted`, ...): after a failure, a retry resumes the state.
    WorkStarted,
    /// Work that succeeded (`TaskSucceeded`, `MapIterationSucceeded`, ...), but for the
    /// execution.
    WorkSucceeded,
}

impl EventClass {
    /// Whether this is a `<Type>StateEntered` event (a state transition), Fail's included.
    pub fn is_state_entered(self) -> bool {
        matches!(
            self,
            EventClass::StateEntered | EventClass::FailStateEntered
        )
    }
}

/// The rows' events as `GetExecutionHistory` JSON (pretty), the way AWS's API returns them:
/// `{"events": [...]}`.
pub fn get_execution_history(rows: &[EventRow]) -> String {
    let events: Vec<Value> = rows
        .iter()
        // Every row comes from the engine, which wrote its event as JSON.
        .filter_map(|row| serde_json::from_str(&row.aws_event).ok())
        .collect();
    let value = serde_json::json!({ "events": events });
    serde_json::to_string_pretty(&value).unwrap_or_else(|_| value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_export_lists_the_rows_events_in_order() {
        let row = |id: u64| EventRow {
            id,
            aws_event: format!(r#"{{"timestamp":1.5,"type":"PassStateEntered","id":{id}}}"#),
            ..EventRow::default()
        };
        assert_eq!(
            get_execution_history(&[row(1), row(2)]),
            "{\n  \"events\": [\n    {\n      \"timestamp\": 1.5,\n      \"type\": \"PassStateEntered\",\n      \"id\": 1\n    },\n    {\n      \"timestamp\": 1.5,\n      \"type\": \"PassStateEntered\",\n      \"id\": 2\n    }\n  ]\n}"
        );
        assert_eq!(get_execution_history(&[]), "{\n  \"events\": []\n}");
    }
}
