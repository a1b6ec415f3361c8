//! Where everything of a [`DisplayGraph`] goes on the page: a layered (Sugiyama) layout by the
//! `dagre` crate, top to bottom, as a compound graph so that Parallel branches and Map item
//! processors become boxes nested in their state's box.
//!
//! How the engine's graph maps onto dagre's (dagre cannot route edges to a box, only to leaves):
//! - a plain state is a leaf box;
//! - a Parallel or Map state is a box (a dagre cluster) holding a *header* leaf (the clickable
//!   box with the state's name, at the top), its branch / item processor boxes, and a *footer*
//!   leaf (a small point at the bottom where the branches join). Edges into the state end at the
//!   header; edges out of it (Next, Catch) leave from the footer;
//! - the start of a nested scope is the enclosing state's header and its end the footer, so a
//!   branch reads `header -> first state -> ... -> footer`;
//! - the top-level Start and End are small round boxes.
//!
//! Pure Rust with no browser in sight: the layout is unit-tested natively.

use std::collections::HashMap;

use dagre::graph::{Graph, GraphOptions};
use dagre::layout::types::LabelPos;
use dagre::{EdgeLabel, LayoutOptions, NodeLabel};
use serde::{Deserialize, Serialize};
use sfn_playground_data::display_graph::{DisplayGraph, EdgeKind, GraphNode, NodeKind};

/// Height of a state box (name and type on two lines).
pub const STATE_HEIGHT: f64 = 46.0;
/// Narrowest state box.
pub const MIN_STATE_WIDTH: f64 = 130.0;
/// Estimated width of one character of a state name (13px sans-serif, generous so that text
/// stays inside its box in every common font).
pub const NAME_CHAR_WIDTH: f64 = 7.6;
/// Estimated width of one character of an edge label (11px).
pub const LABEL_CHAR_WIDTH: f64 = 6.4;
/// Height of an edge label.
pub const LABEL_HEIGHT: f64 = 18.0;
/// Size of the top-level Start and End boxes.
pub const TERMINAL_WIDTH: f64 = 64.0;
pub const TERMINAL_HEIGHT: f64 = 28.0;
/// Size of a footer point (where a Parallel's branches or a Map's processor join; drawn as a
/// small dot, edges end on it without an arrowhead).
pub const FOOTER_SIZE: f64 = 2.0;
/// Radius of the dot drawn at a join.
pub const JOIN_RADIUS: f64 = 3.0;
/// Space around the whole drawing.
pub const MARGIN: f64 = 16.0;

/// An axis-aligned rectangle; `x`, `y` is the top-left corner.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

impl Rect {
    fn centered(cx: f64, cy: f64, width: f64, height: f64) -> Rect {
        Rect {
            x: cx - width / 2.0,
            y: cy - height / 2.0,
            width,
            height,
        }
    }

    pub fn right(&self) -> f64 {
        self.x + self.width
    }

    pub fn bottom(&self) -> f64 {
        self.y + self.height
    }

    /// Whether the interiors intersect (touching edges do not count).
    pub fn overlaps(&self, other: &Rect) -> bool {
        const EPS: f64 = 0.01;
        self.x < other.right() - EPS
            && other.x < self.right() - EPS
            && self.y < other.bottom() - EPS
            && other.y < self.bottom() - EPS
    }

    /// Whether `other` lies inside this rectangle.
    pub fn contains(&self, other: &Rect) -> bool {
        const EPS: f64 = 0.01;
        other.x >= self.x - EPS
            && other.y >= self.y - EPS
            && other.right() <= self.right() + EPS
            && other.bottom() <= self.bottom() + EPS
    }
}

/// A box drawn behind its content: a Parallel or Map state's outline, a branch, an item processor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupBox {
    /// The engine node's id.
    pub id: String,
    pub kind: NodeKind,
    /// The group's caption (`Branch 1`, `Item processor`); empty for a state's outline, whose
    /// name is on its header.
    pub caption: String,
    pub rect: Rect,
    /// The id of the enclosing group, if any.
    pub parent: Option<String>,
    /// Nesting depth (0 at the top level): groups are drawn outermost first.
    pub depth: usize,
}

/// A box the user sees and can click: a state (for a Parallel or Map state, its header), or the
/// top-level Start or End.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeBox {
    /// The engine node's id.
    pub id: String,
    pub kind: NodeKind,
    /// The state's name (what statuses and clicks are keyed by), or `Start` / `End`.
    pub name: String,
    pub type_name: Option<String>,
    pub rect: Rect,
    /// The id of the enclosing group (a branch or item processor, or a state's outline for a
    /// header), if any.
    pub parent: Option<String>,
    /// Whether this is the header of a Parallel or Map state.
    pub is_header: bool,
}

/// An edge as a polyline, with its label's box.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EdgePath {
    pub from: String,
    pub to: String,
    pub kind: EdgeKind,
    pub label: Option<String>,
    pub title: Option<String>,
    pub points: Vec<(f64, f64)>,
    pub label_rect: Option<Rect>,
    /// Whether the edge ends at a state (with an arrowhead) rather than at a join dot.
    pub arrow: bool,
}

/// The laid-out graph, in page coordinates (origin top-left).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Layout {
    pub width: f64,
    pub height: f64,
    /// Outermost first.
    pub groups: Vec<GroupBox>,
    pub nodes: Vec<NodeBox>,
    pub edges: Vec<EdgePath>,
    /// Centres of the join dots at the bottom of Parallel and Map boxes.
    pub joins: Vec<(f64, f64)>,
}

impl Layout {
    /// The box of the state with this name.
    pub fn state_box(&self, name: &str) -> Option<&NodeBox> {
        self.nodes
            .iter()
            .find(|n| n.kind == NodeKind::State && n.name == name)
    }
}

/// What a graph node becomes in the layout.
#[derive(Clone, Copy, PartialEq)]
enum Role {
    /// A leaf box.
    Leaf,
    /// A Parallel or Map state: a cluster with a header and a footer.
    Compound,
    /// A branch or item processor: a cluster.
    Container,
    /// The start or end of a nested scope: aliased to the enclosing state's header / footer.
    Alias,
}

/// Whether a dagre id is a footer (`n<i>f`).
fn is_footer(id: &str) -> bool {
    id.ends_with('f')
}

/// Estimated width of a state box for its name and type.
pub fn state_width(name: &str, type_name: &str) -> f64 {
    let chars = name.chars().count().max(type_name.chars().count()) as f64;
    (chars * NAME_CHAR_WIDTH + 32.0).max(MIN_STATE_WIDTH)
}

fn label_width(label: &str) -> f64 {
    label.chars().count() as f64 * LABEL_CHAR_WIDTH + 10.0
}

/// Lays out a display graph. Never fails: edges whose ends are unknown are left out.
pub fn layout(graph: &DisplayGraph) -> Layout {
    let index: HashMap<&str, usize> = graph
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), i))
        .collect();
    let node_at = |id: &str| {
        index
            .get(id)
            .and_then(|&i| graph.nodes.get(i).map(|n| (i, n)))
    };

    let role = |n: &GraphNode| match n.kind {
        NodeKind::Branch | NodeKind::ItemProcessor => Role::Container,
        NodeKind::Start | NodeKind::End if n.parent.is_some() => Role::Alias,
        NodeKind::State
            if graph
                .nodes
                .iter()
                .any(|c| c.parent.as_deref() == Some(n.id.as_str())) =>
        {
            Role::Compound
        }
        _ => Role::Leaf,
    };
    let roles: Vec<Role> = graph.nodes.iter().map(role).collect();
    let role_of = |i: usize| roles.get(i).copied().unwrap_or(Role::Leaf);

    // The state whose header/footer a nested start/end stands for: the parent of its container.
    let alias_target = |n: &GraphNode| -> Option<usize> {
        let (_, container) = node_at(n.parent.as_deref()?)?;
        let (state_index, _) = node_at(container.parent.as_deref()?)?;
        Some(state_index)
    };
    let dagre_id = |i: usize| format!("n{i}");
    // Where an edge into / out of engine node `i` attaches in the dagre graph.
    let entry = |i: usize| -> Option<String> {
        let n = graph.nodes.get(i)?;
        match role_of(i) {
            Role::Leaf => Some(dagre_id(i)),
            Role::Compound => Some(format!("n{i}h")),
            Role::Container => None,
            Role::Alias => {
                let s = alias_target(n)?;
                Some(if n.kind == NodeKind::Start {
                    format!("n{s}h")
                } else {
                    format!("n{s}f")
                })
            }
        }
    };
    let exit = |i: usize| -> Option<String> {
        match role_of(i) {
            Role::Compound => Some(format!("n{i}f")),
            _ => entry(i),
        }
    };

    let mut g: Graph<NodeLabel, EdgeLabel> = Graph::with_options(GraphOptions {
        directed: true,
        multigraph: true,
        compound: true,
    });
    let leaf = |width: f64, height: f64| NodeLabel {
        width,
        height,
        ..NodeLabel::default()
    };
    for (i, n) in graph.nodes.iter().enumerate() {
        let parent = n
            .parent
            .as_deref()
            .and_then(node_at)
            .map(|(p, _)| dagre_id(p));
        match role_of(i) {
            Role::Alias => continue,
            Role::Leaf => {
                let (w, h) = match n.kind {
                    NodeKind::State => (
                        state_width(&n.name, n.type_name.as_deref().unwrap_or("")),
                        STATE_HEIGHT,
                    ),
                    _ => (TERMINAL_WIDTH, TERMINAL_HEIGHT),
                };
                g.set_node(dagre_id(i), Some(leaf(w, h)));
            }
            Role::Compound => {
                g.set_node(dagre_id(i), Some(NodeLabel::default()));
                let w = state_width(&n.name, n.type_name.as_deref().unwrap_or(""));
                let header = format!("n{i}h");
                let footer = format!("n{i}f");
                g.set_node(header.clone(), Some(leaf(w, STATE_HEIGHT)));
                g.set_node(footer.clone(), Some(leaf(FOOTER_SIZE, FOOTER_SIZE)));
                g.set_parent(&header, Some(&dagre_id(i)));
                g.set_parent(&footer, Some(&dagre_id(i)));
            }
            Role::Container => {
                g.set_node(dagre_id(i), Some(NodeLabel::default()));
            }
        }
        if let Some(parent) = parent {
            g.set_parent(&dagre_id(i), Some(&parent));
        }
    }

    // Edges, keyed by their index so that parallel edges (several Choice rules to one state)
    // stay distinct.
    let mut kept = Vec::new();
    for (k, e) in graph.edges.iter().enumerate() {
        let (Some((from, _)), Some((to, _))) = (node_at(&e.from), node_at(&e.to)) else {
            continue;
        };
        let (Some(v), Some(w)) = (exit(from), entry(to)) else {
            continue;
        };
        let mut label = EdgeLabel::default();
        if let Some(text) = &e.label {
            label.width = label_width(text);
            label.height = LABEL_HEIGHT;
            label.labelpos = LabelPos::Center;
        }
        let name = format!("e{k}");
        g.set_edge(v.clone(), w.clone(), Some(label), Some(&name));
        kept.push((k, v, w, name));
    }

    dagre::layout(
        &mut g,
        Some(LayoutOptions {
            nodesep: 28.0,
            ranksep: 36.0,
            edgesep: 12.0,
            marginx: MARGIN,
            marginy: MARGIN,
            ..LayoutOptions::default()
        }),
    );

    let rect_of = |id: &str| -> Option<Rect> {
        let n = g.node(id)?;
        Some(Rect::centered(n.x?, n.y?, n.width, n.height))
    };
    let depth_of = |n: &GraphNode| {
        let mut depth = 0usize;
        let mut cur = n.parent.as_deref();
        // Bounded by the number of nodes: a malformed parent cycle cannot loop forever.
        while let Some(p) = cur {
            if depth > graph.nodes.len() {
                break;
            }
            depth += 1;
            cur = node_at(p).and_then(|(_, pn)| pn.parent.as_deref());
        }
        depth
    };

    let mut out = Layout::default();
    for (i, n) in graph.nodes.iter().enumerate() {
        match role_of(i) {
            Role::Alias => {}
            Role::Container | Role::Compound => {
                if let Some(rect) = rect_of(&dagre_id(i)) {
                    out.groups.push(GroupBox {
                        id: n.id.clone(),
                        kind: n.kind,
                        caption: if role_of(i) == Role::Container {
                            n.name.clone()
                        } else {
                            String::new()
                        },
                        rect,
                        parent: n.parent.clone(),
                        depth: depth_of(n),
                    });
                }
                if role_of(i) == Role::Compound {
                    if let Some(r) = rect_of(&format!("n{i}f")) {
                        out.joins.push((r.x + r.width / 2.0, r.y + r.height / 2.0));
                    }
                    if let Some(rect) = rect_of(&format!("n{i}h")) {
                        out.nodes.push(NodeBox {
                            id: n.id.clone(),
                            kind: n.kind,
                            name: n.name.clone(),
                            type_name: n.type_name.clone(),
                            rect,
                            parent: Some(n.id.clone()),
                            is_header: true,
                        });
                    }
                }
            }
            Role::Leaf => {
                if let Some(rect) = rect_of(&dagre_id(i)) {
                    out.nodes.push(NodeBox {
                        id: n.id.clone(),
                        kind: n.kind,
                        name: n.name.clone(),
                        type_name: n.type_name.clone(),
                        rect,
                        parent: n.parent.clone(),
                        is_header: false,
                    });
                }
            }
        }
    }
    out.groups.sort_by_key(|g| g.depth);

    for (k, v, w, name) in kept {
        let (Some(e), Some(label)) = (graph.edges.get(k), g.edge(&v, &w, Some(&name))) else {
            continue;
        };
        let points: Vec<(f64, f64)> = label.points.iter().map(|p| (p.x, p.y)).collect();
        if points.len() < 2 {
            continue;
        }
        let label_rect = match (&e.label, label.x, label.y) {
            (Some(_), Some(x), Some(y)) => Some(Rect::centered(x, y, label.width, label.height)),
            _ => None,
        };
        out.edges.push(EdgePath {
            from: e.from.clone(),
            to: e.to.clone(),
            kind: e.kind,
            label: e.label.clone(),
            title: e.title.clone(),
            points,
            label_rect,
            arrow: !is_footer(&w),
        });
    }

    // The drawing's size: everything, margins included (edge points may stray past dagre's box).
    let mut max_x: f64 = 0.0;
    let mut max_y: f64 = 0.0;
    let rects = out
        .groups
        .iter()
        .map(|g| g.rect)
        .chain(out.nodes.iter().map(|n| n.rect))
        .chain(out.edges.iter().filter_map(|e| e.label_rect));
    for r in rects {
        max_x = max_x.max(r.right());
        max_y = max_y.max(r.bottom());
    }
    for e in &out.edges {
        for &(x, y) in &e.points {
            max_x = max_x.max(x);
            max_y = max_y.max(y);
        }
    }
    out.width = max_x + MARGIN;
    out.height = max_y + MARGIN;
    out
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::path::{Path, PathBuf};

    use super::*;
    use sfn_engine::parse_definition;

    fn graph_of(text: &str) -> Option<DisplayGraph> {
        let machine = parse_definition(text).into_machine();
        machine.map(|m| crate::graph::build::display_graph(&m))
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
        let groups: HashMap<&str, &GroupBox> =
            l.groups.iter().map(|g| (g.id.as_str(), g)).collect();
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
                rect.x >= 0.0
                    && rect.y >= 0.0
                    && rect.right() <= l.width
                    && rect.bottom() <= l.height,
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
}
