//! The Step Functions playground: a Leptos app (client-side rendering) that edits a state
//! machine, runs it with the `sfn-engine` in a Web Worker, and shows its graph, event history
//! and the data of every state visit.
//!
//! - [`app`]: the page and its layout; [`editor`]: CodeMirror editors; [`graph`]: the state
//!   machine graph; [`history`]: the event table; [`inspector`]: a state visit stage by stage.
//! - [`child_executions`]: the executions a run started, and their histories.
//! - [`waiting`]: the tasks waiting for their token, and the user's answers.
//! - [`test_state`]: one state run alone, as AWS's TestState does ("Test this state").
//! - [`import`]: files imported into an editor; [`project_import`]: project files (YAML,
//!   CloudFormation, SAM and CDK templates) opened into the definition editor, read by the
//!   engine's worker.
//! - [`tests_panel`]: the Tests panel: a test file's cases run, their diffs, the coverage.
//! - [`runner`]: the page's side of the worker, running executions and asking for checks;
//!   [`playback`]: the simulated clock that paces a run's events (pure, tested natively). The
//!   worker's side (the engine: runs, diagnostics, the graph and its layout, starting mocks) is
//!   the `sfn-worker` crate, which this crate does not depend on: the page's wasm links none of
//!   the engine, loads and takes typing first, and the engine's answers arrive when its worker
//!   has loaded.
//! - From `sfn-playground-data` (no engine, no browser): the [`protocol`] with the worker
//!   (with the history rows it sends), [`share`] links, the [`examples`], text [`format`]s, and
//!   saved work ([`storage`], with its browser store here).

pub mod app;
pub mod child_executions;
pub mod editor;
pub mod graph;
pub mod history;
pub mod import;
pub mod inspector;
pub mod project_import;
pub mod runner;
pub mod storage;
pub mod test_state;
pub mod tests_panel;
pub mod waiting;

pub use sfn_playground_data::{examples, format, playback, protocol, share};
