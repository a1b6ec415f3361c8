//! A state machine definition: its model ([`model`]), how it is read from JSON text
//! ([`parse`]) and the checks AWS's CreateStateMachine makes ([`validate`]).
//!
//! Reading compiles: the paths, templates, intrinsic calls, Choice rules and JSONata
//! expressions go into the model parsed, their problems become the definition's diagnostics,
//! and the executor only runs the model ([`ParsedDefinition`] holds the result).

pub mod json;
pub mod model;
pub mod parse;
mod parsed;
pub mod validate;

pub use model::*;
pub use parse::{parse_definition, MAX_DEFINITION_BYTES};
pub use parsed::ParsedDefinition;

/// How serious a diagnostic is: an `Error` makes AWS reject the definition, a `Warning` does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem found in a definition, positioned in its JSON text.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    /// RFC 6901 JSON pointer of the offending node, e.g. `/States/Call API/Next`.
    pub pointer: String,
    /// 1-based line of the node in the text.
    pub line: u32,
    /// 1-based column (in characters) of the node in the text.
    pub column: u32,
}
