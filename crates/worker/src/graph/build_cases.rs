//! The display graph of a definition ([`super::build`]): data-driven. Each
//! `crates/worker/tests/data/graph/<case>.definition.json`
//! has a `<case>.expected.txt` listing the graph's nodes and edges one per line:
//!
//! ```text
//! node <kind> <id> [: <type>] [in <parent>] [@<pointer>]
//! edge <from> -> <to> [<kind>] [<label>] [(title: <full text>)]
//! ```
//!
//! Run with `UPDATE_EXPECT=1` to rewrite the expected files from the current output (then read
//! the diff: the expected files are the specification).
//!
//! Also: every definition of the conformance corpus that parses gives a well-formed graph.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use sfn_engine::definition::model::{StateKind, StateMachine};
use sfn_engine::parse_definition;
use sfn_playground_data::display_graph::{DisplayGraph, NodeKind, MAX_LABEL_CHARS};

use super::build::display_graph;

/// The conformance corpus: `CONFORMANCE_DIR`, else a `shared/conformance` folder above this one.
fn conformance_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("CONFORMANCE_DIR") {
        let dir = PathBuf::from(dir);
        return dir.join("cases").is_dir().then_some(dir);
    }
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|a| a.join("shared/conformance"))
        .find(|d| d.join("cases").is_dir())
}

/// The corpus's case files, sorted by name.
fn case_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("cases"))
        .expect("read the corpus's cases folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/graph")
}

fn render(graph: &DisplayGraph) -> String {
    let mut out = String::new();
    for n in &graph.nodes {
        let kind = serde_json::to_value(n.kind).expect("kind");
        out.push_str(&format!("node {} {}", kind.as_str().unwrap_or("?"), n.id));
        if let Some(t) = &n.type_name {
            out.push_str(&format!(" : {t}"));
        }
        if let Some(p) = &n.parent {
            out.push_str(&format!(" in {p}"));
        }
        if let Some(p) = &n.pointer {
            out.push_str(&format!(" @{p}"));
        }
        if n.kind != NodeKind::State {
            out.push_str(&format!(" \"{}\"", n.name));
        }
        out.push('\n');
    }
    for e in &graph.edges {
        let kind = serde_json::to_value(e.kind).expect("kind");
        out.push_str(&format!(
            "edge {} -> {} [{}]",
            e.from,
            e.to,
            kind.as_str().unwrap_or("?")
        ));
        if let Some(l) = &e.label {
            out.push_str(&format!(" {l}"));
        }
        if e.title != e.label {
            if let Some(t) = &e.title {
                out.push_str(&format!(" (title: {t})"));
            }
        }
        out.push('\n');
    }
    out
}

fn graph_of(text: &str) -> (StateMachine, DisplayGraph) {
    let (machine, diags) = parse_definition(text).into_parts();
    let machine = machine.unwrap_or_else(|| panic!("definition does not parse: {diags:#?}"));
    let graph = display_graph(&machine);
    (machine, graph)
}

#[test]
fn graph_cases_match_expected() {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(data_dir())
        .expect("read tests/data/graph")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with(".definition.json"))
        })
        .collect();
    cases.sort();
    assert!(cases.len() >= 3, "graph cases missing: {cases:?}");
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut failures = Vec::new();
    for case in &cases {
        let text = std::fs::read_to_string(case).expect("read definition");
        let (machine, graph) = graph_of(&text);
        check_well_formed(&machine, &graph, &case.display().to_string());
        let actual = render(&graph);
        let expected_path = PathBuf::from(
            case.display()
                .to_string()
                .replace(".definition.json", ".expected.txt"),
        );
        if update {
            std::fs::write(&expected_path, &actual).expect("write expected");
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if expected != actual {
            failures.push(format!(
                "{}:\n--- expected\n{expected}\n--- actual\n{actual}",
                case.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// What the UI relies on: unique ids, edges and parents that exist, every state drawn once,
/// short labels, and a JSON round trip (the worker sends the graph to the page).
fn check_well_formed(machine: &StateMachine, graph: &DisplayGraph, what: &str) {
    let mut ids = HashSet::new();
    for n in &graph.nodes {
        assert!(ids.insert(n.id.as_str()), "{what}: duplicate id {}", n.id);
    }
    for n in &graph.nodes {
        if let Some(parent) = &n.parent {
            let p = graph
                .node(parent)
                .unwrap_or_else(|| panic!("{what}: parent {parent} of {} missing", n.id));
            let expected_parent_kind = match n.kind {
                NodeKind::Branch | NodeKind::ItemProcessor => NodeKind::State,
                _ => p.kind,
            };
            assert_eq!(p.kind, expected_parent_kind, "{what}: parent of {}", n.id);
            if matches!(n.kind, NodeKind::State | NodeKind::Start | NodeKind::End) {
                assert!(
                    matches!(p.kind, NodeKind::Branch | NodeKind::ItemProcessor),
                    "{what}: {} nested in a {:?}",
                    n.id,
                    p.kind
                );
            }
        }
    }
    for e in &graph.edges {
        assert!(
            ids.contains(e.from.as_str()),
            "{what}: edge from {}",
            e.from
        );
        assert!(ids.contains(e.to.as_str()), "{what}: edge to {}", e.to);
        if let Some(label) = &e.label {
            assert!(label.chars().count() <= MAX_LABEL_CHARS, "{what}: {label}");
        }
    }
    let mut names = Vec::new();
    collect_names(machine, &mut names);
    for name in &names {
        assert!(
            graph.state_node(name).is_some(),
            "{what}: state {name} not drawn"
        );
    }
    let states = graph
        .nodes
        .iter()
        .filter(|n| n.kind == NodeKind::State)
        .count();
    assert_eq!(states, names.len(), "{what}: state nodes");
    let json = serde_json::to_string(graph).expect("serialize");
    let back: DisplayGraph = serde_json::from_str(&json).expect("deserialize");
    assert_eq!(&back, graph, "{what}: JSON round trip");
}

fn collect_names(machine: &StateMachine, names: &mut Vec<String>) {
    for (name, state) in &machine.states {
        names.push(name.clone());
        match &state.kind {
            StateKind::Parallel(p) => p.branches.iter().for_each(|b| collect_names(b, names)),
            StateKind::Map(m) => collect_names(&m.item_processor, names),
            _ => {}
        }
    }
}

#[test]
fn graph_json_uses_snake_case_names() {
    let text = std::fs::read_to_string(data_dir().join("tutorial.definition.json")).expect("read");
    let (_, graph) = graph_of(&text);
    let json = serde_json::to_value(&graph).expect("serialize");
    assert_eq!(json["nodes"][0]["kind"], "start");
    assert_eq!(json["nodes"][1]["type_name"], "Task");
    assert_eq!(json["nodes"][1]["name"], "Call API");
    assert_eq!(json["edges"][0]["kind"], "start");
}

#[test]
fn graph_of_every_corpus_definition_is_well_formed() {
    let Some(dir) = conformance_dir() else {
        eprintln!("SKIPPED: no conformance corpus (set CONFORMANCE_DIR)");
        return;
    };
    let mut checked = 0;
    for path in case_files(&dir) {
        let case: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
        let text = serde_json::to_string_pretty(&case["definition"]).expect("definition");
        let Some(machine) = parse_definition(&text).into_machine() else {
            continue;
        };
        let graph = display_graph(&machine);
        check_well_formed(&machine, &graph, &path.display().to_string());
        checked += 1;
    }
    assert!(checked > 100, "only {checked} corpus definitions parsed");
}
