//! The engine side of the worker: one execution, advanced on request, its events and state
//! visits turned into the plain rows the page shows. Kept free of browser APIs so it can be
//! tested anywhere.

use std::collections::HashSet;

use serde_json::{Map, Value};
use sfn_engine::context::ExecutionIdentity;
use sfn_engine::definition::StateType;
use sfn_engine::execution::{
    ChildExecution, ChildKind, ChildOrigin, ChildStatus, ChildTrace, ChoiceTaken, ErrorHandling,
    StateTrace, TaskAnswer, Workspace,
};
use sfn_engine::{parse_definition, Execution, ExecutionOptions, ExecutionStatus, MockSet};

use sfn_engine::EventKind;
use sfn_playground_data::history::{EventClass, EventRow};
use sfn_playground_data::protocol::{
    self, Batch, ChildExecutionView, ChildView, ErrorView, RunStatus, S3ObjectView, TaskAnswerView,
    TraceView, WaitingTaskView, INPUT_STAGE, RESULT_STAGE, S3_PREVIEW_BYTES, VARIABLES_STAGE,
};
use sfn_playground_data::workspace::{NamedMachine, DEFAULT_MACHINE_NAME};

/// What the table needs to know about an earlier event to label the ones that follow it.
#[derive(Debug, Clone, Default)]
struct EventLabel {
    step: Option<String>,
    resource: Option<String>,
    trace: Option<u32>,
}

pub struct Session {
    execution: Execution,
    /// Labels of the events sent so far, by id - 1.
    labels: Vec<EventLabel>,
    /// Traces sent so far.
    sent_traces: usize,
    /// Sent traces that may still change (their state has not finished).
    open_traces: Vec<usize>,
    /// Traces whose state was stopped (a `...StateAborted` event): they will not change.
    aborted_traces: HashSet<usize>,
    /// Branches and iterations sent so far, and those sent while they still ran.
    sent_children: usize,
    open_children: Vec<usize>,
    /// Child executions sent so far, and those sent while they still ran.
    sent_executions: usize,
    open_executions: Vec<usize>,
    /// The mock file's test case the run uses (a redrive's mock file uses it too).
    test_case: Option<String>,
    /// Objects written to the mocked S3 sent so far.
    sent_s3_writes: usize,
    /// This execution's ARN (child executions name their parent by it).
    execution_arn: String,
    steps: u64,
}

impl Session {
    /// Parses the three texts and makes the execution, or says what is wrong with them.
    pub fn start(
        definition: &str,
        input: &str,
        mocks: &str,
        seed: u32,
    ) -> Result<Session, Vec<String>> {
        Session::start_in_workspace(definition, input, mocks, seed, "", &[], None)
    }

    /// Parses the texts and makes the execution of the state machine `name` (empty: the
    /// default name), with the workspace's other `machines` and the mock file's `test_case`
    /// (none: its only one, or its first when it has several), or says what is wrong with them.
    pub fn start_in_workspace(
        definition: &str,
        input: &str,
        mocks: &str,
        seed: u32,
        name: &str,
        machines: &[NamedMachine],
        test_case: Option<&str>,
    ) -> Result<Session, Vec<String>> {
        let mut problems = Vec::new();
        let parsed = parse_definition(definition);
        for d in parsed.errors() {
            problems.push(format!(
                "Definition, line {} column {}: {}",
                d.line, d.column, d.message
            ));
        }
        let name = if name.is_empty() {
            DEFAULT_MACHINE_NAME
        } else {
            name
        };
        // The workspace holds every machine by name, this one too (a machine may start itself).
        let mut workspace = Workspace::new();
        if let Some(own) = parse_definition(definition).into_machine() {
            workspace.insert(name, own);
        }
        for machine in machines {
            let parsed = parse_definition(&machine.definition);
            for d in parsed.errors() {
                problems.push(format!(
                    "State machine {}, line {} column {}: {}",
                    machine.name, d.line, d.column, d.message
                ));
            }
            if let Some(parsed) = parsed.into_machine() {
                workspace.insert(machine.name.clone(), parsed);
            }
        }
        let input_value = match serde_json::from_str::<Value>(input) {
            Ok(v) => Some(v),
            Err(e) => {
                problems.push(format!("Input: {e}"));
                None
            }
        };
        // Of several test cases, the one picked, else the first of this state machine's (the
        // first of all when it has none): the others never block a run.
        let test_case = test_case
            .map(str::to_owned)
            .or_else(|| default_test_case(mocks, name));
        let mock_set = if mocks.trim().is_empty() {
            Some(MockSet::default())
        } else {
            match MockSet::from_json_text(mocks, test_case.as_deref()) {
                Ok(m) => Some(m),
                Err(e) => {
                    problems.push(format!("Mocks: {}", e.message));
                    None
                }
            }
        };
        match (parsed.into_machine(), input_value, mock_set) {
            (Some(machine), Some(input), Some(mocks)) if problems.is_empty() => {
                let identity = ExecutionOptions::default().identity;
                let options = ExecutionOptions {
                    identity: ExecutionIdentity::new(
                        &identity.account,
                        &identity.region,
                        name,
                        &identity.execution_name,
                    ),
                    seed: u64::from(seed),
                    // The page keeps the rows it is sent; the engine need not keep the
                    // events too.
                    keep_history: false,
                    ..ExecutionOptions::default()
                };
                let execution_arn = options.identity.execution_arn.clone();
                Ok(Session {
                    execution: Execution::new(machine, input, mocks, options)
                        .with_workspace(workspace),
                    labels: Vec::new(),
                    sent_traces: 0,
                    open_traces: Vec::new(),
                    aborted_traces: HashSet::new(),
                    sent_children: 0,
                    open_children: Vec::new(),
                    sent_executions: 0,
                    open_executions: Vec::new(),
                    execution_arn,
                    sent_s3_writes: 0,
                    test_case,
                    steps: 0,
                })
            }
            _ => {
                if problems.is_empty() {
                    problems.push("Definition: the state machine could not be read".into());
                }
                Err(problems)
            }
        }
    }

    /// When the execution starts on the simulated clock (ms since the epoch).
    pub fn start_ms(&self) -> i64 {
        ExecutionOptions::default().start_time
    }

    /// Runs up to `max_steps` steps (at least one while the execution runs).
    pub fn advance(&mut self, max_steps: u32) -> Batch {
        self.advance_until(max_steps, None)
    }

    /// Runs up to `max_steps` steps, none later on the simulated clock than `until_ms` when
    /// given (otherwise at least one while the execution runs).
    pub fn advance_until(&mut self, max_steps: u32, until_ms: Option<i64>) -> Batch {
        self.advance_paced(max_steps, until_ms, false)
    }

    /// [`Session::advance_until`], where a run waiting for a task's answer stops unless it is
    /// paced (`until_ms`: the clock goes on to then, and the task's heartbeat or timeout fires
    /// when due) or `let_time_pass` says to go on to the next of those timeouts.
    pub fn advance_paced(
        &mut self,
        max_steps: u32,
        until_ms: Option<i64>,
        let_time_pass: bool,
    ) -> Batch {
        let mut events = Vec::new();
        let mut taken = 0;
        let max_steps = if until_ms.is_some() {
            max_steps
        } else {
            max_steps.max(1)
        };
        let until = until_ms.unwrap_or(i64::MAX);
        while taken < max_steps && self.execution.status() == &ExecutionStatus::Running {
            if self.execution.next_time().is_some_and(|t| t > until) {
                break;
            }
            // Waiting for the user: unpaced, the run stops here, unless time may pass until
            // the waiting task's own timeout.
            let step_to = if self.execution.awaiting_answer() {
                match (until_ms, let_time_pass, self.execution.next_time()) {
                    (Some(until), _, _) => until,
                    (None, true, Some(timeout)) => timeout,
                    _ => break,
                }
            } else {
                until
            };
            let added = self.execution.step_until(step_to).to_vec();
            self.steps += 1;
            taken += 1;
            for event in &added {
                events.push(self.label(event));
            }
        }
        let next_ms = self.execution.next_time();
        self.batch(events, next_ms)
    }

    /// Stops the execution as StopExecution does; the batch has the events of the stop.
    pub fn stop(&mut self) -> Batch {
        // Stopping an execution that has ended writes nothing (and its last step's events
        // were sent already).
        let added: Vec<sfn_engine::HistoryEvent> =
            if self.execution.status() == &ExecutionStatus::Running {
                self.execution.stop(None, None);
                self.execution.step_events().to_vec()
            } else {
                Vec::new()
            };
        let events = added.iter().map(|event| self.label(event)).collect();
        self.batch(events, None)
    }

    /// Answers the waiting task `token` as SendTaskSuccess, SendTaskFailure or
    /// SendTaskHeartbeat do, at `at_ms` on the simulated clock (none: the execution's); the
    /// batch says what changed, or AWS's error (`TaskTimedOut` for a token answered before).
    pub fn answer(
        &mut self,
        token: &str,
        answer: TaskAnswerView,
        at_ms: Option<i64>,
    ) -> Result<Batch, String> {
        let answer = match answer {
            TaskAnswerView::Success { output } => TaskAnswer::Success(
                serde_json::from_str(&output)
                    .map_err(|e| format!("The output is not JSON: {e}"))?,
            ),
            TaskAnswerView::Failure { error, cause } => TaskAnswer::Failure { error, cause },
            TaskAnswerView::Heartbeat => TaskAnswer::Heartbeat,
        };
        let at = at_ms.unwrap_or_else(|| self.execution.now());
        self.execution
            .answer_task(token, answer, at)
            .map_err(|e| e.to_string())?;
        let next_ms = self.execution.next_time();
        Ok(self.batch(Vec::new(), next_ms))
    }

    /// Redrives the ended execution (RedriveExecution) with the mock file `mocks`: the batch
    /// holds ExecutionRedriven; or why not (the mock file's problem, or AWS's refusal).
    pub fn redrive(&mut self, mocks: &str) -> Result<Batch, String> {
        let mocks = if mocks.trim().is_empty() {
            MockSet::default()
        } else {
            MockSet::from_json_text(mocks, self.test_case.as_deref())
                .map_err(|e| format!("Mocks: {}", e.message))?
        };
        self.execution
            .redrive(mocks)
            .map_err(|e| format!("Redrive refused: {e}"))?;
        let added = self.execution.step_events().to_vec();
        let events = added.iter().map(|event| self.label(event)).collect();
        let next_ms = self.execution.next_time();
        Ok(self.batch(events, next_ms))
    }

    /// The batch of `events` (labelled), with what changed since the previous one.
    fn batch(&mut self, events: Vec<EventRow>, next_ms: Option<i64>) -> Batch {
        Batch {
            events,
            traces: self.changed_traces(),
            children: self.changed_children(),
            executions: self.changed_executions(),
            s3_writes: self.new_s3_writes(),
            status: status_of(self.execution.status()),
            steps: self.steps,
            next_ms,
            waiting: self.waiting(),
            awaiting_answer: self.execution.awaiting_answer(),
            redrivable: matches!(
                self.execution.status(),
                ExecutionStatus::Failed { .. }
                    | ExecutionStatus::TimedOut { .. }
                    | ExecutionStatus::Aborted
            ),
        }
    }

    fn label(&mut self, event: &sfn_engine::HistoryEvent) -> EventRow {
        let previous = usize::try_from(event.previous_event_id)
            .ok()
            .and_then(|id| id.checked_sub(1))
            .and_then(|i| self.labels.get(i))
            .cloned()
            .unwrap_or_default();
        let entered = event.kind.is_state_entered();
        // The engine names each event's state (the console's Step column); the visit is the
        // trace entered by the event's `...StateEntered`, which earlier events of it link to.
        let step = event.state_name.as_deref().map(str::to_owned);
        let trace = if entered {
            self.execution
                .traces()
                .iter()
                .rposition(|tr| tr.entered_event_id == event.id)
                .and_then(|i| u32::try_from(i).ok())
        } else if step.is_some() && previous.step == step && previous.trace.is_some() {
            previous.trace
        } else {
            step.as_ref().and_then(|name| {
                self.execution
                    .traces()
                    .iter()
                    .rposition(|tr| &tr.state_name == name)
                    .and_then(|i| u32::try_from(i).ok())
            })
        };
        let resource = match resource_of(event) {
            Some(resource) => Some(resource),
            None if step.is_some() && previous.step == step && !entered => previous.resource,
            None => None,
        };
        if is_state_aborted(event.kind) {
            self.aborted_traces
                .extend(trace.and_then(|i| usize::try_from(i).ok()));
        }
        let label = EventLabel {
            step,
            resource,
            trace,
        };
        let mut class = event_class(event.kind);
        if class == EventClass::Failed && self.retried(trace, event.id) {
            // A failed attempt that a retrier takes: the state goes on after its back-off.
            class = EventClass::PartFailed;
        }
        let row = EventRow {
            class,
            step: label.step.clone(),
            resource: label.resource.clone(),
            trace: label.trace,
            ..plain_row(event)
        };
        self.labels.push(label);
        row
    }

    /// Whether the failure event `event_id` of the visit `trace` is one a retrier took.
    fn retried(&self, trace: Option<u32>, event_id: u64) -> bool {
        trace
            .and_then(|t| self.execution.traces().get(t as usize))
            .is_some_and(|t| {
                t.errors.iter().any(|e| {
                    e.event_id == event_id && matches!(e.handled_by, ErrorHandling::Retry { .. })
                })
            })
    }

    /// The traces that are new, or that were unfinished when last sent. A trace stays open
    /// while its state may still go on: not once the state was stopped, nor once the execution
    /// has ended.
    fn changed_traces(&mut self) -> Vec<TraceView> {
        let running = self.execution.status() == &ExecutionStatus::Running;
        let traces = self.execution.traces();
        let mut indices: Vec<usize> = std::mem::take(&mut self.open_traces);
        indices.extend(self.sent_traces..traces.len());
        self.sent_traces = traces.len();
        let mut out = Vec::new();
        for i in indices {
            let Some(trace) = traces.get(i) else { continue };
            if running && !is_finished(trace) && !self.aborted_traces.contains(&i) {
                self.open_traces.push(i);
            }
            out.push(trace_view(i, trace));
        }
        out
    }
}

impl Session {
    /// The tasks waiting for the user's answer (those a mock answers are not).
    fn waiting(&self) -> Vec<WaitingTaskView> {
        let traces = self.execution.traces();
        self.execution
            .waiting_tasks()
            .into_iter()
            .filter(|task| !task.answered_by_mock)
            .map(|task| WaitingTaskView {
                trace: traces
                    .iter()
                    .rposition(|t| t.state_name == task.state_name)
                    .and_then(|i| u32::try_from(i).ok()),
                input: pretty(&task.input),
                token: task.token,
                state_name: task.state_name,
                resource: task.resource,
                since_ms: task.since,
                heartbeat_deadline_ms: task.heartbeat_deadline,
                // AWS's default TimeoutSeconds (99,999,999 s) is no deadline to show.
                timeout_deadline_ms: (task.timeout_deadline.saturating_sub(task.since)
                    < 99_999_999_000)
                    .then_some(task.timeout_deadline),
            })
            .collect()
    }

    /// The branches and iterations that are new, or that still ran when last sent.
    fn changed_children(&mut self) -> Vec<ChildView> {
        let children = self.execution.child_traces();
        let mut indices: Vec<usize> = std::mem::take(&mut self.open_children);
        indices.extend(self.sent_children..children.len());
        self.sent_children = children.len();
        let mut out = Vec::new();
        for i in indices {
            let Some(child) = children.get(i) else {
                continue;
            };
            if child.status == ChildStatus::Running {
                self.open_children.push(i);
            }
            out.push(child_view(i, child));
        }
        out
    }
}

impl Session {
    /// The child executions that are new, or that still ran when last sent.
    fn changed_executions(&mut self) -> Vec<ChildExecutionView> {
        let own_arn = self.execution_arn();
        let all = self.execution.child_executions();
        let mut indices: Vec<usize> = std::mem::take(&mut self.open_executions);
        indices.extend(self.sent_executions..all.len());
        self.sent_executions = all.len();
        let mut out = Vec::new();
        for i in indices {
            let Some(child) = all.get(i) else { continue };
            if child.status == ExecutionStatus::Running {
                self.open_executions.push(i);
            }
            out.push(execution_view(i, child, &own_arn));
        }
        out
    }

    /// The objects written to the mocked S3 since the previous batch, each cut to
    /// [`S3_PREVIEW_BYTES`].
    fn new_s3_writes(&mut self) -> Vec<S3ObjectView> {
        let writes = self.execution.s3_writes();
        let new = writes.get(self.sent_s3_writes..).unwrap_or_default();
        self.sent_s3_writes = writes.len();
        new.iter()
            .map(|write| {
                let mut end = write.text.len().min(S3_PREVIEW_BYTES);
                while !write.text.is_char_boundary(end) {
                    end -= 1;
                }
                S3ObjectView {
                    bucket: write.bucket.clone(),
                    key: write.key.clone(),
                    size: u64::try_from(write.size).unwrap_or(u64::MAX),
                    text: write.text.get(..end).unwrap_or_default().to_owned(),
                    truncated: end < write.text.len(),
                }
            })
            .collect()
    }

    fn execution_arn(&self) -> String {
        self.execution_arn.clone()
    }

    /// The history of the child execution `id` as the page's rows (none: no such child).
    pub fn child_history(&self, id: u32) -> Option<Vec<EventRow>> {
        let child = self.execution.child_executions().get(id as usize)?;
        Some(child.history.iter().map(plain_row).collect())
    }
}

/// An event as a row, labelled only with what the event says itself (a child execution's
/// history, which the inspector does not follow; [`Session::label`] labels this run's).
fn plain_row(event: &sfn_engine::HistoryEvent) -> EventRow {
    EventRow {
        id: event.id,
        previous_event_id: event.previous_event_id,
        timestamp: event.timestamp,
        event_type: event.kind.aws_name().to_string(),
        class: event_class(event.kind),
        step: event.state_name.as_deref().map(str::to_owned),
        resource: resource_of(event),
        trace: None,
        details: event
            .details
            .as_ref()
            .map(|d| serde_json::json!({ d.key(): &*d.value() }).to_string())
            .unwrap_or_default(),
        aws_event: event.to_aws_json().to_string(),
    }
}

/// The resource an event names (`lambda:invoke`, an ARN), if it names one.
fn resource_of(event: &sfn_engine::HistoryEvent) -> Option<String> {
    let field = |name: &str| {
        event
            .details
            .as_ref()
            .and_then(|d| d.field(name))
            .and_then(|v| v.as_str().map(str::to_owned))
    };
    match (field("resourceType"), field("resource")) {
        (Some(kind), Some(name)) => Some(format!("{kind}:{name}")),
        (None, Some(name)) => Some(name),
        _ => None,
    }
}

fn execution_view(id: usize, child: &ChildExecution, parent_arn: &str) -> ChildExecutionView {
    let (state_name, origin, parent_event_id) = match &child.origin {
        ChildOrigin::MapRun { state, index, .. } => {
            (state.clone(), format!("Map Run item {index}"), None)
        }
        ChildOrigin::StartExecution {
            state,
            event_id,
            parent_execution_arn,
        } => (
            state.clone(),
            if parent_execution_arn == parent_arn {
                "startExecution".to_owned()
            } else {
                format!("startExecution in {}", arn_name(parent_execution_arn))
            },
            // Only this execution's own events are in the page's history.
            (parent_execution_arn == parent_arn).then_some(*event_id),
        ),
    };
    ChildExecutionView {
        id: u32::try_from(id).unwrap_or(u32::MAX),
        name: child.name.clone(),
        execution_arn: child.execution_arn.clone(),
        state_machine_arn: child.state_machine_arn.clone(),
        state_name,
        origin,
        parent_event_id,
        status: child.status.name().to_owned(),
        start_ms: child.start,
        stop_ms: child.stop,
        event_count: u32::try_from(child.history.len()).unwrap_or(u32::MAX),
    }
}

/// The last part of an ARN (an execution's name).
fn arn_name(arn: &str) -> &str {
    arn.rsplit(':').next().unwrap_or(arn)
}

fn child_view(id: usize, child: &ChildTrace) -> ChildView {
    let index = |i: usize| u32::try_from(i).unwrap_or(u32::MAX);
    ChildView {
        id: index(id),
        parent_trace: index(child.parent_trace),
        index: index(child.index),
        kind: match child.kind {
            ChildKind::Branch => protocol::ChildKind::Branch,
            ChildKind::Iteration => protocol::ChildKind::Iteration,
        },
        status: child.status.name().to_owned(),
        input: pretty(&child.input),
        output: child.output.as_ref().map(pretty),
        error: child.error.as_ref().and_then(|e| e.error.clone()),
        cause: child.error.as_ref().and_then(|e| e.cause.clone()),
        started_ms: child.started,
        ended_ms: child.ended,
    }
}

/// What the page needs to know of an event's type (see [`EventClass`]).
pub fn event_class(kind: EventKind) -> EventClass {
    use EventKind as K;
    match kind {
        K::FailStateEntered => EventClass::FailStateEntered,
        K::PassStateEntered
        | K::TaskStateEntered
        | K::ChoiceStateEntered
        | K::WaitStateEntered
        | K::SucceedStateEntered
        | K::ParallelStateEntered
        | K::MapStateEntered => EventClass::StateEntered,
        K::PassStateExited
        | K::TaskStateExited
        | K::ChoiceStateExited
        | K::WaitStateExited
        | K::SucceedStateExited
        | K::ParallelStateExited
        | K::MapStateExited => EventClass::StateExited,
        // A redrive starts the execution again (its page view is the lead's to design).
        K::ExecutionStarted | K::ExecutionRedriven => EventClass::ExecutionStarted,
        K::ExecutionSucceeded => EventClass::ExecutionSucceeded,
        K::TaskStateAborted
        | K::WaitStateAborted
        | K::ParallelStateAborted
        | K::MapStateAborted => EventClass::StateAborted,
        K::ExecutionAborted | K::MapIterationAborted | K::MapRunAborted => EventClass::Aborted,
        K::ExecutionFailed
        | K::ExecutionTimedOut
        | K::ParallelStateFailed
        | K::MapStateFailed
        | K::TaskFailed
        | K::TaskTimedOut
        | K::LambdaFunctionFailed
        | K::LambdaFunctionTimedOut
        | K::ActivityFailed
        | K::ActivityTimedOut
        | K::EvaluationFailed => EventClass::Failed,
        K::MapIterationFailed | K::MapRunFailed => EventClass::PartFailed,
        K::ParallelStateStarted
        | K::MapStateStarted
        | K::MapIterationStarted
        | K::MapRunStarted
        | K::MapRunRedriven
        | K::TaskScheduled
        | K::TaskStarted
        | K::TaskSubmitted
        | K::LambdaFunctionScheduled
        | K::LambdaFunctionStarted
        | K::ActivityScheduled
        | K::ActivityStarted => EventClass::WorkStarted,
        K::ParallelStateSucceeded
        | K::MapStateSucceeded
        | K::MapIterationSucceeded
        | K::MapRunSucceeded
        | K::TaskSucceeded
        | K::LambdaFunctionSucceeded
        | K::ActivitySucceeded => EventClass::WorkSucceeded,
    }
}

/// A state stopped in progress (not a Map iteration, not the execution).
fn is_state_aborted(kind: EventKind) -> bool {
    matches!(
        kind,
        EventKind::TaskStateAborted
            | EventKind::WaitStateAborted
            | EventKind::ParallelStateAborted
            | EventKind::MapStateAborted
    )
}

fn is_finished(trace: &StateTrace) -> bool {
    trace.output.is_some()
        || trace
            .errors
            .iter()
            .any(|e| !matches!(e.handled_by, ErrorHandling::Retry { .. }))
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
}

fn trace_view(index: usize, trace: &StateTrace) -> TraceView {
    TraceView {
        index: u32::try_from(index).unwrap_or(u32::MAX),
        state_name: trace.state_name.clone(),
        entered_event_id: trace.entered_event_id,
        stages: stages(trace),
        errors: trace
            .errors
            .iter()
            .map(|e| ErrorView {
                error: e.error.error.clone().unwrap_or_default(),
                cause: e.error.cause.clone().unwrap_or_default(),
                handling: match &e.handled_by {
                    ErrorHandling::Retry {
                        retrier_index,
                        attempt,
                        delay_ms,
                    } => format!(
                        "Retried after {} (Retry #{}, attempt {})",
                        sfn_playground_data::format::elapsed(*delay_ms),
                        retrier_index.saturating_add(1),
                        attempt
                    ),
                    ErrorHandling::Catch {
                        catcher_index,
                        next,
                    } => format!(
                        "Caught by Catch #{}: next state \"{next}\"",
                        catcher_index.saturating_add(1)
                    ),
                    ErrorHandling::Unhandled => "Not handled: the state failed".into(),
                },
            })
            .collect(),
        child: trace.child.and_then(|c| u32::try_from(c).ok()),
    }
}

/// A visit's stages as the state has them: JSONPath's InputPath, Parameters, ResultSelector,
/// ResultPath and OutputPath, or JSONata's Arguments and Output, for the fields the state type
/// has (a Choice: the rule that matched); then what Assign set and the variables in scope.
fn stages(trace: &StateTrace) -> Vec<(String, Option<String>)> {
    let stage = |label: &str, v: Option<&Value>| (label.to_owned(), v.map(pretty));
    let state_type = trace.state_type;
    let is = |t: StateType| state_type == Some(t);
    let works = is(StateType::Task) || is(StateType::Parallel) || is(StateType::Map);
    let mut out = vec![stage(INPUT_STAGE, Some(&trace.input))];
    if trace.jsonata {
        if works {
            out.push(stage("Arguments", trace.after_parameters.as_ref()));
            out.push(stage(RESULT_STAGE, trace.result.as_ref()));
        }
    } else {
        out.push(stage("After InputPath", trace.after_input_path.as_ref()));
        if works || is(StateType::Pass) {
            let parameters = if is(StateType::Map) {
                "After ItemSelector"
            } else {
                "After Parameters"
            };
            out.push(stage(parameters, trace.after_parameters.as_ref()));
            out.push(stage(RESULT_STAGE, trace.result.as_ref()));
        }
        if works {
            out.push(stage(
                "After ResultSelector",
                trace.after_result_selector.as_ref(),
            ));
        }
        if works || is(StateType::Pass) {
            out.push(stage("After ResultPath", trace.after_result_path.as_ref()));
        }
    }
    if let Some(taken) = &trace.choice {
        let text = match taken {
            ChoiceTaken::Rule { index, next } => {
                format!(
                    "Choices #{} matched: next state \"{next}\"",
                    index.saturating_add(1)
                )
            }
            ChoiceTaken::Default { next } => {
                format!("No rule matched: Default, next state \"{next}\"")
            }
        };
        out.push(("Matched rule".to_owned(), Some(text)));
    }
    out.push(stage("Output", trace.output.as_ref()));
    if let Some(assigned) = &trace.assigned {
        out.push((
            "Assign".to_owned(),
            Some(pretty(&Value::Object(assigned.clone()))),
        ));
    }
    if let Some(variables) = &trace.variables {
        out.push((
            VARIABLES_STAGE.to_owned(),
            Some(pretty(&Value::Object(Map::clone(variables)))),
        ));
    }
    out
}

fn status_of(status: &ExecutionStatus) -> RunStatus {
    let (error, cause, output) = match status {
        ExecutionStatus::Succeeded { output } => (None, None, Some(pretty(output))),
        ExecutionStatus::Failed { error, cause } | ExecutionStatus::TimedOut { error, cause } => {
            (error.clone(), cause.clone(), None)
        }
        ExecutionStatus::Running | ExecutionStatus::Aborted => (None, None, None),
    };
    RunStatus {
        name: status.name().to_owned(),
        error,
        cause,
        output,
    }
}

/// The mock file's test case a run of the state machine `machine` uses when none is picked:
/// the first of `machine`'s (`machine/CASE`), else the first of the file.
pub fn default_test_case(mocks: &str, machine: &str) -> Option<String> {
    let names = MockSet::test_case_names(mocks).ok()?;
    let own = names
        .iter()
        .find(|label| label.split_once('/').is_some_and(|(m, _)| m == machine))
        .cloned();
    own.or_else(|| names.into_iter().next())
}
