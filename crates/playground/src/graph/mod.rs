//! The state machine graph: layout ([`layout`], with the `dagre` crate), statuses from history
//! events ([`status`]), SVG export ([`svg`]), zoom/pan arithmetic ([`view`]) and the Leptos
//! component ([`Graph`]).
//!
//! [`build`] decides what the nodes and edges are (the types are in
//! `sfn_playground_data::display_graph`); the rest of this module decides where they go and how
//! they look.
//!
//! The layout is the slow part (dagre): the playground runs it in the engine's Web Worker
//! (see `crate::service`) and the page only draws the [`Layout`] it receives.
//!
//! Use in the app (the stylesheet is inlined by the component, nothing to include):
//!
//! ```ignore
//! // In the worker, where the definition is parsed:
//! let laid_out = machine.as_ref().map(|m| layout(&build::display_graph(m)));
//! // On the page, keep the last valid layout while the text is invalid.
//! if laid_out.is_some() {
//!     graph_layout.set(laid_out);
//! }
//! let statuses = Memo::new(move |_| run_view.events.with(|events| {
//!     statuses_from_events(events.iter().filter_map(|e| e.step.as_deref().map(|s| (e.event_type.as_str(), s))))
//! }));
//! view! {
//!     <Graph graph=graph_layout statuses=statuses on_select=on_state_click
//!            selected=selected_state_name on_export=move |svg: String| download(svg) />
//! }
//! ```

pub mod build;
#[cfg(test)]
mod build_cases;
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

use sfn_playground_data::display_graph::DisplayGraph;

/// The SVG document of a display graph coloured by `statuses`, without any component.
pub fn graph_svg(graph: &DisplayGraph, statuses: &HashMap<String, StateStatus>) -> String {
    export_svg(&layout(graph), statuses)
}
