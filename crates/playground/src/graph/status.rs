//! Each state's status during and after a run, as the AWS console's graph shows it, computed
//! from the history events.

use std::collections::HashMap;

use sfn_playground_data::history::EventClass;

/// The status of one state, as the AWS console colours it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum StateStatus {
    #[default]
    NotRun,
    InProgress,
    Succeeded,
    Failed,
    /// The state failed and a Catcher sent the execution on.
    Caught,
}

impl StateStatus {
    /// The CSS class suffix and `data-status` value: `not-run`, `in-progress`, ...
    pub fn key(self) -> &'static str {
        match self {
            StateStatus::NotRun => "not-run",
            StateStatus::InProgress => "in-progress",
            StateStatus::Succeeded => "succeeded",
            StateStatus::Failed => "failed",
            StateStatus::Caught => "caught",
        }
    }

    /// Text for people (legend, tooltips, screen readers).
    pub fn label(self) -> &'static str {
        match self {
            StateStatus::NotRun => "Not run",
            StateStatus::InProgress => "In progress",
            StateStatus::Succeeded => "Succeeded",
            StateStatus::Failed => "Failed",
            StateStatus::Caught => "Caught error",
        }
    }

    pub const ALL: [StateStatus; 5] = [
        StateStatus::NotRun,
        StateStatus::InProgress,
        StateStatus::Succeeded,
        StateStatus::Failed,
        StateStatus::Caught,
    ];
}

/// The status of every state that has events, from `(event class, state name)` pairs in history
/// order. The caller attributes each event to the state it belongs to (the one whose
/// `...StateEntered` event precedes it) and leaves out events of no state (`ExecutionStarted`).
///
/// The rules, as the AWS console applies them, the last visit of a state winning:
/// - `...StateEntered` and any later event of the state (a task scheduled again for a retry):
///   in progress;
/// - a failure event (`TaskFailed`, `LambdaFunctionTimedOut`, `ParallelStateFailed`,
///   `ExecutionFailed`, ...: [`EventClass::Failed`]) or `FailStateEntered`: failed (a failed
///   Map iteration is not the Map's failure);
/// - `...StateExited`: succeeded, or caught if the state had failed (a Catcher took over);
/// - the execution's own events (`ExecutionSucceeded`, `ExecutionAborted`) and `...Aborted`
///   events change nothing (a stopped run leaves the state as it was: the console's
///   "cancelled" has no colour of its own here).
pub fn statuses_from_events<'a, I>(events: I) -> HashMap<String, StateStatus>
where
    I: IntoIterator<Item = (EventClass, &'a str)>,
{
    let mut tracker = StatusTracker::default();
    for (class, state) in events {
        tracker.apply(class, state);
    }
    tracker.statuses
}

/// The statuses of a run whose history grows event by event, updated incrementally: a run of
/// 25,000 events costs 25,000 updates, not 25,000 recomputations.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StatusTracker {
    statuses: HashMap<String, StateStatus>,
    consumed: usize,
}

impl StatusTracker {
    /// The status of every state seen so far, by state name.
    pub fn statuses(&self) -> &HashMap<String, StateStatus> {
        &self.statuses
    }

    /// Forgets everything (a new run).
    pub fn reset(&mut self) {
        self.statuses.clear();
        self.consumed = 0;
    }

    /// Catches up with `history` (the whole history so far), applying only the events it has
    /// not seen. `state_of` gives an event's `(event class, state name)`, `None` for events of no
    /// state. A history shorter than what was seen is a new run: it starts over. Call
    /// [`StatusTracker::reset`] when a new run starts, since a new run can already be longer.
    /// Returns whether anything was applied.
    pub fn follow<T>(
        &mut self,
        history: &[T],
        state_of: impl Fn(&T) -> Option<(EventClass, &str)>,
    ) -> bool {
        if history.len() < self.consumed {
            self.reset();
        }
        let new = history.get(self.consumed..).unwrap_or_default();
        for event in new {
            if let Some((class, state)) = state_of(event) {
                self.apply(class, state);
            }
        }
        self.consumed = history.len();
        !new.is_empty()
    }

    /// Applies one event `(event class, state name)`; see [`statuses_from_events`] for the rules.
    pub fn apply(&mut self, class: EventClass, state: &str) {
        let out = &mut self.statuses;
        let current = out.get(state).copied().unwrap_or_default();
        let next = match class {
            EventClass::FailStateEntered | EventClass::Failed => StateStatus::Failed,
            EventClass::StateExited => {
                if current == StateStatus::Failed {
                    StateStatus::Caught
                } else {
                    StateStatus::Succeeded
                }
            }
            EventClass::StateEntered => StateStatus::InProgress,
            // The execution's own events (ExecutionSucceeded, ExecutionAborted, ...) and a
            // stop say nothing new about the state they are attributed to.
            EventClass::ExecutionStarted | EventClass::ExecutionSucceeded | EventClass::Aborted => {
                current
            }
            // After a failure only a retry (the work scheduled or started again) resumes the
            // state.
            EventClass::WorkStarted => StateStatus::InProgress,
            EventClass::WorkSucceeded | EventClass::PartFailed => {
                if current == StateStatus::Failed {
                    current
                } else {
                    StateStatus::InProgress
                }
            }
        };
        out.insert(state.to_string(), next);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use StateStatus::*;

    /// The class the worker gives an event type, by its name (crates/worker/tests/session.rs
    /// checks these rules against the engine's event kinds).
    fn class_of(event_type: &str) -> EventClass {
        let t = event_type;
        if t == "FailStateEntered" {
            EventClass::FailStateEntered
        } else if t.ends_with("StateEntered") {
            EventClass::StateEntered
        } else if t.ends_with("StateExited") {
            EventClass::StateExited
        } else if t == "MapIterationFailed" || t == "MapRunFailed" {
            EventClass::PartFailed
        } else if t == "ExecutionStarted" {
            EventClass::ExecutionStarted
        } else if t == "ExecutionSucceeded" {
            EventClass::ExecutionSucceeded
        } else if t.ends_with("Aborted") {
            EventClass::Aborted
        } else if t.ends_with("Failed") || t.ends_with("TimedOut") {
            EventClass::Failed
        } else if t.ends_with("Succeeded") {
            EventClass::WorkSucceeded
        } else {
            EventClass::WorkStarted
        }
    }

    #[test]
    fn a_shorter_history_is_a_new_run() {
        let mut tracker = StatusTracker::default();
        let run1 = [("PassStateEntered", "A"), ("PassStateExited", "A")];
        assert!(tracker.follow(&run1, |&(t, s)| Some((class_of(t), s))));
        assert!(!tracker.follow(&run1, |&(t, s)| Some((class_of(t), s))));
        let run2 = [("TaskStateEntered", "B")];
        tracker.follow(&run2, |&(t, s)| Some((class_of(t), s)));
        assert_eq!(
            tracker.statuses(),
            &HashMap::from([("B".to_string(), InProgress)])
        );
        // Events of no state are skipped.
        tracker.reset();
        tracker.follow(&run1, |_| None);
        assert!(tracker.statuses().is_empty());
    }

    /// A case: what it shows, the events as `(type, state)`, the expected statuses.
    type Case<'a> = (
        &'a str,
        &'a [(&'a str, &'a str)],
        &'a [(&'a str, StateStatus)],
    );

    #[test]
    fn statuses_follow_the_console() {
        let cases: &[Case] = &[
            (
                "a task that succeeds",
                &[
                    ("TaskStateEntered", "A"),
                    ("TaskScheduled", "A"),
                    ("TaskStarted", "A"),
                    ("TaskSucceeded", "A"),
                ],
                &[("A", InProgress)],
            ),
            (
                "exited is succeeded",
                &[("PassStateEntered", "A"), ("PassStateExited", "A")],
                &[("A", Succeeded)],
            ),
            (
                "a failure that is caught",
                &[
                    ("TaskStateEntered", "A"),
                    ("LambdaFunctionScheduled", "A"),
                    ("LambdaFunctionFailed", "A"),
                    ("TaskStateExited", "A"),
                    ("FailStateEntered", "B"),
                    ("ExecutionFailed", "B"),
                ],
                &[("A", Caught), ("B", Failed)],
            ),
            (
                "a retry resumes, then succeeds",
                &[
                    ("TaskStateEntered", "A"),
                    ("TaskScheduled", "A"),
                    ("TaskFailed", "A"),
                    ("TaskScheduled", "A"),
                    ("TaskStarted", "A"),
                    ("TaskSucceeded", "A"),
                    ("TaskStateExited", "A"),
                ],
                &[("A", Succeeded)],
            ),
            (
                "an unhandled failure",
                &[
                    ("TaskStateEntered", "A"),
                    ("TaskTimedOut", "A"),
                    ("ExecutionFailed", "A"),
                ],
                &[("A", Failed)],
            ),
            (
                "a loop: the last visit wins",
                &[
                    ("TaskStateEntered", "A"),
                    ("TaskFailed", "A"),
                    ("TaskStateExited", "A"),
                    ("TaskStateEntered", "A"),
                ],
                &[("A", InProgress)],
            ),
            (
                "a Map with a tolerated failed iteration succeeds",
                &[
                    ("MapStateEntered", "M"),
                    ("MapStateStarted", "M"),
                    ("MapIterationFailed", "M"),
                    ("MapStateSucceeded", "M"),
                    ("MapStateExited", "M"),
                ],
                &[("M", Succeeded)],
            ),
            (
                "a stopped run keeps the state in progress",
                &[
                    ("WaitStateEntered", "W"),
                    ("WaitStateAborted", "W"),
                    ("ExecutionAborted", "W"),
                ],
                &[("W", InProgress)],
            ),
            (
                "the execution's success attributed to the last state changes nothing",
                &[
                    ("SucceedStateEntered", "S"),
                    ("SucceedStateExited", "S"),
                    ("ExecutionSucceeded", "S"),
                ],
                &[("S", Succeeded)],
            ),
            (
                "a Choice that matches nothing fails with the execution",
                &[("ChoiceStateEntered", "C"), ("ExecutionFailed", "C")],
                &[("C", Failed)],
            ),
            (
                "a Parallel whose branch failed, caught",
                &[
                    ("ParallelStateEntered", "P"),
                    ("ParallelStateStarted", "P"),
                    ("TaskStateEntered", "T"),
                    ("TaskFailed", "T"),
                    ("ParallelStateFailed", "P"),
                    ("ParallelStateExited", "P"),
                ],
                &[("P", Caught), ("T", Failed)],
            ),
        ];
        for (what, events, expected) in cases {
            // Fed at once, or as a growing history: the same statuses.
            let mut tracker = StatusTracker::default();
            for end in 0..=events.len() {
                tracker.follow(&events[..end], |&(t, s)| Some((class_of(t), s)));
            }
            let got = statuses_from_events(events.iter().map(|&(t, s)| (class_of(t), s)));
            for (state, status) in *expected {
                assert_eq!(got.get(*state), Some(status), "{what}: {state}");
            }
            assert_eq!(got.len(), expected.len(), "{what}");
            assert_eq!(tracker.statuses(), &got, "{what}: incremental");
        }
    }
}
