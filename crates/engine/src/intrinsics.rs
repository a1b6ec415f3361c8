//! The intrinsic functions (`States.Format(...)` and the 17 others).
//! (Stub: the paths helper fills this in.)

use serde_json::Value;

use crate::error::StatesError;
use crate::template::EvalEnv;

/// True when `text` is an intrinsic function call rather than a path.
pub fn is_intrinsic(text: &str) -> bool {
    text.trim_start().starts_with("States.")
}

/// Evaluates an intrinsic function call such as `States.Format('{}', $.name)`.
pub fn evaluate(expr: &str, env: &mut EvalEnv<'_>) -> Result<Value, StatesError> {
    let _ = (expr, env);
    Err(StatesError::runtime(
        "intrinsic functions are not implemented",
    ))
}

/// Checks the syntax of an intrinsic function call, its function name and argument count.
pub fn check(expr: &str) -> Result<(), String> {
    let _ = expr;
    Ok(())
}
