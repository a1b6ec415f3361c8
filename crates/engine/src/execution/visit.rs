//! A state visit: the state is entered (its Entered event), does its work over one or more
//! steps (a Wait, a task in flight, a retry, a Parallel's or Map's children), and is left (its
//! Exited event) or fails.

use super::*;
use crate::definition::QueryLanguage;

/// A state being run.
pub(super) struct StateRun {
    pub(super) name: Rc<str>,
    /// The state's position in its machine's states: a run looks its state up by it.
    pub(super) index: usize,
    /// Shared with the state's Entered event.
    pub(super) input: Rc<Value>,
    pub(super) entered_event_id: u64,
    /// The event the Entered event follows (its previousEventId; 0 in a frame not recorded),
    /// kept here because the history may have forgotten the Entered event by the time a
    /// later event links to it.
    pub(super) entered_after: u64,
    pub(super) entered_time: Millis,
    /// Attempts used per retrier.
    pub(super) retry_attempts: Vec<u64>,
    /// Retries so far (`$$.State.RetryCount`).
    pub(super) retry_count: u64,
    /// The visit's entry in `traces`, when traces are recorded.
    pub(super) trace_index: Option<usize>,
    pub(super) phase: Phase,
}

/// Where a state run stands.
pub(super) enum Phase {
    /// Entered; the state's work comes next.
    Entered,
    /// A failed attempt is retried after a back-off.
    Retry { delay_ms: Millis },
    /// A Wait state waiting for its time (its frame's clock): it is left when the frame runs
    /// again.
    Waiting,
    /// A Task state's call in flight: its result comes when the frame runs again.
    Task(Box<TaskInFlight>),
    /// A callback or activity task waiting for its token (`callback.rs`).
    Callback(Box<CallbackInFlight>),
    /// A Parallel or Map state waiting for its branches or iterations.
    Fanout(Box<Fanout>),
}

/// How a state's work ended.
pub(super) enum Outcome {
    /// Leave the state with this output (and these assignments), then follow its transition.
    Exit {
        output: Rc<Value>,
        assigned: flow::Assigned,
    },
    /// Leave the state and end its branch (Succeed).
    EndBranch {
        output: Rc<Value>,
        assigned: flow::Assigned,
    },
    /// Leave a Choice state by its matched rule (the index in `Choices`), or by its Default.
    Goto {
        rule: Option<usize>,
        output: Rc<Value>,
        assigned: flow::Assigned,
    },
    /// The state failed.
    Fail(StatesError),
    /// A Map or Parallel state failed because of a branch or iteration: its Failed event
    /// (and MapRunFailed) come only if no retrier takes the error.
    FanoutFail {
        error: StatesError,
        map_run_event: Option<u64>,
    },
    /// The state waits until its frame's clock (set by `advance_clock`); its work goes on
    /// then, from its `Phase`.
    Block,
    /// The state started its branches or iterations; it goes on when they are done or one
    /// failed.
    AwaitChildren,
}

impl Execution {
    /// Emits the state's Entered event.
    pub(super) fn enter(&mut self, frame: &mut Frame, index: usize, input: Rc<Value>) {
        let machine = Rc::clone(&frame.machine);
        let Some(state) = machine.state_at(index) else {
            frame.action = Action::Done(Err(StatesError::runtime(
                "internal error: a transition to a state that does not exist",
            )));
            return;
        };
        frame.state = Some(Rc::clone(&state.name));
        let entered_after = if frame.recorded { frame.last_event } else { 0 };
        let entered_event_id = self.emit_details(
            frame,
            EventKind::state_entered(state.state_type()),
            EventDetails::state_entered(Rc::clone(&state.name), Rc::clone(&input)),
        );
        let retriers = match &state.kind {
            StateKind::Task(t) => t.retry.len(),
            StateKind::Parallel(p) => p.retry.len(),
            StateKind::Map(m) => m.retry.len(),
            _ => 0,
        };
        let trace_index = self.options.record_traces.then(|| {
            self.traces.push(StateTrace {
                state_name: state.name.to_string(),
                entered_event_id,
                input: Value::clone(&input),
                child: frame.child_trace,
                state_type: Some(state.state_type()),
                jsonata: state.query_language == QueryLanguage::Jsonata,
                variables: (!frame.variables.is_empty()).then(|| Rc::clone(&frame.variables)),
                ..Default::default()
            });
            // The trace just pushed.
            self.traces
                .len()
                .saturating_add(self.traces_forgotten)
                .saturating_sub(1)
        });
        let run = StateRun {
            name: Rc::clone(&state.name),
            index,
            input,
            entered_event_id,
            entered_after,
            entered_time: frame.now,
            retry_attempts: vec![0; retriers],
            retry_count: 0,
            trace_index,
            phase: Phase::Entered,
        };
        // Every state visit needs a box; the last finished one's is reused.
        frame.action = Action::Run(match self.spare_run.take() {
            Some(mut spare) => {
                *spare = run;
                spare
            }
            None => Box::new(run),
        });
    }

    /// Does the state's work for this step.
    pub(super) fn work(&mut self, frame: &mut Frame, run: &mut StateRun) -> Outcome {
        let machine = Rc::clone(&frame.machine);
        let Some(state) = machine.state_at(run.index) else {
            return Outcome::Fail(StatesError::runtime(format!(
                "The state '{}' does not exist",
                run.name
            )));
        };
        if let Phase::Retry { delay_ms } = run.phase {
            run.phase = Phase::Entered;
            if delay_ms > 0 {
                self.advance_clock(frame, frame.now.saturating_add(delay_ms));
                return Outcome::Block;
            }
        }
        let result = match &state.kind {
            StateKind::Pass(pass) => self.run_pass(frame, run, state, pass),
            StateKind::Task(task) => self.run_task(frame, run, state, task),
            StateKind::Choice(choice) => self.run_choice(frame, run, state, choice),
            StateKind::Wait(wait) => self.run_wait(frame, run, state, wait),
            StateKind::Succeed => self.run_succeed(frame, run, state),
            StateKind::Fail(fail) => self.run_fail(frame, run, fail),
            StateKind::Parallel(_) | StateKind::Map(_) => self.run_fanout(frame, run, state),
        };
        match result {
            Ok(outcome) => outcome,
            Err(error) => Outcome::Fail(error),
        }
    }

    /// Acts on a step's outcome: exit, transition, retry, catch or fail.
    pub(super) fn conclude(&mut self, mut frame: Frame, run: Box<StateRun>, outcome: Outcome) {
        let machine = Rc::clone(&frame.machine);
        let Some(state) = machine.state_at(run.index) else {
            frame.action = Action::Done(Err(StatesError::runtime("state vanished")));
            self.frames.push(frame);
            return;
        };
        // A budget that ran out while the state worked fails it, even where an evaluation's
        // error was taken as "nothing found" (a Choice rule's IsPresent): what it found
        // cannot be trusted.
        let outcome = match outcome {
            Outcome::Exit { .. } | Outcome::EndBranch { .. } | Outcome::Goto { .. } => {
                match crate::budget::exhausted() {
                    Some(what) => Outcome::Fail(what.error()),
                    None => outcome,
                }
            }
            other => other,
        };
        match outcome {
            Outcome::Block => {
                frame.action = Action::Run(run);
                self.frames.push(frame);
            }
            Outcome::AwaitChildren => {
                frame.action = Action::Run(run);
                self.frames.wait(frame);
            }
            Outcome::Exit { output, assigned } => {
                // A state that passes its input on unchanged passes a value already checked.
                if !Rc::ptr_eq(&output, &run.input) {
                    if let Err(error) = self.check_payload(&run.name, &output) {
                        return self.conclude(frame, run, Outcome::Fail(error));
                    }
                }
                let next = match &state.transition {
                    Some(Transition::Next(next)) => Some(next.as_str()),
                    _ => None,
                };
                self.leave(frame, &run, state, output, assigned, next);
                self.spare_run = Some(run);
            }
            Outcome::EndBranch { output, assigned } => {
                self.leave(frame, &run, state, output, assigned, None);
                self.spare_run = Some(run);
            }
            Outcome::Goto {
                rule,
                output,
                assigned,
            } => {
                let next = match (&state.kind, rule) {
                    (StateKind::Choice(choice), Some(index)) => {
                        choice.choices.get(index).map(|branch| branch.next.as_str())
                    }
                    (StateKind::Choice(choice), None) => choice.default.as_deref(),
                    _ => None,
                };
                let Some(next) = next else {
                    let error = StatesError::runtime("internal error: a Choice lost its target");
                    return self.conclude(frame, run, Outcome::Fail(error));
                };
                if let Some(trace) = self.trace_of(&run) {
                    let next = next.to_owned();
                    trace.choice = Some(match rule {
                        Some(index) => ChoiceTaken::Rule { index, next },
                        None => ChoiceTaken::Default { next },
                    });
                }
                self.leave(frame, &run, state, output, assigned, Some(next));
                self.spare_run = Some(run);
            }
            Outcome::Fail(error) => {
                let error = crate::budget::state_error(&run.name)
                    .unwrap_or_else(|| self.with_state_context(error, &run));
                self.handle_error(frame, run, state, error, None);
            }
            Outcome::FanoutFail {
                error,
                map_run_event,
            } => {
                self.handle_error(frame, run, state, error, Some(map_run_event));
            }
        }
    }

    /// Leaves a state: its Exited event (with the variables it assigned), the assignments
    /// applied, then its next state or the end of its branch.
    pub(super) fn leave(
        &mut self,
        mut frame: Frame,
        run: &StateRun,
        state: &State,
        output: Rc<Value>,
        assigned: flow::Assigned,
        next: Option<&str>,
    ) {
        if let Some(trace) = self.trace_of(run) {
            trace.output = Some(Value::clone(&output));
            trace.assigned.clone_from(&assigned);
        }
        let name = frame
            .state
            .clone()
            .unwrap_or_else(|| Rc::clone(&state.name));
        // A Fail state is never left: it has no Exited event.
        if let Some(exited) = EventKind::state_exited(state.state_type()) {
            self.emit_details(
                &mut frame,
                exited,
                EventDetails::state_exited(name, Rc::clone(&output), assigned.clone()),
            );
        }
        if let Some(assigned) = assigned {
            Rc::make_mut(&mut frame.variables).extend(assigned);
        }
        frame.action = match next {
            Some(next) => enter_action(&frame.machine, next, output),
            None => Action::Done(Ok(output)),
        };
        self.frames.push(frame);
    }
}
