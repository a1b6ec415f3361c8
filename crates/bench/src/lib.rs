//! `sfn-bench`: the workload runners of `make bench` for our engine.
//!
//! Both sides of our engine run the same code: the native bin (`src/main.rs`) times it with
//! `Instant`, the wasm build ([`wasm`], loaded by `bench/runners/wasm.mjs` under Node) is timed
//! from JavaScript around one call. A runner takes the workload's files as text, so every
//! implementation reads the same bytes; what is timed is only the work itself (an execution
//! from start to end, or parsing and validating a definition), never reading files or parsing
//! the input.

use serde_json::{json, Value};
use sfn_engine::execution::{run_to_end, RunBounds};
use sfn_engine::limits::Limits;
use sfn_engine::{
    parse_definition, Execution, ExecutionOptions, ExecutionStatus, MockSet, StateMachine,
};

pub mod wasm;

/// Parses and validates a definition, the way the playground does on every edit: `Ok` with the
/// number of top-level states, or `Err` with the first error diagnostic.
pub fn validate(definition: &str) -> Result<usize, String> {
    Ok(valid_machine(definition)?.states.len())
}

/// The parsed definition, or the first error diagnostic.
fn valid_machine(definition: &str) -> Result<StateMachine, String> {
    let parsed = parse_definition(definition);
    if let Some(d) = parsed.first_error() {
        return Err(format!(
            "the definition is invalid: {}:{}: {}",
            d.line, d.column, d.message
        ));
    }
    Ok(parsed
        .into_machine()
        .ok_or("the definition was rejected without a diagnostic")?)
}

/// An execution ready to start: the definition parsed and validated, the input and the mocks
/// read, so that [`Prepared::run`] times the execution only.
#[derive(Debug, Clone)]
pub struct Prepared {
    machine: StateMachine,
    input: Value,
    mocks: MockSet,
}

impl Prepared {
    /// `input` and `mocks` may be empty: `{}` and no mocks. Every problem is an `Err` that
    /// names what was wrong.
    pub fn new(definition: &str, input: &str, mocks: &str) -> Result<Prepared, String> {
        let machine = valid_machine(definition)?;
        let input = if input.trim().is_empty() {
            json!({})
        } else {
            serde_json::from_str(input).map_err(|e| format!("the input is not valid JSON: {e}"))?
        };
        let mocks = if mocks.trim().is_empty() {
            MockSet::default()
        } else {
            MockSet::from_json_text(mocks, None)
                .map_err(|e| format!("the mocks are invalid: {}", e.message))?
        };
        Ok(Prepared {
            machine,
            input,
            mocks,
        })
    }

    /// Runs the execution to its end with AWS's quotas off (`sfn-play run --no-limits`), so
    /// the 25,000-event history limit does not stop the long workloads; the whole history is
    /// kept.
    pub fn run(self) -> Execution {
        let options = ExecutionOptions {
            limits: Limits::none(),
            // As `sfn-play run` without --trace: the history only, like the peer's event log.
            // The playground's inspector keeps a trace of every state visit on top.
            record_traces: false,
            ..ExecutionOptions::default()
        };
        let mut execution = Execution::new(self.machine, self.input, self.mocks, options);
        run_to_end(&mut execution, RunBounds::default());
        execution
    }
}

/// What an execution ended with, as every runner reports it: `status`, `output` (when it
/// succeeded), `error`/`cause` (when it did not) and `events`, the length of its history.
pub fn summary(execution: &Execution) -> Value {
    let mut summary = json!({
        "status": execution.status().name(),
        "events": execution.history().len(),
    });
    match execution.status() {
        ExecutionStatus::Succeeded { output } => {
            summary["output"] = Value::clone(output);
        }
        ExecutionStatus::Failed { error, cause } | ExecutionStatus::TimedOut { error, cause } => {
            summary["error"] = json!(error);
            summary["cause"] = json!(cause);
        }
        _ => {}
    }
    summary
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOOP: &str = r#"{
      "StartAt": "Increment",
      "States": {
        "Increment": {
          "Type": "Pass",
          "Parameters": { "counter.$": "States.MathAdd($.counter, 1)" },
          "Next": "Check"
        },
        "Check": {
          "Type": "Choice",
          "Choices": [{ "Variable": "$.counter", "NumericLessThan": 3, "Next": "Increment" }],
          "Default": "Done"
        },
        "Done": { "Type": "Succeed" }
      }
    }"#;

    #[test]
    fn a_tiny_loop_runs_to_its_end_with_every_event() {
        let prepared = Prepared::new(LOOP, r#"{"counter": 0}"#, "").unwrap();
        let summary = summary(&prepared.run());
        assert_eq!(summary["status"], "SUCCEEDED");
        assert_eq!(summary["output"], json!({"counter": 3}));
        // Started, 3 × (Pass entered/exited, Choice entered/exited), Succeed entered/exited,
        // Succeeded: 1 + 12 + 2 + 1.
        assert_eq!(summary["events"], 16);
    }

    #[test]
    fn bad_inputs_are_named() {
        assert!(Prepared::new("{", "", "")
            .unwrap_err()
            .starts_with("the definition is invalid"));
        assert!(Prepared::new(LOOP, "{", "")
            .unwrap_err()
            .starts_with("the input is not valid JSON"));
        assert!(Prepared::new(LOOP, "", "[]")
            .unwrap_err()
            .starts_with("the mocks are invalid"));
        assert_eq!(validate(LOOP), Ok(3));
        assert!(validate(r#"{"StartAt": "Nowhere", "States": {}}"#).is_err());
    }
}
