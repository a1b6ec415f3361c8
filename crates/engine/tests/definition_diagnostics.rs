//! Parsing hostile and mutated definitions: no panic, no stack overflow, diagnostics inside
//! the text. The invalid definitions with their exact diagnostics are in the catalogue of bad
//! inputs (`tests/bad-inputs/definitions/` at the repository's root).

use sfn_engine::parse_definition;

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
        let parsed = parse_definition(input);
        assert!(!parsed.is_accepted(), "{input:.60}");
        assert!(parsed.first_error().is_some(), "{input:.60}");
        assert!(parsed
            .diagnostics()
            .iter()
            .all(|d| d.line >= 1 && d.column >= 1));
    }
    let parsed = parse_definition(&deep_array);
    let diags = parsed.diagnostics();
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
        while parse_definition(&make(levels + 1)).is_accepted() {
            levels += 1;
        }
        let parsed = parse_definition(&make(levels + 1));
        let diags = parsed.diagnostics();
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
        let parsed = parse_definition(mutated);
        for d in parsed.diagnostics() {
            assert!(d.line >= 1 && d.line <= lines && d.column >= 1, "{d:?}");
        }
        if parsed.first_error().is_some() {
            assert!(parsed.machine().is_none());
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
    let (machine, diags) = parse_definition(text).into_parts();
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
