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
