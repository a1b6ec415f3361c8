//! The JSONata adapter, driven by the table in `tests/data/jsonata/cases.json`: AWS's
//! functions, value kinds, variables, `$states` fields and runaway expressions.

use serde_json::{Map, Value};
use sfn_engine::jsonata::{
    check, evaluate, evaluate_with_limits, expression_body, is_expression, JsonataEnv,
    JsonataError, JsonataLimits,
};
use sfn_engine::rng::Rng;

const CASES: &str = include_str!("data/jsonata/cases.json");

/// Equal as AWS compares: numbers by value and by kind (`3` is not `3.0`).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            x.is_f64() == y.is_f64() && x.as_f64() == y.as_f64()
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

fn limits_of(case: &Value) -> JsonataLimits {
    let mut limits = JsonataLimits::default();
    if let Some(l) = case.get("limits") {
        if let Some(n) = l.get("max_depth").and_then(Value::as_u64) {
            limits.max_depth = n as usize;
        }
        if let Some(n) = l.get("max_steps").and_then(Value::as_u64) {
            limits.max_steps = n;
        }
        if let Some(n) = l.get("max_sequence_length").and_then(Value::as_u64) {
            limits.max_sequence_length = n as usize;
        }
    }
    limits
}

/// What went wrong with one case, or `None` when it passed.
fn run_case(table: &Value, case: &Value) -> Option<String> {
    let name = case["name"].as_str().unwrap_or("?");
    let expr = case["expr"].as_str().unwrap_or_default();
    let states = case.get("states").unwrap_or(&table["states"]);
    let empty = Map::new();
    let variables = case
        .get("variables")
        .or(table.get("variables"))
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let mut rng = Rng::new(case.get("seed").and_then(Value::as_u64).unwrap_or(1));
    let mut env = JsonataEnv {
        states,
        variables,
        rng: &mut rng,
        now: case.get("now").and_then(Value::as_i64).unwrap_or(0),
        limits: JsonataLimits::default(),
    };
    let got = evaluate_with_limits(expr, &mut env, &limits_of(case));
    match (case.get("value"), case.get("error"), &got) {
        (Some(want), _, Ok(v)) if same(want, v) => None,
        (Some(want), _, _) => Some(format!("{name}: {expr}\n  want {want}\n  got  {got:?}")),
        (None, Some(err), _) => {
            let kind = err["kind"].as_str().unwrap_or_default();
            // Without "contains", any message of the kind will do.
            let contains = err.get("contains").and_then(Value::as_str).unwrap_or("");
            let ok = match (&got, kind) {
                (Err(JsonataError::Syntax(m)), "Syntax") => m.contains(contains),
                (Err(JsonataError::Evaluation(m)), "Evaluation") => m.contains(contains),
                (Err(JsonataError::Undefined), "Undefined") => true,
                (Err(e), "UnsupportedResult") => e.is_unsupported_result(),
                _ => false,
            };
            (!ok).then(|| {
                format!(
                    "{name}: {expr}\n  want {kind} error containing {contains:?}\n  got  {got:?}"
                )
            })
        }
        (None, None, _) => Some(format!("{name}: the case has neither value nor error")),
    }
}

#[test]
fn table_of_expressions() {
    let table: Value = serde_json::from_str(CASES).expect("cases.json is JSON");
    let cases = table["cases"].as_array().expect("cases is an array");
    let failures: Vec<String> = cases.iter().filter_map(|c| run_case(&table, c)).collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

fn eval_with(expr: &str, rng: &mut Rng) -> Result<Value, JsonataError> {
    eval_within(expr, rng, JsonataLimits::default())
}

fn eval_within(expr: &str, rng: &mut Rng, limits: JsonataLimits) -> Result<Value, JsonataError> {
    let states = serde_json::json!({"input": {}});
    let variables = Map::new();
    let mut env = JsonataEnv {
        states: &states,
        variables: &variables,
        rng,
        now: 0,
        limits,
    };
    evaluate(expr, &mut env)
}

#[test]
fn random_and_uuid_follow_the_run_seed_and_advance_it() {
    let (mut a, mut b) = (Rng::new(9), Rng::new(9));
    let first = eval_with("{% [$uuid(), $random()] %}", &mut a).unwrap();
    assert_eq!(
        first,
        eval_with("{% [$uuid(), $random()] %}", &mut b).unwrap()
    );
    // The generator moved on: the next evaluation draws new values.
    let second = eval_with("{% [$uuid(), $random()] %}", &mut a).unwrap();
    assert_ne!(first, second);
    // Another seed, other values.
    assert_ne!(
        first,
        eval_with("{% [$uuid(), $random()] %}", &mut Rng::new(10)).unwrap()
    );
    // A seeded $random does not depend on the run's generator.
    assert_eq!(
        eval_with("{% $random(3) %}", &mut Rng::new(1)).unwrap(),
        eval_with("{% $random(3) %}", &mut Rng::new(2)).unwrap()
    );
}

#[test]
fn runaway_with_default_limits_stops() {
    let mut rng = Rng::new(1);
    for expr in [
        "{% ($f := function($x){$f($x)}; $f(1)) %}",
        "{% [1..100000000] %}",
        "{% ($f := function($x){1 + $f($x)}; $f(1)) %}",
    ] {
        match eval_with(expr, &mut rng) {
            Err(JsonataError::Evaluation(_)) => {}
            other => panic!("{expr}: expected an evaluation error, got {other:?}"),
        }
    }
}

#[test]
fn check_reports_syntax() {
    assert_eq!(check("{% $states.input.a + 1 %}"), Ok(()));
    let err = check("{% $states.input.a + %}").unwrap_err();
    assert!(err.contains("S0207"), "{err}");
    assert!(check("{% ( %}").is_err());
    assert!(check("{% %}").is_err());
    assert!(check("plain").is_err());
}

#[test]
fn expression_detection() {
    assert!(is_expression("{% 1 %}"));
    assert!(is_expression("{%1%}"));
    assert!(!is_expression("{% 1"));
    assert!(!is_expression("1 %}"));
    assert!(!is_expression("{%}"));
    // AWS (corpus, BASE_LAMBDA_LITERALS): spaces outside the braces make a plain string.
    assert!(!is_expression(" {% states.input %} "));
    assert_eq!(expression_body("{%  $x  %}"), Some("$x"));
    assert_eq!(expression_body("$x"), None);
}

#[test]
fn same_text_evaluates_the_same_from_the_cache() {
    let mut rng = Rng::new(1);
    for _ in 0..3 {
        assert_eq!(
            eval_with("{% ($f := function($n){$n * 2}; $f(4)) %}", &mut rng),
            Ok(Value::from(8))
        );
    }
}

#[test]
fn evaluate_uses_the_limits_of_its_environment() {
    let strict = JsonataLimits {
        max_steps: 5,
        ..JsonataLimits::default()
    };
    let mut rng = Rng::new(1);
    let err = eval_within("{% $map([1..10], function($x){$x}) %}", &mut rng, strict).unwrap_err();
    assert!(
        err.to_string().contains("more than 5 function calls"),
        "{err}"
    );
    assert!(eval_with("{% $map([1..10], function($x){$x}) %}", &mut rng).is_ok());
}
