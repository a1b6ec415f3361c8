//! The state machine graph: layout ([`layout`], with the `dagre` crate), statuses from history
//! events ([`status`]), SVG export ([`svg`]), zoom/pan arithmetic ([`view`]) and the Leptos
//! component ([`Graph`]).
//!
//! The engine decides what the nodes and edges are (`sfn_engine::graph`); this module only
//! decides where they go and how they look.
//!
//! Use in the app (the stylesheet is inlined by the component, nothing to include):
//!
//! ```ignore
//! // Where the definition is parsed: keep the last valid graph while the text is invalid.
//! if let Some(machine) = &machine {
//!     display_graph.set(Some(DisplayGraph::from_machine(machine)));
//! }
//! // Statuses follow the history incrementally; reset the tracker when a run starts.
//! let tracker = StoredValue::new(StatusTracker::default());
//! let statuses = RwSignal::new(HashMap::new());
//! Effect::new(move |_| {
//!     run_view.events.with(|events| {
//!         tracker.update_value(|t| {
//!             if t.follow(events, |e| e.step.as_deref().map(|s| (e.event_type.as_str(), s))) {
//!                 statuses.set(t.statuses().clone());
//!             }
//!         })
//!     })
//! });
//! view! {
//!     <Graph graph=display_graph statuses=statuses on_select=on_state_click
//!            selected=selected_state_name on_export=move |svg: String| download(svg) />
//! }
//! ```

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
