//! Command-line parsing: `--flag value` and `--flag=value`, positionals, `--help`.
//! Hand-written because the grammar is small and the CLI should stay dependency-light.

use std::ffi::OsString;
use std::path::PathBuf;

use crate::project::ProjectArgs;

/// The help text, with the exit codes every command uses.
pub const HELP: &str = "\
sfn-play: run and validate AWS Step Functions state machines locally, on a simulated clock,
with mocked task functions.

USAGE:
  sfn-play validate DEF.json|DEF.yaml [--format text|aws|sarif|github] [PROJECT FILE OPTIONS]
  sfn-play run DEF.json [--input JSON | --input-file FILE] [--mocks FILE [--test-case NAME]]
                        [--seed N] [--start-time ISO] [--history OUT.json] [--trace] [--no-limits]
                        [--max-steps N] [--max-eval-steps N]
                        [--max-value-bytes N] [--redrive-with MOCKS.json]...
                        [--machine NAME=FILE ...] [--s3-out DIR] [--child-histories DIR]
  sfn-play test-state (--definition DEF.json --state NAME | --state-definition STATE.json)
                      [--input JSON | --input-file FILE] [--variables JSON]
                      [--mock-result JSON | --mock-error ERROR [--mock-cause CAUSE]
                       | --mocks FILE [--test-case NAME]]
                      [--retrier-retry-count N] [--inspection-level INFO|DEBUG|TRACE]
  sfn-play conformance DIR [--verbose] [--report OUT.json] [--filter SUBSTRING] [--floor N]
  sfn-play help | --help | --version

COMMANDS:
  validate     Check a definition as AWS's CreateStateMachine does (at most 1 MB, AWS's
               quota, as for run). Prints each problem as
               DEF.json:line:column: error|warning: message
               --format aws: ValidateStateMachineDefinition's response (JSON);
               --format sarif: SARIF 2.1.0; --format github: GitHub Actions annotations
  run          Run a definition. Prints the output JSON on success. On failure prints
               `error: <name>` and `cause: <text>` (each only when present) on stderr.
  test-state   Run one state as AWS's TestState API does (a Task's call answered by
               --mock-result or --mock-error) and print TestState's response (status
               SUCCEEDED, FAILED, RETRIABLE or CAUGHT_ERROR). Exit 1 when TestState
               would refuse the request.
  conformance  Run the AWS conformance corpus (DIR holds cases/ and manifest.json, or is the
               cases folder) and compare every run with what AWS recorded.

RUN OPTIONS:
  --input JSON         The execution input as JSON text (default: {})
  --input-file FILE    Read the execution input from FILE (`-`: stdin); at most 1 MiB
                       (64 MiB with --no-limits)
  --mocks FILE         Mock file: AWS Step Functions Local format (StateMachines/TestCases/
                       MockedResponses) and/or our `Functions` rules format (see README);
                       at most 8 MiB
  --test-case NAME     Which test case of the mock file to use, when it has several
  --seed N             Seed for retry jitter, States.UUID and States.MathRandom (default 0)
  --start-time ISO     Simulated start, e.g. 2024-01-01T00:00:00Z (default that one)
  --history OUT.json   Write the history as GetExecutionHistory returns it (as the run goes)
  --trace              Print each history event as it happens on stderr
                       (id, type, state name, simulated time)
  --no-limits          Turn off AWS's quotas (25,000 history events, 256 KiB payloads,
                       one year of execution)
  --max-steps N        Stop after N steps of the engine (status RUNNING, exit 3): a bound
                       for endless loops when --no-limits lifts the history quota
  --machine NAME=FILE  Another state machine (repeatable): a states:startExecution task
                       whose StateMachineArn ends in stateMachine:NAME runs it as a child
                       execution (any other is answered by the mocks)
  --s3-out DIR         Write the objects the run wrote to the mocked S3 (the mock file's S3
                       section) as DIR/BUCKET/KEY (each is also named on stderr)
  --child-histories DIR
                       Write each child execution (a startExecution's, a Distributed Map's):
                       its origin, status and history as GetExecutionHistory returns it, to
                       DIR/<index>-<name>.json (index from 0, in start order)
  --redrive-with FILE  Once the run has ended FAILED, TIMED_OUT or ABORTED, redrive it as
                       RedriveExecution does, with the mocks of FILE (a mock file, as
                       --mocks; --test-case applies): it goes on from where it stopped. Give
                       it again for another redrive, in order; the history is the whole of
                       it. A redrive AWS refuses (the run SUCCEEDED) prints AWS's error, exit 4

PROJECT FILES (run, validate):
  A definition file named .yaml or .yml is read as YAML (any other as JSON).
  --sub NAME=VALUE     Replace ${NAME} in the definition, as DefinitionSubstitutions do
                       (repeatable; a YAML definition's placeholders always need a value)
  --subs FILE          A JSON or YAML object of NAME: VALUE substitutions
  --fake-arns          Give every ${NAME} left a plausible fake ARN instead of an error
  --template FILE      Read the state machine from a CloudFormation or SAM template (JSON or
                       YAML) instead of a definition file: Definition, DefinitionString,
                       DefinitionUri (a local path) and DefinitionSubstitutions
  --logical-id ID      Which state machine of the template (default: its only one)

CONFORMANCE OPTIONS:
  --verbose            Show the differences of each failing case
  --report OUT.json    Write every case's result, output and history to OUT.json
  --filter SUBSTRING   Only the cases whose name contains SUBSTRING
  --floor N            Fail (exit 1) when fewer than N cases pass

EXIT CODES:
  0  success (validate: no error; run: SUCCEEDED; conformance: floor reached)
  1  the definition has errors (validate, run), or fewer cases passed than --floor
  2  usage error, unreadable file, invalid JSON input or mock file
  3  the execution did not succeed (FAILED, TIMED_OUT, ABORTED or did not finish)
  4  run: a --redrive-with redrive was refused (AWS's ExecutionNotRedrivable)
";

/// What the user asked for.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Help,
    Version,
    Validate {
        definition: PathBuf,
        format: ValidateFormat,
        project: ProjectArgs,
    },
    Run(Box<RunArgs>),
    Conformance(ConformanceArgs),
    TestState(Box<crate::test_state_cli::TestStateArgs>),
    Test(crate::test_cli::TestArgs),
}

/// How `validate` prints the diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ValidateFormat {
    /// `DEF.json:line:column: error|warning: message`, one a line.
    #[default]
    Text,
    /// ValidateStateMachineDefinition's response.
    Aws,
    /// SARIF 2.1.0.
    Sarif,
    /// GitHub Actions workflow commands.
    Github,
}

/// Where the execution input comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum InputSource {
    /// No input given: `{}`, as the AWS console starts executions.
    Default,
    Inline(String),
    File(PathBuf),
}

#[derive(Debug, Clone, PartialEq)]
pub struct RunArgs {
    pub definition: PathBuf,
    pub input: InputSource,
    pub mocks: Option<PathBuf>,
    pub test_case: Option<String>,
    pub seed: u64,
    pub start_time: Option<String>,
    pub history: Option<PathBuf>,
    pub trace: bool,
    pub no_limits: bool,
    pub max_steps: Option<u64>,
    pub max_eval_steps: Option<u64>,
    pub max_value_bytes: Option<usize>,
    /// `--machine NAME=FILE`, in order.
    pub machines: Vec<(String, PathBuf)>,
    pub s3_out: Option<PathBuf>,
    pub child_histories: Option<PathBuf>,
    /// `--redrive-with`: a mock file per redrive, in order.
    pub redrive_with: Vec<PathBuf>,
    pub project: ProjectArgs,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ConformanceArgs {
    pub dir: PathBuf,
    pub verbose: bool,
    pub report: Option<PathBuf>,
    pub filter: Option<String>,
    pub floor: Option<usize>,
}

/// A usage error, shown with a pointer to `--help`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageError(pub String);

/// One token of the command line after splitting `--flag=value`.
pub(crate) enum Token {
    /// `--name`, with the value written as `--name=value` if any.
    Flag(String, Option<String>),
    Positional(String),
}

fn tokenize(args: Vec<OsString>) -> Result<Vec<Token>, UsageError> {
    let mut tokens = Vec::new();
    let mut only_positionals = false;
    for arg in args {
        let arg = arg
            .into_string()
            .map_err(|raw| UsageError(format!("argument {raw:?} is not valid UTF-8")))?;
        if only_positionals {
            tokens.push(Token::Positional(arg));
        } else if arg == "--" {
            only_positionals = true;
        } else if arg == "-h" {
            tokens.push(Token::Flag("--help".into(), None));
        } else if arg.starts_with("--") {
            match arg.split_once('=') {
                Some((name, value)) => tokens.push(Token::Flag(name.into(), Some(value.into()))),
                None => tokens.push(Token::Flag(arg, None)),
            }
        } else if arg
            .strip_prefix('-')
            .is_some_and(|rest| !rest.is_empty() && !rest.starts_with(|c: char| c.is_ascii_digit()))
        {
            // A negative number (`--input -1`) is a value, anything else an unknown option.
            return Err(UsageError(format!("unknown option '{arg}'")));
        } else {
            tokens.push(Token::Positional(arg));
        }
    }
    Ok(tokens)
}

/// Walks the tokens of one command, handing out option values.
pub(crate) struct Cursor {
    pub(crate) tokens: std::vec::IntoIter<Token>,
}

impl Cursor {
    /// The value of an option: the `=value` part or the next token.
    pub(crate) fn value(
        &mut self,
        name: &str,
        inline: Option<String>,
    ) -> Result<String, UsageError> {
        if let Some(value) = inline {
            return Ok(value);
        }
        match self.tokens.next() {
            Some(Token::Positional(value)) => Ok(value),
            _ => Err(UsageError(format!("option '{name}' needs a value"))),
        }
    }
}

fn no_value(name: &str, inline: Option<String>) -> Result<(), UsageError> {
    match inline {
        Some(_) => Err(UsageError(format!("option '{name}' takes no value"))),
        None => Ok(()),
    }
}

fn parse_number<T: std::str::FromStr>(name: &str, text: &str) -> Result<T, UsageError> {
    text.parse().map_err(|_| {
        UsageError(format!(
            "option '{name}' needs a non-negative integer, got '{text}'"
        ))
    })
}

/// Parses the arguments after the program name.
pub fn parse(args: Vec<OsString>) -> Result<Command, UsageError> {
    let tokens = tokenize(args)?;
    // `--help` anywhere wins, so `sfn-play run --help` works without a definition.
    if tokens
        .iter()
        .any(|t| matches!(t, Token::Flag(name, _) if name == "--help"))
    {
        return Ok(Command::Help);
    }
    let mut cursor = Cursor {
        tokens: tokens.into_iter(),
    };
    let command = match cursor.tokens.next() {
        None => return Err(UsageError("no command given".into())),
        Some(Token::Flag(name, _)) if name == "--version" => return Ok(Command::Version),
        Some(Token::Flag(name, _)) => {
            return Err(UsageError(format!(
                "expected a command before option '{name}'"
            )))
        }
        Some(Token::Positional(command)) => command,
    };
    match command.as_str() {
        "help" => Ok(Command::Help),
        "version" => Ok(Command::Version),
        "validate" => parse_validate(cursor),
        "run" => parse_run(cursor),
        "conformance" => parse_conformance(cursor),
        "test" => {
            let mut a = crate::test_cli::TestArgs::default();
            while let Some(t) = cursor.tokens.next() {
                match t {
                    Token::Positional(p) => a.paths.push(PathBuf::from(p)),
                    Token::Flag(n, v) => match n.as_str() {
                        "--definition" => a.definition = Some(PathBuf::from(cursor.value(&n, v)?)),
                        "--mocks" => a.mocks = Some(PathBuf::from(cursor.value(&n, v)?)),
                        "--junit" => a.junit = Some(PathBuf::from(cursor.value(&n, v)?)),
                        "--coverage-json" => {
                            a.coverage_json = Some(PathBuf::from(cursor.value(&n, v)?))
                        }
                        "--json" => a.json = true,
                        "--coverage" => a.coverage = true,
                        "--min-coverage" => a.min_coverage = cursor.value(&n, v)?.parse().ok(),
                        "--jobs" => a.jobs = cursor.value(&n, v)?.parse().ok(),
                        "--filter" => a.filter = Some(cursor.value(&n, v)?),
                        "--input" => a.input = Some(cursor.value(&n, v)?),
                        _ => return Err(UsageError(n)),
                    },
                }
            }
            Ok(Command::Test(a))
        }
        "test-state" => {
            crate::test_state_cli::parse(&mut cursor).map(|a| Command::TestState(Box::new(a)))
        }
        other => Err(UsageError(format!(
            "unknown command '{other}' (expected validate, run, test-state or conformance)"
        ))),
    }
}

fn one_positional(
    command: &str,
    what: &str,
    positionals: Vec<String>,
) -> Result<PathBuf, UsageError> {
    let mut positionals = positionals.into_iter();
    let first = positionals
        .next()
        .ok_or_else(|| UsageError(format!("'{command}' needs {what}")))?;
    if let Some(extra) = positionals.next() {
        return Err(UsageError(format!(
            "'{command}' takes only {what}; unexpected argument '{extra}'"
        )));
    }
    Ok(PathBuf::from(first))
}

fn parse_validate(mut cursor: Cursor) -> Result<Command, UsageError> {
    let mut positionals = Vec::new();
    let mut format = ValidateFormat::Text;
    let mut project = ProjectArgs::default();
    while let Some(token) = cursor.tokens.next() {
        match token {
            Token::Positional(p) => positionals.push(p),
            Token::Flag(name, inline) if project_flag(&name).is_some() => {
                project_option(&mut cursor, &mut project, &name, inline)?
            }
            Token::Flag(name, inline) if name == "--format" => {
                format = match cursor.value(&name, inline)?.as_str() {
                    "text" => ValidateFormat::Text,
                    "aws" => ValidateFormat::Aws,
                    "sarif" => ValidateFormat::Sarif,
                    "github" => ValidateFormat::Github,
                    other => {
                        return Err(UsageError(format!(
                            "unknown format '{other}' for --format (expected text, aws, sarif or github)"
                        )))
                    }
                };
            }
            Token::Flag(name, _) => {
                return Err(UsageError(format!(
                    "unknown option '{name}' for 'validate'"
                )))
            }
        }
    }
    let definition = definition_or_template("validate", positionals, &project)?;
    Ok(Command::Validate {
        definition,
        format,
        project,
    })
}

fn parse_run(mut cursor: Cursor) -> Result<Command, UsageError> {
    let mut positionals = Vec::new();
    let mut input = InputSource::Default;
    let mut mocks = None;
    let mut test_case = None;
    let mut seed = 0;
    let mut start_time = None;
    let mut history = None;
    let mut trace = false;
    let mut no_limits = false;
    let mut max_steps = None;
    let mut max_eval_steps = None;
    let mut max_value_bytes = None;
    let mut machines = Vec::new();
    let mut s3_out = None;
    let mut child_histories = None;
    let mut redrive_with = Vec::new();
    let mut project = ProjectArgs::default();
    while let Some(token) = cursor.tokens.next() {
        let (name, inline) = match token {
            Token::Positional(p) => {
                positionals.push(p);
                continue;
            }
            Token::Flag(name, inline) => (name, inline),
        };
        match name.as_str() {
            "--input" | "--input-file" => {
                if input != InputSource::Default {
                    return Err(UsageError(
                        "give the input once: --input or --input-file".into(),
                    ));
                }
                let value = cursor.value(&name, inline)?;
                input = if name == "--input" {
                    InputSource::Inline(value)
                } else {
                    InputSource::File(PathBuf::from(value))
                };
            }
            "--mocks" => mocks = Some(PathBuf::from(cursor.value(&name, inline)?)),
            "--test-case" => test_case = Some(cursor.value(&name, inline)?),
            "--seed" => seed = parse_number(&name, &cursor.value(&name, inline)?)?,
            "--start-time" => start_time = Some(cursor.value(&name, inline)?),
            "--history" => history = Some(PathBuf::from(cursor.value(&name, inline)?)),
            "--trace" => {
                no_value(&name, inline)?;
                trace = true;
            }
            "--no-limits" => {
                no_value(&name, inline)?;
                no_limits = true;
            }
            "--max-steps" => {
                max_steps = Some(parse_number(&name, &cursor.value(&name, inline)?)?);
            }
            "--max-eval-steps" => {
                max_eval_steps = Some(parse_number(&name, &cursor.value(&name, inline)?)?);
            }
            "--max-value-bytes" => {
                max_value_bytes = Some(parse_number(&name, &cursor.value(&name, inline)?)?);
            }
            "--machine" => machines.push(parse_machine(&cursor.value(&name, inline)?)?),
            "--s3-out" => s3_out = Some(PathBuf::from(cursor.value(&name, inline)?)),
            "--child-histories" => {
                child_histories = Some(PathBuf::from(cursor.value(&name, inline)?));
            }
            "--redrive-with" => redrive_with.push(PathBuf::from(cursor.value(&name, inline)?)),
            _ if project_flag(&name).is_some() => {
                project_option(&mut cursor, &mut project, &name, inline)?
            }
            _ => return Err(UsageError(format!("unknown option '{name}' for 'run'"))),
        }
    }
    if test_case.is_some() && mocks.is_none() {
        return Err(UsageError("--test-case needs --mocks".into()));
    }
    let definition = definition_or_template("run", positionals, &project)?;
    Ok(Command::Run(Box::new(RunArgs {
        definition,
        input,
        mocks,
        test_case,
        seed,
        start_time,
        history,
        trace,
        no_limits,
        max_steps,
        max_eval_steps,
        max_value_bytes,
        machines,
        s3_out,
        child_histories,
        redrive_with,
        project,
    })))
}

/// Whether `name` is a project-file option ([`crate::project::FLAGS`]), and if it takes a value.
fn project_flag(name: &str) -> Option<bool> {
    crate::project::FLAGS
        .iter()
        .find(|(flag, _)| *flag == name)
        .map(|(_, takes_value)| *takes_value)
}

fn project_option(
    cursor: &mut Cursor,
    project: &mut ProjectArgs,
    name: &str,
    inline: Option<String>,
) -> Result<(), UsageError> {
    let value = if project_flag(name) == Some(true) {
        Some(cursor.value(name, inline)?)
    } else {
        no_value(name, inline)?;
        None
    };
    project.set(name, value)
}

/// The definition file, or with `--template` (and no definition file) the template.
fn definition_or_template(
    command: &str,
    positionals: Vec<String>,
    project: &ProjectArgs,
) -> Result<PathBuf, UsageError> {
    project.check()?;
    match &project.template {
        Some(template) if positionals.is_empty() => Ok(template.clone()),
        Some(_) => Err(UsageError(format!(
            "'{command}' takes a definition file or --template, not both"
        ))),
        None => one_positional(command, "a definition file", positionals),
    }
}

/// `--machine NAME=FILE`: a state machine's name (what a StateMachineArn ends with) and file.
fn parse_machine(value: &str) -> Result<(String, PathBuf), UsageError> {
    match value.split_once('=') {
        Some((name, file)) if !name.is_empty() && !file.is_empty() && !name.contains(':') => {
            Ok((name.to_string(), PathBuf::from(file)))
        }
        _ => Err(UsageError(format!(
            "option '--machine' needs NAME=FILE (NAME as in the StateMachineArn, without ':'), got '{value}'"
        ))),
    }
}

fn parse_conformance(mut cursor: Cursor) -> Result<Command, UsageError> {
    let mut positionals = Vec::new();
    let mut verbose = false;
    let mut report = None;
    let mut filter = None;
    let mut floor = None;
    while let Some(token) = cursor.tokens.next() {
        let (name, inline) = match token {
            Token::Positional(p) => {
                positionals.push(p);
                continue;
            }
            Token::Flag(name, inline) => (name, inline),
        };
        match name.as_str() {
            "--verbose" => {
                no_value(&name, inline)?;
                verbose = true;
            }
            "--report" => report = Some(PathBuf::from(cursor.value(&name, inline)?)),
            "--filter" => filter = Some(cursor.value(&name, inline)?),
            "--floor" => floor = Some(parse_number(&name, cursor.value(&name, inline)?.trim())?),
            _ => {
                return Err(UsageError(format!(
                    "unknown option '{name}' for 'conformance'"
                )))
            }
        }
    }
    let dir = one_positional("conformance", "a corpus directory", positionals)?;
    Ok(Command::Conformance(ConformanceArgs {
        dir,
        verbose,
        report,
        filter,
        floor,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(args: &[&str]) -> Result<Command, UsageError> {
        parse(args.iter().map(OsString::from).collect())
    }

    #[test]
    fn parses_validate_formats() {
        for (args, format) in [
            (&["validate", "d.json"][..], ValidateFormat::Text),
            (
                &["validate", "d.json", "--format", "aws"][..],
                ValidateFormat::Aws,
            ),
            (
                &["validate", "--format=sarif", "d.json"][..],
                ValidateFormat::Sarif,
            ),
            (
                &["validate", "d.json", "--format", "github"][..],
                ValidateFormat::Github,
            ),
            (
                &["validate", "d.json", "--format", "text"][..],
                ValidateFormat::Text,
            ),
        ] {
            assert_eq!(
                parse_str(args),
                Ok(Command::Validate {
                    definition: "d.json".into(),
                    format,
                    project: ProjectArgs::default(),
                }),
                "{args:?}"
            );
        }
    }

    #[test]
    fn parses_run_with_every_option() {
        let command = parse_str(&[
            "run",
            "def.json",
            "--input",
            "{\"a\":1}",
            "--mocks=m.json",
            "--test-case",
            "T",
            "--seed",
            "7",
            "--start-time",
            "2024-01-01T00:00:00Z",
            "--history",
            "h.json",
            "--trace",
            "--no-limits",
            "--max-steps",
            "9",
            "--max-eval-steps",
            "1000",
            "--max-value-bytes",
            "2000",
            "--machine",
            "Child=child.json",
            "--machine=Other=o.json",
            "--child-histories",
            "children",
            "--redrive-with",
            "fix1.json",
            "--redrive-with=fix2.json",
        ]);
        assert_eq!(
            command,
            Ok(Command::Run(Box::new(RunArgs {
                definition: "def.json".into(),
                input: InputSource::Inline("{\"a\":1}".into()),
                mocks: Some("m.json".into()),
                test_case: Some("T".into()),
                seed: 7,
                start_time: Some("2024-01-01T00:00:00Z".into()),
                history: Some("h.json".into()),
                trace: true,
                no_limits: true,
                max_steps: Some(9),
                max_eval_steps: Some(1000),
                max_value_bytes: Some(2000),
                machines: vec![
                    ("Child".into(), "child.json".into()),
                    ("Other".into(), "o.json".into()),
                ],
                s3_out: None,
                child_histories: Some("children".into()),
                redrive_with: vec!["fix1.json".into(), "fix2.json".into()],
                project: ProjectArgs::default(),
            })))
        );
    }

    #[test]
    fn parses_project_file_options() {
        let command = parse_str(&[
            "validate",
            "--template",
            "t.yaml",
            "--logical-id=Machine",
            "--sub",
            "A=arn:x=y",
            "--subs",
            "s.yaml",
            "--fake-arns",
        ]);
        let project = ProjectArgs {
            template: Some("t.yaml".into()),
            logical_id: Some("Machine".into()),
            subs: vec![("A".into(), "arn:x=y".into())],
            subs_files: vec!["s.yaml".into()],
            fake_arns: true,
        };
        assert_eq!(
            command,
            Ok(Command::Validate {
                definition: "t.yaml".into(),
                format: ValidateFormat::Text,
                project
            })
        );
        assert!(parse_str(&["run", "d.json", "--template", "t.yaml"]).is_err());
        assert!(parse_str(&["run", "d.json", "--logical-id", "X"]).is_err());
        assert!(parse_str(&["run", "d.json", "--sub", "NOEQUALS"]).is_err());
        assert!(parse_str(&["run", "d.json", "--fake-arns=1"]).is_err());
    }

    #[test]
    fn parses_conformance() {
        assert_eq!(
            parse_str(&[
                "conformance",
                "dir",
                "--verbose",
                "--floor",
                "12",
                "--filter=map"
            ]),
            Ok(Command::Conformance(ConformanceArgs {
                dir: "dir".into(),
                verbose: true,
                report: None,
                filter: Some("map".into()),
                floor: Some(12),
            }))
        );
    }

    #[test]
    fn help_wins_anywhere() {
        assert_eq!(parse_str(&["run", "--help"]), Ok(Command::Help));
        assert_eq!(parse_str(&["-h"]), Ok(Command::Help));
        assert_eq!(parse_str(&["--version"]), Ok(Command::Version));
    }

    #[test]
    fn rejects_bad_usage_with_a_reason() {
        let cases: &[(&[&str], &str)] = &[
            (&[], "no command given"),
            (&["frobnicate"], "unknown command 'frobnicate'"),
            (&["run"], "'run' needs a definition file"),
            (&["run", "a.json", "b.json"], "unexpected argument 'b.json'"),
            (
                &["run", "a.json", "--input"],
                "option '--input' needs a value",
            ),
            (
                &["run", "a.json", "--input", "1", "--input-file", "f"],
                "give the input once",
            ),
            (
                &["run", "a.json", "--seed", "-1"],
                "non-negative integer, got '-1'",
            ),
            (&["run", "a.json", "-x"], "unknown option '-x'"),
            (
                &["run", "a.json", "--seed", "x"],
                "needs a non-negative integer, got 'x'",
            ),
            (
                &["run", "a.json", "--trace=yes"],
                "'--trace' takes no value",
            ),
            (
                &["run", "a.json", "--test-case", "T"],
                "--test-case needs --mocks",
            ),
            (
                &["run", "a.json", "--bogus"],
                "unknown option '--bogus' for 'run'",
            ),
            (
                &["validate", "a.json", "--trace"],
                "unknown option '--trace' for 'validate'",
            ),
            (&["conformance"], "'conformance' needs a corpus directory"),
            (
                &["run", "a.json", "--machine", "child.json"],
                "'--machine' needs NAME=FILE",
            ),
        ];
        for (args, expected) in cases {
            match parse_str(args) {
                Err(UsageError(message)) => assert!(
                    message.contains(expected),
                    "{args:?}: message {message:?} lacks {expected:?}"
                ),
                Ok(command) => panic!("{args:?} parsed as {command:?}"),
            }
        }
    }
}
