//! The examples of `examples/` run through the built `sfn-play`: the JSONata version of the
//! tutorial (examples/jsonata-tutorial), which must behave exactly as the JSONPath one
//! (examples/tutorial) does on each input, the order workflow with variables
//! (examples/variables), the approval with a task token and an activity (examples/approval),
//! and the Distributed Map over a mocked S3 (examples/distributed-map).

use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_sfn-play");

fn example(folder: &str, file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(folder)
        .join(file)
}

fn scratch(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(file)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// One run: the process's output and the history it wrote.
struct Run {
    output: Output,
    events: Vec<Value>,
}

impl Run {
    fn stdout(&self) -> String {
        text(&self.output.stdout)
    }

    fn stderr(&self) -> String {
        text(&self.output.stderr)
    }

    /// The `error:` or `cause:` line on stderr (`prefix` is `"error: "` or `"cause: "`).
    fn line(&self, prefix: &str) -> Option<String> {
        self.stderr()
            .lines()
            .find_map(|l| l.strip_prefix(prefix))
            .map(str::to_string)
    }

    fn context(&self) -> String {
        format!("stdout {:?} stderr {:?}", self.stdout(), self.stderr())
    }
}

/// Runs `run DEF --input-file INPUT --mocks MOCKS --history H` in an example folder.
fn run(folder: &str, definition: &str, input: &str) -> Run {
    // Tests run in parallel and may run the same input: each run gets its own history file.
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    let number = RUNS.fetch_add(1, Ordering::Relaxed);
    let history = scratch(&format!("example-{folder}-{input}-{number}-history.json"));
    let _ = std::fs::remove_file(&history);
    let output = Command::new(BIN)
        .arg("run")
        .arg(example(folder, definition))
        .arg("--input-file")
        .arg(example(folder, input))
        .arg("--mocks")
        .arg(example(folder, "mocks.json"))
        .arg("--history")
        .arg(&history)
        .output()
        .expect("sfn-play runs");
    let written = std::fs::read_to_string(&history).unwrap_or_else(|e| {
        panic!(
            "{folder}/{input}: no history ({e}): {}",
            text(&output.stderr)
        )
    });
    let history: Value = serde_json::from_str(&written).expect("the history is JSON");
    let events = history["events"]
        .as_array()
        .expect("an events array")
        .clone();
    Run { output, events }
}

/// What AWS does with each input of the tutorial (the seed README's table): exit code, output
/// on success, the `error:`/`cause:` lines on failure (`None`: the line must be absent).
struct TutorialScenario {
    input: &'static str,
    exit: i32,
    output: Option<&'static str>,
    error: Option<&'static str>,
    cause: Option<&'static str>,
}

const TUTORIAL: &[TutorialScenario] = &[
    TutorialScenario {
        input: "input-200.json",
        exit: 0,
        output: Some("The request has succeeded."),
        error: None,
        cause: None,
    },
    TutorialScenario {
        input: "input-503.json",
        exit: 3,
        output: None,
        error: None,
        cause: Some("The server is currently unable to handle the request."),
    },
    TutorialScenario {
        input: "input-429.json",
        exit: 0,
        output: Some("The request has succeeded."),
        error: None,
        cause: None,
    },
    TutorialScenario {
        input: "input-500.json",
        exit: 3,
        output: None,
        error: Some("An error of unknown type occurred"),
        cause: Some("Unknown error!"),
    },
];

#[test]
fn the_jsonata_tutorial_ends_as_on_aws_and_as_the_jsonpath_one() {
    for scenario in TUTORIAL {
        let jsonata = run("jsonata-tutorial", "tutorial.asl.json", scenario.input);
        let context = format!("{}: {}", scenario.input, jsonata.context());
        assert_eq!(
            jsonata.output.status.code(),
            Some(scenario.exit),
            "{context}"
        );
        match scenario.output {
            Some(expected) => {
                let output: Value = serde_json::from_str(&jsonata.stdout()).expect(&context);
                assert_eq!(output, Value::from(expected), "{context}");
            }
            None => assert!(jsonata.stdout().trim().is_empty(), "{context}"),
        }
        assert_eq!(
            jsonata.line("error: ").as_deref(),
            scenario.error,
            "{context}"
        );
        assert_eq!(
            jsonata.line("cause: ").as_deref(),
            scenario.cause,
            "{context}"
        );

        // The same run, event for event: types, states, simulated times, inputs, outputs and
        // the Lambda errors' causes.
        let jsonpath = run("tutorial", "tutorial.asl.json", scenario.input);
        assert_eq!(jsonata.stdout(), jsonpath.stdout(), "{context}");
        assert_eq!(jsonata.stderr(), jsonpath.stderr(), "{context}");
        assert_eq!(
            jsonata.events, jsonpath.events,
            "{}: histories",
            scenario.input
        );
    }
}

#[test]
fn the_jsonata_tutorial_retries_then_waits_on_429() {
    let run = run("jsonata-tutorial", "tutorial.asl.json", "input-429.json");
    let types: Vec<&str> = run
        .events
        .iter()
        .filter_map(|e| e["type"].as_str())
        .collect();
    let count = |wanted: &str| types.iter().filter(|t| **t == wanted).count();
    assert_eq!(count("LambdaFunctionFailed"), 3, "{types:?}");
    assert_eq!(count("LambdaFunctionSucceeded"), 1, "{types:?}");
    assert_eq!(count("WaitStateEntered"), 1, "{types:?}");
    // 1 s + 2 s of retries, the 1 s Wait, four calls of 0.5 s.
    let seconds = |e: &Value| e["timestamp"].as_f64().expect("a timestamp");
    let (first, last) = (&run.events[0], &run.events[run.events.len() - 1]);
    assert_eq!(seconds(last) - seconds(first), 6.0);
}

/// The lines the Map computes for the gold customer: 10% off.
fn gold_lines() -> Value {
    json!([{"sku": "BOOK", "amount": 22.5}, {"sku": "PEN", "amount": 5.37}])
}

#[test]
fn the_variables_example_outputs_what_its_variables_hold() {
    let table = [
        (
            "input-gold.json",
            json!({
                "invoice": "INV-ADA-0", "customer": "Ada", "tier": "gold",
                "lines": gold_lines(),
                "subtotal": 27.87, "shipping": "free", "total": 27.87
            }),
        ),
        (
            "input-standard.json",
            json!({
                "invoice": "INV-BO-0", "customer": "Bo", "tier": "standard",
                "lines": [{"sku": "MUG", "amount": 8}, {"sku": "TEA", "amount": 8.5}],
                "subtotal": 16.5, "shipping": "standard for a standard customer",
                "total": 21.49
            }),
        ),
    ];
    for (input, expected) in table {
        let run = run("variables", "orders.asl.json", input);
        let context = format!("{input}: {}", run.context());
        assert_eq!(run.output.status.code(), Some(0), "{context}");
        let output: Value = serde_json::from_str(&run.stdout()).expect(&context);
        assert_eq!(output, expected, "{context}");
    }
}

#[test]
fn the_variables_example_records_each_assignment_where_it_happens() {
    let run = run("variables", "orders.asl.json", "input-gold.json");
    assert_eq!(run.output.status.code(), Some(0), "{}", run.context());
    // Every Exited event that assigns, with what it assigns (values as JSON text, as AWS
    // records them).
    let assigned: Vec<(String, String, Value)> = run
        .events
        .iter()
        .filter_map(|e| {
            let details = &e["stateExitedEventDetails"];
            details.get("assignedVariables")?;
            Some((
                e["type"].as_str()?.to_string(),
                details["name"].as_str()?.to_string(),
                details["assignedVariables"].clone(),
            ))
        })
        .collect();
    let lines = gold_lines().to_string();
    let expected = vec![
        (
            "TaskStateExited".to_string(),
            "Look Up Customer".to_string(),
            json!({"tier": "\"gold\"", "customerName": "\"Ada\"", "discountPercent": "10"}),
        ),
        (
            "MapStateExited".to_string(),
            "Price Items".to_string(),
            json!({"lines": lines, "subtotal": "27.87"}),
        ),
        (
            "PassStateExited".to_string(),
            "Free Shipping".to_string(),
            json!({"shipping": "0", "shippingNote": "\"free\""}),
        ),
        (
            "TaskStateExited".to_string(),
            "Send Invoice".to_string(),
            json!({"invoiceId": "\"INV-ADA-0\""}),
        ),
    ];
    assert_eq!(assigned, expected);

    // The invoice call reads variables assigned earlier: the name from the first state, the
    // subtotal from the Map three states before, the shipping from the Pass just before.
    let scheduled: Vec<&Value> = run
        .events
        .iter()
        .filter(|e| e["type"] == "LambdaFunctionScheduled")
        .collect();
    let inputs: Vec<Value> = scheduled
        .iter()
        .map(|e| {
            let input = &e["lambdaFunctionScheduledEventDetails"]["input"];
            serde_json::from_str(input.as_str().expect("input text")).expect("JSON input")
        })
        .collect();
    assert_eq!(
        inputs,
        [
            json!({"customerId": "c-42"}),
            json!({"customer": "Ada", "total": 27.87})
        ]
    );
    // Each Map iteration read the outer $discountPercent.
    let iteration_outputs: Vec<Value> = run
        .events
        .iter()
        .filter(|e| {
            e["type"] == "PassStateExited" && e["stateExitedEventDetails"]["name"] == "Price Line"
        })
        .map(|e| {
            let output = &e["stateExitedEventDetails"]["output"];
            serde_json::from_str(output.as_str().expect("output text")).expect("JSON output")
        })
        .collect();
    assert_eq!(Value::from(iteration_outputs), gold_lines());
}

#[test]
fn the_variables_example_fails_for_an_unknown_customer() {
    let run = run("variables", "orders.asl.json", "input-unknown.json");
    let context = run.context();
    assert_eq!(run.output.status.code(), Some(3), "{context}");
    assert!(run.stdout().trim().is_empty(), "{context}");
    assert_eq!(
        run.line("error: ").as_deref(),
        Some("UnknownCustomer"),
        "{context}"
    );
    // The cause comes from the mock's JSONata template, through the Lambda error object.
    assert_eq!(
        run.line("cause: ").as_deref(),
        Some("No customer with id x-1"),
        "{context}"
    );
    let entered: Vec<&str> = run
        .events
        .iter()
        .filter_map(|e| e["stateEnteredEventDetails"]["name"].as_str())
        .collect();
    assert_eq!(entered, ["Look Up Customer", "Unknown Customer"]);
    let last = run.events.last().expect("events");
    assert_eq!(last["type"], "ExecutionFailed");
    assert_eq!(
        last["executionFailedEventDetails"],
        json!({"error": "UnknownCustomer", "cause": "No customer with id x-1"})
    );
}

/// The approval example: the token's answer (or its heartbeat timeout) on each input, the
/// callback's and the activity's events, at their simulated times.
#[test]
fn the_approval_example_waits_for_its_token_and_its_worker() {
    let table = [
        ("input-approved.json", 0, None, 7290.0),
        ("input-rejected.json", 3, Some("OrderRejected"), 1800.0),
        ("input-unanswered.json", 3, Some("ApprovalTimedOut"), 3600.0),
    ];
    for (input, exit, error, seconds) in table {
        let run = run("approval", "approval.asl.json", input);
        let context = format!("{input}: {}", run.context());
        assert_eq!(run.output.status.code(), Some(exit), "{context}");
        assert_eq!(run.line("error: ").as_deref(), error, "{context}");
        let time = |e: &Value| e["timestamp"].as_f64().expect("a timestamp");
        let (first, last) = (&run.events[0], &run.events[run.events.len() - 1]);
        assert_eq!(time(last) - time(first), seconds, "{context}");
        let types: Vec<&str> = run
            .events
            .iter()
            .filter_map(|e| e["type"].as_str())
            .collect();
        assert!(types.contains(&"TaskSubmitted"), "{context}");
        if exit == 0 {
            let started = run
                .events
                .iter()
                .find(|e| e["type"] == "ActivityStarted")
                .expect("ActivityStarted");
            assert_eq!(
                started["activityStartedEventDetails"],
                json!({"workerName": "playground"})
            );
            assert!(types.contains(&"ActivitySucceeded"), "{context}");
        }
    }
}

#[test]
fn the_distributed_map_example_writes_its_results_to_the_mocked_s3() {
    let out = scratch("distributed-map-s3-out");
    let children = scratch("distributed-map-children");
    let _ = std::fs::remove_dir_all(&out);
    let _ = std::fs::remove_dir_all(&children);
    let folder = "distributed-map";
    let output = Command::new(BIN)
        .arg("run")
        .arg(example(folder, "ratings.asl.json"))
        .arg("--input-file")
        .arg(example(folder, "input.json"))
        .arg("--mocks")
        .arg(example(folder, "mocks.json"))
        .arg("--s3-out")
        .arg(&out)
        .arg("--child-histories")
        .arg(&children)
        .output()
        .expect("sfn-play runs");
    let stderr = text(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let result: Value = serde_json::from_slice(&output.stdout).expect("JSON output");
    let manifest_key = result["ResultWriterDetails"]["Key"]
        .as_str()
        .expect("the manifest's key");
    let bucket = out.join("amzn-s3-demo-destination-bucket");
    let read = |key: &str| -> Value {
        let text = std::fs::read_to_string(bucket.join(key)).expect("a written object");
        serde_json::from_str(&text).expect("JSON")
    };
    let manifest = read(manifest_key);
    let files = &manifest["ResultFiles"];
    let succeeded = read(files["SUCCEEDED"][0]["Key"].as_str().expect("a key"));
    assert_eq!(
        succeeded,
        json!([
            {"movies": ["307", "481"], "average": 7.5},
            {"movies": ["1091", "1257"], "average": 6}
        ])
    );
    let failed = read(files["FAILED"][0]["Key"].as_str().expect("a key"));
    assert_eq!(failed[0]["Error"], "BadRating");
    assert_eq!(files["PENDING"], json!([]));
    assert_eq!(stderr.matches("s3: wrote s3://").count(), 3, "{stderr}");
    let histories = std::fs::read_dir(&children).expect("histories").count();
    assert_eq!(histories, 3);
}
