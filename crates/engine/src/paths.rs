//! JSONPath in AWS's dialect (Jayway's), reference paths, and writing at a reference path.
//! (Stub: the paths helper fills this in.)

use serde_json::Value;

/// Why a path could not be evaluated against a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathError {
    /// AWS's wording of the problem, e.g. `No results for path: $['foo']`.
    pub message: String,
}

/// Evaluates `path` (`$...` against `input`, `$$...` against `context`). A definite path gives
/// its value; an indefinite one (wildcards, filters, slices, unions, deep scan) a list.
pub fn query(path: &str, input: &Value, context: &Value) -> Result<Value, PathError> {
    let _ = (path, input, context);
    Err(PathError {
        message: "not implemented".into(),
    })
}

/// Checks the syntax of a JSONPath (InputPath, OutputPath, ItemsPath, a template's `.$` value).
pub fn check_path(path: &str) -> Result<(), String> {
    let _ = path;
    Ok(())
}

/// Checks a reference path: a JSONPath naming a single node (ResultPath, Choice Variable,
/// `...Path` fields).
pub fn check_reference_path(path: &str) -> Result<(), String> {
    let _ = path;
    Ok(())
}

/// Returns `target` with `value` written at the reference path `path`, creating missing
/// objects on the way (ResultPath semantics).
pub fn set_at(target: Value, path: &str, value: Value) -> Result<Value, PathError> {
    let _ = (target, path, value);
    Err(PathError {
        message: "not implemented".into(),
    })
}
