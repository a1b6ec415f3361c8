//! `sfn-play test-state`: TestState's response on stdout, exit 0 whatever the state's status.

use std::path::PathBuf;
use std::process::Command;

use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_sfn-play");

fn scratch_file(name: &str, contents: &Value) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, contents.to_string()).unwrap();
    path
}

fn test_state(args: &[&str]) -> (i32, Value) {
    let output = Command::new(BIN)
        .arg("test-state")
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let response = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{e}: {stdout}{}", String::from_utf8_lossy(&output.stderr)));
    (output.status.code().unwrap(), response)
}

#[test]
fn test_state_answers_each_status_as_aws() {
    let definition = scratch_file(
        "test-state-machine.json",
        &json!({"StartAt": "Call", "States": {
            "Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "f", "Payload.$": "$"},
                "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 1, "IntervalSeconds": 3}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Oops"}],
                "Next": "Done"},
            "Done": {"Type": "Succeed"},
            "Oops": {"Type": "Fail"}}}),
    );
    let definition = definition.to_str().unwrap();
    let base = [
        "--definition",
        definition,
        "--state",
        "Call",
        "--input",
        r#"{"a":1}"#,
    ];

    let (code, response) = test_state(&[&base[..], &["--mock-result", r#"{"ok":true}"#]].concat());
    assert_eq!(code, 0);
    assert_eq!(
        response,
        json!({"output": r#"{"ok":true}"#, "nextState": "Done", "status": "SUCCEEDED"})
    );

    let (code, response) = test_state(
        &[
            &base[..],
            &[
                "--mock-error",
                "Boom",
                "--mock-cause",
                "why",
                "--inspection-level",
                "DEBUG",
            ],
        ]
        .concat(),
    );
    assert_eq!(code, 0);
    assert_eq!(response["status"], "RETRIABLE");
    assert_eq!(
        response["inspectionData"]["errorDetails"],
        json!({"retryBackoffIntervalSeconds": 3, "retryIndex": 0})
    );

    let (code, response) = test_state(
        &[
            &base[..],
            &[
                "--mock-error",
                "Boom",
                "--mock-cause",
                "why",
                "--retrier-retry-count",
                "1",
            ],
        ]
        .concat(),
    );
    assert_eq!(code, 0);
    assert_eq!(
        response,
        json!({"output": r#"{"Error":"Boom","Cause":"why"}"#, "error": "Boom", "cause": "why",
               "nextState": "Oops", "status": "CAUGHT_ERROR"})
    );

    let mocks = scratch_file(
        "test-state-mocks.json",
        &json!({"StateMachines": {"M": {"TestCases": {"Happy": {"Call": "R"}}}},
                "MockedResponses": {"R": {"0": {"Return": {"n": 1}}}}}),
    );
    let (code, response) = test_state(
        &[
            &base[..],
            &["--mocks", mocks.to_str().unwrap(), "--test-case", "Happy"],
        ]
        .concat(),
    );
    assert_eq!(code, 0);
    assert_eq!(
        response,
        json!({"output": r#"{"n":1}"#, "nextState": "Done", "status": "SUCCEEDED"})
    );

    let fail = scratch_file(
        "test-state-fail.json",
        &json!({"Type": "Fail", "Error": "E"}),
    );
    let (code, response) = test_state(&["--state-definition", fail.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert_eq!(response, json!({"error": "E", "status": "FAILED"}));
}

#[test]
fn test_state_takes_a_context_and_mocks_a_map_or_parallel_state() {
    let task = scratch_file(
        "test-state-context-task.json",
        &json!({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "f", "Payload": {"name.$": "$$.Execution.Name",
                "index.$": "$$.Map.Item.Index"}},
            "End": true}),
    );
    let task = task.to_str().unwrap();
    let context =
        r#"{"Execution": {"Name": "run-7"}, "Map": {"Item": {"Index": 2, "Value": "c"}}}"#;
    let (code, response) = test_state(&[
        "--state-definition",
        task,
        "--mock-result",
        "{}",
        "--context",
        context,
        "--inspection-level",
        "DEBUG",
    ]);
    assert_eq!(code, 0);
    let parameters: Value = serde_json::from_str(
        response["inspectionData"]["afterParameters"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(parameters["Payload"], json!({"name": "run-7", "index": 2}));

    let context_file = scratch_file(
        "test-state-context.json",
        &serde_json::from_str::<Value>(context).unwrap(),
    );
    let (code, from_file) = test_state(&[
        "--state-definition",
        task,
        "--mock-result",
        "{}",
        "--context-file",
        context_file.to_str().unwrap(),
        "--inspection-level",
        "DEBUG",
    ]);
    assert_eq!(code, 0);
    assert_eq!(from_file, response);

    // As AWS: a Context object only with a mock.
    let pass = scratch_file(
        "test-state-context-pass.json",
        &json!({"Type": "Pass", "End": true}),
    );
    let output = Command::new(BIN)
        .args(["test-state", "--state-definition", pass.to_str().unwrap()])
        .args(["--context", context])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("ValidationException: context may only be specified if a mock is specified"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let map = scratch_file(
        "test-state-map.json",
        &json!({"StartAt": "Each", "States": {
            "Each": {"Type": "Map", "ItemsPath": "$.items",
                "ItemProcessor": {"StartAt": "Work", "States": {"Work": {"Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke",
                    "Parameters": {"FunctionName": "w"}, "End": true}}},
                "ResultPath": "$.results",
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Oops"}],
                "Next": "Done"},
            "Done": {"Type": "Succeed"},
            "Oops": {"Type": "Fail"}}}),
    );
    let map = map.to_str().unwrap();
    let base = [
        "--definition",
        map,
        "--state",
        "Each",
        "--input",
        r#"{"items":[1,2]}"#,
    ];
    let (code, response) = test_state(&[&base[..], &["--mock-result", "[10, 20]"]].concat());
    assert_eq!(code, 0);
    assert_eq!(
        response,
        json!({"output": r#"{"items":[1,2],"results":[10,20]}"#, "nextState": "Done",
               "status": "SUCCEEDED"})
    );
    let (code, response) = test_state(
        &[
            &base[..],
            &["--mock-error", "Boom", "--error-caused-by-state", "Work"],
        ]
        .concat(),
    );
    assert_eq!(code, 0);
    assert_eq!(response["status"], "CAUGHT_ERROR");
    assert_eq!(response["nextState"], "Oops");

    // Failed iterations of a Distributed Map, against its tolerated failure threshold.
    let distributed = scratch_file(
        "test-state-distributed-map.json",
        &json!({"Type": "Map", "ToleratedFailureCount": 1,
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                "StartAt": "Work", "States": {"Work": {"Type": "Pass", "End": true}}},
            "End": true}),
    );
    let base = [
        "--state-definition",
        distributed.to_str().unwrap(),
        "--input",
        "[1, 2, 3]",
        "--mock-result",
        "[1, 2, 3]",
        "--map-iteration-failure-count",
    ];
    let (code, response) = test_state(&[&base[..], &["1"]].concat());
    assert_eq!(code, 0);
    assert_eq!(response["status"], "SUCCEEDED");
    let (code, response) = test_state(&[&base[..], &["2"]].concat());
    assert_eq!(code, 0);
    assert_eq!(
        response,
        json!({"error": "States.ExceedToleratedFailureThreshold",
               "cause": "The specified tolerated failure threshold was exceeded",
               "status": "FAILED"})
    );
}
