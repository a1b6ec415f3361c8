//! `sfn-play test-state`: its options, and running the request through the engine's
//! [`sfn_engine::test_state`]; prints TestState's response as AWS returns it.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};
use sfn_engine::test_state::{InspectionLevel, TestStateMock};
use sfn_engine::{test_state, TestStateRequest};

use crate::args::{Cursor, Token, UsageError};
use crate::commands::{exit, out, read_text, CliError};

/// Where the state comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum StateSource {
    /// `--definition FILE --state NAME`: a state of a whole definition.
    Definition { file: PathBuf, state: String },
    /// `--state-definition FILE`: one state's JSON.
    State(PathBuf),
}

#[derive(Debug, Clone, PartialEq)]
pub struct TestStateArgs {
    pub source: StateSource,
    /// JSON text, or a file (`--input-file`).
    pub input: Option<String>,
    pub input_file: Option<PathBuf>,
    pub variables: Option<String>,
    pub context: Option<String>,
    pub mock_result: Option<String>,
    pub mock_error: Option<String>,
    pub mock_cause: Option<String>,
    /// `--mocks FILE [--test-case NAME]`: a mock file answers the state's call.
    pub mocks: Option<PathBuf>,
    pub test_case: Option<String>,
    pub retrier_retry_count: u64,
    pub inspection_level: InspectionLevel,
}

/// Parses the options after `test-state`.
pub(crate) fn parse(cursor: &mut Cursor) -> Result<TestStateArgs, UsageError> {
    let mut definition = None;
    let mut state = None;
    let mut state_definition = None;
    let mut args = TestStateArgs {
        source: StateSource::State(PathBuf::new()),
        input: None,
        input_file: None,
        variables: None,
        context: None,
        mock_result: None,
        mock_error: None,
        mock_cause: None,
        mocks: None,
        test_case: None,
        retrier_retry_count: 0,
        inspection_level: InspectionLevel::Info,
    };
    while let Some(token) = cursor.tokens.next() {
        let (name, inline) = match token {
            Token::Flag(name, inline) => (name, inline),
            Token::Positional(value) => {
                return Err(UsageError(format!(
                    "unexpected argument '{value}' (test-state takes only options)"
                )))
            }
        };
        let value = cursor.value(&name, inline)?;
        match name.as_str() {
            "--definition" => definition = Some(PathBuf::from(value)),
            "--state" => state = Some(value),
            "--state-definition" => state_definition = Some(PathBuf::from(value)),
            "--input" => args.input = Some(value),
            "--input-file" => args.input_file = Some(PathBuf::from(value)),
            "--variables" => args.variables = Some(value),
            "--context" => args.context = Some(value),
            "--mock-result" => args.mock_result = Some(value),
            "--mock-error" => args.mock_error = Some(value),
            "--mock-cause" => args.mock_cause = Some(value),
            "--mocks" => args.mocks = Some(PathBuf::from(value)),
            "--test-case" => args.test_case = Some(value),
            "--retrier-retry-count" => {
                args.retrier_retry_count = value.parse().map_err(|_| {
                    UsageError(format!(
                        "option '{name}' needs a non-negative integer, got '{value}'"
                    ))
                })?
            }
            "--inspection-level" => {
                args.inspection_level = InspectionLevel::parse(&value).ok_or_else(|| {
                    UsageError(format!(
                        "option '{name}' is INFO, DEBUG or TRACE, got '{value}'"
                    ))
                })?
            }
            _ => {
                return Err(UsageError(format!(
                    "unknown option '{name}' for test-state"
                )))
            }
        }
    }
    args.source =
        match (definition, state, state_definition) {
            (Some(file), Some(state), None) => StateSource::Definition { file, state },
            (None, None, Some(file)) => StateSource::State(file),
            (Some(_), None, None) => {
                return Err(UsageError("'--definition' needs '--state NAME'".into()))
            }
            _ => return Err(UsageError(
                "test-state needs '--definition FILE --state NAME' or '--state-definition FILE'"
                    .into(),
            )),
        };
    if args.input.is_some() && args.input_file.is_some() {
        return Err(UsageError(
            "give '--input' or '--input-file', not both".into(),
        ));
    }
    let mock_options = [
        args.mock_result.is_some(),
        args.mock_error.is_some(),
        args.mocks.is_some(),
    ];
    if mock_options.iter().filter(|given| **given).count() > 1 {
        return Err(UsageError(
            "give one of '--mock-result', '--mock-error' and '--mocks'".into(),
        ));
    }
    if args.test_case.is_some() && args.mocks.is_none() {
        return Err(UsageError("'--test-case' needs '--mocks'".into()));
    }
    if args.mock_cause.is_some() && args.mock_error.is_none() {
        return Err(UsageError("'--mock-cause' needs '--mock-error'".into()));
    }
    Ok(args)
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
    if args.context.is_some() {
        return Err(CliError::usage(
            "--context is not implemented: the engine builds the Context object itself",
        ));
    }
    let (definition, state_name) = match &args.source {
        StateSource::Definition { file, state } => {
            (json_file(file, "definition")?, Some(state.clone()))
        }
        StateSource::State(file) => (json_file(file, "state definition")?, None),
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
        mock,
        retrier_retry_count: args.retrier_retry_count,
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
