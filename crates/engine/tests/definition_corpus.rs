//! Every definition of the AWS conformance corpus that AWS accepted (they all ran there),
//! JSONata and variables included, must parse with no error diagnostic.
//!
//! The corpus is read from `$CONFORMANCE_DIR`, or from `shared/conformance` next to the
//! repository; when it is absent the tests say so and pass.

mod common;
use common::{case_files, conformance_dir};

use serde_json::Value;
use sfn_engine::choice::ChoiceRule;
use sfn_engine::definition::{Payload, QueryLanguage, StateKind, StateMachine};
use sfn_engine::jsonata::JsonataValue;
use sfn_engine::{parse_definition, Severity};

#[test]
fn corpus_definitions_parse_without_errors() {
    let Some(dir) = conformance_dir() else {
        eprintln!(
            "SKIPPED: no conformance corpus (set CONFORMANCE_DIR or provide ../../../shared/conformance)"
        );
        return;
    };
    let files = case_files(&dir);

    let (mut checked, mut with_warnings) = (0, 0);
    let mut failures = Vec::new();
    let mut warning_codes = std::collections::BTreeMap::new();
    for path in &files {
        let text = std::fs::read_to_string(path).expect("read case");
        let case: Value = serde_json::from_str(&text).expect("case is JSON");
        checked += 1;
        let definition = serde_json::to_string_pretty(&case["definition"]).expect("serialize");
        let parsed = parse_definition(&definition);
        let errors: Vec<_> = parsed.errors().collect();
        let diags = parsed.diagnostics();
        if diags.iter().any(|d| d.severity == Severity::Warning) {
            with_warnings += 1;
        }
        for d in diags.iter().filter(|d| d.severity == Severity::Warning) {
            let code: String = d.message.chars().take_while(|c| *c != ':').collect();
            *warning_codes.entry(code).or_insert(0) += 1;
        }
        if !parsed.is_accepted() {
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            failures.push(format!("{name}: {errors:#?}"));
        }
    }
    eprintln!(
        "conformance definitions: {checked} checked, {} rejected, {with_warnings} with warnings",
        failures.len()
    );
    eprintln!("warnings by code: {warning_codes:?}");
    assert_eq!(checked, files.len());
    assert!(checked > 0, "no definition checked");
    assert!(
        failures.is_empty(),
        "{} definitions rejected:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every JSONata and variables field of every corpus definition lands in the model as
/// written: the state's effective query language, Assign, Output, Arguments, Items, the
/// Choice rules' Condition, Assign and Output, and the catchers' Assign and Output.
#[test]
fn corpus_jsonata_and_variable_fields_reach_the_model() {
    let Some(dir) = conformance_dir() else {
        eprintln!("SKIPPED: no conformance corpus");
        return;
    };
    let mut counts = std::collections::BTreeMap::new();
    let mut problems = Vec::new();
    let files = case_files(&dir);
    for path in &files {
        let text = std::fs::read_to_string(path).expect("read case");
        let case: Value = serde_json::from_str(&text).expect("case is JSON");
        let definition = serde_json::to_string_pretty(&case["definition"]).expect("serialize");
        let Some(machine) = parse_definition(&definition).into_machine() else {
            continue; // reported by the test above
        };
        let top = match case["definition"]["QueryLanguage"].as_str() {
            Some("JSONata") => QueryLanguage::Jsonata,
            _ => QueryLanguage::JsonPath,
        };
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        compare_scope(
            &case["definition"],
            &machine,
            top,
            &mut Report {
                case: &name,
                counts: &mut counts,
                problems: &mut problems,
            },
        );
    }
    eprintln!("JSONata/variables fields checked in the model: {counts:?}");
    assert!(counts.get("Condition").is_some_and(|n| *n > 0));
    assert!(counts.get("Arguments").is_some_and(|n| *n > 0));
    assert!(counts.get("Catch Assign").is_some_and(|n| *n > 0));
    assert!(
        problems.is_empty(),
        "{} fields differ:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

struct Report<'a> {
    case: &'a str,
    counts: &'a mut std::collections::BTreeMap<&'static str, usize>,
    problems: &'a mut Vec<String>,
}

impl Report<'_> {
    fn check(
        &mut self,
        what: &'static str,
        state: &str,
        json: Option<&Value>,
        model: Option<&Value>,
    ) {
        if json.is_some() {
            *self.counts.entry(what).or_insert(0) += 1;
        }
        if json != model {
            self.problems.push(format!(
                "{}: state {state}: {what}: definition {json:?}, model {model:?}",
                self.case
            ));
        }
    }
}

fn compare_scope(json: &Value, machine: &StateMachine, top: QueryLanguage, r: &mut Report<'_>) {
    let Some(states) = json["States"].as_object() else {
        return;
    };
    for (name, js) in states {
        let Some(state) = machine.state(name) else {
            r.problems.push(format!("{}: state {name} missing", r.case));
            continue;
        };
        let expected_ql = match js["QueryLanguage"].as_str() {
            Some("JSONata") => QueryLanguage::Jsonata,
            Some(_) => QueryLanguage::JsonPath,
            None => top,
        };
        if state.query_language != expected_ql {
            r.problems
                .push(format!("{}: state {name}: query language differs", r.case));
        }
        r.check(
            "Assign",
            name,
            js.get("Assign"),
            state.assign.as_ref().map(Payload::source),
        );
        r.check(
            "Output",
            name,
            js.get("Output"),
            state.output.as_ref().map(JsonataValue::source),
        );
        let (arguments, catch) = match &state.kind {
            StateKind::Task(t) => (t.arguments.as_ref(), Some(&t.catch)),
            StateKind::Parallel(p) => (p.arguments.as_ref(), Some(&p.catch)),
            StateKind::Map(m) => (None, Some(&m.catch)),
            _ => (None, None),
        };
        r.check(
            "Arguments",
            name,
            js.get("Arguments"),
            arguments.map(JsonataValue::source),
        );
        if let Some(catch) = catch {
            let empty = Vec::new();
            let items = js["Catch"].as_array().unwrap_or(&empty);
            for (item, catcher) in items.iter().zip(catch) {
                r.check(
                    "Catch Assign",
                    name,
                    item.get("Assign"),
                    catcher.assign.as_ref().map(Payload::source),
                );
                r.check(
                    "Catch Output",
                    name,
                    item.get("Output"),
                    catcher.output.as_ref().map(JsonataValue::source),
                );
            }
        }
        match &state.kind {
            StateKind::Map(m) => {
                r.check(
                    "Items",
                    name,
                    js.get("Items"),
                    m.items.as_ref().map(JsonataValue::source),
                );
                let processor = js.get("ItemProcessor").or_else(|| js.get("Iterator"));
                if let Some(p) = processor {
                    compare_scope(p, &m.item_processor, top, r);
                }
            }
            StateKind::Parallel(p) => {
                let empty = Vec::new();
                let branches = js["Branches"].as_array().unwrap_or(&empty);
                for (b, branch) in branches.iter().zip(&p.branches) {
                    compare_scope(b, branch, top, r);
                }
            }
            StateKind::Choice(c) => {
                let empty = Vec::new();
                let rules = js["Choices"].as_array().unwrap_or(&empty);
                for (rule, branch) in rules.iter().zip(&c.choices) {
                    let condition = match &branch.rule {
                        ChoiceRule::Condition(v) => Some(v.source()),
                        _ => None,
                    };
                    r.check("Condition", name, rule.get("Condition"), condition);
                    r.check(
                        "Rule Assign",
                        name,
                        rule.get("Assign"),
                        branch.assign.as_ref().map(Payload::source),
                    );
                    r.check(
                        "Rule Output",
                        name,
                        rule.get("Output"),
                        branch.output.as_ref().map(JsonataValue::source),
                    );
                }
            }
            _ => {}
        }
    }
}
