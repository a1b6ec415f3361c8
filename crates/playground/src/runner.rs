//! Runs executions in a Web Worker and plays their events back on the page at a chosen speed,
//! and has the worker check the texts as they are edited.
//!
//! The worker holds the engine; the page pulls steps from it (`Advance`) and releases the
//! events it gets when the paced simulated clock reaches them. Stop terminates the worker and
//! starts a fresh one, so an execution that never yields (an endless loop inside one step)
//! cannot keep the page or the next run hostage. A worker that crashes (a trap in the engine)
//! ends the run with a message and is replaced the same way; the texts live on the page, so
//! nothing the user typed is lost.
//!
//! Checks (diagnostics, the laid-out graph, starting mocks) wait while the worker loads and are
//! sent again to a fresh worker after Stop; only the answer to the latest check of each text is
//! shown, so a slow answer about older text never overwrites a newer one.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use gloo_timers::callback::Timeout;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use web_sys::{MessageEvent, Worker, WorkerOptions, WorkerType};

use crate::graph::Layout;
use crate::protocol::{
    Batch, CompletedMocks, EventRow, FromWorker, Mark, RunStatus, ToWorker, TraceView,
};

/// How many times in a row a crashed worker is replaced at once (see [`Runner::crash`]).
const MAX_RESPAWNS_IN_A_ROW: u32 = 2;

/// The worker's loader, written by trunk next to index.html (`data-loader-shim`).
pub const WORKER_URL: &str = "./worker_loader.js";

/// How fast the simulated clock runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Speed {
    /// No pacing: events appear as fast as the engine makes them.
    Instant,
    /// Simulated milliseconds per real millisecond.
    Paced(f64),
}

impl Speed {
    pub const CHOICES: [(&'static str, &'static str); 4] = [
        ("instant", "Instant"),
        ("100", "100× real time"),
        ("10", "10× real time"),
        ("1", "Real time"),
    ];

    pub fn from_key(key: &str) -> Speed {
        match key.parse::<f64>() {
            Ok(f) if f > 0.0 => Speed::Paced(f),
            _ => Speed::Instant,
        }
    }
}

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
        matches!(self, Phase::Starting | Phase::Running | Phase::Paused)
    }
}

/// What the page shows of a run (all signals, so views follow it).
#[derive(Clone, Copy)]
pub struct RunView {
    pub phase: RwSignal<Phase>,
    pub events: RwSignal<Vec<EventRow>>,
    pub traces: RwSignal<Vec<TraceView>>,
    /// When the execution started on the simulated clock (ms since the epoch).
    pub start_ms: RwSignal<i64>,
    /// Engine steps taken.
    pub steps: RwSignal<u64>,
    /// The definition's diagnostics, from the engine's latest check.
    pub definition_marks: RwSignal<Vec<Mark>>,
    /// The definition's graph, laid out: the last one the engine could read (kept while the
    /// text is broken).
    pub layout: RwSignal<Option<Layout>>,
    /// The mock file's diagnostics, from the engine's latest check.
    pub mocks_marks: RwSignal<Vec<Mark>>,
    /// Whether the engine has answered a check of the definition yet (it loads after the page).
    pub checked: RwSignal<bool>,
    /// A mock file the engine completed with starting rules (for a run or on request); the
    /// page puts it in the Mocks editor if that still holds the text it was made from.
    pub completed_mocks: RwSignal<Option<CompletedMocks>>,
}

impl RunView {
    pub fn new() -> Self {
        RunView {
            phase: RwSignal::new(Phase::Idle),
            events: RwSignal::new(Vec::new()),
            traces: RwSignal::new(Vec::new()),
            start_ms: RwSignal::new(0),
            steps: RwSignal::new(0),
            definition_marks: RwSignal::new(Vec::new()),
            layout: RwSignal::new(None),
            mocks_marks: RwSignal::new(Vec::new()),
            checked: RwSignal::new(false),
            completed_mocks: RwSignal::new(None),
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
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Mode {
    Play(Speed),
    Step,
}

/// The engine's side, answering one request at a time.
pub type Handler = Box<dyn FnMut(ToWorker) -> FromWorker>;

/// Where requests go.
enum Transport {
    /// The engine's Web Worker (the page).
    Worker(Worker),
    /// A handler called on the page's thread, answering a moment later, as a worker would
    /// (component tests, which have no worker script to load).
    Local(Rc<RefCell<Handler>>),
}

struct Inner {
    view: RunView,
    worker: Option<Transport>,
    /// Makes the handler of a fresh local transport (None: a Web Worker).
    local: Option<Rc<dyn Fn() -> Handler>>,
    /// Bumped for every new worker: answers of a terminated one are dropped.
    instance: u64,
    worker_ready: bool,
    /// Messages waiting for the worker to load.
    outbox: Vec<ToWorker>,
    /// Bumped by every new run and Stop; replies and timers of older runs are ignored.
    generation: u64,
    mode: Mode,
    /// Events received but not yet shown (their simulated time has not come).
    pending: VecDeque<EventRow>,
    /// The worker's status after its latest batch.
    worker_status: Option<RunStatus>,
    awaiting_reply: bool,
    /// Pacing: simulated time `sim_base` corresponds to real time `real_base` (ms).
    sim_base: i64,
    real_base: f64,
    timer: Option<Timeout>,
    /// The id of the latest check request (of either text).
    check_id: u64,
    /// The latest definition check not answered yet: (id, text).
    definition_check: Option<(u64, String)>,
    /// The latest mock file check not answered yet: (id, text).
    mocks_check: Option<(u64, String)>,
    /// A request for starting mocks not answered yet.
    starter_request: Option<ToWorker>,
    /// Crashes since the engine last answered a request: a fresh worker is started after a
    /// crash only while this is small, so a request that crashes every worker (resent to each
    /// fresh one) cannot make a loop.
    crashes_in_a_row: u32,
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
                worker: None,
                local,
                instance: 0,
                worker_ready: false,
                outbox: Vec::new(),
                generation: 0,
                mode: Mode::Play(Speed::Instant),
                pending: VecDeque::new(),
                worker_status: None,
                awaiting_reply: false,
                sim_base: 0,
                real_base: 0.0,
                timer: None,
                check_id: 0,
                definition_check: None,
                mocks_check: None,
                starter_request: None,
                crashes_in_a_row: 0,
            })),
        };
        runner.spawn_worker();
        runner
    }

    pub fn view(&self) -> RunView {
        self.inner.borrow().view
    }

    fn spawn_worker(&self) {
        let instance = {
            let mut inner = self.inner.borrow_mut();
            inner.instance = inner.instance.wrapping_add(1);
            inner.worker_ready = false;
            inner.instance
        };
        let local = self.inner.borrow().local.clone();
        if let Some(make_handler) = local {
            let handler = Rc::new(RefCell::new(make_handler()));
            self.inner.borrow_mut().worker = Some(Transport::Local(handler));
            // A worker says Ready once it has loaded: so does this, a moment later.
            self.deliver(instance, FromWorker::Ready);
            return;
        }
        let options = WorkerOptions::new();
        options.set_type(WorkerType::Module);
        let worker = match Worker::new_with_options(WORKER_URL, &options) {
            Ok(w) => w,
            Err(e) => {
                let view = self.view();
                view.phase.set(Phase::Crashed(format!(
                    "The engine's worker could not start: {e:?}"
                )));
                return;
            }
        };
        let this = self.clone();
        let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |ev: MessageEvent| {
            match serde_wasm_bindgen::from_value::<FromWorker>(ev.data()) {
                Ok(msg) => this.on_message(msg),
                Err(e) => this.crash(format!("Unreadable message from the engine: {e}")),
            }
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();
        let this = self.clone();
        let on_error =
            Closure::<dyn Fn(web_sys::ErrorEvent)>::new(move |ev: web_sys::ErrorEvent| {
                ev.prevent_default();
                this.crash(format!(
                    "The engine stopped with an error: {}",
                    ev.message()
                ));
            });
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        on_error.forget();
        self.inner.borrow_mut().worker = Some(Transport::Worker(worker));
    }

    /// Hands `msg` to the page a moment later, unless its (local) worker has been replaced.
    fn deliver(&self, instance: u64, msg: FromWorker) {
        let this = self.clone();
        Timeout::new(0, move || {
            if this.inner.borrow().instance == instance {
                this.on_message(msg);
            }
        })
        .forget();
    }

    /// Sends `msg` to the worker, which must be ready.
    fn send(&self, msg: ToWorker) {
        let (transport, instance) = {
            let inner = self.inner.borrow();
            let transport = match &inner.worker {
                Some(Transport::Worker(w)) => Some(Ok(w.clone())),
                Some(Transport::Local(h)) => Some(Err(h.clone())),
                None => None,
            };
            (transport, inner.instance)
        };
        let is_advance = matches!(msg, ToWorker::Advance { .. });
        let sent = match transport {
            Some(Ok(worker)) => {
                let serializer = serde_wasm_bindgen::Serializer::json_compatible();
                serde::Serialize::serialize(&msg, &serializer)
                    .ok()
                    .is_some_and(|value| worker.post_message(&value).is_ok())
            }
            Some(Err(handler)) => {
                let this = self.clone();
                Timeout::new(0, move || {
                    if this.inner.borrow().instance == instance {
                        let reply = (handler.borrow_mut())(msg);
                        this.on_message(reply);
                    }
                })
                .forget();
                true
            }
            None => false,
        };
        if sent && is_advance {
            self.inner.borrow_mut().awaiting_reply = true;
        }
    }

    /// Sends a run's message now, or once the worker has loaded.
    fn post(&self, msg: ToWorker) {
        if self.inner.borrow().worker.is_none() {
            self.spawn_worker();
        }
        {
            let mut inner = self.inner.borrow_mut();
            if !inner.worker_ready {
                inner.outbox.push(msg);
                return;
            }
        }
        self.send(msg);
    }

    /// Sends the checks not answered yet (to a worker that has just loaded, or after a new
    /// request), starting a worker if there is none.
    fn send_checks(&self) {
        if self.inner.borrow().worker.is_none() {
            self.spawn_worker();
        }
        let checks = {
            let inner = self.inner.borrow();
            if !inner.worker_ready {
                return;
            }
            let mut checks = Vec::new();
            if let Some((id, text)) = &inner.definition_check {
                checks.push(ToWorker::CheckDefinition {
                    id: *id,
                    text: text.clone(),
                });
            }
            if let Some((id, text)) = &inner.mocks_check {
                checks.push(ToWorker::CheckMocks {
                    id: *id,
                    text: text.clone(),
                });
            }
            checks.extend(inner.starter_request.clone());
            checks
        };
        for check in checks {
            self.send(check);
        }
    }

    fn next_check_id(&self) -> u64 {
        let mut inner = self.inner.borrow_mut();
        inner.check_id += 1;
        inner.check_id
    }

    /// Asks the engine for the diagnostics and the laid-out graph of a definition; the answer
    /// lands in [`RunView::definition_marks`] and [`RunView::layout`].
    pub fn check_definition(&self, text: String) {
        let id = self.next_check_id();
        self.inner.borrow_mut().definition_check = Some((id, text.clone()));
        if self.inner.borrow().worker_ready {
            self.send(ToWorker::CheckDefinition { id, text });
        } else {
            self.send_checks();
        }
    }

    /// Asks the engine for the diagnostics of a mock file ([`RunView::mocks_marks`]).
    pub fn check_mocks(&self, text: String) {
        let id = self.next_check_id();
        self.inner.borrow_mut().mocks_check = Some((id, text.clone()));
        if self.inner.borrow().worker_ready {
            self.send(ToWorker::CheckMocks { id, text });
        } else {
            self.send_checks();
        }
    }

    /// Asks the engine to add a starting rule for each Task resource without a mock
    /// ([`RunView::completed_mocks`]).
    pub fn starter_mocks(&self, definition: String, mocks: String) {
        let request = ToWorker::StarterMocks { definition, mocks };
        self.inner.borrow_mut().starter_request = Some(request.clone());
        if self.inner.borrow().worker_ready {
            self.send(request);
        } else {
            self.send_checks();
        }
    }

    /// Starts a fresh run, playing at `speed`; or, when a stepped run is paused, plays it on.
    pub fn run(&self, request: RunRequest, speed: Speed) {
        let paused = self.view().phase.get_untracked() == Phase::Paused;
        if paused {
            {
                let mut inner = self.inner.borrow_mut();
                inner.mode = Mode::Play(speed);
                inner.sim_base = inner.last_shown_time();
                inner.real_base = real_now();
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
            Phase::Paused => {
                let mode = {
                    let mut inner = self.inner.borrow_mut();
                    inner.mode = Mode::Step;
                    inner.mode
                };
                let _ = mode;
                self.view().phase.set(Phase::Running);
                self.post(ToWorker::Advance { max_steps: 1 });
            }
            Phase::Running | Phase::Starting => {
                // Playing: switch to stepping; the batch in flight ends the current step.
                self.inner.borrow_mut().mode = Mode::Step;
            }
            _ => self.start(request, Mode::Step),
        }
    }

    /// Changes the playback speed of a playing run without a jump in the simulated clock.
    pub fn set_speed(&self, speed: Speed) {
        let mut inner = self.inner.borrow_mut();
        if let Mode::Play(_) = inner.mode {
            inner.sim_base = inner.current_target();
            inner.real_base = real_now();
            inner.mode = Mode::Play(speed);
        }
    }

    /// Stops the run: the worker is terminated (whatever it is doing) and a fresh one started.
    pub fn stop(&self) {
        let was_active = self.view().phase.get_untracked().is_active();
        {
            let mut inner = self.inner.borrow_mut();
            inner.generation = inner.generation.wrapping_add(1);
            inner.pending.clear();
            inner.timer = None;
            inner.awaiting_reply = false;
            inner.outbox.clear();
            if let Some(Transport::Worker(w)) = inner.worker.take() {
                w.terminate();
            }
        }
        self.spawn_worker();
        if was_active {
            self.view().phase.set(Phase::Stopped);
        }
    }

    fn start(&self, request: RunRequest, mode: Mode) {
        let view = self.view();
        {
            let mut inner = self.inner.borrow_mut();
            inner.generation = inner.generation.wrapping_add(1);
            inner.mode = mode;
            inner.pending.clear();
            inner.worker_status = None;
            inner.awaiting_reply = false;
            inner.timer = None;
            // Anything still queued belongs to an older run.
            inner.outbox.clear();
        }
        view.events.set(Vec::new());
        view.traces.set(Vec::new());
        view.steps.set(0);
        view.phase.set(Phase::Starting);
        self.post(ToWorker::Start {
            definition: request.definition,
            input: request.input,
            mocks: request.mocks,
            seed: request.seed,
        });
    }

    /// The worker failed (a trap in the engine, a message it could not send, a worker that
    /// could not load): the run in progress ends with `message`, and the texts stay as they
    /// are (nothing here touches them). A worker that had loaded is replaced at once, so the
    /// next run or check finds one ready; a worker that crashes again before the engine has
    /// answered anything is not (it would likely crash again): the next run or check starts
    /// a fresh one.
    fn crash(&self, message: String) {
        let respawn = {
            let mut inner = self.inner.borrow_mut();
            inner.generation = inner.generation.wrapping_add(1);
            inner.pending.clear();
            inner.timer = None;
            inner.awaiting_reply = false;
            // Queued run messages belong to the run that just ended.
            inner.outbox.clear();
            let was_ready = inner.worker_ready;
            inner.worker_ready = false;
            if let Some(Transport::Worker(w)) = inner.worker.take() {
                w.terminate();
            }
            inner.crashes_in_a_row = inner.crashes_in_a_row.saturating_add(1);
            was_ready && inner.crashes_in_a_row <= MAX_RESPAWNS_IN_A_ROW
        };
        self.view().phase.set(Phase::Crashed(format!(
            "{message}. Your texts are kept; the next run starts a fresh engine."
        )));
        if respawn {
            // The checks not answered yet go to the fresh worker once it has loaded.
            self.spawn_worker();
        }
    }

    fn on_message(&self, msg: FromWorker) {
        let view = self.view();
        if !matches!(msg, FromWorker::Ready) {
            self.inner.borrow_mut().crashes_in_a_row = 0;
        }
        match msg {
            FromWorker::Ready => {
                let outbox = {
                    let mut inner = self.inner.borrow_mut();
                    inner.worker_ready = true;
                    std::mem::take(&mut inner.outbox)
                };
                for m in outbox {
                    self.post(m);
                }
                self.send_checks();
            }
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
                let mode = {
                    let mut inner = self.inner.borrow_mut();
                    inner.sim_base = start_ms;
                    inner.real_base = real_now();
                    inner.mode
                };
                view.start_ms.set(start_ms);
                view.phase.set(Phase::Running);
                let max_steps = match mode {
                    Mode::Step => 1,
                    Mode::Play(speed) => steps_per_request(speed),
                };
                self.post(ToWorker::Advance { max_steps });
            }
            FromWorker::Batch(batch) => self.on_batch(batch),
            FromWorker::DefinitionChecked { id, marks, layout } => {
                let latest = {
                    let mut inner = self.inner.borrow_mut();
                    let latest = inner.definition_check.as_ref().is_some_and(|c| c.0 == id);
                    if latest {
                        inner.definition_check = None;
                    }
                    latest
                };
                if latest {
                    view.definition_marks.set(marks);
                    if layout.is_some() {
                        view.layout.set(layout);
                    }
                    view.checked.set(true);
                }
            }
            FromWorker::MocksChecked { id, marks } => {
                let latest = {
                    let mut inner = self.inner.borrow_mut();
                    let latest = inner.mocks_check.as_ref().is_some_and(|c| c.0 == id);
                    if latest {
                        inner.mocks_check = None;
                    }
                    latest
                };
                if latest {
                    view.mocks_marks.set(marks);
                }
            }
            FromWorker::StarterMocks { completed } => {
                self.inner.borrow_mut().starter_request = None;
                view.completed_mocks.set(completed);
            }
        }
    }

    fn on_batch(&self, batch: Batch) {
        let view = self.view();
        {
            let mut inner = self.inner.borrow_mut();
            inner.awaiting_reply = false;
            inner.pending.extend(batch.events);
            inner.worker_status = Some(batch.status);
        }
        if !batch.traces.is_empty() {
            view.traces.update(|traces| {
                for t in batch.traces {
                    let i = t.index as usize;
                    if i < traces.len() {
                        if let Some(slot) = traces.get_mut(i) {
                            *slot = t;
                        }
                    } else {
                        traces.push(t);
                    }
                }
            });
        }
        view.steps.set(batch.steps);
        self.pump();
    }

    /// Shows the events whose time has come, asks for more, and schedules itself.
    fn pump(&self) {
        let view = self.view();
        let (release, finished, request, wait_ms, generation) = {
            let mut inner = self.inner.borrow_mut();
            let done = inner
                .worker_status
                .as_ref()
                .is_some_and(|s| !s.is_running());
            let mut release = Vec::new();
            let mut wait_ms = None;
            let mut request = None;
            match inner.mode {
                Mode::Step | Mode::Play(Speed::Instant) => {
                    release.extend(inner.pending.drain(..));
                    if !done && !inner.awaiting_reply {
                        if let Mode::Play(speed) = inner.mode {
                            request = Some(steps_per_request(speed));
                        }
                    }
                }
                Mode::Play(Speed::Paced(factor)) => {
                    let target = inner.current_target();
                    while inner.pending.front().is_some_and(|e| e.timestamp <= target) {
                        if let Some(e) = inner.pending.pop_front() {
                            release.push(e);
                        }
                    }
                    if let Some(next) = inner.pending.front() {
                        // Sleep until the next event is due (re-checking now and then).
                        let due = (next.timestamp - target) as f64 / factor;
                        wait_ms = Some(due.clamp(4.0, 100.0) as u32);
                    } else if !done && !inner.awaiting_reply {
                        request = Some(steps_per_request(Speed::Paced(factor)));
                    }
                }
            }
            let finished = done && inner.pending.is_empty();
            (release, finished, request, wait_ms, inner.generation)
        };
        if !release.is_empty() {
            view.events.update(|events| events.extend(release));
        }
        if finished {
            let status = self
                .inner
                .borrow()
                .worker_status
                .clone()
                .unwrap_or_default();
            view.phase.set(Phase::Finished(status));
            return;
        }
        let mode = self.inner.borrow().mode;
        if mode == Mode::Step && request.is_none() && !self.inner.borrow().awaiting_reply {
            view.phase.set(Phase::Paused);
            return;
        }
        if let Some(max_steps) = request {
            self.post(ToWorker::Advance { max_steps });
        }
        if let Some(ms) = wait_ms {
            let this = self.clone();
            let timer = Timeout::new(ms, move || {
                if this.inner.borrow().generation == generation {
                    this.pump();
                }
            });
            self.inner.borrow_mut().timer = Some(timer);
        }
    }
}

impl Inner {
    /// The simulated time the paced clock has reached.
    fn current_target(&self) -> i64 {
        match self.mode {
            Mode::Play(Speed::Paced(factor)) => {
                let elapsed = (real_now() - self.real_base).max(0.0) * factor;
                self.sim_base.saturating_add(elapsed as i64)
            }
            _ => i64::MAX,
        }
    }

    fn last_shown_time(&self) -> i64 {
        self.view
            .events
            .with_untracked(|e| e.last().map(|e| e.timestamp))
            .unwrap_or(self.sim_base)
    }
}

/// Engine steps per request: many when nothing is paced (fewer round trips), few when paced
/// (the page holds what it receives until its time comes).
fn steps_per_request(speed: Speed) -> u32 {
    match speed {
        Speed::Instant => 500,
        Speed::Paced(_) => 8,
    }
}
