//! The input and output processing of a state, field by field: InputPath, ResultPath,
//! OutputPath (Parameters and ResultSelector are [templates](crate::template)). Pure functions;
//! the executor strings them together and records each stage.

use serde_json::{Map, Value};

use crate::definition::PathField;
use crate::error::StatesError;

/// The error AWS raises when ResultPath cannot be applied to the state's input (for example
/// `$.result` over a string input): `Unable to apply ReferencePath $.result to input "text"`.
pub const REFERENCE_PATH_CONFLICT: &str = "States.ReferencePathConflict";

/// InputPath: `$` by default, `{}` for null. A path may read a workflow variable (`$name`).
pub fn apply_input_path(
    path: &PathField,
    input: &Value,
    context: &Value,
    variables: Option<&Map<String, Value>>,
) -> Result<Value, StatesError> {
    select(path, input, context, variables)
}

/// OutputPath: `$` by default, `{}` for null. A path may read a workflow variable (`$name`).
pub fn apply_output_path(
    path: &PathField,
    input: Value,
    context: &Value,
    variables: Option<&Map<String, Value>>,
) -> Result<Value, StatesError> {
    match path {
        // The common case moves the value rather than copying it.
        PathField::Default => Ok(input),
        _ => select(path, &input, context, variables),
    }
}

/// InputPath and OutputPath share their semantics and AWS's wording of a failure:
/// `Invalid path '$.x' : No results for path: $['x']`.
fn select(
    path: &PathField,
    input: &Value,
    context: &Value,
    variables: Option<&Map<String, Value>>,
) -> Result<Value, StatesError> {
    match path {
        PathField::Default => Ok(input.clone()),
        PathField::Null => Ok(Value::Object(Map::new())),
        PathField::Path(path) => path.query(input, context, variables).map_err(|error| {
            StatesError::runtime(format!("Invalid path '{path}' : {}", error.message))
        }),
    }
}

/// ResultPath: the result replaces the input by default, is discarded for null, or is written
/// into the state's (raw) input at the path.
pub fn apply_result_path(
    path: &PathField,
    state_input: &Value,
    result: Value,
) -> Result<Value, StatesError> {
    match path {
        PathField::Default => Ok(result),
        PathField::Null => Ok(state_input.clone()),
        PathField::Path(path) => path
            .set_at(state_input.clone(), result)
            .map_err(|error| StatesError::new(REFERENCE_PATH_CONFLICT, error.message)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn path(p: &str) -> PathField {
        PathField::Path(crate::paths::Path::parse(p).expect("a valid path"))
    }

    #[test]
    fn input_and_output_paths_select() {
        let input = json!({"a": {"b": 1}, "l": [1, 2]});
        let context = json!({"Execution": {"Name": "e"}});
        let cases = [
            (PathField::Default, input.clone()),
            (PathField::Null, json!({})),
            (path("$.a"), json!({"b": 1})),
            (path("$.l[*]"), json!([1, 2])),
            (path("$$.Execution.Name"), json!("e")),
        ];
        for (field, expected) in cases {
            assert_eq!(
                apply_input_path(&field, &input, &context, None),
                Ok(expected.clone())
            );
            assert_eq!(
                apply_output_path(&field, input.clone(), &context, None),
                Ok(expected)
            );
        }
    }

    #[test]
    fn missing_paths_fail_with_aws_wording() {
        let cases = [
            (
                json!({"int-literal": 0}),
                "$.NoSuchOutputPath",
                "Invalid path '$.NoSuchOutputPath' : No results for path: $['NoSuchOutputPath']",
            ),
            (
                json!({}),
                "$.no.such.result.path",
                "Invalid path '$.no.such.result.path' : Missing property in path $['no']",
            ),
        ];
        for (input, p, cause) in cases {
            assert_eq!(
                apply_output_path(&path(p), input, &Value::Null, None),
                Err(StatesError::runtime(cause))
            );
        }
    }

    #[test]
    fn result_path_combines_input_and_result() {
        let input = json!({"a": 1});
        let cases = [
            (PathField::Default, json!("r")),
            (PathField::Null, json!({"a": 1})),
            (path("$"), json!("r")),
            (path("$.res"), json!({"a": 1, "res": "r"})),
            (path("$.x.y"), json!({"a": 1, "x": {"y": "r"}})),
        ];
        for (field, expected) in cases {
            assert_eq!(apply_result_path(&field, &input, json!("r")), Ok(expected));
        }
        assert_eq!(
            apply_result_path(&path("$.someTaskResult"), &json!("input1"), json!(1)),
            Err(StatesError::new(
                REFERENCE_PATH_CONFLICT,
                "Unable to apply ReferencePath $.someTaskResult to input \"input1\""
            ))
        );
    }
}
