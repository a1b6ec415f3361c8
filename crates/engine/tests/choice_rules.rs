//! Choice rules, data-driven: the operators as AWS evaluated them in the conformance corpus
//! (`tests/data/choice/corpus_operators.json`), the operators and situations it does not cover
//! (`operators.json`), and invalid rules with every problem reported (`invalid_rules.json`).

use std::path::PathBuf;

use serde_json::{json, Value};
use sfn_engine::choice::{evaluate, evaluate_with, parse_rule, ChoiceRule};
use sfn_engine::paths::{Path, PathError};

fn load(name: &str) -> Vec<Value> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/choice")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let doc: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    doc["cases"].as_array().expect("a cases array").clone()
}

/// Parses a table's rule as the top-level rule of a Choice state.
fn top_level_rule(rule: &Value) -> ChoiceRule {
    let mut with_next = rule.clone();
    with_next["Next"] = json!("Next");
    parse_rule(&with_next, "/States/C/Choices/0", true)
        .unwrap_or_else(|problems| panic!("{rule}: {problems:?}"))
}

fn run_table(name: &str) -> usize {
    let cases = load(name);
    let mut failures = Vec::new();
    for case in &cases {
        let rule = top_level_rule(&case["rule"]);
        let input = &case["input"];
        let context = case.get("context").cloned().unwrap_or(json!({}));
        let got = evaluate(&rule, input, &context);
        let got = match got {
            Ok(truth) => json!(truth),
            Err(error) => json!({"error": error.error, "cause": error.cause}),
        };
        if got != case["expected"] {
            failures.push(format!("{case}\n    got {got}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases of {name} failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    cases.len()
}

#[test]
fn operators_as_aws_evaluated_them_in_the_corpus() {
    assert_eq!(run_table("corpus_operators.json"), 314);
}

#[test]
fn operators_and_errors_beyond_the_corpus() {
    run_table("operators.json");
}

#[test]
fn every_operator_is_covered_by_a_table() {
    let mut fields = std::collections::BTreeSet::new();
    for name in ["corpus_operators.json", "operators.json"] {
        for case in load(name) {
            collect_fields(&case["rule"], &mut fields);
        }
    }
    for op in sfn_engine::choice::Operator::ALL {
        assert!(fields.contains(op.name()), "no case for {}", op.name());
        if op.has_path_form() {
            let path = format!("{}Path", op.name());
            assert!(fields.contains(&path), "no case for {path}");
        }
    }
    for composite in ["And", "Or", "Not"] {
        assert!(fields.contains(composite), "no case for {composite}");
    }
}

fn collect_fields(rule: &Value, fields: &mut std::collections::BTreeSet<String>) {
    if let Some(object) = rule.as_object() {
        for (key, value) in object {
            fields.insert(key.clone());
            match value {
                Value::Array(items) => items.iter().for_each(|r| collect_fields(r, fields)),
                Value::Object(_) => collect_fields(value, fields),
                _ => {}
            }
        }
    }
}

#[test]
fn invalid_rules_report_every_problem() {
    let cases = load("invalid_rules.json");
    let mut failures = Vec::new();
    for case in &cases {
        let top_level = case["top_level"].as_bool().expect("top_level");
        let got = match parse_rule(&case["rule"], "/States/C/Choices/0", top_level) {
            Ok(rule) => json!(format!("parsed as {rule:?}")),
            Err(problems) => json!(problems),
        };
        if got != case["problems"] {
            failures.push(format!("{}\n    got {got}", case["why"]));
        }
        // A definition's rules are read from the reader's tree, not from a Value: the same.
        let text = case["rule"].to_string();
        let arena = bumpalo::Bump::new();
        let node = sfn_engine::definition::json::parse(&text, &arena).expect("JSON");
        let from_tree = match parse_rule(&node, "/States/C/Choices/0", top_level) {
            Ok(rule) => json!(format!("parsed as {rule:?}")),
            Err(problems) => json!(problems),
        };
        if from_tree != got {
            failures.push(format!(
                "{} (read from the tree)\n    got {from_tree}",
                case["why"]
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} invalid rules:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn parses_the_rule_model() {
    let rule = top_level_rule(&json!({
        "Not": {"Variable": "$.type", "StringEqualsPath": "$.other", "Comment": "why"}
    }));
    assert_eq!(
        rule,
        ChoiceRule::Not(Box::new(ChoiceRule::Comparison {
            variable: Path::parse("$.type").expect("a path"),
            operator: sfn_engine::choice::Operator::StringEquals,
            operand: sfn_engine::choice::Operand::Path(Path::parse("$.other").expect("a path")),
        }))
    );
}

#[test]
fn a_custom_resolver_reads_workflow_variables() {
    // What the executor can pass to resolve `$name` variables (Assign) beside `$` and `$$`.
    let rule = top_level_rule(&json!({"Variable": "$guess", "StringEqualsPath": "$answer"}));
    let variables = json!({"guess": "42", "answer": "42"});
    let resolve = |path: &Path| -> Result<Value, PathError> {
        let path = path.text();
        path.strip_prefix('$')
            .and_then(|name| variables.get(name))
            .cloned()
            .ok_or_else(|| PathError {
                message: format!("no variable {path}"),
            })
    };
    assert_eq!(evaluate_with(&rule, &resolve), Ok(true));
    let rule = top_level_rule(&json!({"Variable": "$unset", "IsPresent": true}));
    assert_eq!(evaluate_with(&rule, &resolve), Ok(false));
}
