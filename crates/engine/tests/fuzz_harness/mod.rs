//! What each fuzz target does with its input, shared by the fuzz targets (`fuzz/`, which
//! include this file) and the regression test (`tests/fuzz_regressions.rs`), so a saved crash
//! replays through exactly the code path that found it.
//!
//! Every function takes the raw bytes libFuzzer gives and returns a one-line summary of what
//! the engine answered. A panic (including arithmetic overflow, since fuzz builds keep debug
//! assertions) or a stack overflow is the failure the fuzzer looks for; an error must come
//! with a message.
//!
//! Structured inputs are NUL-separated parts: `part0 \0 part1 \0 part2`. A missing part takes
//! a default, so any bytes are a valid input.

#![allow(dead_code)]

use serde_json::{json, Map, Value};
use sfn_engine::budget::{self, Meter};
use sfn_engine::jsonata::{JsonataEnv, JsonataLimits};
use sfn_engine::limits::Limits;
use sfn_engine::rng::Rng;
use sfn_engine::template::EvalEnv;
use sfn_engine::{
    intrinsics, jsonata, parse_definition, paths, template, Execution, ExecutionOptions,
    ExecutionStatus, MockSet,
};

/// What a target does with its input; it returns a summary of the engine's answer.
pub type Target = fn(&[u8]) -> String;

/// The targets, by the name of their folder under `tests/data/fuzz-regressions/` (and of
/// their file under `fuzz/fuzz_targets/`).
pub const TARGETS: [(&str, Target); 6] = [
    ("definition", definition),
    ("jsonpath", jsonpath),
    ("intrinsics", intrinsics_target),
    ("jsonata", jsonata_target),
    ("mocks", mocks),
    ("execution", execution),
];

/// Steps past which an execution that is still running has escaped its bounds: with the
/// default quotas every step adds an event (at most 25,000) or is one of the few silent ones a
/// distributed Map's child runs take before the silent-action bound fails the run.
pub const MAX_STEPS: usize = 100_000;

/// Splits `data` at NUL bytes into at most `n` parts (the last keeps any further NULs).
pub fn parts(data: &[u8], n: usize) -> Vec<String> {
    let text = String::from_utf8_lossy(data);
    text.splitn(n, '\0').map(str::to_string).collect()
}

fn part(parts: &[String], index: usize) -> &str {
    parts.get(index).map_or("", String::as_str)
}

/// A JSON document from a part: the part itself when it parses, else the part as a string.
fn document(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string()))
}

fn non_empty(message: &str, what: &str) {
    assert!(
        !message.trim().is_empty(),
        "{what}: an error without a message"
    );
}

/// `sfn_engine::parse_definition` on the whole input.
pub fn definition(data: &[u8]) -> String {
    let text = String::from_utf8_lossy(data);
    let parsed = parse_definition(&text);
    for d in parsed.diagnostics() {
        non_empty(&d.message, "diagnostic");
    }
    format!(
        "machine: {}, diagnostics: {}",
        parsed.is_accepted(),
        parsed.diagnostics().len()
    )
}

/// JSONPath: `path \0 document \0 variables`. Checks, queries (input, context and variables
/// roots) and writes at the path.
pub fn jsonpath(data: &[u8]) -> String {
    let p = parts(data, 3);
    let path = part(&p, 0);
    let doc = document(part(&p, 1));
    let variables = match document(part(&p, 2)) {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    let _ = paths::check_path(path).map_err(|e| non_empty(&e, "check_path"));
    let _ = paths::check_reference_path(path).map_err(|e| non_empty(&e, "check_reference_path"));
    let _ = paths::is_definite(path);
    let _ = paths::is_variable_path(path);
    let queried = paths::query_with_variables(path, &doc, &doc, Some(&variables));
    if let Ok(value) = &queried {
        let _ = paths::java_display(value);
        let _ = paths::compact(value);
    }
    let _ = paths::query(path, &doc, &json!({"Execution": {"Input": doc.clone()}}));
    let written = paths::set_at(doc.clone(), path, json!({"written": true}));
    if let Err(e) = &written {
        non_empty(&e.message, "set_at");
    }
    format!(
        "query: {:?}, set_at ok: {}",
        queried.map(|v| paths::compact(&v)).map_err(|e| e.message),
        written.is_ok()
    )
}

/// Intrinsic functions: `call \0 input`. Checks and evaluates the call, alone and as the
/// `.$` field of a template.
pub fn intrinsics_target(data: &[u8]) -> String {
    let p = parts(data, 2);
    let expr = part(&p, 0);
    let input = document(part(&p, 1));
    let context = json!({"Execution": {"Id": "arn:fuzz"}, "State": {"Name": "S"}});
    let variables = match &input {
        Value::Object(map) => map.clone(),
        _ => Map::new(),
    };
    let mut rng = Rng::new(7);
    let _ = intrinsics::check(expr);
    let _ = intrinsics::is_intrinsic(expr);
    let mut env = EvalEnv {
        input: &input,
        context: &context,
        rng: &mut rng,
        variables: Some(&variables),
    };
    let result = intrinsics::evaluate(expr, &mut env);
    if let Err(e) = &result {
        non_empty(e.cause.as_deref().unwrap_or(""), "intrinsic");
    }
    let templated =
        template::evaluate(&json!({"field.$": expr, "list": [{"x.$": expr}]}), &mut env);
    let _ = template::check(&json!({"field.$": expr}));
    format!(
        "{:?} / template ok: {}",
        result.map(|v| v.to_string()),
        templated.is_ok()
    )
}

/// JSONata through the adapter: `expression \0 input \0 variables`. The expression is put in
/// `{% %}` unless it already is one.
pub fn jsonata_target(data: &[u8]) -> String {
    let p = parts(data, 3);
    let body = part(&p, 0);
    let text = if jsonata::is_expression(body) {
        body.to_string()
    } else {
        format!("{{% {body} %}}")
    };
    let states = json!({
        "input": document(part(&p, 1)),
        "context": {"Execution": {"Id": "arn:fuzz", "Input": {}}, "State": {"Name": "S"}},
    });
    let variables = match document(part(&p, 2)) {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    let _ = jsonata::check(&text);
    let mut rng = Rng::new(7);
    let mut env = JsonataEnv {
        states: &states,
        variables: &variables,
        rng: &mut rng,
        now: 1_700_000_000_000,
        limits: JsonataLimits::default(),
    };
    // The real default budget, as an execution has it.
    let meter = Meter::new(Limits::default().budget());
    let replaced = budget::install(meter);
    let result = jsonata::evaluate(&text, &mut env);
    budget::install(replaced);
    match &result {
        Err(jsonata::JsonataError::Syntax(m)) | Err(jsonata::JsonataError::Evaluation(m)) => {
            non_empty(m, "jsonata")
        }
        _ => {}
    }
    format!("{:?}", result.map(|v| v.to_string()))
}

/// Mock files: `text \0 test case`. The mock-file reader, its test case names, the conformance
/// reader on the same text, then a few calls answered by each set that loaded.
pub fn mocks(data: &[u8]) -> String {
    let p = parts(data, 2);
    let text = part(&p, 0);
    let case = part(&p, 1);
    let case = (!case.is_empty()).then_some(case);
    let mut summary = Vec::new();
    if let Ok(names) = MockSet::test_case_names(text) {
        summary.push(format!("{} test cases", names.len()));
    }
    let from_file = MockSet::from_json_text(text, case);
    let from_conformance = serde_json::from_str::<Value>(text)
        .map_err(|e| e.to_string())
        .and_then(|v| MockSet::from_conformance(&v).map_err(|e| e.message));
    for set in [from_file.map_err(|e| e.message), from_conformance] {
        match set {
            Err(message) => {
                non_empty(&message, "mock set");
                summary.push("error".into());
            }
            Ok(mut set) => {
                summary.push(format!("loaded (empty: {})", set.is_empty()));
                respond_a_few(&mut set, &document(text));
            }
        }
    }
    summary.join(", ")
}

/// Asks `set` for the Task states and functions named in `file`, three calls each.
fn respond_a_few(set: &mut MockSet, file: &Value) {
    let mut names: Vec<String> = Vec::new();
    collect_keys(file, &mut names, 0);
    names.truncate(20);
    let input = json!({"FunctionName": "F", "Payload": {"a": 1}});
    for name in &names {
        for resource in [
            "arn:aws:states:::lambda:invoke".to_string(),
            format!("arn:aws:lambda:us-east-1:123456789012:function:{name}"),
        ] {
            for _ in 0..3 {
                let call = sfn_engine::mocks::TaskCall {
                    state_name: name,
                    resource: &resource,
                    input: &input,
                };
                if let Err(e) = set.respond(&call) {
                    non_empty(&e.message, "respond");
                }
            }
        }
        let _ = set.call_count(name);
    }
    set.reset_calls();
}

fn collect_keys(value: &Value, into: &mut Vec<String>, depth: usize) {
    if depth > 4 {
        return;
    }
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                into.push(k.clone());
                collect_keys(v, into, depth + 1);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_keys(v, into, depth + 1)),
        _ => {}
    }
}

/// A whole execution: `definition \0 input \0 mocks`, the mocks in the mock-file format or
/// the conformance corpus's; at most [`MAX_STEPS`] steps.
pub fn execution(data: &[u8]) -> String {
    let p = parts(data, 3);
    let parsed = parse_definition(part(&p, 0));
    let (machine, diagnostics) = parsed.into_parts();
    let Some(machine) = machine else {
        return format!("rejected ({} diagnostics)", diagnostics.len());
    };
    let input = serde_json::from_str(part(&p, 1)).unwrap_or_else(|_| json!({}));
    let mocks_text = part(&p, 2);
    let mocks = MockSet::from_json_text(mocks_text, None)
        .ok()
        .or_else(|| {
            serde_json::from_str::<Value>(mocks_text)
                .ok()
                .and_then(|v| MockSet::from_conformance(&v).ok())
        })
        .unwrap_or_default();
    // The real default bounds: every run must end by itself, within its budget.
    let options = ExecutionOptions::default();
    let max_eval_steps = options.limits.max_eval_steps;
    let mut execution = Execution::new(machine, input, mocks, options);
    let mut steps = 0;
    while *execution.status() == ExecutionStatus::Running {
        execution.step();
        steps += 1;
        assert!(
            steps <= MAX_STEPS,
            "the execution is still running after {MAX_STEPS} steps"
        );
    }
    assert!(
        execution.eval_steps_used() <= max_eval_steps,
        "{} evaluation steps, past the budget of {max_eval_steps}",
        execution.eval_steps_used()
    );
    if let Some(problem) = execution.history().order_problem() {
        panic!("the history is out of order: {problem}");
    }
    let _ = sfn_engine::history::to_get_execution_history(execution.history());
    format!("{} after {steps} steps", execution.status().name())
}
