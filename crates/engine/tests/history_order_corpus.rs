//! The history order property over every execution of the conformance corpus: each run's
//! history keeps event ids counting up from 1, timestamps that never decrease and
//! previousEventIds that point backwards (`History::order_problem`), whatever AWS recorded.
//! The data-driven cases (`executions.rs`) and the fuzz harness check the same property.
//! Each case also runs with `keep_history` off: the events its steps hand out must be the
//! history kept, event for event (ids, previousEventIds, details).
//!
//! The corpus is read from `$CONFORMANCE_DIR`, or from `shared/conformance` beside the
//! repository or any folder above it; when it is absent the test says so and passes.

mod common;
use common::{case_files, conformance_dir};

use serde_json::{Map, Value};
use std::ops::ControlFlow;

use sfn_engine::execution::{run_to_end, run_to_end_with, RunBounds};
use sfn_engine::{parse_definition, Execution, ExecutionOptions, MockSet};

/// The order problem of one case's run (`Some(None)`: none); `None` for a case the engine
/// cannot run.
fn order_problem(case: &Value) -> Option<Option<String>> {
    let text = serde_json::to_string_pretty(case.get("definition")?).ok()?;
    let machine = parse_definition(&text).into_machine()?;
    let empty = Value::Object(Map::new());
    let mocks = MockSet::from_conformance(case.get("mocks").unwrap_or(&empty)).ok()?;
    let input = case.get("input").cloned().unwrap_or(empty);
    let options = ExecutionOptions {
        record_traces: false,
        ..ExecutionOptions::default()
    };
    let bounds = RunBounds {
        max_steps: Some(100_000),
        ..RunBounds::default()
    };
    let mut streaming = Execution::new(
        machine.clone(),
        input.clone(),
        mocks.clone(),
        ExecutionOptions {
            keep_history: false,
            ..options.clone()
        },
    );
    let mut streamed = Vec::new();
    run_to_end_with(&mut streaming, bounds, |events| {
        streamed.extend(events.iter().map(|e| e.to_aws_json()));
        ControlFlow::Continue(())
    });
    let mut execution = Execution::new(machine, input, mocks, options);
    run_to_end(&mut execution, bounds);
    let kept: Vec<Value> = execution
        .history()
        .iter()
        .map(|e| e.to_aws_json())
        .collect();
    if kept != streamed {
        return Some(Some(format!(
            "without keeping the history, the steps handed out {} events; the history kept {}, not the same",
            streamed.len(),
            kept.len()
        )));
    }
    Some(execution.history().order_problem())
}

#[test]
fn every_corpus_history_is_in_order() {
    let Some(dir) = conformance_dir() else {
        eprintln!(
            "SKIPPED: no conformance corpus (set CONFORMANCE_DIR or provide \
             ../../../shared/conformance)"
        );
        return;
    };
    let files = case_files(&dir);
    let mut problems = Vec::new();
    let mut runs = 0;
    for path in &files {
        let text = std::fs::read_to_string(path).expect("read a case");
        let case: Value = serde_json::from_str(&text).expect("a case is JSON");
        let Some(problem) = order_problem(&case) else {
            continue;
        };
        runs += 1;
        if let Some(problem) = problem {
            problems.push(format!("{}: {problem}", path.display()));
        }
    }
    assert!(
        runs > 600,
        "ran {runs} of the corpus's {} cases",
        files.len()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
