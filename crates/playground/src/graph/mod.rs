//! The state machine graph: layout ([`layout`], with the `dagre` crate), statuses from history
//! events ([`status`]), SVG export ([`svg`]), zoom/pan arithmetic ([`view`]) and the Leptos
//! component ([`Graph`]).
//!
//! The engine's worker (`sfn_worker::graph::build`) decides what the nodes and edges are (the
//! types are in `sfn_playground_data::display_graph`) and lays them out
//! (`sfn_playground_data::layout`, re-exported here as [`layout`]): the layout is the slow part
//! (dagre), so the page only draws the [`Layout`] it receives and decides how it looks.
//!
//! Use in the app (the stylesheet is inlined by the component, nothing to include):
//!
//! ```ignore
//! // In the worker, where the definition is parsed:
//! let laid_out = machine.as_ref().map(|m| layout(&sfn_worker::graph::build::display_graph(m)));
//! // On the page, keep the last valid layout while the text is invalid.
//! if laid_out.is_some() {
//!     graph_layout.set(laid_out);
//! }
//! let statuses = Memo::new(move |_| run_view.events.with(|events| {
//!     statuses_from_events(events.iter().map(|e| (e.class, e.step.as_deref(), e.trace)))
//! }));
//! view! {
//!     <Graph graph=graph_layout statuses=statuses on_select=on_state_click
//!            selected=selected_state_name on_export=move |svg: String| download(svg) />
//! }
//! ```

pub mod component;
pub mod overview;
pub mod status;
pub mod svg;
pub mod view;

pub use sfn_playground_data::layout;

pub use component::{Graph, Uncovered};
pub use layout::{layout, Layout};
pub use status::{statuses_from_events, StateStatus, StatusTracker};
pub use svg::{export_svg, GRAPH_CSS};
