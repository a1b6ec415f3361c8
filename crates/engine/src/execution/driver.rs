//! Running an execution to its end within bounds: the one step loop of the CLI (`sfn-play run`
//! and `conformance`) and the benchmark runners.
//!
//! [`Execution::run`] steps until the execution ends, which a stuck engine never does. Here a
//! run also stops after a number of steps ([`RunBounds::max_steps`]) or when too many steps in
//! a row add no event ([`RunBounds::max_idle_steps`]), and [`RunEnd`] says which way it ended.

use std::fmt;
use std::ops::ControlFlow;

use super::{Execution, ExecutionStatus};
use crate::history::HistoryEvent;

/// Steps in a row without a new event after which a running execution counts as stuck.
pub const MAX_IDLE_STEPS: u64 = 10_000;

/// When a run stops short of the execution's end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunBounds {
    /// Stop after this many steps (`sfn-play run --max-steps`); `None`: no limit.
    pub max_steps: Option<u64>,
    /// Stop after this many steps in a row that add no event. A step may add none (the child
    /// runs of a distributed Map emit no events here, see [`Execution::step`]); only a long run
    /// of them means the engine is stuck, which is reported rather than spun on forever.
    pub max_idle_steps: u64,
}

impl Default for RunBounds {
    fn default() -> Self {
        RunBounds {
            max_steps: None,
            max_idle_steps: MAX_IDLE_STEPS,
        }
    }
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunEnd {
    /// The execution ended: its status is final.
    Finished { steps: u64 },
    /// Still running after `steps` steps, the most [`RunBounds::max_steps`] allows.
    MaxSteps { steps: u64 },
    /// Still running, and the last `idle_steps` steps ([`RunBounds::max_idle_steps`]) added
    /// no event.
    NoProgress { idle_steps: u64 },
    /// The caller's `on_step` asked to stop after `steps` steps.
    Interrupted { steps: u64 },
    /// Still running after `steps` steps, waiting for a caller to answer a task token (a
    /// callback or activity no mock answers: [`Execution::waiting_tasks`],
    /// [`Execution::answer_task`]).
    AwaitingAnswer { steps: u64 },
}

/// The messages the CLI prints: "the engine made no progress in 10000 steps"...
impl fmt::Display for RunEnd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunEnd::Finished { steps } => write!(f, "finished in {steps} steps"),
            RunEnd::MaxSteps { steps } => write!(f, "did not finish within {steps} steps"),
            RunEnd::NoProgress { idle_steps } => {
                write!(f, "the engine made no progress in {idle_steps} steps")
            }
            RunEnd::Interrupted { steps } => write!(f, "stopped after {steps} steps"),
            RunEnd::AwaitingAnswer { steps } => write!(
                f,
                "waiting for an answer to a task token after {steps} steps"
            ),
        }
    }
}

/// Steps `execution` until it ends or a bound stops it.
pub fn run_to_end(execution: &mut Execution, bounds: RunBounds) -> RunEnd {
    run_to_end_with(execution, bounds, |_| ControlFlow::Continue(()))
}

/// As [`run_to_end`], handing each step's events to `on_step` (`sfn-play run --trace` prints
/// them), which may stop the run by returning `Break` (a wall-clock budget, say: the engine
/// has no clock of its own, it also runs in the browser).
pub fn run_to_end_with(
    execution: &mut Execution,
    bounds: RunBounds,
    on_step: impl FnMut(&[HistoryEvent]) -> ControlFlow<()>,
) -> RunEnd {
    // The execution's budget stays the thread's across the steps (`Execution::step` would
    // make it so at each one).
    execution.install_meter();
    let end = drive(execution, bounds, on_step);
    execution.uninstall_meter();
    end
}

fn drive(
    execution: &mut Execution,
    bounds: RunBounds,
    mut on_step: impl FnMut(&[HistoryEvent]) -> ControlFlow<()>,
) -> RunEnd {
    run_to_end_observed(execution, bounds, |execution| {
        on_step(execution.step_events())
    })
}

/// As [`run_to_end_with`], handing the execution itself to `on_step` after each step: the
/// step's events are [`Execution::step_events`], and the caller may forget the traces it has
/// consumed ([`Execution::forget_traces_before`]).
pub fn run_to_end_observed(
    execution: &mut Execution,
    bounds: RunBounds,
    mut on_step: impl FnMut(&mut Execution) -> ControlFlow<()>,
) -> RunEnd {
    let mut steps: u64 = 0;
    let mut idle_steps: u64 = 0;
    loop {
        if *execution.status() != ExecutionStatus::Running {
            return RunEnd::Finished { steps };
        }
        if execution.awaiting_answer() {
            return RunEnd::AwaitingAnswer { steps };
        }
        if idle_steps >= bounds.max_idle_steps {
            return RunEnd::NoProgress { idle_steps };
        }
        if bounds.max_steps.is_some_and(|max| steps >= max) {
            return RunEnd::MaxSteps { steps };
        }
        steps = steps.saturating_add(1);
        if execution.step().is_empty() {
            idle_steps = idle_steps.saturating_add(1);
        } else {
            idle_steps = 0;
        }
        if on_step(execution).is_break() {
            return RunEnd::Interrupted { steps };
        }
    }
}
