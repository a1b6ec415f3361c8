//! What the inspector shows of a run: each state visit's data stage by stage
//! ([`StateTrace`]) and each Parallel branch and Map iteration ([`ChildTrace`]), recorded when
//! [`ExecutionOptions::record_traces`](super::ExecutionOptions::record_traces) is on.
//!
//! A visit names the branch or iteration it ran in, and a branch or iteration names the
//! visit of the Parallel or Map state that started it, so a visit's place in nested fan-outs
//! is found by following the links up.

use std::rc::Rc;

use serde_json::{Map, Value};

use crate::definition::StateType;
use crate::error::StatesError;
use crate::time::Millis;

/// What happened to the data in one visit of a state, stage by stage, as AWS's TestState API
/// reports it. A stage the state does not have (or did not reach) is `None`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StateTrace {
    pub state_name: String,
    /// The state's type (none only in a default trace).
    pub state_type: Option<StateType>,
    /// Whether the state's query language is JSONata (its stages are Arguments and Output).
    pub jsonata: bool,
    /// The workflow variables the state saw when it was entered (none when there were none).
    pub variables: Option<Rc<Map<String, Value>>>,
    /// Which way a Choice state went.
    pub choice: Option<ChoiceTaken>,
    /// The id of the state's `...StateEntered` event (0 inside a distributed Map's child runs).
    pub entered_event_id: u64,
    pub input: Value,
    pub after_input_path: Option<Value>,
    pub after_parameters: Option<Value>,
    /// The task's (or Pass's, Parallel's, Map's) result.
    pub result: Option<Value>,
    pub after_result_selector: Option<Value>,
    pub after_result_path: Option<Value>,
    pub output: Option<Value>,
    /// The variables the state's Assign set when it was left.
    pub assigned: Option<Map<String, Value>>,
    /// Every error the state raised, in order, and what took it: `retry` (with the delay in
    /// seconds), `catch` (with the next state), or `none` (the state failed).
    pub errors: Vec<TracedError>,
    /// The Parallel branch or Map iteration the visit ran in (an index into
    /// [`Execution::child_traces`](super::Execution::child_traces)); none at the top level.
    pub child: Option<usize>,
    /// A Map state's items and run settings, once it has read them.
    pub map: Option<MapTrace>,
}

/// What a Map state read before its iterations started: AWS's TestState reports these as
/// inspectionData's `afterItemsPath`, `maxConcurrency`, `toleratedFailureCount` and
/// `toleratedFailurePercentage`. A field the state does not set is `None`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MapTrace {
    /// The items to iterate over (after ItemsPath, Items or the ItemReader).
    pub items: Value,
    pub max_concurrency: Option<u64>,
    pub tolerated_failure_count: Option<u64>,
    pub tolerated_failure_percentage: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TracedError {
    pub error: StatesError,
    /// The last event of the state when the error was handled: its failure event (TaskFailed,
    /// LambdaFunctionTimedOut, ...) when it has one, so a reader can tell which failure events
    /// a retrier took.
    pub event_id: u64,
    pub handled_by: ErrorHandling,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ErrorHandling {
    Retry {
        retrier_index: usize,
        attempt: u64,
        delay_ms: Millis,
    },
    Catch {
        catcher_index: usize,
        next: String,
    },
    Unhandled,
}

/// The way a Choice state went: the first rule that matched (by its index in Choices), or
/// Default; and the state it named.
#[derive(Debug, Clone, PartialEq)]
pub enum ChoiceTaken {
    Rule { index: usize, next: String },
    Default { next: String },
}

/// One child run of a Parallel or Map state: a branch, or an iteration (in a distributed Map,
/// a child workflow execution).
#[derive(Debug, Clone, PartialEq)]
pub struct ChildTrace {
    /// The trace of the Parallel or Map state's visit that started it.
    pub parent_trace: usize,
    /// Its index among its siblings: the branch's place in `Branches`, or the item's index.
    pub index: usize,
    pub kind: ChildKind,
    pub input: Value,
    pub status: ChildStatus,
    /// The branch's or iteration's output, once it succeeded.
    pub output: Option<Value>,
    /// Why it failed, once it failed.
    pub error: Option<StatesError>,
    /// When it started, and when it ended (none while it runs), on the simulated clock.
    pub started: Millis,
    pub ended: Option<Millis>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChildKind {
    Branch,
    Iteration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChildStatus {
    Running,
    Succeeded,
    Failed,
    /// Stopped while it ran: a sibling failed, the execution timed out or was stopped.
    Aborted,
}

impl ChildStatus {
    /// The name AWS gives the status of a Map Run's child execution.
    pub fn name(self) -> &'static str {
        match self {
            ChildStatus::Running => "RUNNING",
            ChildStatus::Succeeded => "SUCCEEDED",
            ChildStatus::Failed => "FAILED",
            ChildStatus::Aborted => "ABORTED",
        }
    }
}

impl super::Execution {
    /// Records how the branch or iteration run by `child` ended.
    pub(super) fn trace_child_end(
        &mut self,
        child: &super::Frame,
        result: &Result<std::rc::Rc<Value>, StatesError>,
    ) {
        let Some(trace) = child.child_trace.and_then(|i| self.child_traces.get_mut(i)) else {
            return;
        };
        trace.ended = Some(child.now);
        match result {
            Ok(output) => {
                trace.status = ChildStatus::Succeeded;
                trace.output = Some(Value::clone(output));
            }
            Err(error) => {
                trace.status = ChildStatus::Failed;
                trace.error = Some(error.clone());
            }
        }
    }

    /// Records that the branch or iteration run by `child` was stopped at `now`.
    pub(super) fn trace_child_aborted(&mut self, child: &super::Frame, now: Millis) {
        if let Some(trace) = child.child_trace.and_then(|i| self.child_traces.get_mut(i)) {
            trace.status = ChildStatus::Aborted;
            trace.ended = Some(now);
        }
    }
}
