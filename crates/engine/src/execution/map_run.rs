//! A Distributed Map's Map Run and its child workflow executions.
//!
//! On AWS a Distributed Map starts a Map Run (`arn:...:mapRun:MACHINE/LABEL:RUN_ID`; the
//! parent's history records MapRunStarted and MapRunSucceeded, MapRunFailed or MapRunAborted),
//! and the Map Run starts a child execution per item or batch
//! (`arn:...:execution:MACHINE/LABEL:NAME`, of the state machine `...:stateMachine:
//! MACHINE/LABEL`), each with its own history: ExecutionStarted, its states' events, and
//! ExecutionSucceeded, ExecutionFailed or ExecutionAborted. LABEL is the Map's Label, or its
//! name.
//!
//! Here each child runs in frames of this execution (`frame.rs`) whose events go to the
//! child's history ([`ChildExecution`], in `Execution::child_executions`) instead of this
//! one's: a frame's `child_execution` names the history, and `Execution::sink` is the one the
//! action being carried out writes to (`events.rs`). The parent's history is the same as
//! without them.
//!
//! Bounded: the first [`MAX_CHILD_EXECUTIONS_KEPT`] child executions are kept with their
//! histories, and the histories together keep at most [`MAX_CHILD_EVENTS_KEPT`] events (a
//! child's events past it are dropped, its end event excepted). The children past the first
//! ones still run, as before, with no history.

use std::collections::HashMap;

use md5::{Digest, Md5};

use super::fanout::FanoutChild;
use super::frame::FrameId;
use super::*;

/// How many child executions an execution keeps with their histories.
pub const MAX_CHILD_EXECUTIONS_KEPT: usize = 1_000;

/// How many events the kept child histories hold together.
pub const MAX_CHILD_EVENTS_KEPT: usize = 200_000;

/// The child executions of an execution's Map Runs while they run.
#[derive(Default)]
pub(super) struct MapRuns {
    /// The root frame of each running child execution, and its index in `child_executions`.
    roots: HashMap<FrameId, usize>,
    /// The events kept in child histories so far.
    events_kept: usize,
}

/// A Map Run: its ARN, and what its child executions are named. A redrive of its execution
/// redrives it (`redrive.rs`): the same run, its unsuccessful children run again.
#[derive(Debug, Clone)]
pub(super) struct MapRun {
    pub(super) arn: String,
    /// The run's id, the ARN's last part (a ResultWriter's files go under it).
    pub(super) id: String,
    state_name: String,
    state_machine_arn: String,
    /// The child executions' ARNs before their name.
    execution_prefix: String,
    /// Each child's record, by index, when a ResultWriter needs them.
    pub(super) records: Option<Vec<ChildRecord>>,
    /// How many times the run was redriven (MapRunRedriven's `redriveCount`).
    pub(super) redrive_count: u64,
    /// Whether its children are EXPRESS executions: a redrive starts them again (as AWS's
    /// StartExecution) instead of redriving them.
    pub(super) express: bool,
    /// Which children have started, by index: on a redrive, those are redriven (or, EXPRESS,
    /// started again under a new name), the others start for the first time.
    started: Vec<bool>,
}

/// What a ResultWriter writes of a child execution.
#[derive(Debug, Clone)]
pub(super) struct ChildRecord {
    pub(super) name: String,
    pub(super) execution_arn: String,
    pub(super) input: Rc<Value>,
    pub(super) start: Millis,
    pub(super) stop: Millis,
    /// Whether it started (one that started and has no outcome was aborted).
    pub(super) started: bool,
    /// None while it runs (or never started).
    pub(super) outcome: Option<Result<Value, StatesError>>,
    /// How many times the child execution was redriven (its RedriveCount).
    pub(super) redrive_count: u64,
}

impl MapRun {
    /// The Map Run of the Map state `state_name` labelled `label`, whose id is `run_id`.
    pub(super) fn new(
        identity: &ExecutionIdentity,
        state_name: &str,
        label: &str,
        run_id: String,
    ) -> Self {
        let machine = &identity.state_machine_name;
        let base = format!("arn:aws:states:{}:{}", identity.region, identity.account);
        MapRun {
            arn: format!("{base}:mapRun:{machine}/{label}:{run_id}"),
            state_name: state_name.to_string(),
            state_machine_arn: format!("{base}:stateMachine:{machine}/{label}"),
            execution_prefix: format!("{base}:execution:{machine}/{label}:"),
            id: run_id,
            records: None,
            redrive_count: 0,
            express: false,
            started: Vec::new(),
        }
    }

    /// Keeps a record of each child (for a ResultWriter), none started yet.
    pub(super) fn keep_records(&mut self, children: &[FanoutChild], now: Millis) {
        let records = children
            .iter()
            .enumerate()
            .map(|(index, (input, _))| {
                let name = self.child_name(index);
                ChildRecord {
                    execution_arn: format!("{}{name}", self.execution_prefix),
                    name,
                    input: input.clone().unwrap_or_else(|| Rc::new(Value::Null)),
                    start: now,
                    stop: now,
                    started: false,
                    outcome: None,
                    redrive_count: 0,
                }
            })
            .collect();
        self.records = Some(records);
    }

    pub(super) fn state_machine_arn(&self) -> &str {
        &self.state_machine_arn
    }

    /// The name of the child execution `index`: a UUID made from the run and the index, so
    /// that it draws nothing from the execution's random numbers.
    fn child_name(&self, index: usize) -> String {
        self.name_from(&format!("{}#{index}", self.arn))
    }

    /// The name of an EXPRESS child execution started again by the run's redrive: a new
    /// execution, so a new name.
    fn restarted_child_name(&self, index: usize) -> String {
        self.name_from(&format!("{}#{index}#{}", self.arn, self.redrive_count))
    }

    fn name_from(&self, seed: &str) -> String {
        let digest = Md5::digest(seed.as_bytes());
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        let part = |from: usize, to: usize| hex.get(from..to).unwrap_or_default().to_string();
        format!(
            "{}-{}-{}-{}-{}",
            part(0, 8),
            part(8, 12),
            part(12, 16),
            part(16, 20),
            part(20, 32)
        )
    }
}

impl Execution {
    /// Starts the Map Run of the distributed Map `map` (its event: MapRunStarted); on a
    /// redrive, redrives the one its visit before left (`redrive.rs`): the same run,
    /// MapRunRedriven with its ARN and its redrive count. Returns the run and its event's id.
    pub(super) fn start_map_run(
        &mut self,
        frame: &mut Frame,
        run: &StateRun,
        map: &MapState,
        children: &[FanoutChild],
        keep_records: bool,
    ) -> (MapRun, u64) {
        let redriven = super::redrive::map_run_to_redrive(frame, run.index, children.len());
        let (mut map_run, kind, details_name, details) = match redriven {
            Some(mut map_run) => {
                map_run.redrive_count = map_run.redrive_count.saturating_add(1);
                let details =
                    json!({"mapRunArn": map_run.arn, "redriveCount": map_run.redrive_count});
                let name = "mapRunRedrivenEventDetails";
                (map_run, EventKind::MapRunRedriven, name, details)
            }
            None => {
                let label = map.label.clone().unwrap_or_else(|| run.name.to_string());
                let run_id = self.rng.uuid_v4();
                let mut map_run = MapRun::new(&self.options.identity, &run.name, &label, run_id);
                map_run.express = map.execution_type.as_deref() == Some("EXPRESS");
                let details = json!({"mapRunArn": map_run.arn});
                let name = "mapRunStartedEventDetails";
                (map_run, EventKind::MapRunStarted, name, details)
            }
        };
        if keep_records && map_run.records.is_none() {
            map_run.keep_records(children, frame.now);
        }
        let event = self.emit(frame, kind, Some((details_name, details)));
        (map_run, event)
    }

    /// Starts the child execution of the Map Run's child `index`, whose root frame is
    /// `frame_id`: its ExecutionStarted event, in a new history while fewer than
    /// [`MAX_CHILD_EXECUTIONS_KEPT`] are kept and `keep_history` (the Map's own frame keeps
    /// one). On a redrive of the run, a STANDARD child that started before is redriven
    /// instead: its history goes on with ExecutionRedriven. Returns the history's index, if
    /// kept, and the event the child's first state follows.
    pub(super) fn start_map_run_child(
        &mut self,
        map_run: &mut MapRun,
        frame_id: FrameId,
        index: usize,
        input: &Rc<Value>,
        now: Millis,
        keep_history: bool,
    ) -> Option<(usize, u64)> {
        let started_before = map_run.started.get(index).copied().unwrap_or(false);
        if map_run.started.len() <= index {
            map_run.started.resize(index.saturating_add(1), false);
        }
        if let Some(started) = map_run.started.get_mut(index) {
            *started = true;
        }
        let redriven = started_before && !map_run.express;
        let name = if started_before && map_run.express {
            map_run.restarted_child_name(index)
        } else {
            map_run.child_name(index)
        };
        let execution_arn = format!("{}{name}", map_run.execution_prefix);
        if let Some(records) = &mut map_run.records {
            if let Some(record) = records.get_mut(index) {
                let redrive_count = if redriven {
                    record.redrive_count.saturating_add(1)
                } else {
                    0
                };
                *record = ChildRecord {
                    name: name.clone(),
                    execution_arn: execution_arn.clone(),
                    input: Rc::clone(input),
                    start: now,
                    stop: now,
                    started: true,
                    outcome: None,
                    redrive_count,
                };
            }
        }
        if redriven {
            return self.redrive_map_run_child(map_run, frame_id, index, now, keep_history);
        }
        if !keep_history
            || self.child_executions.len() >= MAX_CHILD_EXECUTIONS_KEPT
            || self.map_runs.events_kept >= MAX_CHILD_EVENTS_KEPT
        {
            return None;
        }
        self.child_executions.push(ChildExecution {
            execution_arn,
            name,
            state_machine_arn: map_run.state_machine_arn.clone(),
            origin: ChildOrigin::MapRun {
                state: map_run.state_name.clone(),
                map_run_arn: map_run.arn.clone(),
                index,
            },
            status: ExecutionStatus::Running,
            start: now,
            stop: None,
            history: Vec::new(),
        });
        let slot = self.child_executions.len().saturating_sub(1);
        self.map_runs.roots.insert(frame_id, slot);
        self.record_child_event(
            slot,
            HistoryEvent {
                id: 0,
                previous_event_id: 0,
                timestamp: now,
                kind: EventKind::ExecutionStarted,
                details: Some(EventDetails::execution_started(
                    Rc::clone(input),
                    &self.options.identity.role_arn,
                )),
                state_name: None,
            },
            false,
        );
        Some((slot, 0))
    }

    /// Redrives the kept child execution of the run's child `index` (as RedriveExecution
    /// does): RUNNING again, its history going on with ExecutionRedriven
    /// (`{"redriveCount": n}`), which its next state follows.
    fn redrive_map_run_child(
        &mut self,
        map_run: &MapRun,
        frame_id: FrameId,
        index: usize,
        now: Millis,
        keep_history: bool,
    ) -> Option<(usize, u64)> {
        if !keep_history {
            return None;
        }
        let slot = self.child_executions.iter().rposition(|child| {
            matches!(&child.origin, ChildOrigin::MapRun { map_run_arn, index: i, .. }
                if *map_run_arn == map_run.arn && *i == index)
        })?;
        let child = self.child_executions.get_mut(slot)?;
        let redrives = child
            .history
            .iter()
            .filter(|event| event.kind == EventKind::ExecutionRedriven)
            .count();
        let last = child.history.last().map_or(0, |event| event.id);
        child.status = ExecutionStatus::Running;
        child.stop = None;
        self.map_runs.roots.insert(frame_id, slot);
        let id = self.record_child_event(
            slot,
            HistoryEvent {
                id: 0,
                previous_event_id: last,
                timestamp: now,
                kind: EventKind::ExecutionRedriven,
                details: Some(EventDetails::new(
                    "executionRedrivenEventDetails",
                    json!({"redriveCount": redrives.saturating_add(1)}),
                )),
                state_name: None,
            },
            true,
        );
        Some((slot, id))
    }

    /// Ends the child execution whose root frame `child` has ended with `result`, if `child`
    /// is the root of a kept one: its ExecutionSucceeded or ExecutionFailed event.
    pub(super) fn end_child_execution(
        &mut self,
        child: &Frame,
        result: &Result<Rc<Value>, StatesError>,
    ) {
        let Some(slot) = self.map_runs.roots.remove(&child.id) else {
            return;
        };
        let (kind, details, status) = match result {
            Ok(output) => (
                EventKind::ExecutionSucceeded,
                EventDetails::execution_succeeded(Rc::clone(output)),
                ExecutionStatus::Succeeded {
                    output: Rc::clone(output),
                },
            ),
            Err(error) => {
                let details = error.event_details();
                (
                    EventKind::ExecutionFailed,
                    EventDetails::new("executionFailedEventDetails", Value::Object(details)),
                    ExecutionStatus::Failed {
                        error: error.error.clone(),
                        cause: error.cause.clone(),
                    },
                )
            }
        };
        self.close_child_execution(slot, child, kind, Some(details), status);
    }

    /// Ends the kept child execution whose root frame `frame` is stopped (its Map failed, or
    /// the execution stopped): ExecutionAborted.
    pub(super) fn abort_child_execution(&mut self, frame: &Frame) {
        if let Some(slot) = self.map_runs.roots.remove(&frame.id) {
            self.close_child_execution(
                slot,
                frame,
                EventKind::ExecutionAborted,
                None,
                ExecutionStatus::Aborted,
            );
        }
    }

    /// Ends, at `now`, the kept child executions still running when the execution ends without
    /// stopping its frames one by one (its history quota, the simulator's bounds): aborted, as
    /// AWS aborts a Map Run's children when their parent ends.
    pub(super) fn abort_running_child_executions(&mut self, now: Millis) {
        let mut slots: Vec<usize> = self.map_runs.roots.drain().map(|(_, slot)| slot).collect();
        slots.sort_unstable();
        for slot in slots {
            let last = self
                .child_executions
                .get(slot)
                .and_then(|child| child.history.last())
                .map_or(0, |event| event.id);
            self.record_child_event(
                slot,
                HistoryEvent {
                    id: 0,
                    previous_event_id: last,
                    timestamp: now,
                    kind: EventKind::ExecutionAborted,
                    details: None,
                    state_name: None,
                },
                true,
            );
            if let Some(child) = self.child_executions.get_mut(slot) {
                child.status = ExecutionStatus::Aborted;
                child.stop = Some(now);
            }
        }
    }

    fn close_child_execution(
        &mut self,
        slot: usize,
        frame: &Frame,
        kind: EventKind,
        details: Option<EventDetails>,
        status: ExecutionStatus,
    ) {
        self.record_child_event(
            slot,
            HistoryEvent {
                id: 0,
                previous_event_id: frame.last_event,
                timestamp: frame.now,
                kind,
                details,
                state_name: None,
            },
            true,
        );
        if let Some(child) = self.child_executions.get_mut(slot) {
            child.status = status;
            child.stop = Some(frame.now);
        }
    }

    /// `context` (the parent's context object) as the child execution `slot` shows it: its
    /// `Execution` Id, Name, Input and StartTime, its `StateMachine` Id and Name.
    pub(super) fn child_context(&self, slot: usize, mut context: Value) -> Value {
        let Some(child) = self.child_executions.get(slot) else {
            return context;
        };
        let input = child
            .history
            .first()
            .and_then(|started| started.details.as_ref())
            .map(|details| details.value().get("input").cloned().unwrap_or_default());
        // Its own redrives, not its parent's: RedriveCount where the parent shows one.
        let redrives: Vec<Millis> = child
            .history
            .iter()
            .filter(|event| event.kind == EventKind::ExecutionRedriven)
            .map(|event| event.timestamp)
            .collect();
        if let Some(execution) = context.get_mut("Execution").and_then(Value::as_object_mut) {
            if execution.contains_key("RedriveCount") {
                execution.insert("RedriveCount".into(), json!(redrives.len()));
                match redrives.last() {
                    Some(time) => execution.insert("RedriveTime".into(), json!(format_iso(*time))),
                    None => execution.remove("RedriveTime"),
                };
            }
            execution.insert("Id".into(), json!(child.execution_arn));
            execution.insert("Name".into(), json!(child.name));
            execution.insert("StartTime".into(), json!(format_iso(child.start)));
            if let Some(input) = input {
                execution.insert("Input".into(), input);
            }
        }
        let machine_name = child
            .state_machine_arn
            .rsplit_once(":stateMachine:")
            .map_or("", |(_, name)| name);
        if let Some(fields) = context.as_object_mut() {
            fields.insert(
                "StateMachine".into(),
                json!({"Id": child.state_machine_arn, "Name": machine_name}),
            );
        }
        context
    }

    /// Appends `event` to the history of the child execution `slot`, with its next id, unless
    /// the kept histories are full (`always`: its end event is kept regardless).
    pub(super) fn record_child_event(
        &mut self,
        slot: usize,
        mut event: HistoryEvent,
        always: bool,
    ) -> u64 {
        let full = self.map_runs.events_kept >= MAX_CHILD_EVENTS_KEPT;
        let Some(child) = self.child_executions.get_mut(slot) else {
            return 0;
        };
        let id = child
            .history
            .last()
            .map_or(1, |last| last.id.saturating_add(1));
        if full && !always {
            return id;
        }
        event.id = id;
        child.history.push(event);
        self.map_runs.events_kept = self.map_runs.events_kept.saturating_add(1);
        id
    }
}
