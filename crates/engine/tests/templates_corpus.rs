//! The conformance corpus cases that exercise payload templates, paths and intrinsic functions
//! in isolation: every case whose definition is a single JSONPath Pass state with Parameters,
//! InputPath, ResultPath or OutputPath (and no variables).
//! Each is replayed through the data-flow functions alone (InputPath, Parameters, ResultPath,
//! OutputPath), without the executor, and compared with what AWS recorded: the output, or the
//! error name and the cause after AWS's "An error occurred while executing the state ..."
//! prefix (which the executor adds).
//!
//! The corpus is read from `$CONFORMANCE_DIR`, or from `shared/conformance` beside the
//! repository or any folder above it; when it is absent the test says so and passes.

mod common;
use common::{case_files, conformance_dir};

use serde_json::Value;
use sfn_engine::context::{context_object, ContextState, ExecutionIdentity};
use sfn_engine::dataflow::{apply_input_path, apply_output_path, apply_result_path};
use sfn_engine::definition::PathField;
use sfn_engine::paths::Path;
use sfn_engine::rng::Rng;
use sfn_engine::template::{self, EvalEnv};
use sfn_engine::StatesError;

/// The single Pass state of a JSONPath definition that uses Parameters or a path field, if
/// that is the case.
fn single_pass_with_data_flow(case: &Value) -> Option<&Value> {
    let definition = &case["definition"];
    if definition.get("QueryLanguage").and_then(Value::as_str) == Some("JSONata") {
        return None;
    }
    let states = definition["States"].as_object()?;
    if states.len() != 1 {
        return None;
    }
    let state = states.values().next()?;
    let is_pass = state["Type"] == "Pass";
    let jsonata = state.get("QueryLanguage").and_then(Value::as_str) == Some("JSONata");
    let uses_data_flow = ["Parameters", "InputPath", "ResultPath", "OutputPath"]
        .iter()
        .any(|field| state.get(field).is_some());
    let variables = state.get("Assign").is_some();
    (is_pass && !jsonata && !variables && uses_data_flow).then_some(state)
}

fn path_field(state: &Value, name: &str) -> PathField {
    match state.get(name) {
        None => PathField::Default,
        Some(Value::Null) => PathField::Null,
        Some(Value::String(p)) => PathField::Path(Path::parse(p).expect("a valid path")),
        Some(other) => panic!("{name} is neither a string nor null: {other}"),
    }
}

/// Runs the state's data flow the way AWS does for a Pass state.
fn run_pass(state: &Value, input: &Value, context: &Value) -> Result<Value, StatesError> {
    let effective = apply_input_path(&path_field(state, "InputPath"), input, context, None)?;
    let mut rng = Rng::new(1);
    let mut env = EvalEnv {
        variables: None,
        input: &effective,
        context,
        rng: &mut rng,
    };
    let result = match (state.get("Parameters"), state.get("Result")) {
        (Some(parameters), _) => template::evaluate(parameters, &mut env)?,
        (None, Some(result)) => result.clone(),
        (None, None) => effective.clone(),
    };
    let combined = apply_result_path(&path_field(state, "ResultPath"), input, result)?;
    apply_output_path(&path_field(state, "OutputPath"), combined, context, None)
}

/// The context object AWS built for the case's execution, entering its only state.
fn context_for(case: &Value, state_name: &str) -> Value {
    let c = &case["context"];
    let text = |key: &str| c[key].as_str().unwrap_or_default().to_string();
    let identity = ExecutionIdentity {
        account: text("account"),
        region: text("region"),
        state_machine_name: text("stateMachineName"),
        state_machine_arn: text("stateMachineArn"),
        state_machine_type: text("stateMachineType"),
        execution_name: text("executionName"),
        execution_arn: text("executionArn"),
        role_arn: text("roleArn"),
    };
    context_object(
        &identity,
        &ContextState {
            execution_input: &case["input"],
            execution_start_time: "2024-01-01T00:00:00.000Z",
            state_name,
            state_entered_time: "2024-01-01T00:00:00.000Z",
            // A Pass state: AWS shows no RetryCount.
            retry_count: None,
            map_item: None,
            task_token: None,
        },
    )
}

/// Cases that differ from AWS for reasons outside paths, templates and intrinsics, with the
/// reason. They are reported, not failed; a case here that starts passing fails the test so
/// that the list stays true.
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[];

/// Whether `text` is an ISO-8601 timestamp such as `2024-01-01T00:00:00.000Z`; the corpus
/// recorded every timestamp as "date".
fn is_timestamp(text: &str) -> bool {
    let b = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        b.get(range)
            .is_some_and(|s| s.iter().all(u8::is_ascii_digit))
    };
    b.len() >= 20
        && digits(0..4)
        && b.get(4) == Some(&b'-')
        && digits(5..7)
        && b.get(7) == Some(&b'-')
        && digits(8..10)
        && b.get(10) == Some(&b'T')
        && digits(11..13)
        && b.get(13) == Some(&b':')
        && digits(14..16)
        && b.get(16) == Some(&b':')
        && digits(17..19)
}

/// Compares as the corpus README says: key order ignored, numbers by value and kind, and a
/// placeholder token standing for any value (or any substring of a string).
fn matches(expected: &Value, actual: &Value, placeholders: &[String]) -> bool {
    match (expected, actual) {
        (Value::String(e), _) if placeholders.contains(e) => true,
        (Value::String(e), Value::String(a)) if e == "date" && is_timestamp(a) => true,
        (Value::String(e), Value::String(a)) => text_matches(e, a, placeholders),
        (Value::Array(e), Value::Array(a)) => {
            e.len() == a.len() && e.iter().zip(a).all(|(e, a)| matches(e, a, placeholders))
        }
        (Value::Object(e), Value::Object(a)) => {
            e.len() == a.len()
                && e.iter()
                    .all(|(k, v)| a.get(k).is_some_and(|w| matches(v, w, placeholders)))
        }
        _ => expected == actual,
    }
}

/// String equality where each placeholder inside `expected` matches any run of characters.
fn text_matches(expected: &str, actual: &str, placeholders: &[String]) -> bool {
    let Some((at, token)) = placeholders
        .iter()
        .filter_map(|p| expected.find(p.as_str()).map(|i| (i, p)))
        .min_by_key(|(i, _)| *i)
    else {
        return expected == actual;
    };
    let (prefix, rest) = (&expected[..at], &expected[at + token.len()..]);
    let Some(tail) = actual.strip_prefix(prefix) else {
        return false;
    };
    (0..=tail.len())
        .filter(|i| tail.is_char_boundary(*i))
        .any(|i| text_matches(rest, &tail[i..], placeholders))
}

/// AWS's cause without "An error occurred while executing the state 'X' (entered at the event
/// id #N). ", the part the executor adds.
fn strip_state_prefix(cause: &str) -> &str {
    if cause.starts_with("An error occurred while executing the state") {
        if let Some(i) = cause.find("). ") {
            return &cause[i + 3..];
        }
    }
    cause
}

#[test]
fn single_pass_data_flow_cases_match_aws() {
    let Some(dir) = conformance_dir() else {
        eprintln!(
            "SKIPPED: no conformance corpus (set CONFORMANCE_DIR or provide \
             ../../../shared/conformance)"
        );
        return;
    };
    let files = case_files(&dir);

    let (mut checked, mut passed) = (0, 0);
    let mut failures = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).expect("read case");
        let case: Value = serde_json::from_str(&text).expect("case is JSON");
        let Some(state) = single_pass_with_data_flow(&case) else {
            continue;
        };
        checked += 1;
        let state_name = case["definition"]["States"]
            .as_object()
            .and_then(|s| s.keys().next())
            .cloned()
            .unwrap_or_default();
        let context = context_for(&case, &state_name);
        let expected = &case["expected"];
        let placeholders: Vec<String> = expected["placeholders"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|p| p.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        let outcome = run_pass(state, &case["input"], &context);
        let ok = match (expected["status"].as_str(), &outcome) {
            (Some("SUCCEEDED"), Ok(output)) => matches(&expected["output"], output, &placeholders),
            (Some("FAILED"), Err(error)) => {
                let cause = expected["cause"].as_str().unwrap_or_default();
                error.error.as_deref() == expected["error"].as_str()
                    && text_matches(
                        strip_state_prefix(cause),
                        error.cause.as_deref().unwrap_or_default(),
                        &placeholders,
                    )
            }
            _ => false,
        };
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let known = KNOWN_DIFFERENCES.iter().find(|(file, _)| *file == name);
        if let Some((_, reason)) = known {
            if ok {
                failures.push(format!(
                    "{name} now matches AWS: remove it from KNOWN_DIFFERENCES"
                ));
            } else {
                eprintln!("known difference: {name}: {reason}");
            }
        } else if ok {
            passed += 1;
        } else {
            failures.push(format!(
                "{}\n    expected: {}\n    got:      {:?}",
                path.file_name().unwrap_or_default().to_string_lossy(),
                serde_json::json!({
                    "status": expected["status"],
                    "output": expected["output"],
                    "error": expected["error"],
                    "cause": expected["cause"],
                }),
                outcome
            ));
        }
    }
    eprintln!(
        "single-Pass data-flow cases: {passed} of {checked} match AWS ({} known differences)",
        KNOWN_DIFFERENCES.len()
    );
    assert!(
        checked > 0,
        "no single-Pass data-flow case found in the corpus"
    );
    assert!(
        failures.is_empty(),
        "{} of {checked} cases differ from AWS:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
