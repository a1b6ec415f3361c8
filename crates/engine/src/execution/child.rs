//! Child executions: a `states:startExecution` Task (`arn:aws:states:::states:startExecution`,
//! `.sync`, `.sync:2`, `.waitForTaskToken`, and the SDK's `arn:aws:states:::aws-sdk:sfn:startExecution`)
//! whose `StateMachineArn` names a state machine of the execution's [`Workspace`] runs that
//! state machine as an execution of its own, as AWS does; a state machine not in the workspace
//! is answered by the mocks, as any other task.
//!
//! # How a child runs
//!
//! The child starts when the Task calls StartExecution, on the same simulated clock: its
//! ExecutionStarted is at the Task's TaskStarted (`.sync`: TaskSubmitted) time. It is run to its
//! end at once, with its own history (kept whole in a [`ChildExecution`] pushed to
//! [`Execution::child_executions`], its own descendants after it), its own identity
//! (`$$.Execution.Id`, `Name`, `StartTime`, `RoleArn`: the parent's role, `$$.StateMachine`
//! from the ARN's name), the parent's mock file (each execution counting its calls from 0, as
//! each of AWS's executions calls its services afresh), the parent's limits, a seed drawn from the
//! parent's, and the parent's evaluation budget (what the child spends, the parent no longer has).
//!
//! What the parent's Task gets, in AWS's shapes:
//! - fire-and-forget (`states:startExecution`): StartExecution's response at once (the
//!   ExecutionArn and StartDate with the SDK's HTTP metadata, as the optimized integration
//!   gives it; `aws-sdk:sfn:startExecution`: `{"ExecutionArn", "StartDate"}`);
//! - `.sync`: after the child's whole duration, DescribeExecution's shape with `Input` and
//!   `Output` as JSON text; `.sync:2`: the same with `Input` and `Output` as JSON;
//! - a child that failed, timed out or was aborted fails a `.sync` Task with
//!   `States.TaskFailed` and, as cause, that shape as compact JSON text (with the child's
//!   `Error` and `Cause`, without `Output`);
//! - `.waitForTaskToken`: the child is started as fire-and-forget, and the Task's answer
//!   (the token's) comes from the mocks as for any callback;
//! - StartExecution's refusals, as a Task failure: an `Input` text that is not JSON
//!   (`InvalidExecutionInput`), a `Name` already used for the state machine in this run
//!   (`ExecutionAlreadyExists`), named `StepFunctions.<Code>Exception` by the optimized
//!   integration and `Sfn.<Code>Exception` by the SDK integration.
//!
//! # Simplifications
//!
//! Running the child to its end when it starts means the child cannot wait for anything the
//! parent does later (a callback token only the parent's run would send; a StopExecution of the
//! child by the parent's abort: an aborted or timed-out parent leaves its children as they ran).
//! A `.sync` Task whose TimeoutSeconds passes before the child ends times out as with a mock;
//! the child still runs to its end. A child that stops making progress (waiting for something
//! nothing will send) is left RUNNING, and a `.sync` Task waits for it until its TimeoutSeconds. Child executions nest at most [`MAX_CHILD_DEPTH`] levels
//! (a state machine that starts itself ends there) and one execution starts at most
//! [`MAX_CHILD_EXECUTIONS`] in all, its descendants included: both are the simulator's bounds,
//! not AWS's, and going past them fails the starting Task with `States.Runtime`.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use serde_json::{json, Map, Value};

use crate::context::ExecutionIdentity;
use crate::definition::StateMachine;
use crate::error::StatesError;
use crate::mocks::{MockOutcome, MockResponse};
use crate::time::{format_iso, Millis};

use super::{ChildExecution, ChildOrigin, Execution, ExecutionOptions, ExecutionStatus, Frame};

/// How deep child executions nest: a child of a child ... of the root at most this many levels
/// down. Not an AWS quota: the bound that ends a state machine starting itself.
pub const MAX_CHILD_DEPTH: usize = 5;

/// How many child executions one execution starts in all, its descendants' included. Not an
/// AWS quota: each child's whole history is kept in memory.
pub const MAX_CHILD_EXECUTIONS: usize = 1_000;

/// The state machines a `states:startExecution` Task can start, by name: the part of a
/// `StateMachineArn` after `stateMachine:` (a version or alias qualifier after it is ignored).
#[derive(Debug, Clone, Default)]
pub struct Workspace {
    machines: BTreeMap<String, Rc<StateMachine>>,
}

impl Workspace {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) the state machine `name`.
    pub fn insert(&mut self, name: impl Into<String>, machine: StateMachine) {
        self.machines.insert(name.into(), Rc::new(machine));
    }

    /// [`Workspace::insert`], by value.
    pub fn with(mut self, name: impl Into<String>, machine: StateMachine) -> Self {
        self.insert(name, machine);
        self
    }

    pub fn get(&self, name: &str) -> Option<&Rc<StateMachine>> {
        self.machines.get(name)
    }

    /// The names, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.machines.keys().map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.machines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.machines.is_empty()
    }
}

/// Where an execution stands among child executions: the workspace its Tasks can start, how
/// deep it is, and how many children its whole tree has started.
#[derive(Debug, Clone, Default)]
pub(super) struct Nesting {
    workspace: Workspace,
    /// 0 for the execution the caller made, 1 for its children, ...
    depth: usize,
    /// How many child executions the whole tree has started (shared by the tree).
    started: Rc<Cell<usize>>,
    /// The ARNs of the child executions the whole tree has started: an execution name is
    /// unique per state machine (shared by the tree).
    arns: Rc<RefCell<BTreeSet<String>>>,
}

/// Which way the Task calls StartExecution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pattern {
    /// `states:startExecution`.
    Request,
    /// `aws-sdk:sfn:startExecution`.
    Sdk,
    /// `states:startExecution.sync`: Output as JSON text.
    Sync,
    /// `states:startExecution.sync:2`: Output as JSON.
    Sync2,
    /// `states:startExecution.waitForTaskToken`.
    Callback,
}

impl Pattern {
    /// The pattern of a Task's `Resource`, if it starts an execution.
    fn of(resource: &str) -> Option<Pattern> {
        // `arn:PARTITION:states:::SERVICE:ACTION`: the service and action are the sixth part.
        let action = resource.splitn(6, ':').nth(5)?;
        match action {
            "states:startExecution" => Some(Pattern::Request),
            "aws-sdk:sfn:startExecution" => Some(Pattern::Sdk),
            "states:startExecution.sync" => Some(Pattern::Sync),
            "states:startExecution.sync:2" => Some(Pattern::Sync2),
            "states:startExecution.waitForTaskToken" => Some(Pattern::Callback),
            _ => None,
        }
    }

    fn waits(self) -> bool {
        matches!(self, Pattern::Sync | Pattern::Sync2)
    }
}

/// A child execution that ran, as the parent's Task sees it.
struct Finished {
    execution_arn: String,
    name: String,
    state_machine_arn: String,
    input: Value,
    status: ExecutionStatus,
    start: Millis,
    stop: Millis,
}

impl Execution {
    /// Lets this execution's `states:startExecution` Tasks run the workspace's state machines as
    /// child executions (see [`Workspace`]).
    pub fn with_workspace(mut self, workspace: Workspace) -> Self {
        self.nesting.workspace = workspace;
        self
    }

    /// The state machines this execution's Tasks can start.
    pub fn workspace(&self) -> &Workspace {
        &self.nesting.workspace
    }

    /// A Task's call of `resource` with `parameters`, if it starts an execution of a state
    /// machine of the workspace: runs the child and gives the Task's answer as a mock would
    /// (`None`: the mocks answer, as for any task). `submitted` is the TaskSubmitted event's
    /// output of a `.sync` Task (the child takes the execution name it announced).
    pub(super) fn start_child_execution(
        &mut self,
        frame: &Frame,
        state_name: &str,
        resource: &str,
        parameters: &Value,
        submitted: Option<&Value>,
    ) -> Result<Option<MockOutcome>, StatesError> {
        let Some(pattern) = Pattern::of(resource) else {
            return Ok(None);
        };
        let Some(state_machine_arn) = parameters.get("StateMachineArn").and_then(Value::as_str)
        else {
            return Ok(None);
        };
        let target: Vec<&str> = state_machine_arn.split(':').collect();
        let Some(machine_name) = target.get(6).copied() else {
            return Ok(None);
        };
        let Some(machine) = self.nesting.workspace.get(machine_name).cloned() else {
            return Ok(None);
        };
        if self.nesting.depth >= MAX_CHILD_DEPTH {
            return Err(StatesError::runtime(format!(
                "The Task '{state_name}' would start an execution of '{machine_name}' {} levels below the first execution: the simulator runs child executions at most {MAX_CHILD_DEPTH} levels deep.",
                self.nesting.depth.saturating_add(1)
            )));
        }
        if self.nesting.started.get() >= MAX_CHILD_EXECUTIONS {
            return Err(StatesError::runtime(format!(
                "The Task '{state_name}' would start more than {MAX_CHILD_EXECUTIONS} child executions in one run, the simulator's bound."
            )));
        }
        let input = match child_input(parameters.get("Input")) {
            Ok(input) => input,
            Err(message) => {
                return Ok(Some(self.service_error(
                    pattern,
                    "InvalidExecutionInput",
                    &format!("Invalid State Machine Execution Input: '{message}'"),
                )))
            }
        };
        let identity = &self.options.identity;
        let region = target
            .get(3)
            .filter(|r| !r.is_empty())
            .map_or(identity.region.as_str(), |r| r);
        let account = target
            .get(4)
            .filter(|a| !a.is_empty())
            .map_or(identity.account.as_str(), |a| a);
        let name = match parameters.get("Name").and_then(Value::as_str) {
            Some(name) => name.to_string(),
            None => match submitted
                .and_then(|s| s.get("ExecutionArn"))
                .and_then(Value::as_str)
                .and_then(|arn| arn.rsplit(':').next())
            {
                Some(name) => name.to_string(),
                None => self.rng.uuid_v4(),
            },
        };
        let mut child_identity = ExecutionIdentity::new(account, region, machine_name, &name);
        child_identity.role_arn = identity.role_arn.clone();
        let execution_arn = child_identity.execution_arn.clone();
        if !self.nesting.arns.borrow_mut().insert(execution_arn.clone()) {
            // Every child here has ended: StartExecution's idempotence (same name and input
            // while the execution runs) never applies.
            return Ok(Some(self.service_error(
                pattern,
                "ExecutionAlreadyExists",
                &format!("Execution Already Exists: '{execution_arn}'"),
            )));
        }
        let state_machine_arn_unqualified = child_identity.state_machine_arn.clone();
        let start = frame.now;
        let options = ExecutionOptions {
            identity: child_identity,
            start_time: start,
            seed: self.rng.next_u64(),
            limits: self.options.limits,
            record_traces: false,
            keep_history: true,
            context_overlay: None,
        };
        let mut mocks = self.mocks.clone();
        mocks.reset_calls();
        let mut child = Execution::new((*machine).clone(), input.clone(), mocks, options);
        child.nesting = Nesting {
            workspace: self.nesting.workspace.clone(),
            depth: self.nesting.depth.saturating_add(1),
            started: Rc::clone(&self.nesting.started),
            arns: Rc::clone(&self.nesting.arns),
        };
        self.nesting
            .started
            .set(self.nesting.started.get().saturating_add(1));
        // The child spends the parent's budget: it goes on from the parent's meter (the
        // thread's current one while the parent advances) and hands it back.
        child.meter = crate::budget::current();
        // Bounded: a child that makes no progress (waiting for what never comes) stays RUNNING.
        super::run_to_end(&mut child, super::RunBounds::default());
        crate::budget::install(child.meter);

        let ended = child.status != ExecutionStatus::Running;
        let stop = child.history.last_time().unwrap_or(start);
        // The parent's event that started it: a `.sync` Task's TaskSubmitted or a callback's
        // TaskStarted (just emitted), or the TaskSucceeded the call's answer is about to emit
        // (the next event).
        let event_id = if !frame.recorded {
            0
        } else if pattern.waits() || pattern == Pattern::Callback {
            frame.last_event
        } else {
            (self.history.len() as u64).saturating_add(1)
        };
        let finished = Finished {
            execution_arn: execution_arn.clone(),
            name: name.clone(),
            // Without a version or alias qualifier, as DescribeExecution gives it.
            state_machine_arn: state_machine_arn_unqualified,
            input,
            status: child.status.clone(),
            start,
            stop,
        };
        let descendants = std::mem::take(&mut child.child_executions);
        self.child_executions.push(ChildExecution {
            execution_arn,
            name,
            state_machine_arn: finished.state_machine_arn.clone(),
            origin: ChildOrigin::StartExecution {
                state: state_name.to_string(),
                event_id,
                parent_execution_arn: self.options.identity.execution_arn.clone(),
            },
            status: child.status.clone(),
            start,
            stop: ended.then_some(stop),
            history: child.history.to_vec(),
        });
        self.child_executions.extend(descendants);

        let (response, duration) = match pattern {
            Pattern::Callback => return Ok(None),
            Pattern::Request => {
                let mut named = parameters.clone();
                if let Value::Object(map) = &mut named {
                    map.insert("Name".into(), json!(finished.name));
                }
                let response = self.submit_response("states", "startExecution", &named, start);
                (MockResponse::Return(response), 0)
            }
            Pattern::Sdk => (
                MockResponse::Return(json!({
                    "ExecutionArn": finished.execution_arn,
                    "StartDate": format_iso(start),
                })),
                0,
            ),
            // A child that never ends keeps the Task waiting until its TimeoutSeconds.
            Pattern::Sync | Pattern::Sync2 => (
                finished.describe(pattern == Pattern::Sync2),
                if ended {
                    u64::try_from(stop.saturating_sub(start)).unwrap_or(0)
                } else {
                    u64::MAX
                },
            ),
        };
        Ok(Some(MockOutcome {
            response,
            duration_ms: duration,
            heartbeats_ms: Vec::new(),
        }))
    }
}

impl Execution {
    /// StartExecution's refusal `code` (`ExecutionAlreadyExists`, ...), as the Task's answer:
    /// `StepFunctions.<code>Exception` from the optimized integration (the Java SDK's wording),
    /// `Sfn.<code>Exception` from the SDK integration.
    fn service_error(&mut self, pattern: Pattern, code: &str, message: &str) -> MockOutcome {
        let request_id = self.rng.uuid_v4();
        let (error, cause) = if pattern == Pattern::Sdk {
            (
                format!("Sfn.{code}Exception"),
                format!("{message} (Service: Sfn, Status Code: 400, Request ID: {request_id}) (SDK Attempt Count: 1)"),
            )
        } else {
            (
                format!("StepFunctions.{code}Exception"),
                format!("{message} (Service: AWSStepFunctions; Status Code: 400; Error Code: {code}; Request ID: {request_id}; Proxy: null)"),
            )
        };
        MockOutcome {
            response: MockResponse::Throw { error, cause },
            duration_ms: 0,
            heartbeats_ms: Vec::new(),
        }
    }
}

impl Finished {
    /// What a `.sync` Task gets: DescribeExecution's shape when the child succeeded;
    /// `States.TaskFailed` with that shape (the child's Error and Cause, no Output) as its cause
    /// otherwise. `as_json`: `.sync:2`'s Input and Output as JSON rather than JSON text.
    fn describe(&self, as_json: bool) -> MockResponse {
        let data = |value: &Value| {
            if as_json {
                value.clone()
            } else {
                Value::String(value.to_string())
            }
        };
        // AWS's keys, in its (alphabetical) order.
        let mut shape = Map::new();
        let (error, cause) = match &self.status {
            ExecutionStatus::Failed { error, cause }
            | ExecutionStatus::TimedOut { error, cause } => (error.clone(), cause.clone()),
            _ => (None, None),
        };
        if let Some(cause) = cause {
            shape.insert("Cause".into(), json!(cause));
        }
        if let Some(error) = error {
            shape.insert("Error".into(), json!(error));
        }
        shape.insert("ExecutionArn".into(), json!(self.execution_arn));
        shape.insert("Input".into(), data(&self.input));
        shape.insert("InputDetails".into(), json!({"Included": true}));
        shape.insert("Name".into(), json!(self.name));
        if let ExecutionStatus::Succeeded { output } = &self.status {
            shape.insert("Output".into(), data(output));
            shape.insert("OutputDetails".into(), json!({"Included": true}));
        }
        shape.insert("StartDate".into(), json!(format_iso(self.start)));
        shape.insert("StateMachineArn".into(), json!(self.state_machine_arn));
        shape.insert("Status".into(), json!(self.status.name()));
        if self.status != ExecutionStatus::Running {
            shape.insert("StopDate".into(), json!(format_iso(self.stop)));
        }
        match self.status {
            ExecutionStatus::Succeeded { .. } => MockResponse::Return(Value::Object(shape)),
            _ => MockResponse::Throw {
                error: crate::error::names::TASK_FAILED.to_string(),
                cause: Value::Object(shape).to_string(),
            },
        }
    }
}

/// The child's input from the `Input` parameter: a JSON value, or JSON text (StartExecution's
/// `input` is text; the optimized integration also takes JSON); none or null: `{}`. `Err`:
/// why the text is not JSON.
fn child_input(input: Option<&Value>) -> Result<Value, String> {
    match input {
        None | Some(Value::Null) => Ok(Value::Object(Map::new())),
        Some(Value::String(text)) => serde_json::from_str(text).map_err(|e| e.to_string()),
        Some(value) => Ok(value.clone()),
    }
}
