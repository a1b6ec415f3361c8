//! Tasks that wait for their token to be answered: callbacks (`.waitForTaskToken`) and
//! activities (`arn:aws:states:REGION:ACCOUNT:activity:NAME`).
//!
//! Such a task pauses its frame until its token is answered, as AWS's SendTaskSuccess,
//! SendTaskFailure and SendTaskHeartbeat answer it; the other frames (Parallel branches, Map
//! iterations) go on on the one simulated clock meanwhile. While it waits, its
//! TimeoutSeconds (from when it was scheduled) and HeartbeatSeconds (from when it started or
//! its last heartbeat) run on that clock: the task then ends TaskTimedOut (ActivityTimedOut)
//! with `States.Timeout` or `States.HeartbeatTimeout`. A task without TimeoutSeconds has
//! AWS's default (99999999 seconds), so the execution's own TimeoutSeconds or the one-year
//! quota comes first.
//!
//! # Who answers
//!
//! - The mock file, when it mocks the state or resource: its answer (a `Functions` rule's
//!   `return` or `throw`, a Step Functions Local `Return` or `Throw`) is the token's
//!   SendTaskSuccess output or SendTaskFailure error and cause, after the rule's
//!   `durationSeconds`; the rule's `heartbeatSeconds` are heartbeats at those times after the
//!   task started, and `"answer": "never"` leaves it waiting until a timeout (see `mocks`).
//! - Otherwise the caller ([`Execution::answer_task`], the page), at a simulated time it gives.
//!   Until it does, the execution runs what it can; when nothing but such tasks is left before
//!   their deadlines, a step adds nothing ([`Execution::awaiting_answer`], `RunEnd::AwaitingAnswer`)
//!   and [`Execution::next_time`] says when the first of their timeouts fires, which a step up
//!   to that time ([`Execution::step_until`]) then fires. A caller's answer at a time also moves
//!   the clock on to it: what falls due before it happens first.
//!
//! # Events (AWS's shapes)
//!
//! - A callback: TaskScheduled, TaskStarted, TaskSubmitted (the service's response to the call
//!   that sent the token) when it is scheduled; then TaskSucceeded (the SendTaskSuccess output),
//!   TaskFailed (the SendTaskFailure error and cause) or TaskTimedOut.
//! - An activity: ActivityScheduled when it is scheduled; ActivityStarted (`workerName`) when
//!   a worker takes the task (a mock's at once, as worker `playground`; the caller's with
//!   [`Execution::start_activity_task`], or at its first answer); then ActivitySucceeded,
//!   ActivityFailed or ActivityTimedOut. An activity's heartbeat clock starts when it starts.
//! - A heartbeat writes no event (SendTaskHeartbeat's documentation says so).

use std::collections::HashSet;
use std::fmt;

use super::frame::FrameId;
use super::task::ResourceKind;
use super::*;

/// The worker name of an activity task a mock answers.
const MOCK_WORKER: &str = "playground";

/// A task waiting for its token, as [`Execution::waiting_tasks`] shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct WaitingTask {
    /// The task token: `$$.Task.Token` of a callback, the token GetActivityTask gives for an
    /// activity.
    pub token: String,
    pub state_name: String,
    pub resource: String,
    /// What the task sent: a callback's effective Parameters, an activity's input.
    pub input: Value,
    /// An activity (else a `.waitForTaskToken` callback).
    pub activity: bool,
    /// For an activity, whether a worker has taken the task (its ActivityStarted).
    pub started: bool,
    /// Since when it waits on the simulated clock (when it was scheduled).
    pub since: Millis,
    /// When it times out unless a heartbeat comes first (HeartbeatSeconds).
    pub heartbeat_deadline: Option<Millis>,
    /// When it times out whatever comes (TimeoutSeconds, default 99999999 seconds).
    pub timeout_deadline: Millis,
    /// Whether the mock file answers it; if not, only the caller does.
    pub answered_by_mock: bool,
}

/// An answer to a task token: what SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat send.
#[derive(Debug, Clone, PartialEq)]
pub enum TaskAnswer {
    Success(Value),
    Failure {
        error: Option<String>,
        cause: Option<String>,
    },
    Heartbeat,
}

/// Why [`Execution::answer_task`] refused an answer: the errors of AWS's SendTask* APIs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskAnswerError {
    /// The token is not one this execution gives (not a token at all).
    InvalidToken,
    /// A token in the right form that no task of this execution was given.
    TaskDoesNotExist,
    /// The task was already answered, timed out, or stopped (its state or the execution
    /// ended).
    TaskTimedOut,
}

impl TaskAnswerError {
    /// AWS's exception name.
    pub fn name(&self) -> &'static str {
        match self {
            TaskAnswerError::InvalidToken => "InvalidToken",
            TaskAnswerError::TaskDoesNotExist => "TaskDoesNotExist",
            TaskAnswerError::TaskTimedOut => "TaskTimedOut",
        }
    }

    /// The exception's message, as AWS words it.
    pub fn message(&self) -> &'static str {
        match self {
            TaskAnswerError::InvalidToken => "Invalid Token: 'Invalid token'",
            TaskAnswerError::TaskDoesNotExist => {
                "Task Does Not Exist: 'Provided task does not exist'"
            }
            TaskAnswerError::TaskTimedOut => {
                "Task Timed Out: 'Provided task does not exist anymore'"
            }
        }
    }
}

/// `TaskTimedOut: Task Timed Out: 'Provided task does not exist anymore'`.
impl fmt::Display for TaskAnswerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name(), self.message())
    }
}

impl std::error::Error for TaskAnswerError {}

/// A waiting task's state run (`Phase::Callback`): what its end needs.
pub(super) struct CallbackInFlight {
    /// The state's effective input (for ResultPath).
    input: Value,
    kind: ResourceKind,
    token: String,
}

/// What a waiting task gets, at a time: queued by the mock when it starts, by the caller as
/// it answers.
#[derive(Debug, Clone)]
enum Happening {
    /// A worker takes an activity task (GetActivityTask).
    Start(Option<String>),
    Heartbeat,
    Answer(Result<Value, StatesError>),
}

/// One waiting task.
#[derive(Debug, Clone)]
struct Wait {
    view: WaitingTask,
    frame: FrameId,
    heartbeat_ms: Option<Millis>,
    heartbeat_at: Option<Millis>,
    /// What comes, earliest first (in the order queued at one instant).
    queue: Vec<(Millis, Happening)>,
}

/// How a waiting task stands after what came up to a time.
enum Settled {
    Open,
    Ended(Result<Value, StatesError>),
}

impl Wait {
    /// When it times out, and with which error: TimeoutSeconds first at the same instant.
    fn deadline(&self) -> (Millis, StatesError) {
        let timeout = self.view.timeout_deadline;
        match self.heartbeat_at {
            Some(heartbeat) if heartbeat < timeout => (
                heartbeat,
                StatesError::new(names::HEARTBEAT_TIMEOUT, "Task heartbeat timed out."),
            ),
            _ => (timeout, StatesError::new(names::TIMEOUT, "Task timed out.")),
        }
    }

    /// When its frame runs next: the next thing queued, or its deadline.
    fn wake(&self) -> Millis {
        let deadline = self.deadline().0;
        self.queue
            .first()
            .map_or(deadline, |(at, _)| (*at).min(deadline))
    }

    /// Takes in what came up to `until`, in time order; returns the workers that took the task
    /// and whether it ended (an answer, or a deadline passed before the next thing came).
    /// Something at the deadline's instant still comes in time.
    fn advance(&mut self, until: Millis) -> (Vec<Option<String>>, Settled) {
        let mut started = Vec::new();
        while let Some((at, _)) = self.queue.first() {
            let at = *at;
            if at > until {
                break;
            }
            let (deadline, error) = self.deadline();
            if at > deadline {
                return (started, Settled::Ended(Err(error)));
            }
            let (_, happening) = self.queue.remove(0);
            match happening {
                Happening::Start(worker) => {
                    if !self.view.started {
                        self.view.started = true;
                        self.heartbeat_at = self.heartbeat_ms.map(|h| at.saturating_add(h));
                        started.push(worker);
                    }
                }
                Happening::Heartbeat => {
                    if self.view.started {
                        self.heartbeat_at = self.heartbeat_ms.map(|h| at.saturating_add(h));
                    }
                }
                Happening::Answer(answer) => return (started, Settled::Ended(answer)),
            }
        }
        let (deadline, error) = self.deadline();
        if deadline <= until {
            return (started, Settled::Ended(Err(error)));
        }
        (started, Settled::Open)
    }

    /// Whether only the caller can end it (no answer queued) and nothing is queued before its
    /// deadline: its frame's next run is a timeout.
    fn waits_for_caller(&self) -> bool {
        !self.view.answered_by_mock && self.queue.is_empty()
    }

    /// How it stands once what came by `clock` (the caller's answers) is taken in, which its
    /// frame does when it next runs.
    fn snapshot(&self, clock: Millis) -> WaitingTask {
        let mut probe = self.clone();
        let _ = probe.advance(clock);
        WaitingTask {
            heartbeat_deadline: probe.heartbeat_at,
            ..probe.view
        }
    }
}

/// The tasks of an execution waiting for their tokens, and the tokens already closed.
#[derive(Debug, Default)]
pub(super) struct Callbacks {
    open: Vec<Wait>,
    closed: HashSet<String>,
    /// The latest time a caller answered at: timeouts due by then fire without the caller
    /// stepping the clock on.
    caller_clock: Millis,
}

impl Callbacks {
    fn position(&self, token: &str) -> Option<usize> {
        self.open.iter().position(|wait| wait.view.token == token)
    }

    /// Closes a token: its task ended or was stopped.
    pub(super) fn close(&mut self, token: &str) {
        if let Some(index) = self.position(token) {
            self.open.remove(index);
        }
        self.closed.insert(token.to_string());
    }

    fn waits_for_caller(&self, frame: FrameId) -> bool {
        self.open
            .iter()
            .any(|wait| wait.frame == frame && wait.waits_for_caller())
    }
}

/// What [`Execution::start_waiting`] needs of the task `run_task` scheduled.
pub(super) struct WaitStart {
    pub(super) input: Value,
    pub(super) kind: ResourceKind,
    pub(super) resource: String,
    pub(super) parameters: Value,
    pub(super) token: Option<String>,
    pub(super) timeout_seconds: Option<u64>,
    pub(super) heartbeat_seconds: Option<u64>,
}

impl Execution {
    /// The tasks waiting for their tokens, in the order they started (none once the execution
    /// has ended).
    pub fn waiting_tasks(&self) -> Vec<WaitingTask> {
        if self.status != ExecutionStatus::Running {
            return Vec::new();
        }
        let clock = self.callbacks.caller_clock;
        self.callbacks
            .open
            .iter()
            .map(|wait| wait.snapshot(clock))
            .collect()
    }

    /// Whether the execution cannot go on without a caller's answer: it runs, and what runs
    /// next is the timeout of a task only the caller answers (a step then adds nothing;
    /// [`Execution::next_time`] says when that timeout fires).
    pub fn awaiting_answer(&self) -> bool {
        self.status == ExecutionStatus::Running && self.started && self.caller_blocks()
    }

    /// Whether the next frame to run is a task waiting for the caller whose timeout is later
    /// than the caller has stepped the clock to: neither a step nor the execution's timeout
    /// goes past it.
    pub(super) fn caller_blocks(&self) -> bool {
        // Checked at every action: most executions have no task waiting at all.
        if self.callbacks.open.is_empty() {
            return false;
        }
        let Some((time, frame)) = self.frames.peek_next() else {
            return false;
        };
        time > self.callbacks.caller_clock && self.callbacks.waits_for_caller(frame)
    }

    /// The caller steps the clock on to `until` ([`Execution::step_until`]): the timeouts of
    /// tasks waiting for it fire up to then.
    pub(super) fn caller_steps_to(&mut self, until: Millis) {
        if until != Millis::MAX {
            self.callbacks.caller_clock = self.callbacks.caller_clock.max(until);
        }
    }

    /// Answers a task token at the simulated time `at` (no earlier than the execution's
    /// clock), as SendTaskSuccess, SendTaskFailure or SendTaskHeartbeat do. The answer takes
    /// effect when the execution steps on to `at`. An activity no worker has taken yet is
    /// taken at `at` first.
    pub fn answer_task(
        &mut self,
        token: &str,
        answer: TaskAnswer,
        at: Millis,
    ) -> Result<(), TaskAnswerError> {
        let happening = match answer {
            TaskAnswer::Success(output) => Happening::Answer(Ok(output)),
            TaskAnswer::Failure { error, cause } => {
                Happening::Answer(Err(StatesError { error, cause }))
            }
            TaskAnswer::Heartbeat => Happening::Heartbeat,
        };
        self.queue_for_task(token, happening, at)
    }

    /// A worker takes an activity task at `at`, as GetActivityTask does: its ActivityStarted
    /// (with `worker_name`) and its heartbeat clock start then. A task already taken is refused
    /// with TaskTimedOut, a callback's token with TaskDoesNotExist (AWS's "the activity does
    /// not exist").
    pub fn start_activity_task(
        &mut self,
        token: &str,
        worker_name: Option<&str>,
        at: Millis,
    ) -> Result<(), TaskAnswerError> {
        self.queue_for_task(token, Happening::Start(worker_name.map(str::to_string)), at)
    }

    fn queue_for_task(
        &mut self,
        token: &str,
        happening: Happening,
        at: Millis,
    ) -> Result<(), TaskAnswerError> {
        let Some(index) = self.callbacks.position(token) else {
            return Err(if self.callbacks.closed.contains(token) {
                TaskAnswerError::TaskTimedOut
            } else if looks_like_token(token) {
                TaskAnswerError::TaskDoesNotExist
            } else {
                TaskAnswerError::InvalidToken
            });
        };
        if self.status != ExecutionStatus::Running {
            return Err(TaskAnswerError::TaskTimedOut);
        }
        let now = self.now();
        let execution_deadline = self.deadline();
        let Some(wait) = self.callbacks.open.get_mut(index) else {
            return Err(TaskAnswerError::TaskTimedOut);
        };
        // The caller's time never goes back (its answers, its steps of the clock).
        let at = at
            .max(now)
            .max(wait.view.since)
            .max(self.callbacks.caller_clock);
        // What happens before `at` on a copy: an answer or a timeout by then closes the token.
        // (An answer queued at `at` comes first; a deadline at `at` is still in time.)
        let mut probe = wait.clone();
        let (_, settled) = probe.advance(at.saturating_sub(1));
        let answered_at = probe
            .queue
            .iter()
            .any(|(t, h)| *t <= at && matches!(h, Happening::Answer(_)));
        self.callbacks.caller_clock = self.callbacks.caller_clock.max(at);
        // The execution's own timeout comes first.
        let execution_over = execution_deadline.is_some_and(|deadline| at > deadline);
        if matches!(settled, Settled::Ended(_)) || answered_at || execution_over {
            return Err(TaskAnswerError::TaskTimedOut);
        }
        let activity_waiting = wait.view.activity
            && !wait.view.started
            && !wait
                .queue
                .iter()
                .any(|(_, h)| matches!(h, Happening::Start(_)));
        let mut queued = Vec::with_capacity(2);
        match happening {
            Happening::Start(_) if !wait.view.activity => {
                return Err(TaskAnswerError::TaskDoesNotExist)
            }
            Happening::Start(_) if !activity_waiting => return Err(TaskAnswerError::TaskTimedOut),
            Happening::Start(_) => {}
            _ if activity_waiting => queued.push((at, Happening::Start(None))),
            _ => {}
        }
        queued.push((at, happening));
        // After what is queued by then (a mock's heartbeats may come later).
        let place = wait.queue.partition_point(|(t, _)| *t <= at);
        wait.queue.splice(place..place, queued);
        let frame_id = wait.frame;
        // The frame runs at `at` (or earlier, for something queued before).
        if let Some(mut frame) = self.frames.take(frame_id) {
            frame.now = frame.now.min(at);
            self.frames.push(frame);
        }
        Ok(())
    }

    /// Starts a task that waits for its token (`run_task` has emitted its Scheduled and
    /// Started events): its TaskSubmitted, its mock's answer queued if a mock answers it, and
    /// the wait.
    pub(super) fn start_waiting(
        &mut self,
        frame: &mut Frame,
        run: &mut StateRun,
        state: &State,
        start: WaitStart,
    ) -> Result<Outcome, StatesError> {
        let WaitStart {
            input,
            kind,
            resource,
            parameters,
            token,
            timeout_seconds,
            heartbeat_seconds,
        } = start;
        let activity = matches!(kind, ResourceKind::Activity);
        if let ResourceKind::Integration {
            resource_type,
            resource,
        } = &kind
        {
            let submitted = self.submit_response(resource_type, resource, &parameters, frame.now);
            let details = json!({"resourceType": resource_type, "resource": resource, "output": submitted, "outputDetails": {"truncated": false}});
            self.emit(
                frame,
                EventKind::TaskSubmitted,
                Some(("taskSubmittedEventDetails", details)),
            );
        }
        let token = token.unwrap_or_else(|| self.rng.uuid_v4());
        let now = frame.now;
        let call = TaskCall {
            state_name: &run.name,
            resource: &resource,
            input: &parameters,
        };
        let mut queue = Vec::new();
        let outcome = if self.mocks.answers(&call) {
            let outcome = self
                .mocks
                .respond(&call)
                .map_err(|e| StatesError::runtime(e.message))?;
            // No rule matching the call: the caller answers, as for a task no mock names.
            (outcome.response != MockResponse::Caller).then_some(outcome)
        } else {
            None
        };
        let answered_by_mock = outcome.is_some();
        if let Some(outcome) = outcome {
            if activity {
                queue.push((now, Happening::Start(Some(MOCK_WORKER.to_string()))));
            }
            let ms = |ms: u64| now.saturating_add(Millis::try_from(ms).unwrap_or(Millis::MAX / 2));
            queue.extend(
                outcome
                    .heartbeats_ms
                    .into_iter()
                    .map(|h| (ms(h), Happening::Heartbeat)),
            );
            let answer = match outcome.response {
                MockResponse::Return(value) | MockResponse::FunctionReturn(value) => {
                    Some(Ok(value))
                }
                MockResponse::Throw { error, cause } => Some(Err(StatesError::new(error, cause))),
                MockResponse::Never | MockResponse::Caller => None,
            };
            if let Some(answer) = answer {
                queue.push((ms(outcome.duration_ms), Happening::Answer(answer)));
            }
            // In time order; at one instant the worker starts, then heartbeats, then the answer.
            queue.sort_by_key(|(at, _)| *at);
        }
        let heartbeat_ms = heartbeat_seconds.map(seconds_to_ms);
        let timeout = timeout_seconds.unwrap_or(DEFAULT_TASK_TIMEOUT_SECONDS);
        let wait = Wait {
            view: WaitingTask {
                token: token.clone(),
                state_name: run.name.to_string(),
                resource,
                input: parameters,
                activity,
                started: !activity,
                since: now,
                heartbeat_deadline: None,
                timeout_deadline: now.saturating_add(seconds_to_ms(timeout)),
                answered_by_mock,
            },
            frame: frame.id,
            heartbeat_ms,
            // A callback's heartbeat clock runs from now; an activity's from when it starts.
            heartbeat_at: heartbeat_ms
                .filter(|_| !activity)
                .map(|h| now.saturating_add(h)),
            queue,
        };
        self.callbacks.open.push(wait);
        run.phase = Phase::Callback(Box::new(CallbackInFlight { input, kind, token }));
        self.resume_waiting(frame, run, state)
    }

    /// A waiting task's frame runs: what came by now is taken in; the task ends (answered or
    /// timed out) or waits on until the next thing or its deadline.
    pub(super) fn resume_waiting(
        &mut self,
        frame: &mut Frame,
        run: &mut StateRun,
        state: &State,
    ) -> Result<Outcome, StatesError> {
        let Phase::Callback(call) = std::mem::replace(&mut run.phase, Phase::Entered) else {
            return Err(StatesError::runtime(
                "internal error: a waiting task lost its token",
            ));
        };
        let Some(index) = self.callbacks.position(&call.token) else {
            return Err(StatesError::runtime(
                "internal error: a waiting task's token was closed",
            ));
        };
        let now = frame.now;
        let (started, settled, wake) = match self.callbacks.open.get_mut(index) {
            Some(wait) => {
                let (started, settled) = wait.advance(now);
                (started, settled, wait.wake())
            }
            None => (Vec::new(), Settled::Open, now),
        };
        for worker in started {
            let details = match worker {
                Some(name) => json!({ "workerName": name }),
                None => json!({}),
            };
            self.emit(
                frame,
                EventKind::ActivityStarted,
                Some(("activityStartedEventDetails", details)),
            );
        }
        match settled {
            Settled::Ended(response) => {
                self.callbacks.close(&call.token);
                let CallbackInFlight { input, kind, .. } = *call;
                self.end_task(frame, run, state, &input, &kind, response)
            }
            Settled::Open => {
                self.advance_clock(frame, wake);
                run.phase = Phase::Callback(call);
                Ok(Outcome::Block)
            }
        }
    }
}

/// Whether `token` has the form of the tokens this engine gives (a UUID).
fn looks_like_token(token: &str) -> bool {
    let parts: Vec<&str> = token.split('-').collect();
    parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12])
        && token.chars().all(|c| c == '-' || c.is_ascii_hexdigit())
}

/// The token of a waiting task's run, to close it when the run is stopped.
pub(super) fn token_of(phase: &Phase) -> Option<&str> {
    match phase {
        Phase::Callback(call) => Some(&call.token),
        _ => None,
    }
}
