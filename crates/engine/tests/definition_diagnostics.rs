//! Data-driven: each `tests/data/definitions/invalid/NAME.json` is a definition with problems,
//! and `NAME.expected` lists every diagnostic it must produce, in order, one a line:
//!
//! ```text
//! error | 8:15 | /States/Call API/Next | MISSING_TRANSITION_TARGET: Missing 'Next' target: Missing
//! ```
//!
//! severity, line:column, JSON pointer, and a substring of the message. The list is complete:
//! an extra or a missing diagnostic fails the case. Lines starting with `#` are comments.
//! A definition with no error must come with a model, one with an error without.

use std::path::{Path, PathBuf};

use sfn_engine::{parse_definition, Diagnostic, Severity};

struct Expected {
    severity: Severity,
    line: u32,
    column: u32,
    pointer: String,
    message: String,
}

fn parse_expected(path: &Path) -> Vec<Expected> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e} (every case needs its .expected)", path.display()));
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|line| {
            let parts: Vec<&str> = line.splitn(4, " | ").collect();
            let [severity, position, pointer, message] = parts[..] else {
                panic!("{}: bad line {line:?}", path.display());
            };
            let severity = match severity {
                "error" => Severity::Error,
                "warning" => Severity::Warning,
                other => panic!("{}: bad severity {other:?}", path.display()),
            };
            let (l, c) = position
                .split_once(':')
                .unwrap_or_else(|| panic!("{}: bad position {position:?}", path.display()));
            Expected {
                severity,
                line: l.parse().expect("line"),
                column: c.parse().expect("column"),
                // An empty pointer (the whole document) is written as `-`.
                pointer: if pointer == "-" {
                    String::new()
                } else {
                    pointer.to_string()
                },
                message: message.to_string(),
            }
        })
        .collect()
}

fn render(d: &Diagnostic) -> String {
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

fn matches(e: &Expected, d: &Diagnostic) -> bool {
    e.severity == d.severity
        && e.line == d.line
        && e.column == d.column
        && e.pointer == d.pointer
        && d.message.contains(&e.message)
}

#[test]
fn invalid_definitions_report_every_problem_with_its_position() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/definitions/invalid");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("read invalid definitions")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    cases.sort();
    assert!(!cases.is_empty());

    let mut failures = Vec::new();
    for case in &cases {
        let text = std::fs::read_to_string(case).expect("read case");
        let expected = parse_expected(&case.with_extension("expected"));
        let (machine, diags) = parse_definition(&text);
        let ok = diags.len() == expected.len()
            && expected.iter().zip(&diags).all(|(e, d)| matches(e, d));
        let has_error = diags.iter().any(|d| d.severity == Severity::Error);
        if !ok || has_error == machine.is_some() {
            failures.push(format!(
                "{}: got (model: {}):\n{}",
                case.file_name().unwrap_or_default().to_string_lossy(),
                machine.is_some(),
                diags.iter().map(render).collect::<Vec<_>>().join("\n")
            ));
        }
    }
    eprintln!("{} invalid definitions checked", cases.len());
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

/// Whatever the text, parsing returns diagnostics and never panics or overflows the stack.
#[test]
fn hostile_inputs_never_panic() {
    let deep_array = "[".repeat(200_000);
    let deep_object = "{\"a\":".repeat(100_000);
    let deep_states = format!(
        "{{\"StartAt\":\"A\",\"States\":{{\"A\":{{\"Type\":\"Pass\",\"End\":true,\"Result\":{}1{}}}}}}}",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let inputs = [
        deep_array.as_str(),
        deep_object.as_str(),
        deep_states.as_str(),
        "",
        "\u{feff}",
        "null",
        "\"\\ud800\"",
        "1e999999",
        "{\"StartAt\": {}, \"States\": []}",
        "{\"StartAt\": \"A\", \"States\": {\"A\": null}}",
        "{\"StartAt\": \"A\", \"States\": {\"A\": {\"Type\": \"Map\", \"End\": true, \"ItemProcessor\": 7, \"Retry\": [1, {}], \"Catch\": {}}}}",
        "{\"StartAt\": \"A\", \"States\": {\"A\": {\"Type\": \"Parallel\", \"End\": true, \"Branches\": [{}, [], {\"StartAt\": 1, \"States\": {\"B\": {}}}]}}}",
        "{\"StartAt\": \"A\", \"States\": {\"A\": {\"Type\": \"Choice\", \"Choices\": [7, {\"Next\": 1}]}}}",
    ];
    for input in inputs {
        let (machine, diags) = parse_definition(input);
        assert!(machine.is_none(), "{input:.60}");
        assert!(
            diags.iter().any(|d| d.severity == Severity::Error),
            "{input:.60}"
        );
        assert!(diags.iter().all(|d| d.line >= 1 && d.column >= 1));
    }
    let (_, diags) = parse_definition(&deep_array);
    assert!(
        diags[0].message.contains("nested more than"),
        "{}",
        diags[0].message
    );
}

/// Parallel and Map states nested as deep as the JSON depth cap allows still parse within a
/// small stack (1 MiB, the default of a wasm module), in a debug build too.
#[test]
fn deepest_nesting_fits_a_small_stack() {
    fn parallels(levels: usize) -> String {
        let mut s = r#"{"StartAt": "S", "States": {"S": {"Type": "Succeed"}}}"#.to_string();
        for i in 0..levels {
            s = format!(
                r#"{{"StartAt": "P{i}", "States": {{"P{i}": {{"Type": "Parallel", "End": true, "Branches": [{s}]}}}}}}"#
            );
        }
        s
    }
    fn maps(levels: usize) -> String {
        let mut s = r#"{"StartAt": "S", "States": {"S": {"Type": "Succeed"}}}"#.to_string();
        for i in 0..levels {
            s = format!(
                r#"{{"StartAt": "M{i}", "States": {{"M{i}": {{"Type": "Map", "End": true, "ItemProcessor": {s}}}}}}}"#
            );
        }
        s
    }
    /// The deepest nesting that is still accepted, and the verdict one level deeper.
    fn deepest(make: fn(usize) -> String) -> (usize, bool) {
        let mut levels = 1;
        while parse_definition(&make(levels + 1)).0.is_some() {
            levels += 1;
        }
        let (_, diags) = parse_definition(&make(levels + 1));
        (levels, diags[0].message.contains("nested more than"))
    }
    let result = std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(|| (deepest(parallels), deepest(maps)))
        .expect("spawn")
        .join()
        .expect("no stack overflow");
    let ((parallel_levels, parallel_capped), (map_levels, map_capped)) = result;
    eprintln!("deepest accepted: {parallel_levels} Parallel, {map_levels} Map levels");
    assert!(parallel_levels >= 20 && parallel_capped);
    assert!(map_levels >= 20 && map_capped);
}

/// Every one-character deletion, a set of insertions and every truncation of a valid
/// definition: no panic, and every diagnostic points inside the text.
#[test]
fn mutated_definitions_never_panic() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/definitions/valid/all_states.json"
    );
    let text = std::fs::read_to_string(path).expect("read definition");
    let chars: Vec<char> = text.chars().collect();
    let lines = u32::try_from(text.lines().count()).expect("few lines") + 1;
    let check = |mutated: &str| {
        let (machine, diags) = parse_definition(mutated);
        for d in &diags {
            assert!(d.line >= 1 && d.line <= lines && d.column >= 1, "{d:?}");
        }
        if diags.iter().any(|d| d.severity == Severity::Error) {
            assert!(machine.is_none());
        }
    };
    let inserts = [
        '"', '{', '}', '[', ']', ',', ':', '0', '-', 'é', '\\', '\n', 'x',
    ];
    for i in 0..chars.len() {
        let deleted: String = chars[..i].iter().chain(&chars[i + 1..]).collect();
        check(&deleted);
        let truncated: String = chars[..i].iter().collect();
        check(&truncated);
        let insert = inserts[i % inserts.len()];
        let inserted: String = chars[..i]
            .iter()
            .chain(std::iter::once(&insert))
            .chain(&chars[i..])
            .collect();
        check(&inserted);
    }
}

/// Every `{% ... %}` of a JSONata state is checked with the JSONata parser, wherever it is:
/// each invalid one is reported at its own position and the definition is rejected.
#[test]
fn invalid_jsonata_expressions_are_reported_where_they_are() {
    if sfn_engine::jsonata::check("{% ( %}").is_ok() {
        eprintln!("SKIPPED: this build's JSONata checker accepts everything");
        return;
    }
    let text = r#"{
  "QueryLanguage": "JSONata",
  "StartAt": "T",
  "States": {
    "T": {
      "Type": "Task",
      "Resource": "arn:aws:states:::lambda:invoke",
      "Arguments": {"deep": ["{% $states.input. %}"]},
      "TimeoutSeconds": "{% 1 + %}",
      "Output": "{% $states.result %}",
      "Next": "C"
    },
    "C": {
      "Type": "Choice",
      "Choices": [{"Condition": "{% $x = %}", "Assign": {"v": "{% [1, %}"}, "Next": "W"}],
      "Default": "W"
    },
    "W": {"Type": "Wait", "Seconds": "{% ) %}", "Next": "M"},
    "M": {
      "Type": "Map",
      "Items": "{% $states.input.items[ %}",
      "ItemProcessor": {"StartAt": "S", "States": {"S": {"Type": "Succeed"}}},
      "Next": "F"
    },
    "F": {"Type": "Fail", "Error": "{% 'unterminated %}"}
  }
}"#;
    let (machine, diags) = parse_definition(text);
    assert!(machine.is_none());
    let got: Vec<(u32, u32, &str)> = diags
        .iter()
        .filter(|d| d.message.contains("is not a valid JSONata expression"))
        .map(|d| (d.line, d.column, d.pointer.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (8, 30, "/States/T/Arguments/deep/0"),
            (9, 25, "/States/T/TimeoutSeconds"),
            (15, 33, "/States/C/Choices/0/Condition"),
            (15, 63, "/States/C/Choices/0/Assign/v"),
            (18, 38, "/States/W/Seconds"),
            (21, 16, "/States/M/Items"),
            (25, 36, "/States/F/Error"),
        ],
        "{diags:#?}"
    );
    assert_eq!(diags.len(), got.len(), "{diags:#?}");
}
