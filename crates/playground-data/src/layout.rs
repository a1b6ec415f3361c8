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
//! Pure Rust with no browser in sight. The engine's worker lays out (its tests check the layout
//! of real definitions: `sfn_worker`'s `layout_cases`); the page draws the [`Layout`] it gets.

use std::collections::HashMap;

use crate::display_graph::{DisplayGraph, EdgeKind, GraphNode, NodeKind};
use dagre::graph::{Graph, GraphOptions};
use dagre::layout::types::LabelPos;
use dagre::{EdgeLabel, LayoutOptions, NodeLabel};
use serde::{Deserialize, Serialize};

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
    mirror(&mut out);
    out
}

/// Mirrors the drawing left to right. dagre orders the children of a node last to first, so
/// Branch 3 came out left of Branch 1 and Default left of the first Choice rule; mirrored,
/// branches and rules read left to right in definition order, as the console draws them.
fn mirror(out: &mut Layout) {
    let width = out.width;
    let flip = |r: &mut Rect| r.x = width - r.x - r.width;
    out.groups.iter_mut().for_each(|g| flip(&mut g.rect));
    out.nodes.iter_mut().for_each(|n| flip(&mut n.rect));
    for e in &mut out.edges {
        e.points.iter_mut().for_each(|p| p.0 = width - p.0);
        if let Some(r) = &mut e.label_rect {
            flip(r);
        }
    }
    out.joins.iter_mut().for_each(|j| j.0 = width - j.0);
}
