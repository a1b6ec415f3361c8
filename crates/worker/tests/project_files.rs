//! Project files opened on the page, as data: each folder of `tests/data/project-files/` holds a
//! `case.json`: the file read (`file`, in the folder, or `shared`, a fixture of other tests
//! named from the workspace's root), the `substitutions` the user typed, whether `fake_arns`
//! were asked for, and what the worker must answer (`expected`: `machines`, each with its
//! `logical_id` and its `definition` as JSON, members in order, or its exact `text`; `missing`;
//! `notices`; `problem`).

use std::path::{Path, PathBuf};

use serde_json::Value;
use sfn_playground_data::protocol::{FromWorker, ProjectFileView, ToWorker};
use sfn_worker::project_file::read_project_file;
use sfn_worker::service::Service;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .map(|v| v.as_str().expect("a string").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Why `got` is not what `expected` says, if it is not.
fn mismatch(got: &ProjectFileView, expected: &Value) -> Option<String> {
    let machines = expected
        .get("machines")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if got.machines.len() != machines.len() {
        return Some(format!(
            "{} machines, expected {}",
            got.machines.len(),
            machines.len()
        ));
    }
    for (machine, want) in got.machines.iter().zip(&machines) {
        let id = want["logical_id"].as_str().map(str::to_owned);
        if machine.logical_id != id {
            return Some(format!(
                "logical id {:?}, expected {id:?}",
                machine.logical_id
            ));
        }
        if let Some(text) = want.get("text").and_then(Value::as_str) {
            if machine.definition != text {
                return Some(format!("text {:?}, expected {text:?}", machine.definition));
            }
        }
        if let Some(definition) = want.get("definition") {
            let parsed: Value = match serde_json::from_str(&machine.definition) {
                Ok(v) => v,
                Err(e) => return Some(format!("not JSON ({e}): {}", machine.definition)),
            };
            // Written out, so that the members' order counts.
            let (got, want) = (parsed.to_string(), definition.to_string());
            if got != want {
                return Some(format!("definition\n  {got}\nexpected\n  {want}"));
            }
            if !machine.definition.ends_with("}\n") || !machine.definition.contains("\n  ") {
                return Some(format!("not pretty-printed: {}", machine.definition));
            }
        }
    }
    let missing = strings(expected.get("missing"));
    if got.missing != missing {
        return Some(format!("missing {:?}, expected {missing:?}", got.missing));
    }
    let notices = strings(expected.get("notices"));
    if got.notices != notices {
        return Some(format!("notices {:#?}, expected {notices:#?}", got.notices));
    }
    let problem = expected
        .get("problem")
        .and_then(Value::as_str)
        .map(str::to_owned);
    if got.problem != problem {
        return Some(format!("problem {:?}, expected {problem:?}", got.problem));
    }
    None
}

#[test]
fn every_project_file_case_gives_its_answer() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/project-files");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("cases folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 10, "cases in {}", root.display());
    let mut failures = Vec::new();
    for dir in &dirs {
        let case: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("case.json")).expect("case"))
                .expect("case.json is JSON");
        let path = match (case.get("file"), case.get("shared")) {
            (Some(Value::String(file)), None) => dir.join(file),
            (None, Some(Value::String(shared))) => workspace_root().join(shared),
            _ => panic!("{}: give `file` or `shared`", dir.display()),
        };
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let name = path.file_name().expect("a name").to_string_lossy();
        let substitutions: Vec<(String, String)> = case
            .get("substitutions")
            .and_then(Value::as_object)
            .map(|subs| {
                subs.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().expect("a string").to_owned()))
                    .collect()
            })
            .unwrap_or_default();
        let fake_arns = case["fake_arns"].as_bool().unwrap_or(false);
        let got = read_project_file(&name, &text, &substitutions, fake_arns);
        assert_eq!(got.name, name);
        if let Some(why) = mismatch(&got, &case["expected"]) {
            failures.push(format!("{}: {why}", dir.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_service_answers_a_project_file_with_its_id() {
    let mut service = Service::new();
    let reply = service.handle(ToWorker::ReadProjectFile {
        id: 9,
        name: "machine.yaml".into(),
        text: "StartAt: A\nStates:\n  A: {Type: Pass, End: true}\n".into(),
        substitutions: Vec::new(),
        fake_arns: false,
    });
    let FromWorker::ProjectFileRead { id, file } = reply else {
        panic!("{reply:?}");
    };
    assert_eq!(id, 9);
    assert_eq!(file.problem, None);
    assert_eq!(file.machines.len(), 1);
    // What the worker answers is a definition the engine accepts.
    let reply = service.handle(ToWorker::CheckDefinition {
        id: 10,
        text: file.machines[0].definition.clone(),
    });
    assert!(
        matches!(&reply, FromWorker::DefinitionChecked { marks, layout: Some(_), .. } if marks.is_empty()),
        "{reply:?}"
    );
}
