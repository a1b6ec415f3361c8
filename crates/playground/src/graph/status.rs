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
    /// The state was stopped while in progress: a sibling branch or iteration failed, or the
    /// execution timed out or was stopped (its `...StateAborted` event).
    Cancelled,
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
            StateStatus::Cancelled => "cancelled",
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
            StateStatus::Cancelled => "Cancelled",
        }
    }

    pub const ALL: [StateStatus; 6] = [
        StateStatus::NotRun,
        StateStatus::InProgress,
        StateStatus::Succeeded,
        StateStatus::Failed,
        StateStatus::Caught,
        StateStatus::Cancelled,
    ];
}

/// One event as the statuses need it: its class, its state's name (none for the execution's own
/// events), and the state visit it belongs to (events of no known visit count as one visit of
/// their state).
pub type StateEvent<'a> = (EventClass, Option<&'a str>, Option<u32>);

/// The status of every state that has events, from events in history order. The caller
/// attributes each event to the state it belongs to, if any.
///
/// A state is in progress while any of its visits is (several Map iterations or a loop's
/// branches may be in it at once); otherwise it shows how its latest visit to change ended.
/// A visit's status follows the AWS console:
/// - `...StateEntered` and any later event of the visit (a task scheduled again for a retry):
///   in progress;
/// - a failure event (`TaskFailed`, `LambdaFunctionTimedOut`, `ParallelStateFailed`,
///   `ExecutionFailed`, ...: [`EventClass::Failed`]) or `FailStateEntered`: failed (a failed
///   Map iteration is not the Map's failure);
/// - `...StateExited`: succeeded, or caught if the visit had failed (a Catcher took over);
/// - `...StateAborted`: cancelled;
/// - the execution's failure (`ExecutionFailed` of a States.Runtime error in a state, which has
///   no event of its own) fails every visit still in progress; its other events
///   (`ExecutionStarted`, `ExecutionSucceeded`, `ExecutionAborted`) and `MapIterationAborted`
///   change nothing.
pub fn statuses_from_events<'a, I>(events: I) -> HashMap<String, StateStatus>
where
    I: IntoIterator<Item = StateEvent<'a>>,
{
    let mut tracker = StatusTracker::default();
    for (class, state, visit) in events {
        tracker.apply(class, state, visit);
    }
    tracker.statuses
}

/// The statuses of a run whose history grows event by event, updated incrementally: a run of
/// 25,000 events costs 25,000 updates, not 25,000 recomputations.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StatusTracker {
    statuses: HashMap<String, StateStatus>,
    /// Each visit's status, by state and visit.
    visits: HashMap<(String, Option<u32>), StateStatus>,
    /// How many visits of each state are in progress.
    in_progress: HashMap<String, usize>,
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
        self.visits.clear();
        self.in_progress.clear();
        self.consumed = 0;
    }

    /// Catches up with `history` (the whole history so far), applying only the events it has
    /// not seen. `state_of` gives an event's [`StateEvent`], `None` for events of no state. A
    /// history shorter than what was seen is a new run: it starts over. Call
    /// [`StatusTracker::reset`] when a new run starts, since a new run can already be longer.
    /// Returns whether anything was applied.
    pub fn follow<T>(
        &mut self,
        history: &[T],
        state_of: impl Fn(&T) -> Option<StateEvent<'_>>,
    ) -> bool {
        if history.len() < self.consumed {
            self.reset();
        }
        let new = history.get(self.consumed..).unwrap_or_default();
        for event in new {
            if let Some((class, state, visit)) = state_of(event) {
                self.apply(class, state, visit);
            }
        }
        self.consumed = history.len();
        !new.is_empty()
    }

    /// Applies one event; see [`statuses_from_events`] for the rules.
    pub fn apply(&mut self, class: EventClass, state: Option<&str>, visit: Option<u32>) {
        let Some(state) = state else {
            if class == EventClass::Failed {
                let running: Vec<(String, Option<u32>)> = self
                    .visits
                    .iter()
                    .filter(|(_, status)| **status == StateStatus::InProgress)
                    .map(|(key, _)| key.clone())
                    .collect();
                for (state, visit) in running {
                    self.apply(class, Some(&state), visit);
                }
            }
            return;
        };
        let key = (state.to_string(), visit);
        let current = self.visits.get(&key).copied().unwrap_or_default();
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
            EventClass::StateAborted => StateStatus::Cancelled,
            // The execution's own events (ExecutionSucceeded, ExecutionAborted, ...) and a
            // stopped iteration say nothing new about the state they are attributed to.
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
        let was = current == StateStatus::InProgress;
        let is = next == StateStatus::InProgress;
        let running = self.in_progress.entry(key.0.clone()).or_default();
        if was && !is {
            *running = running.saturating_sub(1);
        } else if is && !was {
            *running = running.saturating_add(1);
        }
        let shown = if *running > 0 {
            StateStatus::InProgress
        } else {
            next
        };
        self.statuses.insert(key.0.clone(), shown);
        self.visits.insert(key, next);
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
        } else if t.ends_with("StateAborted") {
            EventClass::StateAborted
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
        assert!(tracker.follow(&run1, |&(t, s)| Some((class_of(t), Some(s), None))));
        assert!(!tracker.follow(&run1, |&(t, s)| Some((class_of(t), Some(s), None))));
        let run2 = [("TaskStateEntered", "B")];
        tracker.follow(&run2, |&(t, s)| Some((class_of(t), Some(s), None)));
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
                "a stopped run cancels the state in progress",
                &[
                    ("WaitStateEntered", "W"),
                    ("WaitStateAborted", "W"),
                    ("ExecutionAborted", "W"),
                ],
                &[("W", Cancelled)],
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
                tracker.follow(&events[..end], |&(t, s)| Some((class_of(t), Some(s), None)));
            }
            let got =
                statuses_from_events(events.iter().map(|&(t, s)| (class_of(t), Some(s), None)));
            for (state, status) in *expected {
                assert_eq!(got.get(*state), Some(status), "{what}: {state}");
            }
            assert_eq!(got.len(), expected.len(), "{what}");
            assert_eq!(tracker.statuses(), &got, "{what}: incremental");
        }
    }

    #[test]
    fn a_state_is_in_progress_while_any_visit_is() {
        use EventClass as C;
        let events = [
            (C::StateEntered, Some("Work"), Some(1)),
            (C::StateEntered, Some("Work"), Some(2)),
            (C::StateEntered, Some("Other"), Some(3)),
            (C::StateExited, Some("Work"), Some(1)),
        ];
        let got = statuses_from_events(events);
        assert_eq!(got["Work"], InProgress, "iteration 2 is still in Work");
        assert_eq!(got["Other"], InProgress, "two states in progress at once");
        let mut tracker = StatusTracker::default();
        tracker.follow(&events, |&e| Some(e));
        let more = [events.as_slice(), &[(C::Failed, Some("Work"), Some(2))]].concat();
        tracker.follow(&more, |&e| Some(e));
        assert_eq!(tracker.statuses()["Work"], Failed, "the last visit to end");
        let more = [
            more.as_slice(),
            &[(C::StateAborted, Some("Other"), Some(3))],
        ]
        .concat();
        tracker.follow(&more, |&e| Some(e));
        assert_eq!(tracker.statuses()["Other"], Cancelled);
    }

    #[test]
    fn the_execution_failing_fails_the_state_in_progress() {
        use EventClass as C;
        let got = statuses_from_events([
            (C::ExecutionStarted, None, None),
            (C::StateEntered, Some("Load"), Some(0)),
            (C::StateExited, Some("Load"), Some(0)),
            (C::StateEntered, Some("Save"), Some(1)),
            (C::Failed, None, None),
        ]);
        assert_eq!(got["Save"], Failed, "States.Runtime at Save");
        assert_eq!(got["Load"], Succeeded);
        let stopped = statuses_from_events([
            (C::StateEntered, Some("Wait"), Some(0)),
            (C::Aborted, None, None),
        ]);
        assert_eq!(stopped["Wait"], InProgress, "a stop says nothing by itself");
    }
}
