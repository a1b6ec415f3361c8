//! The seed tutorial (examples/tutorial) run through the built `sfn-play`, checked against
//! what AWS does with each input (the table in the seed README).

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_sfn-play");

fn example(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/tutorial")
        .join(file)
}

fn scratch(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(file)
}

/// Runs the tutorial with `input-<code>.json` and its mock file, plus `extra` arguments.
fn run_tutorial(code: &str, extra: &[&str]) -> Output {
    Command::new(BIN)
        .arg("run")
        .arg(example("tutorial.asl.json"))
        .arg("--input-file")
        .arg(example(&format!("input-{code}.json")))
        .arg("--mocks")
        .arg(example("mocks.json"))
        .args(extra)
        .output()
        .expect("sfn-play runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// What AWS does with each input (seed README): exit code, output on success, and the
/// `error:`/`cause:` lines on failure (`None`: the line must be absent).
struct Scenario {
    code: &'static str,
    exit: i32,
    output: Option<&'static str>,
    error: Option<&'static str>,
    cause: Option<&'static str>,
}

const SCENARIOS: &[Scenario] = &[
    Scenario {
        code: "200",
        exit: 0,
        output: Some("The request has succeeded."),
        error: None,
        cause: None,
    },
    Scenario {
        code: "503",
        exit: 3,
        output: None,
        error: None,
        cause: Some("The server is currently unable to handle the request."),
    },
    Scenario {
        code: "429",
        exit: 0,
        output: Some("The request has succeeded."),
        error: None,
        cause: None,
    },
    Scenario {
        code: "500",
        exit: 3,
        output: None,
        error: Some("An error of unknown type occurred"),
        cause: Some("Unknown error!"),
    },
];

#[test]
fn each_input_ends_as_on_aws() {
    for scenario in SCENARIOS {
        let result = run_tutorial(scenario.code, &[]);
        let (stdout, stderr) = (text(&result.stdout), text(&result.stderr));
        let context = format!(
            "input {}: stdout {stdout:?} stderr {stderr:?}",
            scenario.code
        );
        assert_eq!(result.status.code(), Some(scenario.exit), "{context}");
        match scenario.output {
            Some(expected) => {
                let output: Value = serde_json::from_str(&stdout).expect(&context);
                assert_eq!(output, Value::from(expected), "{context}");
            }
            None => assert!(stdout.trim().is_empty(), "{context}"),
        }
        let error_line = stderr.lines().find_map(|l| l.strip_prefix("error: "));
        let cause_line = stderr.lines().find_map(|l| l.strip_prefix("cause: "));
        assert_eq!(error_line, scenario.error, "{context}");
        assert_eq!(cause_line, scenario.cause, "{context}");
        if scenario.exit == 3 {
            assert!(stderr.lines().any(|l| l == "status: FAILED"), "{context}");
        }
    }
}

/// Milliseconds of an AWS history timestamp (epoch seconds with a fraction).
fn millis(event: &Value) -> i64 {
    let seconds = event["timestamp"].as_f64().expect("a numeric timestamp");
    (seconds * 1000.0).round() as i64
}

fn load_history(path: &PathBuf) -> Vec<Value> {
    let text = std::fs::read_to_string(path).expect("the history file was written");
    let history: Value = serde_json::from_str(&text).expect("the history is JSON");
    history["events"]
        .as_array()
        .expect("an events array")
        .clone()
}

#[test]
fn too_many_requests_retries_then_waits_on_the_simulated_clock() {
    let path = scratch("tutorial-429-history.json");
    let _ = std::fs::remove_file(&path);
    let result = run_tutorial("429", &["--history", path.to_str().expect("utf-8 path")]);
    assert_eq!(result.status.code(), Some(0), "{}", text(&result.stderr));
    let events = load_history(&path);

    let of_type =
        |wanted: &str| -> Vec<&Value> { events.iter().filter(|e| e["type"] == wanted).collect() };
    let scheduled = of_type("LambdaFunctionScheduled");
    let failed = of_type("LambdaFunctionFailed");
    let succeeded = of_type("LambdaFunctionSucceeded");
    let wait_entered = of_type("WaitStateEntered");
    let wait_exited = of_type("WaitStateExited");
    assert_eq!(failed.len(), 3, "three failed calls: {events:#?}");
    assert_eq!(scheduled.len(), 4, "three failed calls and a good one");
    assert_eq!(succeeded.len(), 1);
    assert_eq!((wait_entered.len(), wait_exited.len()), (1, 1));
    for event in &failed {
        let details = &event["lambdaFunctionFailedEventDetails"];
        assert_eq!(details["error"], "TooManyRequestsException");
        // The cause is the Lambda error object AWS reports, as JSON text.
        let cause: Value = serde_json::from_str(details["cause"].as_str().expect("a cause"))
            .expect("the cause is JSON text");
        assert_eq!(cause["errorMessage"], "429 Too Many Requests");
        assert_eq!(cause["errorType"], "TooManyRequestsException");
    }

    // Order: the three failures, then the Wait, then the success.
    let id = |event: &Value| event["id"].as_u64().expect("an id");
    assert!(id(failed[2]) < id(wait_entered[0]));
    assert!(id(wait_exited[0]) < id(succeeded[0]));
    let names: Vec<&str> = events
        .iter()
        .filter_map(|e| e["stateEnteredEventDetails"]["name"].as_str())
        .collect();
    assert_eq!(
        names,
        [
            "Call API",
            "Wait and Try Later",
            "Change to 200",
            "Call API",
            "OK"
        ]
    );

    // The simulated clock: each call takes 0.5 s (the mock's durationSeconds), the retries
    // wait 1 s then 2 s (BackoffRate 2.0), the Wait state 1 s: 4 s of waiting in all.
    for (call, done) in scheduled.iter().zip(failed.iter().chain(&succeeded)) {
        assert_eq!(millis(done) - millis(call), 500, "call duration");
    }
    assert_eq!(
        millis(scheduled[1]) - millis(failed[0]),
        1_000,
        "first retry"
    );
    assert_eq!(
        millis(scheduled[2]) - millis(failed[1]),
        2_000,
        "second retry"
    );
    assert_eq!(
        millis(wait_exited[0]) - millis(wait_entered[0]),
        1_000,
        "Wait and Try Later"
    );
    let first = events.first().expect("events");
    let last = events.last().expect("events");
    assert_eq!(first["type"], "ExecutionStarted");
    assert_eq!(last["type"], "ExecutionSucceeded");
    assert_eq!(
        millis(last) - millis(first),
        4_000 + 4 * 500,
        "4 s of waiting and four calls of 0.5 s"
    );
}

#[test]
fn start_time_sets_the_simulated_clock() {
    let path = scratch("tutorial-start-time-history.json");
    let _ = std::fs::remove_file(&path);
    let result = run_tutorial(
        "200",
        &[
            "--start-time",
            "2025-06-01T12:00:00Z",
            "--history",
            path.to_str().expect("utf-8 path"),
        ],
    );
    assert_eq!(result.status.code(), Some(0), "{}", text(&result.stderr));
    let events = load_history(&path);
    let first = events.first().expect("events");
    assert_eq!(millis(first), 1_748_779_200_000);
}

#[test]
fn trace_prints_each_event_with_state_and_simulated_time() {
    let result = run_tutorial("429", &["--trace"]);
    let stderr = text(&result.stderr);
    assert_eq!(result.status.code(), Some(0), "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(
        lines.first().is_some_and(|l| l.contains("ExecutionStarted")
            && l.contains("2024-01-01T00:00:00.000Z")
            && l.trim_start().starts_with('1')),
        "{stderr}"
    );
    assert!(
        lines.iter().any(|l| l.contains("WaitStateEntered")
            && l.contains("Wait and Try Later")
            && l.contains("2024-01-01T00:00:0")),
        "{stderr}"
    );
    // The event log ends with the execution's end; the data-flow stages follow it.
    let flow_start = lines
        .iter()
        .position(|l| l.starts_with("data flow"))
        .expect("a data-flow section");
    assert!(
        lines[flow_start - 1].contains("ExecutionSucceeded"),
        "{stderr}"
    );
    let flow = lines[flow_start..].join("\n");
    assert!(
        flow.contains("retried by Retry[0] (attempt 1, after 1 s)"),
        "{flow}"
    );
    assert!(
        flow.contains("retried by Retry[0] (attempt 2, after 2 s)"),
        "{flow}"
    );
    assert!(
        flow.contains("caught by Catch[0] -> Wait and Try Later"),
        "{flow}"
    );
    assert!(flow.contains("after ResultPath"), "{flow}");
    // The output stays alone on stdout, so it can be piped.
    let output: Value = serde_json::from_str(&text(&result.stdout)).expect("JSON output");
    assert_eq!(output, Value::from("The request has succeeded."));
}
