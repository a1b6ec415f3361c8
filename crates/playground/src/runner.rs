//! Runs executions in a Web Worker and plays their events back on the page at a chosen speed,
//! and has the worker check the texts as they are edited.
//!
//! The worker holds the engine; the page pulls steps from it (`Advance`) and releases the
//! events it gets when the paced simulated clock ([`crate::playback`]) reaches them. Stop
//! terminates the worker and starts a fresh one, so an execution that never yields (an endless
//! loop inside one step) cannot keep the page or the next run hostage. A worker that crashes
//! (a trap in the engine) ends the run with a message and is replaced the same way; the texts
//! live on the page, so nothing the user typed is lost.
//!
//! Checks (diagnostics, the laid-out graph, starting mocks) wait while the worker loads and are
//! sent again to a fresh worker after Stop; only the answer to the latest check of each text is
//! shown, so a slow answer about older text never overwrites a newer one. The worker's side of
//! all this (spawning, messages, crashes, checks) is in [`worker_link`]; this module runs the
//! executions.

mod worker_link;

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::callback::Timeout;
use leptos::prelude::*;

use crate::graph::Layout;
use crate::playback::{Mode, Next, Playback};
use crate::protocol::{
    Batch, ChildExecutionView, ChildView, CompletedMocks, EventRow, FromWorker, Mark,
    ProjectFileView, RunStatus, S3ObjectView, TaskAnswerView, TestResultsView, TestStateFormView,
    TestStateProblem, TestStateResponseView, ToWorker, TraceView, WaitingTaskView,
};
use sfn_playground_data::workspace::NamedMachine;
use worker_link::{Checks, WorkerLink};

pub use crate::playback::Speed;
pub use worker_link::{Handler, WORKER_URL};

/// Where the page's run stands.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Phase {
    /// Nothing run yet.
    #[default]
    Idle,
    /// The worker is making the execution.
    Starting,
    /// Events are playing.
    Running,
    /// Step mode: waiting for the next Step (or Run to continue).
    Paused,
    /// The execution waits for a task's token to be answered (in the inspector), or for Run
    /// to let the time pass until its timeout.
    Waiting,
    /// The execution ended; its final status.
    Finished(RunStatus),
    /// Stop was pressed while it ran.
    Stopped,
    /// The texts could not be run; why, one line each.
    Rejected(Vec<String>),
    /// The worker failed.
    Crashed(String),
}

impl Phase {
    pub fn is_active(&self) -> bool {
        matches!(
            self,
            Phase::Starting | Phase::Running | Phase::Paused | Phase::Waiting
        )
    }
}

/// What the page shows of a run (all signals, so views follow it).
#[derive(Clone, Copy)]
pub struct RunView {
    pub phase: RwSignal<Phase>,
    pub events: RwSignal<Vec<EventRow>>,
    pub traces: RwSignal<Vec<TraceView>>,
    /// Every Parallel branch and Map iteration started, by [`ChildView::id`].
    pub children: RwSignal<Vec<ChildView>>,
    /// When the execution started on the simulated clock (ms since the epoch).
    pub start_ms: RwSignal<i64>,
    /// Engine steps taken.
    pub steps: RwSignal<u64>,
    /// The definition's diagnostics, from the engine's latest check.
    pub definition_marks: RwSignal<Vec<Mark>>,
    /// The definition's graph, laid out: the last one the engine could read (kept while the
    /// text is broken).
    pub layout: RwSignal<Option<Layout>>,
    /// Whether `layout` is the graph of the text as last checked (false while the text does
    /// not parse: the graph is the last valid definition's).
    pub layout_current: RwSignal<bool>,
    /// The definition the shown run was started with.
    pub run_definition: RwSignal<Option<String>>,
    /// The mock file's diagnostics, from the engine's latest check.
    pub mocks_marks: RwSignal<Vec<Mark>>,
    /// The mock file's Step Functions Local test cases (`MACHINE/CASE`), from the same check.
    pub mock_test_cases: RwSignal<Vec<String>>,
    /// Whether the engine has answered a check of the definition yet (it loads after the page).
    pub checked: RwSignal<bool>,
    /// A mock file the engine completed with starting rules (for a run or on request); the
    /// page puts it in the Mocks editor if that still holds the text it was made from.
    pub completed_mocks: RwSignal<Option<CompletedMocks>>,
    /// The tasks waiting for the user to answer their token.
    pub waiting: RwSignal<Vec<WaitingTaskView>>,
    /// The executions the run started (a Distributed Map's children, startExecution's).
    pub executions: RwSignal<Vec<ChildExecutionView>>,
    /// The objects the run wrote to the mocked S3, in order.
    pub s3_writes: RwSignal<Vec<S3ObjectView>>,
    /// Whether the ended run can be redriven.
    pub redrivable: RwSignal<bool>,
    /// The child execution whose history is shown instead of the run's, with its events once
    /// they have arrived.
    pub child_history: RwSignal<Option<(u32, Option<Vec<EventRow>>)>>,
    /// What the engine refused last (a token answered twice, a redrive not allowed).
    pub refusal: RwSignal<Option<String>>,
    /// What the engine says of the state being tested (None until it has answered).
    pub test_state_form: RwSignal<Option<TestStateFormView>>,
    /// The latest TestState's answer.
    pub test_state_answer: RwSignal<Option<TestStateOutcome>>,
    /// A TestState request waits for its answer.
    pub test_state_pending: RwSignal<bool>,
    /// What the engine read of the project file opened last (None until it has answered).
    pub project_file: RwSignal<Option<ProjectFileView>>,
    /// The Tests panel's latest results.
    pub test_results: RwSignal<Option<TestResultsView>>,
    /// The tests are running.
    pub tests_pending: RwSignal<bool>,
}

/// What TestState answered: its response, or why it refused the request.
#[derive(Debug, Clone, PartialEq)]
pub enum TestStateOutcome {
    Response(TestStateResponseView),
    Refused(TestStateProblem),
}

impl RunView {
    pub fn new() -> Self {
        RunView {
            phase: RwSignal::new(Phase::Idle),
            events: RwSignal::new(Vec::new()),
            traces: RwSignal::new(Vec::new()),
            children: RwSignal::new(Vec::new()),
            start_ms: RwSignal::new(0),
            steps: RwSignal::new(0),
            definition_marks: RwSignal::new(Vec::new()),
            layout: RwSignal::new(None),
            layout_current: RwSignal::new(true),
            run_definition: RwSignal::new(None),
            mocks_marks: RwSignal::new(Vec::new()),
            mock_test_cases: RwSignal::new(Vec::new()),
            checked: RwSignal::new(false),
            completed_mocks: RwSignal::new(None),
            waiting: RwSignal::new(Vec::new()),
            executions: RwSignal::new(Vec::new()),
            s3_writes: RwSignal::new(Vec::new()),
            redrivable: RwSignal::new(false),
            child_history: RwSignal::new(None),
            refusal: RwSignal::new(None),
            test_state_form: RwSignal::new(None),
            test_state_answer: RwSignal::new(None),
            test_state_pending: RwSignal::new(false),
            project_file: RwSignal::new(None),
            test_results: RwSignal::new(None),
            tests_pending: RwSignal::new(false),
        }
    }
}

impl Default for RunView {
    fn default() -> Self {
        Self::new()
    }
}

/// The texts a run starts from.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRequest {
    pub definition: String,
    pub input: String,
    pub mocks: String,
    pub seed: u32,
    /// The name of the machine run, and the workspace's others.
    pub name: String,
    pub machines: Vec<NamedMachine>,
    /// The mock file's test case to run with, when it has several (none: its first).
    pub test_case: Option<String>,
}

/// A project file for the engine to read: its name and text, and the values of its `${NAME}`
/// placeholders the user gave (or fake ARNs for those left).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProjectFileRequest {
    pub name: String,
    pub text: String,
    pub substitutions: Vec<(String, String)>,
    pub fake_arns: bool,
}

/// How long Stop waits for the engine to write the stop before replacing it (real ms).
const STOP_GRACE_MS: u32 = 500;

/// The run being played.
struct RunState {
    /// Bumped by every new run and Stop; replies and timers of older runs are ignored.
    generation: u64,
    /// Its events not shown yet and the paced clock.
    playback: Playback<EventRow>,
    /// The worker's status after its latest batch.
    worker_status: Option<RunStatus>,
    /// A request for steps is in flight.
    awaiting_reply: bool,
    /// The next tick of a paced run.
    timer: Option<Timeout>,
    /// Stop was asked of the engine: its reply (the events of the stop) ends the run, or the
    /// grace timer does by replacing the worker.
    stopping: Option<Timeout>,
    /// Run (or Step) was pressed while the run waited for a task's answer: time passes until
    /// the waiting task's timeout, until the engine no longer waits.
    let_time_pass: bool,
}

impl RunState {
    /// The run ends (stopped, replaced or crashed): whatever is in flight for it is ignored.
    fn end(&mut self) {
        self.generation = self.generation.wrapping_add(1);
        self.playback.clear();
        self.timer = None;
        self.awaiting_reply = false;
        self.stopping = None;
        self.let_time_pass = false;
    }
}

struct Inner {
    view: RunView,
    /// The engine's worker and the messages waiting for it.
    link: WorkerLink,
    /// The checks of the texts not answered yet.
    checks: Checks,
    run: RunState,
}

/// The page's handle on runs. Cheap to clone.
#[derive(Clone)]
pub struct Runner {
    inner: Rc<RefCell<Inner>>,
}

fn real_now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or_else(js_sys::Date::now)
}

impl Runner {
    /// A runner whose engine is the Web Worker at [`WORKER_URL`].
    pub fn new(view: RunView) -> Runner {
        Runner::with_transport(view, None)
    }

    /// A runner whose engine is `make_handler()`, called on the page's thread (answers arrive
    /// asynchronously all the same). For tests: the page itself never links the engine.
    pub fn local(view: RunView, make_handler: impl Fn() -> Handler + 'static) -> Runner {
        Runner::with_transport(view, Some(Rc::new(make_handler)))
    }

    fn with_transport(view: RunView, local: Option<Rc<dyn Fn() -> Handler>>) -> Runner {
        let runner = Runner {
            inner: Rc::new(RefCell::new(Inner {
                view,
                link: WorkerLink::new(local),
                checks: Checks::default(),
                run: RunState {
                    generation: 0,
                    playback: Playback::new(|e: &EventRow| e.timestamp),
                    worker_status: None,
                    awaiting_reply: false,
                    timer: None,
                    stopping: None,
                    let_time_pass: false,
                },
            })),
        };
        runner.spawn_worker();
        runner
    }

    pub fn view(&self) -> RunView {
        self.inner.borrow().view
    }

    /// Starts a fresh run, playing at `speed`; or, when a stepped run is paused, plays it on.
    pub fn run(&self, request: RunRequest, speed: Speed) {
        let phase = self.view().phase.get_untracked();
        if phase == Phase::Waiting {
            // Nobody answers: the time passes until the waiting task's heartbeat or timeout.
            {
                let mut inner = self.inner.borrow_mut();
                inner.run.playback.let_time_pass(real_now());
                inner.run.let_time_pass = true;
            }
            self.view().phase.set(Phase::Running);
            self.pump();
            return;
        }
        let paused = phase == Phase::Paused;
        if paused {
            {
                let mut inner = self.inner.borrow_mut();
                let last_shown = inner
                    .view
                    .events
                    .with_untracked(|e| e.last().map(|e| e.timestamp));
                inner.run.playback.play_on(speed, last_shown, real_now());
            }
            self.view().phase.set(Phase::Running);
            self.pump();
        } else {
            self.start(request, Mode::Play(speed));
        }
    }

    /// Advances a stepped run by one engine step, starting one if none is active.
    pub fn step(&self, request: RunRequest) {
        let phase = self.view().phase.get_untracked();
        match phase {
            Phase::Paused | Phase::Waiting => {
                // A Step while the run waits for an answer lets the time pass to what happens
                // next: the waiting task's heartbeat or timeout.
                let let_time_pass = phase == Phase::Waiting;
                {
                    let mut inner = self.inner.borrow_mut();
                    inner.run.playback.step_mode();
                    inner.run.playback.awaiting_answer(false);
                    inner.run.let_time_pass = let_time_pass;
                }
                self.view().phase.set(Phase::Running);
                self.post(ToWorker::Advance {
                    max_steps: 1,
                    until_ms: None,
                    let_time_pass,
                });
            }
            Phase::Running | Phase::Starting => {
                // Playing: switch to stepping; the batch in flight ends the current step.
                self.inner.borrow_mut().run.playback.step_mode();
            }
            _ => self.start(request, Mode::Step),
        }
    }

    /// Changes the playback speed of a playing run without a jump in the simulated clock.
    pub fn set_speed(&self, speed: Speed) {
        self.inner
            .borrow_mut()
            .run
            .playback
            .set_speed(speed, real_now());
    }

    /// Stops the run: the worker is terminated (whatever it is doing) and a fresh one started.
    /// Stops the run as StopExecution does: the engine aborts what is in progress and writes
    /// ExecutionAborted, which the history shows with the events not shown yet. An engine
    /// that does not answer within [`STOP_GRACE_MS`] (one step running away) is replaced by a
    /// fresh worker, and the run ends where it was shown.
    pub fn stop(&self) {
        let phase = self.view().phase.get_untracked();
        if !phase.is_active() {
            return;
        }
        let engine_ready = {
            let inner = self.inner.borrow();
            inner.link.is_ready() && inner.run.stopping.is_none()
        };
        if matches!(phase, Phase::Starting) || !engine_ready {
            self.stop_now();
            return;
        }
        let generation = self.inner.borrow().run.generation;
        let this = self.clone();
        let grace = Timeout::new(STOP_GRACE_MS, move || {
            let still = {
                let inner = this.inner.borrow();
                inner.run.generation == generation && inner.run.stopping.is_some()
            };
            if still {
                this.stop_now();
            }
        });
        {
            let mut inner = self.inner.borrow_mut();
            inner.run.stopping = Some(grace);
            inner.run.timer = None;
            inner.link.clear_outbox();
        }
        self.post(ToWorker::Stop);
    }

    /// Ends the run at once: the worker is terminated (whatever it is doing) and a fresh one
    /// started; the history ends where it was shown.
    fn stop_now(&self) {
        let was_active = self.view().phase.get_untracked().is_active();
        {
            let mut inner = self.inner.borrow_mut();
            inner.run.end();
            inner.link.clear_outbox();
            inner.link.terminate();
        }
        // The fresh engine has no execution to redrive.
        self.view().redrivable.set(false);
        self.spawn_worker();
        if was_active {
            self.view().phase.set(Phase::Stopped);
        }
    }

    fn start(&self, request: RunRequest, mode: Mode) {
        let view = self.view();
        {
            let mut inner = self.inner.borrow_mut();
            let run = &mut inner.run;
            run.generation = run.generation.wrapping_add(1);
            run.playback.reset(mode);
            run.worker_status = None;
            run.awaiting_reply = false;
            run.timer = None;
            run.let_time_pass = false;
            // Anything still queued belongs to an older run.
            inner.link.clear_outbox();
        }
        view.events.set(Vec::new());
        view.traces.set(Vec::new());
        view.children.set(Vec::new());
        view.waiting.set(Vec::new());
        view.executions.set(Vec::new());
        view.s3_writes.set(Vec::new());
        view.redrivable.set(false);
        view.child_history.set(None);
        view.refusal.set(None);
        view.run_definition.set(Some(request.definition.clone()));
        view.steps.set(0);
        view.phase.set(Phase::Starting);
        self.post(ToWorker::Start {
            definition: request.definition,
            input: request.input,
            mocks: request.mocks,
            seed: request.seed,
            name: request.name,
            machines: request.machines,
            test_case: request.test_case,
        });
    }

    fn on_message(&self, msg: FromWorker) {
        let view = self.view();
        if !matches!(msg, FromWorker::Ready) {
            self.engine_answered();
        }
        match msg {
            FromWorker::Ready => self.on_ready(),
            FromWorker::Rejected { problems } => {
                view.phase.set(Phase::Rejected(problems));
            }
            FromWorker::Started {
                start_ms,
                completed_mocks,
            } => {
                if completed_mocks.is_some() {
                    view.completed_mocks.set(completed_mocks);
                }
                let (max_steps, until_ms) = {
                    let mut inner = self.inner.borrow_mut();
                    let playback = &mut inner.run.playback;
                    let now = real_now();
                    (playback.started(start_ms, now), playback.until(now))
                };
                view.start_ms.set(start_ms);
                view.phase.set(Phase::Running);
                self.post(ToWorker::Advance {
                    max_steps,
                    until_ms,
                    let_time_pass: false,
                });
            }
            FromWorker::Batch(batch) => self.on_batch(batch),
            FromWorker::DefinitionChecked { id, marks, layout } => {
                if self.inner.borrow_mut().checks.definition_answered(id) {
                    view.definition_marks.set(marks);
                    view.layout_current.set(layout.is_some());
                    if layout.is_some() {
                        view.layout.set(layout);
                    }
                    view.checked.set(true);
                }
            }
            FromWorker::MocksChecked {
                id,
                marks,
                test_cases,
            } => {
                if self.inner.borrow_mut().checks.mocks_answered(id) {
                    view.mocks_marks.set(marks);
                    view.mock_test_cases.set(test_cases);
                }
            }
            FromWorker::StarterMocks { completed } => {
                self.inner.borrow_mut().checks.starter_answered();
                view.completed_mocks.set(completed);
            }
            FromWorker::Refused { problem } => self.on_refused(problem),
            FromWorker::TestStateForm { id, form } => {
                if self.inner.borrow_mut().checks.test_form_answered(id) {
                    view.test_state_form.set(Some(form));
                }
            }
            FromWorker::TestStateAnswer {
                id,
                response,
                problem,
            } => {
                if self.inner.borrow_mut().checks.test_answered(id) {
                    let outcome = match (response, problem) {
                        (Some(response), _) => TestStateOutcome::Response(response),
                        (None, problem) => {
                            TestStateOutcome::Refused(problem.unwrap_or_else(|| TestStateProblem {
                                field: None,
                                message: "The engine gave no answer".into(),
                            }))
                        }
                    };
                    view.test_state_pending.set(false);
                    view.test_state_answer.set(Some(outcome));
                }
            }
            FromWorker::ProjectFileRead { id, file } => {
                if self.inner.borrow_mut().checks.project_file_answered(id) {
                    view.project_file.set(Some(file));
                }
            }
            FromWorker::TestResults { id, results } => {
                if self.inner.borrow_mut().checks.tests_answered(id) {
                    view.tests_pending.set(false);
                    view.test_results.set(Some(results));
                }
            }
            FromWorker::ChildHistory { id, events } => {
                if view
                    .child_history
                    .with_untracked(|open| open.as_ref().is_some_and(|(open, _)| *open == id))
                {
                    view.child_history.set(Some((id, Some(events))));
                }
            }
        }
    }

    /// Answers the waiting task `token` (the inspector's Send buttons), at the time the page's
    /// clock shows.
    pub fn answer(&self, token: String, answer: TaskAnswerView) {
        let view = self.view();
        if !view.phase.get_untracked().is_active() {
            return;
        }
        view.refusal.set(None);
        let at_ms = {
            let inner = self.inner.borrow();
            let target = inner.run.playback.current_target(real_now());
            (target != i64::MAX).then_some(target)
        };
        if view.phase.get_untracked() == Phase::Waiting {
            view.phase.set(Phase::Running);
        }
        self.inner.borrow_mut().run.awaiting_reply = true;
        self.post(ToWorker::AnswerTask {
            token,
            answer,
            at_ms,
        });
    }

    /// Redrives the ended run with `mocks` (the Mocks editor's text, typically fixed since):
    /// its history goes on from ExecutionRedriven, played at `speed`.
    pub fn redrive(&self, mocks: String, speed: Speed) {
        let view = self.view();
        if view.phase.get_untracked().is_active() || !view.redrivable.get_untracked() {
            return;
        }
        view.refusal.set(None);
        {
            let mut inner = self.inner.borrow_mut();
            let run = &mut inner.run;
            run.generation = run.generation.wrapping_add(1);
            let last_shown = inner
                .view
                .events
                .with_untracked(|e| e.last().map(|e| e.timestamp));
            let run = &mut inner.run;
            run.playback.reset(Mode::Play(speed));
            run.playback.play_on(speed, last_shown, real_now());
            // The ended status stays until the engine's reply: a refusal leaves the run ended.
            run.awaiting_reply = true;
            run.timer = None;
        }
        view.redrivable.set(false);
        view.phase.set(Phase::Running);
        self.post(ToWorker::Redrive { mocks });
    }

    /// Shows the history of the child execution `id` instead of the run's (`None`: the run's
    /// again).
    pub fn open_child(&self, id: Option<u32>) {
        let view = self.view();
        view.child_history.set(id.map(|id| (id, None)));
        if let Some(id) = id {
            self.post(ToWorker::ChildHistory { id });
        }
    }

    /// The engine refused a request about the run: the run goes on (or stays ended) as it was.
    fn on_refused(&self, problem: String) {
        let view = self.view();
        self.inner.borrow_mut().run.awaiting_reply = false;
        view.refusal.set(Some(problem));
        let status = self.inner.borrow().run.worker_status.clone();
        match status {
            Some(status) if !status.is_running() => {
                view.redrivable.set(true);
                view.phase.set(Phase::Finished(status));
            }
            _ => self.pump(),
        }
    }

    fn on_batch(&self, batch: Batch) {
        if self.inner.borrow().run.stopping.is_some() {
            return self.on_stop_batch(batch);
        }
        self.take_batch(batch);
        self.pump();
    }

    /// Takes in a batch: its events wait in the playback, its traces, branches and step count
    /// are shown. Returns the run's status after it.
    fn take_batch(&self, batch: Batch) -> RunStatus {
        let view = self.view();
        {
            let mut inner = self.inner.borrow_mut();
            let run = &mut inner.run;
            run.awaiting_reply = false;
            run.playback.receive(batch.events);
            run.playback.engine_next(batch.next_ms);
            run.worker_status = Some(batch.status.clone());
        }
        if !batch.traces.is_empty() {
            view.traces
                .update(|traces| replace_or_push(traces, batch.traces, |t| t.index));
        }
        if !batch.children.is_empty() {
            view.children
                .update(|children| replace_or_push(children, batch.children, |c| c.id));
        }
        view.steps.set(batch.steps);
        view.waiting.set(batch.waiting);
        {
            let mut inner = self.inner.borrow_mut();
            let run = &mut inner.run;
            if run.let_time_pass && batch.awaiting_answer {
                // Still waiting: the time passes on (the engine fires the next timeout).
            } else {
                run.let_time_pass = false;
                run.playback.awaiting_answer(batch.awaiting_answer);
            }
        }
        if !batch.executions.is_empty() {
            view.executions
                .update(|all| replace_or_push(all, batch.executions, |c| c.id));
        }
        if !batch.s3_writes.is_empty() {
            view.s3_writes.update(|all| all.extend(batch.s3_writes));
        }
        view.redrivable.set(batch.redrivable);
        batch.status
    }

    /// A batch while stopping: the steps in flight when Stop was sent, then the events of the
    /// stop itself. Everything received is shown at once; the run ends with the stop.
    fn on_stop_batch(&self, batch: Batch) {
        let view = self.view();
        let status = self.take_batch(batch);
        let shown = self.inner.borrow_mut().run.playback.drain();
        if !shown.is_empty() {
            view.events.update(|events| events.extend(shown));
        }
        if !status.is_running() {
            self.inner.borrow_mut().run.end();
            // The run may have ended by itself before the stop reached the engine.
            view.phase.set(if status.name == "ABORTED" {
                Phase::Stopped
            } else {
                Phase::Finished(status)
            });
        }
    }

    /// Shows the events whose time has come, asks for more, and schedules itself.
    fn pump(&self) {
        let view = self.view();
        let (tick, generation) = {
            let mut inner = self.inner.borrow_mut();
            let run = &mut inner.run;
            let done = run.worker_status.as_ref().is_some_and(|s| !s.is_running());
            let tick = run.playback.tick(real_now(), done, run.awaiting_reply);
            (tick, run.generation)
        };
        if !tick.release.is_empty() {
            view.events.update(|events| events.extend(tick.release));
        }
        match tick.next {
            Next::Finished => {
                let status = self
                    .inner
                    .borrow()
                    .run
                    .worker_status
                    .clone()
                    .unwrap_or_default();
                view.phase.set(Phase::Finished(status));
            }
            Next::Paused => view.phase.set(Phase::Paused),
            Next::AwaitingAnswer => view.phase.set(Phase::Waiting),
            Next::Continue {
                request,
                until_ms,
                wait_ms,
            } => {
                if let Some(max_steps) = request {
                    let let_time_pass = self.inner.borrow().run.let_time_pass;
                    self.post(ToWorker::Advance {
                        max_steps,
                        until_ms,
                        let_time_pass,
                    });
                }
                if let Some(ms) = wait_ms {
                    let this = self.clone();
                    let timer = Timeout::new(ms, move || {
                        if this.inner.borrow().run.generation == generation {
                            this.pump();
                        }
                    });
                    self.inner.borrow_mut().run.timer = Some(timer);
                }
            }
        }
    }
}

/// Puts each of `changed` at its place by `index_of` in `all`: replacing what is there, or
/// appended when it is the next one.
fn replace_or_push<T>(all: &mut Vec<T>, changed: Vec<T>, index_of: impl Fn(&T) -> u32) {
    for item in changed {
        let i = index_of(&item) as usize;
        match all.get_mut(i) {
            Some(slot) => *slot = item,
            None => all.push(item),
        }
    }
}
