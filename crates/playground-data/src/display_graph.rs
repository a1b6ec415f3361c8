//! The shape of a state machine as a graph for display: states as nodes (Parallel branches and
//! Map item processors nested inside their state), transitions as labelled edges. The UI lays
//! it out and draws it. The engine's worker builds it from a parsed state machine
//! (`sfn_worker::graph::build`) and lays it out; these are its types, which the page draws.
//!
//! Node ids are paths of escaped state names joined by `/`, so they are unique by construction
//! even if two scopes were to reuse a name:
//! - a top-level state: its name, e.g. `Call API`;
//! - a Parallel branch container: `<parallel id>/~b<index>` (0-based), and its states
//!   `<parallel id>/~b0/<name>`;
//! - a Map item processor container: `<map id>/~p`, and its states `<map id>/~p/<name>`;
//! - the start and end of a scope: `~start` and `~end` at the top level, else
//!   `<container id>/~start` and `<container id>/~end`.
//!
//! Names are escaped as in JSON pointers (`~` becomes `~0`, `/` becomes `~1`), so an escaped name
//! never contains `~` followed by anything but `0` or `1`: `~b0`, `~p`, `~start` and `~end`
//! cannot collide with a state.
//!
//! The graph is plain data (serde), so the web worker can send it to the page.

use serde::{Deserialize, Serialize};

/// Longest edge label, in characters; longer labels end with `…` (the full text is in `title`).
pub const MAX_LABEL_CHARS: usize = 40;

/// Longest `title` (tooltip) text, in characters: a guard against huge generated rules.
pub const MAX_TITLE_CHARS: usize = 1000;

/// A state machine as nodes and edges, in definition order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DisplayGraph {
    pub nodes: Vec<GraphNode>,
    pub edges: Vec<GraphEdge>,
}

/// What a node stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    /// A state. Parallel and Map states are the parents of their branch / processor containers.
    State,
    /// One branch of a Parallel state (parent: the Parallel state).
    Branch,
    /// The item processor (or legacy Iterator) of a Map state (parent: the Map state).
    ItemProcessor,
    /// Where a scope starts (top level, a branch or an item processor).
    Start,
    /// Where a scope ends.
    End,
}

/// One node of the display graph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GraphNode {
    /// Unique path, see the module documentation.
    pub id: String,
    pub kind: NodeKind,
    /// The state's name for `State` nodes (as history events name it); `Branch 1`, `Item
    /// processor`, `Start` or `End` for the others.
    pub name: String,
    /// AWS's type name (`Task`, `Choice`, ...) for `State` nodes.
    pub type_name: Option<String>,
    /// The enclosing container: a `Branch` or `ItemProcessor` node for nested states and the
    /// start/end of nested scopes, the Parallel or Map state for containers; `None` at the top.
    pub parent: Option<String>,
    /// JSON pointer of the state (or branch / processor) in the definition, e.g.
    /// `/States/Call API`, for jumping to it in an editor. `None` for start and end nodes.
    pub pointer: Option<String>,
}

/// Why an edge exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EdgeKind {
    /// From a scope's start node to its `StartAt` state.
    Start,
    /// A state's `Next`.
    Next,
    /// A Choice rule's `Next`; the label is the rule.
    Choice,
    /// A Choice state's `Default`.
    Default,
    /// A Catcher's `Next`; the label is its `ErrorEquals`.
    Catch,
    /// From a state that ends its scope (`End`, Succeed, Fail) to the scope's end node.
    End,
}

/// One edge of the display graph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GraphEdge {
    pub from: String,
    pub to: String,
    pub kind: EdgeKind,
    /// Short text to draw on the edge (at most [`MAX_LABEL_CHARS`] characters).
    pub label: Option<String>,
    /// The full text, for a tooltip (at most [`MAX_TITLE_CHARS`] characters).
    pub title: Option<String>,
}

impl DisplayGraph {
    /// The node with this id.
    pub fn node(&self, id: &str) -> Option<&GraphNode> {
        self.nodes.iter().find(|n| n.id == id)
    }

    /// The `State` node of the state with this name (names are unique in a valid machine).
    pub fn state_node(&self, name: &str) -> Option<&GraphNode> {
        self.nodes
            .iter()
            .find(|n| n.kind == NodeKind::State && n.name == name)
    }
}
