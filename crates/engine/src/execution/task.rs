//! Task states: calling a (mocked) resource, with the events of its kind.
//!
//! A task is called when it is scheduled (its mock answers then, so mocks answer in the order
//! the calls happen on the clock); its result comes when its duration has passed, in a later
//! action if the duration is not zero (other frames due before then run first).

use super::flow::{expression_text, OutputSpec, WorkTemplates};
use super::states::unexpected_type;
use super::*;
use crate::definition::Payload;

/// A task's call in flight: what its end needs.
pub(super) struct TaskInFlight {
    /// The state's effective input (for ResultPath).
    input: Value,
    kind: ResourceKind,
    /// The task's result or error, known from its call.
    response: Result<Value, StatesError>,
}

impl Execution {
    pub(super) fn run_task(
        &mut self,
        frame: &mut Frame,
        run: &mut StateRun,
        state: &State,
        task: &TaskState,
    ) -> Result<Outcome, StatesError> {
        if matches!(run.phase, Phase::Callback(_)) {
            return self.resume_waiting(frame, run, state);
        }
        if matches!(run.phase, Phase::Task(_)) {
            let Phase::Task(call) = std::mem::replace(&mut run.phase, Phase::Entered) else {
                return Err(StatesError::runtime("internal error: a task lost its call"));
            };
            let TaskInFlight {
                input,
                kind,
                response,
            } = *call;
            return self.end_task(frame, run, state, &input, &kind, response);
        }
        let input = self.effective_input(frame, run, state)?;
        let kind = ResourceKind::of(&task.resource);
        // Callback and .sync integrations get a task token (`$$.Task.Token`).
        let task_token =
            if task.resource.contains(".waitForTaskToken") || task.resource.contains(".sync") {
                Some(self.rng.uuid_v4())
            } else {
                None
            };
        let parameters = self.work_input(
            frame,
            run,
            state,
            &input,
            WorkTemplates {
                parameters: task.parameters.as_ref(),
                arguments: task.arguments.as_ref(),
            },
            task_token.as_deref(),
        )?;
        let timeout = self.seconds_field(
            frame,
            run,
            &input,
            task.timeout_seconds.as_ref(),
            "TimeoutSeconds",
        )?;
        let heartbeat = self.seconds_field(
            frame,
            run,
            &input,
            task.heartbeat_seconds.as_ref(),
            "HeartbeatSeconds",
        )?;
        let credentials = match &task.credentials {
            Some(Payload::Jsonata(template)) => {
                let states = self.states_binding(frame, run, None, None, None);
                Some(self.jsonata_template(frame, run, template, "Credentials", &states)?)
            }
            Some(Payload::Template(template)) => {
                Some(self.apply_template(frame, run, template, &input, None)?)
            }
            None => None,
        };

        if let ResourceKind::Integration {
            resource_type,
            resource,
        } = &kind
        {
            check_integration_parameters(resource_type, resource, &parameters)?;
        }

        // Scheduled and Started.
        let mut submitted = None;
        match &kind {
            ResourceKind::LambdaFunction => {
                let mut details = json!({"input": parameters, "inputDetails": {"truncated": false}, "resource": task.resource});
                if let Some(c) = &credentials {
                    add_detail(&mut details, "taskCredentials", task_credentials(c));
                }
                if let Some(t) = timeout {
                    add_detail(&mut details, "timeoutInSeconds", json!(t));
                }
                self.emit(
                    frame,
                    EventKind::LambdaFunctionScheduled,
                    Some(("lambdaFunctionScheduledEventDetails", details)),
                );
                self.emit(frame, EventKind::LambdaFunctionStarted, None);
            }
            ResourceKind::Activity => {
                let mut details = json!({"input": parameters, "inputDetails": {"truncated": false}, "resource": task.resource});
                if let Some(t) = timeout {
                    add_detail(&mut details, "timeoutInSeconds", json!(t));
                }
                if let Some(h) = heartbeat {
                    add_detail(&mut details, "heartbeatInSeconds", json!(h));
                }
                // ActivityStarted comes when a worker takes the task (`callback.rs`).
                self.emit(
                    frame,
                    EventKind::ActivityScheduled,
                    Some(("activityScheduledEventDetails", details)),
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
                    add_detail(&mut details, "timeoutInSeconds", json!(t));
                }
                if let Some(h) = heartbeat {
                    add_detail(&mut details, "heartbeatInSeconds", json!(h));
                }
                if let Some(c) = &credentials {
                    add_detail(&mut details, "taskCredentials", task_credentials(c));
                }
                self.emit(
                    frame,
                    EventKind::TaskScheduled,
                    Some(("taskScheduledEventDetails", details)),
                );
                self.emit(
                    frame,
                    EventKind::TaskStarted,
                    Some((
                        "taskStartedEventDetails",
                        json!({"resourceType": resource_type, "resource": resource}),
                    )),
                );
                // A `.sync` integration first submits the job, then waits for it to finish.
                if resource.contains(".sync") {
                    let output =
                        self.submit_response(resource_type, resource, &parameters, frame.now);
                    let details = json!({"resourceType": resource_type, "resource": resource, "output": output, "outputDetails": {"truncated": false}});
                    self.emit(
                        frame,
                        EventKind::TaskSubmitted,
                        Some(("taskSubmittedEventDetails", details)),
                    );
                    submitted = Some(output);
                }
            }
        }

        // The call.
        let call = TaskCall {
            state_name: &run.name,
            resource: &task.resource,
            input: &parameters,
        };
        // A state machine of the workspace runs as a child execution (child.rs).
        let child = self.start_child_execution(
            frame,
            &run.name,
            &task.resource,
            &parameters,
            submitted.as_ref(),
        )?;
        // A callback or an activity waits for its token (`callback.rs`).
        // (A child it started runs as fire-and-forget.)
        if crate::mocks::is_callback_resource(&task.resource) {
            let start = callback::WaitStart {
                input: input.into_owned(),
                kind,
                resource: task.resource.clone(),
                parameters,
                token: task_token,
                timeout_seconds: timeout,
                heartbeat_seconds: heartbeat,
            };
            return self.start_waiting(frame, run, state, start);
        }

        let outcome = match child.map_or_else(|| self.mocks.respond(&call), Ok) {
            Ok(outcome) => outcome,
            // No mock: an `aws-sdk:s3` call is answered by the mocked S3 (`s3_tasks.rs`).
            Err(e) => match self.s3_task(&task.resource, &parameters, frame.now) {
                Some(response) => crate::mocks::MockOutcome {
                    response,
                    duration_ms: 0,
                    heartbeats_ms: Vec::new(),
                },
                None => return Err(StatesError::runtime(e.message)),
            },
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
        let response = match timed_out {
            Some(error) => Err(error),
            None => match outcome.response {
                MockResponse::Return(value) => Ok(value),
                MockResponse::FunctionReturn(value) => {
                    Ok(kind.wrap_function_result(value, &mut self.rng))
                }
                MockResponse::Throw { error, cause } => Err(StatesError::new(error, cause)),
                // The mocks refuse it for a task that does not wait for its token.
                MockResponse::Never | MockResponse::Caller => {
                    Err(StatesError::runtime("A mock never answers"))
                }
            },
        };
        if elapsed > 0 {
            self.advance_clock(frame, frame.now.saturating_add(elapsed));
            run.phase = Phase::Task(Box::new(TaskInFlight {
                input: input.into_owned(),
                kind,
                response,
            }));
            return Ok(Outcome::Block);
        }
        self.end_task(frame, run, state, &input, &kind, response)
    }

    /// The end of a task's call: Succeeded, Failed or TimedOut, and the state's output.
    pub(super) fn end_task(
        &mut self,
        frame: &mut Frame,
        run: &StateRun,
        state: &State,
        input: &Value,
        kind: &ResourceKind,
        response: Result<Value, StatesError>,
    ) -> Result<Outcome, StatesError> {
        let StateKind::Task(task) = &state.kind else {
            return Err(StatesError::runtime(
                "internal error: a task's state is not a Task",
            ));
        };
        match response {
            Ok(result) => {
                match kind {
                    ResourceKind::LambdaFunction => {
                        let details =
                            json!({"output": result, "outputDetails": {"truncated": false}});
                        self.emit(
                            frame,
                            EventKind::LambdaFunctionSucceeded,
                            Some(("lambdaFunctionSucceededEventDetails", details)),
                        );
                    }
                    ResourceKind::Activity => {
                        let details =
                            json!({"output": result, "outputDetails": {"truncated": false}});
                        self.emit(
                            frame,
                            EventKind::ActivitySucceeded,
                            Some(("activitySucceededEventDetails", details)),
                        );
                    }
                    ResourceKind::Integration {
                        resource_type,
                        resource,
                    } => {
                        let details = json!({"resourceType": resource_type, "resource": resource, "output": result, "outputDetails": {"truncated": false}});
                        self.emit(
                            frame,
                            EventKind::TaskSucceeded,
                            Some(("taskSucceededEventDetails", details)),
                        );
                    }
                }
                let spec = OutputSpec {
                    result_selector: task.result_selector.as_ref(),
                    result_path: Some(&task.result_path),
                    assign: state.assign.as_ref(),
                    output: state.output.as_ref(),
                };
                let (output, assigned) =
                    self.state_output(frame, run, state, input, Some(result), spec)?;
                Ok(Outcome::Exit { output, assigned })
            }
            Err(error) => {
                let is_timeout = matches!(
                    error.error.as_deref(),
                    Some(names::TIMEOUT) | Some(names::HEARTBEAT_TIMEOUT)
                );
                let mut details = error.event_details();
                let (failed, key) = match (kind, is_timeout) {
                    (ResourceKind::LambdaFunction, false) => (
                        EventKind::LambdaFunctionFailed,
                        "lambdaFunctionFailedEventDetails",
                    ),
                    (ResourceKind::LambdaFunction, true) => (
                        EventKind::LambdaFunctionTimedOut,
                        "lambdaFunctionTimedOutEventDetails",
                    ),
                    (ResourceKind::Activity, false) => {
                        (EventKind::ActivityFailed, "activityFailedEventDetails")
                    }
                    (ResourceKind::Activity, true) => {
                        (EventKind::ActivityTimedOut, "activityTimedOutEventDetails")
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
                            (EventKind::TaskTimedOut, "taskTimedOutEventDetails")
                        } else {
                            (EventKind::TaskFailed, "taskFailedEventDetails")
                        }
                    }
                };
                self.emit(frame, failed, Some((key, Value::Object(details))));
                Ok(Outcome::Fail(error))
            }
        }
    }

    /// What the service answers when a `.sync` job is submitted (the TaskSubmitted event's
    /// output): for Step Functions' StartExecution, the new execution's ARN and start date with
    /// the SDK's HTTP metadata; for other services the HTTP metadata alone.
    pub(super) fn submit_response(
        &mut self,
        resource_type: &str,
        resource: &str,
        parameters: &Value,
        now: Millis,
    ) -> Value {
        let request_id = self.rng.uuid_v4();
        let mut body = Map::new();
        let mut response = Map::new();
        if resource_type == "states" && resource.starts_with("startExecution") {
            // arn:aws:states:REGION:ACCOUNT:stateMachine:NAME names where the execution runs
            // (another account's, with Credentials).
            let identity = &self.options.identity;
            let target: Vec<&str> = parameters
                .get("StateMachineArn")
                .and_then(Value::as_str)
                .map_or_else(Vec::new, |arn| arn.split(':').collect());
            let region = target
                .get(3)
                .copied()
                .unwrap_or(&identity.region)
                .to_string();
            let account = target
                .get(4)
                .copied()
                .unwrap_or(&identity.account)
                .to_string();
            let machine_name = target
                .get(6)
                .copied()
                .unwrap_or(&identity.state_machine_name)
                .to_string();
            let name = match parameters.get("Name").and_then(Value::as_str) {
                Some(name) => name.to_string(),
                None => self.rng.uuid_v4(),
            };
            let arn = format!("arn:aws:states:{region}:{account}:execution:{machine_name}:{name}");
            body.insert("executionArn".into(), json!(arn));
            body.insert("startDate".into(), json!(now as f64 / 1000.0));
            response.insert("ExecutionArn".into(), json!(arn));
        }
        let length = Value::Object(body).to_string().len().to_string();
        let date = format_iso(now);
        response.insert(
            "SdkHttpMetadata".into(),
            json!({
                "AllHttpHeaders": {
                    "x-amzn-RequestId": [request_id],
                    "connection": ["keep-alive"],
                    "Content-Length": [length],
                    "Date": [date],
                    "Content-Type": ["application/x-amz-json-1.0"],
                },
                "HttpHeaders": {
                    "connection": "keep-alive",
                    "Content-Length": length,
                    "Content-Type": "application/x-amz-json-1.0",
                    "Date": date,
                    "x-amzn-RequestId": request_id,
                },
                "HttpStatusCode": 200,
            }),
        );
        response.insert(
            "SdkResponseMetadata".into(),
            json!({"RequestId": request_id}),
        );
        if response.contains_key("ExecutionArn") {
            response.insert("StartDate".into(), json!(format_iso(now)));
        }
        Value::Object(response)
    }

    /// TimeoutSeconds(Path) or HeartbeatSeconds(Path) as whole seconds: a literal, a
    /// reference path over the effective input, or a JSONata expression.
    fn seconds_field(
        &mut self,
        frame: &mut Frame,
        run: &StateRun,
        effective: &Value,
        field: Option<&NumberField>,
        name: &str,
    ) -> Result<Option<u64>, StatesError> {
        match field {
            None => Ok(None),
            Some(NumberField::Literal(v)) => Ok(v.as_u64()),
            Some(NumberField::Expression(text)) => {
                let value = self.jsonata_number(frame, run, text, name)?;
                match value.as_u64() {
                    Some(n) if n > 0 => Ok(Some(n)),
                    _ => {
                        let message =
                            unexpected_type(expression_text(text.text()), name, "integer", &value);
                        Err(self.evaluation_failed(frame, run, message, Some(name), false))
                    }
                }
            }
            Some(NumberField::Path(path)) => {
                let context = self.context(frame, run, None);
                let value = path
                    .query(effective, &context, Some(&frame.variables))
                    .map_err(|e| {
                        StatesError::runtime(format!("Invalid path '{path}' : {}", e.message))
                    })?;
                match value.as_u64() {
                    Some(n) if n > 0 => Ok(Some(n)),
                    _ => Err(StatesError::runtime(format!(
                        "The {name}Path field refers to value \"{}\" which is not a valid integer: {path}",
                        plain_text(&value)
                    ))),
                }
            }
        }
    }
}

/// The checks a service integration makes of its parameters before the task starts, with
/// AWS's wording: `The Parameters '{...}' could not be used to start the Task: [...]`.
fn check_integration_parameters(
    resource_type: &str,
    resource: &str,
    parameters: &Value,
) -> Result<(), StatesError> {
    let mut problems = Vec::new();
    if resource_type == "apigateway" && resource.starts_with("invoke") {
        // API Gateway headers are a map of header name to a list of values.
        if let Some(headers) = parameters.get("Headers") {
            let valid = headers.as_object().is_some_and(|map| {
                map.values()
                    .all(|v| v.as_array().is_some_and(|l| l.iter().all(Value::is_string)))
            });
            if !valid {
                problems.push("The value of the field 'Headers' has an invalid format");
            }
        }
    }
    if problems.is_empty() {
        return Ok(());
    }
    Err(StatesError::runtime(format!(
        "The Parameters '{}' could not be used to start the Task: [{}]",
        paths::compact(parameters),
        problems.join(", ")
    )))
}

/// What kind of resource a Task calls, which decides its events.
pub(super) enum ResourceKind {
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
        // An ARN's six parts: `arn:partition:service:region:account:resource`.
        let arn_resource = match parts.as_slice() {
            [_, _, service, _, _, rest] => Some((*service, *rest)),
            _ => None,
        };
        if let Some(("states", rest)) = arn_resource {
            if rest.starts_with("activity:") {
                return ResourceKind::Activity;
            }
        }
        let service = arn_resource.map_or(resource, |(_, rest)| rest);
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

/// Adds `key` to an event's details (always an object built with `json!({...})`).
fn add_detail(details: &mut Value, key: &str, value: Value) {
    if let Value::Object(map) = details {
        map.insert(key.to_string(), value);
    }
}
