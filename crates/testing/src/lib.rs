//! `sfn-testing`: test suites for state machines, as `sfn-play test` and the playground's
//! Tests panel run them.
//!
//! - [`suite`]: the test file (JSON or YAML read into a value): the state machine, its mocks,
//!   the cases and what each expects.
//! - [`run`]: preparing a suite (reading the files it names through [`run::Files`]) and running
//!   a case on the engine.
//! - [`expect`]: checking expectations, each failure with a diff ([`diff`]).
//! - [`coverage`]: which states, transitions and retriers the cases exercised.
//! - [`report`]: text, JSON and JUnit XML reports.

#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::string_slice
    )
)]

pub mod coverage;
pub mod diff;
pub mod expect;
pub mod report;
pub mod run;
pub mod suite;

pub use run::{prepare, CaseResult, Files, Outcome, PreparedSuite};
pub use suite::{Suite, SuiteError};
