//! Runs every scenario of the playground's examples (`crates/playground-data/src/examples/`)
//! through the engine, and checks the outcome each one documents. The app embeds the same
//! files, so an example that stops doing what its menu entry says fails here, natively and
//! fast, without building the web stack.
//!
//! Each example is a directory with `definition.asl.json`, `mocks.json` (the engine's mock
//! file), `inputs/<scenario>.json` and `expected.json`: `{"<scenario>": {"status", "output"
//! (SUCCEEDED), "error"/"cause" (FAILED; null for absent), "events" (`{"<type>": count}`, exact
//! counts of the listed types), "seconds" (simulated time from start to end), "waiting",
//! "answer", "redrive" (see [`check_scenario`])}}`. An example with a `machines/` folder has
//! those state machines in its workspace (`machines/<Name>.asl.json`), for its Tasks to start.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;
use sfn_engine::execution::{ExecutionStatus, TaskAnswer, Workspace};
use sfn_engine::scaffold::starter_mocks_in_workspace;
use sfn_engine::{parse_definition, EventKind, Execution, ExecutionOptions, MockSet, StateMachine};

/// The examples' directory in the root package.
fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../playground-data/src/examples")
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn read_json(path: &Path) -> Result<Value, String> {
    serde_json::from_str(&read(path)?).map_err(|e| format!("{}: {e}", path.display()))
}

/// The example directories, sorted.
fn examples() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(examples_dir())
        .expect("crates/playground-data/src/examples exists")
        .map(|entry| entry.expect("readable directory entry").path())
        .filter(|path| path.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// The scenario ids of an example: its `inputs/*.json` file stems.
fn scenario_ids(example: &Path) -> Result<BTreeSet<String>, String> {
    let inputs = example.join("inputs");
    let entries = std::fs::read_dir(&inputs).map_err(|e| format!("{}: {e}", inputs.display()))?;
    let mut ids = BTreeSet::new();
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        match (path.file_stem(), path.extension()) {
            (Some(stem), Some(ext)) if ext == "json" => {
                ids.insert(stem.to_string_lossy().into_owned());
            }
            _ => return Err(format!("{}: not a .json input", path.display())),
        }
    }
    Ok(ids)
}

/// The example's other state machines (`machines/<Name>.asl.json`), and its own, by name.
fn workspace_of(example: &Path) -> Result<Workspace, String> {
    let mut workspace = Workspace::new();
    let dir = example.join("machines");
    if !dir.is_dir() {
        return Ok(workspace);
    }
    for entry in std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".asl.json"))
            .ok_or_else(|| format!("{}: not a NAME.asl.json", path.display()))?
            .to_owned();
        let (machine, diagnostics) = parse_definition(&read(&path)?).into_parts();
        let machine =
            machine.ok_or_else(|| format!("{}: rejected: {diagnostics:?}", path.display()))?;
        workspace.insert(name, machine);
    }
    Ok(workspace)
}

/// Runs one scenario and compares it with its expectation (`waiting`: the states waiting for
/// the user's answer, when it stops there); then, when the expectation has an `answer`
/// (`{"atSeconds": S, "success": OUTPUT | "error", "cause", ...the expectation after it}`),
/// answers the waiting task as the user would and compares again; and when it has a `redrive`
/// (`{"mocks": FILE, ...the expectation after it}`), redrives the run with that mock file and
/// compares again.
fn check_scenario(example: &Path, id: &str, expected: &Value) -> Result<(), String> {
    let (machine, diagnostics) =
        parse_definition(&read(&example.join("definition.asl.json"))?).into_parts();
    let machine = machine.ok_or_else(|| format!("definition rejected: {diagnostics:?}"))?;
    let mocks = MockSet::from_json_text(&read(&example.join("mocks.json"))?, None)
        .map_err(|e| format!("mocks rejected: {e}"))?;
    let input = read_json(&example.join("inputs").join(format!("{id}.json")))?;
    let options = ExecutionOptions::default();
    let start = options.start_time;
    let mut execution =
        Execution::new(machine, input, mocks, options).with_workspace(workspace_of(example)?);
    execution.run();
    compare(&execution, expected, start)?;
    if let Some(answer) = expected.get("answer") {
        // The user answers the waiting task (`{"atSeconds", "success" | "error"/"cause"}`).
        let token = execution
            .waiting_tasks()
            .into_iter()
            .find(|t| !t.answered_by_mock)
            .ok_or("no task waits for an answer")?
            .token;
        let at = start + (answer["atSeconds"].as_f64().unwrap_or(0.0) * 1000.0) as i64;
        let reply = match answer.get("success") {
            Some(output) => TaskAnswer::Success(output.clone()),
            None => TaskAnswer::Failure {
                error: answer["error"].as_str().map(str::to_owned),
                cause: answer["cause"].as_str().map(str::to_owned),
            },
        };
        execution
            .answer_task(&token, reply, at)
            .map_err(|e| format!("answer refused: {e}"))?;
        execution.run();
        compare(&execution, answer, start).map_err(|e| format!("after the answer: {e}"))?;
    }
    if let Some(redrive) = expected.get("redrive") {
        let file = redrive["mocks"].as_str().ok_or("redrive without mocks")?;
        let mocks = MockSet::from_json_text(&read(&example.join(file))?, None)
            .map_err(|e| format!("{file} rejected: {e}"))?;
        execution
            .redrive(mocks)
            .map_err(|e| format!("redrive refused: {e}"))?;
        execution.run();
        compare(&execution, redrive, start).map_err(|e| format!("after the redrive: {e}"))?;
    }
    Ok(())
}

/// How `execution` ended against `expected`: status, output or error and cause, event counts
/// and seconds on the clock.
fn compare(execution: &Execution, expected: &Value, start: i64) -> Result<(), String> {
    let status = execution.status().clone();
    let mut problems = Vec::new();
    if let Some(want) = expected.get("waiting") {
        let waiting: Vec<String> = execution
            .waiting_tasks()
            .into_iter()
            .filter(|t| !t.answered_by_mock)
            .map(|t| t.state_name)
            .collect();
        if serde_json::json!(waiting) != *want {
            problems.push(format!("waiting {waiting:?} (expected {want})"));
        }
    }

    let want_status = expected["status"].as_str().unwrap_or("(missing)");
    if status.name() != want_status {
        problems.push(format!("status {} (expected {want_status})", status.name()));
    }
    match &status {
        ExecutionStatus::Succeeded { output } => {
            if let Some(want) = expected.get("output") {
                if **output != *want {
                    problems.push(format!("output {output} (expected {want})"));
                }
            }
        }
        ExecutionStatus::Failed { error, cause } | ExecutionStatus::TimedOut { error, cause } => {
            for (name, got) in [("error", error), ("cause", cause)] {
                if let Some(want) = expected.get(name) {
                    if got.as_deref() != want.as_str() {
                        problems.push(format!("{name} {got:?} (expected {want})"));
                    }
                }
            }
        }
        _ => {}
    }
    if let Some(counts) = expected.get("events").and_then(Value::as_object) {
        for (event_type, want) in counts {
            let Some(kind) = EventKind::from_aws_name(event_type) else {
                problems.push(format!(
                    "{event_type} is not an event type the engine emits"
                ));
                continue;
            };
            let got = execution
                .history()
                .iter()
                .filter(|e| e.kind == kind)
                .count();
            if Some(got as u64) != want.as_u64() {
                problems.push(format!("{got} {event_type} events (expected {want})"));
            }
        }
    }
    if let Some(want) = expected.get("seconds").and_then(Value::as_f64) {
        let got = execution.now().saturating_sub(start) as f64 / 1000.0;
        if (got - want).abs() > 1e-9 {
            problems.push(format!("took {got} s (expected {want} s)"));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        let events: Vec<&str> = execution
            .history()
            .iter()
            .map(|e| e.kind.aws_name())
            .collect();
        Err(format!(
            "{}; status {status:?}; events {events:?}",
            problems.join("; ")
        ))
    }
}

#[test]
fn every_example_scenario_does_what_it_documents() {
    let mut failures = Vec::new();
    let mut scenarios = 0;
    for example in examples() {
        let name = example.file_name().unwrap_or_default().to_string_lossy();
        let outcome = (|| -> Result<(), String> {
            let expected = read_json(&example.join("expected.json"))?;
            let expected = expected
                .as_object()
                .ok_or("expected.json is not an object")?;
            let ids = scenario_ids(&example)?;
            let documented: BTreeSet<String> = expected.keys().cloned().collect();
            if ids != documented {
                return Err(format!(
                    "inputs {ids:?} and expected.json's scenarios {documented:?} differ"
                ));
            }
            for (id, want) in expected {
                scenarios += 1;
                if let Err(e) = check_scenario(&example, id, want) {
                    failures.push(format!("{name}/{id}: {e}"));
                }
            }
            Ok(())
        })();
        if let Err(e) = outcome {
            failures.push(format!("{name}: {e}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(scenarios >= 16, "only {scenarios} scenarios found");
}

/// Examples are what new users copy: they carry no diagnostics at all (warnings included).
#[test]
fn every_example_definition_is_clean() {
    for example in examples() {
        let path = example.join("definition.asl.json");
        let (machine, diagnostics) = parse_definition(&read(&path).unwrap()).into_parts();
        assert!(machine.is_some(), "{}", path.display());
        assert!(
            diagnostics.is_empty(),
            "{}: {diagnostics:?}",
            path.display()
        );
    }
}

/// Each example's mocks cover every Task of its state machines, so the starter mocks add
/// nothing to them (a Task starting a machine of the example's workspace needs no mock).
#[test]
fn every_example_is_fully_mocked() {
    for example in examples() {
        let machine =
            parse_definition(&read(&example.join("definition.asl.json")).unwrap()).into_machine();
        let mocks = read_json(&example.join("mocks.json")).unwrap();
        let workspace = workspace_of(&example).unwrap();
        // The example's own name is not known here: no example starts itself.
        let names: Vec<String> = workspace.names().map(str::to_owned).collect();
        let mut machines = vec![machine.unwrap()];
        machines.extend(workspace.names().map(|name| {
            StateMachine::clone(workspace.get(name).expect("a machine of the workspace"))
        }));
        for machine in &machines {
            assert_eq!(
                starter_mocks_in_workspace(machine, Some(&mocks), &names),
                mocks,
                "{}",
                example.display()
            );
        }
    }
}

/// The tutorial's four scenarios are the ones its README documents, in its words.
#[test]
fn the_tutorial_matches_its_readme() {
    let expected = read_json(&examples_dir().join("tutorial/expected.json")).unwrap();
    let table = [
        (
            "200",
            "SUCCEEDED",
            Some("The request has succeeded."),
            None,
            None,
        ),
        (
            "503",
            "FAILED",
            None,
            Some(Value::Null),
            Some("The server is currently unable to handle the request."),
        ),
        (
            "429",
            "SUCCEEDED",
            Some("The request has succeeded."),
            None,
            None,
        ),
        (
            "500",
            "FAILED",
            None,
            Some(Value::from("An error of unknown type occurred")),
            Some("Unknown error!"),
        ),
    ];
    for (id, status, output, error, cause) in table {
        let case = &expected[id];
        assert_eq!(case["status"], status, "{id}");
        if let Some(output) = output {
            assert_eq!(case["output"], output, "{id}");
        }
        if let Some(error) = error {
            assert_eq!(case["error"], error, "{id}");
        }
        if let Some(cause) = cause {
            assert_eq!(case["cause"], cause, "{id}");
        }
    }
    // 429: three failed attempts (the first and two retries), one wait, then success, 4 s.
    assert_eq!(expected["429"]["events"]["LambdaFunctionFailed"], 3);
    assert_eq!(expected["429"]["events"]["WaitStateEntered"], 1);
    assert_eq!(expected["429"]["seconds"], 4);
}
