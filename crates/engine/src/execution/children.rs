//! The executions an execution starts: a Distributed Map's child workflow executions (one per
//! item or batch of its Map Run) and the executions a `states:startExecution` Task starts of
//! another state machine in the workspace. On AWS each is an execution of its own, with its own
//! history: the parent's history only names it; here the parent keeps them, so that a user can
//! open one from the parent's event.

use crate::history::HistoryEvent;
use crate::time::Millis;

use super::ExecutionStatus;

/// One execution started by this one, with its whole history.
#[derive(Debug, Clone)]
pub struct ChildExecution {
    /// `arn:aws:states:REGION:ACCOUNT:execution:MACHINE:NAME` (for a Map Run's child:
    /// `...:execution:MACHINE/LABEL:RUN_ID` as AWS names them).
    pub execution_arn: String,
    pub name: String,
    pub state_machine_arn: String,
    pub origin: ChildOrigin,
    pub status: ExecutionStatus,
    pub start: Millis,
    /// When it ended on the simulated clock; none while it runs.
    pub stop: Option<Millis>,
    /// Its history, in `GetExecutionHistory`'s order.
    pub history: Vec<HistoryEvent>,
}

/// Which part of the parent started a child execution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChildOrigin {
    /// An item (or a batch of items) of a Distributed Map's Map Run.
    MapRun {
        /// The Map state's name.
        state: String,
        map_run_arn: String,
        /// The item's or batch's index in the Map Run.
        index: usize,
    },
    /// A `states:startExecution` Task (fire-and-forget, `.sync` or `.sync:2`).
    StartExecution {
        /// The Task state's name.
        state: String,
        /// The id of the parent's event that started it (its TaskSubmitted or TaskSucceeded;
        /// a `.waitForTaskToken` Task's TaskStarted).
        event_id: u64,
        /// The execution whose Task started it: this one's, or, for a child of a child, that
        /// child's (an execution's list holds its descendants too).
        parent_execution_arn: String,
    },
}
