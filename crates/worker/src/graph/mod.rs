//! The state machine graph on the engine's side: [`build`] makes the display graph of a parsed
//! definition (the types and the layout are in `sfn_playground_data`); its tests check both
//! against definitions (`tests/data/graph`, the conformance corpus).

pub mod build;
#[cfg(test)]
mod build_cases;
#[cfg(test)]
mod layout_cases;
