//! The layout (`sfn_playground_data::layout`) of real definitions: the graph cases
//! (`tests/data/graph`) and every definition of the conformance corpus, built by [`super::build`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use sfn_engine::parse_definition;
use sfn_playground_data::display_graph::{DisplayGraph, NodeKind};
use sfn_playground_data::layout::{layout, EdgePath, GroupBox, Layout, Rect};

fn graph_of(text: &str) -> Option<DisplayGraph> {
    let machine = parse_definition(text).into_machine();
    machine.map(|m| super::build::display_graph(&m))
}

/// The definitions of the engine's graph tests (tutorial, Choice rules, nesting).
fn case_definitions() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/graph");
    let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("engine graph cases")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".definition.json"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("read");
            (p.display().to_string(), text)
        })
        .collect();
    out.sort();
    assert!(out.len() >= 3, "graph cases missing in {}", dir.display());
    out
}

/// What a reader of the drawing relies on: every state drawn once; boxes that share a parent
/// never overlap; everything inside its parent box; a compound state's header on top of its
/// box; edges with at least two points; the drawing's size covers everything.
fn check_layout(what: &str, graph: &DisplayGraph, l: &Layout) {
    for n in graph.nodes.iter().filter(|n| n.kind == NodeKind::State) {
        let boxes = l
            .nodes
            .iter()
            .filter(|b| b.kind == NodeKind::State && b.id == n.id)
            .count();
        assert_eq!(boxes, 1, "{what}: boxes for state {}", n.id);
    }
    let groups: HashMap<&str, &GroupBox> = l.groups.iter().map(|g| (g.id.as_str(), g)).collect();
    // (parent, rect, label) of every box.
    let mut items: Vec<(Option<&str>, Rect, String)> = Vec::new();
    for g in &l.groups {
        items.push((g.parent.as_deref(), g.rect, format!("group {}", g.id)));
    }
    for n in &l.nodes {
        items.push((n.parent.as_deref(), n.rect, format!("node {}", n.id)));
    }
    for (i, (parent, rect, label)) in items.iter().enumerate() {
        assert!(
            rect.width > 0.0 && rect.height > 0.0,
            "{what}: {label} empty"
        );
        assert!(
            rect.x >= 0.0 && rect.y >= 0.0 && rect.right() <= l.width && rect.bottom() <= l.height,
            "{what}: {label} outside the drawing"
        );
        if let Some(p) = parent {
            let pg = groups
                .get(p)
                .unwrap_or_else(|| panic!("{what}: {label}: no box for parent {p}"));
            assert!(
                pg.rect.contains(rect),
                "{what}: {label} outside {p}: {rect:?} in {:?}",
                pg.rect
            );
        }
        for (other_parent, other, other_label) in items.iter().skip(i + 1) {
            if parent == other_parent {
                assert!(
                    !rect.overlaps(other),
                    "{what}: {label} {rect:?} overlaps {other_label} {other:?}"
                );
            }
        }
    }
    for n in l.nodes.iter().filter(|n| n.is_header) {
        let g = groups.get(n.id.as_str()).expect("header's group");
        for (parent, rect, label) in &items {
            if *parent == Some(n.id.as_str()) && rect != &n.rect {
                assert!(
                    rect.y >= n.rect.bottom() - 0.01,
                    "{what}: {label} above header {}",
                    n.id
                );
            }
        }
        assert!(g.rect.contains(&n.rect));
    }
    for e in &l.edges {
        assert!(e.points.len() >= 2, "{what}: edge {} -> {}", e.from, e.to);
        for &(x, y) in &e.points {
            assert!(x.is_finite() && y.is_finite(), "{what}: edge point");
            assert!(x <= l.width && y <= l.height, "{what}: edge point outside");
        }
    }
    let drawn_edges = graph.edges.len();
    assert_eq!(l.edges.len(), drawn_edges, "{what}: every edge drawn");
}

#[test]
fn layout_of_the_graph_cases() {
    for (what, text) in case_definitions() {
        let graph = graph_of(&text).expect("valid definition");
        let l = layout(&graph);
        check_layout(&what, &graph, &l);
    }
}

#[test]
fn choice_labels_are_placed() {
    let (_, text) = case_definitions()
        .into_iter()
        .find(|(p, _)| p.contains("choice_rules"))
        .expect("choice case");
    let graph = graph_of(&text).expect("valid");
    let l = layout(&graph);
    let labelled: Vec<&EdgePath> = l.edges.iter().filter(|e| e.label.is_some()).collect();
    assert_eq!(labelled.len(), 9);
    for (i, a) in labelled.iter().enumerate() {
        let ra = a.label_rect.expect("label placed");
        for b in labelled.iter().skip(i + 1) {
            let rb = b.label_rect.expect("label placed");
            assert!(
                !ra.overlaps(&rb),
                "labels {:?} and {:?} overlap",
                a.label,
                b.label
            );
        }
        for n in &l.nodes {
            assert!(!ra.overlaps(&n.rect), "label {:?} over {}", a.label, n.name);
        }
    }
}

#[test]
fn nested_boxes_nest() {
    let (_, text) = case_definitions()
        .into_iter()
        .find(|(p, _)| p.contains("nested"))
        .expect("nested case");
    let graph = graph_of(&text).expect("valid");
    let l = layout(&graph);
    let group = |id: &str| l.groups.iter().find(|g| g.id == id).expect(id).rect;
    let fan = group("Fan out");
    let b0 = group("Fan out/~b0");
    let b1 = group("Fan out/~b1");
    let each = group("Fan out/~b1/Each");
    let processor = group("Fan out/~b1/Each/~p");
    assert!(fan.contains(&b0) && fan.contains(&b1) && !b0.overlaps(&b1));
    assert!(b1.contains(&each) && each.contains(&processor));
    let work = l.state_box("Work").expect("Work").rect;
    assert!(processor.contains(&work));
    // The branches sit side by side (Parallel), under the header.
    let header = l.state_box("Fan out").expect("header").rect;
    assert!(header.bottom() <= b0.y.min(b1.y));
    // Depth orders the groups outermost first.
    let depths: Vec<usize> = l.groups.iter().map(|g| g.depth).collect();
    let mut sorted = depths.clone();
    sorted.sort();
    assert_eq!(depths, sorted);
}

/// `$CONFORMANCE_DIR`, else `shared/conformance` beside any folder above the package.
fn conformance_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("CONFORMANCE_DIR") {
        let dir = PathBuf::from(d);
        return dir.join("cases").is_dir().then_some(dir);
    }
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|a| a.join("shared/conformance"))
        .find(|d| d.join("cases").is_dir())
}

/// Every definition AWS ran in the conformance corpus lays out without a panic (dagre is a
/// port with unwraps inside; the page must never crash on a definition) and well.
#[test]
fn layout_of_every_corpus_definition() {
    let Some(dir) = conformance_dir() else {
        eprintln!("SKIPPED: no conformance corpus (set CONFORMANCE_DIR)");
        return;
    };
    let mut checked = 0;
    for entry in std::fs::read_dir(dir.join("cases")).expect("cases") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|x| x != "json") {
            continue;
        }
        let case: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
        let text = serde_json::to_string(&case["definition"]).expect("definition");
        let Some(graph) = graph_of(&text) else {
            continue;
        };
        let l = layout(&graph);
        check_layout(&path.display().to_string(), &graph, &l);
        checked += 1;
    }
    assert!(checked > 100, "only {checked} corpus definitions laid out");
}

/// Parallel branches and Choice rules read left to right in definition order (the last
/// rule's Default rightmost), as the console draws them.
#[test]
fn branches_and_rules_read_left_to_right() {
    let text = r#"{"StartAt": "P", "States": {
      "P": {"Type": "Parallel", "Next": "C", "Branches": [
        {"StartAt": "B1", "States": {"B1": {"Type": "Pass", "End": true}}},
        {"StartAt": "B2", "States": {"B2": {"Type": "Pass", "End": true}}},
        {"StartAt": "B3", "States": {"B3": {"Type": "Pass", "End": true}}}]},
      "C": {"Type": "Choice", "Choices": [
        {"Variable": "$.a", "IsPresent": true, "Next": "R1"},
        {"Variable": "$.b", "IsPresent": true, "Next": "R2"}], "Default": "D"},
      "R1": {"Type": "Succeed"}, "R2": {"Type": "Succeed"}, "D": {"Type": "Succeed"}}}"#;
    let graph = graph_of(text).expect("valid");
    let l = layout(&graph);
    check_layout("order", &graph, &l);
    let x = |name: &str| l.state_box(name).map(|b| b.rect.x).expect(name);
    assert!(x("B1") < x("B2") && x("B2") < x("B3"), "branches");
    assert!(x("R1") < x("R2") && x("R2") < x("D"), "rules, then Default");
}
