//! `validate` and `run`.

use std::io::Write;
use std::ops::ControlFlow;
use std::path::Path;

use serde_json::Value;
use sfn_engine::execution::{run_to_end_observed, RunBounds, RunEnd};
use sfn_engine::limits::Limits;
use sfn_engine::time::parse_aws_timestamp;
use sfn_engine::{
    parse_definition, Diagnostic, Execution, ExecutionOptions, ExecutionStatus, MockSet,
    ParsedDefinition, Severity, StateMachine,
};

use crate::args::{InputSource, RunArgs};
use crate::output::{trace_line, DataFlowSpool, HistoryFile};
use crate::read::{
    describe, read_text_within, INPUT_FILE, MAX_INPUT_FILE_BYTES, MAX_INPUT_FILE_BYTES_NO_LIMITS,
    MAX_MOCK_FILE_BYTES,
};

/// Exit codes, as `--help` documents them. A usage error the command line's parser finds is
/// clap's, with the same code ([`exit::USAGE`]).
pub mod exit {
    pub const OK: i32 = 0;
    pub const DEFINITION_INVALID: i32 = 1;
    pub const BELOW_FLOOR: i32 = 1;
    pub const USAGE: i32 = 2;
    pub const EXECUTION_FAILED: i32 = 3;
    pub const REDRIVE_REFUSED: i32 = 4;
    /// `sfn-play test`: a case failed, a test file could not run, or coverage is too low.
    pub const TESTS_FAILED: i32 = 1;
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
pub fn validate(
    definition: Option<&Path>,
    project: &crate::project::ProjectArgs,
) -> Result<i32, CliError> {
    let (path, definition) = crate::project::read(definition, project)?;
    let path = path.as_path();
    let parsed = definition.parse();
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

fn parse_input(source: &InputSource, no_limits: bool) -> Result<Value, CliError> {
    match source {
        InputSource::Default => Ok(Value::Object(Default::default())),
        InputSource::Inline(text) => serde_json::from_str(text)
            .map_err(|e| CliError::usage(format!("--input is not valid JSON: {e}"))),
        InputSource::File(path) => {
            let text = if no_limits {
                read_text_within(
                    path,
                    INPUT_FILE,
                    MAX_INPUT_FILE_BYTES_NO_LIMITS,
                    "the bound on an input file with --no-limits",
                )?
            } else {
                read_text_within(
                    path,
                    INPUT_FILE,
                    MAX_INPUT_FILE_BYTES,
                    "four times the 256 KiB payload quota, room for indentation and escapes",
                )?
            };
            // A byte order mark is not content, as in definitions (editors on Windows add it).
            let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
            serde_json::from_str(text).map_err(|e| {
                CliError::usage(format!(
                    "{} is not valid JSON: {e}",
                    describe(path, INPUT_FILE)
                ))
            })
        }
    }
}

fn load_mocks(args: &RunArgs) -> Result<MockSet, CliError> {
    let Some(path) = &args.mocks else {
        return Ok(MockSet::default());
    };
    load_mock_file(path, args)
}

/// A mock file (`--mocks`, `--redrive-with`), with `--test-case`.
fn load_mock_file(path: &Path, args: &RunArgs) -> Result<MockSet, CliError> {
    let text = read_text_within(
        path,
        "mock file",
        MAX_MOCK_FILE_BYTES,
        "the bound on a mock file: 32 results at the 256 KiB payload quota",
    )?;
    // A byte order mark is not content, as in definitions.
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut mocks = MockSet::from_json_text(text, args.test_case.as_deref())
        .map_err(|e| CliError::usage(format!("mock file '{}': {}", path.display(), e.message)))?;
    crate::s3::resolve_files(&mut mocks, path)?;
    Ok(mocks)
}

fn options(args: &RunArgs) -> Result<ExecutionOptions, CliError> {
    let mut options = ExecutionOptions {
        seed: args.seed,
        // The data-flow stages are printed with --trace only.
        record_traces: args.trace,
        // The events are written out (--history, --trace) as each step gives them.
        keep_history: false,
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
pub fn load_definition(path: &Path, text: &str) -> Result<StateMachine, CliError> {
    report_definition(path, parse_definition(text))
}

/// Prints the diagnostics of a parsed definition on stderr; `Err` with exit 1 when rejected.
pub fn report_definition(path: &Path, parsed: ParsedDefinition) -> Result<StateMachine, CliError> {
    for diagnostic in parsed.diagnostics() {
        err!("{}", format_diagnostic(path, diagnostic));
    }
    parsed.into_machine().ok_or_else(|| CliError {
        code: exit::DEFINITION_INVALID,
        message: format!("{}: the definition is invalid", path.display()),
    })
}

/// `sfn-play run`.
pub fn run(args: &RunArgs) -> Result<i32, CliError> {
    // Everything the user typed is checked before the definition, so a typo in `--input`
    // is reported as such even when the definition has problems too.
    let (definition_path, definition) =
        crate::project::read(args.definition.as_deref(), &args.project)?;
    let input = parse_input(&args.input_source(), args.no_limits)?;
    let mocks = load_mocks(args)?;
    let redrive_mocks = args
        .redrive_with
        .iter()
        .map(|path| load_mock_file(path, args))
        .collect::<Result<Vec<_>, _>>()?;
    let options = options(args)?;
    let machine = report_definition(&definition_path, definition.parse())?;
    let workspace = crate::children::load_workspace(args)?;

    // Opened before the run, so that a path that cannot be written is reported at once.
    let mut history_file = args
        .history
        .as_deref()
        .map(HistoryFile::create)
        .transpose()?;
    let mut data_flow = if args.trace {
        Some(DataFlowSpool::create()?)
    } else {
        None
    };
    let child_histories = crate::children::create_child_histories(args)?;
    let mut execution = Execution::new(machine, input, mocks, options).with_workspace(workspace);
    let bounds = RunBounds {
        max_steps: args.max_steps,
        ..RunBounds::default()
    };
    let mut on_step = |execution: &mut Execution| {
        let events = execution.step_events();
        if args.trace {
            for event in events {
                err!("{}", trace_line(event));
            }
        }
        if let Some(file) = &mut history_file {
            file.write_events(events);
        }
        if let Some(data_flow) = &mut data_flow {
            data_flow.take_finished(execution);
        }
        ControlFlow::Continue(())
    };
    let mut end = run_to_end_observed(&mut execution, bounds, &mut on_step);
    // `--redrive-with`: each redrive goes on once the run before it has ended; its
    // ExecutionRedriven event is written out as a step's.
    let mut refused = None;
    for mocks in redrive_mocks {
        if !matches!(end, RunEnd::Finished { .. }) {
            break;
        }
        if let Err(error) = execution.redrive(mocks) {
            refused = Some(error);
            break;
        }
        let _ = on_step(&mut execution);
        end = run_to_end_observed(&mut execution, bounds, &mut on_step);
    }

    if let Some(data_flow) = data_flow {
        data_flow.print(&execution);
    }
    if let Some(file) = history_file {
        file.finish()?;
    }
    crate::s3::report_writes(&execution, args.s3_out.as_deref())?;
    if let Some(dir) = child_histories {
        crate::children::write_child_histories(&dir, &execution)?;
    }

    let code = print_end(&execution, end)?;
    match refused {
        Some(error) => {
            err!("redrive refused: {error}");
            Ok(exit::REDRIVE_REFUSED)
        }
        None => Ok(code),
    }
}

/// Prints how the run ended (the output, or the status with its error and cause) and returns
/// the exit code.
fn print_end(execution: &Execution, end: RunEnd) -> Result<i32, CliError> {
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
                RunEnd::AwaitingAnswer { .. } => {
                    err!("status: RUNNING (waiting for a task token that no mock answers)");
                    for task in execution.waiting_tasks() {
                        if !task.answered_by_mock {
                            err!(
                                "waiting: state '{}' ({}), token {}: no mock answers it (mock \
                                 the state or its resource in the mock file, or give a rule \
                                 \"answer\": \"never\" to let it time out)",
                                task.state_name,
                                task.resource,
                                task.token
                            );
                        }
                    }
                }
                _ => err!("status: RUNNING ({end})"),
            }
            Ok(exit::EXECUTION_FAILED)
        }
    }
}
