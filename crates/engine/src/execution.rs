//! Running an execution step by step on a simulated clock.
//!
//! An execution is a stack of frames: the top-level state machine, and above it the Parallel
//! branch or Map iteration being run. Branches and iterations run one after another (the order
//! AWS's recorded histories show for a concurrency of one), each on its own clock that starts
//! when the Parallel or Map state starts them, so simulated times come out as if they had run
//! concurrently. A step does one piece of work of the top frame and emits its events: entering a
//! state, doing its work and leaving it, one task attempt, or handing a finished branch's result
//! to its parent.

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
use crate::history::HistoryEvent;
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
    input: Value,
    mocks: MockSet,
    options: ExecutionOptions,
    start_iso: String,
    rng: Rng,
    status: ExecutionStatus,
    history: Vec<HistoryEvent>,
    traces: Vec<StateTrace>,
    frames: Vec<Frame>,
    started: bool,
}

/// One running state machine: the top level, a Parallel branch or a Map iteration.
struct Frame {
    machine: Rc<StateMachine>,
    /// `$$.Map.Item` of a Map iteration.
    map_item: Option<(usize, Value)>,
    /// This frame's simulated clock.
    now: Millis,
    /// The event the next event of this frame follows (`previousEventId`).
    last_event: u64,
    /// False inside a distributed Map: its iterations are child executions with histories of
    /// their own, not events of this one.
    recorded: bool,
    action: Action,
}

enum Action {
    Enter { state: String, input: Value },
    Run(Box<StateRun>),
    Done(Result<Value, StatesError>),
}

/// A state being run.
struct StateRun {
    name: String,
    input: Value,
    entered_event_id: u64,
    entered_time: Millis,
    /// Attempts used per retrier.
    retry_attempts: Vec<u64>,
    /// Retries so far (`$$.State.RetryCount`).
    retry_count: u64,
    trace_index: usize,
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

struct Fanout {
    is_map: bool,
    distributed: bool,
    /// Each branch's or item's input, and `$$.Map.Item` for items.
    children: Vec<(Value, Option<(usize, Value)>)>,
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
    /// Leave the state with this output (already through ResultPath and OutputPath).
    Exit(Value),
    /// The state ended its branch (Succeed) with this output, after its Exited event.
    EndBranch(Value),
    /// Go on to `next` with `input` (Choice), after its Exited event.
    Goto { next: String, output: Value },
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
        Execution {
            root,
            sub_machines,
            input,
            mocks,
            start_iso: format_iso(options.start_time),
            rng: Rng::new(options.seed),
            options,
            status: ExecutionStatus::Running,
            history: Vec::new(),
            traces: Vec::new(),
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
        let before = self.history.len();
        let mut actions = 0;
        while self.status == ExecutionStatus::Running
            && self.history.len() == before
            && actions < MAX_SILENT_ACTIONS
        {
            self.advance();
            self.enforce_timeout();
            self.enforce_history_limit();
            actions += 1;
        }
        &self.history[before..]
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
            "ExecutionAborted",
            Some(("executionAbortedEventDetails", Value::Object(details))),
        );
        self.frames.clear();
        self.status = ExecutionStatus::Aborted;
    }

    pub fn status(&self) -> &ExecutionStatus {
        &self.status
    }

    pub fn history(&self) -> &[HistoryEvent] {
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
        match std::mem::replace(&mut frame.action, Action::Done(Ok(Value::Null))) {
            Action::Enter { state, input } => {
                self.enter(&mut frame, state, input);
                self.frames.push(frame);
            }
            Action::Run(mut run) => {
                let outcome = self.work(&mut frame, &mut run);
                self.conclude(frame, run, outcome);
            }
            Action::Done(result) => self.deliver(frame, result),
        }
    }

    fn start(&mut self) {
        let now = self.options.start_time;
        let details = json!({
            "input": self.input,
            "inputDetails": {"truncated": false},
            "roleArn": self.options.identity.role_arn,
        });
        self.push_event(
            now,
            0,
            "ExecutionStarted",
            Some(("executionStartedEventDetails", details)),
        );
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
            action: Action::Enter {
                state: self.root.start_at.clone(),
                input: self.input.clone(),
            },
        });
    }

    /// Emits the state's Entered event.
    fn enter(&mut self, frame: &mut Frame, name: String, input: Value) {
        let machine = Rc::clone(&frame.machine);
        let Some(state) = machine.state(&name) else {
            frame.action = Action::Done(Err(StatesError::runtime(format!(
                "The state '{name}' does not exist"
            ))));
            return;
        };
        let event_type = format!("{}StateEntered", state.type_name());
        let details = json!({"input": input, "inputDetails": {"truncated": false}, "name": name});
        let entered_event_id = self.emit(
            frame,
            &event_type,
            Some(("stateEnteredEventDetails", details)),
        );
        let retriers = match &state.kind {
            StateKind::Task(t) => t.retry.len(),
            StateKind::Parallel(p) => p.retry.len(),
            StateKind::Map(m) => m.retry.len(),
            _ => 0,
        };
        self.traces.push(StateTrace {
            state_name: name.clone(),
            entered_event_id,
            input: input.clone(),
            ..Default::default()
        });
        frame.action = Action::Run(Box::new(StateRun {
            name,
            input,
            entered_event_id,
            entered_time: frame.now,
            retry_attempts: vec![0; retriers],
            retry_count: 0,
            trace_index: self.traces.len() - 1,
            phase: Phase::Entered,
        }));
    }

    /// Does the state's work for this step.
    fn work(&mut self, frame: &mut Frame, run: &mut StateRun) -> Outcome {
        let machine = Rc::clone(&frame.machine);
        let Some(state) = machine.state(&run.name) else {
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
            StateKind::Fail(fail) => self.run_fail(frame, run, fail),
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
        let Some(state) = machine.state(&run.name) else {
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
            Outcome::Exit(output) => {
                self.traces[run.trace_index].output = Some(output.clone());
                if let Err(error) = self.check_payload(&run.name, &output) {
                    return self.conclude(frame, run, Outcome::Fail(error));
                }
                self.emit_exited(&mut frame, state, &output);
                frame.action = match &state.transition {
                    Some(Transition::Next(next)) => Action::Enter {
                        state: next.clone(),
                        input: output,
                    },
                    _ => Action::Done(Ok(output)),
                };
                self.frames.push(frame);
            }
            Outcome::EndBranch(output) => {
                self.traces[run.trace_index].output = Some(output.clone());
                self.emit_exited(&mut frame, state, &output);
                frame.action = Action::Done(Ok(output));
                self.frames.push(frame);
            }
            Outcome::Goto { next, output } => {
                self.traces[run.trace_index].output = Some(output.clone());
                self.emit_exited(&mut frame, state, &output);
                frame.action = Action::Enter {
                    state: next,
                    input: output,
                };
                self.frames.push(frame);
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
                        *slot += 1;
                    }
                    run.retry_count += 1;
                    self.traces[run.trace_index].errors.push(TracedError {
                        error,
                        handled_by: ErrorHandling::Retry {
                            retrier_index: index,
                            attempt: attempts + 1,
                            delay_ms,
                        },
                    });
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
                self.traces[run.trace_index].errors.push(TracedError {
                    error: error.clone(),
                    handled_by: ErrorHandling::Catch {
                        catcher_index: index,
                        next: catcher.next.clone(),
                    },
                });
                match self.caught_output(catcher, &run.input, &error) {
                    Ok(output) => {
                        self.traces[run.trace_index].output = Some(output.clone());
                        self.emit_exited(&mut frame, state, &output);
                        frame.action = Action::Enter {
                            state: catcher.next.clone(),
                            input: output,
                        };
                    }
                    Err(e) => {
                        let e = self.with_state_context(e, &run);
                        frame.action = Action::Done(Err(e));
                    }
                }
                self.frames.push(frame);
                return;
            }
        }
        self.traces[run.trace_index].errors.push(TracedError {
            error: error.clone(),
            handled_by: ErrorHandling::Unhandled,
        });
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
            frame.last_event = self.push_event(frame.now, run_started, "MapRunFailed", None);
        }
        self.emit(frame, &format!("{}StateFailed", state.type_name()), None);
    }

    fn caught_output(
        &self,
        catcher: &Catcher,
        input: &Value,
        error: &StatesError,
    ) -> Result<Value, StatesError> {
        let mut error_output = Map::new();
        if let Some(e) = &error.error {
            error_output.insert("Error".into(), json!(e));
        }
        if let Some(c) = &error.cause {
            error_output.insert("Cause".into(), json!(c));
        }
        dataflow::apply_result_path(&catcher.result_path, input, Value::Object(error_output))
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
    fn deliver(&mut self, child: Frame, result: Result<Value, StatesError>) {
        let Some(mut parent) = self.frames.pop() else {
            self.finish(result, child.last_event, child.now);
            return;
        };
        let Action::Run(mut run) =
            std::mem::replace(&mut parent.action, Action::Done(Ok(Value::Null)))
        else {
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
                        let details = json!({"index": index, "name": run.name});
                        fanout.last_iteration_succeeded = self.push_event(
                            child.now,
                            child.last_event,
                            "MapIterationSucceeded",
                            Some(("mapIterationSucceededEventDetails", details)),
                        );
                    }
                    fanout.results.push(output);
                }
                Err(error) => {
                    if iteration_events {
                        let details = json!({"index": index, "name": run.name});
                        self.push_event(
                            child.now,
                            child.last_event,
                            "MapIterationFailed",
                            Some(("mapIterationFailedEventDetails", details)),
                        );
                    }
                    fanout.failures += 1;
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
    fn finish(&mut self, result: Result<Value, StatesError>, last_event: u64, now: Millis) {
        match result {
            Ok(output) => {
                if let Err(error) = self.check_payload("execution", &output) {
                    return self.finish(Err(error), last_event, now);
                }
                let details = json!({"output": output, "outputDetails": {"truncated": false}});
                self.push_event(
                    now,
                    last_event,
                    "ExecutionSucceeded",
                    Some(("executionSucceededEventDetails", details)),
                );
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
                    "ExecutionFailed",
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
                frame.now = frame.now.max(deadline + 1);
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
            "ExecutionTimedOut",
            Some(("executionTimedOutEventDetails", details)),
        );
        self.status = ExecutionStatus::TimedOut { error, cause: None };
        self.frames.clear();
    }

    fn enforce_history_limit(&mut self) {
        let Some(max) = self.options.limits.max_history_events else {
            return;
        };
        if self.status == ExecutionStatus::Running && self.history.len() + 1 >= max {
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
        match self.options.limits.max_payload_bytes {
            Some(max) if payload_size(value) > max => Err(StatesError::new(
                names::DATA_LIMIT_EXCEEDED,
                format!("The state/task '{name}' returned a result with a size exceeding the maximum number of bytes service limit."),
            )),
            _ => Ok(()),
        }
    }

    // ----- events -------------------------------------------------------------------------

    /// Emits an event of `frame`, linked to the frame's last event.
    fn emit(&mut self, frame: &mut Frame, event_type: &str, details: Option<(&str, Value)>) -> u64 {
        if !frame.recorded {
            return 0;
        }
        let id = self.push_event(frame.now, frame.last_event, event_type, details);
        frame.last_event = id;
        id
    }

    fn push_event(
        &mut self,
        timestamp: Millis,
        previous_event_id: u64,
        event_type: &str,
        details: Option<(&str, Value)>,
    ) -> u64 {
        let id = self.history.len() as u64 + 1;
        self.history.push(HistoryEvent {
            id,
            previous_event_id,
            timestamp,
            event_type: event_type.to_string(),
            details: details.map(|(k, v)| (k.to_string(), v)),
        });
        id
    }

    fn emit_exited(&mut self, frame: &mut Frame, state: &State, output: &Value) {
        let details =
            json!({"name": state.name, "output": output, "outputDetails": {"truncated": false}});
        self.emit(
            frame,
            &format!("{}StateExited", state.type_name()),
            Some(("stateExitedEventDetails", details)),
        );
    }

    // ----- the context object ---------------------------------------------------------------

    fn context(&self, frame: &Frame, run: &StateRun, task_token: Option<&str>) -> Value {
        let is_task = matches!(
            frame.machine.state(&run.name).map(|s| &s.kind),
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
                map_item: frame.map_item.as_ref().map(|(i, v)| (*i, v)),
                task_token,
            },
        )
    }

    // ----- the state types ------------------------------------------------------------------

    /// InputPath, recorded in the trace.
    fn effective_input(
        &mut self,
        frame: &Frame,
        run: &StateRun,
        state: &State,
    ) -> Result<Value, StatesError> {
        let context = self.context(frame, run, None);
        let value = dataflow::apply_input_path(&state.input_path, &run.input, &context)?;
        self.traces[run.trace_index].after_input_path = Some(value.clone());
        Ok(value)
    }

    fn apply_template(
        &mut self,
        frame: &Frame,
        run: &StateRun,
        template: &Value,
        input: &Value,
        task_token: Option<&str>,
    ) -> Result<Value, StatesError> {
        let context = self.context(frame, run, task_token);
        let mut env = EvalEnv {
            variables: None,
            input,
            context: &context,
            rng: &mut self.rng,
        };
        template::evaluate(template, &mut env)
    }

    /// ResultSelector, ResultPath and OutputPath of a result, each recorded in the trace.
    fn finish_with_result(
        &mut self,
        run: &StateRun,
        state: &State,
        result: Value,
        frame: &Frame,
    ) -> Result<Value, StatesError> {
        self.traces[run.trace_index].result = Some(result.clone());
        let (selector, result_path) = match &state.kind {
            StateKind::Task(t) => (t.result_selector.as_ref(), &t.result_path),
            StateKind::Parallel(p) => (p.result_selector.as_ref(), &p.result_path),
            StateKind::Map(m) => (m.result_selector.as_ref(), &m.result_path),
            StateKind::Pass(p) => (None, &p.result_path),
            _ => (None, &PathField::Default),
        };
        let selected = match selector {
            Some(template) => {
                let selected = self.apply_template(frame, run, template, &result, None)?;
                self.traces[run.trace_index].after_result_selector = Some(selected.clone());
                selected
            }
            None => result,
        };
        self.check_payload(&run.name, &selected)?;
        let combined = dataflow::apply_result_path(result_path, &run.input, selected)?;
        self.traces[run.trace_index].after_result_path = Some(combined.clone());
        let context = self.context(frame, run, None);
        dataflow::apply_output_path(&state.output_path, &combined, &context)
    }

    fn run_pass(
        &mut self,
        frame: &mut Frame,
        run: &mut StateRun,
        state: &State,
        pass: &PassState,
    ) -> Result<Outcome, StatesError> {
        let input = self.effective_input(frame, run, state)?;
        let result = if let Some(result) = &pass.result {
            result.clone()
        } else if let Some(parameters) = &pass.parameters {
            let value = self.apply_template(frame, run, parameters, &input, None)?;
            self.traces[run.trace_index].after_parameters = Some(value.clone());
            value
        } else {
            input
        };
        self.finish_with_result(run, state, result, frame)
            .map(Outcome::Exit)
    }

    fn run_choice(
        &mut self,
        frame: &mut Frame,
        run: &mut StateRun,
        state: &State,
        choice_state: &ChoiceState,
    ) -> Result<Outcome, StatesError> {
        let input = self.effective_input(frame, run, state)?;
        let context = self.context(frame, run, None);
        let mut next = None;
        for branch in &choice_state.choices {
            if choice::evaluate(&branch.rule, &input, &context)? {
                next = Some(branch.next.clone());
                break;
            }
        }
        let Some(next) = next.or_else(|| choice_state.default.clone()) else {
            return Err(StatesError::new(
                names::NO_CHOICE_MATCHED,
                format!("No Matches! An error occurred while executing the state '{}' (entered at the event id #{}).", run.name, run.entered_event_id),
            ));
        };
        let output = dataflow::apply_output_path(&state.output_path, &input, &context)?;
        Ok(Outcome::Goto { next, output })
    }

    fn run_wait(
        &mut self,
        frame: &mut Frame,
        run: &mut StateRun,
        state: &State,
        wait: &WaitState,
    ) -> Result<Outcome, StatesError> {
        let input = self.effective_input(frame, run, state)?;
        let context = self.context(frame, run, None);
        let until = match wait {
            WaitState::Seconds(seconds) => {
                let seconds = seconds.as_u64().ok_or_else(|| StatesError::runtime(format!("The Seconds field is not a non-negative integer: {seconds}")))?;
                frame.now.saturating_add(seconds_to_ms(seconds))
            }
            WaitState::SecondsPath(path) => {
                let value = paths::query(path, &input, &context)
                    .map_err(|_| StatesError::runtime(format!("The SecondsPath parameter does not reference an input value: {path}")))?;
                let seconds = match &value {
                    Value::Number(n) if n.is_i64() || n.is_u64() => n.as_i64().unwrap_or(i64::MAX),
                    other => {
                        return Err(StatesError::runtime(format!(
                            "The SecondsPath parameter cannot be parsed as a long value: {path} == {}",
                            plain_text(other)
                        )))
                    }
                };
                if seconds < 0 {
                    return Err(StatesError::runtime(format!("The SecondsPath parameter references a negative value: {path} == {seconds}")));
                }
                frame.now.saturating_add(seconds_to_ms(seconds as u64))
            }
            WaitState::Timestamp(text) => parse_aws_timestamp(text)
                .ok_or_else(|| StatesError::runtime(format!("The Timestamp parameter does not reference a valid ISO-8601 extended offset date-time format string: {text}")))?,
            WaitState::TimestampPath(path) => {
                let value = paths::query(path, &input, &context)
                    .map_err(|_| StatesError::runtime(format!("The TimestampPath parameter does not reference an input value: {path}")))?;
                value.as_str().and_then(parse_aws_timestamp).ok_or_else(|| {
                    StatesError::runtime(format!(
                        "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: {path} == {}",
                        plain_text(&value)
                    ))
                })?
            }
        };
        if !self.advance_clock(frame, until) {
            return Ok(Outcome::TimedOut);
        }
        let output = dataflow::apply_output_path(&state.output_path, &input, &context)?;
        Ok(Outcome::Exit(output))
    }

    fn run_succeed(
        &mut self,
        frame: &mut Frame,
        run: &mut StateRun,
        state: &State,
    ) -> Result<Outcome, StatesError> {
        let input = self.effective_input(frame, run, state)?;
        let context = self.context(frame, run, None);
        let output = dataflow::apply_output_path(&state.output_path, &input, &context)?;
        Ok(Outcome::EndBranch(output))
    }

    fn run_fail(
        &mut self,
        frame: &mut Frame,
        run: &mut StateRun,
        fail: &FailState,
    ) -> Result<Outcome, StatesError> {
        let context = self.context(frame, run, None);
        let mut read = |field: &str,
                        literal: &Option<String>,
                        path: &Option<String>|
         -> Result<Option<String>, StatesError> {
            if let Some(text) = literal {
                return Ok(Some(text.clone()));
            }
            let Some(path) = path else { return Ok(None) };
            let value = if intrinsics::is_intrinsic(path) {
                let mut env = EvalEnv {
                    variables: None,
                    input: &run.input,
                    context: &context,
                    rng: &mut self.rng,
                };
                intrinsics::evaluate_field(path, field, &mut env)?
            } else {
                paths::query(path, &run.input, &context).map_err(|_| {
                    StatesError::runtime(format!(
                        "The JSONPath '{path}' specified for the field '{field}' could not be found in the input '{}'",
                        run.input
                    ))
                })?
            };
            Ok(Some(match value {
                Value::String(s) => s,
                other => other.to_string(),
            }))
        };
        let error = read("ErrorPath", &fail.error, &fail.error_path)?;
        let cause = read("CausePath", &fail.cause, &fail.cause_path)?;
        Ok(Outcome::Fail(StatesError { error, cause }))
    }

    fn run_task(
        &mut self,
        frame: &mut Frame,
        run: &mut StateRun,
        state: &State,
        task: &TaskState,
    ) -> Result<Outcome, StatesError> {
        let input = self.effective_input(frame, run, state)?;
        let kind = ResourceKind::of(&task.resource);
        // Callback and .sync integrations get a task token (`$$.Task.Token`).
        let task_token =
            if task.resource.contains(".waitForTaskToken") || task.resource.contains(".sync") {
                Some(self.rng.uuid_v4())
            } else {
                None
            };
        let parameters = match &task.parameters {
            Some(template) => {
                let value =
                    self.apply_template(frame, run, template, &input, task_token.as_deref())?;
                self.traces[run.trace_index].after_parameters = Some(value.clone());
                value
            }
            None => input,
        };
        let timeout = self.seconds_field(
            frame,
            run,
            task.timeout_seconds.as_ref(),
            "TimeoutSecondsPath",
        )?;
        let heartbeat = self.seconds_field(
            frame,
            run,
            task.heartbeat_seconds.as_ref(),
            "HeartbeatSecondsPath",
        )?;
        let credentials = match &task.credentials {
            Some(template) => {
                let input = self.traces[run.trace_index]
                    .after_input_path
                    .clone()
                    .unwrap_or(Value::Null);
                Some(self.apply_template(frame, run, template, &input, None)?)
            }
            None => None,
        };

        // Scheduled and Started.
        match &kind {
            ResourceKind::LambdaFunction => {
                let mut details = json!({"input": parameters, "inputDetails": {"truncated": false}, "resource": task.resource});
                if let Some(c) = &credentials {
                    details["taskCredentials"] = task_credentials(c);
                }
                if let Some(t) = timeout {
                    details["timeoutInSeconds"] = json!(t);
                }
                self.emit(
                    frame,
                    "LambdaFunctionScheduled",
                    Some(("lambdaFunctionScheduledEventDetails", details)),
                );
                self.emit(frame, "LambdaFunctionStarted", None);
            }
            ResourceKind::Activity => {
                let mut details = json!({"input": parameters, "inputDetails": {"truncated": false}, "resource": task.resource});
                if let Some(t) = timeout {
                    details["timeoutInSeconds"] = json!(t);
                }
                if let Some(h) = heartbeat {
                    details["heartbeatInSeconds"] = json!(h);
                }
                self.emit(
                    frame,
                    "ActivityScheduled",
                    Some(("activityScheduledEventDetails", details)),
                );
                self.emit(
                    frame,
                    "ActivityStarted",
                    Some((
                        "activityStartedEventDetails",
                        json!({"workerName": "playground"}),
                    )),
                );
            }
            ResourceKind::Integration {
                resource_type,
                resource,
            } => {
                let mut details = json!({
                    "resourceType": resource_type,
                    "resource": resource,
                    "region": self.options.identity.region,
                    "parameters": parameters,
                });
                if let Some(t) = timeout {
                    details["timeoutInSeconds"] = json!(t);
                }
                if let Some(h) = heartbeat {
                    details["heartbeatInSeconds"] = json!(h);
                }
                if let Some(c) = &credentials {
                    details["taskCredentials"] = task_credentials(c);
                }
                self.emit(
                    frame,
                    "TaskScheduled",
                    Some(("taskScheduledEventDetails", details)),
                );
                self.emit(
                    frame,
                    "TaskStarted",
                    Some((
                        "taskStartedEventDetails",
                        json!({"resourceType": resource_type, "resource": resource}),
                    )),
                );
            }
        }

        // The call.
        let call = TaskCall {
            state_name: &run.name,
            resource: &task.resource,
            input: &parameters,
        };
        let outcome = match self.mocks.respond(&call) {
            Ok(outcome) => outcome,
            Err(e) => {
                return Err(StatesError::runtime(e.message));
            }
        };
        let limit_s = timeout.unwrap_or(DEFAULT_TASK_TIMEOUT_SECONDS);
        let duration_ms = Millis::try_from(outcome.duration_ms).unwrap_or(Millis::MAX / 2);
        let (elapsed, timed_out) = if duration_ms > seconds_to_ms(limit_s) {
            (
                seconds_to_ms(limit_s),
                Some(StatesError::new(names::TIMEOUT, "Task timed out.")),
            )
        } else if let Some(h) = heartbeat.filter(|h| duration_ms > seconds_to_ms(*h)) {
            (
                seconds_to_ms(h),
                Some(StatesError::new(
                    names::HEARTBEAT_TIMEOUT,
                    "Task heartbeat timed out.",
                )),
            )
        } else {
            (duration_ms, None)
        };
        if !self.advance_clock(frame, frame.now.saturating_add(elapsed)) {
            return Ok(Outcome::TimedOut);
        }
        let response = match timed_out {
            Some(error) => Err(error),
            None => match outcome.response {
                MockResponse::Return(value) => Ok(value),
                MockResponse::FunctionReturn(value) => {
                    Ok(kind.wrap_function_result(value, &mut self.rng))
                }
                MockResponse::Throw { error, cause } => Err(StatesError::new(error, cause)),
            },
        };

        // Succeeded, Failed or TimedOut.
        match response {
            Ok(result) => {
                match &kind {
                    ResourceKind::LambdaFunction => {
                        let details =
                            json!({"output": result, "outputDetails": {"truncated": false}});
                        self.emit(
                            frame,
                            "LambdaFunctionSucceeded",
                            Some(("lambdaFunctionSucceededEventDetails", details)),
                        );
                    }
                    ResourceKind::Activity => {
                        let details =
                            json!({"output": result, "outputDetails": {"truncated": false}});
                        self.emit(
                            frame,
                            "ActivitySucceeded",
                            Some(("activitySucceededEventDetails", details)),
                        );
                    }
                    ResourceKind::Integration {
                        resource_type,
                        resource,
                    } => {
                        if resource.contains(".sync") {
                            let details = json!({"resourceType": resource_type, "resource": resource, "output": result, "outputDetails": {"truncated": false}});
                            self.emit(
                                frame,
                                "TaskSubmitted",
                                Some(("taskSubmittedEventDetails", details)),
                            );
                        }
                        let details = json!({"resourceType": resource_type, "resource": resource, "output": result, "outputDetails": {"truncated": false}});
                        self.emit(
                            frame,
                            "TaskSucceeded",
                            Some(("taskSucceededEventDetails", details)),
                        );
                    }
                }
                self.finish_with_result(run, state, result, frame)
                    .map(Outcome::Exit)
            }
            Err(error) => {
                let is_timeout = matches!(
                    error.error.as_deref(),
                    Some(names::TIMEOUT) | Some(names::HEARTBEAT_TIMEOUT)
                );
                let mut details = Map::new();
                if let Some(e) = &error.error {
                    details.insert("error".into(), json!(e));
                }
                if let Some(c) = &error.cause {
                    details.insert("cause".into(), json!(c));
                }
                let (event_type, key) = match (&kind, is_timeout) {
                    (ResourceKind::LambdaFunction, false) => {
                        ("LambdaFunctionFailed", "lambdaFunctionFailedEventDetails")
                    }
                    (ResourceKind::LambdaFunction, true) => (
                        "LambdaFunctionTimedOut",
                        "lambdaFunctionTimedOutEventDetails",
                    ),
                    (ResourceKind::Activity, false) => {
                        ("ActivityFailed", "activityFailedEventDetails")
                    }
                    (ResourceKind::Activity, true) => {
                        ("ActivityTimedOut", "activityTimedOutEventDetails")
                    }
                    (
                        ResourceKind::Integration {
                            resource_type,
                            resource,
                        },
                        timed_out,
                    ) => {
                        details.insert("resourceType".into(), json!(resource_type));
                        details.insert("resource".into(), json!(resource));
                        if timed_out {
                            ("TaskTimedOut", "taskTimedOutEventDetails")
                        } else {
                            ("TaskFailed", "taskFailedEventDetails")
                        }
                    }
                };
                self.emit(frame, event_type, Some((key, Value::Object(details))));
                Ok(Outcome::Fail(error))
            }
        }
    }

    /// A `...Seconds` / `...SecondsPath` field as whole seconds.
    fn seconds_field(
        &mut self,
        frame: &Frame,
        run: &StateRun,
        field: Option<&NumberField>,
        path_name: &str,
    ) -> Result<Option<u64>, StatesError> {
        match field {
            None => Ok(None),
            Some(NumberField::Literal(v)) => Ok(v.as_u64()),
            Some(NumberField::Expression(text)) => Err(StatesError::runtime(format!(
                "The JSONata expression '{text}' cannot be evaluated yet"
            ))),
            Some(NumberField::Path(path)) => {
                let input = self.traces[run.trace_index]
                    .after_input_path
                    .clone()
                    .unwrap_or(Value::Null);
                let context = self.context(frame, run, None);
                let value = paths::query(path, &input, &context).map_err(|e| {
                    StatesError::runtime(format!("Invalid path '{path}' : {}", e.message))
                })?;
                match value.as_u64() {
                    Some(n) if n > 0 => Ok(Some(n)),
                    _ => Err(StatesError::runtime(format!(
                        "The {path_name} field refers to value \"{}\" which is not a valid integer: {path}",
                        plain_text(&value)
                    ))),
                }
            }
        }
    }

    /// A Map or Parallel state: the first step prepares the branches or items, each later step
    /// starts the next one, and the last step leaves the state (or fails it).
    fn run_fanout(
        &mut self,
        frame: &mut Frame,
        run: &mut StateRun,
        state: &State,
    ) -> Result<Outcome, StatesError> {
        if !matches!(run.phase, Phase::Fanout(_)) {
            let fanout = self.prepare_fanout(frame, run, state)?;
            run.phase = Phase::Fanout(Box::new(fanout));
        }
        let Phase::Fanout(fanout) = &mut run.phase else {
            return Err(StatesError::runtime(
                "internal error: a Map or Parallel state lost its branches",
            ));
        };
        if let Some(error) = fanout.failure.take() {
            frame.now = frame.now.max(fanout.latest_end());
            let map_run_event = fanout.distributed.then_some(fanout.map_run_event);
            run.phase = Phase::Entered;
            return Ok(Outcome::FanoutFail {
                error,
                map_run_event,
            });
        }
        if fanout.next < fanout.children.len() {
            let child = self.start_child(frame, &run.name, fanout);
            return Ok(Outcome::StartChild(Box::new(child)));
        }
        // Every branch or iteration has finished.
        frame.now = frame.now.max(fanout.latest_end());
        if fanout.distributed && !frame.recorded {
            // A distributed Map inside another one's child run: no events here.
        } else if fanout.distributed {
            let run_succeeded =
                self.push_event(frame.now, fanout.map_run_event, "MapRunSucceeded", None);
            self.push_event(frame.now, run_succeeded, "MapStateSucceeded", None);
            // AWS's recorded histories link the Map's Exited event to MapRunStarted, except when
            // the Map is the first state of the execution (its Entered event follows no event):
            // then to MapRunSucceeded.
            let first_state = self
                .history
                .get((run.entered_event_id as usize).saturating_sub(1))
                .is_some_and(|entered| entered.previous_event_id == 0);
            frame.last_event = if first_state {
                run_succeeded
            } else {
                fanout.map_run_event
            };
        } else if fanout.is_map {
            // AWS links both MapStateSucceeded and MapStateExited to the last
            // MapIterationSucceeded (or to MapStateStarted when there were no items).
            let previous = if fanout.last_iteration_succeeded > 0 {
                fanout.last_iteration_succeeded
            } else {
                frame.last_event
            };
            if frame.recorded {
                self.push_event(frame.now, previous, "MapStateSucceeded", None);
                frame.last_event = previous;
            }
        } else {
            self.emit(frame, "ParallelStateSucceeded", None);
        }
        let results = Value::Array(std::mem::take(&mut fanout.results));
        run.phase = Phase::Entered;
        self.finish_with_result(run, state, results, frame)
            .map(Outcome::Exit)
    }

    /// The frame of the next branch or iteration, with its MapIterationStarted event.
    fn start_child(&mut self, frame: &Frame, state_name: &str, fanout: &mut Fanout) -> Frame {
        let index = fanout.next;
        fanout.next += 1;
        // With MaxConcurrency N, iteration i starts when iteration i-N has finished.
        let start = match index.checked_sub(fanout.max_concurrency) {
            Some(waited_for) if fanout.max_concurrency > 0 => fanout
                .end_times
                .get(waited_for)
                .copied()
                .unwrap_or(fanout.started_at),
            _ => fanout.started_at,
        };
        let (input, map_item) = fanout
            .children
            .get(index)
            .cloned()
            .unwrap_or((Value::Null, None));
        let machine = fanout
            .machines
            .get(index)
            .cloned()
            .unwrap_or_else(|| Rc::clone(&frame.machine));
        let recorded = frame.recorded && !fanout.distributed;
        let mut last_event = frame.last_event;
        if fanout.is_map && recorded {
            let details = json!({"index": index, "name": state_name});
            last_event = self.push_event(
                start,
                frame.last_event,
                "MapIterationStarted",
                Some(("mapIterationStartedEventDetails", details)),
            );
        }
        Frame {
            action: Action::Enter {
                state: machine.start_at.clone(),
                input,
            },
            machine,
            map_item,
            now: start,
            last_event,
            recorded,
        }
    }

    fn prepare_fanout(
        &mut self,
        frame: &mut Frame,
        run: &mut StateRun,
        state: &State,
    ) -> Result<Fanout, StatesError> {
        let input = self.effective_input(frame, run, state)?;
        match &state.kind {
            StateKind::Parallel(parallel) => {
                let effective = match &parallel.parameters {
                    Some(template) => {
                        let value = self.apply_template(frame, run, template, &input, None)?;
                        self.traces[run.trace_index].after_parameters = Some(value.clone());
                        value
                    }
                    None => input,
                };
                let machines: Vec<Rc<StateMachine>> = (0..parallel.branches.len())
                    .filter_map(|i| self.sub_machines.get(&(state.pointer.clone(), i)).cloned())
                    .collect();
                self.emit(frame, "ParallelStateStarted", None);
                let children = machines.iter().map(|_| (effective.clone(), None)).collect();
                Ok(Fanout::new(false, false, children, machines, 0, frame.now))
            }
            StateKind::Map(map) => self.prepare_map(frame, run, state, map, input),
            _ => Err(StatesError::runtime(
                "internal error: only Map and Parallel states have branches",
            )),
        }
    }

    fn prepare_map(
        &mut self,
        frame: &mut Frame,
        run: &StateRun,
        state: &State,
        map: &MapState,
        input: Value,
    ) -> Result<Fanout, StatesError> {
        if map.item_reader.is_some() {
            return Err(StatesError::runtime("ItemReader is not supported by the playground: it reads items from Amazon S3. Pass the items in the input and use ItemsPath instead."));
        }
        if map.result_writer.is_some() {
            return Err(StatesError::runtime(
                "ResultWriter is not supported by the playground: it writes results to Amazon S3.",
            ));
        }
        if map.item_batcher.is_some() {
            return Err(StatesError::runtime(
                "ItemBatcher is not supported by the playground yet.",
            ));
        }
        let context = self.context(frame, run, None);
        let items_value = match &map.items_path {
            PathField::Default => input.clone(),
            PathField::Null => json!({}),
            PathField::Path(path) => paths::query(path, &input, &context).map_err(|e| {
                StatesError::runtime(format!("Invalid path '{path}' : {}", e.message))
            })?,
        };
        let Value::Array(items) = items_value else {
            return Err(StatesError::runtime(format!(
                "Map state input must be an array but was: {}",
                value_kind_text(&items_value)
            )));
        };
        let max_concurrency =
            read_map_number(&map.max_concurrency, "MaxConcurrencyPath", &input, &context)?
                .and_then(|n| n.as_u64())
                .map_or(0, |n| usize::try_from(n).unwrap_or(usize::MAX));
        let mut children = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            let child_input = match &map.item_selector {
                Some(selector) => {
                    let mut child_context = context.clone();
                    child_context["Map"] = json!({"Item": {"Index": index, "Value": item}});
                    let mut env = EvalEnv {
                        variables: None,
                        input: &input,
                        context: &child_context,
                        rng: &mut self.rng,
                    };
                    template::evaluate(selector, &mut env)?
                }
                None => item.clone(),
            };
            children.push((child_input, Some((index, item.clone()))));
        }
        let machine = self
            .sub_machines
            .get(&(state.pointer.clone(), 0))
            .cloned()
            .unwrap_or_else(|| Rc::new((*map.item_processor).clone()));
        let machines = vec![machine; children.len()];
        let distributed = map.processor_mode == ProcessorMode::Distributed;
        self.emit(
            frame,
            "MapStateStarted",
            Some((
                "mapStateStartedEventDetails",
                json!({"length": children.len()}),
            )),
        );
        let mut fanout = Fanout::new(
            true,
            distributed,
            children,
            machines,
            max_concurrency,
            frame.now,
        );
        // AWS reads the tolerated failure thresholds after MapStateStarted.
        fanout.tolerated_count = read_map_number(
            &map.tolerated_failure_count,
            "ToleratedFailureCountPath",
            &input,
            &context,
        )?
        .and_then(|n| n.as_u64());
        fanout.tolerated_percentage = read_map_number(
            &map.tolerated_failure_percentage,
            "ToleratedFailurePercentagePath",
            &input,
            &context,
        )?
        .and_then(|n| n.as_f64());
        if fanout
            .tolerated_percentage
            .is_some_and(|p| !(0.0..=100.0).contains(&p))
        {
            return Err(StatesError::runtime(
                "ToleratedFailurePercentage must be between 0 and 100.",
            ));
        }
        if distributed {
            let identity = &self.options.identity;
            let label = map.label.clone().unwrap_or_else(|| run.name.clone());
            let arn = format!(
                "arn:aws:states:{}:{}:mapRun:{}/{}:{}",
                identity.region,
                identity.account,
                identity.state_machine_name,
                label,
                self.rng.uuid_v4()
            );
            fanout.map_run_event = self.emit(
                frame,
                "MapRunStarted",
                Some(("mapRunStartedEventDetails", json!({"mapRunArn": arn}))),
            );
        }
        Ok(fanout)
    }
}

/// A Map's number field (MaxConcurrency, ToleratedFailureCount, ToleratedFailurePercentage):
/// its literal, or the value its `...Path` reads from the effective input, checked as AWS
/// checks it (an integer, or for the percentage a float).
fn read_map_number(
    field: &Option<NumberField>,
    path_field: &str,
    input: &Value,
    context: &Value,
) -> Result<Option<serde_json::Number>, StatesError> {
    let (value, path) = match field {
        None => return Ok(None),
        Some(NumberField::Literal(Value::Number(n))) => return Ok(Some(n.clone())),
        Some(NumberField::Literal(other)) => (other.clone(), path_field.trim_end_matches("Path")),
        Some(NumberField::Expression(text)) => {
            return Err(StatesError::runtime(format!(
                "The JSONata expression '{text}' cannot be evaluated yet"
            )))
        }
        Some(NumberField::Path(path)) => {
            let value = paths::query(path, input, context).map_err(|e| {
                StatesError::runtime(format!("Invalid path '{path}' : {}", e.message))
            })?;
            (value, path.as_str())
        }
    };
    let float_allowed = path_field == "ToleratedFailurePercentagePath";
    match &value {
        Value::Number(n) if float_allowed || n.is_u64() => Ok(Some(n.clone())),
        _ => Err(StatesError::runtime(format!(
            "The {path_field} field refers to value \"{}\" which is not a valid {}: {path}",
            plain_text(&value),
            if float_allowed { "float" } else { "integer" }
        ))),
    }
}

impl Fanout {
    fn new(
        is_map: bool,
        distributed: bool,
        children: Vec<(Value, Option<(usize, Value)>)>,
        machines: Vec<Rc<StateMachine>>,
        max_concurrency: usize,
        now: Millis,
    ) -> Self {
        let count = children.len();
        Fanout {
            is_map,
            distributed,
            children,
            machines,
            results: Vec::with_capacity(count),
            next: 0,
            failures: 0,
            failure: None,
            tolerated_count: None,
            tolerated_percentage: None,
            max_concurrency,
            started_at: now,
            end_times: vec![now; count],
            map_run_event: 0,
            last_iteration_succeeded: 0,
        }
    }

    fn latest_end(&self) -> Millis {
        self.end_times
            .iter()
            .copied()
            .max()
            .unwrap_or(self.started_at)
    }

    /// Whether a Map tolerates some failed items (ToleratedFailureCount/Percentage).
    fn has_tolerance(&self) -> bool {
        self.is_map && (self.tolerated_count.is_some() || self.tolerated_percentage.is_some())
    }

    /// Whether the failures so far stay within ToleratedFailureCount/Percentage.
    fn tolerates_failures(&self) -> bool {
        let failures = self.failures as f64;
        let total = self.children.len().max(1) as f64;
        let by_count = self.tolerated_count.is_some_and(|c| failures <= c as f64);
        let by_percentage = self
            .tolerated_percentage
            .is_some_and(|p| failures * 100.0 / total <= p);
        by_count || by_percentage
    }
}

/// What kind of resource a Task calls, which decides its events.
enum ResourceKind {
    /// `arn:aws:lambda:...:function:NAME`: the Lambda events.
    LambdaFunction,
    /// `arn:aws:states:...:activity:NAME`.
    Activity,
    /// `arn:aws:states:::SERVICE:ACTION[.sync|.waitForTaskToken]`: the Task events.
    Integration {
        resource_type: String,
        resource: String,
    },
}

impl ResourceKind {
    fn of(resource: &str) -> Self {
        if resource.starts_with("arn:aws:lambda:") {
            return ResourceKind::LambdaFunction;
        }
        let parts: Vec<&str> = resource.splitn(6, ':').collect();
        if parts.len() == 6 && parts[2] == "states" && parts[5].starts_with("activity:") {
            return ResourceKind::Activity;
        }
        let service = if parts.len() == 6 { parts[5] } else { resource };
        let (resource_type, action) = if let Some(rest) = service.strip_prefix("aws-sdk:") {
            match rest.split_once(':') {
                Some((svc, action)) => (format!("aws-sdk:{svc}"), action.to_string()),
                None => (service.to_string(), String::new()),
            }
        } else {
            match service.split_once(':') {
                Some((svc, action)) => (svc.to_string(), action.to_string()),
                None => (service.to_string(), String::new()),
            }
        };
        ResourceKind::Integration {
            resource_type,
            resource: action,
        }
    }

    /// A Lambda function's return value in the response shape of the integration that called it.
    fn wrap_function_result(&self, value: Value, rng: &mut Rng) -> Value {
        match self {
            ResourceKind::Integration {
                resource_type,
                resource,
            } if resource_type == "lambda" && resource.starts_with("invoke") => {
                let request_id = rng.uuid_v4();
                json!({
                    "ExecutedVersion": "$LATEST",
                    "Payload": value,
                    "SdkHttpMetadata": {
                        "AllHttpHeaders": {
                            "X-Amz-Executed-Version": ["$LATEST"],
                            "x-amzn-Remapped-Content-Length": ["0"],
                            "Connection": ["keep-alive"],
                            "x-amzn-RequestId": [request_id],
                            "Content-Type": ["application/json"],
                        },
                        "HttpHeaders": {
                            "Connection": "keep-alive",
                            "Content-Type": "application/json",
                            "X-Amz-Executed-Version": "$LATEST",
                            "x-amzn-Remapped-Content-Length": "0",
                            "x-amzn-RequestId": request_id,
                        },
                        "HttpStatusCode": 200,
                    },
                    "SdkResponseMetadata": {"RequestId": request_id},
                    "StatusCode": 200,
                })
            }
            _ => value,
        }
    }
}

/// `Credentials` as AWS shows them in events: `{"roleArn": ...}`.
fn task_credentials(credentials: &Value) -> Value {
    match credentials.get("RoleArn") {
        Some(role) => json!({ "roleArn": role }),
        None => credentials.clone(),
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

fn value_kind_text(value: &Value) -> String {
    value.to_string()
}
