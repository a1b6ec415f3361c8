//! The engine's API for a caller that answers task tokens (the page's worker):
//! `waiting_tasks`, `answer_task`, `start_activity_task`, `awaiting_answer`, `next_time` and
//! `step_until` while a task waits, and `run_to_end`'s `AwaitingAnswer`. The behaviour as data
//! is in `tests/data/callbacks/` (run by `executions.rs`).

use serde_json::{json, Value};
use sfn_engine::execution::{run_to_end, RunBounds, RunEnd, TaskAnswer, TaskAnswerError};
use sfn_engine::{parse_definition, EventKind, Execution, ExecutionOptions, MockSet};

const SQS: &str = "arn:aws:states:::sqs:sendMessage.waitForTaskToken";

fn start(definition: Value) -> Execution {
    let (machine, diagnostics) = parse_definition(&definition.to_string()).into_parts();
    let machine = machine.unwrap_or_else(|| panic!("{diagnostics:?}"));
    Execution::new(
        machine,
        json!({"order": "o-1"}),
        MockSet::default(),
        ExecutionOptions::default(),
    )
}

fn callback(extra: Value) -> Value {
    let mut state = json!({"Type": "Task", "Resource": SQS,
        "Parameters": {"QueueUrl": "q", "MessageBody": {"order.$": "$.order", "TaskToken.$": "$$.Task.Token"}},
        "End": true});
    if let (Some(state), Some(extra)) = (state.as_object_mut(), extra.as_object()) {
        state.extend(extra.clone());
    }
    json!({"StartAt": "Approve", "States": {"Approve": state}})
}

fn kinds(execution: &Execution) -> Vec<EventKind> {
    execution.history().iter().map(|e| e.kind).collect()
}

const S: i64 = 1000;

#[test]
fn a_waiting_task_shows_its_token_and_deadlines_and_holds_the_clock() {
    let mut execution = start(callback(
        json!({"HeartbeatSeconds": 10, "TimeoutSeconds": 60}),
    ));
    let t0 = execution.now();
    assert!(matches!(
        run_to_end(&mut execution, RunBounds::default()),
        RunEnd::AwaitingAnswer { .. }
    ));
    assert!(execution.awaiting_answer());
    let [task] = execution
        .waiting_tasks()
        .try_into()
        .expect("one task waits");
    assert_eq!(task.state_name, "Approve");
    assert_eq!(task.resource, SQS);
    assert_eq!(
        task.input,
        json!({"QueueUrl": "q", "MessageBody": {"order": "o-1", "TaskToken": task.token}})
    );
    assert!(!task.activity && task.started && !task.answered_by_mock);
    assert_eq!(task.since, t0);
    assert_eq!(task.heartbeat_deadline, Some(t0 + 10 * S));
    assert_eq!(task.timeout_deadline, t0 + 60 * S);
    // Nothing happens until the caller answers or steps the clock on.
    assert!(execution.step().is_empty());
    assert_eq!(execution.next_time(), Some(t0 + 10 * S));

    // A heartbeat at 5 s moves the heartbeat deadline to 15 s, at once.
    execution
        .answer_task(&task.token, TaskAnswer::Heartbeat, t0 + 5 * S)
        .expect("a heartbeat in time");
    assert_eq!(
        execution.waiting_tasks()[0].heartbeat_deadline,
        Some(t0 + 15 * S)
    );
    assert!(execution.step().is_empty(), "a heartbeat writes no event");
    assert!(execution.awaiting_answer());
    assert_eq!(execution.next_time(), Some(t0 + 15 * S));

    // Stepping the clock on to 15 s fires the heartbeat timeout.
    let events: Vec<EventKind> = execution
        .step_until(t0 + 15 * S)
        .iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(events.first(), Some(&EventKind::TaskTimedOut));
    execution.run();
    assert_eq!(execution.status().name(), "FAILED");
    assert_eq!(
        execution.answer_task(&task.token, TaskAnswer::Success(json!(1)), t0 + 16 * S),
        Err(TaskAnswerError::TaskTimedOut)
    );
    assert!(execution.waiting_tasks().is_empty());
}

#[test]
fn an_answer_is_taken_at_its_time_after_what_falls_due_before() {
    let definition = json!({"StartAt": "Both", "States": {"Both": {"Type": "Parallel", "End": true, "Branches": [
        callback(json!({})),
        {"StartAt": "Prepare", "States": {"Prepare": {"Type": "Wait", "Seconds": 10, "End": true}}}]}}});
    let mut execution = start(definition);
    let t0 = execution.now();
    execution.run();
    assert!(execution.awaiting_answer());
    assert_eq!(execution.now(), t0 + 10 * S, "the other branch ran on");
    let token = execution.waiting_tasks()[0].token.clone();
    // An answer earlier than the execution's clock is taken at the clock.
    execution
        .answer_task(&token, TaskAnswer::Success(json!("yes")), t0 + 3 * S)
        .expect("in time");
    execution.run();
    assert_eq!(execution.status().name(), "SUCCEEDED");
    let succeeded = execution
        .history()
        .iter()
        .find(|e| e.kind == EventKind::TaskSucceeded)
        .expect("TaskSucceeded");
    assert_eq!(succeeded.timestamp, t0 + 10 * S);
}

#[test]
fn stop_closes_the_tokens_of_waiting_tasks() {
    let mut execution = start(callback(json!({})));
    execution.run();
    let token = execution.waiting_tasks()[0].token.clone();
    execution.stop(None, None);
    assert_eq!(kinds(&execution).last(), Some(&EventKind::ExecutionAborted));
    assert!(kinds(&execution).contains(&EventKind::TaskStateAborted));
    let refused = execution
        .answer_task(&token, TaskAnswer::Heartbeat, execution.now())
        .expect_err("closed");
    assert_eq!(
        refused.to_string(),
        "TaskTimedOut: Task Timed Out: 'Provided task does not exist anymore'"
    );
}

#[test]
fn an_activity_is_started_by_its_worker_or_by_its_first_answer() {
    let activity = "arn:aws:states:us-east-1:123456789012:activity:Review";
    let definition = json!({"StartAt": "A", "States": {
        "A": {"Type": "Task", "Resource": activity, "Next": "B"},
        "B": {"Type": "Task", "Resource": activity, "End": true}}});
    let mut execution = start(definition);
    let t0 = execution.now();
    execution.run();
    let task = execution.waiting_tasks()[0].clone();
    assert!(task.activity && !task.started);
    execution
        .start_activity_task(&task.token, Some("worker-1"), t0 + 2 * S)
        .expect("taken");
    assert_eq!(
        execution.start_activity_task(&task.token, Some("worker-2"), t0 + 2 * S),
        Err(TaskAnswerError::TaskTimedOut),
        "a task is taken once"
    );
    execution
        .answer_task(&task.token, TaskAnswer::Success(json!(1)), t0 + 3 * S)
        .expect("answered");
    execution.run();
    let second = execution.waiting_tasks()[0].clone();
    assert_eq!(second.state_name, "B");
    execution
        .answer_task(
            &second.token,
            TaskAnswer::Failure {
                error: Some("Bad".into()),
                cause: None,
            },
            t0 + 4 * S,
        )
        .expect("answered");
    execution.run();
    let events: Vec<(EventKind, i64, Value)> = execution
        .history()
        .iter()
        .filter(|e| e.kind.aws_name().starts_with("Activity"))
        .map(|e| {
            let json = e.to_aws_json();
            let details = json
                .as_object()
                .and_then(|o| o.iter().find(|(k, _)| k.ends_with("EventDetails")))
                .map(|(_, v)| v.clone())
                .unwrap_or(Value::Null);
            (e.kind, (e.timestamp - t0) / S, details)
        })
        .collect();
    assert_eq!(
        events,
        [
            (
                EventKind::ActivityScheduled,
                0,
                json!({"input": "{\"order\":\"o-1\"}", "inputDetails": {"truncated": false}, "resource": activity})
            ),
            (
                EventKind::ActivityStarted,
                2,
                json!({"workerName": "worker-1"})
            ),
            (
                EventKind::ActivitySucceeded,
                3,
                json!({"output": "1", "outputDetails": {"truncated": false}})
            ),
            (
                EventKind::ActivityScheduled,
                3,
                json!({"input": "1", "inputDetails": {"truncated": false}, "resource": activity})
            ),
            (EventKind::ActivityStarted, 4, json!({})),
            (EventKind::ActivityFailed, 4, json!({"error": "Bad"})),
        ]
    );
}

#[test]
fn unknown_tokens_are_refused_as_aws_does() {
    let mut execution = start(callback(json!({})));
    execution.run();
    let now = execution.now();
    for (token, error) in [
        ("", TaskAnswerError::InvalidToken),
        ("not a token", TaskAnswerError::InvalidToken),
        (
            "00000000-0000-4000-8000-000000000000",
            TaskAnswerError::TaskDoesNotExist,
        ),
    ] {
        assert_eq!(
            execution.answer_task(token, TaskAnswer::Heartbeat, now),
            Err(error)
        );
    }
    let token = execution.waiting_tasks()[0].token.clone();
    assert_eq!(
        execution.start_activity_task(&token, Some("worker"), now),
        Err(TaskAnswerError::TaskDoesNotExist),
        "a callback is no activity"
    );
    assert_eq!(
        TaskAnswerError::InvalidToken.to_string(),
        "InvalidToken: Invalid Token: 'Invalid token'"
    );
}
