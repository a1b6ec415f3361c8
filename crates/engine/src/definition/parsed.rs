//! What reading a definition gives: the model when AWS would accept the definition, and every
//! diagnostic found either way, so that callers ask "was it rejected?" in one place.

use super::{Diagnostic, Severity, StateMachine};

/// The result of [`parse_definition`](super::parse_definition): the diagnostics, sorted by
/// position, and the model, present exactly when the definition was accepted (no
/// error-severity diagnostic; warnings do not reject it).
#[derive(Debug, Clone)]
pub struct ParsedDefinition {
    machine: Option<StateMachine>,
    diagnostics: Vec<Diagnostic>,
}

impl ParsedDefinition {
    /// Keeps `machine` only when `diagnostics` has no error.
    pub(crate) fn new(machine: Option<StateMachine>, diagnostics: Vec<Diagnostic>) -> Self {
        let rejected = diagnostics.iter().any(|d| d.severity == Severity::Error);
        ParsedDefinition {
            machine: if rejected { None } else { machine },
            diagnostics,
        }
    }

    /// Whether the definition was accepted, i.e. has a model.
    pub fn is_accepted(&self) -> bool {
        self.machine.is_some()
    }

    /// The model, when the definition was accepted.
    pub fn machine(&self) -> Option<&StateMachine> {
        self.machine.as_ref()
    }

    /// The model, when the definition was accepted.
    pub fn into_machine(self) -> Option<StateMachine> {
        self.machine
    }

    /// Every diagnostic, warnings included, sorted by position.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// The error-severity diagnostics, in order.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
    }

    /// The first error-severity diagnostic, if any.
    pub fn first_error(&self) -> Option<&Diagnostic> {
        self.errors().next()
    }

    /// The model (when accepted) and the diagnostics.
    pub fn into_parts(self) -> (Option<StateMachine>, Vec<Diagnostic>) {
        (self.machine, self.diagnostics)
    }
}
