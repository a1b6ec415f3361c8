//! The input and output processing of a state, field by field: InputPath, ResultPath,
//! OutputPath (Parameters and ResultSelector are [templates](crate::template)). Pure functions;
//! the executor strings them together and records each stage.
//! (Stub: the paths helper fills this in.)

use serde_json::Value;

use crate::definition::PathField;
use crate::error::StatesError;

/// InputPath: `$` by default, `{}` for null.
pub fn apply_input_path(
    path: &PathField,
    input: &Value,
    context: &Value,
) -> Result<Value, StatesError> {
    let _ = (path, input, context);
    Err(StatesError::runtime("InputPath is not implemented"))
}

/// OutputPath: `$` by default, `{}` for null.
pub fn apply_output_path(
    path: &PathField,
    input: &Value,
    context: &Value,
) -> Result<Value, StatesError> {
    let _ = (path, input, context);
    Err(StatesError::runtime("OutputPath is not implemented"))
}

/// ResultPath: the result replaces the input by default, is discarded for null, or is written
/// into the state's (raw) input at the path.
pub fn apply_result_path(
    path: &PathField,
    state_input: &Value,
    result: Value,
) -> Result<Value, StatesError> {
    let _ = (path, state_input, result);
    Err(StatesError::runtime("ResultPath is not implemented"))
}
