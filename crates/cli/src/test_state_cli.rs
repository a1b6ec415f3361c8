//! `sfn-play test-state`: its options (declared for clap), and running the request through the
//! engine's [`sfn_engine::test_state`]; prints TestState's response as AWS returns it.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::ArgGroup;
use serde_json::{Map, Value};
use sfn_engine::test_state::{InspectionLevel, TestStateMock};
use sfn_engine::{test_state, TestStateRequest};

use crate::commands::{exit, out, read_text, CliError};

/// Where the state comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum StateSource {
    /// `--definition FILE --state NAME`: a state of a whole definition.
    Definition { file: PathBuf, state: String },
    /// `--state-definition FILE`: one state's JSON.
    State(PathBuf),
}

/// Run one state as AWS's TestState API does
///
/// A Task's call, and a Map's or Parallel's result, is answered by --mock-result, --mock-error
/// or a mock file. Prints TestState's response: status SUCCEEDED, FAILED, RETRIABLE or
/// CAUGHT_ERROR.
#[derive(Debug, Clone, PartialEq, clap::Args)]
#[command(
    group(ArgGroup::new("source").args(["definition", "state_definition"]).required(true)),
    group(ArgGroup::new("mock").args(["mock_result", "mock_error", "mocks"])),
    after_long_help = "Exit codes: 0 with TestState's response, whatever the state's status; 1 \
                       TestState would refuse the request (a state name not in the definition, \
                       a malformed state); 2 usage error or unreadable file."
)]
pub struct TestStateArgs {
    /// A whole definition, with --state naming the state to run
    #[arg(long, value_name = "DEF.json", requires = "state")]
    pub definition: Option<PathBuf>,
    /// The state of --definition to run
    #[arg(long, value_name = "NAME", requires = "definition")]
    pub state: Option<String>,
    /// One state's JSON, instead of --definition and --state
    #[arg(long, value_name = "STATE.json")]
    pub state_definition: Option<PathBuf>,
    /// The state's input as JSON text [default: {}]
    #[arg(long, value_name = "JSON", allow_negative_numbers = true)]
    pub input: Option<String>,
    /// Read the state's input from FILE
    #[arg(long, value_name = "FILE", conflicts_with = "input")]
    pub input_file: Option<PathBuf>,
    /// Workflow variables, a JSON object
    #[arg(long, value_name = "JSON")]
    pub variables: Option<String>,
    /// The Context object ($$) the state sees, a JSON object merged over the engine's own
    /// (AWS takes it only with a mock)
    #[arg(long, value_name = "JSON")]
    pub context: Option<String>,
    /// Read the Context object from FILE
    #[arg(long, value_name = "FILE", conflicts_with = "context")]
    pub context_file: Option<PathBuf>,
    /// What the Task's call returns, as JSON text
    #[arg(long, value_name = "JSON", allow_negative_numbers = true)]
    pub mock_result: Option<String>,
    /// The error the Task's call fails with
    #[arg(long, value_name = "ERROR")]
    pub mock_error: Option<String>,
    /// The cause of --mock-error
    #[arg(long, value_name = "CAUSE", requires = "mock_error")]
    pub mock_cause: Option<String>,
    /// A mock file: the state's first answer in it answers the call
    #[arg(long, value_name = "FILE")]
    pub mocks: Option<PathBuf>,
    /// Which test case of the mock file to use, when it has several
    #[arg(long, value_name = "NAME", requires = "mocks")]
    pub test_case: Option<String>,
    /// How many retries the state's retrier has already made
    #[arg(
        long,
        value_name = "N",
        default_value_t = 0,
        value_parser = crate::args::non_negative::<u64>,
        allow_negative_numbers = true
    )]
    pub retrier_retry_count: u64,
    /// The state of a Map's item processor or a Parallel's branches the mocked error comes
    /// from (stateConfiguration.errorCausedByState)
    #[arg(long, value_name = "NAME", requires = "mock_error")]
    pub error_caused_by_state: Option<String>,
    /// How many of a Distributed Map's iterations failed, weighed against its tolerated
    /// failure threshold (stateConfiguration.mapIterationFailureCount)
    #[arg(
        long,
        value_name = "N",
        value_parser = crate::args::non_negative::<u64>,
        allow_negative_numbers = true
    )]
    pub map_iteration_failure_count: Option<u64>,
    /// How much the response tells (DEBUG and TRACE add inspectionData)
    #[arg(
        long,
        value_name = "LEVEL",
        default_value = "INFO",
        value_parser = crate::args::inspection_level_parser()
    )]
    pub inspection_level: InspectionLevel,
}

impl TestStateArgs {
    /// `--definition FILE --state NAME` or `--state-definition FILE` (clap requires one).
    pub fn source(&self) -> Option<StateSource> {
        match (&self.definition, &self.state, &self.state_definition) {
            (Some(file), Some(state), _) => Some(StateSource::Definition {
                file: file.clone(),
                state: state.clone(),
            }),
            (_, _, Some(file)) => Some(StateSource::State(file.clone())),
            _ => None,
        }
    }
}

fn json(what: &str, text: &str) -> Result<Value, CliError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    serde_json::from_str(text)
        .map_err(|e| CliError::usage(format!("{what} is not valid JSON: {e}")))
}

fn json_file(path: &Path, what: &str) -> Result<Value, CliError> {
    let text = read_text(path, what)?;
    json(&format!("{what} '{}'", path.display()), &text)
}

fn request(args: &TestStateArgs) -> Result<TestStateRequest, CliError> {
    let source = args.source().ok_or_else(|| {
        CliError::usage(
            "test-state needs --definition FILE --state NAME or --state-definition FILE",
        )
    })?;
    let (definition, state_name) = match source {
        StateSource::Definition { file, state } => (json_file(&file, "definition")?, Some(state)),
        StateSource::State(file) => (json_file(&file, "state definition")?, None),
    };
    let input = match (&args.input, &args.input_file) {
        (Some(text), _) => json("--input", text)?,
        (None, Some(file)) => json_file(file, "input file")?,
        (None, None) => Value::Object(Map::new()),
    };
    let variables = match &args.variables {
        None => None,
        Some(text) => match json("--variables", text)? {
            Value::Object(map) => Some(map),
            _ => return Err(CliError::usage("--variables must be a JSON object")),
        },
    };
    let context = match (&args.context, &args.context_file) {
        (Some(text), _) => Some(json("--context", text)?),
        (None, Some(file)) => Some(json_file(file, "context file")?),
        (None, None) => None,
    };
    let context = match context {
        None => None,
        Some(Value::Object(map)) => Some(map),
        Some(_) => return Err(CliError::usage("the Context object must be a JSON object")),
    };
    let mock = match (&args.mock_result, &args.mock_error) {
        (Some(text), _) => Some(TestStateMock::Result(json("--mock-result", text)?)),
        (None, Some(error)) => Some(TestStateMock::Error {
            error: error.clone(),
            cause: args.mock_cause.clone(),
        }),
        (None, None) => match &args.mocks {
            Some(file) => Some(TestStateMock::File {
                text: read_text(file, "mock file")?,
                test_case: args.test_case.clone(),
            }),
            None => None,
        },
    };
    Ok(TestStateRequest {
        definition,
        state_name,
        input,
        variables,
        context,
        mock,
        retrier_retry_count: args.retrier_retry_count,
        error_caused_by_state: args.error_caused_by_state.clone(),
        map_iteration_failure_count: args.map_iteration_failure_count,
        inspection_level: args.inspection_level,
    })
}

/// Runs `sfn-play test-state`: exit 0 with the response, whatever the state's status; 1 when
/// TestState refuses the request; 2 for a usage error or an unreadable file.
pub fn run(args: &TestStateArgs) -> Result<i32, CliError> {
    let request = request(args)?;
    match test_state(&request) {
        Ok(response) => {
            let text = serde_json::to_string_pretty(&response.to_aws_json())
                .map_err(|e| CliError::usage(format!("cannot write the response: {e}")))?;
            out!("{text}");
            Ok(exit::OK)
        }
        Err(error) => Err(CliError {
            code: exit::DEFINITION_INVALID,
            message: error.to_string(),
        }),
    }
}
