//! TestState's answers, one case per file of `tests/data/test-state/`: a request in AWS's shape
//! and the response AWS documents for it (or `refused`, the error of a bad request).

use std::path::Path;

use serde_json::Value;
use sfn_engine::{test_state, TestStateRequest};

/// The response with its JSON-text fields read as JSON, so spacing does not matter.
fn normalized(mut response: Value) -> Value {
    fn parse(value: &mut Value) {
        if let Value::String(text) = value {
            if let Ok(parsed) = serde_json::from_str::<Value>(text) {
                *value = parsed;
            }
        }
    }
    if let Some(output) = response.get_mut("output") {
        parse(output);
    }
    if let Some(Value::Object(data)) = response.get_mut("inspectionData") {
        for value in data.values_mut() {
            parse(value);
        }
    }
    response
}

#[test]
fn test_state_cases() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/test-state");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 8, "cases in {}", dir.display());
    let mut failures = Vec::new();
    for path in &paths {
        let case: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        assert!(case.get("why").is_some(), "{}: no why", path.display());
        let answer = TestStateRequest::from_aws_json(&case["request"]).and_then(|r| test_state(&r));
        let name = path.file_name().unwrap().to_string_lossy();
        match (answer, case.get("refused")) {
            (Ok(response), None) => {
                let got = normalized(response.to_aws_json());
                let want = normalized(case["response"].clone());
                if got != want {
                    failures.push(format!("{name}:\n  got  {got}\n  want {want}"));
                }
            }
            (Err(error), Some(refused)) => {
                if error.to_string() != refused.as_str().unwrap() {
                    failures.push(format!("{name}: refused with {error}, want {refused}"));
                }
            }
            (Ok(response), Some(_)) => {
                failures.push(format!("{name}: answered {}", response.to_aws_json()))
            }
            (Err(error), None) => failures.push(format!("{name}: refused: {error}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
