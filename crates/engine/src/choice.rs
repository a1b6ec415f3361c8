//! Choice rules: parsing them from a definition and evaluating them against a state's input.
//! (Stub: the choice helper fills this in.)

use serde_json::Value;

use crate::error::StatesError;

/// A Choice rule: a comparison of a variable with a value or another path, or And/Or/Not.
#[derive(Debug, Clone, PartialEq)]
pub enum ChoiceRule {
    /// Placeholder until the choice helper lands.
    Unparsed(Value),
}

/// Parses a rule at JSON pointer `pointer`. `top_level` rules carry `Next`; nested ones must
/// not. Returns every problem as (JSON pointer, message).
pub fn parse_rule(
    value: &Value,
    pointer: &str,
    top_level: bool,
) -> Result<ChoiceRule, Vec<(String, String)>> {
    let _ = (pointer, top_level);
    Ok(ChoiceRule::Unparsed(value.clone()))
}

/// Evaluates `rule` against the state's effective input (`$`) and context (`$$`).
pub fn evaluate(rule: &ChoiceRule, input: &Value, context: &Value) -> Result<bool, StatesError> {
    let _ = (rule, input, context);
    Err(StatesError::runtime("Choice rules are not implemented"))
}
