//! Running an execution step by step on a simulated clock.
//!
//! An execution is a stack of frames: the top-level state machine, and above it the Parallel
//! branch or Map iteration being run. Branches and iterations run one after another (the order
//! AWS's recorded histories show for a concurrency of one), each on its own clock that starts
//! when the Parallel or Map state starts them, so simulated times come out as if they had run
//! concurrently. A step does one piece of work of the top frame and emits its events: entering a
//! state, doing its work and leaving it, one task attempt, or handing a finished branch's result
//! to its parent.

mod fanout;
mod flow;
mod states;
mod task;

use std::collections::HashMap;
use std::rc::Rc;

use serde_json::{json, Map, Value};

use crate::choice;
use crate::context::{context_object, ContextState, ExecutionIdentity};
use crate::dataflow;
use crate::definition::{
    Catcher, ChoiceState, FailState, JitterStrategy, MapState, NumberField, PassState, PathField,
    ProcessorMode, Retrier, State, StateKind, StateMachine, TaskState, Transition, WaitState,
};
use crate::error::{names, StatesError};
use crate::history::{EventDetails, EventKind, History, HistoryEvent};
use crate::intrinsics;
use crate::limits::Limits;
use crate::mocks::{MockResponse, MockSet, TaskCall};
use crate::paths;
use crate::rng::Rng;
use crate::template::{self, EvalEnv};
use crate::time::{format_iso, parse_aws_timestamp, Millis, DEFAULT_START};

/// How many actions a step may take without emitting an event (see [`Execution::step`]).
pub const MAX_SILENT_ACTIONS: usize = 10_000;

/// AWS's default TimeoutSeconds of a Task state.
const DEFAULT_TASK_TIMEOUT_SECONDS: u64 = 99_999_999;

/// How an execution is run.
#[derive(Debug, Clone)]
pub struct ExecutionOptions {
    pub identity: ExecutionIdentity,
    /// When the execution starts on the simulated clock.
    pub start_time: Millis,
    /// Drives retry jitter, States.UUID and States.MathRandom.
    pub seed: u64,
    pub limits: Limits,
    /// Keep a [`StateTrace`] of every state visit (the playground's inspector, `sfn-play run
    /// --trace`). Off, a run keeps only its history: each trace copies a visit's data up to
    /// seven times.
    pub record_traces: bool,
}

impl Default for ExecutionOptions {
    fn default() -> Self {
        ExecutionOptions {
            identity: ExecutionIdentity::default(),
            start_time: DEFAULT_START,
            seed: 0,
            limits: Limits::default(),
            record_traces: true,
        }
    }
}

/// Where an execution stands.
#[derive(Debug, Clone, PartialEq)]
pub enum ExecutionStatus {
    Running,
    Succeeded {
        /// Shared with the ExecutionSucceeded event.
        output: Rc<Value>,
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

/// What happened to the data in one visit of a state, stage by stage, as AWS's TestState API
/// reports it. A stage the state does not have (or did not reach) is `None`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StateTrace {
    pub state_name: String,
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
}

#[derive(Debug, Clone, PartialEq)]
pub struct TracedError {
    pub error: StatesError,
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

/// One run of a state machine. Advance it with [`Execution::step`] or [`Execution::run`].
pub struct Execution {
    root: Rc<StateMachine>,
    /// Parallel branches and Map item processors by (state pointer, branch index).
    sub_machines: HashMap<(String, usize), Rc<StateMachine>>,
    /// Shared with the ExecutionStarted event and the first state's input.
    input: Rc<Value>,
    mocks: MockSet,
    options: ExecutionOptions,
    start_iso: String,
    rng: Rng,
    status: ExecutionStatus,
    history: History,
    traces: Vec<StateTrace>,
    /// The box of the last state run that ended, for the next one (see `enter`).
    spare_run: Option<Box<StateRun>>,
    frames: Vec<Frame>,
    started: bool,
}

/// One running state machine: the top level, a Parallel branch or a Map iteration.
struct Frame {
    machine: Rc<StateMachine>,
    /// `$$.Map.Item` of a Map iteration.
    map_item: Option<(usize, Rc<Value>)>,
    /// This frame's simulated clock.
    now: Millis,
    /// The event the next event of this frame follows (`previousEventId`).
    last_event: u64,
    /// False inside a distributed Map: its iterations are child executions with histories of
    /// their own, not events of this one.
    recorded: bool,
    /// The state this frame is in, named in its events.
    state: Option<Rc<str>>,
    /// The workflow variables this frame sees: its own and, read-only, its parents' as they
    /// were when it started (a Map iteration or Parallel branch cannot assign outer ones).
    variables: Rc<Map<String, Value>>,
    action: Action,
}

enum Action {
    /// Enter the state at this index of the frame's machine's states.
    Enter {
        state: usize,
        input: Rc<Value>,
    },
    Run(Box<StateRun>),
    /// The frame has ended with this output (shared with its last state's Exited event) or
    /// error.
    Done(Result<Rc<Value>, StatesError>),
    /// What a frame holds while its action is being carried out.
    Vacant,
}

/// The action that enters the state `name` of `machine`, or fails if there is none (validation
/// makes sure there always is).
fn enter_action(machine: &StateMachine, name: &str, input: Rc<Value>) -> Action {
    match machine.states.get_index_of(name) {
        Some(state) => Action::Enter { state, input },
        None => Action::Done(Err(StatesError::runtime(format!(
            "The state '{name}' does not exist"
        )))),
    }
}

/// A state being run.
struct StateRun {
    name: Rc<str>,
    /// The state's position in its machine's states: a run looks its state up by it.
    index: usize,
    /// Shared with the state's Entered event.
    input: Rc<Value>,
    entered_event_id: u64,
    entered_time: Millis,
    /// Attempts used per retrier.
    retry_attempts: Vec<u64>,
    /// Retries so far (`$$.State.RetryCount`).
    retry_count: u64,
    /// The visit's entry in `traces`, when traces are recorded.
    trace_index: Option<usize>,
    phase: Phase,
}

enum Phase {
    /// Entered; the state's work comes next.
    Entered,
    /// A failed attempt is retried after a back-off.
    Retry { delay_ms: Millis },
    /// A Parallel or Map state waiting for its branches or iterations.
    Fanout(Box<Fanout>),
}

/// A branch's or iteration's input, and for an iteration its index and `$$.Map.Item.Value`.
type FanoutChild = (Rc<Value>, Option<(usize, Rc<Value>)>);

struct Fanout {
    is_map: bool,
    distributed: bool,
    /// Each branch's or item's input, and `$$.Map.Item` for items.
    children: Vec<FanoutChild>,
    machines: Vec<Rc<StateMachine>>,
    results: Vec<Value>,
    /// The next child to start.
    next: usize,
    failures: usize,
    /// A failure that fails the state, taken on its next step.
    failure: Option<StatesError>,
    tolerated_count: Option<u64>,
    tolerated_percentage: Option<f64>,
    /// 0 for no limit.
    max_concurrency: usize,
    started_at: Millis,
    end_times: Vec<Millis>,
    map_run_event: u64,
    last_iteration_succeeded: u64,
}

/// How a state's work ended.
enum Outcome {
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
    /// Run this branch or iteration first; the state goes on when it is done.
    StartChild(Box<Frame>),
    /// The execution's TimeoutSeconds ran out while the state waited.
    TimedOut,
}

impl Execution {
    pub fn new(
        machine: StateMachine,
        input: Value,
        mocks: MockSet,
        options: ExecutionOptions,
    ) -> Self {
        let root = Rc::new(machine);
        let mut sub_machines = HashMap::new();
        collect_sub_machines(&root, &mut sub_machines);
        let input = Rc::new(input);
        Execution {
            root,
            sub_machines,
            input,
            mocks,
            start_iso: format_iso(options.start_time),
            rng: Rng::new(options.seed),
            options,
            status: ExecutionStatus::Running,
            history: History::default(),
            traces: Vec::new(),
            spare_run: None,
            frames: Vec::new(),
            started: false,
        }
    }

    /// Advances by one step and returns the events it added: at least one while the execution
    /// runs, none once it has ended. A step goes on until something shows, because some actions
    /// (a branch handing its result to its Parallel state) emit nothing. The one exception:
    /// the child runs of a distributed Map emit no events into this history, so a step gives up
    /// after [`MAX_SILENT_ACTIONS`] actions without one and returns nothing while still running.
    pub fn step(&mut self) -> &[HistoryEvent] {
        self.history.begin_step();
        let before = self.history.len();
        let mut actions = 0usize;
        while self.status == ExecutionStatus::Running
            && self.history.len() == before
            && actions < MAX_SILENT_ACTIONS
        {
            self.advance();
            self.enforce_timeout();
            self.enforce_history_limit();
            actions = actions.saturating_add(1);
        }
        self.history.since_step()
    }

    /// Runs to the end and returns the final status.
    pub fn run(&mut self) -> &ExecutionStatus {
        while self.status == ExecutionStatus::Running {
            self.step();
        }
        &self.status
    }

    /// Stops a running execution, as StopExecution does.
    pub fn stop(&mut self, error: Option<String>, cause: Option<String>) {
        if self.status != ExecutionStatus::Running {
            return;
        }
        let mut details = Map::new();
        if let Some(e) = &error {
            details.insert("error".into(), json!(e));
        }
        if let Some(c) = &cause {
            details.insert("cause".into(), json!(c));
        }
        let (now, last) = self
            .frames
            .first()
            .map(|f| (f.now, f.last_event))
            .unwrap_or((self.options.start_time, 0));
        self.push_event(
            now,
            last,
            None,
            EventKind::ExecutionAborted,
            Some(("executionAbortedEventDetails", Value::Object(details))),
        );
        self.frames.clear();
        self.status = ExecutionStatus::Aborted;
    }

    pub fn status(&self) -> &ExecutionStatus {
        &self.status
    }

    pub fn history(&self) -> &History {
        &self.history
    }

    /// Each state visit's data-flow stages, in the order the states were entered.
    pub fn traces(&self) -> &[StateTrace] {
        &self.traces
    }

    /// The simulated time of the most advanced frame.
    pub fn now(&self) -> Millis {
        self.history
            .last()
            .map(|e| e.timestamp)
            .unwrap_or(self.options.start_time)
    }

    fn advance(&mut self) {
        if !self.started {
            self.started = true;
            self.start();
            return;
        }
        let Some(mut frame) = self.frames.pop() else {
            // Nothing left to run but no final status: cannot happen once started; end safely.
            self.finish(
                Err(StatesError::runtime(
                    "The execution has no state left to run",
                )),
                0,
                self.options.start_time,
            );
            return;
        };
        match std::mem::replace(&mut frame.action, Action::Vacant) {
            Action::Enter { state, input } => {
                self.enter(&mut frame, state, input);
                self.frames.push(frame);
            }
            Action::Run(mut run) => {
                let outcome = self.work(&mut frame, &mut run);
                self.conclude(frame, run, outcome);
            }
            Action::Done(result) => self.deliver(frame, result),
            Action::Vacant => self.deliver(
                frame,
                Err(StatesError::runtime(
                    "internal error: a frame had nothing to do",
                )),
            ),
        }
    }

    fn start(&mut self) {
        let now = self.options.start_time;
        self.record_event(HistoryEvent {
            id: 0,
            previous_event_id: 0,
            timestamp: now,
            kind: EventKind::ExecutionStarted,
            details: Some(EventDetails::execution_started(
                Rc::clone(&self.input),
                &self.options.identity.role_arn,
            )),
            state_name: None,
        });
        if let Some(max) = self.options.limits.max_payload_bytes {
            if payload_size(&self.input) > max {
                self.finish(
                    Err(StatesError::new(
                        names::DATA_LIMIT_EXCEEDED,
                        "The execution input exceeds the maximum number of bytes service limit.",
                    )),
                    1,
                    now,
                );
                return;
            }
        }
        // AWS links the first state's event to no event (previousEventId 0), not to
        // ExecutionStarted.
        self.frames.push(Frame {
            machine: Rc::clone(&self.root),
            map_item: None,
            now,
            last_event: 0,
            recorded: true,
            state: None,
            variables: Rc::new(Map::new()),
            action: enter_action(&self.root, &self.root.start_at, Rc::clone(&self.input)),
        });
    }

    /// Emits the state's Entered event.
    fn enter(&mut self, frame: &mut Frame, index: usize, input: Rc<Value>) {
        let machine = Rc::clone(&frame.machine);
        let Some(state) = machine.state_at(index) else {
            frame.action = Action::Done(Err(StatesError::runtime(
                "internal error: a transition to a state that does not exist",
            )));
            return;
        };
        frame.state = Some(Rc::clone(&state.name));
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
                ..Default::default()
            });
            // The trace just pushed.
            self.traces.len().saturating_sub(1)
        });
        let run = StateRun {
            name: Rc::clone(&state.name),
            index,
            input,
            entered_event_id,
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
    fn work(&mut self, frame: &mut Frame, run: &mut StateRun) -> Outcome {
        let machine = Rc::clone(&frame.machine);
        let Some(state) = machine.state_at(run.index) else {
            return Outcome::Fail(StatesError::runtime(format!(
                "The state '{}' does not exist",
                run.name
            )));
        };
        if let Phase::Retry { delay_ms } = run.phase {
            run.phase = Phase::Entered;
            if !self.advance_clock(frame, frame.now.saturating_add(delay_ms)) {
                return Outcome::TimedOut;
            }
        }
        let result = match &state.kind {
            StateKind::Pass(pass) => self.run_pass(frame, run, state, pass),
            StateKind::Task(task) => self.run_task(frame, run, state, task),
            StateKind::Choice(choice) => self.run_choice(frame, run, state, choice),
            StateKind::Wait(wait) => self.run_wait(frame, run, state, wait),
            StateKind::Succeed => self.run_succeed(frame, run, state),
            StateKind::Fail(fail) => self.run_fail(frame, run, state, fail),
            StateKind::Parallel(_) | StateKind::Map(_) => self.run_fanout(frame, run, state),
        };
        match result {
            Ok(outcome) => outcome,
            Err(error) => Outcome::Fail(error),
        }
    }

    /// Acts on a step's outcome: exit, transition, retry, catch or fail.
    fn conclude(&mut self, mut frame: Frame, run: Box<StateRun>, outcome: Outcome) {
        let machine = Rc::clone(&frame.machine);
        let Some(state) = machine.state_at(run.index) else {
            frame.action = Action::Done(Err(StatesError::runtime("state vanished")));
            self.frames.push(frame);
            return;
        };
        match outcome {
            Outcome::TimedOut => {
                self.frames.push(frame);
                self.enforce_timeout();
            }
            Outcome::StartChild(child) => {
                frame.action = Action::Run(run);
                self.frames.push(frame);
                self.frames.push(*child);
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
                self.leave(frame, &run, state, output, assigned, Some(next));
                self.spare_run = Some(run);
            }
            Outcome::Fail(error) => {
                let error = self.with_state_context(error, &run);
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

    /// Adds AWS's "An error occurred while executing the state ..." prefix to the errors the
    /// engine raises itself while processing a state's data.
    fn with_state_context(&self, mut error: StatesError, run: &StateRun) -> StatesError {
        let engine_raised = matches!(
            error.error.as_deref(),
            Some(names::RUNTIME)
                | Some(names::QUERY_EVALUATION_ERROR)
                | Some(names::INTRINSIC_FAILURE)
        );
        if engine_raised {
            if let Some(cause) = &error.cause {
                if !cause.starts_with("An error occurred while executing the state") {
                    error.cause = Some(format!(
                        "An error occurred while executing the state '{}' (entered at the event id #{}). {}",
                        run.name, run.entered_event_id, cause
                    ));
                }
            }
        }
        error
    }

    fn handle_error(
        &mut self,
        mut frame: Frame,
        mut run: Box<StateRun>,
        state: &State,
        error: StatesError,
        fanout_failed: Option<Option<u64>>,
    ) {
        let (retriers, catchers, result_path_ok) = match &state.kind {
            StateKind::Task(t) => (&t.retry[..], &t.catch[..], true),
            StateKind::Parallel(p) => (&p.retry[..], &p.catch[..], true),
            StateKind::Map(m) => (&m.retry[..], &m.catch[..], true),
            _ => (&[][..], &[][..], false),
        };
        if result_path_ok {
            if let Some((index, retrier)) = retriers
                .iter()
                .enumerate()
                .find(|(_, r)| error_matches(&r.error_equals, &error))
            {
                let attempts = run.retry_attempts.get(index).copied().unwrap_or(0);
                if attempts < retrier.max_attempts {
                    let delay_ms = self.retry_delay(retrier, attempts);
                    if let Some(slot) = run.retry_attempts.get_mut(index) {
                        *slot = slot.saturating_add(1);
                    }
                    run.retry_count = run.retry_count.saturating_add(1);
                    if let Some(trace) = self.trace_of(&run) {
                        trace.errors.push(TracedError {
                            error,
                            handled_by: ErrorHandling::Retry {
                                retrier_index: index,
                                attempt: attempts.saturating_add(1),
                                delay_ms,
                            },
                        });
                    }
                    run.phase = Phase::Retry { delay_ms };
                    frame.action = Action::Run(run);
                    self.frames.push(frame);
                    return;
                }
            }
            self.emit_fanout_failed(&mut frame, state, fanout_failed);
            if let Some((index, catcher)) = catchers
                .iter()
                .enumerate()
                .find(|(_, c)| error_matches(&c.error_equals, &error))
            {
                if let Some(trace) = self.trace_of(&run) {
                    trace.errors.push(TracedError {
                        error: error.clone(),
                        handled_by: ErrorHandling::Catch {
                            catcher_index: index,
                            next: catcher.next.clone(),
                        },
                    });
                }
                match self.caught_output(&mut frame, &run, state, catcher, &error) {
                    Ok((output, assigned)) => {
                        self.leave(
                            frame,
                            &run,
                            state,
                            Rc::new(output),
                            assigned,
                            Some(&catcher.next),
                        );
                    }
                    Err(e) => {
                        let e = self.with_state_context(e, &run);
                        frame.action = Action::Done(Err(e));
                        self.frames.push(frame);
                    }
                }
                return;
            }
        }
        if let Some(trace) = self.trace_of(&run) {
            trace.errors.push(TracedError {
                error: error.clone(),
                handled_by: ErrorHandling::Unhandled,
            });
        }
        frame.action = Action::Done(Err(error));
        self.frames.push(frame);
    }

    /// The Failed event of a Map or Parallel state whose error no retrier takes (AWS emits
    /// none before a retry), after MapRunFailed for a distributed Map.
    fn emit_fanout_failed(
        &mut self,
        frame: &mut Frame,
        state: &State,
        fanout_failed: Option<Option<u64>>,
    ) {
        let Some(map_run_event) = fanout_failed else {
            return;
        };
        if let Some(run_started) = map_run_event {
            frame.last_event = self.push_event(
                frame.now,
                run_started,
                Some(&state.name),
                EventKind::MapRunFailed,
                None,
            );
        }
        if let Some(failed) = EventKind::state_failed(state.state_type()) {
            self.emit(frame, failed, None);
        }
    }

    /// IntervalSeconds × BackoffRate^attempt, capped by MaxDelaySeconds, with full jitter when
    /// asked: a random delay between 0 and that.
    fn retry_delay(&mut self, retrier: &Retrier, attempts: u64) -> Millis {
        let exponent = i32::try_from(attempts).unwrap_or(i32::MAX);
        let mut seconds = retrier.interval_seconds as f64 * retrier.backoff_rate.powi(exponent);
        if let Some(max) = retrier.max_delay_seconds {
            seconds = seconds.min(max as f64);
        }
        if retrier.jitter_strategy == JitterStrategy::Full {
            seconds *= self.rng.next_f64();
        }
        // Cap at a year so a runaway back-off cannot overflow the clock.
        (seconds.clamp(0.0, 31_536_000.0) * 1000.0).round() as Millis
    }

    /// A finished frame hands its result to its parent (a Parallel or Map state), or ends the
    /// execution.
    fn deliver(&mut self, child: Frame, result: Result<Rc<Value>, StatesError>) {
        let Some(mut parent) = self.frames.pop() else {
            self.finish(result, child.last_event, child.now);
            return;
        };
        let Action::Run(mut run) = std::mem::replace(&mut parent.action, Action::Vacant) else {
            self.frames.push(parent);
            return;
        };
        if let Phase::Fanout(fanout) = &mut run.phase {
            let index = fanout.next.saturating_sub(1);
            if let Some(end) = fanout.end_times.get_mut(index) {
                *end = child.now;
            }
            let recorded = child.recorded && parent.recorded;
            let iteration_events = fanout.is_map && !fanout.distributed && recorded;
            match result {
                Ok(output) => {
                    if iteration_events {
                        fanout.last_iteration_succeeded = self.push_map_iteration(
                            child.now,
                            child.last_event,
                            &run.name,
                            EventKind::MapIterationSucceeded,
                            "mapIterationSucceededEventDetails",
                            index,
                        );
                    }
                    // The output stays in the history too: the Map's or Parallel's own copy.
                    fanout.results.push(Rc::unwrap_or_clone(output));
                }
                Err(error) => {
                    if iteration_events {
                        self.push_map_iteration(
                            child.now,
                            child.last_event,
                            &run.name,
                            EventKind::MapIterationFailed,
                            "mapIterationFailedEventDetails",
                            index,
                        );
                    }
                    fanout.failures = fanout.failures.saturating_add(1);
                    // A Map tolerating failures records the failed item's error output.
                    let mut error_output = Map::new();
                    if let Some(e) = &error.error {
                        error_output.insert("Error".into(), json!(e));
                    }
                    if let Some(c) = &error.cause {
                        error_output.insert("Cause".into(), json!(c));
                    }
                    fanout.results.push(Value::Object(error_output));
                    if !fanout.has_tolerance() {
                        fanout.failure = Some(error);
                    } else if !fanout.tolerates_failures() {
                        fanout.failure = Some(StatesError::new(
                            names::EXCEED_TOLERATED_FAILURE_THRESHOLD,
                            "The specified tolerated failure threshold was exceeded",
                        ));
                    }
                }
            }
            if recorded {
                // Inside the state, the next event follows the child's last one.
                parent.last_event = child.last_event;
            }
        }
        parent.action = Action::Run(run);
        self.frames.push(parent);
    }

    /// Ends the execution with the top frame's result.
    fn finish(&mut self, result: Result<Rc<Value>, StatesError>, last_event: u64, now: Millis) {
        match result {
            Ok(output) => {
                if let Err(error) = self.check_payload("execution", &output) {
                    return self.finish(Err(error), last_event, now);
                }
                self.record_event(HistoryEvent {
                    id: 0,
                    previous_event_id: last_event,
                    timestamp: now,
                    kind: EventKind::ExecutionSucceeded,
                    details: Some(EventDetails::execution_succeeded(Rc::clone(&output))),
                    state_name: None,
                });
                self.status = ExecutionStatus::Succeeded { output };
            }
            Err(error) => {
                let mut details = Map::new();
                if let Some(e) = &error.error {
                    details.insert("error".into(), json!(e));
                }
                if let Some(c) = &error.cause {
                    details.insert("cause".into(), json!(c));
                }
                self.push_event(
                    now,
                    last_event,
                    None,
                    EventKind::ExecutionFailed,
                    Some(("executionFailedEventDetails", Value::Object(details))),
                );
                self.status = ExecutionStatus::Failed {
                    error: error.error,
                    cause: error.cause,
                };
            }
        }
        self.frames.clear();
    }

    /// When the state machine's TimeoutSeconds runs out.
    fn deadline(&self) -> Option<Millis> {
        self.root
            .timeout_seconds
            .map(|s| self.options.start_time.saturating_add(seconds_to_ms(s)))
    }

    /// Moves the frame's clock to `until`, or to the deadline if that comes first (then false).
    fn advance_clock(&self, frame: &mut Frame, until: Millis) -> bool {
        match self.deadline() {
            Some(deadline) if until > deadline => {
                frame.now = frame.now.max(deadline.saturating_add(1));
                false
            }
            _ => {
                frame.now = frame.now.max(until);
                true
            }
        }
    }

    /// The state machine's TimeoutSeconds: past it the execution times out.
    fn enforce_timeout(&mut self) {
        let Some(deadline) = self.deadline() else {
            return;
        };
        let latest = self
            .frames
            .iter()
            .map(|f| f.now)
            .max()
            .unwrap_or(self.options.start_time);
        if self.status != ExecutionStatus::Running || latest <= deadline {
            return;
        }
        let last = self.history.last().map(|e| e.id).unwrap_or(0);
        let error = Some(names::TIMEOUT.to_string());
        let details = json!({"error": names::TIMEOUT});
        self.push_event(
            deadline,
            last,
            None,
            EventKind::ExecutionTimedOut,
            Some(("executionTimedOutEventDetails", details)),
        );
        self.status = ExecutionStatus::TimedOut { error, cause: None };
        self.frames.clear();
    }

    fn enforce_history_limit(&mut self) {
        let Some(max) = self.options.limits.max_history_events else {
            return;
        };
        if self.status == ExecutionStatus::Running && self.history.len().saturating_add(1) >= max {
            let (now, last) = self
                .frames
                .first()
                .map(|f| (f.now, f.last_event))
                .unwrap_or((self.now(), 0));
            let last = self.history.last().map(|e| e.id).unwrap_or(last);
            self.finish(
                Err(StatesError::runtime(format!(
                    "The execution reached the maximum number of history events ({max})."
                ))),
                last,
                now,
            );
        }
    }

    fn check_payload(&self, name: &str, value: &Value) -> Result<(), StatesError> {
        // Always checked, limits or not: a deeper value would overflow the stack.
        if crate::limits::nested_deeper_than(value, crate::limits::MAX_PAYLOAD_NESTING) {
            return Err(StatesError::runtime(format!(
                "The state/task '{name}' returned a result nested more than {} levels deep.",
                crate::limits::MAX_PAYLOAD_NESTING
            )));
        }
        match self.options.limits.max_payload_bytes {
            Some(max) if payload_size(value) > max => Err(StatesError::new(
                names::DATA_LIMIT_EXCEEDED,
                format!("The state/task '{name}' returned a result with a size exceeding the maximum number of bytes service limit."),
            )),
            _ => Ok(()),
        }
    }

    /// The trace of `run`'s visit, when traces are recorded.
    fn trace_of(&mut self, run: &StateRun) -> Option<&mut StateTrace> {
        self.traces.get_mut(run.trace_index?)
    }

    // ----- events -------------------------------------------------------------------------

    /// Emits an event of `frame`, linked to the frame's last event.
    fn emit(&mut self, frame: &mut Frame, kind: EventKind, details: Option<(&str, Value)>) -> u64 {
        let details = details.map(|(key, value)| EventDetails::new(key, value));
        self.emit_event(frame, kind, details)
    }

    /// [`Execution::emit`] of an event whose details are built by [`EventDetails`] (the
    /// Entered and Exited events every state has).
    fn emit_details(&mut self, frame: &mut Frame, kind: EventKind, details: EventDetails) -> u64 {
        self.emit_event(frame, kind, Some(details))
    }

    fn emit_event(
        &mut self,
        frame: &mut Frame,
        kind: EventKind,
        details: Option<EventDetails>,
    ) -> u64 {
        if !frame.recorded {
            return 0;
        }
        let id = self.record_event(HistoryEvent {
            id: 0,
            previous_event_id: frame.last_event,
            timestamp: frame.now,
            kind,
            details,
            state_name: frame.state.clone(),
        });
        frame.last_event = id;
        id
    }

    fn push_event(
        &mut self,
        timestamp: Millis,
        previous_event_id: u64,
        state: Option<&str>,
        kind: EventKind,
        details: Option<(&str, Value)>,
    ) -> u64 {
        self.record_event(HistoryEvent {
            id: 0,
            previous_event_id,
            timestamp,
            kind,
            details: details.map(|(key, value)| EventDetails::new(key, value)),
            state_name: state.map(Rc::from),
        })
    }

    /// A Map iteration's event (Started, Succeeded, Failed) of the Map state `name`.
    fn push_map_iteration(
        &mut self,
        timestamp: Millis,
        previous_event_id: u64,
        name: &Rc<str>,
        kind: EventKind,
        key: &'static str,
        index: usize,
    ) -> u64 {
        let name = Rc::clone(name);
        self.record_event(HistoryEvent {
            id: 0,
            previous_event_id,
            timestamp,
            kind,
            details: Some(EventDetails::map_iteration(
                key,
                index as u64,
                Rc::clone(&name),
            )),
            state_name: Some(name),
        })
    }

    /// Appends `event` to the history with the next id, and returns the id.
    fn record_event(&mut self, mut event: HistoryEvent) -> u64 {
        let id = (self.history.len() as u64).saturating_add(1);
        event.id = id;
        self.history.push(event);
        id
    }

    /// Leaves a state: its Exited event (with the variables it assigned), the assignments
    /// applied, then its next state or the end of its branch.
    fn leave(
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

    // ----- the context object ---------------------------------------------------------------

    fn context(&self, frame: &Frame, run: &StateRun, task_token: Option<&str>) -> Value {
        let is_task = matches!(
            frame.machine.state_at(run.index).map(|s| &s.kind),
            Some(StateKind::Task(_))
        );
        let entered = format_iso(run.entered_time);
        context_object(
            &self.options.identity,
            &ContextState {
                execution_input: &self.input,
                execution_start_time: &self.start_iso,
                state_name: &run.name,
                state_entered_time: &entered,
                retry_count: is_task.then_some(run.retry_count),
                map_item: frame.map_item.as_ref().map(|(i, v)| (*i, &**v)),
                task_token,
            },
        )
    }
}

/// Whether an error matches a retrier's or catcher's ErrorEquals. States.Runtime never
/// matches: AWS neither retries nor catches it, even when named. `States.ALL` matches every
/// other error; `States.TaskFailed` every error a task raised except States.Timeout.
fn error_matches(error_equals: &[String], error: &StatesError) -> bool {
    let name = error.name();
    if name == names::RUNTIME {
        return false;
    }
    error_equals.iter().any(|candidate| {
        candidate == name
            || candidate == names::ALL
            || (candidate == names::TASK_FAILED
                && name != names::TIMEOUT
                && !name.starts_with("States."))
    })
}

fn collect_sub_machines(
    machine: &StateMachine,
    out: &mut HashMap<(String, usize), Rc<StateMachine>>,
) {
    for state in machine.states.values() {
        match &state.kind {
            StateKind::Parallel(parallel) => {
                for (i, branch) in parallel.branches.iter().enumerate() {
                    out.insert((state.pointer.clone(), i), Rc::new(branch.clone()));
                    collect_sub_machines(branch, out);
                }
            }
            StateKind::Map(map) => {
                out.insert(
                    (state.pointer.clone(), 0),
                    Rc::new((*map.item_processor).clone()),
                );
                collect_sub_machines(&map.item_processor, out);
            }
            _ => {}
        }
    }
}

fn payload_size(value: &Value) -> usize {
    serde_json::to_string(value).map(|s| s.len()).unwrap_or(0)
}

fn seconds_to_ms(seconds: u64) -> Millis {
    Millis::try_from(seconds.saturating_mul(1000)).unwrap_or(Millis::MAX / 2)
}

/// A value as AWS prints it in a cause: strings without quotes, the rest as JSON.
fn plain_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
