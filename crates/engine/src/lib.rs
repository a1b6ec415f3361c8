//! `sfn-engine`: an interpreter for the Amazon States Language (ASL) that behaves like AWS Step
//! Functions, on a simulated clock, with mock task functions.
//!
//! The layers, from the bottom up:
//! - [`definition`]: the model of a state machine, parsed from JSON text and validated with
//!   positioned diagnostics.
//! - [`paths`], [`intrinsics`], [`template`]: JSONPath in AWS's (Jayway's) dialect, reference
//!   paths, intrinsic functions and payload templates.
//! - [`choice`]: Choice rules.
//! - [`dataflow`]: the input and output processing of a state (InputPath ... OutputPath).
//! - [`mocks`]: the behaviour of mocked task resources.
//! - [`execution`]: running a definition step by step, emitting [`history`] events.
//! - [`source`]: project files (YAML, `${...}` DefinitionSubstitutions, CloudFormation and SAM
//!   templates) read into the JSON definition [`definition`] parses.
//!
//! Nothing here knows about a UI; the web playground and the `sfn-play` CLI are built on top.

// No input may panic the engine: it returns errors instead. Outside tests, clippy rejects the
// operations that can panic (unwrap/expect, indexing and slicing, overflowing integer
// arithmetic, panicking macros). Integration tests under `tests/` are separate crates.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::string_slice,
        clippy::arithmetic_side_effects,
        clippy::panic,
        clippy::unreachable,
        clippy::todo,
        clippy::unimplemented
    )
)]

pub mod budget;
mod char_cursor;
pub mod choice;
pub mod context;
pub mod dataflow;
pub mod definition;
pub mod error;
pub mod execution;
pub mod history;
pub mod intrinsics;
mod java_regex;
pub mod java_text;
pub mod jsonata;
pub mod limits;
pub mod memo;
pub mod mocks;
pub mod paths;
pub mod rng;
pub mod scaffold;
pub mod source;
pub mod template;
pub mod test_state;
pub mod time;

pub use definition::{parse_definition, Diagnostic, ParsedDefinition, Severity, StateMachine};
pub use error::StatesError;
pub use execution::{Execution, ExecutionOptions, ExecutionStatus};
pub use history::{EventDetails, EventKind, HistoryEvent};
pub use mocks::MockSet;
pub use test_state::{test_state, TestStateError, TestStateRequest, TestStateResponse};
