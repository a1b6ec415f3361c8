//! `validate` and `run`.

use std::io::Write;
use std::ops::ControlFlow;
use std::path::Path;

use serde_json::Value;
use sfn_engine::execution::{run_to_end_with, ErrorHandling, RunBounds, RunEnd, StateTrace};
use sfn_engine::history::to_get_execution_history;
use sfn_engine::limits::Limits;
use sfn_engine::time::{format_iso, parse_aws_timestamp};
use sfn_engine::{
    parse_definition, Diagnostic, Execution, ExecutionOptions, ExecutionStatus, HistoryEvent,
    MockSet, Severity, StateMachine,
};

use crate::args::{InputSource, RunArgs};

/// Exit codes, as `--help` documents them.
pub mod exit {
    pub const OK: i32 = 0;
    pub const DEFINITION_INVALID: i32 = 1;
    pub const BELOW_FLOOR: i32 = 1;
    pub const USAGE: i32 = 2;
    pub const EXECUTION_FAILED: i32 = 3;
}

/// A failure of the CLI itself (not of the execution): a message and the exit code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliError {
    pub code: i32,
    pub message: String,
}

impl CliError {
    pub fn usage(message: impl Into<String>) -> Self {
        CliError {
            code: exit::USAGE,
            message: message.into(),
        }
    }
}

/// Writes a line to stdout, ignoring a closed pipe (`sfn-play run ... | head`).
macro_rules! out {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// Writes a line to stderr, ignoring errors.
macro_rules! err {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}

pub(crate) use {err, out};

pub fn read_text(path: &Path, what: &str) -> Result<String, CliError> {
    std::fs::read_to_string(path)
        .map_err(|e| CliError::usage(format!("cannot read {what} '{}': {e}", path.display())))
}

pub fn write_json(path: &Path, what: &str, value: &Value) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| CliError::usage(format!("cannot render {what}: {e}")))?;
    std::fs::write(path, text + "\n")
        .map_err(|e| CliError::usage(format!("cannot write {what} '{}': {e}", path.display())))
}

/// `DEF.json:line:column: error|warning: message`, the shape compilers use, so editors can
/// jump to it.
pub fn format_diagnostic(path: &Path, diagnostic: &Diagnostic) -> String {
    let severity = match diagnostic.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    format!(
        "{}:{}:{}: {severity}: {}",
        path.display(),
        diagnostic.line,
        diagnostic.column,
        diagnostic.message
    )
}

/// `sfn-play validate DEF.json`.
pub fn validate(path: &Path) -> Result<i32, CliError> {
    let text = read_text(path, "definition file")?;
    let parsed = parse_definition(&text);
    for diagnostic in parsed.diagnostics() {
        out!("{}", format_diagnostic(path, diagnostic));
    }
    if !parsed.is_accepted() {
        if parsed.diagnostics().is_empty() {
            err!(
                "sfn-play: {}: the definition was rejected without a diagnostic",
                path.display()
            );
        }
        return Ok(exit::DEFINITION_INVALID);
    }
    Ok(exit::OK)
}

fn parse_input(source: &InputSource) -> Result<Value, CliError> {
    match source {
        InputSource::Default => Ok(Value::Object(Default::default())),
        InputSource::Inline(text) => serde_json::from_str(text)
            .map_err(|e| CliError::usage(format!("--input is not valid JSON: {e}"))),
        InputSource::File(path) => {
            let text = if path.as_os_str() == "-" {
                let mut text = String::new();
                std::io::Read::read_to_string(&mut std::io::stdin(), &mut text).map_err(|e| {
                    CliError::usage(format!("cannot read the input from stdin: {e}"))
                })?;
                text
            } else {
                read_text(path, "input file")?
            };
            // A byte order mark is not content, as in definitions (editors on Windows add it).
            let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
            serde_json::from_str(text).map_err(|e| {
                let source = if path.as_os_str() == "-" {
                    "the input from stdin".to_string()
                } else {
                    format!("input file '{}'", path.display())
                };
                CliError::usage(format!("{source} is not valid JSON: {e}"))
            })
        }
    }
}

fn load_mocks(args: &RunArgs) -> Result<MockSet, CliError> {
    let Some(path) = &args.mocks else {
        return Ok(MockSet::default());
    };
    let text = read_text(path, "mock file")?;
    // A byte order mark is not content, as in definitions.
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    MockSet::from_json_text(text, args.test_case.as_deref())
        .map_err(|e| CliError::usage(format!("mock file '{}': {}", path.display(), e.message)))
}

fn options(args: &RunArgs) -> Result<ExecutionOptions, CliError> {
    let mut options = ExecutionOptions {
        seed: args.seed,
        // The data-flow stages are printed with --trace only.
        record_traces: args.trace,
        ..ExecutionOptions::default()
    };
    if let Some(text) = &args.start_time {
        options.start_time = parse_aws_timestamp(text).ok_or_else(|| {
            CliError::usage(format!(
                "--start-time '{text}' is not an ISO-8601 date-time with a zone, such as 2024-01-01T00:00:00Z"
            ))
        })?;
    }
    if args.no_limits {
        options.limits = Limits::none();
    }
    if let Some(steps) = args.max_eval_steps {
        options.limits.max_eval_steps = steps;
    }
    if args.max_value_bytes.is_some() {
        options.limits.max_value_bytes = args.max_value_bytes;
    }
    Ok(options)
}

/// Parses the definition, printing its diagnostics on stderr; `Err` with exit 1 when rejected.
fn load_definition(path: &Path, text: &str) -> Result<StateMachine, CliError> {
    let parsed = parse_definition(text);
    for diagnostic in parsed.diagnostics() {
        err!("{}", format_diagnostic(path, diagnostic));
    }
    parsed.into_machine().ok_or_else(|| CliError {
        code: exit::DEFINITION_INVALID,
        message: format!("{}: the definition is invalid", path.display()),
    })
}

/// One line per event for `--trace`: id, type, state name, simulated time.
pub fn trace_line(event: &HistoryEvent) -> String {
    let state = event.state_name.as_deref().unwrap_or("-");
    format!(
        "{:>5}  {:<36} {:<24} {}",
        event.id,
        event.kind.aws_name(),
        state,
        format_iso(event.timestamp)
    )
}

/// For `--trace`: every state visit's data-flow stages, as AWS's TestState API reports them.
pub fn data_flow_lines(traces: &[StateTrace]) -> Vec<String> {
    let mut lines = vec![String::from("data flow, state by state:")];
    for trace in traces {
        lines.push(format!(
            "  {} (entered at event #{})",
            trace.state_name, trace.entered_event_id
        ));
        let stages = [
            ("input", Some(&trace.input)),
            ("after InputPath", trace.after_input_path.as_ref()),
            (
                "after Parameters/Arguments",
                trace.after_parameters.as_ref(),
            ),
            ("result", trace.result.as_ref()),
            ("after ResultSelector", trace.after_result_selector.as_ref()),
            ("after ResultPath", trace.after_result_path.as_ref()),
            ("output", trace.output.as_ref()),
        ];
        for (stage, value) in stages {
            if let Some(value) = value {
                lines.push(format!("    {stage:<27} {value}"));
            }
        }
        if let Some(assigned) = &trace.assigned {
            lines.push(format!(
                "    {:<27} {}",
                "assigned variables",
                Value::Object(assigned.clone())
            ));
        }
        for traced in &trace.errors {
            let handled = match &traced.handled_by {
                ErrorHandling::Retry {
                    retrier_index,
                    attempt,
                    delay_ms,
                } => format!(
                    "retried by Retry[{retrier_index}] (attempt {attempt}, after {} s)",
                    *delay_ms as f64 / 1000.0
                ),
                ErrorHandling::Catch {
                    catcher_index,
                    next,
                } => {
                    format!("caught by Catch[{catcher_index}] -> {next}")
                }
                ErrorHandling::Unhandled => String::from("not handled"),
            };
            lines.push(format!("    {:<27} {} ({handled})", "error", traced.error));
        }
    }
    lines
}

/// `sfn-play run`.
pub fn run(args: &RunArgs) -> Result<i32, CliError> {
    // Everything the user typed is checked before the definition, so a typo in `--input`
    // is reported as such even when the definition has problems too.
    let text = read_text(&args.definition, "definition file")?;
    let input = parse_input(&args.input)?;
    let mocks = load_mocks(args)?;
    let options = options(args)?;
    let machine = load_definition(&args.definition, &text)?;

    let mut execution = Execution::new(machine, input, mocks, options);
    let bounds = RunBounds {
        max_steps: args.max_steps,
        ..RunBounds::default()
    };
    let end = run_to_end_with(&mut execution, bounds, |events| {
        if args.trace {
            for event in events {
                err!("{}", trace_line(event));
            }
        }
        ControlFlow::Continue(())
    });

    if args.trace {
        for line in data_flow_lines(execution.traces()) {
            err!("{line}");
        }
    }

    if let Some(path) = &args.history {
        write_json(
            path,
            "history file",
            &to_get_execution_history(execution.history()),
        )?;
    }

    match execution.status() {
        ExecutionStatus::Succeeded { output } => {
            let text = serde_json::to_string_pretty(&**output)
                .map_err(|e| CliError::usage(format!("cannot render the output: {e}")))?;
            out!("{text}");
            Ok(exit::OK)
        }
        ExecutionStatus::Failed { error, cause } | ExecutionStatus::TimedOut { error, cause } => {
            err!("status: {}", execution.status().name());
            if let Some(error) = error {
                err!("error: {error}");
            }
            if let Some(cause) = cause {
                err!("cause: {cause}");
            }
            Ok(exit::EXECUTION_FAILED)
        }
        ExecutionStatus::Aborted => {
            err!("status: ABORTED");
            Ok(exit::EXECUTION_FAILED)
        }
        ExecutionStatus::Running => {
            match end {
                RunEnd::MaxSteps { steps } => err!(
                    "status: RUNNING (stopped after {steps} steps, --max-steps; {} history events)",
                    execution.history().len()
                ),
                _ => err!("status: RUNNING ({end})"),
            }
            Ok(exit::EXECUTION_FAILED)
        }
    }
}
