//! Payload templates: Parameters, ResultSelector, ItemSelector, Credentials. Keys ending in `.$`
//! take their value from a path, the context object or an intrinsic function.
//! (Stub: the paths helper fills this in.)

use serde_json::Value;

use crate::error::StatesError;
use crate::rng::Rng;

/// What a template, a path or an intrinsic function is evaluated against.
pub struct EvalEnv<'a> {
    /// The value `$` refers to.
    pub input: &'a Value,
    /// The context object, what `$$` refers to.
    pub context: &'a Value,
    /// Randomness for States.UUID and States.MathRandom, seeded by the execution.
    pub rng: &'a mut Rng,
}

/// Evaluates `template`. Errors carry AWS's cause text without the
/// "An error occurred while executing the state ..." prefix, which the executor adds.
pub fn evaluate(template: &Value, env: &mut EvalEnv<'_>) -> Result<Value, StatesError> {
    let _ = (template, env);
    Err(StatesError::runtime(
        "payload templates are not implemented",
    ))
}

/// Checks a template's `.$` values (paths and intrinsic calls). Returns (JSON pointer relative
/// to the template, message) for each problem.
pub fn check(template: &Value) -> Vec<(String, String)> {
    let _ = template;
    Vec::new()
}
