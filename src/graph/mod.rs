//! The state machine graph: layout ([`layout`], with the `dagre` crate), statuses from history
//! events ([`status`]), SVG export ([`svg`]), zoom/pan arithmetic ([`view`]) and the Leptos
//! component ([`Graph`]).
//!
//! The engine decides what the nodes and edges are (`sfn_engine::graph`); this module only
//! decides where they go and how they look.

pub mod component;
pub mod layout;
pub mod status;
pub mod svg;
pub mod view;

use std::collections::HashMap;

pub use component::Graph;
pub use layout::{layout, Layout};
pub use status::{statuses_from_events, StateStatus, StatusTracker};
pub use svg::{export_svg, GRAPH_CSS};

use sfn_engine::graph::DisplayGraph;

/// The SVG document of a display graph coloured by `statuses`, without any component.
pub fn graph_svg(graph: &DisplayGraph, statuses: &HashMap<String, StateStatus>) -> String {
    export_svg(&layout(graph), statuses)
}
