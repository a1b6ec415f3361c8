//! Running an execution step by step on a simulated clock.
//!
//! An execution runs frames (`frame.rs`): the top-level state machine runs in the root frame,
//! and each Parallel branch or Map iteration in a child frame linked to the frame of its Parallel
//! or Map state. There is one simulated clock: every frame knows when it runs next
//! (`Frame::now`), and `Frames`, the scheduler, always runs the frame earliest on it, so every
//! history is in time order. A frame runs until it blocks (a Wait, a task's duration, a retry's
//! back-off: `clock.rs`, which also enforces the execution's TimeoutSeconds) or ends; frames
//! due at the same instant run in a fixed order (see `Frames`). A Parallel state starts all its
//! branches at once, a Map state as many iterations as its MaxConcurrency allows, the next one
//! the moment a slot frees (`fanout.rs`); the state waits until all are done or one fails, which
//! stops the others (`abort.rs`).
//!
//! # A step
//!
//! [`Execution::step`] carries out actions until one emits an event. An action (`advance`)
//! takes the next frame from `Frames` and carries out the frame's `Action`:
//!
//! - the very first action starts the execution (`start`): ExecutionStarted and the root frame;
//! - a Map iteration's first action emits its MapIterationStarted event, then goes on;
//! - `Enter`: the state's Entered event and a new state run (`enter`, `visit.rs`);
//! - `Run`: the state's work for this step (`work`: `states.rs`, `task.rs`, `fanout.rs`), then
//!   its `Outcome` (`conclude`): leave the state (`leave`: its Exited event, its assignments,
//!   then the next state's `Enter` or the frame's `Done`), block until the frame's clock (a
//!   Wait, a task in flight, a retry's back-off: the work goes on then), wait for the child
//!   frames it started, or handle an error (`errors.rs`: retry, catch, or end the frame with it);
//! - `Done`: the frame hands its result to its parent's Parallel or Map state (`deliver`,
//!   `collect_child` in `fanout.rs`: a failure stops the siblings, a freed slot starts the next
//!   iteration) or, for the root frame, ends the execution (`finish`).
//!
//! After each action the execution's TimeoutSeconds (and AWS's one-year maximum duration), its
//! history length limit and the bound on actions in a row without an event are enforced.
//!
//! # Where each event is emitted
//!
//! Every event is appended by `events.rs`: `emit` for a frame's event (at the frame's clock,
//! following the frame's last event), `push_event` for one that follows another event.
//!
//! - ExecutionStarted: `start`. ExecutionSucceeded, ExecutionFailed: `finish` (also when the
//!   history limit is reached). ExecutionTimedOut: `enforce_timeout` (`clock.rs`).
//!   ExecutionAborted: `stop`. ExecutionRedriven: `redrive_at` (`redrive.rs`), which starts
//!   the root frame again from where the execution stopped.
//! - `<Type>StateEntered`: `enter`; `<Type>StateExited`: `leave` (`visit.rs`).
//! - TaskScheduled, TaskStarted, TaskSubmitted, TaskSucceeded, TaskFailed, TaskTimedOut and
//!   their LambdaFunction and Activity counterparts: `run_task` (`task.rs`); a callback's
//!   TaskSubmitted and an activity's ActivityStarted: `start_waiting`, `resume_waiting`
//!   (`callback.rs`, where a `.waitForTaskToken` task or an activity waits for its token).
//! - ParallelStateStarted, MapStateStarted, MapRunStarted, MapRunRedriven: `prepare_fanout`,
//!   `prepare_map`;
//!   ParallelStateSucceeded, MapStateSucceeded, MapRunSucceeded: `run_fanout`;
//!   MapIterationStarted: `advance`, when the iteration first runs; MapIterationSucceeded,
//!   MapIterationFailed: `collect_child` (`fanout.rs`). ParallelStateFailed, MapStateFailed,
//!   MapRunFailed: `emit_fanout_failed` (`errors.rs`), only once no retrier takes the error.
//! - TaskStateAborted, WaitStateAborted, ParallelStateAborted, MapStateAborted,
//!   MapIterationAborted: `abort_children` (`abort.rs`), when a sibling's failure stops them;
//!   `abort_execution` (`abort.rs`), when the execution times out or is stopped.
//! - EvaluationFailed: `evaluation_failed` (`flow.rs`).
//! - A Map Run's child execution: its ExecutionStarted in `start_map_run_child`, its end
//!   (ExecutionSucceeded, ExecutionFailed, ExecutionAborted) in `end_child_execution` and
//!   `abort_child_execution` (`map_run.rs`); its states' events as above, into its own
//!   history (`record_event` writes to `Execution::sink`'s).
//!
//! A `states:startExecution` Task of a state machine in the execution's `Workspace` runs it as
//! a child execution with its own history (`child.rs`), kept in `child_executions`.

mod abort;
mod batcher;
mod callback;
mod child;
mod children;
mod clock;
mod csv;
mod driver;
mod errors;
mod events;
mod fanout;
mod flow;
mod frame;
mod items;
mod map_run;
mod reader;
mod redrive;
mod s3_tasks;
mod states;
mod task;
mod trace;
mod visit;
mod writer;

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
use crate::limits::Limits;
use crate::mocks::{MockResponse, MockSet, S3Store, TaskCall};
use crate::paths;
use crate::rng::Rng;
use crate::template::{self, EvalEnv};
use crate::time::{format_iso, parse_aws_timestamp, Millis, DEFAULT_START};

use callback::CallbackInFlight;
use clock::seconds_to_ms;
use events::IterationEvent;
use fanout::Fanout;
use frame::{enter_action, Action, Frame, Frames};
use task::TaskInFlight;
use visit::{Outcome, Phase, StateRun};

pub use callback::{TaskAnswer, TaskAnswerError, WaitingTask};
pub use child::{Workspace, MAX_CHILD_DEPTH, MAX_CHILD_EXECUTIONS};
pub use children::{ChildExecution, ChildOrigin};
pub use driver::{
    run_to_end, run_to_end_observed, run_to_end_with, RunBounds, RunEnd, MAX_IDLE_STEPS,
};
pub use map_run::{MAX_CHILD_EVENTS_KEPT, MAX_CHILD_EXECUTIONS_KEPT};
pub use redrive::RedriveError;
pub use trace::{
    ChildKind, ChildStatus, ChildTrace, ChoiceTaken, ErrorHandling, MapTrace, StateTrace,
    TracedError,
};

/// How many actions a step may take without emitting an event (see [`Execution::step`]).
pub const MAX_SILENT_ACTIONS: usize = 10_000;

/// How many actions in a row, over any number of steps, may emit no event before the
/// execution fails; each child run a distributed Map starts counts as one more. Only the
/// child runs of a distributed Map act without events here (each child execution has its own
/// history on AWS); a distributed Map of 5,000 items each running one of 5,000 would start 25
/// million runs and take some 10^8 actions. Not an AWS quota but the simulator's bound,
/// always on: above a distributed Map of 50,000 items of a few states each, and reached
/// within a second in a release build, with at most as many child runs in memory.
pub const MAX_SILENT_ACTIONS_IN_A_ROW: u64 = 500_000;

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
    /// Keep every event in [`Execution::history`]. Off, the history keeps only the events of
    /// the latest step ([`Execution::step`] returns them): for a caller that consumes them as
    /// they come (`sfn-play run` writes them out, the page's worker keeps its own rows), so a
    /// long run holds no more than one step's events. Event ids, previousEventId links and
    /// the history quota still count every event.
    pub keep_history: bool,
    /// Fields that replace the engine's own in every state's context object (`$$`), merged
    /// object by object (TestState's `context`: "a valid Context object for the state under
    /// test"). None: the context is the engine's alone.
    pub context_overlay: Option<Rc<Map<String, Value>>>,
}

impl Default for ExecutionOptions {
    fn default() -> Self {
        ExecutionOptions {
            identity: ExecutionIdentity::default(),
            start_time: DEFAULT_START,
            seed: 0,
            limits: Limits::default(),
            record_traces: true,
            keep_history: true,
            context_overlay: None,
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

/// How many actions [`Execution::stop`] carries out to finish the instant it stops at.
const MAX_ACTIONS_BEFORE_STOP: usize = 1_000;

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
    /// Every Parallel branch and Map iteration started, when traces are recorded.
    child_traces: Vec<ChildTrace>,
    /// The executions this one started (a Distributed Map's, `states:startExecution`'s).
    child_executions: Vec<ChildExecution>,
    /// The state machines `states:startExecution` Tasks run as child executions, and where
    /// this execution stands among them (`child.rs`).
    nesting: child::Nesting,
    /// The callback and activity tasks waiting for their tokens (`callback.rs`).
    callbacks: callback::Callbacks,
    /// The running child executions of Map Runs (`map_run.rs`).
    map_runs: map_run::MapRuns,
    /// The child execution whose history the action being carried out writes to; none for
    /// this execution's own (`map_run.rs`).
    sink: Option<usize>,
    /// The execution's own copy of the mock file's S3, which it reads and writes.
    s3: S3Store,
    /// How many traces the caller had forgotten ([`Execution::forget_traces_before`]): the
    /// index of `traces[0]`.
    traces_forgotten: usize,
    /// The box of the last state run that ended, for the next one (see `enter`).
    spare_run: Option<Box<StateRun>>,
    /// The frames ready to run and those waiting for their children, and which runs next (the
    /// one running is taken out while it runs).
    frames: Frames,
    started: bool,
    /// Actions in a row that emitted no event (see [`MAX_SILENT_ACTIONS_IN_A_ROW`]).
    silent_actions: u64,
    /// The resource budget's meter (made current while the execution advances).
    meter: crate::budget::Meter,
    /// While the meter is the thread's current one across steps (`run_to_end`), the meter
    /// it replaced.
    replaced_meter: Option<crate::budget::Meter>,
    /// Its redrives, and where it stopped for the next one (`redrive.rs`).
    redrives: redrive::Redrives,
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
        let mut mocks = mocks;
        mocks.set_jsonata_limits(options.limits.jsonata);
        let s3 = mocks.s3().clone();
        Execution {
            root,
            sub_machines,
            input,
            mocks,
            start_iso: format_iso(options.start_time),
            rng: Rng::new(options.seed),
            meter: crate::budget::Meter::new(options.limits.budget()),
            replaced_meter: None,
            options,
            status: ExecutionStatus::Running,
            history: History::default(),
            traces: Vec::new(),
            child_traces: Vec::new(),
            child_executions: Vec::new(),
            nesting: child::Nesting::default(),
            callbacks: callback::Callbacks::default(),
            map_runs: map_run::MapRuns::default(),
            sink: None,
            s3,
            traces_forgotten: 0,
            spare_run: None,
            frames: Frames::default(),
            started: false,
            silent_actions: 0,
            redrives: redrive::Redrives::default(),
        }
    }

    /// Advances by one step and returns the events it added: at least one while the execution
    /// runs, none once it has ended or while it waits for a caller to answer a task token
    /// ([`Execution::awaiting_answer`]). A step goes on until something shows, because some actions
    /// (a branch handing its result to its Parallel state) emit nothing. The one exception:
    /// the child runs of a distributed Map emit no events into this history, so a step gives up
    /// after [`MAX_SILENT_ACTIONS`] actions without one and returns nothing while still running;
    /// after [`MAX_SILENT_ACTIONS_IN_A_ROW`] such actions in a row the execution fails, so it
    /// never stays running on its own.
    pub fn step(&mut self) -> &[HistoryEvent] {
        self.step_until(Millis::MAX)
    }

    /// [`Execution::step`], taking no action later on the simulated clock than `until`: a
    /// caller paced on the clock does not run ahead of it (the step may then add nothing, and
    /// [`Execution::next_time`] says when the next action is).
    pub fn step_until(&mut self, until: Millis) -> &[HistoryEvent] {
        if !self.options.keep_history {
            self.history.forget_earlier_steps();
        }
        // The execution's budget is the thread's while it advances (see `budget`).
        self.metered(|execution| execution.step_within_budget(until));
        self.history.since_step()
    }

    /// Runs `work` with the execution's meter as the thread's current one: installed for it
    /// unless it already is (`run_to_end` keeps it installed across steps).
    fn metered(&mut self, work: impl FnOnce(&mut Self)) {
        let install = self.replaced_meter.is_none();
        if install {
            self.install_meter();
        }
        work(self);
        if install {
            self.uninstall_meter();
        }
    }

    /// The evaluation steps taken so far (see [`crate::budget`]).
    pub fn eval_steps_used(&self) -> u64 {
        if self.replaced_meter.is_some() {
            crate::budget::current().used()
        } else {
            self.meter.used()
        }
    }

    /// Makes the execution's meter the thread's current one until [`Self::uninstall_meter`]:
    /// `run_to_end` does so around its steps rather than at each one.
    pub(crate) fn install_meter(&mut self) {
        if self.replaced_meter.is_none() {
            self.replaced_meter = Some(crate::budget::install(self.meter));
        }
    }

    /// Takes the execution's meter back (with what was spent) and puts back the one it
    /// replaced.
    pub(crate) fn uninstall_meter(&mut self) {
        if let Some(replaced) = self.replaced_meter.take() {
            self.meter = crate::budget::install(replaced);
        }
    }

    fn step_within_budget(&mut self, until: Millis) {
        self.history.begin_step();
        self.caller_steps_to(until);
        let before = self.history.len();
        let mut actions = 0usize;
        while self.status == ExecutionStatus::Running
            && self.history.len() == before
            && actions < MAX_SILENT_ACTIONS
            && (until == Millis::MAX || self.next_time().is_none_or(|t| t <= until))
            && !self.caller_blocks()
        {
            self.advance();
            self.enforce_timeout();
            self.enforce_history_limit();
            actions = actions.saturating_add(1);
            if self.history.len() == before {
                self.silent_actions = self.silent_actions.saturating_add(1);
                self.enforce_silent_limit();
            } else {
                self.silent_actions = 0;
            }
        }
    }

    /// The events of the latest step (what [`Execution::step`] returned).
    pub fn step_events(&self) -> &[HistoryEvent] {
        self.history.since_step()
    }

    /// Runs to the end, or until it waits for a caller's answer ([`Execution::awaiting_answer`]),
    /// and returns the status.
    pub fn run(&mut self) -> &ExecutionStatus {
        self.install_meter();
        while self.status == ExecutionStatus::Running && !self.awaiting_answer() {
            self.step();
        }
        self.uninstall_meter();
        &self.status
    }

    /// Stops a running execution, as StopExecution does.
    pub fn stop(&mut self, error: Option<String>, cause: Option<String>) {
        if self.status != ExecutionStatus::Running {
            return;
        }
        // The stop's events are a step of their own ([`Execution::step_events`]).
        if !self.options.keep_history {
            self.history.forget_earlier_steps();
        }
        self.history.begin_step();
        let details = crate::error::error_details(error.as_deref(), cause.as_deref());
        // Now is the time of the latest event: a frame's clock may be ahead of it while it
        // blocks (a task in flight).
        let now = self.now();
        // A stop arrives between instants: what happens at this one happens first (a Choice
        // entered is also left, a Pass runs), so only states that last (a Wait, a Task, a
        // retry's back-off) are stopped. An endless loop within one instant is cut short.
        self.metered(|execution| {
            let mut actions = 0usize;
            while execution.status == ExecutionStatus::Running
                && execution.started
                && execution.frames.next_time().is_some_and(|t| t <= now)
                && actions < MAX_ACTIONS_BEFORE_STOP
            {
                execution.advance();
                execution.enforce_timeout();
                execution.enforce_history_limit();
                actions = actions.saturating_add(1);
            }
        });
        if self.status != ExecutionStatus::Running {
            return;
        }
        // The states and iterations in progress are stopped first, as a failing branch stops
        // its siblings (abort.rs); the execution's event follows the root frame's last one.
        let last = self.abort_execution(now).unwrap_or(0);
        self.sink = None;
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
    /// The first one is the visit [`Execution::first_trace_index`] counts from.
    pub fn traces(&self) -> &[StateTrace] {
        &self.traces
    }

    /// Every Parallel branch and Map iteration started so far, in the order they started
    /// (recorded with the traces).
    pub fn child_traces(&self) -> &[ChildTrace] {
        &self.child_traces
    }

    /// The executions this one started, in the order they started (see [`ChildExecution`]).
    pub fn child_executions(&self) -> &[ChildExecution] {
        &self.child_executions
    }

    /// The index, among every visit traced, of the first trace still held: 0 unless the
    /// caller forgot some.
    pub fn first_trace_index(&self) -> usize {
        self.traces_forgotten
    }

    /// Forgets the traces before the one at `index` (counted among every visit traced), for a
    /// caller that has consumed them (`sfn-play run --trace` writes each finished visit out).
    /// A forgotten trace is no longer updated.
    pub fn forget_traces_before(&mut self, index: usize) {
        let count = index
            .saturating_sub(self.traces_forgotten)
            .min(self.traces.len());
        self.traces.drain(..count);
        self.traces_forgotten = self.traces_forgotten.saturating_add(count);
    }

    /// Takes the trace at `index` (counted among every visit traced) out, leaving an empty one
    /// in its place: for a caller that consumes a finished visit while an earlier one is still
    /// in progress (a Map state's visit outlives its iterations'). `None` when forgotten.
    pub fn take_trace(&mut self, index: usize) -> Option<StateTrace> {
        let held = index.checked_sub(self.traces_forgotten)?;
        self.traces.get_mut(held).map(std::mem::take)
    }

    /// The simulated time of the latest event: where the execution stands on its clock.
    pub fn now(&self) -> Millis {
        self.history.last_time().unwrap_or(self.options.start_time)
    }

    /// When the next action happens on the simulated clock (the earliest frame ready to run),
    /// while the execution runs: a caller paced on the clock steps only up to its time.
    pub fn next_time(&self) -> Option<Millis> {
        if self.status != ExecutionStatus::Running {
            return None;
        }
        if !self.started {
            return Some(self.options.start_time);
        }
        self.frames.next_time()
    }

    /// One action: the next frame's.
    fn advance(&mut self) {
        if !self.started {
            self.started = true;
            self.start();
            return;
        }
        self.sink = None;
        let Some(mut frame) = self.frames.take_next() else {
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
        self.sink = frame.child_execution;
        if let Some(map) = frame.announce.take() {
            frame.last_event = self.push_map_iteration(
                frame.now,
                frame.last_event,
                &map,
                IterationEvent::Started,
                frame.index,
            );
        }
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

    /// The first action: ExecutionStarted, and the root frame entering the first state.
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
        let root = self.root_frame(now, 0);
        self.frames.push(root);
    }

    /// The root frame, about to enter the first state at `now`, its first event following
    /// `last_event`.
    fn root_frame(&mut self, now: Millis, last_event: u64) -> Frame {
        Frame {
            id: self.frames.new_id(),
            parent: None,
            index: 0,
            announce: None,
            machine: Rc::clone(&self.root),
            map_item: None,
            now,
            last_event,
            recorded: true,
            child_execution: None,
            state: None,
            child_trace: None,
            variables: Rc::new(Map::new()),
            redrive: Default::default(),
            action: enter_action(&self.root, &self.root.start_at, Rc::clone(&self.input)),
        }
    }

    /// A finished frame hands its result to its parent (a Parallel or Map state), or ends the
    /// execution. The parent goes on once all its children are done or one failed; until then
    /// it starts the next iteration in the slot this one freed, and waits.
    fn deliver(&mut self, child: Frame, result: Result<Rc<Value>, StatesError>) {
        let Some(mut parent) = self.frames.take_parent(&child) else {
            self.redrives.root_stopped(child.redrive.stopped.clone());
            self.finish(result, child.last_event, child.now);
            return;
        };
        // A Map Run's child execution ends with its root frame; the parent's events follow.
        self.end_child_execution(&child, &result);
        self.sink = parent.child_execution;
        let Action::Run(mut run) = std::mem::replace(&mut parent.action, Action::Vacant) else {
            self.frames.push(parent);
            return;
        };
        parent.now = parent.now.max(child.now);
        let mut done = true;
        // Taken out while its children start: building an iteration's input reads the run.
        let mut phase = std::mem::replace(&mut run.phase, Phase::Entered);
        if let Phase::Fanout(fanout) = &mut phase {
            self.collect_child(&mut parent, &run.name, fanout, &child, result);
            done = fanout.is_over();
            if !done {
                self.start_children(&mut parent, &run, fanout);
                done = fanout.is_over();
            }
        }
        run.phase = phase;
        parent.action = Action::Run(run);
        if done {
            self.frames.push(parent);
        } else {
            self.frames.wait(parent);
        }
    }

    /// Ends the execution with the top frame's result.
    fn finish(&mut self, result: Result<Rc<Value>, StatesError>, last_event: u64, now: Millis) {
        self.sink = None;
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
                let details = error.event_details();
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
        self.abort_running_child_executions(now);
        self.frames.clear();
    }

    /// Fails the execution once [`MAX_SILENT_ACTIONS_IN_A_ROW`] actions in a row emitted no
    /// event: the child runs of its distributed Maps are more than the simulator runs.
    fn enforce_silent_limit(&mut self) {
        if self.status != ExecutionStatus::Running
            || self.silent_actions < MAX_SILENT_ACTIONS_IN_A_ROW
        {
            return;
        }
        let now = self.now();
        let last = self.history.last_id();
        self.finish(
            Err(StatesError::runtime(format!(
                "The execution ran {MAX_SILENT_ACTIONS_IN_A_ROW} steps in a row without a history event: the child workflow executions of its distributed Map states are more than the simulator runs."
            ))),
            last,
            now,
        );
    }

    fn enforce_history_limit(&mut self) {
        let Some(max) = self.options.limits.max_history_events else {
            return;
        };
        if self.status == ExecutionStatus::Running && self.history.len().saturating_add(1) >= max {
            // At the time of the latest event, whichever frame wrote it.
            let now = self.now();
            let last = self.history.last_id();
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
            Some(max) if crate::budget::json_size_within(value, max) > max => Err(StatesError::new(
                names::DATA_LIMIT_EXCEEDED,
                format!("The state/task '{name}' returned a result with a size exceeding the maximum number of bytes service limit."),
            )),
            _ => Ok(()),
        }
    }

    /// The trace of `run`'s visit, when traces are recorded.
    fn trace_of(&mut self, run: &StateRun) -> Option<&mut StateTrace> {
        let index = run.trace_index?.checked_sub(self.traces_forgotten)?;
        self.traces.get_mut(index)
    }

    /// The context object (`$$`) of `run`'s state in `frame`.
    fn context(&self, frame: &Frame, run: &StateRun, task_token: Option<&str>) -> Value {
        let is_task = matches!(
            frame.machine.state_at(run.index).map(|s| &s.kind),
            Some(StateKind::Task(_))
        );
        let entered = format_iso(run.entered_time);
        let mut context = context_object(
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
        );
        self.redrives.add_to_context(&mut context);
        // A Map Run's child execution shows its own `$$.Execution` and `$$.StateMachine`.
        let mut context = match frame.child_execution {
            Some(slot) => self.child_context(slot, context),
            None => context,
        };
        if let Some(overlay) = &self.options.context_overlay {
            crate::context::merge_context(&mut context, overlay);
        }
        context
    }
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

/// The bytes of `value`'s JSON text, counted without writing it.
fn payload_size(value: &Value) -> usize {
    crate::budget::json_size(value)
}

/// A value as AWS prints it in a cause: strings without quotes, the rest as JSON.
fn plain_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
