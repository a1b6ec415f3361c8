//! `sfn-play conformance`: runs every case of the AWS conformance corpus and compares.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io::Write;
use std::ops::ControlFlow;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{json, Map, Value};
use sfn_engine::context::ExecutionIdentity;
use sfn_engine::execution::{run_to_end_with, RunBounds, RunEnd};
use sfn_engine::history::to_get_execution_history;
use sfn_engine::{
    parse_definition, Execution, ExecutionOptions, ExecutionStatus, HistoryEvent, MockSet,
};

use crate::args::ConformanceArgs;
use crate::commands::{err, exit, out, read_text, write_json, CliError};
use crate::compare::{compare_run, Difference};

/// Steps one case may take before it counts as a runaway. The history quota (25,000 events)
/// normally ends a loop long before.
const STEP_BUDGET: u64 = 200_000;

/// Wall-clock time one case may take, checked between steps.
const TIME_BUDGET: Duration = Duration::from_secs(20);

/// Differences shown per failing case with `--verbose`.
const SHOWN_DIFFERENCES: usize = 5;

/// What happened to one case.
struct CaseOutcome {
    name: String,
    file: String,
    features: Vec<String>,
    /// Why the case could not be run or compared (definition rejected, panic, budget...).
    failure: Option<String>,
    differences: Vec<Difference>,
    status: Option<ExecutionStatus>,
    history: Vec<HistoryEvent>,
}

impl CaseOutcome {
    fn passed(&self) -> bool {
        self.failure.is_none() && self.differences.is_empty()
    }

    fn failed(name: String, file: String, features: Vec<String>, reason: String) -> Self {
        CaseOutcome {
            name,
            file,
            features,
            failure: Some(reason),
            differences: Vec::new(),
            status: None,
            history: Vec::new(),
        }
    }
}

/// The folder holding the case files: `DIR/cases` when DIR is the corpus root, else DIR.
fn cases_dir(dir: &Path) -> Result<PathBuf, CliError> {
    let nested = dir.join("cases");
    if nested.is_dir() {
        Ok(nested)
    } else if dir.is_dir() {
        Ok(dir.to_path_buf())
    } else {
        Err(CliError::usage(format!(
            "conformance corpus not found at '{}'",
            dir.display()
        )))
    }
}

fn case_files(dir: &Path) -> Result<Vec<PathBuf>, CliError> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| CliError::usage(format!("cannot list '{}': {e}", dir.display())))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(CliError::usage(format!(
            "no case files (*.json) in '{}'",
            dir.display()
        )));
    }
    Ok(files)
}

fn string_field<'v>(value: &'v Value, key: &str) -> Option<&'v str> {
    value.get(key).and_then(Value::as_str)
}

/// The identity AWS ran the case under, from its `context`; absent fields keep the defaults.
pub fn identity_from_context(context: &Value) -> ExecutionIdentity {
    let mut identity = ExecutionIdentity::default();
    let fields: [(&str, &mut String); 8] = [
        ("account", &mut identity.account),
        ("region", &mut identity.region),
        ("stateMachineName", &mut identity.state_machine_name),
        ("stateMachineArn", &mut identity.state_machine_arn),
        ("stateMachineType", &mut identity.state_machine_type),
        ("executionName", &mut identity.execution_name),
        ("executionArn", &mut identity.execution_arn),
        ("roleArn", &mut identity.role_arn),
    ];
    for (key, slot) in fields {
        if let Some(value) = string_field(context, key) {
            *slot = value.to_string();
        }
    }
    identity
}

/// Runs one case to its end and compares; `Err` with the reason when it cannot get that far.
fn run_case(case: &Value, outcome: &mut CaseOutcome) -> Result<(), String> {
    let definition = case.get("definition").ok_or("the case has no definition")?;
    let text = serde_json::to_string_pretty(definition)
        .map_err(|e| format!("cannot render the definition: {e}"))?;
    let parsed = parse_definition(&text);
    if let Some(d) = parsed.first_error() {
        return Err(format!(
            "definition rejected: {} (at {}, line {})",
            d.message, d.pointer, d.line
        ));
    }
    let machine = parsed
        .into_machine()
        .ok_or("definition rejected without a diagnostic")?;
    let empty = Value::Object(Map::new());
    let mocks = MockSet::from_conformance(case.get("mocks").unwrap_or(&empty))
        .map_err(|e| format!("mocks: {}", e.message))?;
    let input = case.get("input").cloned().unwrap_or(empty);
    let options = ExecutionOptions {
        identity: identity_from_context(case.get("context").unwrap_or(&Value::Null)),
        // Only the history is compared.
        record_traces: false,
        ..ExecutionOptions::default()
    };

    let mut execution = Execution::new(machine, input, mocks, options);
    let started = Instant::now();
    let bounds = RunBounds {
        max_steps: Some(STEP_BUDGET),
        ..RunBounds::default()
    };
    let end = run_to_end_with(&mut execution, bounds, |_| {
        if started.elapsed() > TIME_BUDGET {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    });
    outcome.status = Some(execution.status().clone());
    outcome.history = execution.history().to_vec();
    match end {
        RunEnd::Finished { .. } => {}
        RunEnd::MaxSteps { .. } | RunEnd::NoProgress { .. } | RunEnd::AwaitingAnswer { .. } => {
            return Err(end.to_string())
        }
        RunEnd::Interrupted { .. } => {
            return Err(format!(
                "did not finish within {} s of wall-clock time",
                TIME_BUDGET.as_secs()
            ))
        }
    }
    let expected = case
        .get("expected")
        .ok_or("the case has no expected result")?;
    outcome.differences = compare_run(expected, execution.status(), &outcome.history);
    Ok(())
}

thread_local! {
    /// The message of the last panic, captured by our hook instead of printed.
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Runs `f`, turning a panic into `Err(message)` without printing it.
fn catching_panics<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    panic::catch_unwind(AssertUnwindSafe(f)).map_err(|_| {
        LAST_PANIC
            .with(|last| last.borrow_mut().take())
            .unwrap_or_else(|| "panicked".into())
    })
}

/// Reads a case file into an outcome to fill (name, file, features) and the case itself, or
/// the outcome of a case that could not be read.
fn load_case(path: &Path) -> (CaseOutcome, Option<Value>) {
    let file = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let case: Value = match read_text(path, "case file")
        .map_err(|e| e.message)
        .and_then(|text| serde_json::from_str(&text).map_err(|e| format!("invalid JSON: {e}")))
    {
        Ok(case) => case,
        Err(reason) => {
            return (
                CaseOutcome::failed(file.clone(), file, Vec::new(), reason),
                None,
            )
        }
    };
    let name = string_field(&case, "name").unwrap_or(&file).to_string();
    let features = case
        .get("features")
        .and_then(Value::as_array)
        .map(|tags| {
            tags.iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect()
        })
        .unwrap_or_default();
    let outcome = CaseOutcome {
        name,
        file,
        features,
        failure: None,
        differences: Vec::new(),
        status: None,
        history: Vec::new(),
    };
    (outcome, Some(case))
}

/// Runs a loaded case; a panic in the engine becomes the case's failure.
fn run_loaded(outcome: &mut CaseOutcome, case: &Value) {
    let result = catching_panics(|| {
        let mut partial =
            CaseOutcome::failed(String::new(), String::new(), Vec::new(), String::new());
        let result = run_case(case, &mut partial);
        (result, partial)
    });
    match result {
        Ok((result, partial)) => {
            outcome.status = partial.status;
            outcome.history = partial.history;
            outcome.differences = partial.differences;
            outcome.failure = result.err();
        }
        Err(message) => outcome.failure = Some(format!("panicked: {message}")),
    }
}

fn case_report(outcome: &CaseOutcome) -> Value {
    let mut report = Map::new();
    report.insert("file".into(), json!(outcome.file));
    report.insert("passed".into(), json!(outcome.passed()));
    report.insert(
        "status".into(),
        outcome
            .status
            .as_ref()
            .map_or(Value::Null, |s| json!(s.name())),
    );
    match &outcome.status {
        Some(ExecutionStatus::Succeeded { output }) => {
            report.insert("output".into(), Value::clone(output));
        }
        Some(
            ExecutionStatus::Failed { error, cause } | ExecutionStatus::TimedOut { error, cause },
        ) => {
            report.insert("error".into(), json!(error));
            report.insert("cause".into(), json!(cause));
        }
        _ => {}
    }
    report.insert("failure".into(), json!(outcome.failure));
    report.insert(
        "firstDifference".into(),
        outcome.differences.first().map_or(
            Value::Null,
            |d| json!({"path": d.path, "expected": d.expected, "actual": d.actual}),
        ),
    );
    report.insert("history".into(), to_get_execution_history(&outcome.history));
    Value::Object(report)
}

fn print_failure(outcome: &CaseOutcome) {
    out!("FAIL {}", outcome.name);
    out!("     file: {}", outcome.file);
    if let Some(reason) = &outcome.failure {
        out!("     {reason}");
    }
    for difference in outcome.differences.iter().take(SHOWN_DIFFERENCES) {
        out!("     at {}:", display_path(&difference.path));
        out!("       expected {}", difference.expected);
        out!("       actual   {}", difference.actual);
    }
    if outcome.differences.len() > SHOWN_DIFFERENCES {
        out!(
            "     ... and {} more",
            outcome.differences.len() - SHOWN_DIFFERENCES
        );
    }
}

fn display_path(path: &str) -> &str {
    if path.is_empty() {
        "/"
    } else {
        path
    }
}

/// `sfn-play conformance`.
pub fn run(args: &ConformanceArgs) -> Result<i32, CliError> {
    let dir = cases_dir(&args.dir)?;
    let files = case_files(&dir)?;

    // A panic in one case must not kill the run, nor spill a backtrace into the summary.
    let previous_hook = panic::take_hook();
    panic::set_hook(Box::new(|info| {
        LAST_PANIC.with(|last| *last.borrow_mut() = Some(info.to_string()));
    }));
    let mut outcomes = Vec::new();
    for path in &files {
        let (mut outcome, case) = load_case(path);
        if let Some(filter) = &args.filter {
            if !outcome.name.contains(filter.as_str()) && !outcome.file.contains(filter.as_str()) {
                continue;
            }
        }
        if let Some(case) = &case {
            run_loaded(&mut outcome, case);
        }
        if args.verbose && !outcome.passed() {
            print_failure(&outcome);
        }
        outcomes.push(outcome);
    }
    panic::set_hook(previous_hook);

    let passed = outcomes.iter().filter(|o| o.passed()).count();
    let failed = outcomes.len() - passed;

    let mut per_feature: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for outcome in &outcomes {
        for feature in &outcome.features {
            let tally = per_feature.entry(feature.as_str()).or_default();
            if outcome.passed() {
                tally.0 += 1;
            } else {
                tally.1 += 1;
            }
        }
    }
    if !per_feature.is_empty() {
        out!("{:<44} {:>6} {:>6}", "feature", "passed", "failed");
        for (feature, (pass, fail)) in &per_feature {
            out!("{feature:<44} {pass:>6} {fail:>6}");
        }
    }

    if let Some(path) = &args.report {
        let cases: Map<String, Value> = outcomes
            .iter()
            .map(|o| (o.name.clone(), case_report(o)))
            .collect();
        let report = json!({
            "corpus": args.dir.display().to_string(),
            "passed": passed,
            "failed": failed,
            "cases": cases,
        });
        write_json(path, "report", &report)?;
    }

    let mut code = exit::OK;
    if let Some(floor) = args.floor {
        if passed < floor {
            err!("sfn-play: {passed} cases passed, fewer than the floor of {floor}");
            code = exit::BELOW_FLOOR;
        }
    }
    out!("{passed} passed, {failed} failed");
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_comes_from_the_context() {
        let context = json!({
            "account": "111111111111",
            "region": "eu-west-1",
            "stateMachineName": "sm",
            "stateMachineArn": "arn:sm",
            "stateMachineType": "EXPRESS",
            "executionName": "ex",
            "executionArn": "arn:ex",
            "roleArn": "arn:role",
        });
        assert_eq!(
            identity_from_context(&context),
            ExecutionIdentity {
                account: "111111111111".into(),
                region: "eu-west-1".into(),
                state_machine_name: "sm".into(),
                state_machine_arn: "arn:sm".into(),
                state_machine_type: "EXPRESS".into(),
                execution_name: "ex".into(),
                execution_arn: "arn:ex".into(),
                role_arn: "arn:role".into(),
            }
        );
        assert_eq!(
            identity_from_context(&Value::Null),
            ExecutionIdentity::default()
        );
    }

    #[test]
    fn panics_become_reasons() {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(|info| {
            LAST_PANIC.with(|last| *last.borrow_mut() = Some(info.to_string()));
        }));
        let result: Result<(), String> = catching_panics(|| panic!("boom"));
        panic::set_hook(previous);
        let message = result.expect_err("the panic is caught");
        assert!(message.contains("boom"), "{message}");
    }
}
