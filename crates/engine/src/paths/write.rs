//! Writing a value at a reference path (ResultPath).

use serde_json::{Map, Value};

use crate::java_text::compact;

use super::evaluate::effective_index;
use super::{JsonPath, PathError, Root, Segment, NOT_SINGLE_NODE};

/// Returns `target` with `value` written at the reference path `path`, creating missing
/// objects on the way (ResultPath semantics).
///
/// When a step cannot be applied (the node on the way is not an object, or an index is out of
/// range) the message is AWS's `Unable to apply ReferencePath <path> to input <input JSON>`;
/// AWS reports it as `States.ReferencePathConflict`.
pub fn set_at(target: Value, path: &str, value: Value) -> Result<Value, PathError> {
    let compiled = JsonPath::parse(path).map_err(PathError::new)?;
    set_at_compiled(target, path, &compiled, value)
}

/// [`set_at`] with the path compiled; `path` is its text, for the messages.
pub(super) fn set_at_compiled(
    target: Value,
    path: &str,
    compiled: &JsonPath,
    value: Value,
) -> Result<Value, PathError> {
    if compiled.root != Root::Input {
        return Err(PathError::new(format!(
            "Only the state input can be written to, not {path}"
        )));
    }
    let steps = compiled.reference_steps().map_err(PathError::new)?;
    // Check first, write second: a failed write must not leave half-created objects behind,
    // and the message quotes the input as it was.
    if !can_write(Some(&target), &steps) {
        return Err(PathError::new(format!(
            "Unable to apply ReferencePath {} to input {}",
            path.trim(),
            compact(&target)
        )));
    }
    let mut target = target;
    write(&mut target, &steps, value);
    Ok(target)
}

/// Whether `steps` can be written below `node` (`None`: a member about to be created).
fn can_write(node: Option<&Value>, steps: &[RefStep]) -> bool {
    let Some((step, rest)) = steps.split_first() else {
        return true;
    };
    match (step, node) {
        (RefStep::Name(_), None) => can_write(None, rest),
        (RefStep::Name(name), Some(Value::Object(map))) => can_write(map.get(name), rest),
        (RefStep::Index(index), Some(Value::Array(items))) => {
            match effective_index(*index, items.len()).and_then(|i| items.get(i)) {
                Some(item) => can_write(Some(item), rest),
                None => false,
            }
        }
        _ => false,
    }
}

/// Writes `value` at `steps` below `node`; `can_write` has vetted the steps.
fn write(node: &mut Value, steps: &[RefStep], value: Value) {
    let Some((step, rest)) = steps.split_first() else {
        *node = value;
        return;
    };
    match (step, node) {
        (RefStep::Name(name), Value::Object(map)) => {
            let child = map
                .entry(name.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            write(child, rest, value);
        }
        (RefStep::Index(index), Value::Array(items)) => {
            let len = items.len();
            if let Some(child) = effective_index(*index, len).and_then(|i| items.get_mut(i)) {
                write(child, rest, value);
            }
        }
        _ => {}
    }
}

enum RefStep {
    Name(String),
    Index(i64),
}

impl JsonPath {
    /// The steps of a reference path, or why it is not one.
    fn reference_steps(&self) -> Result<Vec<RefStep>, String> {
        let not_single = || NOT_SINGLE_NODE.to_string();
        if self.function.is_some() {
            return Err("A reference path cannot call a function".into());
        }
        self.segments
            .iter()
            .map(|segment| match segment {
                Segment::Property(names) => match names.as_slice() {
                    [name] => Ok(RefStep::Name(name.clone())),
                    _ => Err(not_single()),
                },
                Segment::Index(indexes) => match indexes.as_slice() {
                    [index] => Ok(RefStep::Index(*index)),
                    _ => Err(not_single()),
                },
                _ => Err(not_single()),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// (target, path, value, expected result) for ResultPath writes.
    #[test]
    fn set_at_writes_and_creates_objects() {
        let cases = [
            (json!({"a": 1}), "$", json!(2), json!(2)),
            (json!({"a": 1}), "$.b", json!(2), json!({"a": 1, "b": 2})),
            (json!({"a": 1}), "$.a", json!(2), json!({"a": 2})),
            (
                json!({}),
                "$.x.y.z",
                json!(true),
                json!({"x": {"y": {"z": true}}}),
            ),
            (
                json!({"l": [1, 2]}),
                "$.l[1]",
                json!(9),
                json!({"l": [1, 9]}),
            ),
            (
                json!({"l": [{"a": 1}]}),
                "$.l[0].b",
                json!(9),
                json!({"l": [{"a": 1, "b": 9}]}),
            ),
        ];
        for (target, path, value, expected) in cases {
            assert_eq!(set_at(target, path, value), Ok(expected), "{path}");
        }
    }

    #[test]
    fn set_at_conflicts_use_aws_wording() {
        let cases = [
            (
                json!("input1"),
                "$.r",
                "Unable to apply ReferencePath $.r to input \"input1\"",
            ),
            (
                json!({"a": 1}),
                "$.a.b",
                "Unable to apply ReferencePath $.a.b to input {\"a\":1}",
            ),
            (
                json!({"l": []}),
                "$.l[0]",
                "Unable to apply ReferencePath $.l[0] to input {\"l\":[]}",
            ),
        ];
        for (target, path, message) in cases {
            assert_eq!(
                set_at(target, path, json!(1)),
                Err(PathError::new(message)),
                "{path}"
            );
        }
    }
}
