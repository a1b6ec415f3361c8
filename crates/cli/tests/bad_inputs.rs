//! The catalogue of bad inputs: every `*.case.json` under `tests/bad-inputs/` at the
//! repository's root (but `share-links/`, which `crates/playground-data/src/share.rs` runs) is
//! fed to `sfn-play`, and what it prints must be exactly what the case expects. The format is in
//! `tests/bad-inputs/README.md`.
//!
//! Each case runs in its own process, so a stack overflow or an abort fails that case alone,
//! under a time limit, so a hang fails it too instead of stalling the test, and (on Unix) under
//! a limit on its address space ([`MEMORY_LIMIT_KIB`]), so a case that takes gigabytes fails
//! (its allocation fails, the process aborts) instead of exhausting the machine.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Map, Value};
use sfn_engine::{parse_definition, Severity};

const BIN: &str = env!("CARGO_BIN_EXE_sfn-play");

/// A case that takes longer than this is reported as hanging, and killed.
const TIME_LIMIT: Duration = Duration::from_secs(60);

/// The address space a case's process may take (`ulimit -v`, KiB): 1 GiB. Virtual, not
/// resident: a debug build reserves some address space besides what it uses, and every case
/// must stay well within it (the issue's bound is 512 MB resident).
const MEMORY_LIMIT_KIB: u64 = 1024 * 1024;

/// The definition run when a case gives none: one Pass state.
const PASS: &str = r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}"#;

fn catalogue_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/bad-inputs")
}

/// One case: where it is written, its name for messages, and its fields.
struct Case {
    dir: PathBuf,
    name: String,
    spec: Map<String, Value>,
}

/// Every case of every category but `share-links`, in order of path; a file holding
/// `{"cases": [...]}` gives one case per element.
fn load_cases() -> Vec<(String, Vec<Case>)> {
    let root = catalogue_dir();
    let mut categories: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir() && !p.ends_with("share-links"))
        .collect();
    categories.sort();
    let mut out = Vec::new();
    for category in categories {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&category)
            .expect("read category")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.to_string_lossy().ends_with(".case.json"))
            .collect();
        files.sort();
        let category_name = category
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let mut cases = Vec::new();
        for file in files {
            let text = std::fs::read_to_string(&file).expect("read case");
            let value: Value = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{}: not JSON: {e}", file.display()));
            let stem = file
                .file_name()
                .expect("name")
                .to_string_lossy()
                .trim_end_matches(".case.json")
                .to_string();
            let Value::Object(spec) = value else {
                panic!("{}: a case is an object", file.display());
            };
            match spec.get("cases") {
                Some(Value::Array(items)) => {
                    for (i, item) in items.iter().enumerate() {
                        let Value::Object(item) = item else {
                            panic!("{}: cases[{i}] is not an object", file.display());
                        };
                        cases.push(Case {
                            dir: category.clone(),
                            name: format!("{category_name}/{stem}[{i}]"),
                            spec: item.clone(),
                        });
                    }
                }
                _ => cases.push(Case {
                    dir: category.clone(),
                    name: format!("{category_name}/{stem}"),
                    spec,
                }),
            }
        }
        out.push((category_name, cases));
    }
    out
}

/// Text made from a small description, so that huge inputs are not committed.
fn generate(spec: &Value) -> Result<Vec<u8>, String> {
    let number = |key: &str| {
        spec.get(key)
            .and_then(Value::as_u64)
            .map(|n| n as usize)
            .ok_or_else(|| format!("generate: {key} is not a number"))
    };
    if spec.get("nested_arrays").is_some() {
        let n = number("nested_arrays")?;
        return Ok(format!("{}{}", "[".repeat(n), "]".repeat(n)).into_bytes());
    }
    if spec.get("json_string_of_bytes").is_some() {
        // A JSON string whose text, quotes included, is exactly this many bytes.
        let n = number("json_string_of_bytes")?;
        return Ok(format!("\"{}\"", "x".repeat(n.saturating_sub(2))).into_bytes());
    }
    if let Some(Value::String(unit)) = spec.get("repeat") {
        let text = |key: &str| spec.get(key).and_then(Value::as_str).unwrap_or("");
        let times = number("times")?;
        return Ok(
            format!("{}{}{}", text("prefix"), unit.repeat(times), text("suffix")).into_bytes(),
        );
    }
    Err(format!("generate: unknown description {spec}"))
}

fn hex(text: &str) -> Result<Vec<u8>, String> {
    let digits: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
    digits
        .chunks(2)
        .map(|pair| {
            let pair: String = pair.iter().collect();
            u8::from_str_radix(&pair, 16).map_err(|_| format!("bad hex {pair:?}"))
        })
        .collect()
}

/// The bytes of `key` (`definition`, `input` or `mocks`): a JSON value (`key`), a text
/// (`key_text`), bytes (`key_hex`), a file beside the case (`key_file`) or generated
/// (`key_generate`).
fn source(case: &Case, key: &str) -> Result<Option<Vec<u8>>, String> {
    let spec = &case.spec;
    if let Some(value) = spec.get(key) {
        let text = if key == "definition" {
            serde_json::to_string_pretty(value)
        } else {
            serde_json::to_string(value)
        };
        return text
            .map(|t| Some(t.into_bytes()))
            .map_err(|e| e.to_string());
    }
    if let Some(text) = spec.get(&format!("{key}_text")) {
        let text = text.as_str().ok_or(format!("{key}_text is not a string"))?;
        return Ok(Some(text.as_bytes().to_vec()));
    }
    if let Some(text) = spec.get(&format!("{key}_hex")) {
        return hex(text.as_str().ok_or(format!("{key}_hex is not a string"))?).map(Some);
    }
    if let Some(file) = spec.get(&format!("{key}_file")) {
        let file = case
            .dir
            .join(file.as_str().ok_or(format!("{key}_file is not a string"))?);
        return std::fs::read(&file)
            .map(Some)
            .map_err(|e| format!("{}: {e}", file.display()));
    }
    if let Some(description) = spec.get(&format!("{key}_generate")) {
        return generate(description).map(Some);
    }
    Ok(None)
}

fn strings(value: Option<&Value>, what: &str) -> Result<Vec<String>, String> {
    match value {
        None => Ok(Vec::new()),
        // A string with line breaks stands for its lines (a message of several lines).
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str()
                    .map(|s| s.split('\n').map(str::to_string).collect::<Vec<_>>())
                    .ok_or(format!("{what}: not a string: {v}"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(|lines| lines.concat()),
        Some(other) => Err(format!("{what}: not a list of strings: {other}")),
    }
}

struct Ran {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// `sfn-play args` under [`MEMORY_LIMIT_KIB`]: through `sh`, which sets the limit and then
/// becomes `sfn-play` (`exec`), so that the limit applies to it alone.
fn limited_command(args: &[String]) -> Command {
    if cfg!(unix) {
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg(format!(
                "ulimit -v {MEMORY_LIMIT_KIB} && exec \"$0\" \"$@\""
            ))
            .arg(BIN)
            .args(args);
        command
    } else {
        let mut command = Command::new(BIN);
        command.args(args);
        command
    }
}

/// Runs `sfn-play args`, killing it past [`TIME_LIMIT`]. With `endless_stdin`, its stdin is
/// that text repeated until it stops reading (`yes | sfn-play ...`).
fn sfn_play(args: &[String], endless_stdin: Option<&str>) -> Result<Ran, String> {
    let mut child = limited_command(args)
        .stdin(if endless_stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    if let (Some(mut stdin), Some(unit)) = (child.stdin.take(), endless_stdin) {
        let chunk = unit.repeat(4096 / unit.len().max(1) + 1);
        // Writes until the pipe closes: the child stopped reading or exited.
        std::thread::spawn(move || {
            use std::io::Write;
            while stdin.write_all(chunk.as_bytes()).is_ok() {}
        });
    }
    // Drained on threads so that a large output cannot block the child.
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let out = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = out.read_to_end(&mut buf);
        buf
    });
    let err = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = err.read_to_end(&mut buf);
        buf
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if start.elapsed() > TIME_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("hung: still running after {TIME_LIMIT:?}, killed"));
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let text = |buf: Vec<u8>| String::from_utf8_lossy(&buf).into_owned();
    Ok(Ran {
        code: status.code(),
        stdout: text(out.join().expect("stdout read")),
        stderr: text(err.join().expect("stderr read")),
    })
}

/// `severity | line:column | pointer | message`, the pointer `-` for the whole document.
fn render_diagnostic(d: &sfn_engine::Diagnostic) -> String {
    let severity = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let pointer = if d.pointer.is_empty() {
        "-"
    } else {
        &d.pointer
    };
    format!(
        "{severity} | {}:{} | {pointer} | {}",
        d.line, d.column, d.message
    )
}

/// The line `sfn-play validate` prints for an expected diagnostic line.
fn cli_line(path: &str, expected: &str) -> Result<String, String> {
    let parts: Vec<&str> = expected.splitn(4, " | ").collect();
    let [severity, position, _pointer, message] = parts[..] else {
        return Err(format!("bad diagnostic line {expected:?}"));
    };
    Ok(format!("{path}:{position}: {severity}: {message}"))
}

fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::to_string).collect()
}

fn compare(what: &str, got: &[String], expected: &[String]) -> Result<(), String> {
    if got == expected {
        return Ok(());
    }
    let show = |l: &[String]| {
        l.iter()
            .map(|s| {
                if s.len() > 400 {
                    let start: String = s.chars().take(400).collect();
                    format!("    {start}... ({} bytes)", s.len())
                } else {
                    format!("    {s}")
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    Err(format!(
        "{what} differs:\n  expected:\n{}\n  got:\n{}",
        show(expected),
        show(got)
    ))
}

fn run_case(case: &Case, scratch: &Path) -> Result<(), String> {
    let spec = &case.spec;
    if !spec.get("why").is_some_and(Value::is_string) {
        return Err("every case says why it is bad (\"why\")".into());
    }
    std::fs::create_dir_all(scratch).map_err(|e| e.to_string())?;
    let definition_path = scratch.join("definition.asl.json");
    let definition = source(case, "definition")?.unwrap_or_else(|| PASS.as_bytes().to_vec());
    std::fs::write(&definition_path, &definition).map_err(|e| e.to_string())?;
    let definition_path = definition_path.to_string_lossy().into_owned();
    let mut placeholders = vec![
        ("{definition}", definition_path.clone()),
        ("{dir}", scratch.to_string_lossy().into_owned()),
    ];

    let command = spec.get("command").and_then(Value::as_str).unwrap_or("run");
    let mut args = vec![command.to_string()];
    if !spec.contains_key("argv") {
        args.push(definition_path.clone());
    }
    if command == "run" {
        // The input and the mocks, when the case has them, go to files named by an option.
        for (field, file, option, placeholder) in [
            ("input", "input.json", "--input-file", "{input}"),
            ("mocks", "mocks.json", "--mocks", "{mocks}"),
        ] {
            if let Some(text) = source(case, field)? {
                let path = scratch.join(file);
                std::fs::write(&path, text).map_err(|e| e.to_string())?;
                let path = path.to_string_lossy().into_owned();
                args.extend([option.to_string(), path.clone()]);
                placeholders.push((placeholder, path));
            }
        }
        if let Some(name) = spec.get("test_case").and_then(Value::as_str) {
            args.extend(["--test-case".to_string(), name.to_string()]);
        }
    }
    let fill = |text: &str| {
        placeholders
            .iter()
            .fold(text.to_string(), |t, (from, to)| t.replace(from, to))
    };
    // `argv`: the whole command line after `sfn-play`, for usage errors; else extra options.
    if let Some(argv) = spec.get("argv") {
        args = strings(Some(argv), "argv")?
            .iter()
            .map(|a| fill(a))
            .collect();
    } else {
        args.extend(strings(spec.get("args"), "args")?.iter().map(|a| fill(a)));
    }

    let endless_stdin = spec.get("stdin_endless").and_then(Value::as_str);
    let ran = sfn_play(&args, endless_stdin)?;
    let mut problems = Vec::new();
    if command == "validate" {
        let expected = strings(spec.get("diagnostics"), "diagnostics")?;
        // The model's view, pointers included...
        match std::str::from_utf8(&definition) {
            Ok(text) => {
                let parsed = parse_definition(text);
                let got: Vec<String> = parsed.diagnostics().iter().map(render_diagnostic).collect();
                if let Err(e) = compare("parse_definition's diagnostics", &got, &expected) {
                    problems.push(e);
                }
            }
            Err(_) if !expected.is_empty() => {
                problems.push("a definition that is not UTF-8 has no diagnostics".into())
            }
            Err(_) => {}
        }
        // ...and what the CLI prints.
        let want: Vec<String> = expected
            .iter()
            .map(|e| cli_line(&definition_path, e))
            .collect::<Result<_, _>>()?;
        if let Err(e) = compare("stdout", &lines(&ran.stdout), &want) {
            problems.push(e);
        }
        let has_error = expected.iter().any(|e| e.starts_with("error |"));
        let exit = spec
            .get("exit")
            .and_then(Value::as_i64)
            .unwrap_or(i64::from(has_error));
        if ran.code.map(i64::from) != Some(exit) {
            problems.push(format!("exit code {:?}, expected {exit}", ran.code));
        }
        let stderr: Vec<String> = strings(spec.get("stderr"), "stderr")?
            .iter()
            .map(|l| fill(l))
            .collect();
        if let Err(e) = compare("stderr", &lines(&ran.stderr), &stderr) {
            problems.push(e);
        }
    } else {
        let exit = spec
            .get("exit")
            .and_then(Value::as_i64)
            .ok_or("a run case gives its exit code (\"exit\")")?;
        if ran.code.map(i64::from) != Some(exit) {
            problems.push(format!(
                "exit code {:?}, expected {exit} (stderr: {:.600})",
                ran.code, ran.stderr
            ));
        }
        let stderr: Vec<String> = strings(spec.get("stderr"), "stderr")?
            .iter()
            .map(|l| fill(l))
            .collect();
        if let Err(e) = compare("stderr", &lines(&ran.stderr), &stderr) {
            problems.push(e);
        }
        match spec.get("stdout_bytes").and_then(Value::as_u64) {
            Some(n) => {
                if ran.stdout.len() as u64 != n {
                    problems.push(format!(
                        "stdout has {} bytes, expected {n}",
                        ran.stdout.len()
                    ));
                }
            }
            None => {
                let stdout: Vec<String> = strings(spec.get("stdout"), "stdout")?
                    .iter()
                    .map(|l| fill(l))
                    .collect();
                if let Err(e) = compare("stdout", &lines(&ran.stdout), &stdout) {
                    problems.push(e);
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

#[test]
fn every_bad_input_gives_its_exact_error() {
    let start = Instant::now();
    let scratch_root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bad-inputs");
    let categories = load_cases();
    assert!(
        !categories.is_empty(),
        "no categories under tests/bad-inputs"
    );
    let mut failures = Vec::new();
    let mut counts = Vec::new();
    let mut total = 0;
    for (category, cases) in &categories {
        assert!(!cases.is_empty(), "{category}: no cases");
        for case in cases {
            let scratch = scratch_root.join(case.name.replace(['/', '[', ']'], "_"));
            let case_start = Instant::now();
            let result = run_case(case, &scratch);
            let elapsed = case_start.elapsed();
            if elapsed > Duration::from_secs(5) {
                eprintln!("slow case {}: {elapsed:?}", case.name);
            }
            if let Err(problem) = result {
                let why = case.spec.get("why").and_then(Value::as_str).unwrap_or("");
                failures.push(format!("{} ({why}):\n{problem}", case.name));
            }
        }
        counts.push(format!("{category}: {}", cases.len()));
        total += cases.len();
    }
    eprintln!(
        "{total} bad inputs in {:.1?} ({})",
        start.elapsed(),
        counts.join(", ")
    );
    assert!(
        failures.is_empty(),
        "{} of {total} bad inputs differ:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
