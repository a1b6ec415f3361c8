//! The page's link to the engine's Web Worker: spawning it, sending it messages (held while it
//! loads), replacing it after a crash or a Stop, and the checks not answered yet, of which only
//! the latest answer of each text is shown.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::callback::Timeout;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use web_sys::{MessageEvent, Worker, WorkerOptions, WorkerType};

use super::{Phase, ProjectFileRequest, RunRequest, Runner, TestStateOutcome};
use crate::protocol::{
    FromWorker, ProjectFileView, TestResultsView, TestRunRequest, TestStateProblem,
    TestStateRequestView, ToWorker,
};

/// How many times in a row a crashed worker is replaced at once (see [`Runner::crash`]).
const MAX_RESPAWNS_IN_A_ROW: u32 = 2;

/// The worker's loader, written by trunk next to index.html (`data-loader-shim`).
pub const WORKER_URL: &str = "./worker_loader.js";

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

/// The current worker and what waits for it.
pub(super) struct WorkerLink {
    transport: Option<Transport>,
    /// Makes the handler of a fresh local transport (None: a Web Worker).
    local: Option<Rc<dyn Fn() -> Handler>>,
    /// Bumped for every new worker: answers of a terminated one are dropped.
    instance: u64,
    ready: bool,
    /// Messages waiting for the worker to load.
    outbox: Vec<ToWorker>,
    /// Crashes since the engine last answered a request: a fresh worker is started after a
    /// crash only while this is small, so a request that crashes every worker (resent to each
    /// fresh one) cannot make a loop.
    crashes_in_a_row: u32,
}

impl WorkerLink {
    pub(super) fn new(local: Option<Rc<dyn Fn() -> Handler>>) -> WorkerLink {
        WorkerLink {
            transport: None,
            local,
            instance: 0,
            ready: false,
            outbox: Vec::new(),
            crashes_in_a_row: 0,
        }
    }

    /// Drops the run messages still queued (they belong to a run that has ended or been
    /// replaced).
    /// Whether a worker has loaded and takes messages.
    pub(super) fn is_ready(&self) -> bool {
        self.ready && self.transport.is_some()
    }

    pub(super) fn clear_outbox(&mut self) {
        self.outbox.clear();
    }

    /// Terminates the worker, whatever it is doing (a fresh one is spawned by the caller).
    pub(super) fn terminate(&mut self) {
        if let Some(Transport::Worker(w)) = self.transport.take() {
            w.terminate();
        }
    }

    /// The worker failed: it is terminated, with the run messages queued for it. Whether to
    /// start a fresh one at once: only if this one had loaded, and not too many times in a row.
    fn crashed(&mut self) -> bool {
        self.outbox.clear();
        let was_ready = self.ready;
        self.ready = false;
        self.terminate();
        self.crashes_in_a_row = self.crashes_in_a_row.saturating_add(1);
        was_ready && self.crashes_in_a_row <= MAX_RESPAWNS_IN_A_ROW
    }
}

/// The checks sent and not answered yet: sent again to a fresh worker, and only the answer
/// to the latest check of each text counts.
#[derive(Default)]
pub(super) struct Checks {
    /// The id of the latest check request (of either text).
    last_id: u64,
    /// The latest definition check not answered yet: (id, text).
    definition: Option<(u64, String)>,
    /// The latest mock file check not answered yet: (id, text).
    mocks: Option<(u64, String)>,
    /// A request for starting mocks not answered yet.
    starter: Option<ToWorker>,
    /// The latest request for what the form testing a state needs, not answered yet: (id,
    /// request).
    test_form: Option<(u64, ToWorker)>,
    /// The latest TestState request not answered yet: (id, request).
    test: Option<(u64, ToWorker)>,
    /// The latest project file to read, not answered yet: (id, its name, the request).
    project_file: Option<(u64, String, ToWorker)>,
    /// The latest run of the Tests panel not answered yet: (id, request).
    tests: Option<(u64, ToWorker)>,
}

impl Checks {
    fn next_id(&mut self) -> u64 {
        self.last_id += 1;
        self.last_id
    }

    /// A new check of the definition, which any older one's answer no longer concerns.
    pub(super) fn definition(&mut self, text: String) -> ToWorker {
        let id = self.next_id();
        self.definition = Some((id, text.clone()));
        ToWorker::CheckDefinition { id, text }
    }

    /// A new check of the mock file.
    pub(super) fn mocks(&mut self, text: String) -> ToWorker {
        let id = self.next_id();
        self.mocks = Some((id, text.clone()));
        ToWorker::CheckMocks { id, text }
    }

    /// A new request for starting mocks.
    pub(super) fn starter(&mut self, work: RunRequest) -> ToWorker {
        let request = ToWorker::StarterMocks {
            definition: work.definition,
            mocks: work.mocks,
            name: work.name,
            machines: work.machines,
        };
        self.starter = Some(request.clone());
        request
    }

    /// A new request for what the form testing `state_name` needs.
    pub(super) fn test_form(&mut self, definition: String, state_name: String) -> ToWorker {
        let id = self.next_id();
        let request = ToWorker::TestStateForm {
            id,
            definition,
            state_name,
        };
        self.test_form = Some((id, request.clone()));
        request
    }

    /// A new TestState request, which any older one's answer no longer concerns.
    pub(super) fn test_state(&mut self, request: TestStateRequestView) -> ToWorker {
        let id = self.next_id();
        let request = ToWorker::TestState { id, request };
        self.test = Some((id, request.clone()));
        request
    }

    /// A new request to read a project file, which any older one's answer no longer concerns.
    pub(super) fn project_file(&mut self, file: ProjectFileRequest) -> ToWorker {
        let id = self.next_id();
        let name = file.name.clone();
        let request = ToWorker::ReadProjectFile {
            id,
            name: file.name,
            text: file.text,
            substitutions: file.substitutions,
            fake_arns: file.fake_arns,
        };
        self.project_file = Some((id, name, request.clone()));
        request
    }

    /// The project file request `id` was answered: whether it is the latest (to be shown).
    pub(super) fn project_file_answered(&mut self, id: u64) -> bool {
        let latest = self.project_file.as_ref().is_some_and(|c| c.0 == id);
        if latest {
            self.project_file = None;
        }
        latest
    }

    /// A new run of the Tests panel, which any older one's answer no longer concerns.
    pub(super) fn run_tests(&mut self, request: TestRunRequest) -> ToWorker {
        let id = self.next_id();
        let request = ToWorker::RunTests { id, request };
        self.tests = Some((id, request.clone()));
        request
    }

    /// The run of the tests `id` was answered: whether it is the latest (to be shown).
    pub(super) fn tests_answered(&mut self, id: u64) -> bool {
        let latest = self.tests.as_ref().is_some_and(|c| c.0 == id);
        if latest {
            self.tests = None;
        }
        latest
    }

    /// Forgets the project file not read yet: its name, if there was one. After a crash it is
    /// not sent again, as it may be what crashed the engine.
    pub(super) fn drop_project_file(&mut self) -> Option<String> {
        self.project_file.take().map(|(_, name, _)| name)
    }

    /// Forgets the run of the tests not answered yet: whether there was one. After a crash it
    /// is not sent again, as it may be what crashed the engine.
    pub(super) fn drop_tests(&mut self) -> bool {
        self.tests.take().is_some()
    }

    /// The test form request `id` was answered: whether it is the latest (to be shown).
    pub(super) fn test_form_answered(&mut self, id: u64) -> bool {
        let latest = self.test_form.as_ref().is_some_and(|c| c.0 == id);
        if latest {
            self.test_form = None;
        }
        latest
    }

    /// The TestState request `id` was answered: whether it is the latest (to be shown).
    pub(super) fn test_answered(&mut self, id: u64) -> bool {
        let latest = self.test.as_ref().is_some_and(|c| c.0 == id);
        if latest {
            self.test = None;
        }
        latest
    }

    /// Forgets the TestState request not answered yet: whether there was one. After a crash it
    /// is not sent again, as it may be what crashed the engine.
    pub(super) fn drop_test(&mut self) -> bool {
        self.test.take().is_some()
    }

    /// The requests not answered yet.
    pub(super) fn unanswered(&self) -> Vec<ToWorker> {
        let mut checks = Vec::new();
        if let Some((id, text)) = &self.definition {
            checks.push(ToWorker::CheckDefinition {
                id: *id,
                text: text.clone(),
            });
        }
        if let Some((id, text)) = &self.mocks {
            checks.push(ToWorker::CheckMocks {
                id: *id,
                text: text.clone(),
            });
        }
        checks.extend(self.starter.clone());
        checks.extend(self.test_form.iter().map(|(_, request)| request.clone()));
        checks.extend(self.test.iter().map(|(_, request)| request.clone()));
        checks.extend(
            self.project_file
                .iter()
                .map(|(_, _, request)| request.clone()),
        );
        checks.extend(self.tests.iter().map(|(_, request)| request.clone()));
        checks
    }

    /// The definition check `id` was answered: whether it is the latest (to be shown).
    pub(super) fn definition_answered(&mut self, id: u64) -> bool {
        let latest = self.definition.as_ref().is_some_and(|c| c.0 == id);
        if latest {
            self.definition = None;
        }
        latest
    }

    /// The mock file check `id` was answered: whether it is the latest (to be shown).
    pub(super) fn mocks_answered(&mut self, id: u64) -> bool {
        let latest = self.mocks.as_ref().is_some_and(|c| c.0 == id);
        if latest {
            self.mocks = None;
        }
        latest
    }

    pub(super) fn starter_answered(&mut self) {
        self.starter = None;
    }
}

impl Runner {
    pub(super) fn spawn_worker(&self) {
        let instance = {
            let mut inner = self.inner.borrow_mut();
            let link = &mut inner.link;
            link.instance = link.instance.wrapping_add(1);
            link.ready = false;
            link.instance
        };
        let local = self.inner.borrow().link.local.clone();
        if let Some(make_handler) = local {
            let handler = Rc::new(RefCell::new(make_handler()));
            self.inner.borrow_mut().link.transport = Some(Transport::Local(handler));
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
        self.inner.borrow_mut().link.transport = Some(Transport::Worker(worker));
    }

    /// Hands `msg` to the page a moment later, unless its (local) worker has been replaced.
    fn deliver(&self, instance: u64, msg: FromWorker) {
        let this = self.clone();
        Timeout::new(0, move || {
            if this.inner.borrow().link.instance == instance {
                this.on_message(msg);
            }
        })
        .forget();
    }

    /// Sends `msg` to the worker, which must be ready.
    fn send(&self, msg: ToWorker) {
        let (transport, instance) = {
            let inner = self.inner.borrow();
            let transport = match &inner.link.transport {
                Some(Transport::Worker(w)) => Some(Ok(w.clone())),
                Some(Transport::Local(h)) => Some(Err(h.clone())),
                None => None,
            };
            (transport, inner.link.instance)
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
                    if this.inner.borrow().link.instance == instance {
                        let reply = (handler.borrow_mut())(msg);
                        this.on_message(reply);
                    }
                })
                .forget();
                true
            }
            None => false,
        };
        // The run waits for the reply to a request for steps once it has really left.
        if sent && is_advance {
            self.inner.borrow_mut().run.awaiting_reply = true;
        }
    }

    /// Sends a run's message now, or once the worker has loaded.
    pub(super) fn post(&self, msg: ToWorker) {
        if self.inner.borrow().link.transport.is_none() {
            self.spawn_worker();
        }
        {
            let mut inner = self.inner.borrow_mut();
            if !inner.link.ready {
                inner.link.outbox.push(msg);
                return;
            }
        }
        self.send(msg);
    }

    /// Sends the checks not answered yet (to a worker that has just loaded, or after a new
    /// request), starting a worker if there is none.
    fn send_checks(&self) {
        if self.inner.borrow().link.transport.is_none() {
            self.spawn_worker();
        }
        let checks = {
            let inner = self.inner.borrow();
            if !inner.link.ready {
                return;
            }
            inner.checks.unanswered()
        };
        for check in checks {
            self.send(check);
        }
    }

    /// Sends a new check at once to a loaded worker; else all the checks go once it has.
    fn send_check(&self, check: ToWorker) {
        if self.inner.borrow().link.ready {
            self.send(check);
        } else {
            self.send_checks();
        }
    }

    /// Asks the engine for the diagnostics and the laid-out graph of a definition; the answer
    /// lands in [`RunView::definition_marks`](super::RunView::definition_marks) and
    /// [`RunView::layout`](super::RunView::layout).
    pub fn check_definition(&self, text: String) {
        let check = self.inner.borrow_mut().checks.definition(text);
        self.send_check(check);
    }

    /// Asks the engine for the diagnostics of a mock file
    /// ([`RunView::mocks_marks`](super::RunView::mocks_marks)).
    pub fn check_mocks(&self, text: String) {
        let check = self.inner.borrow_mut().checks.mocks(text);
        self.send_check(check);
    }

    /// Asks the engine to add a starting rule for each Task resource without a mock
    /// ([`RunView::completed_mocks`](super::RunView::completed_mocks)).
    /// (For the machine of `work` and the others of its workspace; its input is not used.)
    pub fn starter_mocks(&self, work: RunRequest) {
        let request = self.inner.borrow_mut().checks.starter(work);
        self.send_check(request);
    }

    /// Asks the engine what the form testing `state_name` of `definition` needs
    /// ([`RunView::test_state_form`](super::RunView::test_state_form)); the previous test's
    /// answer is cleared.
    pub fn open_test_state(&self, definition: String, state_name: String) {
        let view = self.view();
        view.test_state_form.set(None);
        view.test_state_answer.set(None);
        view.test_state_pending.set(false);
        let request = self
            .inner
            .borrow_mut()
            .checks
            .test_form(definition, state_name);
        self.send_check(request);
    }

    /// Tests one state as AWS's TestState does; the answer lands in
    /// [`RunView::test_state_answer`](super::RunView::test_state_answer).
    pub fn test_state(&self, request: TestStateRequestView) {
        let view = self.view();
        view.test_state_answer.set(None);
        view.test_state_pending.set(true);
        let request = self.inner.borrow_mut().checks.test_state(request);
        self.send_check(request);
    }

    /// Asks the engine to read a project file opened on the page; the answer lands in
    /// [`RunView::project_file`](super::RunView::project_file) (cleared until then).
    pub fn read_project_file(&self, file: ProjectFileRequest) {
        self.view().project_file.set(None);
        let request = self.inner.borrow_mut().checks.project_file(file);
        self.send_check(request);
    }

    /// Runs the Tests panel's cases; the results land in
    /// [`RunView::test_results`](super::RunView::test_results).
    pub fn run_tests(&self, request: TestRunRequest) {
        self.view().tests_pending.set(true);
        let request = self.inner.borrow_mut().checks.run_tests(request);
        self.send_check(request);
    }

    /// The worker has loaded: what waited for it goes now.
    pub(super) fn on_ready(&self) {
        let outbox = {
            let mut inner = self.inner.borrow_mut();
            inner.link.ready = true;
            std::mem::take(&mut inner.link.outbox)
        };
        for m in outbox {
            self.post(m);
        }
        self.send_checks();
    }

    /// The engine answered something: a crash after this is not one in a row.
    pub(super) fn engine_answered(&self) {
        self.inner.borrow_mut().link.crashes_in_a_row = 0;
    }

    /// The worker failed (a trap in the engine, a message it could not send, a worker that
    /// could not load): the run in progress ends with `message`, and the texts stay as they
    /// are (nothing here touches them). A worker that had loaded is replaced at once, so the
    /// next run or check finds one ready; a worker that crashes again before the engine has
    /// answered anything is not (it would likely crash again): the next run or check starts
    /// a fresh one.
    pub(super) fn crash(&self, message: String) {
        let (respawn, testing, reading, running_tests) = {
            let mut inner = self.inner.borrow_mut();
            inner.run.end();
            (
                inner.link.crashed(),
                inner.checks.drop_test(),
                inner.checks.drop_project_file(),
                inner.checks.drop_tests(),
            )
        };
        if running_tests {
            let view = self.view();
            view.tests_pending.set(false);
            view.test_results.set(Some(TestResultsView {
                problem: Some(format!(
                    "The engine stopped while running the tests: {message}"
                )),
                ..TestResultsView::default()
            }));
        }
        if let Some(name) = reading {
            self.view().project_file.set(Some(ProjectFileView {
                name,
                problem: Some(format!("the engine stopped while reading it ({message})")),
                ..ProjectFileView::default()
            }));
        }
        if testing {
            let view = self.view();
            view.test_state_pending.set(false);
            view.test_state_answer
                .set(Some(TestStateOutcome::Refused(TestStateProblem {
                    field: None,
                    message: format!("The engine stopped while testing the state: {message}"),
                })));
        }
        self.view().phase.set(Phase::Crashed(format!(
            "{message}. Your texts are kept; the next run starts a fresh engine."
        )));
        if respawn {
            // The checks not answered yet go to the fresh worker once it has loaded.
            self.spawn_worker();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_latest_check_of_each_text_is_answered() {
        let mut checks = Checks::default();
        let ToWorker::CheckDefinition { id: one, .. } = checks.definition("one".into()) else {
            panic!("a definition check");
        };
        let ToWorker::CheckMocks { id: mocks, .. } = checks.mocks("{}".into()) else {
            panic!("a mocks check");
        };
        let ToWorker::CheckDefinition { id: two, .. } = checks.definition("two".into()) else {
            panic!("a definition check");
        };
        assert!(one < mocks && mocks < two);
        assert!(!checks.definition_answered(one));
        assert!(checks.definition_answered(two));
        // Answered once: a repeated answer is stale.
        assert!(!checks.definition_answered(two));
        assert!(checks.mocks_answered(mocks));
    }

    #[test]
    fn the_unanswered_checks_are_sent_again() {
        let mut checks = Checks::default();
        checks.definition("one".into());
        checks.definition("two".into());
        checks.mocks("{}".into());
        checks.test_form("def".into(), "A".into());
        checks.test_state(TestStateRequestView::default());
        checks.project_file(ProjectFileRequest {
            name: "template.yaml".into(),
            ..ProjectFileRequest::default()
        });
        checks.run_tests(TestRunRequest::default());
        checks.starter(RunRequest {
            definition: "def".into(),
            input: String::new(),
            mocks: "{}".into(),
            seed: 0,
            name: String::new(),
            machines: Vec::new(),
            test_case: None,
        });
        let again = checks.unanswered();
        assert_eq!(again.len(), 7);
        assert!(matches!(&again[0], ToWorker::CheckDefinition { id: 2, text } if text == "two"));
        assert!(matches!(&again[1], ToWorker::CheckMocks { id: 3, .. }));
        assert!(matches!(&again[2], ToWorker::StarterMocks { .. }));
        assert!(matches!(&again[3], ToWorker::TestStateForm { id: 4, .. }));
        assert!(matches!(&again[4], ToWorker::TestState { id: 5, .. }));
        assert!(
            matches!(&again[5], ToWorker::ReadProjectFile { id: 6, name, .. } if name == "template.yaml")
        );
        assert!(matches!(&again[6], ToWorker::RunTests { id: 7, .. }));
        checks.definition_answered(2);
        checks.mocks_answered(3);
        checks.starter_answered();
        assert!(checks.test_form_answered(4));
        // After a crash the test is not sent again: it may be what crashed the engine.
        assert!(checks.drop_test());
        assert!(!checks.test_answered(5));
        // Nor is the project file being read: the page is told the engine stopped on it.
        assert_eq!(checks.drop_project_file().as_deref(), Some("template.yaml"));
        assert!(!checks.project_file_answered(6));
        assert!(checks.drop_tests());
        assert!(!checks.tests_answered(7));
        assert!(checks.unanswered().is_empty());
    }
}
