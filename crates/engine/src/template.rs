//! Payload templates: Parameters, ResultSelector, ItemSelector, Credentials. Keys ending in `.$`
//! take their value from a path, the context object or an intrinsic function.

use serde_json::{Map, Value};

use crate::definition::json::child_pointer;
use crate::error::StatesError;
use crate::intrinsics;
use crate::java_text;
use crate::paths;
use crate::rng::Rng;

/// What a template, a path or an intrinsic function is evaluated against.
pub struct EvalEnv<'a> {
    /// The value `$` refers to.
    pub input: &'a Value,
    /// The context object, what `$$` refers to.
    pub context: &'a Value,
    /// Randomness for States.UUID and States.MathRandom, seeded by the execution.
    pub rng: &'a mut Rng,
    /// The workflow variables in scope (`$name` paths); `None` where variables cannot be used.
    pub variables: Option<&'a Map<String, Value>>,
}

/// Evaluates `template`. Errors carry AWS's cause text without the
/// "An error occurred while executing the state ..." prefix, which the executor adds.
pub fn evaluate(template: &Value, env: &mut EvalEnv<'_>) -> Result<Value, StatesError> {
    match template {
        Value::Object(map) => {
            let mut out = Map::with_capacity(map.len());
            for (key, value) in map {
                match key.strip_suffix(".$") {
                    Some(name) => {
                        let computed = evaluate_dynamic(key, value, env)?;
                        out.insert(name.to_string(), computed);
                    }
                    None => {
                        out.insert(key.clone(), evaluate(value, env)?);
                    }
                }
            }
            Ok(Value::Object(out))
        }
        Value::Array(items) => items
            .iter()
            .map(|item| evaluate(item, env))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        other => Ok(other.clone()),
    }
}

/// Whether evaluating `template` can read the context object (`$$`, directly or in an
/// intrinsic's arguments). Building the context copies the execution's input, so callers
/// skip it for the many templates that never read it.
pub fn reads_context(template: &Value) -> bool {
    match template {
        Value::Object(map) => map.iter().any(|(key, value)| {
            if key.ends_with(".$") {
                value.as_str().is_some_and(|text| text.contains("$$"))
            } else {
                reads_context(value)
            }
        }),
        Value::Array(items) => items.iter().any(reads_context),
        _ => false,
    }
}

/// The value of a `.$` field: a path, a context path or an intrinsic function call.
fn evaluate_dynamic(key: &str, value: &Value, env: &mut EvalEnv<'_>) -> Result<Value, StatesError> {
    let Some(text) = value.as_str() else {
        return Err(StatesError::runtime(format!(
            "The value for the field '{key}' must be a STRING that contains a JSONPath, but was \
             {}",
            java_text::compact(value)
        )));
    };
    if intrinsics::is_intrinsic(text) {
        return intrinsics::evaluate_field(text, key, env);
    }
    if paths::is_variable_path(text) {
        return paths::query_with_variables(text, env.input, env.context, env.variables).map_err(
            |e| {
                StatesError::runtime(format!(
                    "The JSONPath '{text}' specified for the field '{key}' could not be found: {}",
                    e.message
                ))
            },
        );
    }
    let context_path = text.trim_start().starts_with("$$");
    if !context_path && env.input.is_null() {
        // What AWS answers for a `$` path over a null input (e.g. after a Lambda returned
        // nothing and OutputPath picked it).
        return Err(StatesError::runtime(
            "Unable to apply Path transformation to null or empty input.",
        ));
    }
    let document = if context_path { env.context } else { env.input };
    paths::query(text, env.input, env.context).map_err(|_| {
        StatesError::runtime(format!(
            "The JSONPath '{text}' specified for the field '{key}' could not be found in the \
             input '{}'",
            java_text::compact(document)
        ))
    })
}

/// Checks a template's `.$` values (paths and intrinsic calls). Returns (JSON pointer relative
/// to the template, message) for each problem.
pub fn check(template: &Value) -> Vec<(String, String)> {
    let mut problems = Vec::new();
    check_at(template, "", &mut problems);
    problems
}

/// A field's pointer is built only for a problem, or to go into an object or array.
fn check_at(template: &Value, pointer: &str, problems: &mut Vec<(String, String)>) {
    let is_container = |value: &Value| value.is_object() || value.is_array();
    match template {
        Value::Object(map) => {
            for (key, value) in map {
                if key.ends_with(".$") {
                    if let Some(message) = check_dynamic(key, value) {
                        problems.push((child_pointer(pointer, key), message));
                    }
                } else if is_container(value) {
                    check_at(value, &child_pointer(pointer, key), problems);
                }
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                if is_container(item) {
                    check_at(item, &child_pointer(pointer, &index.to_string()), problems);
                }
            }
        }
        _ => {}
    }
}

/// AWS's validation message for a bad `.$` value, followed by what is wrong with it.
fn check_dynamic(key: &str, value: &Value) -> Option<String> {
    let invalid = |detail: String| {
        Some(format!(
            "The value for the field '{key}' must be a valid JSONPath or a valid intrinsic \
             function call ({detail})"
        ))
    };
    let Some(text) = value.as_str() else {
        return invalid(format!("found {}", kind(value)));
    };
    if intrinsics::is_intrinsic(text) {
        return intrinsics::check(text).err().and_then(invalid);
    }
    if !text.trim_start().starts_with('$') {
        return invalid("it must start with '$' or 'States.'".into());
    }
    paths::check_path(text).err().and_then(invalid)
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// RFC 6901 escaping of one pointer token.
#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(template: &Value, input: &Value) -> Result<Value, StatesError> {
        let context = json!({"Execution": {"Id": "arn:exec"}, "Map": {"Item": {"Index": 2}}});
        let mut rng = Rng::new(5);
        let mut env = EvalEnv {
            variables: None,
            input,
            context: &context,
            rng: &mut rng,
        };
        evaluate(template, &mut env)
    }

    /// (template, input, expected output).
    #[test]
    fn templates_copy_and_evaluate() {
        let input = json!({"a": {"b": [1, 2]}, "name": "x"});
        let cases = [
            (
                json!({"k": "v", "n": [1, {"x": null}]}),
                json!({"k": "v", "n": [1, {"x": null}]}),
            ),
            (json!({"v.$": "$.a.b[1]"}), json!({"v": 2})),
            (json!({"all.$": "$"}), json!({"all": input.clone()})),
            (
                json!({"id.$": "$$.Execution.Id"}),
                json!({"id": "arn:exec"}),
            ),
            (json!({"i.$": "$$.Map.Item.Index"}), json!({"i": 2})),
            (json!({"list.$": "$.a.b[*]"}), json!({"list": [1, 2]})),
            (
                json!({"g.$": "States.Format('hi {}', $.name)"}),
                json!({"g": "hi x"}),
            ),
            (
                json!({"deep": [{"x.$": "$.name"}]}),
                json!({"deep": [{"x": "x"}]}),
            ),
            (json!("plain"), json!("plain")),
        ];
        for (template, expected) in cases {
            assert_eq!(run(&template, &input), Ok(expected), "{template}");
        }
    }

    #[test]
    fn missing_paths_use_aws_wording() {
        let input = json!({"int-literal": 0});
        assert_eq!(
            run(&json!({"value.$": "$.no_such_jsonpath"}), &input),
            Err(StatesError::runtime(
                "The JSONPath '$.no_such_jsonpath' specified for the field 'value.$' could not \
                 be found in the input '{\"int-literal\":0}'"
            ))
        );
        assert_eq!(
            run(&json!({"Input.$": "$"}), &Value::Null),
            Err(StatesError::runtime(
                "Unable to apply Path transformation to null or empty input."
            ))
        );
    }

    #[test]
    fn check_reports_bad_dynamic_values_by_pointer() {
        let template = json!({
            "ok.$": "$.a",
            "fine": {"also.$": "States.UUID()"},
            "num.$": 3,
            "nested": [{"bad.$": "$.a["}],
            "fn.$": "States.Nope(1)",
            "word.$": "hello",
            "a/b.$": "$$.x y"
        });
        let pointers: Vec<String> = check(&template).into_iter().map(|(p, _)| p).collect();
        assert_eq!(
            pointers,
            ["/num.$", "/nested/0/bad.$", "/fn.$", "/word.$", "/a~1b.$"]
        );
    }
}
