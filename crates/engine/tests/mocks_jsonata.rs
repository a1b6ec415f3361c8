//! JSONata in `Functions` rules: conditions over the call's input and call number, and
//! returned values as templates. One table, `tests/data/mocks/jsonata.json`: each case a mock
//! file and the calls made on it in order with what each answers, or the message reading the
//! file gives.

use std::path::PathBuf;

use serde_json::Value;
use sfn_engine::mocks::{MockResponse, MockSet, TaskCall};

fn cases() -> Vec<Value> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/mocks/jsonata.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let doc: Value = serde_json::from_str(&text).expect("the table is JSON");
    doc["cases"].as_array().expect("a list of cases").clone()
}

/// What a call answered, in the table's terms.
fn answer(outcome: Result<sfn_engine::mocks::MockOutcome, sfn_engine::mocks::MockError>) -> Value {
    match outcome {
        Ok(outcome) => match outcome.response {
            MockResponse::FunctionReturn(value) => serde_json::json!({"return": value}),
            MockResponse::Throw { error, cause } => {
                serde_json::json!({"throw": {"error": error, "cause": cause}})
            }
            other => serde_json::json!({"unexpected": format!("{other:?}")}),
        },
        Err(error) => serde_json::json!({"error": error.message}),
    }
}

#[test]
fn jsonata_rules_answer_as_the_table_says() {
    let cases = cases();
    let mut failures = Vec::new();
    let mut calls_checked = 0;
    for case in &cases {
        let why = case["why"].as_str().expect("a why");
        let loaded = MockSet::from_json_text(&case["file"].to_string(), None);
        if let Some(expected) = case.get("load_error") {
            let got = match loaded {
                Ok(_) => "accepted".to_string(),
                Err(error) => error.message,
            };
            if got != expected.as_str().expect("a message") {
                failures.push(format!("{why}\n    got: {got}"));
            }
            continue;
        }
        let mut mocks = match loaded {
            Ok(mocks) => mocks,
            Err(error) => {
                failures.push(format!("{why}\n    not read: {error}"));
                continue;
            }
        };
        for (number, step) in case["calls"].as_array().expect("calls").iter().enumerate() {
            let state_name = step["state"].as_str().expect("a state");
            let resource = step["resource"].as_str().unwrap_or("F");
            let call = TaskCall {
                state_name,
                resource,
                input: &step["input"],
            };
            let got = answer(mocks.respond(&call));
            let mut expected = step.as_object().expect("a call").clone();
            for field in ["state", "resource", "input"] {
                expected.remove(field);
            }
            if got != Value::Object(expected.clone()) {
                failures.push(format!(
                    "{why}, call {number}\n    expected: {}\n    got:      {got}",
                    Value::Object(expected)
                ));
            }
            calls_checked += 1;
        }
    }
    assert!(calls_checked > 20, "the table makes calls");
    assert!(
        failures.is_empty(),
        "{} failures in {} cases:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn random_values_replay_per_state_and_call() {
    let file =
        r#"{"Functions": {"F": [{"return": {"id": "{% $uuid() %}", "r": "{% $random() %}"}}]}}"#;
    let input = Value::Null;
    let answers = |state_name: &str, calls: usize| -> Vec<Value> {
        let mut mocks = MockSet::from_json_text(file, None).expect("reads");
        (0..calls)
            .map(|_| {
                answer(mocks.respond(&TaskCall {
                    state_name,
                    resource: "F",
                    input: &input,
                }))
            })
            .collect()
    };
    let first = answers("S", 2);
    assert_eq!(first, answers("S", 2), "the same run answers the same");
    assert_ne!(first[0], first[1], "another call draws other values");
    assert_ne!(
        first[0],
        answers("T", 1)[0],
        "another state draws other values"
    );
    let id = first[0]["return"]["id"].as_str().expect("a uuid");
    assert_eq!((id.len(), &id[14..15]), (36, "4"), "{id}");
}

#[test]
fn a_lambda_error_cause_from_an_expression_is_the_error_message() {
    let file = r#"{"Functions": {"MockAPIFunction": [
        {"throw": {"error": "Boom", "cause": "{% 'failed on ' & $states.input.id %}"}}]}}"#;
    let mut mocks = MockSet::from_json_text(file, None).expect("reads");
    let input = serde_json::json!({"id": "a1"});
    let outcome = mocks
        .respond(&TaskCall {
            state_name: "S",
            resource: "arn:aws:lambda:us-east-1:123456789012:function:MockAPIFunction",
            input: &input,
        })
        .expect("answers");
    let MockResponse::Throw { error, cause } = outcome.response else {
        panic!("a Throw: {outcome:?}");
    };
    assert_eq!(error, "Boom");
    let cause: Value = serde_json::from_str(&cause).expect("a Lambda error object");
    assert_eq!(cause["errorMessage"], "failed on a1");
    assert_eq!(cause["errorType"], "Boom");
}
