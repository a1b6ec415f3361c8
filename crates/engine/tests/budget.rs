//! The execution's resource budget (`sfn_engine::budget`) through whole executions: a budget
//! that runs out fails the execution with `States.Runtime` naming the state, a value that grows
//! past the size bound with `States.DataLimitExceeded`, and the default budget leaves ordinary
//! work alone.

use serde_json::{json, Value};
use sfn_engine::limits::Limits;
use sfn_engine::{parse_definition, Execution, ExecutionOptions, ExecutionStatus, MockSet};

fn run(definition: Value, input: Value, limits: Limits) -> (ExecutionStatus, u64) {
    let machine = parse_definition(&definition.to_string())
        .into_machine()
        .expect("a valid definition");
    let options = ExecutionOptions {
        limits,
        ..ExecutionOptions::default()
    };
    let mut execution = Execution::new(machine, input, MockSet::default(), options);
    let status = execution.run().clone();
    (status, execution.eval_steps_used())
}

fn scan() -> Value {
    json!({"StartAt": "Scan", "States": {"Scan": {
        "Type": "Pass", "Parameters": {"ys.$": "$..y"}, "End": true}}})
}

fn items(n: usize) -> Value {
    json!({"items": (0..n).map(|i| json!({"x": {"y": i}})).collect::<Vec<_>>()})
}

#[test]
fn a_budget_that_runs_out_fails_the_execution_naming_the_state() {
    let limits = Limits {
        max_eval_steps: 1_000,
        ..Limits::default()
    };
    let (status, used) = run(scan(), items(1_000), limits);
    let ExecutionStatus::Failed { error, cause } = status else {
        panic!("{status:?}");
    };
    assert_eq!(error.as_deref(), Some("States.Runtime"));
    let cause = cause.unwrap_or_default();
    assert!(
        cause.starts_with(
            "The execution ran out of its evaluation budget (1000 steps) in the state 'Scan'"
        ),
        "{cause}"
    );
    assert_eq!(used, 1_000);
}

#[test]
fn the_default_budget_leaves_ordinary_work_alone() {
    let (status, used) = run(scan(), items(1_000), Limits::default());
    assert_eq!(status.name(), "SUCCEEDED");
    assert!(used > 1_000 && used < 100_000, "{used}");
}

#[test]
fn a_value_past_the_size_bound_fails_before_it_is_built() {
    let copies: serde_json::Map<String, Value> =
        (0..100).map(|i| (format!("c{i}.$"), json!("$"))).collect();
    let definition = json!({"StartAt": "Copy", "States": {"Copy": {
        "Type": "Pass", "Parameters": copies, "End": true}}});
    let limits = Limits {
        max_value_bytes: Some(10_000),
        ..Limits::none()
    };
    let (status, _) = run(definition, json!("x".repeat(3_000)), limits);
    assert_eq!(
        status,
        ExecutionStatus::Failed {
            error: Some("States.DataLimitExceeded".into()),
            cause: Some(
                "The state/task 'Copy' returned a result with a size exceeding the maximum \
                 number of bytes service limit."
                    .into()
            ),
        }
    );
}
