//! The Step Functions playground: a Leptos app (client-side rendering) that edits a state
//! machine, runs it with the `sfn-engine` in a Web Worker, and shows its graph, event history
//! and the data of every state visit.
//!
//! - [`app`]: the page and its layout; [`editor`]: CodeMirror editors; [`graph`]: the state
//!   machine graph; [`history`]: the event table; [`inspector`]: a state visit stage by stage.
//! - [`runner`]: the page's side of the worker, running executions and asking for checks;
//!   [`playback`]: the simulated clock that paces a run's events (pure, tested natively);
//!   [`service`]: the worker's side (the engine: runs, diagnostics, the graph and its layout,
//!   starting mocks), with [`session`] for one execution; [`protocol`]: the messages between
//!   them. The page's own wasm links none of the engine: it loads and takes typing first, and
//!   the engine's answers arrive when its worker has loaded.
//! - From `sfn-playground-data` (no engine, no browser): [`share`] links, the [`examples`],
//!   text [`format`]s, and saved work ([`storage`], with its browser store here).

pub mod app;
pub mod editor;
pub mod graph;
pub mod history;
pub mod import;
pub mod inspector;
pub mod protocol;
pub mod runner;
pub mod service;
pub mod session;
pub mod starter;
pub mod storage;

pub use sfn_playground_data::{examples, format, playback, share};

#[cfg(test)]
mod tests {
    use crate::format::iso;

    #[test]
    fn iso_matches_the_engine() {
        for ms in [
            0,
            1_704_067_200_000,
            1_704_067_201_500,
            951_782_400_000,
            4_102_444_799_999,
            -86_400_001,
            1_709_164_800_123,
            253_402_300_799_999,
        ] {
            assert_eq!(iso(ms), sfn_engine::time::format_iso(ms), "{ms}");
        }
    }
}
