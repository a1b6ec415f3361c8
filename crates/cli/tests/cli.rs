//! `sfn-play validate` output and exit codes, and `--help`. The messages for bad arguments
//! and files are in the catalogue of bad inputs (`tests/bad-inputs/`, run by `bad_inputs.rs`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_sfn-play");

fn tutorial() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/tutorial/tutorial.asl.json")
}

/// Writes `contents` to a scratch file named `name` and returns its path.
fn scratch_file(name: &str, contents: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, contents).expect("scratch file written");
    path
}

fn sfn_play(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .output()
        .expect("sfn-play runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

/// `PATH:LINE:COLUMN: SEVERITY: MESSAGE` with positive numbers and a message.
fn parse_diagnostic<'l>(path: &str, line: &'l str) -> Option<(u32, u32, &'l str, &'l str)> {
    let rest = line.strip_prefix(path)?.strip_prefix(':')?;
    let mut parts = rest.splitn(3, ':');
    let line_no: u32 = parts.next()?.parse().ok()?;
    let column: u32 = parts.next()?.parse().ok()?;
    let rest = parts.next()?.strip_prefix(' ')?;
    let (severity, message) = rest.split_once(": ")?;
    (line_no >= 1 && column >= 1 && !message.is_empty() && matches!(severity, "error" | "warning"))
        .then_some((line_no, column, severity, message))
}

#[test]
fn validate_reports_positioned_errors_and_exits_1() {
    // StartAt names a state that does not exist: AWS rejects the definition.
    let definition = scratch_file(
        "invalid-start-at.asl.json",
        "{\n  \"StartAt\": \"Missing\",\n  \"States\": {\n    \"Only\": {\"Type\": \"Pass\", \"End\": true}\n  }\n}\n",
    );
    let path = path_str(&definition);
    let result = sfn_play(&["validate", path]);
    let stdout = text(&result.stdout);
    assert_eq!(result.status.code(), Some(1), "stdout {stdout:?}");
    let diagnostics: Vec<_> = stdout
        .lines()
        .map(|line| parse_diagnostic(path, line).unwrap_or_else(|| panic!("bad line {line:?}")))
        .collect();
    assert!(
        diagnostics
            .iter()
            .any(|(line, _, severity, _)| *severity == "error" && *line == 2),
        "an error on the StartAt line: {stdout}"
    );
}

#[test]
fn validate_reports_json_syntax_errors() {
    let definition = scratch_file(
        "syntax-error.asl.json",
        "{\n  \"StartAt\": \"A\",\n  \"States\": {\n",
    );
    let path = path_str(&definition);
    let result = sfn_play(&["validate", path]);
    let stdout = text(&result.stdout);
    assert_eq!(result.status.code(), Some(1), "stdout {stdout:?}");
    assert!(
        stdout
            .lines()
            .any(|line| matches!(parse_diagnostic(path, line), Some((_, _, "error", _)))),
        "{stdout}"
    );
}

#[test]
fn validate_accepts_the_tutorial() {
    let path = tutorial();
    let result = sfn_play(&["validate", path_str(&path)]);
    let stdout = text(&result.stdout);
    assert_eq!(result.status.code(), Some(0), "{stdout}");
    assert!(!stdout.contains(": error: "), "{stdout}");
}

#[test]
fn help_documents_exit_codes() {
    for args in [&["--help"][..], &["help"][..]] {
        let result = sfn_play(args);
        let stdout = text(&result.stdout);
        assert_eq!(result.status.code(), Some(0), "{args:?}");
        for needle in [
            "Exit codes:",
            "validate",
            "run",
            "test-state",
            "test",
            "conformance",
            "completions",
        ] {
            assert!(stdout.contains(needle), "{args:?}: help lacks {needle}");
        }
    }
    // No command: a usage error (exit 2) that points to --help.
    let result = sfn_play(&[]);
    assert_eq!(result.status.code(), Some(2));
    assert!(text(&result.stderr).contains("--help"));
}

#[test]
fn version_exits_0() {
    for flag in ["--version", "-V"] {
        let result = sfn_play(&[flag]);
        assert_eq!(result.status.code(), Some(0), "{flag}");
        assert_eq!(
            text(&result.stdout).trim(),
            format!("sfn-play {}", env!("CARGO_PKG_VERSION"))
        );
    }
}

/// `sfn-play COMMAND --help` (and `sfn-play help COMMAND`) exits 0 and lists every option of
/// the command.
#[test]
fn each_command_help_lists_its_options() {
    let commands: &[(&str, &[&str])] = &[
        (
            "validate",
            &[
                "--format",
                "aws",
                "sarif",
                "github",
                "--sub",
                "--subs",
                "--fake-arns",
                "--template",
                "--logical-id",
            ],
        ),
        (
            "run",
            &[
                "--input",
                "--input-file",
                "--mocks",
                "--test-case",
                "--seed",
                "--start-time",
                "--history",
                "--trace",
                "--no-limits",
                "--max-steps",
                "--max-eval-steps",
                "--max-value-bytes",
                "--machine",
                "--s3-out",
                "--child-histories",
                "--redrive-with",
                "--sub",
                "--template",
                // The long help keeps the explanations: limits and exit codes.
                "at most 1 MiB",
                "25,000 history events",
                "Exit codes",
            ],
        ),
        (
            "test-state",
            &[
                "--definition",
                "--state",
                "--state-definition",
                "--input",
                "--input-file",
                "--variables",
                "--mock-result",
                "--mock-error",
                "--mock-cause",
                "--mocks",
                "--test-case",
                "--retrier-retry-count",
                "--inspection-level",
                "INFO, DEBUG, TRACE",
            ],
        ),
        (
            "test",
            &[
                "[PATH]...",
                "--definition",
                "--mocks",
                "--junit",
                "--json",
                "--coverage",
                "--coverage-json",
                "--min-coverage",
                "--jobs",
                "--filter",
            ],
        ),
        (
            "conformance",
            &["<DIR>", "--verbose", "--report", "--filter", "--floor"],
        ),
        (
            "completions",
            &["bash", "zsh", "fish", "elvish", "powershell"],
        ),
    ];
    for (command, options) in commands {
        for args in [vec![*command, "--help"], vec!["help", *command]] {
            let result = sfn_play(&args);
            let stdout = text(&result.stdout);
            assert_eq!(result.status.code(), Some(0), "{args:?}: {stdout}");
            assert!(
                stdout.contains(&format!("Usage: sfn-play {command}")),
                "{args:?}: {stdout}"
            );
            for option in *options {
                assert!(
                    stdout.contains(option),
                    "{args:?} lacks {option}:\n{stdout}"
                );
            }
        }
    }
}

#[test]
fn test_help_lists_the_report_and_coverage_options() {
    let result = sfn_play(&["test", "--help"]);
    let stdout = text(&result.stdout);
    assert_eq!(result.status.code(), Some(0));
    assert!(stdout.contains("--junit <OUT.xml>"), "{stdout}");
    assert!(stdout.contains("--min-coverage <N>"), "{stdout}");
}

#[test]
fn a_mistyped_option_gets_a_suggestion() {
    let result = sfn_play(&["run", "def.json", "--no-limit"]);
    let stderr = text(&result.stderr);
    assert_eq!(result.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("tip: a similar argument exists: '--no-limits'"),
        "{stderr}"
    );
    // A mistyped command too.
    let result = sfn_play(&["valdate", "def.json"]);
    let stderr = text(&result.stderr);
    assert_eq!(result.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("tip: a similar subcommand exists: 'validate'"),
        "{stderr}"
    );
}

#[test]
fn completions_print_a_script_for_each_shell() {
    let result = sfn_play(&["completions", "bash"]);
    let stdout = text(&result.stdout);
    assert_eq!(result.status.code(), Some(0));
    assert!(bash_function(&stdout).is_some(), "{stdout}");
    // It completes the commands and their options.
    for word in [
        "test-state",
        "conformance",
        "--redrive-with",
        "--min-coverage",
    ] {
        assert!(stdout.contains(word), "bash completions lack {word}");
    }
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        let result = sfn_play(&["completions", shell]);
        let stdout = text(&result.stdout);
        assert_eq!(result.status.code(), Some(0), "{shell}");
        assert!(stdout.contains("sfn-play"), "{shell}: {stdout}");
        // fish writes `-l input-file`, the others `--input-file`.
        assert!(stdout.contains("input-file"), "{shell}: {stdout}");
    }
}

/// The function a bash completion script registers for `sfn-play` (`complete -F NAME ...
/// sfn-play`).
fn bash_function(script: &str) -> Option<&str> {
    script.lines().find_map(|line| {
        let rest = line.trim().strip_prefix("complete -F ")?;
        let (name, options) = rest.split_once(' ')?;
        options.ends_with(" sfn-play").then_some(name)
    })
}

/// What bash completes for the words typed so far (the last one being completed), with the
/// script `sfn-play completions bash` prints; `None` where there is no bash.
fn bash_completes(words: &[&str]) -> Option<Vec<String>> {
    let script = text(&sfn_play(&["completions", "bash"]).stdout);
    let function = bash_function(&script).expect("the script registers a function");
    let words_array = words
        .iter()
        .map(|w| format!("'{w}'"))
        .collect::<Vec<_>>()
        .join(" ");
    let current = words.len() - 1;
    let previous = words.get(current.wrapping_sub(1)).copied().unwrap_or("");
    let program = format!(
        "{script}\nCOMP_WORDS=({words_array}); COMP_CWORD={current}; \
         {function} sfn-play '{}' '{previous}'; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        words[current]
    );
    let output = Command::new("bash").arg("-c").arg(program).output().ok()?;
    assert!(output.status.success(), "{}", text(&output.stderr));
    Some(text(&output.stdout).lines().map(str::to_string).collect())
}

#[test]
fn bash_completes_commands_and_their_options() {
    let Some(commands) = bash_completes(&["sfn-play", "te"]) else {
        eprintln!("no bash: skipped");
        return;
    };
    assert_eq!(commands, ["test-state", "test"]);
    // After a command, its own options (the bin name's hyphen must not break this).
    let run = bash_completes(&["sfn-play", "run", "d.json", "--red"]).expect("bash");
    assert_eq!(run, ["--redrive-with"]);
    let test_state = bash_completes(&["sfn-play", "test-state", "--insp"]).expect("bash");
    assert_eq!(test_state, ["--inspection-level"]);
    let test = bash_completes(&["sfn-play", "test", "--min"]).expect("bash");
    assert_eq!(test, ["--min-coverage"]);
}

/// `--input-file -` reads the input from stdin.
#[test]
fn input_file_dash_reads_stdin() {
    use std::io::Write as _;
    use std::process::Stdio;
    let definition = scratch_file(
        "stdin-pass.asl.json",
        r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}"#,
    );
    let mut child = Command::new(BIN)
        .args(["run", path_str(&definition), "--input-file", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("sfn-play runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(br#"{"from": "stdin"}"#)
        .expect("input written");
    let result = child.wait_with_output().expect("sfn-play ends");
    assert_eq!(result.status.code(), Some(0));
    let output: serde_json::Value =
        serde_json::from_slice(&result.stdout).expect("the output is JSON");
    assert_eq!(output, serde_json::json!({"from": "stdin"}));
}

/// Writes a one-Pass-state case expecting `expected_output` for the input `{"a": 1}`.
fn write_pass_case(dir: &Path, file: &str, name: &str, expected_output: &str) {
    let case = format!(
        r#"{{"name": "{name}", "features": ["state:Pass"],
            "definition": {{"StartAt": "P", "States": {{"P": {{"Type": "Pass", "End": true}}}}}},
            "input": {{"a": 1}}, "context": {{"executionName": "e1"}}, "mocks": {{}},
            "expected": {{"status": "SUCCEEDED", "output": {expected_output}, "events": null}}}}"#
    );
    std::fs::write(dir.join(file), case).expect("case written");
}

#[test]
fn conformance_counts_reports_and_honours_the_floor() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("mini-corpus");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("cases")).expect("corpus dir");
    write_pass_case(&dir.join("cases"), "a.json", "passes", r#"{"a": 1}"#);
    write_pass_case(&dir.join("cases"), "b.json", "fails", r#"{"a": 1.0}"#);
    let report = dir.join("report.json");
    let dir_arg = path_str(&dir);

    let result = sfn_play(&[
        "conformance",
        dir_arg,
        "--verbose",
        "--floor",
        "1",
        "--report",
        path_str(&report),
    ]);
    let stdout = text(&result.stdout);
    assert_eq!(result.status.code(), Some(0), "{stdout}");
    assert_eq!(
        stdout.lines().last(),
        Some("1 passed, 1 failed"),
        "{stdout}"
    );
    assert!(stdout.contains("FAIL fails"), "{stdout}");
    assert!(stdout.contains("at output/a:"), "{stdout}");
    assert!(
        stdout.contains("1.0 (float)") && stdout.contains("1 (integer)"),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.split_whitespace().eq(["state:Pass", "1", "1"])),
        "{stdout}"
    );

    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).expect("report")).expect("JSON");
    let passes = &report["cases"]["passes"];
    assert_eq!(passes["passed"], true);
    assert_eq!(passes["status"], "SUCCEEDED");
    assert_eq!(passes["output"], serde_json::json!({"a": 1}));
    let events = passes["history"]["events"]
        .as_array()
        .expect("history events");
    assert_eq!(
        events.first().map(|e| &e["type"]),
        Some(&"ExecutionStarted".into())
    );
    let fails = &report["cases"]["fails"];
    assert_eq!(fails["passed"], false);
    assert_eq!(fails["firstDifference"]["path"], "output/a");
    assert_eq!(
        (report["passed"].as_u64(), report["failed"].as_u64()),
        (Some(1), Some(1))
    );

    // The cases folder works as well as the corpus root; a floor above the passes fails.
    let cases = dir.join("cases");
    let result = sfn_play(&["conformance", path_str(&cases), "--floor", "2"]);
    assert_eq!(result.status.code(), Some(1));
    assert_eq!(
        text(&result.stdout).lines().last(),
        Some("1 passed, 1 failed")
    );
    assert!(text(&result.stderr).contains("fewer than the floor of 2"));

    let result = sfn_play(&["conformance", dir_arg, "--filter", "passes"]);
    assert_eq!(
        text(&result.stdout).lines().last(),
        Some("1 passed, 0 failed")
    );

    let missing = sfn_play(&["conformance", "/nonexistent/corpus"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing.stderr).contains("conformance corpus not found"));
}

/// `--history` is written event by event as the run goes (and the engine forgets each step's
/// events): the file must be byte for byte the whole document pretty-printed at once, as the
/// history kept by an execution renders it, with `--trace` on or off.
#[test]
fn streamed_history_is_the_whole_document() {
    let definition = r#"{"StartAt": "Fan", "States": {
        "Fan": {"Type": "Parallel", "Next": "Each", "Branches": [
            {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3, "End": true}}},
            {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": [1, 2, 3], "End": true}}}]},
        "Each": {"Type": "Map", "ItemsPath": "$[1]", "MaxConcurrency": 2, "Next": "Count",
            "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": true}}}},
        "Count": {"Type": "Pass", "Result": {"n": "\u00e9\"x"}, "End": true}}}"#;
    let path = scratch_file("streamed-history.asl.json", definition);
    let machine = sfn_engine::parse_definition(definition)
        .into_machine()
        .expect("a valid definition");
    let mut execution = sfn_engine::Execution::new(
        machine,
        serde_json::json!({}),
        sfn_engine::MockSet::default(),
        sfn_engine::ExecutionOptions::default(),
    );
    execution.run();
    let expected = serde_json::to_string_pretty(&sfn_engine::history::to_get_execution_history(
        execution.history(),
    ))
    .expect("rendered")
        + "\n";
    // The visits in the order their states were entered, as the engine keeps them.
    let visits: Vec<String> = execution
        .traces()
        .iter()
        .map(|t| {
            format!(
                "  {} (entered at event #{})",
                t.state_name, t.entered_event_id
            )
        })
        .collect();
    for extra in [None, Some("--trace")] {
        let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("streamed-history.json");
        let mut args = vec!["run", path_str(&path), "--history", path_str(&out)];
        args.extend(extra);
        let result = sfn_play(&args);
        assert_eq!(result.status.code(), Some(0), "{}", text(&result.stderr));
        let written = std::fs::read_to_string(&out).expect("history written");
        assert_eq!(written, expected, "with {extra:?}");
        if extra.is_some() {
            // Visits finish out of order (the Parallel and Map states' after their
            // children's); the data flow still lists them in order.
            let printed: Vec<String> = text(&result.stderr)
                .lines()
                .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
                .map(str::to_string)
                .collect();
            assert_eq!(printed, visits);
        }
    }
}

/// `run --machine NAME=FILE` runs the state machine a `states:startExecution.sync:2` task names
/// as a child execution; `--child-histories DIR` writes its history as `<index>-<name>.json`.
#[test]
fn run_machine_starts_a_child_execution_and_writes_its_history() {
    let parent = scratch_file(
        "parent.asl.json",
        r#"{"StartAt": "Start", "States": {"Start": {"Type": "Task",
            "Resource": "arn:aws:states:::states:startExecution.sync:2",
            "Parameters": {"StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:Child",
                           "Name": "child-run", "Input.$": "$"},
            "OutputPath": "$.Output", "End": true}}}"#,
    );
    let child = scratch_file(
        "child.asl.json",
        r#"{"StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 5, "Next": "Echo"},
            "Echo": {"Type": "Pass", "Parameters": {"got.$": "$.n", "name.$": "$$.Execution.Name"}, "End": true}}}"#,
    );
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("child-histories");
    let _ = std::fs::remove_dir_all(&dir);
    let machine = format!("Child={}", path_str(&child));
    let result = sfn_play(&[
        "run",
        path_str(&parent),
        "--input",
        r#"{"n": 3}"#,
        "--machine",
        &machine,
        "--child-histories",
        path_str(&dir),
    ]);
    assert_eq!(result.status.code(), Some(0), "{}", text(&result.stderr));
    let output: serde_json::Value = serde_json::from_slice(&result.stdout).expect("output JSON");
    assert_eq!(output, serde_json::json!({"got": 3, "name": "child-run"}));
    let history: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("0-child-run.json")).expect("child history written"),
    )
    .expect("history JSON");
    let types: Vec<&str> = history["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["type"].as_str())
        .collect();
    assert_eq!(
        types,
        [
            "ExecutionStarted",
            "WaitStateEntered",
            "WaitStateExited",
            "PassStateEntered",
            "PassStateExited",
            "ExecutionSucceeded"
        ]
    );
    assert_eq!(
        std::fs::read_dir(&dir).expect("folder").count(),
        1,
        "one file per child execution"
    );

    // Without --machine the task is answered by the mocks, as before: here there are none.
    let result = sfn_play(&["run", path_str(&parent)]);
    assert_eq!(result.status.code(), Some(3), "{}", text(&result.stderr));
}

/// `run --redrive-with`: a failed run redriven with a fixed mock file succeeds, the history
/// file holds the whole of it (first attempt, ExecutionRedriven, the rest); a redrive of a run
/// that succeeded is refused with AWS's error (exit 4).
#[test]
fn redrive_with_a_fixed_mock_file() {
    let definition = scratch_file(
        "redrive.asl.json",
        r#"{"StartAt": "Prepare", "States": {
            "Prepare": {"Type": "Pass", "Result": {"order": 7}, "Next": "Charge"},
            "Charge": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "Charge"}, "OutputPath": "$.Payload", "End": true}}}"#,
    );
    let broken = scratch_file(
        "redrive-broken.json",
        r#"{"Functions": {"Charge": [{"throw": {"error": "Broken", "cause": "card declined"}}]}}"#,
    );
    let fixed = scratch_file(
        "redrive-fixed.json",
        r#"{"Functions": {"Charge": [{"return": {"paid": true}}]}}"#,
    );
    let history = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("redrive-history.json");
    let run = |redrives: &[&Path]| {
        let mut args = vec![
            "run",
            path_str(&definition),
            "--mocks",
            path_str(&broken),
            "--history",
            path_str(&history),
        ];
        for file in redrives {
            args.extend(["--redrive-with", path_str(file)]);
        }
        sfn_play(&args)
    };
    let result = run(&[]);
    assert_eq!(result.status.code(), Some(3));
    assert!(text(&result.stderr).contains("error: Broken"));

    let result = run(&[&fixed]);
    assert_eq!(result.status.code(), Some(0), "{}", text(&result.stderr));
    let output: serde_json::Value = serde_json::from_slice(&result.stdout).expect("JSON output");
    assert_eq!(output, serde_json::json!({"paid": true}));
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&history).expect("history written"))
            .expect("JSON history");
    let types: Vec<&str> = written["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["type"].as_str())
        .collect();
    assert_eq!(
        types,
        [
            "ExecutionStarted",
            "PassStateEntered",
            "PassStateExited",
            "TaskStateEntered",
            "TaskScheduled",
            "TaskStarted",
            "TaskFailed",
            "ExecutionFailed",
            "ExecutionRedriven",
            "TaskStateEntered",
            "TaskScheduled",
            "TaskStarted",
            "TaskSucceeded",
            "TaskStateExited",
            "ExecutionSucceeded",
        ]
    );

    let result = run(&[&fixed, &fixed]);
    assert_eq!(result.status.code(), Some(4));
    assert!(text(&result.stderr).contains(
        "redrive refused: ExecutionNotRedrivable: Execution is SUCCEEDED and cannot be redriven."
    ));
}
