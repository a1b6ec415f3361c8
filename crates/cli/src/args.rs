//! The command line, declared with clap's derive: each command's options are the struct its
//! code takes (`RunArgs`, `ConformanceArgs`, ...), so what `--help` shows and what the command
//! reads are one declaration. A usage error is clap's (exit 2, `error: ...` with a suggestion
//! for a mistyped flag); `--help` and `--version` exit 0.

use std::path::PathBuf;

use clap::builder::PossibleValuesParser;
use clap::builder::TypedValueParser;
use clap::{Parser, Subcommand, ValueEnum};
use sfn_engine::test_state::InspectionLevel;

use crate::project::ProjectArgs;

/// The exit codes every command uses, at the end of `sfn-play --help`.
const EXIT_CODES: &str = "\
Exit codes:
  0  success (validate: no error; run: SUCCEEDED; test: every case passed; conformance: floor
     reached)
  1  the definition has errors (validate, run, test-state), a test case failed or the coverage
     is below --min-coverage (test), or fewer cases passed than --floor (conformance)
  2  usage error, unreadable file, invalid JSON input or mock file
  3  the execution did not succeed (FAILED, TIMED_OUT, ABORTED or did not finish)
  4  run: a --redrive-with redrive was refused (AWS's ExecutionNotRedrivable)

Run 'sfn-play COMMAND --help' for a command's options.";

/// What `run --help` adds after the options.
const RUN_AFTER_HELP: &str = "\
A definition file named .yaml or .yml is read as YAML (any other as JSON).

Exit codes: 0 SUCCEEDED (the output is printed); 1 the definition has errors; 2 usage error,
unreadable file, invalid JSON input or mock file; 3 FAILED, TIMED_OUT, ABORTED or did not finish
(the status, and the error and cause when present, on stderr); 4 a --redrive-with redrive was
refused.";

/// sfn-play: run and validate AWS Step Functions state machines locally, on a simulated clock,
/// with mocked task functions.
#[derive(Debug, Parser)]
#[command(
    name = "sfn-play",
    version,
    subcommand_required = true,
    // No command: clap's short usage error (exit 2), not the whole help on stderr.
    arg_required_else_help = false,
    after_help = EXIT_CODES,
    max_term_width = 100
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// What the user asked for.
#[derive(Debug, Clone, PartialEq, Subcommand)]
pub enum Command {
    Validate(ValidateArgs),
    Run(Box<RunArgs>),
    TestState(Box<crate::test_state_cli::TestStateArgs>),
    Test(TestCommand),
    Conformance(ConformanceArgs),
    Completions(CompletionsArgs),
}

/// Check a definition as AWS's CreateStateMachine does
///
/// The definition may take at most 1 MB, AWS's quota (as for run). Prints each problem as
/// `DEF.json:line:column: error|warning: message`, or in the --format given.
#[derive(Debug, Clone, PartialEq, clap::Args)]
#[command(
    after_long_help = "A definition file named .yaml or .yml is read as YAML (any other as \
                             JSON).\n\nExit codes: 0 no error (warnings may be printed); 1 the \
                             definition has errors; 2 usage error or unreadable file."
)]
pub struct ValidateArgs {
    /// The definition file (.json, or .yaml/.yml read as YAML)
    #[arg(
        value_name = "DEF",
        required_unless_present = "template",
        conflicts_with = "template"
    )]
    pub definition: Option<PathBuf>,
    /// How the diagnostics are printed
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = ValidateFormat::Text)]
    pub format: ValidateFormat,
    #[command(flatten)]
    pub project: ProjectArgs,
}

/// How `validate` prints the diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum ValidateFormat {
    /// `DEF.json:line:column: error|warning: message`, one a line
    #[default]
    Text,
    /// ValidateStateMachineDefinition's response (JSON)
    Aws,
    /// SARIF 2.1.0
    Sarif,
    /// GitHub Actions annotations (workflow commands)
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

/// Run a definition
///
/// The run goes on a simulated clock, its task functions answered by the mocks. Prints the
/// output JSON on success. On failure prints `status: <status>`, `error: <name>` and
/// `cause: <text>` (each only when present) on stderr.
#[derive(Debug, Clone, PartialEq, clap::Args)]
#[command(after_long_help = RUN_AFTER_HELP)]
pub struct RunArgs {
    /// The definition file (.json, or .yaml/.yml read as YAML); at most 1 MB, AWS's quota
    #[arg(
        value_name = "DEF",
        required_unless_present = "template",
        conflicts_with = "template"
    )]
    pub definition: Option<PathBuf>,
    /// The execution input as JSON text [default: {}]
    #[arg(long, value_name = "JSON", allow_negative_numbers = true)]
    pub input: Option<String>,
    /// Read the execution input from FILE (`-`: stdin); at most 1 MiB (64 MiB with --no-limits)
    #[arg(long, value_name = "FILE", conflicts_with = "input")]
    pub input_file: Option<PathBuf>,
    /// Mock file: AWS Step Functions Local format and/or the `Functions` rules format
    ///
    /// AWS Step Functions Local's format has StateMachines/TestCases/MockedResponses; the
    /// playground's `Functions` rules format is in the README. At most 8 MiB.
    #[arg(long, value_name = "FILE")]
    pub mocks: Option<PathBuf>,
    /// Which test case of the mock file to use, when it has several
    #[arg(long, value_name = "NAME", requires = "mocks")]
    pub test_case: Option<String>,
    /// Seed for retry jitter, States.UUID and States.MathRandom
    #[arg(
        long,
        value_name = "N",
        default_value_t = 0,
        value_parser = non_negative::<u64>,
        allow_negative_numbers = true
    )]
    pub seed: u64,
    /// Simulated start, e.g. 2024-01-01T00:00:00Z [default: that one]
    #[arg(long, value_name = "ISO")]
    pub start_time: Option<String>,
    /// Write the history as GetExecutionHistory returns it (as the run goes)
    #[arg(long, value_name = "OUT.json")]
    pub history: Option<PathBuf>,
    /// Print each history event as it happens on stderr (id, type, state name, simulated time)
    #[arg(long)]
    pub trace: bool,
    /// Turn off AWS's quotas (25,000 history events, 256 KiB payloads, one year of execution)
    #[arg(long)]
    pub no_limits: bool,
    /// Stop after N steps of the engine (status RUNNING, exit 3)
    ///
    /// A bound for endless loops when --no-limits lifts the history quota.
    #[arg(
        long,
        value_name = "N",
        value_parser = non_negative::<u64>,
        allow_negative_numbers = true
    )]
    pub max_steps: Option<u64>,
    /// The evaluation steps the whole execution may take (not an AWS quota: also with
    /// --no-limits); past it a state fails with States.Runtime
    #[arg(
        long,
        value_name = "N",
        value_parser = non_negative::<u64>,
        allow_negative_numbers = true
    )]
    pub max_eval_steps: Option<u64>,
    /// The bytes of JSON a value being built may reach [default: four times the payload quota,
    /// 4 MiB with --no-limits]; past it a state fails with States.DataLimitExceeded
    #[arg(
        long,
        value_name = "N",
        value_parser = non_negative::<usize>,
        allow_negative_numbers = true
    )]
    pub max_value_bytes: Option<usize>,
    /// Another state machine, run as a child execution (repeatable)
    ///
    /// A states:startExecution task whose StateMachineArn ends in stateMachine:NAME runs FILE as
    /// a child execution (any other is answered by the mocks).
    #[arg(long = "machine", value_name = "NAME=FILE", value_parser = parse_machine)]
    pub machines: Vec<(String, PathBuf)>,
    /// Write the objects the run wrote to the mocked S3 as DIR/BUCKET/KEY
    ///
    /// The mocked S3 is the mock file's S3 section; each object written is also named on stderr.
    #[arg(long, value_name = "DIR")]
    pub s3_out: Option<PathBuf>,
    /// Write each child execution's origin, status and history to DIR
    ///
    /// Each child execution (a startExecution's, a Distributed Map's) goes to
    /// DIR/<index>-<name>.json (index from 0, in start order), its history as
    /// GetExecutionHistory returns it.
    #[arg(long, value_name = "DIR")]
    pub child_histories: Option<PathBuf>,
    /// Once the run has ended FAILED, TIMED_OUT or ABORTED, redrive it with the mocks of FILE
    ///
    /// The redrive is RedriveExecution's: it goes on from where the run stopped, with the mocks
    /// of FILE (a mock file, as --mocks; --test-case applies). Give it again for another
    /// redrive, in order; the history is the whole of it. A redrive AWS refuses (the run
    /// SUCCEEDED) prints AWS's error, exit 4.
    #[arg(long, value_name = "FILE")]
    pub redrive_with: Vec<PathBuf>,
    #[command(flatten)]
    pub project: ProjectArgs,
}

impl RunArgs {
    /// `--input` or `--input-file` (clap refuses both).
    pub fn input_source(&self) -> InputSource {
        match (&self.input, &self.input_file) {
            (Some(text), _) => InputSource::Inline(text.clone()),
            (None, Some(file)) => InputSource::File(file.clone()),
            (None, None) => InputSource::Default,
        }
    }
}

/// Run the AWS conformance corpus and compare every run with what AWS recorded
#[derive(Debug, Clone, PartialEq, clap::Args)]
#[command(
    after_long_help = "Prints pass/fail counts per feature tag and ends with the line \
                       `N passed, M failed`.\n\nExit codes: 0 the floor is reached (or none \
                       given); 1 fewer cases passed than --floor; 2 usage error or unreadable \
                       corpus."
)]
pub struct ConformanceArgs {
    /// The corpus: a folder holding cases/ and manifest.json, or the cases folder itself
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Show the differences of each failing case
    #[arg(long)]
    pub verbose: bool,
    /// Write every case's result, output and history to OUT.json
    #[arg(long, value_name = "OUT.json")]
    pub report: Option<PathBuf>,
    /// Only the cases whose name contains SUBSTRING
    #[arg(long, value_name = "SUBSTRING")]
    pub filter: Option<String>,
    /// Fail (exit 1) when fewer than N cases pass
    #[arg(
        long,
        value_name = "N",
        value_parser = non_negative::<usize>,
        allow_negative_numbers = true
    )]
    pub floor: Option<usize>,
}

/// Run test files, or the test cases of a Step Functions Local mock file
///
/// Each failure is reported with a diff, and the coverage of the definitions' states is
/// measured.
#[derive(Debug, Clone, PartialEq, clap::Args)]
#[command(
    after_long_help = "Exit codes: 0 every case passed (and the coverage reached \
                             --min-coverage); 1 a case failed, a test file could not be run, \
                             or the coverage is below --min-coverage; 2 usage error. The test \
                             file format: docs/TESTING.md."
)]
pub struct TestCommand {
    /// Test files (.json, .yaml, .yml), or folders searched for *.test.json, *.test.yaml and
    /// *.test.yml [default: the current folder]
    #[arg(value_name = "PATH", conflicts_with = "definition")]
    pub paths: Vec<PathBuf>,
    /// With --mocks: run every test case of a Step Functions Local mock file against DEF, with
    /// no test file
    #[arg(long, value_name = "DEF", requires = "mocks")]
    pub definition: Option<PathBuf>,
    /// The Step Functions Local mock file whose test cases --definition runs
    #[arg(long, value_name = "FILE", requires = "definition")]
    pub mocks: Option<PathBuf>,
    /// Write a JUnit XML report to OUT.xml
    #[arg(long, value_name = "OUT.xml")]
    pub junit: Option<PathBuf>,
    /// Print the JSON report on stdout instead of the text report
    #[arg(long)]
    pub json: bool,
    /// Print the coverage table after the report
    #[arg(long)]
    pub coverage: bool,
    /// Write the coverage report (JSON) to OUT.json
    #[arg(long, value_name = "OUT.json")]
    pub coverage_json: Option<PathBuf>,
    /// Fail (exit 1) when the suite's coverage is below N percent (0 to 100)
    #[arg(
        long,
        value_name = "N",
        value_parser = percentage,
        allow_negative_numbers = true
    )]
    pub min_coverage: Option<f64>,
    /// How many cases run at once [default: every core]
    #[arg(
        short,
        long,
        value_name = "N",
        value_parser = at_least_one,
        allow_negative_numbers = true
    )]
    pub jobs: Option<usize>,
    /// Run only the cases whose name contains SUBSTRING
    #[arg(long, value_name = "SUBSTRING")]
    pub filter: Option<String>,
    /// With --definition: the input of every test case, as JSON text [default: {}]
    #[arg(long, value_name = "JSON", requires = "definition")]
    pub input: Option<String>,
}

impl From<TestCommand> for crate::test_cli::TestArgs {
    fn from(command: TestCommand) -> Self {
        crate::test_cli::TestArgs {
            paths: command.paths,
            definition: command.definition,
            mocks: command.mocks,
            junit: command.junit,
            json: command.json,
            coverage: command.coverage,
            coverage_json: command.coverage_json,
            min_coverage: command.min_coverage,
            jobs: command.jobs,
            filter: command.filter,
            input: command.input,
        }
    }
}

/// Print a shell completion script on stdout
///
/// For example `sfn-play completions bash > ~/.local/share/bash-completion/completions/sfn-play`.
#[derive(Debug, Clone, PartialEq, clap::Args)]
pub struct CompletionsArgs {
    /// The shell the script is for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Prints the completion script of `shell` on stdout.
pub fn print_completions(shell: clap_complete::Shell) {
    let mut command = <Cli as clap::CommandFactory>::command();
    clap_complete::generate(shell, &mut command, "sfn-play", &mut std::io::stdout());
}

/// An integer of type `T` that is not negative (`-1` is refused by the type, with this message).
pub(crate) fn non_negative<T: std::str::FromStr>(text: &str) -> Result<T, String> {
    text.trim()
        .parse()
        .map_err(|_| "expected a non-negative integer".to_string())
}

/// `--jobs`: at least one case runs at once.
fn at_least_one(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err("expected a whole number of at least 1".to_string()),
    }
}

/// `--min-coverage`: a percentage from 0 to 100.
fn percentage(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(n) if (0.0..=100.0).contains(&n) => Ok(n),
        _ => Err("expected a percentage from 0 to 100".to_string()),
    }
}

/// `--machine NAME=FILE`: a state machine's name (what a StateMachineArn ends with) and file.
fn parse_machine(value: &str) -> Result<(String, PathBuf), String> {
    match value.split_once('=') {
        Some((name, file)) if !name.is_empty() && !file.is_empty() && !name.contains(':') => {
            Ok((name.to_string(), PathBuf::from(file)))
        }
        _ => Err("expected NAME=FILE (NAME as in the StateMachineArn, without ':')".to_string()),
    }
}

/// `--inspection-level`: AWS's names, offered as such by the help and the completions.
pub(crate) fn inspection_level_parser() -> impl TypedValueParser<Value = InspectionLevel> {
    PossibleValuesParser::new(["INFO", "DEBUG", "TRACE"])
        .try_map(|name| InspectionLevel::parse(&name).ok_or("expected INFO, DEBUG or TRACE"))
}

#[cfg(test)]
mod tests {
    use clap::error::ErrorKind;
    use clap::CommandFactory;

    use super::*;

    fn parse(args: &[&str]) -> Result<Command, clap::Error> {
        Cli::try_parse_from(std::iter::once("sfn-play").chain(args.iter().copied()))
            .map(|cli| cli.command)
    }

    /// The message clap prints for a usage error (without colours).
    fn error_text(args: &[&str]) -> String {
        match parse(args) {
            Err(error) => error.render().to_string(),
            Ok(command) => panic!("{args:?} parsed as {command:?}"),
        }
    }

    #[test]
    fn the_declaration_is_consistent() {
        // clap's own checks: ids, conflicts and requirements that name existing arguments.
        Cli::command().debug_assert();
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
                parse(args).ok(),
                Some(Command::Validate(ValidateArgs {
                    definition: Some("d.json".into()),
                    format,
                    project: ProjectArgs::default(),
                })),
                "{args:?}"
            );
        }
    }

    #[test]
    fn parses_run_with_every_option() {
        let command = parse(&[
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
            "--s3-out",
            "s3",
            "--child-histories",
            "children",
            "--redrive-with",
            "fix1.json",
            "--redrive-with=fix2.json",
        ])
        .expect("parses");
        let expected = RunArgs {
            definition: Some("def.json".into()),
            input: Some("{\"a\":1}".into()),
            input_file: None,
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
            s3_out: Some("s3".into()),
            child_histories: Some("children".into()),
            redrive_with: vec!["fix1.json".into(), "fix2.json".into()],
            project: ProjectArgs::default(),
        };
        assert_eq!(command, Command::Run(Box::new(expected)));
    }

    #[test]
    fn run_input_sources() {
        let input = |args: &[&str]| match parse(args) {
            Ok(Command::Run(run)) => run.input_source(),
            other => panic!("{args:?}: {other:?}"),
        };
        assert_eq!(input(&["run", "d.json"]), InputSource::Default);
        // A negative number is JSON, not an option.
        assert_eq!(
            input(&["run", "d.json", "--input", "-1"]),
            InputSource::Inline("-1".into())
        );
        // `-` is stdin.
        assert_eq!(
            input(&["run", "d.json", "--input-file", "-"]),
            InputSource::File("-".into())
        );
    }

    #[test]
    fn parses_project_file_options() {
        let command = parse(&[
            "validate",
            "--template",
            "t.yaml",
            "--logical-id=Machine",
            "--sub",
            "A=arn:x=y",
            "--subs",
            "s.yaml",
            "--fake-arns",
        ])
        .expect("parses");
        let project = ProjectArgs {
            template: Some("t.yaml".into()),
            logical_id: Some("Machine".into()),
            subs: vec![("A".into(), "arn:x=y".into())],
            subs_files: vec!["s.yaml".into()],
            fake_arns: true,
        };
        let Command::Validate(validate) = command else {
            panic!("{command:?}");
        };
        assert_eq!(validate.project, project);
        assert_eq!(validate.definition, None);
        for args in [
            &["run", "d.json", "--template", "t.yaml"][..],
            &["run", "d.json", "--logical-id", "X"][..],
            &["run", "d.json", "--sub", "NOEQUALS"][..],
            &["run", "d.json", "--fake-arns=1"][..],
        ] {
            assert!(parse(args).is_err(), "{args:?}");
        }
    }

    #[test]
    fn parses_conformance() {
        assert_eq!(
            parse(&[
                "conformance",
                "dir",
                "--verbose",
                "--floor",
                "12",
                "--filter=map"
            ])
            .ok(),
            Some(Command::Conformance(ConformanceArgs {
                dir: "dir".into(),
                verbose: true,
                report: None,
                filter: Some("map".into()),
                floor: Some(12),
            }))
        );
    }

    #[test]
    fn parses_test_into_test_args() {
        let Ok(Command::Test(command)) = parse(&[
            "test",
            "a.test.json",
            "tests/",
            "--junit",
            "out.xml",
            "--json",
            "--coverage",
            "--coverage-json",
            "cov.json",
            "--min-coverage",
            "87.5",
            "-j",
            "3",
            "--filter",
            "happy",
        ]) else {
            panic!("test did not parse");
        };
        let args = crate::test_cli::TestArgs::from(command);
        assert_eq!(
            args,
            crate::test_cli::TestArgs {
                paths: vec!["a.test.json".into(), "tests/".into()],
                definition: None,
                mocks: None,
                junit: Some("out.xml".into()),
                json: true,
                coverage: true,
                coverage_json: Some("cov.json".into()),
                min_coverage: Some(87.5),
                jobs: Some(3),
                filter: Some("happy".into()),
                input: None,
            }
        );
        let Ok(Command::Test(command)) = parse(&[
            "test",
            "--definition",
            "d.json",
            "--mocks",
            "m.json",
            "--input",
            "{}",
        ]) else {
            panic!("test --definition did not parse");
        };
        let args = crate::test_cli::TestArgs::from(command);
        assert!(args.paths.is_empty());
        assert_eq!(args.definition, Some("d.json".into()));
        assert_eq!(args.mocks, Some("m.json".into()));
        assert_eq!(args.input, Some("{}".into()));
    }

    #[test]
    fn parses_test_state() {
        let Ok(Command::TestState(args)) = parse(&[
            "test-state",
            "--definition",
            "d.json",
            "--state",
            "Charge",
            "--input-file",
            "-",
            "--mock-error",
            "Boom",
            "--mock-cause",
            "why",
            "--retrier-retry-count",
            "2",
            "--inspection-level",
            "DEBUG",
        ]) else {
            panic!("test-state did not parse");
        };
        assert_eq!(
            args.source(),
            Some(crate::test_state_cli::StateSource::Definition {
                file: "d.json".into(),
                state: "Charge".into()
            })
        );
        assert_eq!(args.input_file, Some("-".into()));
        assert_eq!(args.mock_error.as_deref(), Some("Boom"));
        assert_eq!(args.retrier_retry_count, 2);
        assert_eq!(args.inspection_level, InspectionLevel::Debug);
        let Ok(Command::TestState(args)) = parse(&["test-state", "--state-definition", "s.json"])
        else {
            panic!("test-state did not parse");
        };
        assert_eq!(args.inspection_level, InspectionLevel::Info);
        assert_eq!(
            args.source(),
            Some(crate::test_state_cli::StateSource::State("s.json".into()))
        );
    }

    #[test]
    fn help_and_version_are_not_errors() {
        for (args, kind) in [
            (&["--help"][..], ErrorKind::DisplayHelp),
            (&["-h"][..], ErrorKind::DisplayHelp),
            (&["run", "--help"][..], ErrorKind::DisplayHelp),
            (&["--version"][..], ErrorKind::DisplayVersion),
        ] {
            match parse(args) {
                Err(error) => {
                    assert_eq!(error.kind(), kind, "{args:?}");
                    assert_eq!(error.exit_code(), 0, "{args:?}");
                }
                Ok(command) => panic!("{args:?} parsed as {command:?}"),
            }
        }
    }

    #[test]
    fn rejects_bad_usage_with_a_reason() {
        let cases: &[(&[&str], &str)] = &[
            (&[], "requires a subcommand"),
            (&["frobnicate"], "unrecognized subcommand 'frobnicate'"),
            (
                &["run"],
                "the following required arguments were not provided",
            ),
            (&["run", "a.json", "b.json"], "unexpected argument 'b.json'"),
            (
                &["run", "a.json", "--input"],
                "a value is required for '--input <JSON>'",
            ),
            (
                &["run", "a.json", "--input", "1", "--input-file", "f"],
                "the argument '--input <JSON>' cannot be used with '--input-file <FILE>'",
            ),
            (
                &["run", "a.json", "--seed", "-1"],
                "invalid value '-1' for '--seed <N>': expected a non-negative integer",
            ),
            (&["run", "a.json", "-x"], "unexpected argument '-x'"),
            (
                &["run", "a.json", "--seed", "x"],
                "invalid value 'x' for '--seed <N>'",
            ),
            (
                &["run", "a.json", "--trace=yes"],
                "unexpected value 'yes' for '--trace'",
            ),
            (&["run", "a.json", "--test-case", "T"], "--mocks <FILE>"),
            (
                &["run", "a.json", "--bogus"],
                "unexpected argument '--bogus'",
            ),
            (
                &["validate", "a.json", "--trace"],
                "unexpected argument '--trace'",
            ),
            (&["conformance"], "<DIR>"),
            (
                &["run", "a.json", "--machine", "child.json"],
                "invalid value 'child.json' for '--machine <NAME=FILE>': expected NAME=FILE",
            ),
            (
                &["test", "--min-coverage", "120"],
                "invalid value '120' for '--min-coverage <N>': expected a percentage from 0 to 100",
            ),
            (
                &["test", "--jobs", "0"],
                "invalid value '0' for '--jobs <N>'",
            ),
            (&["test", "--definition", "d.json"], "--mocks <FILE>"),
            (
                &[
                    "test",
                    "t.test.json",
                    "--definition",
                    "d.json",
                    "--mocks",
                    "m.json",
                ],
                "cannot be used with",
            ),
            (&["test-state"], "the following required arguments"),
            (&["test-state", "--definition", "d.json"], "--state <NAME>"),
            (
                &[
                    "test-state",
                    "--state-definition",
                    "s.json",
                    "--mock-result",
                    "1",
                    "--mock-error",
                    "E",
                ],
                "cannot be used with",
            ),
            (
                &[
                    "test-state",
                    "--state-definition",
                    "s.json",
                    "--mock-cause",
                    "C",
                ],
                "--mock-error <ERROR>",
            ),
            (
                &[
                    "test-state",
                    "--state-definition",
                    "s.json",
                    "--inspection-level",
                    "VERBOSE",
                ],
                "invalid value 'VERBOSE' for '--inspection-level <LEVEL>'",
            ),
            (&["completions", "tcsh"], "invalid value 'tcsh'"),
        ];
        for (args, expected) in cases {
            let message = error_text(args);
            assert!(
                message.contains(expected),
                "{args:?}: message {message:?} lacks {expected:?}"
            );
        }
    }

    #[test]
    fn suggests_a_similar_flag() {
        let message = error_text(&["run", "a.json", "--inptu", "{}"]);
        assert!(
            message.contains("tip: a similar argument exists: '--input'"),
            "{message}"
        );
    }
}
