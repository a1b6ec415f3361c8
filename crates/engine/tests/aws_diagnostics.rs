//! Definitions with the diagnostics AWS's ValidateStateMachineDefinition gives them: each
//! `NAME.case.json` of `data/definitions/aws_diagnostics/` names its definition
//! (`definition_file`, read as written: it fixes the lines and columns) and gives every
//! diagnostic in order, with AWS's severity, code, message (without the code) and location,
//! and `"playground": true` for the playground's own hints. A definition is accepted exactly
//! when no diagnostic is an ERROR.

use std::path::Path;

use serde_json::{json, Value};
use sfn_engine::{parse_definition, Severity};

fn rendered(definition: &str) -> Vec<Value> {
    parse_definition(definition)
        .diagnostics()
        .iter()
        .map(|d| {
            let mut item = json!({
                "severity": match d.severity {
                    Severity::Error => "ERROR",
                    Severity::Warning => "WARNING",
                },
                "code": d.code,
                "message": d.text(),
                "location": d.pointer,
                "line": d.line,
                "column": d.column,
            });
            if d.playground {
                item["playground"] = json!(true);
            }
            item
        })
        .collect()
}

#[test]
fn definitions_give_aws_diagnostics() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/definitions/aws_diagnostics");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("the cases' folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.to_string_lossy().ends_with(".case.json"))
        .collect();
    files.sort();
    assert!(files.len() >= 4, "cases in {}", dir.display());
    let mut failures = Vec::new();
    for path in &files {
        let case: Value =
            serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("JSON");
        assert!(case["why"].is_string(), "{}: says why", path.display());
        let file = case["definition_file"].as_str().expect("definition_file");
        let definition = std::fs::read_to_string(dir.join(file)).expect("read the definition");
        let got = rendered(&definition);
        let want = case["diagnostics"].as_array().cloned().unwrap_or_default();
        if got != want {
            failures.push(format!(
                "{}:\n  expected {}\n  got      {}",
                path.display(),
                serde_json::to_string_pretty(&want).expect("render"),
                serde_json::to_string_pretty(&got).expect("render")
            ));
        }
        let has_error = got.iter().any(|d| d["severity"] == "ERROR");
        assert_eq!(
            parse_definition(&definition).is_accepted(),
            !has_error,
            "{}: accepted exactly when no diagnostic is an ERROR",
            path.display()
        );
        assert!(
            got.iter()
                .filter(|d| d["playground"] == true)
                .all(|d| d["severity"] == "WARNING"),
            "{}: the playground's hints are warnings",
            path.display()
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
