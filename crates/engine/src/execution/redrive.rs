//! Redriving an execution that failed, timed out or was stopped, as AWS's RedriveExecution
//! does: the same execution goes on, its history continues with ExecutionRedriven, and only
//! what did not succeed runs again.
//!
//! AWS documents (Developer Guide, "Restarting state machine executions with redrive"):
//!
//! - an execution can be redriven unless it SUCCEEDED (or still runs), within 14 days of its
//!   end, within its one year of maximum open time, and while its history has fewer than
//!   24,999 events (room for ExecutionRedriven and one more); otherwise RedriveExecution
//!   answers `ExecutionNotRedrivable` ([`RedriveError`], with the reasons DescribeExecution's
//!   `redriveStatusReason` lists);
//! - the execution continues "from the unsuccessful step" with the same input; the states
//!   that succeeded are not run again; the state machine's TimeoutSeconds counts again from
//!   the redrive, and so does a Task's;
//! - a Parallel state runs again only its branches that failed or were aborted, an inline Map
//!   only its iterations that failed or were aborted, unless the state failed with
//!   States.DataLimitExceeded (then all of them); the retry counts of a Task, Parallel or Map
//!   state run again start from 0;
//! - `$$.Execution.RedriveCount` is the number of redrives, `$$.Execution.RedriveTime` the time
//!   of the latest one (present once redriven); ExecutionRedriven's details are
//!   `{"redriveCount": n}`;
//! - ("Redriving Map Runs") a distributed Map whose Map Run failed has that Map Run redriven:
//!   the same Map Run (MapRunRedriven's details: its `mapRunArn` and `redriveCount`, the
//!   number of its redrives so far), which runs again only its unsuccessful child executions
//!   (failed, aborted, timed out, or never started); STANDARD ones are redriven (same ARN,
//!   their RedriveCount counts up, ExecutionRedriven in their history), EXPRESS ones are
//!   started again with StartExecution (a new execution). A Map Run that failed with
//!   States.DataLimitExceeded, or was not started, starts anew.
//!
//! What AWS does not document, and is decided here, for a Map Run: the parent's history reads
//! MapStateEntered, MapStateStarted (as any redriven state here) then MapRunRedriven where the
//! first attempt had MapRunStarted, and MapRunSucceeded/Failed follow it; a redriven STANDARD
//! child goes on from the state it stopped in (as its parent does), its ExecutionRedriven
//! followed by that state's Entered event; an EXPRESS child started again is named with a new
//! UUID and runs from its start; the children's inputs are those of the first attempt (the
//! items are read again, and when their number changed a new Map Run starts); a ResultWriter
//! writes the run's files again under the same Map Run id, with every child (those kept and
//! those run again, RedriveCount counted); the tolerated failure thresholds count the
//! failures of the redrive only.
//!
//! What AWS does not document, and is decided here: the state a frame stopped in is entered
//! again (a new `<Type>StateEntered` event, with the input it had), so a redrive reads as a
//! visit of that state; ExecutionRedriven follows the event that ended the attempt before, and
//! the first event of the redrive follows ExecutionRedriven. A branch or iteration that had just finished at the very instant the execution was
//! stopped runs again. The mocks given to a redrive replace the execution's, their calls
//! counted from 0. An EXPRESS state machine's execution is refused (AWS: "not supported by
//! EXPRESS state machines"; the message is ours). AWS documents no limit on the number of
//! redrives of an execution (1,000 is a Map Run's): none here but the history quota.
//!
//! To go on, an ended execution keeps a [`Resume`] per frame that stopped: the state, its
//! input, the variables in scope and, for a Parallel or Map state, the outputs of the
//! children that succeeded and where each of the others stopped (and a distributed Map's Map
//! Run: its ARN, which children started, the ResultWriter's records). That is bounded by the
//! frames running at the end and the outputs the state had collected, which it held anyway.

use std::fmt;

use super::fanout::Fanout;
use super::map_run::MapRun;
use super::*;

/// AWS's redrivable period: 14 days from the execution's end.
const REDRIVABLE_PERIOD_MS: Millis = 14 * 24 * 60 * 60 * 1000;

/// Why a redrive was refused: AWS's error name and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedriveError {
    /// AWS's `ExecutionNotRedrivable`, with the reason (DescribeExecution's
    /// `redriveStatusReason`), e.g. "Execution is SUCCEEDED and cannot be redriven."
    ExecutionNotRedrivable { message: String },
}

impl RedriveError {
    fn not_redrivable(message: impl Into<String>) -> Self {
        RedriveError::ExecutionNotRedrivable {
            message: message.into(),
        }
    }

    /// AWS's error name: `ExecutionNotRedrivable`.
    pub fn name(&self) -> &'static str {
        match self {
            RedriveError::ExecutionNotRedrivable { .. } => "ExecutionNotRedrivable",
        }
    }

    pub fn message(&self) -> &str {
        match self {
            RedriveError::ExecutionNotRedrivable { message } => message,
        }
    }
}

/// `ExecutionNotRedrivable: Execution is SUCCEEDED and cannot be redriven.`
impl fmt::Display for RedriveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name(), self.message())
    }
}

impl std::error::Error for RedriveError {}

/// Where a frame stopped, to go on from there: the state to enter again with the input it had
/// and the variables the frame saw then.
#[derive(Debug)]
pub(super) struct Resume {
    state: usize,
    input: Rc<Value>,
    variables: Rc<Map<String, Value>>,
    /// For a Parallel or inline Map state, what its branches or iterations left.
    children: Option<Rc<ChildrenLeft>>,
}

/// What a Parallel state's branches or a Map's iterations (child executions) left when the
/// state stopped.
/// A child in neither list had not started: it runs from its start.
#[derive(Debug)]
pub(super) struct ChildrenLeft {
    /// The state's index in its machine: the children are those of its visit.
    state: usize,
    /// How many children the state had.
    count: usize,
    /// The outputs of the children that succeeded, by index.
    succeeded: Vec<(usize, Value)>,
    /// Where each child that failed or was stopped stopped, by index.
    stopped: Vec<(usize, Rc<Resume>)>,
    /// A distributed Map's Map Run, redriven on a redrive.
    map_run: Option<Box<MapRun>>,
}

/// A frame's part in a redrive.
#[derive(Debug, Default)]
pub(super) struct FrameRedrive {
    /// Where the frame stopped, once it ended with an error.
    pub(super) stopped: Option<Rc<Resume>>,
    /// On a redrive: what the children of the state this frame enters first left, for that
    /// state's branches or iterations to go on from.
    resume_children: Option<Rc<ChildrenLeft>>,
}

/// A Parallel's or Map's record of its children for a redrive: which succeeded, where the
/// others stopped; and on a redrive, what the attempt before left.
#[derive(Debug, Default)]
pub(super) struct FanoutRedrive {
    /// Which children succeeded (their outputs are among the fanout's results).
    succeeded: Vec<bool>,
    stopped: Vec<(usize, Rc<Resume>)>,
    /// On a redrive, where each child that stopped before goes on from.
    resumes: Vec<(usize, Rc<Resume>)>,
}

impl FanoutRedrive {
    /// Marks the child `index` (of `count`) as succeeded.
    pub(super) fn succeeded(&mut self, index: usize, count: usize) {
        if self.succeeded.len() < count {
            self.succeeded.resize(count, false);
        }
        if let Some(slot) = self.succeeded.get_mut(index) {
            *slot = true;
        }
    }

    /// Records where the child `index` stopped (failed, or stopped by a sibling's failure).
    pub(super) fn stopped(&mut self, index: usize, resume: Option<Rc<Resume>>) {
        if let Some(resume) = resume {
            self.stopped.push((index, resume));
        }
    }

    /// Records where stopped children stopped.
    pub(super) fn stopped_all(&mut self, stopped: Vec<(usize, Rc<Resume>)>) {
        self.stopped.extend(stopped);
    }

    /// Whether the child `index` succeeded in the attempt before this redrive (it does not run).
    pub(super) fn succeeded_before(&self, index: usize) -> bool {
        self.succeeded.get(index).copied().unwrap_or(false)
    }

    /// Points `child` (a branch or iteration about to start) at where it stopped in the
    /// attempt before, if it did.
    pub(super) fn resume_child(&self, child: &mut Frame) {
        let Some((_, resume)) = self.resumes.iter().find(|(i, _)| *i == child.index) else {
            return;
        };
        child.action = Action::Enter {
            state: resume.state,
            input: Rc::clone(&resume.input),
        };
        child.variables = Rc::clone(&resume.variables);
        child.redrive.resume_children = resume.children.clone();
    }
}

/// The execution's redrives: how many, the latest's time, and where the execution stopped.
#[derive(Debug, Default)]
pub(super) struct Redrives {
    count: u64,
    /// `$$.Execution.RedriveTime`: the latest redrive's time, as ISO 8601.
    time_iso: Option<String>,
    /// When the latest redrive started: the state machine's TimeoutSeconds counts from then.
    started: Option<Millis>,
    /// Where the root frame stopped, once the execution ended unsuccessfully.
    root: Option<Rc<Resume>>,
}

impl Redrives {
    /// When the current attempt started: the latest redrive, or the execution's start.
    pub(super) fn attempt_start(&self, execution_start: Millis) -> Millis {
        self.started.unwrap_or(execution_start)
    }

    /// Remembers where the root frame stopped.
    pub(super) fn root_stopped(&mut self, resume: Option<Rc<Resume>>) {
        self.root = resume;
    }

    /// `$$.Execution.RedriveCount` and `RedriveTime` once redriven. AWS shows RedriveCount
    /// where `context_object` put it (every state but Tasks, 0 before any redrive);
    /// RedriveTime goes with it.
    pub(super) fn add_to_context(&self, context: &mut Value) {
        let Some(time) = &self.time_iso else {
            return;
        };
        if let Some(execution) = context.get_mut("Execution").and_then(Value::as_object_mut) {
            if execution.contains_key("RedriveCount") {
                execution.insert("RedriveCount".into(), json!(self.count));
                execution.insert("RedriveTime".into(), json!(time));
            }
        }
    }
}

impl Execution {
    /// Redrives an execution that failed, timed out or was stopped, at the instant it ended
    /// (see [`Execution::redrive_at`]).
    pub fn redrive(&mut self, mocks: MockSet) -> Result<(), RedriveError> {
        let at = self.now();
        self.redrive_at(mocks, at)
    }

    /// Redrives an execution that failed, timed out or was stopped, as RedriveExecution does,
    /// at `at` on the simulated clock (no earlier than its end): ExecutionRedriven is added to
    /// the history (the events of this call, [`Execution::step_events`]), the status is
    /// RUNNING again, and [`Execution::step`] or [`Execution::run`] go on from where the
    /// execution stopped. `mocks` replace the execution's mocks, their calls counted from 0:
    /// they answer the calls of the redrive (typically a mock file the user fixed).
    ///
    /// Refused with AWS's `ExecutionNotRedrivable` when the execution runs or succeeded, when
    /// its history has no room for the redrive's events, and (AWS's quotas on) past its
    /// redrivable period of 14 days or its year of maximum open time.
    pub fn redrive_at(&mut self, mocks: MockSet, at: Millis) -> Result<(), RedriveError> {
        let end = self.now();
        let at = at.max(end);
        self.check_redrivable(end, at)?;
        if !self.options.keep_history {
            self.history.forget_earlier_steps();
        }
        self.history.begin_step();
        let redrives = &mut self.redrives;
        redrives.count = redrives.count.saturating_add(1);
        redrives.time_iso = Some(format_iso(at));
        redrives.started = Some(at);
        let count = redrives.count;
        let resume = redrives.root.take();
        let mut mocks = mocks;
        mocks.reset_calls();
        mocks.set_jsonata_limits(self.options.limits.jsonata);
        self.mocks = mocks;
        // A redrive is a new attempt: a fresh resource budget (unless the caller holds the
        // meter installed across steps, which then goes on).
        if self.replaced_meter.is_none() {
            self.meter = crate::budget::Meter::new(self.options.limits.budget());
        }
        self.silent_actions = 0;
        let last = self.history.last_id();
        let redriven = self.push_event(
            at,
            last,
            None,
            EventKind::ExecutionRedriven,
            Some((
                "executionRedrivenEventDetails",
                json!({"redriveCount": count}),
            )),
        );
        self.status = ExecutionStatus::Running;
        self.started = true;
        let mut root = self.root_frame(at, redriven);
        // Nothing known of where it stopped (it failed before its first state, or at a limit
        // of the simulator's): it starts over.
        if let Some(resume) = resume {
            root.action = Action::Enter {
                state: resume.state,
                input: Rc::clone(&resume.input),
            };
            root.variables = Rc::clone(&resume.variables);
            root.redrive.resume_children = resume.children.clone();
        }
        self.frames.push(root);
        Ok(())
    }

    /// How many times the execution was redriven (`$$.Execution.RedriveCount`).
    pub fn redrive_count(&self) -> u64 {
        self.redrives.count
    }

    fn check_redrivable(&self, end: Millis, at: Millis) -> Result<(), RedriveError> {
        match self.status {
            ExecutionStatus::Running => {
                return Err(RedriveError::not_redrivable(
                    "Execution is RUNNING and cannot be redriven.",
                ))
            }
            ExecutionStatus::Succeeded { .. } => {
                return Err(RedriveError::not_redrivable(
                    "Execution is SUCCEEDED and cannot be redriven.",
                ))
            }
            _ => {}
        }
        if self.options.identity.state_machine_type == "EXPRESS" {
            return Err(RedriveError::not_redrivable(
                "Executions of EXPRESS state machines cannot be redriven.",
            ));
        }
        let limits = &self.options.limits;
        // Room for ExecutionRedriven and at least one more event.
        if let Some(max) = limits.max_history_events {
            if self.history.len().saturating_add(2) > max {
                return Err(RedriveError::not_redrivable(
                    "Execution history event limit exceeded.",
                ));
            }
        }
        if let Some(max) = limits.max_execution_seconds {
            if at.saturating_sub(self.options.start_time) > clock::seconds_to_ms(max) {
                return Err(RedriveError::not_redrivable(
                    "Execution has exceeded the max execution time.",
                ));
            }
            if at.saturating_sub(end) > REDRIVABLE_PERIOD_MS {
                return Err(RedriveError::not_redrivable(
                    "Execution redrivable period exceeded.",
                ));
            }
        }
        Ok(())
    }

    /// Where a frame stops when its state `run` fails with `error`: that state, entered again
    /// on a redrive, and for a Parallel or inline Map state what its children left.
    pub(super) fn stop_point(
        &self,
        frame: &Frame,
        run: &StateRun,
        error: &StatesError,
    ) -> Option<Rc<Resume>> {
        let data_limit = error.error.as_deref() == Some(names::DATA_LIMIT_EXCEEDED);
        let children = match &run.phase {
            Phase::Fanout(fanout) if !data_limit => children_left(run.index, fanout, Vec::new()),
            // Redriven, the state failed before its children started again: what they left
            // the time before still holds.
            _ if !data_limit => frame
                .redrive
                .resume_children
                .clone()
                .filter(|left| left.state == run.index),
            _ => None,
        };
        Some(Rc::new(Resume {
            state: run.index,
            input: Rc::clone(&run.input),
            variables: Rc::clone(&frame.variables),
            children,
        }))
    }

    /// Where a frame stopped by a sibling's failure, the execution's timeout or a stop goes
    /// on from: the state it was in (or about to enter), with what the children of a Parallel
    /// or Map state in progress left (`stopped`: those it stopped just now). None for a child
    /// that had not started or had just ended successfully: it runs from its start.
    pub(super) fn abort_point(
        &self,
        frame: &Frame,
        stopped: Vec<(usize, Rc<Resume>)>,
    ) -> Option<Rc<Resume>> {
        if frame.announce.is_some() {
            return None;
        }
        let (state, input, children) = match &frame.action {
            Action::Enter { state, input } => (
                *state,
                Rc::clone(input),
                frame.redrive.resume_children.clone(),
            ),
            Action::Run(run) => {
                let children = match &run.phase {
                    Phase::Fanout(fanout) => children_left(run.index, fanout, stopped),
                    _ => None,
                };
                (run.index, Rc::clone(&run.input), children)
            }
            Action::Done(Err(_)) => return frame.redrive.stopped.clone(),
            Action::Done(Ok(_)) | Action::Vacant => return None,
        };
        Some(Rc::new(Resume {
            state,
            input,
            variables: Rc::clone(&frame.variables),
            children,
        }))
    }

    /// On a redrive, the first fanout a frame prepares is that of the state it stopped in:
    /// its children that succeeded keep their outputs and do not run, the others go on from
    /// where they stopped (a distributed Map's in the Map Run it redrives).
    pub(super) fn resume_fanout(&mut self, frame: &mut Frame, run: &StateRun, fanout: &mut Fanout) {
        let Some(left) = frame.redrive.resume_children.take() else {
            return;
        };
        if left.state != run.index || left.count != fanout.children.len() {
            return;
        }
        // A distributed Map goes on only in the Map Run it redrives (`map_run_to_redrive`).
        let run_arn = |map_run: Option<&MapRun>| map_run.map(|map_run| map_run.arn.clone());
        if run_arn(fanout.map_run()) != run_arn(left.map_run.as_deref()) {
            return;
        }
        for (index, output) in &left.succeeded {
            if let Some(slot) = fanout.results.get_mut(*index) {
                *slot = output.clone();
                fanout.finished = fanout.finished.saturating_add(1);
                fanout.redrive.succeeded(*index, left.count);
            }
        }
        fanout.redrive.resumes = left.stopped.clone();
    }
}

/// On a redrive, the Map Run a distributed Map state (`state`, with `count` children) redrives:
/// the one its visit before left, when the state stopped in it with as many children (else a
/// new Map Run starts).
pub(super) fn map_run_to_redrive(frame: &Frame, state: usize, count: usize) -> Option<MapRun> {
    let left = frame.redrive.resume_children.as_ref()?;
    if left.state != state || left.count != count {
        return None;
    }
    left.map_run.as_deref().cloned()
}

/// What the children of a Parallel or Map state left (`stopped`: those stopped just now,
/// besides those the fanout recorded), with a distributed Map's Map Run. None when there is
/// nothing to keep: no child succeeded nor stopped after starting.
fn children_left(
    state: usize,
    fanout: &Fanout,
    stopped: Vec<(usize, Rc<Resume>)>,
) -> Option<Rc<ChildrenLeft>> {
    let count = fanout.children.len();
    let succeeded: Vec<(usize, Value)> = fanout
        .redrive
        .succeeded
        .iter()
        .enumerate()
        .filter(|(_, done)| **done)
        .filter_map(|(index, _)| fanout.results.get(index).map(|v| (index, v.clone())))
        .collect();
    let mut all_stopped = fanout.redrive.stopped.clone();
    all_stopped.extend(stopped);
    // A child this redrive was to resume but did not start yet keeps where it stopped.
    let resumed_not_run: Vec<(usize, Rc<Resume>)> = fanout
        .redrive
        .resumes
        .iter()
        .filter(|(index, _)| {
            !fanout.redrive.succeeded_before(*index)
                && !all_stopped.iter().any(|(stopped, _)| stopped == index)
        })
        .cloned()
        .collect();
    all_stopped.extend(resumed_not_run);
    // Every child succeeded (the state failed after them): nothing to keep, it runs again.
    if succeeded.len() >= count || (succeeded.is_empty() && all_stopped.is_empty()) {
        return None;
    }
    Some(Rc::new(ChildrenLeft {
        state,
        count,
        succeeded,
        stopped: all_stopped,
        map_run: fanout.map_run().cloned().map(Box::new),
    }))
}
