//! JSONata as AWS Step Functions runs it: expressions in `{% ... %}`, the `$states` binding,
//! workflow variables, and AWS's own functions. (Stub: the JSONata helper fills this in.)

use serde_json::{Map, Value};

use crate::rng::Rng;
use crate::time::Millis;

/// What an expression is evaluated against.
pub struct JsonataEnv<'a> {
    /// The `$states` object: `input`, `context`, and where available `result` and
    /// `errorOutput`.
    pub states: &'a Value,
    /// The workflow variables in scope (`$name`).
    pub variables: &'a Map<String, Value>,
    /// Seeds `$random()` and `$uuid()`.
    pub rng: &'a mut Rng,
    /// The simulated clock, for `$now()` and `$millis()`.
    pub now: Millis,
}

/// Why an expression gave no value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonataError {
    /// The expression is not valid JSONata (the message says where and why).
    Syntax(String),
    /// Evaluation failed (the message is the evaluator's).
    Evaluation(String),
    /// The expression evaluated to nothing (JSONata's `undefined`).
    Undefined,
}

/// True when `text` is a JSONata expression: `{%` ... `%}` around it.
pub fn is_expression(text: &str) -> bool {
    let t = text.trim();
    t.starts_with("{%") && t.ends_with("%}") && t.len() >= 4
}

/// Evaluates the expression inside `{% ... %}` (`text` is the whole string).
pub fn evaluate(text: &str, env: &mut JsonataEnv<'_>) -> Result<Value, JsonataError> {
    let _ = (text, env);
    Err(JsonataError::Evaluation(
        "JSONata is not available yet".into(),
    ))
}

/// Checks the syntax of the expression inside `{% ... %}` (`text` is the whole string).
pub fn check(text: &str) -> Result<(), String> {
    let _ = text;
    Ok(())
}
