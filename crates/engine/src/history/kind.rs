//! The types of history events: AWS's `HistoryEventType`, as far as the engine emits them.

use crate::definition::StateType;

/// The type of a history event, e.g. [`EventKind::TaskStateEntered`]: one of AWS's
/// `HistoryEventType` values, those the engine emits. Its AWS name is [`EventKind::aws_name`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    // The execution.
    ExecutionStarted,
    ExecutionSucceeded,
    ExecutionFailed,
    ExecutionTimedOut,
    ExecutionAborted,
    /// A redrive (RedriveExecution) continues the execution after it failed, timed out or was
    /// stopped.
    ExecutionRedriven,
    // Entering and leaving a state (a Fail state is never left).
    PassStateEntered,
    PassStateExited,
    TaskStateEntered,
    TaskStateExited,
    ChoiceStateEntered,
    ChoiceStateExited,
    WaitStateEntered,
    WaitStateExited,
    SucceedStateEntered,
    SucceedStateExited,
    FailStateEntered,
    ParallelStateEntered,
    ParallelStateExited,
    MapStateEntered,
    MapStateExited,
    // A state in progress stopped because a sibling branch or iteration failed.
    TaskStateAborted,
    WaitStateAborted,
    ParallelStateAborted,
    MapStateAborted,
    // A Parallel state's branches.
    ParallelStateStarted,
    ParallelStateSucceeded,
    ParallelStateFailed,
    // A Map state's iterations, and a distributed Map's run.
    MapStateStarted,
    MapStateSucceeded,
    MapStateFailed,
    MapIterationStarted,
    MapIterationSucceeded,
    MapIterationFailed,
    MapIterationAborted,
    MapRunStarted,
    /// The Map Run of a distributed Map that failed, redriven with its execution.
    MapRunRedriven,
    MapRunSucceeded,
    MapRunFailed,
    MapRunAborted,
    // A Task state calling a service integration.
    TaskScheduled,
    TaskStarted,
    TaskSubmitted,
    TaskSucceeded,
    TaskFailed,
    TaskTimedOut,
    // A Task state calling a Lambda function by its ARN.
    LambdaFunctionScheduled,
    LambdaFunctionStarted,
    LambdaFunctionSucceeded,
    LambdaFunctionFailed,
    LambdaFunctionTimedOut,
    // A Task state calling an activity.
    ActivityScheduled,
    ActivityStarted,
    ActivitySucceeded,
    ActivityFailed,
    ActivityTimedOut,
    // A JSONata expression's failure.
    EvaluationFailed,
}

impl EventKind {
    /// Every kind, in the order declared.
    pub const ALL: [EventKind; 57] = [
        EventKind::ExecutionStarted,
        EventKind::ExecutionSucceeded,
        EventKind::ExecutionFailed,
        EventKind::ExecutionTimedOut,
        EventKind::ExecutionAborted,
        EventKind::ExecutionRedriven,
        EventKind::PassStateEntered,
        EventKind::PassStateExited,
        EventKind::TaskStateEntered,
        EventKind::TaskStateExited,
        EventKind::ChoiceStateEntered,
        EventKind::ChoiceStateExited,
        EventKind::WaitStateEntered,
        EventKind::WaitStateExited,
        EventKind::SucceedStateEntered,
        EventKind::SucceedStateExited,
        EventKind::FailStateEntered,
        EventKind::ParallelStateEntered,
        EventKind::ParallelStateExited,
        EventKind::MapStateEntered,
        EventKind::MapStateExited,
        EventKind::TaskStateAborted,
        EventKind::WaitStateAborted,
        EventKind::ParallelStateAborted,
        EventKind::MapStateAborted,
        EventKind::ParallelStateStarted,
        EventKind::ParallelStateSucceeded,
        EventKind::ParallelStateFailed,
        EventKind::MapStateStarted,
        EventKind::MapStateSucceeded,
        EventKind::MapStateFailed,
        EventKind::MapIterationStarted,
        EventKind::MapIterationSucceeded,
        EventKind::MapIterationFailed,
        EventKind::MapIterationAborted,
        EventKind::MapRunStarted,
        EventKind::MapRunRedriven,
        EventKind::MapRunSucceeded,
        EventKind::MapRunFailed,
        EventKind::MapRunAborted,
        EventKind::TaskScheduled,
        EventKind::TaskStarted,
        EventKind::TaskSubmitted,
        EventKind::TaskSucceeded,
        EventKind::TaskFailed,
        EventKind::TaskTimedOut,
        EventKind::LambdaFunctionScheduled,
        EventKind::LambdaFunctionStarted,
        EventKind::LambdaFunctionSucceeded,
        EventKind::LambdaFunctionFailed,
        EventKind::LambdaFunctionTimedOut,
        EventKind::ActivityScheduled,
        EventKind::ActivityStarted,
        EventKind::ActivitySucceeded,
        EventKind::ActivityFailed,
        EventKind::ActivityTimedOut,
        EventKind::EvaluationFailed,
    ];

    /// AWS's name of the type, as GetExecutionHistory's `type`: e.g. `TaskStateEntered`.
    pub fn aws_name(&self) -> &'static str {
        match self {
            EventKind::ExecutionStarted => "ExecutionStarted",
            EventKind::ExecutionSucceeded => "ExecutionSucceeded",
            EventKind::ExecutionFailed => "ExecutionFailed",
            EventKind::ExecutionTimedOut => "ExecutionTimedOut",
            EventKind::ExecutionAborted => "ExecutionAborted",
            EventKind::ExecutionRedriven => "ExecutionRedriven",
            EventKind::PassStateEntered => "PassStateEntered",
            EventKind::PassStateExited => "PassStateExited",
            EventKind::TaskStateEntered => "TaskStateEntered",
            EventKind::TaskStateExited => "TaskStateExited",
            EventKind::ChoiceStateEntered => "ChoiceStateEntered",
            EventKind::ChoiceStateExited => "ChoiceStateExited",
            EventKind::WaitStateEntered => "WaitStateEntered",
            EventKind::WaitStateExited => "WaitStateExited",
            EventKind::SucceedStateEntered => "SucceedStateEntered",
            EventKind::SucceedStateExited => "SucceedStateExited",
            EventKind::FailStateEntered => "FailStateEntered",
            EventKind::ParallelStateEntered => "ParallelStateEntered",
            EventKind::ParallelStateExited => "ParallelStateExited",
            EventKind::MapStateEntered => "MapStateEntered",
            EventKind::MapStateExited => "MapStateExited",
            EventKind::ParallelStateStarted => "ParallelStateStarted",
            EventKind::ParallelStateSucceeded => "ParallelStateSucceeded",
            EventKind::ParallelStateFailed => "ParallelStateFailed",
            EventKind::MapStateStarted => "MapStateStarted",
            EventKind::MapStateSucceeded => "MapStateSucceeded",
            EventKind::MapStateFailed => "MapStateFailed",
            EventKind::MapIterationStarted => "MapIterationStarted",
            EventKind::MapIterationSucceeded => "MapIterationSucceeded",
            EventKind::MapIterationFailed => "MapIterationFailed",
            EventKind::MapIterationAborted => "MapIterationAborted",
            EventKind::TaskStateAborted => "TaskStateAborted",
            EventKind::WaitStateAborted => "WaitStateAborted",
            EventKind::ParallelStateAborted => "ParallelStateAborted",
            EventKind::MapStateAborted => "MapStateAborted",
            EventKind::MapRunStarted => "MapRunStarted",
            EventKind::MapRunRedriven => "MapRunRedriven",
            EventKind::MapRunSucceeded => "MapRunSucceeded",
            EventKind::MapRunFailed => "MapRunFailed",
            EventKind::MapRunAborted => "MapRunAborted",
            EventKind::TaskScheduled => "TaskScheduled",
            EventKind::TaskStarted => "TaskStarted",
            EventKind::TaskSubmitted => "TaskSubmitted",
            EventKind::TaskSucceeded => "TaskSucceeded",
            EventKind::TaskFailed => "TaskFailed",
            EventKind::TaskTimedOut => "TaskTimedOut",
            EventKind::LambdaFunctionScheduled => "LambdaFunctionScheduled",
            EventKind::LambdaFunctionStarted => "LambdaFunctionStarted",
            EventKind::LambdaFunctionSucceeded => "LambdaFunctionSucceeded",
            EventKind::LambdaFunctionFailed => "LambdaFunctionFailed",
            EventKind::LambdaFunctionTimedOut => "LambdaFunctionTimedOut",
            EventKind::ActivityScheduled => "ActivityScheduled",
            EventKind::ActivityStarted => "ActivityStarted",
            EventKind::ActivitySucceeded => "ActivitySucceeded",
            EventKind::ActivityFailed => "ActivityFailed",
            EventKind::ActivityTimedOut => "ActivityTimedOut",
            EventKind::EvaluationFailed => "EvaluationFailed",
        }
    }

    /// The kind AWS names `name`, if the engine emits it.
    pub fn from_aws_name(name: &str) -> Option<EventKind> {
        EventKind::ALL
            .into_iter()
            .find(|kind| kind.aws_name() == name)
    }

    /// The `<Type>StateEntered` event of a state of type `state_type`.
    pub fn state_entered(state_type: StateType) -> EventKind {
        match state_type {
            StateType::Pass => EventKind::PassStateEntered,
            StateType::Task => EventKind::TaskStateEntered,
            StateType::Choice => EventKind::ChoiceStateEntered,
            StateType::Wait => EventKind::WaitStateEntered,
            StateType::Succeed => EventKind::SucceedStateEntered,
            StateType::Fail => EventKind::FailStateEntered,
            StateType::Parallel => EventKind::ParallelStateEntered,
            StateType::Map => EventKind::MapStateEntered,
        }
    }

    /// The `<Type>StateExited` event of a state of type `state_type`; none for a Fail state,
    /// which ends its branch without being left.
    pub fn state_exited(state_type: StateType) -> Option<EventKind> {
        match state_type {
            StateType::Pass => Some(EventKind::PassStateExited),
            StateType::Task => Some(EventKind::TaskStateExited),
            StateType::Choice => Some(EventKind::ChoiceStateExited),
            StateType::Wait => Some(EventKind::WaitStateExited),
            StateType::Succeed => Some(EventKind::SucceedStateExited),
            StateType::Fail => None,
            StateType::Parallel => Some(EventKind::ParallelStateExited),
            StateType::Map => Some(EventKind::MapStateExited),
        }
    }

    /// The `<Type>StateFailed` event of a Parallel or Map state whose branches or iterations
    /// failed it; no other state type has one.
    pub fn state_failed(state_type: StateType) -> Option<EventKind> {
        match state_type {
            StateType::Parallel => Some(EventKind::ParallelStateFailed),
            StateType::Map => Some(EventKind::MapStateFailed),
            _ => None,
        }
    }

    /// The `<Type>StateAborted` event of a state of type `state_type` stopped while in
    /// progress; none for the types that are never in progress across an instant (Pass,
    /// Choice, Succeed, Fail), which AWS has no such event for.
    pub fn state_aborted(state_type: StateType) -> Option<EventKind> {
        match state_type {
            StateType::Task => Some(EventKind::TaskStateAborted),
            StateType::Wait => Some(EventKind::WaitStateAborted),
            StateType::Parallel => Some(EventKind::ParallelStateAborted),
            StateType::Map => Some(EventKind::MapStateAborted),
            _ => None,
        }
    }

    /// The type of the state this event enters or leaves (`<Type>StateEntered`,
    /// `<Type>StateExited`), if it is one of those.
    pub fn entered_or_exited(&self) -> Option<StateType> {
        StateType::ALL.into_iter().find(|&state_type| {
            EventKind::state_entered(state_type) == *self
                || EventKind::state_exited(state_type) == Some(*self)
        })
    }

    /// Whether this is a `<Type>StateEntered` event.
    pub fn is_state_entered(&self) -> bool {
        self.entered_or_exited()
            .is_some_and(|state_type| EventKind::state_entered(state_type) == *self)
    }

    /// Whether this is a `<Type>StateExited` event.
    pub fn is_state_exited(&self) -> bool {
        self.entered_or_exited()
            .is_some_and(|state_type| EventKind::state_exited(state_type) == Some(*self))
    }

    /// Whether the event reports a failure or a time-out (`...Failed`, `...TimedOut`) of the
    /// execution, a state, a task, an iteration or an expression.
    pub fn is_failure(&self) -> bool {
        matches!(
            self,
            EventKind::ExecutionFailed
                | EventKind::ExecutionTimedOut
                | EventKind::ParallelStateFailed
                | EventKind::MapStateFailed
                | EventKind::MapIterationFailed
                | EventKind::MapRunFailed
                | EventKind::TaskFailed
                | EventKind::TaskTimedOut
                | EventKind::LambdaFunctionFailed
                | EventKind::LambdaFunctionTimedOut
                | EventKind::ActivityFailed
                | EventKind::ActivityTimedOut
                | EventKind::EvaluationFailed
        )
    }

    /// Whether the event ends the execution (Succeeded, Failed, TimedOut, Aborted).
    pub fn ends_execution(&self) -> bool {
        matches!(
            self,
            EventKind::ExecutionSucceeded
                | EventKind::ExecutionFailed
                | EventKind::ExecutionTimedOut
                | EventKind::ExecutionAborted
        )
    }
}

impl std::fmt::Display for EventKind {
    /// The AWS name (padding and width apply).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.aws_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_read_back() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::from_aws_name(kind.aws_name()), Some(kind));
        }
        assert_eq!(EventKind::from_aws_name("FailStateExited"), None);
        assert_eq!(EventKind::from_aws_name("taskStateEntered"), None);
    }

    #[test]
    fn helpers_agree_with_the_names() {
        for kind in EventKind::ALL {
            let name = kind.aws_name();
            assert_eq!(
                kind.is_state_entered(),
                name.ends_with("StateEntered"),
                "{name}"
            );
            assert_eq!(
                kind.is_state_exited(),
                name.ends_with("StateExited"),
                "{name}"
            );
            assert_eq!(
                kind.is_failure(),
                name.ends_with("Failed") || name.ends_with("TimedOut"),
                "{name}"
            );
            assert_eq!(
                kind.ends_execution(),
                name.starts_with("Execution")
                    && name != "ExecutionStarted"
                    && name != "ExecutionRedriven",
                "{name}"
            );
            if let Some(state_type) = kind.entered_or_exited() {
                assert!(name.starts_with(state_type.name()), "{name}");
            }
        }
        for state_type in StateType::ALL {
            let entered = EventKind::state_entered(state_type).aws_name();
            assert_eq!(entered, format!("{}StateEntered", state_type.name()));
            if let Some(exited) = EventKind::state_exited(state_type) {
                assert_eq!(
                    exited.aws_name(),
                    format!("{}StateExited", state_type.name())
                );
            }
            if let Some(failed) = EventKind::state_failed(state_type) {
                assert_eq!(
                    failed.aws_name(),
                    format!("{}StateFailed", state_type.name())
                );
            }
            if let Some(aborted) = EventKind::state_aborted(state_type) {
                assert_eq!(
                    aborted.aws_name(),
                    format!("{}StateAborted", state_type.name())
                );
            }
        }
        assert_eq!(format!("[{:<10}]", EventKind::TaskFailed), "[TaskFailed]");
        assert_eq!(format!("[{:<12}]", EventKind::TaskFailed), "[TaskFailed  ]");
    }
}
