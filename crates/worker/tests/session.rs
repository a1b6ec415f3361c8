//! One execution as the page sees it: its rows, traces and status, and the history export the
//! page makes from the rows.

use sfn_engine::{EventKind, Execution, ExecutionOptions, MockSet};
use sfn_playground_data::history::{get_execution_history, EventClass, EventRow};
use sfn_playground_data::protocol::TraceView;
use sfn_worker::session::{event_class, Session};

#[test]
fn session_runs_a_machine_and_labels_events_with_their_state() {
    let definition = r#"{"StartAt": "First", "States": {
        "First": {"Type": "Pass", "Result": {"x": 1}, "ResultPath": "$.r", "Next": "Pause"},
        "Pause": {"Type": "Wait", "Seconds": 2, "Next": "Done"},
        "Done": {"Type": "Succeed"}}}"#;
    let mut session = Session::start(definition, r#"{"in": true}"#, "", 7).expect("starts");
    let mut events = Vec::new();
    let mut traces: Vec<TraceView> = Vec::new();
    let mut status = None;
    for _ in 0..100 {
        let batch = session.advance(1);
        events.extend(batch.events);
        for t in batch.traces {
            let i = t.index as usize;
            if i < traces.len() {
                traces[i] = t;
            } else {
                traces.push(t);
            }
        }
        if !batch.status.is_running() {
            status = Some(batch.status);
            break;
        }
    }
    let status = status.expect("ends");
    assert_eq!(status.name, "SUCCEEDED");
    let first_exit = events
        .iter()
        .find(|e| e.event_type == "PassStateExited")
        .expect("exit");
    assert_eq!(first_exit.step.as_deref(), Some("First"));
    let wait_exit = events
        .iter()
        .find(|e| e.event_type == "WaitStateExited")
        .expect("wait");
    let start = events[0].timestamp;
    assert_eq!(wait_exit.timestamp - start, 2000);
    assert_eq!(
        events.last().map(|e| e.step.clone()),
        Some(None),
        "ExecutionSucceeded has no step"
    );
    let first = &traces[0];
    assert_eq!(first.state_name, "First");
    let output = first
        .stages
        .iter()
        .find(|(l, _)| l == "Output")
        .and_then(|(_, v)| v.clone());
    assert_eq!(
        output.as_deref(),
        Some("{\n  \"in\": true,\n  \"r\": {\n    \"x\": 1\n  }\n}")
    );
}

#[test]
fn session_refuses_to_start_and_says_why() {
    let problems = match Session::start("{\"StartAt\": 1}", "{", "[", 0) {
        Ok(_) => panic!("should not start"),
        Err(p) => p,
    };
    assert!(
        problems.iter().any(|p| p.starts_with("Definition, line 1")),
        "{problems:?}"
    );
    assert!(
        problems.iter().any(|p| p.starts_with("Input: ")),
        "{problems:?}"
    );
    assert!(
        problems.iter().any(|p| p.starts_with("Mocks: ")),
        "{problems:?}"
    );
}

/// Every row of a run to its end, or to where it waits for the user's answer.
fn rows_of(definition: &str, input: &str, mocks: &str, seed: u32) -> Vec<EventRow> {
    let mut session = Session::start(definition, input, mocks, seed).expect("starts");
    let mut events = Vec::new();
    for _ in 0..100_000 {
        let batch = session.advance(50);
        events.extend(batch.events);
        if !batch.status.is_running() || batch.awaiting_answer {
            return events;
        }
    }
    panic!("the run neither ended nor waited for an answer");
}

/// The history export as the page made it before rows carried their AWS event: each row made
/// back into the engine's event, then the engine's `GetExecutionHistory`.
fn export_rebuilt_from_rows(rows: &[EventRow]) -> String {
    let events: Vec<sfn_engine::HistoryEvent> = rows
        .iter()
        .filter_map(|row| {
            Some(sfn_engine::HistoryEvent {
                id: row.id,
                previous_event_id: row.previous_event_id,
                timestamp: row.timestamp,
                kind: EventKind::from_aws_name(&row.event_type)?,
                details: serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(
                    &row.details,
                )
                .ok()
                .and_then(|m| m.into_iter().next())
                .map(|(key, value)| sfn_engine::EventDetails::new(key, value)),
                state_name: row.step.as_deref().map(std::rc::Rc::from),
            })
        })
        .collect();
    let value = sfn_engine::history::to_get_execution_history(&events);
    serde_json::to_string_pretty(&value).unwrap_or_else(|_| value.to_string())
}

/// The page's history export (from the rows, without the engine) is byte for byte the engine's
/// `GetExecutionHistory` of the same run, and what the page exported before.
#[test]
fn the_history_export_is_the_engines() {
    for example in sfn_playground_data::examples::EXAMPLES {
        for scenario in example.scenarios {
            let rows = rows_of(example.definition, scenario.input, example.mocks, 0);
            let exported = get_execution_history(&rows);
            let machine = sfn_engine::parse_definition(example.definition).into_machine();
            let mut execution = Execution::new(
                machine.expect("a valid example"),
                serde_json::from_str(scenario.input).expect("input"),
                MockSet::from_json_text(example.mocks, None).expect("mocks"),
                ExecutionOptions::default(),
            );
            execution.run();
            let engine = sfn_engine::history::to_get_execution_history(execution.history().iter());
            let engine = serde_json::to_string_pretty(&engine).expect("json");
            let what = format!("{} / {}", example.id, scenario.id);
            assert_eq!(exported, engine, "{what}");
            assert_eq!(exported, export_rebuilt_from_rows(&rows), "{what}");
            assert!(rows.len() > 3, "{what}");
        }
    }
}

/// The classes say what the page read from event type names before: each class is exactly
/// the types those names picked.
#[test]
fn event_classes_are_what_the_type_names_said() {
    for kind in EventKind::ALL {
        let name = kind.aws_name();
        let class = event_class(kind);
        let is = |c: EventClass| class == c;
        let execution = name.starts_with("Execution");
        assert_eq!(
            is(EventClass::FailStateEntered),
            name == "FailStateEntered",
            "{name}"
        );
        assert_eq!(
            is(EventClass::StateEntered),
            name.ends_with("StateEntered") && name != "FailStateEntered",
            "{name}"
        );
        assert_eq!(
            class.is_state_entered(),
            name.ends_with("StateEntered"),
            "{name}"
        );
        assert_eq!(
            is(EventClass::StateExited),
            name.ends_with("StateExited"),
            "{name}"
        );
        let part = name == "MapIterationFailed" || name == "MapRunFailed";
        assert_eq!(is(EventClass::PartFailed), part, "{name}");
        assert_eq!(
            is(EventClass::Failed),
            !part && (name.ends_with("Failed") || name.ends_with("TimedOut")),
            "{name}"
        );
        assert_eq!(
            is(EventClass::ExecutionStarted),
            name == "ExecutionStarted" || name == "ExecutionRedriven",
            "{name}"
        );
        assert_eq!(
            is(EventClass::ExecutionSucceeded),
            name == "ExecutionSucceeded",
            "{name}"
        );
        assert_eq!(
            is(EventClass::StateAborted),
            name.ends_with("StateAborted"),
            "{name}"
        );
        assert_eq!(
            is(EventClass::Aborted),
            name.ends_with("Aborted") && !name.ends_with("StateAborted"),
            "{name}"
        );
        assert_eq!(
            is(EventClass::WorkStarted),
            !execution
                && (name.ends_with("Scheduled")
                    || name.ends_with("Started")
                    || name.ends_with("Submitted")
                    || name == "MapRunRedriven"),
            "{name}"
        );
        assert_eq!(
            is(EventClass::WorkSucceeded),
            !execution && name.ends_with("Succeeded"),
            "{name}"
        );
    }
}

/// A state stopped in progress (its sibling branch failed) is not sent again as if it could
/// still change: once its `...StateAborted` event is out, later batches leave its trace alone.
#[test]
fn an_aborted_states_trace_is_not_kept_open() {
    let definition = r#"{"StartAt": "Both", "States": {
        "Both": {"Type": "Parallel", "Next": "Later",
          "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Later"}],
          "Branches": [
            {"StartAt": "Long", "States": {"Long": {"Type": "Wait", "Seconds": 10, "End": true}}},
            {"StartAt": "Short", "States": {"Short": {"Type": "Wait", "Seconds": 1, "Next": "Boom"},
              "Boom": {"Type": "Fail", "Error": "Boom"}}}]},
        "Later": {"Type": "Wait", "Seconds": 5, "End": true}}}"#;
    let mut session = Session::start(definition, "{}", "", 0).expect("starts");
    let mut long_trace = None;
    let mut aborted = false;
    for _ in 0..100 {
        let batch = session.advance(1);
        if aborted {
            assert!(
                batch.traces.iter().all(|t| Some(t.index) != long_trace),
                "the aborted Wait's trace was sent again"
            );
        }
        for event in &batch.events {
            if event.event_type == "WaitStateEntered" && event.step.as_deref() == Some("Long") {
                long_trace = event.trace;
            }
            if event.event_type == "WaitStateAborted" {
                assert_eq!(event.trace, long_trace, "the abort is the Long Wait's");
                aborted = true;
            }
        }
        if !batch.status.is_running() {
            assert_eq!(batch.status.name, "SUCCEEDED");
            break;
        }
    }
    assert!(aborted && long_trace.is_some());
}

/// A failed attempt that a retrier takes is a part failure (the state stays in progress through
/// its back-off, as the console shows it); the last one, which no retrier takes, fails it.
#[test]
fn a_retried_failure_does_not_fail_the_state() {
    let definition = r#"{"StartAt": "Call", "States": {"Call": {"Type": "Task",
        "Resource": "arn:aws:lambda:us-east-1:123456789012:function:F",
        "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 1, "IntervalSeconds": 5}],
        "End": true}}}"#;
    let mocks = r#"{"Functions": {"F": [{"throw": {"error": "Boom", "cause": "no"}}]}}"#;
    let mut session = Session::start(definition, "{}", mocks, 0).expect("starts");
    let mut events = Vec::new();
    for _ in 0..100 {
        let batch = session.advance(10);
        events.extend(batch.events);
        if !batch.status.is_running() {
            break;
        }
    }
    let failures: Vec<EventClass> = events
        .iter()
        .filter(|e| e.event_type == "LambdaFunctionFailed")
        .map(|e| e.class)
        .collect();
    assert_eq!(failures, [EventClass::PartFailed, EventClass::Failed]);
}

/// A run that fails with States.Runtime in a state (a path that matches nothing) ends with
/// ExecutionFailed right after the state's Entered event, with no step of its own (as the
/// console lists it): the graph fails the state still in progress (graph/status.rs).
#[test]
fn a_runtime_failure_names_its_state() {
    let definition = r#"{"StartAt": "Load", "States": {
        "Load": {"Type": "Pass", "Next": "Save"},
        "Save": {"Type": "Pass", "InputPath": "$.missing", "End": true}}}"#;
    let mut session = Session::start(definition, "{}", "", 0).expect("starts");
    let mut events = Vec::new();
    for _ in 0..100 {
        let batch = session.advance(10);
        events.extend(batch.events);
        if !batch.status.is_running() {
            assert_eq!(batch.status.error.as_deref(), Some("States.Runtime"));
            break;
        }
    }
    let last = events.last().expect("events");
    assert_eq!(last.event_type, "ExecutionFailed");
    assert_eq!(last.class, EventClass::Failed);
    assert_eq!(last.step, None);
    let entered = &events[events.len() - 2];
    assert_eq!(
        (entered.event_type.as_str(), entered.step.as_deref()),
        ("PassStateEntered", Some("Save"))
    );
}

/// Stop writes what StopExecution writes: the state in progress aborted, then
/// ExecutionAborted, sent as one batch with the status ABORTED.
#[test]
fn stop_sends_the_events_of_the_stop() {
    let definition = r#"{"StartAt": "Nap", "States": {
        "Nap": {"Type": "Wait", "Seconds": 60, "End": true}}}"#;
    let mut session = Session::start(definition, "{}", "", 0).expect("starts");
    let mut sent = 0;
    while sent < 2 {
        sent += session.advance(1).events.len();
    }
    let batch = session.stop();
    let rows: Vec<(&str, EventClass, u64)> = batch
        .events
        .iter()
        .map(|e| (e.event_type.as_str(), e.class, e.id))
        .collect();
    assert_eq!(
        rows,
        [
            ("WaitStateAborted", EventClass::StateAborted, 3),
            ("ExecutionAborted", EventClass::Aborted, 4)
        ]
    );
    assert_eq!(batch.status.name, "ABORTED");
    assert!(
        session.stop().events.is_empty(),
        "a second stop writes nothing"
    );
}

/// A paced page keeps the engine from running ahead of what it shows: no step later than
/// `until_ms`, and the batch says when the next one would be.
#[test]
fn advance_until_stops_short_of_the_clock() {
    let definition = r#"{"StartAt": "Nap", "States": {
        "Nap": {"Type": "Wait", "Seconds": 60, "End": true}}}"#;
    let mut session = Session::start(definition, "{}", "", 0).expect("starts");
    let start = session.start_ms();
    let batch = session.advance_until(8, Some(start + 1000));
    let types: Vec<&str> = batch.events.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(types, ["ExecutionStarted", "WaitStateEntered"]);
    assert_eq!(batch.next_ms, Some(start + 60_000));
    assert!(batch.status.is_running());
    let batch = session.advance_until(8, Some(start + 59_999));
    assert!(batch.events.is_empty(), "not yet");
    let batch = session.advance_until(8, Some(start + 60_000));
    let types: Vec<&str> = batch.events.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(types, ["WaitStateExited", "ExecutionSucceeded"]);
    assert_eq!(batch.next_ms, None);
}

/// The inspector's stages follow the state's query language and type: JSONata's Arguments,
/// Output and Assign with the variables in scope; a Choice's matched rule.
#[test]
fn stages_follow_the_query_language_and_the_state_type() {
    let definition = r#"{"StartAt": "Price", "States": {
        "Price": {"Type": "Task", "QueryLanguage": "JSONata", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Price",
          "Arguments": {"item": "{% $states.input.item %}"}, "Assign": {"price": "{% $states.result %}"},
          "Output": "{% $states.result %}", "Next": "Check"},
        "Check": {"Type": "Choice",
          "Choices": [{"Variable": "$", "NumericGreaterThan": 100, "Next": "Dear"}], "Default": "Cheap"},
        "Dear": {"Type": "Succeed"},
        "Cheap": {"Type": "Succeed"}}}"#;
    let mocks = r#"{"Functions": {"Price": [{"return": 250}]}}"#;
    let mut session = Session::start(definition, r#"{"item": "SOFA"}"#, mocks, 0).expect("starts");
    let mut traces: Vec<TraceView> = Vec::new();
    for _ in 0..100 {
        let batch = session.advance(10);
        for t in batch.traces {
            let i = t.index as usize;
            if i < traces.len() {
                traces[i] = t;
            } else {
                traces.push(t);
            }
        }
        if !batch.status.is_running() {
            break;
        }
    }
    let labels = |t: &TraceView| t.stages.iter().map(|(l, _)| l.clone()).collect::<Vec<_>>();
    let stage = |t: &TraceView, label: &str| {
        t.stages
            .iter()
            .find(|(l, _)| l == label)
            .and_then(|(_, v)| v.clone())
    };
    assert_eq!(
        labels(&traces[0]),
        ["Input", "Arguments", "Result", "Output", "Assign"]
    );
    assert_eq!(
        stage(&traces[0], "Arguments").as_deref(),
        Some("{\n  \"item\": \"SOFA\"\n}")
    );
    assert_eq!(
        labels(&traces[1]),
        [
            "Input",
            "After InputPath",
            "Matched rule",
            "Output",
            "Variables in scope"
        ]
    );
    assert_eq!(
        stage(&traces[1], "Matched rule").as_deref(),
        Some("Choices #1 matched: next state \"Dear\"")
    );
    assert_eq!(
        stage(&traces[1], "Variables in scope").as_deref(),
        Some("{\n  \"price\": 250\n}")
    );
}

/// Runs `session` to its end (or until it waits for an answer), collecting its rows.
fn drain(session: &mut Session, rows: &mut Vec<EventRow>) -> sfn_playground_data::protocol::Batch {
    for _ in 0..100_000 {
        let batch = session.advance(50);
        rows.extend(batch.events.iter().cloned());
        if !batch.status.is_running() || batch.awaiting_answer {
            return batch;
        }
    }
    panic!("the run neither ended nor waited for an answer");
}

/// The redrive example: FAILED and redrivable; a redrive with the fixed mocks goes on from
/// Charge Card (ExecutionRedriven, no second Reserve Stock) and SUCCEEDS, after which it is not
/// redrivable and a second redrive is refused with AWS's error.
#[test]
fn a_failed_run_is_redriven_with_fixed_mocks() {
    let example = sfn_playground_data::examples::find("redrive").expect("the redrive example");
    let scenario = example.default_scenario().expect("a scenario");
    let mut session =
        Session::start(example.definition, scenario.input, example.mocks, 0).expect("starts");
    let mut rows = Vec::new();
    let ended = drain(&mut session, &mut rows);
    assert_eq!(ended.status.name, "FAILED");
    assert!(ended.redrivable);
    let fixed = include_str!("../../playground-data/src/examples/redrive/mocks.fixed.json");
    let redriven = session.redrive(fixed).expect("redrivable");
    assert_eq!(redriven.events.len(), 1);
    assert_eq!(redriven.events[0].event_type, "ExecutionRedriven");
    assert_eq!(redriven.events[0].class, EventClass::ExecutionStarted);
    rows.extend(redriven.events);
    let ended = drain(&mut session, &mut rows);
    assert_eq!(ended.status.name, "SUCCEEDED", "{:?}", ended.status);
    assert!(!ended.redrivable);
    let entered = |state: &str| {
        rows.iter()
            .filter(|r| r.event_type == "TaskStateEntered" && r.step.as_deref() == Some(state))
            .count()
    };
    assert_eq!(entered("Reserve Stock"), 1);
    assert_eq!(entered("Charge Card"), 2, "entered again by the redrive");
    let refused = session.redrive(fixed).expect_err("a SUCCEEDED run");
    assert_eq!(
        refused,
        "Redrive refused: ExecutionNotRedrivable: Execution is SUCCEEDED and cannot be redriven."
    );
}

/// The callback example's large order: no mock answers it, so the run waits for the user, who
/// sees the task and its token; the answer goes on to SUCCEEDED; the same token again is
/// refused with AWS's TaskTimedOut. Unanswered, letting the time pass fires the heartbeat
/// timeout (caught: Approval Expired).
#[test]
fn a_waiting_task_is_answered_by_the_user() {
    use sfn_playground_data::protocol::TaskAnswerView;
    let example = sfn_playground_data::examples::find("callback").expect("the callback example");
    let input = example
        .scenario("large-order")
        .expect("the large order")
        .input;
    let mut session = Session::start(example.definition, input, example.mocks, 0).expect("starts");
    let mut rows = Vec::new();
    let waiting = drain(&mut session, &mut rows);
    assert!(waiting.status.is_running() && waiting.awaiting_answer);
    assert_eq!(waiting.waiting.len(), 1);
    let task = &waiting.waiting[0];
    assert_eq!(task.state_name, "Request Approval");
    assert!(
        task.input.contains(&task.token),
        "the message carries the token"
    );
    let start = rows[0].timestamp;
    assert_eq!(task.heartbeat_deadline_ms, Some(start + 3_600_000));
    assert_eq!(task.timeout_deadline_ms, Some(start + 86_400_000));
    let token = task.token.clone();

    let answered = session
        .answer(
            &token,
            TaskAnswerView::Success {
                output: r#"{"approver": "dana"}"#.into(),
            },
            Some(start + 60_000),
        )
        .expect("accepted");
    assert!(!answered.awaiting_answer);
    let ended = drain(&mut session, &mut rows);
    assert_eq!(ended.status.name, "SUCCEEDED");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(ended.status.output.as_deref().unwrap()).unwrap(),
        serde_json::json!({"orderId": "order-8", "approvedBy": "dana"})
    );
    let succeeded = rows
        .iter()
        .find(|r| r.event_type == "TaskSucceeded")
        .expect("TaskSucceeded");
    assert_eq!(succeeded.timestamp, start + 60_000, "answered a minute in");
    let again = session
        .answer(&token, TaskAnswerView::Heartbeat, None)
        .expect_err("answered before");
    assert!(again.starts_with("TaskTimedOut"), "{again}");

    // Nobody answers: time passes to the heartbeat timeout, which the catcher takes.
    let mut session = Session::start(example.definition, input, example.mocks, 0).expect("starts");
    let mut rows = Vec::new();
    assert!(drain(&mut session, &mut rows).awaiting_answer);
    let batch = session.advance_paced(50, None, true);
    rows.extend(batch.events);
    let ended = drain(&mut session, &mut rows);
    assert_eq!(ended.status.name, "FAILED");
    assert_eq!(ended.status.error.as_deref(), Some("ApprovalExpired"));
    let timed_out = rows
        .iter()
        .find(|r| r.event_type == "TaskTimedOut")
        .expect("TaskTimedOut");
    assert_eq!(timed_out.timestamp, start + 3_600_000);
}

/// The Distributed Map example: the page is sent what the run wrote to the mocked S3 (the
/// ResultWriter's results and manifest) and each batch's child execution, whose history it can
/// ask for: ExecutionStarted to ExecutionSucceeded, labelled with its states.
#[test]
fn a_map_runs_writes_and_child_executions_reach_the_page() {
    let example = sfn_playground_data::examples::find("distributed-map").expect("the example");
    let scenario = example.default_scenario().expect("a scenario");
    let mut session =
        Session::start(example.definition, scenario.input, example.mocks, 0).expect("starts");
    let mut writes = Vec::new();
    let mut executions = Vec::new();
    for _ in 0..100_000 {
        let batch = session.advance(50);
        writes.extend(batch.s3_writes);
        for e in batch.executions {
            match executions
                .iter_mut()
                .find(|x: &&mut sfn_playground_data::protocol::ChildExecutionView| x.id == e.id)
            {
                Some(known) => *known = e,
                None => executions.push(e),
            }
        }
        if !batch.status.is_running() {
            assert_eq!(batch.status.name, "SUCCEEDED");
            break;
        }
    }
    let keys: Vec<&str> = writes
        .iter()
        .map(|w| w.key.rsplit('/').next().unwrap())
        .collect();
    assert_eq!(keys, ["SUCCEEDED_0.json", "manifest.json"]);
    assert!(writes
        .iter()
        .all(|w| w.bucket == "orders-bucket" && !w.truncated));
    assert_eq!(executions.len(), 3, "six rows in batches of two");
    assert!(executions
        .iter()
        .all(|e| e.status == "SUCCEEDED" && e.state_name == "Price Orders"));
    assert_eq!(executions[2].origin, "Map Run item 2");
    let history = session.child_history(1).expect("a child's history");
    assert_eq!(history.first().unwrap().event_type, "ExecutionStarted");
    assert_eq!(history.last().unwrap().event_type, "ExecutionSucceeded");
    assert!(history
        .iter()
        .any(|r| r.step.as_deref() == Some("Price Batch")));
    assert_eq!(session.child_history(3), None);
}

/// A Step Functions Local mock file of several test cases: the check finds no problem and lists
/// them; a run uses the first unless another is picked; a redrive's mock file uses the run's.
#[test]
fn several_mock_test_cases_never_block_a_run() {
    let definition = r#"{"StartAt": "Call", "States": {"Call": {"Type": "Task",
        "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Greeter", "End": true}}}"#;
    let mocks = r#"{"StateMachines": {"Greet": {"TestCases": {
            "Happy": {"Call": "Hello"}, "Sad": {"Call": "Oops"}}}},
        "MockedResponses": {"Hello": {"0": {"Return": "hello"}},
                            "Oops": {"0": {"Throw": {"Error": "Sad", "Cause": "oops"}}}}}"#;
    assert_eq!(sfn_worker::service::mocks_marks(mocks), Vec::new());
    let run = |test_case: Option<&str>| {
        let mut session =
            Session::start_in_workspace(definition, "{}", mocks, 0, "", &[], test_case)
                .expect("starts");
        let mut rows = Vec::new();
        drain(&mut session, &mut rows).status
    };
    assert_eq!(run(None).output.as_deref(), Some("\"hello\""));
    assert_eq!(run(Some("Greet/Sad")).error.as_deref(), Some("Sad"));
}
