//! Project files as data: each folder of `tests/data/sources/` holds a definition file or a
//! template and its `case.json`: `file`, `kind` (`definition` or `template`), optionally
//! `logical_id`, `subs` (an object), `fake_arns`, and `expected` (the definition the engine must
//! read, as JSON; it must also be accepted) or `error` (the message). Run with the engine's
//! `project-files` feature (`cargo test -p sfn-engine --features project-files`; a workspace
//! `cargo test` has it through the CLI).

use std::path::{Path, PathBuf};

use serde_json::Value;
use sfn_engine::source::template::{find_state_machine, TemplateDefinition};
use sfn_engine::source::{
    definition_from_value, read_definition, read_document, DefinitionText, SourceError,
    SourceFormat, Substitutions,
};

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn load(dir: &Path, case: &Value) -> Result<DefinitionText, SourceError> {
    let file = case["file"].as_str().expect("file");
    let text = read(&dir.join(file));
    let mut subs = Substitutions::new();
    subs.fake_arns = case["fake_arns"].as_bool().unwrap_or(false);
    let extra = case
        .get("subs")
        .cloned()
        .unwrap_or(Value::Object(Default::default()));
    if case["kind"] == "template" {
        let (template, positions) = read_document(&text, SourceFormat::detect("", &text))?;
        let machine = find_state_machine(&template, case["logical_id"].as_str())?;
        for (name, value) in &machine.substitutions {
            subs.insert(name.clone(), value.clone());
        }
        subs.insert_object(&extra)?;
        match machine.definition {
            TemplateDefinition::Object { value, pointer } => {
                definition_from_value(value, positions.map(|p| p.under(&pointer)), &subs)
            }
            TemplateDefinition::Text { text, .. } => {
                read_definition(&text, SourceFormat::Json, &subs)
            }
            TemplateDefinition::Uri(uri) => {
                let path = dir.join(&uri);
                let text = read(&path);
                read_definition(&text, SourceFormat::from_name(&uri), &subs)
            }
        }
    } else {
        subs.insert_object(&extra)?;
        read_definition(&text, SourceFormat::from_name(file), &subs)
    }
}

#[test]
fn every_source_case_gives_its_definition() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/sources");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("sources folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.join("case.json").is_file())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 8, "the cases are there");
    let mut failures = Vec::new();
    for dir in &dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let case: Value = serde_json::from_str(&read(&dir.join("case.json"))).expect("case.json");
        assert!(
            case["why"].is_string(),
            "{name}: every case says what it shows (\"why\")"
        );
        match (load(dir, &case), case.get("expected"), case.get("error")) {
            (Ok(definition), Some(expected), None) => {
                let got: Value = serde_json::from_str(definition.json()).expect("JSON");
                if &got != expected {
                    failures.push(format!(
                        "{name}: got\n{}",
                        serde_json::to_string_pretty(&got).unwrap()
                    ));
                } else if !definition.parse().is_accepted() {
                    failures.push(format!(
                        "{name}: rejected: {:?}",
                        definition.parse().diagnostics()
                    ));
                }
            }
            (Err(error), None, Some(expected)) => {
                if error.to_string() != expected.as_str().unwrap_or_default() {
                    failures.push(format!("{name}: error {error}"));
                }
            }
            (Ok(definition), _, _) => failures.push(format!(
                "{name}: read, expected an error: {}",
                definition.json()
            )),
            (Err(error), _, _) => failures.push(format!("{name}: {error}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Diagnostics of a YAML definition are at the YAML file's lines and columns.
#[test]
fn yaml_diagnostics_point_at_the_yaml() {
    let text = "StartAt: A\nStates:\n  A:\n    Type: Pass\n    Next: Nowhere\n";
    let definition = read_definition(text, SourceFormat::Yaml, &Substitutions::new()).unwrap();
    let parsed = definition.parse();
    let at = |pointer: &str| {
        let d = parsed
            .diagnostics()
            .iter()
            .find(|d| d.pointer == pointer)
            .unwrap();
        (d.line, d.column)
    };
    assert_eq!(at("/States/A/Next"), (5, 5), "{:?}", parsed.diagnostics());
    assert_eq!(at(""), (1, 1), "{:?}", parsed.diagnostics());
}

/// Diagnostics of a template's inline Definition are at the template's lines.
#[test]
fn inline_definition_diagnostics_point_at_the_template() {
    let text = "Resources:\n  M:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n      Definition:\n        StartAt: A\n        States:\n          A:\n            Type: Pas\n            End: true\n";
    let (template, positions) = read_document(text, SourceFormat::Yaml).unwrap();
    let machine = find_state_machine(&template, None).unwrap();
    let TemplateDefinition::Object { value, pointer } = machine.definition else {
        panic!("inline");
    };
    let definition = definition_from_value(
        value,
        positions.map(|p| p.under(&pointer)),
        &Substitutions::new(),
    )
    .unwrap();
    let parsed = definition.parse();
    let d = &parsed.diagnostics()[0];
    assert_eq!((d.line, d.column), (9, 13), "{d:?}");
}

#[test]
fn yaml_syntax_errors_have_a_position() {
    let error =
        read_definition("StartAt: [A\n", SourceFormat::Yaml, &Substitutions::new()).unwrap_err();
    assert!(
        error.position.is_some() && error.message.starts_with("not valid YAML"),
        "{error}"
    );
}

/// Aliases of aliases (a "billion laughs") and deep nesting are refused, not expanded.
#[test]
fn hostile_yaml_is_refused() {
    let mut laughs = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..12 {
        let previous = format!("*a{}", i - 1);
        laughs.push_str(&format!(
            "a{i}: &a{i} [{}]\n",
            vec![previous; 10].join(", ")
        ));
    }
    let error = read_definition(&laughs, SourceFormat::Yaml, &Substitutions::new()).unwrap_err();
    assert!(error.message.contains("more than 1000000 nodes"), "{error}");
    // yaml-rust2 stops deep flow nesting itself; block nesting stops at ours.
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let error = read_definition(&deep, SourceFormat::Yaml, &Substitutions::new()).unwrap_err();
    assert!(error.message.contains("recursion limit"), "{error}");
    let deep = format!("{}x\n", "- ".repeat(200));
    let error = read_definition(&deep, SourceFormat::Yaml, &Substitutions::new()).unwrap_err();
    assert!(error.message.contains("nested deeper than 128"), "{error}");
}
