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
    /// AWS's diagnostic code (`SCHEMA_VALIDATION_FAILED`, `MISSING_TRANSITION_TARGET`...), or
    /// the playground's own for its hints (see [`Diagnostic::playground`]).
    pub code: String,
    /// The code, a colon and the text: `MISSING_TRANSITION_TARGET: State "X" is not reachable.`
    pub message: String,
    /// A hint of the playground's own, which AWS's ValidateStateMachineDefinition does not
    /// give (always a warning): `DUPLICATE_FIELD`, `INLINE_MAP_TOLERANCE`, `VARIABLE_SCOPE`.
    pub playground: bool,
    /// RFC 6901 JSON pointer of the offending node, e.g. `/States/Call API/Next`.
    pub pointer: String,
    /// 1-based line of the node in the text.
    pub line: u32,
    /// 1-based column (in characters) of the node in the text.
    pub column: u32,
}

impl Diagnostic {
    /// The message without its code, as AWS's `message` field gives it.
    pub fn text(&self) -> &str {
        self.message
            .strip_prefix(self.code.as_str())
            .and_then(|rest| rest.strip_prefix(':'))
            .map(str::trim_start)
            .unwrap_or(&self.message)
    }
}
