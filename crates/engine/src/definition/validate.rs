//! The checks AWS's CreateStateMachine makes beyond the shape of each field: that every
//! transition names a state of its own scope, that state names are unique in the whole machine,
//! that each scope can end, and which states can never be reached.
//!
//! The parser ([`super::parse`]) records the transitions of every scope (the top level, each
//! Parallel branch, each Map item processor) as it reads them, even where a state is otherwise
//! invalid, so that these checks run on every definition and all problems come out at once.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::json::Pos;
use super::{Diagnostic, Severity};

/// A state name used as a transition target (`StartAt`, `Next`, `Default`, a catcher's `Next`).
#[derive(Debug, Clone)]
pub struct Target {
    pub name: String,
    /// Pointer and position of the field's value.
    pub pointer: String,
    pub pos: Pos,
    pub field: &'static str,
}

/// One state of a scope, as far as the graph is concerned.
#[derive(Debug, Clone)]
pub struct StateInfo {
    pub name: String,
    pub pointer: String,
    /// Position of the state's name (its key in `States`).
    pub pos: Pos,
    pub targets: Vec<Target>,
    /// `End: true`, Succeed or Fail (or a state too broken to tell: no extra noise then).
    pub terminal: bool,
}

/// A set of states with its own `StartAt`: the machine, a branch or an item processor.
#[derive(Debug, Clone)]
pub struct Scope {
    pub pointer: String,
    pub pos: Pos,
    pub start_at: Option<Target>,
    pub states: Vec<StateInfo>,
}

pub(crate) fn diagnostic(
    severity: Severity,
    pos: Pos,
    pointer: &str,
    message: impl Into<String>,
) -> Diagnostic {
    let message = message.into();
    let code = code_of(&message)
        .unwrap_or(SCHEMA_VALIDATION_FAILED)
        .to_string();
    let playground = PLAYGROUND_HINTS.contains(&code.as_str());
    Diagnostic {
        severity,
        code,
        playground,
        message,
        pointer: pointer.to_string(),
        line: pos.line,
        column: pos.column,
    }
}

/// AWS's code for a definition that does not fit the States Language's schema, the code of a
/// message that names none.
pub const SCHEMA_VALIDATION_FAILED: &str = "SCHEMA_VALIDATION_FAILED";

/// The codes of the playground's own hints: warnings that AWS's ValidateStateMachineDefinition
/// does not give (its warnings are NO_DOLLAR, NO_PATH and PASS_RESULT_IS_STATIC).
pub const PLAYGROUND_HINTS: &[&str] =
    &["DUPLICATE_FIELD", "INLINE_MAP_TOLERANCE", "VARIABLE_SCOPE"];

/// The code a message starts with (`CODE: text`), if any.
pub fn code_of(message: &str) -> Option<&str> {
    let (code, _) = message.split_once(':')?;
    let is_code = !code.is_empty() && code.chars().all(|c| c.is_ascii_uppercase() || c == '_');
    is_code.then_some(code)
}

/// Longest state name AWS accepts, in characters.
pub const MAX_STATE_NAME_CHARS: usize = 80;

/// Runs the graph checks over every scope of one definition.
pub fn check_scopes(scopes: &[Scope], diags: &mut Vec<Diagnostic>) {
    check_names(scopes, diags);
    for scope in scopes {
        check_scope(scope, diags);
    }
}

/// State names are unique across the whole machine, branches and item processors included
/// (the ASL spec's rule, which AWS enforces), and 1 to 80 characters long.
fn check_names(scopes: &[Scope], diags: &mut Vec<Diagnostic>) {
    let mut all: Vec<&StateInfo> = scopes.iter().flat_map(|s| s.states.iter()).collect();
    // In text order, so that the first occurrence is the one kept.
    all.sort_by_key(|s| s.pos);
    let mut seen: HashSet<&str> = HashSet::with_capacity_and_hasher(all.len(), Default::default());
    for state in all {
        if !seen.insert(state.name.as_str()) {
            diags.push(diagnostic(
                Severity::Error,
                state.pos,
                &state.pointer,
                format!("DUPLICATE_STATE_NAME: Duplicate State name: {}", state.name),
            ));
        }
        let length = state.name.chars().count();
        if length == 0 || length > MAX_STATE_NAME_CHARS {
            diags.push(diagnostic(
                Severity::Error,
                state.pos,
                &state.pointer,
                format!(
                    "INVALID_STATE_NAME: State names must be 1 to {MAX_STATE_NAME_CHARS} characters long: '{}'",
                    state.name
                ),
            ));
        }
    }
}

fn check_scope(scope: &Scope, diags: &mut Vec<Diagnostic>) {
    let index: HashMap<&str, usize> = scope
        .states
        .iter()
        .enumerate()
        .map(|(i, s)| (s.name.as_str(), i))
        .collect();

    let mut dangling = false;
    if let Some(start) = &scope.start_at {
        if !index.contains_key(start.name.as_str()) {
            dangling = true;
            diags.push(diagnostic(
                Severity::Error,
                start.pos,
                &start.pointer,
                format!(
                    "MISSING_TRANSITION_TARGET: Missing 'StartAt' target: {}",
                    start.name
                ),
            ));
        }
    }
    for state in &scope.states {
        for target in &state.targets {
            if !index.contains_key(target.name.as_str()) {
                // AWS says 'Next' for every kind of target (Choices, Default, Catch too).
                diags.push(diagnostic(
                    Severity::Error,
                    target.pos,
                    &target.pointer,
                    format!(
                        "MISSING_TRANSITION_TARGET: Missing 'Next' target: {}",
                        target.name
                    ),
                ));
            }
        }
    }

    if scope.states.is_empty() {
        return;
    }
    if !scope.states.iter().any(|s| s.terminal) {
        diags.push(diagnostic(
            Severity::Error,
            scope.pos,
            &scope.pointer,
            "MISSING_END_STATE: Workflow has no terminal state",
        ));
        // AWS skips the reachability walk then: every state would look unreachable-ish.
        return;
    }
    if dangling {
        return;
    }
    let Some(start) = scope
        .start_at
        .as_ref()
        .and_then(|t| index.get(t.name.as_str()))
    else {
        return;
    };
    let mut reached = vec![false; scope.states.len()];
    let mut stack = vec![*start];
    while let Some(i) = stack.pop() {
        let Some(seen) = reached.get_mut(i) else {
            continue;
        };
        if *seen {
            continue;
        }
        *seen = true;
        if let Some(state) = scope.states.get(i) {
            stack.extend(
                state
                    .targets
                    .iter()
                    .filter_map(|t| index.get(t.name.as_str()).copied()),
            );
        }
    }
    for (state, reached) in scope.states.iter().zip(reached) {
        if !reached {
            // AWS's CreateStateMachine rejects a state no transition leads to.
            diags.push(diagnostic(
                Severity::Error,
                state.pos,
                &state.pointer,
                format!(
                    "MISSING_TRANSITION_TARGET: State \"{}\" is not reachable.",
                    state.name
                ),
            ));
        }
    }
}

/// Longest Map `Label` AWS accepts, in characters.
pub const MAX_LABEL_CHARS: usize = 40;

/// Characters a Map `Label` cannot contain, besides whitespace and control characters.
pub const LABEL_FORBIDDEN: &str = "?*<>{}[]:;,\\|^~$#%&`\"";

/// Map labels (they name Map Runs): at most 40 characters, no whitespace, control or
/// [`LABEL_FORBIDDEN`] characters, and unique in the whole machine.
pub fn check_labels(labels: &[Target], diags: &mut Vec<Diagnostic>) {
    let mut in_order: Vec<&Target> = labels.iter().collect();
    // In text order, so that the first occurrence is the one kept.
    in_order.sort_by_key(|l| l.pos);
    let mut seen: HashSet<&str> = HashSet::default();
    for label in in_order {
        let bad_char = label
            .name
            .chars()
            .find(|c| c.is_whitespace() || c.is_control() || LABEL_FORBIDDEN.contains(*c));
        let length = label.name.chars().count();
        if length > MAX_LABEL_CHARS || bad_char.is_some() {
            let why = match bad_char {
                Some(c) => format!("it contains {c:?}"),
                None => format!("it is longer than {MAX_LABEL_CHARS} characters"),
            };
            diags.push(diagnostic(
                Severity::Error,
                label.pos,
                &label.pointer,
                format!("INVALID_LABEL_NAME: Invalid label '{}': {why}", label.name),
            ));
        }
        if !seen.insert(label.name.as_str()) {
            diags.push(diagnostic(
                Severity::Error,
                label.pos,
                &label.pointer,
                format!("DUPLICATE_LABEL_NAME: Duplicate label name: {}", label.name),
            ));
        }
    }
}

/// The variables one scope assigns: the top level, a Parallel branch or a Map item processor
/// (a Catch's Assign belongs to the scope of its state).
#[derive(Debug, Clone, Default)]
pub struct VarScope {
    /// The enclosing scope (`None` for the top level).
    pub parent: Option<usize>,
    /// Each variable name assigned, with the position of its key in `Assign`.
    pub assigned: Vec<Target>,
}

/// AWS's documentation: "a variable assigned in an inner scope cannot have the same name as
/// one assigned in an outer scope". Each inner assignment of such a name is reported, as a
/// warning: whether CreateStateMachine rejects it is not confirmed.
pub fn check_variable_scopes(scopes: &[VarScope], diags: &mut Vec<Diagnostic>) {
    for scope in scopes {
        let mut outer = scope.parent;
        // Scopes nest no deeper than the JSON depth cap; the bound also guards against a
        // malformed chain.
        let mut steps = 0usize;
        let mut reported: HashSet<&str> = HashSet::default();
        while let Some(index) = outer {
            let Some(parent) = scopes.get(index) else {
                break;
            };
            for var in &scope.assigned {
                let clash = parent.assigned.iter().any(|v| v.name == var.name);
                if clash && reported.insert(var.pointer.as_str()) {
                    diags.push(diagnostic(
                        Severity::Warning,
                        var.pos,
                        &var.pointer,
                        format!(
                            "VARIABLE_SCOPE: The variable '{}' is already assigned in an outer scope: AWS documents that a state inside a Parallel or Map cannot assign it",
                            var.name
                        ),
                    ));
                }
            }
            outer = parent.parent;
            steps = steps.saturating_add(1);
            if steps > scopes.len() {
                break;
            }
        }
    }
}
