//! Evaluating a parsed call: its arguments, then its function, with AWS's failures.

use base64::Engine as _;
use serde_json::{Map, Value};

use crate::budget::{self, Exhausted};
use crate::error::{names, StatesError};
use crate::java_text;
use crate::template::EvalEnv;

use super::format::format;
use super::java_random::JavaRandom;
use super::{Arg, Call, Function, MAX_RANGE_ITEMS, MAX_TEXT};

/// An evaluated argument; string literals keep their escaped text for States.Format.
pub(super) struct Evaluated {
    pub(super) value: Value,
    pub(super) raw: Option<String>,
}

impl Call {
    pub(super) fn evaluate(
        &self,
        field: &str,
        env: &mut EvalEnv<'_>,
    ) -> Result<Value, StatesError> {
        let mut args = Vec::with_capacity(self.args.len());
        for arg in &self.args {
            args.push(match arg {
                Arg::Str { value, raw } => Evaluated {
                    value: Value::String(value.clone()),
                    raw: Some(raw.clone()),
                },
                Arg::Literal(value) => Evaluated {
                    value: value.clone(),
                    raw: None,
                },
                Arg::Path(path) if path.is_variable() => {
                    let value = path.query(env.input, env.context, env.variables)
                        .map_err(|e| {
                            StatesError::runtime(format!(
                                "The JSONPath '{path}' specified for the field '{field}' could not be found: {}",
                                e.message
                            ))
                        })?;
                    Evaluated { value, raw: None }
                }
                Arg::Path(path) => {
                    let value = path.query(env.input, env.context, None).map_err(|_| {
                        let document = if path.text().starts_with("$$") {
                            env.context
                        } else {
                            env.input
                        };
                        StatesError::runtime(format!(
                            "The JSONPath '{path}' specified for the field '{field}' could not \
                             be found in the input '{}'",
                            java_text::compact(document)
                        ))
                    })?;
                    Evaluated { value, raw: None }
                }
                Arg::Call(call) => Evaluated {
                    value: call.evaluate(field, env)?,
                    raw: None,
                },
            });
        }
        // What a function makes is at most a few times what it is given (Format, Array and
        // JsonToString copy their arguments, Base64 and escaping grow text by a third or
        // double it): measured here, a call nested in calls stops before it builds too much.
        let mut bytes = 0usize;
        budget::charge(1).map_err(Exhausted::error)?;
        for arg in &args {
            if !matches!(arg.value, Value::Number(_) | Value::Bool(_) | Value::Null) {
                budget::add_size(&mut bytes, &arg.value).map_err(Exhausted::error)?;
            }
        }
        let f = Failure { name: &self.name };
        // The parser enforced the arity; a missing argument is still an error, never a panic.
        let arg = |i: usize| -> Result<&Value, StatesError> {
            args.get(i)
                .map(|a| &a.value)
                .ok_or_else(|| f.fail(format!("The argument at index {i} is missing")))
        };
        match self.function {
            Function::Format => format(&f, &args),
            Function::StringToJson => {
                let text = f.string(arg(0)?, 0)?;
                if text.trim().is_empty() {
                    return Ok(Value::Null);
                }
                serde_json::from_str(text).map_err(|e| {
                    f.fail(format!(
                        "The argument at index 0 is not valid JSON text: {e}"
                    ))
                })
            }
            Function::JsonToString => {
                // Escaping at most doubles the text (a quote or a backslash in a string).
                budget::check_size(bytes.saturating_mul(2)).map_err(Exhausted::error)?;
                Ok(Value::String(java_text::compact(arg(0)?)))
            }
            Function::Array => Ok(Value::Array(args.into_iter().map(|a| a.value).collect())),
            Function::ArrayPartition => {
                let items = f.array(arg(0)?, 0)?;
                let size = f.integer(arg(1)?, 1)?;
                let size = usize::try_from(size)
                    .ok()
                    .filter(|s| *s > 0)
                    .ok_or_else(|| {
                        f.fail("The chunk size (argument at index 1) must be a positive integer")
                    })?;
                Ok(Value::Array(
                    items
                        .chunks(size)
                        .map(|chunk| Value::Array(chunk.to_vec()))
                        .collect(),
                ))
            }
            Function::ArrayContains => {
                let items = f.array(arg(0)?, 0)?;
                Ok(Value::Bool(items.contains(arg(1)?)))
            }
            Function::ArrayRange => {
                let start = f.integer(arg(0)?, 0)?;
                let end = f.integer(arg(1)?, 1)?;
                let step = f.integer(arg(2)?, 2)?;
                if step == 0 {
                    return Err(f.fail("The step (argument at index 2) must not be 0"));
                }
                let mut out = Vec::new();
                let mut current = start;
                while (step > 0 && current <= end) || (step < 0 && current >= end) {
                    if out.len() == MAX_RANGE_ITEMS {
                        return Err(f.fail(format!(
                            "The range would have more than {MAX_RANGE_ITEMS} items"
                        )));
                    }
                    out.push(Value::from(current));
                    match current.checked_add(step) {
                        Some(next) => current = next,
                        None => break,
                    }
                }
                Ok(Value::Array(out))
            }
            Function::ArrayGetItem => {
                let items = f.array(arg(0)?, 0)?;
                let index = f.integer(arg(1)?, 1)?;
                usize::try_from(index)
                    .ok()
                    .and_then(|i| items.get(i))
                    .cloned()
                    .ok_or_else(|| {
                        f.fail(format!(
                            "The index {index} (argument at index 1) is out of bounds for an \
                             array of {} items",
                            items.len()
                        ))
                    })
            }
            Function::ArrayLength => Ok(Value::from(f.array(arg(0)?, 0)?.len())),
            Function::ArrayUnique => {
                let items = f.array(arg(0)?, 0)?;
                Ok(Value::Array(unique(items)))
            }
            Function::Base64Encode => {
                let text = f.limited_string(arg(0)?, 0)?;
                Ok(Value::String(
                    base64::engine::general_purpose::STANDARD.encode(text.as_bytes()),
                ))
            }
            Function::Base64Decode => {
                let text = f.limited_string(arg(0)?, 0)?;
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(text.as_bytes())
                    .map_err(|e| {
                        f.fail(format!("The argument at index 0 is not valid Base64: {e}"))
                    })?;
                String::from_utf8(bytes).map(Value::String).map_err(|_| {
                    f.fail("The decoded data of the argument at index 0 is not UTF-8 text")
                })
            }
            Function::Hash => {
                let text = f.limited_string(arg(0)?, 0)?;
                let algorithm = f.string(arg(1)?, 1)?;
                hash(text, algorithm).ok_or_else(|| {
                    f.fail(format!(
                        "The hashing algorithm '{algorithm}' (argument at index 1) is not \
                         supported; use one of MD5, SHA-1, SHA-256, SHA-384, SHA-512"
                    ))
                })
            }
            Function::JsonMerge => {
                let left = f.object(arg(0)?, 0)?;
                let right = f.object(arg(1)?, 1)?;
                match arg(2)? {
                    Value::Bool(false) => {}
                    Value::Bool(true) => {
                        return Err(f.fail(
                            "Deep merge (argument at index 2 set to true) is not supported; \
                             it must be false",
                        ))
                    }
                    other => return Err(f.type_error(2, "a boolean", other)),
                }
                let mut merged: Map<String, Value> = left.clone();
                for (key, value) in right {
                    merged.insert(key.clone(), value.clone());
                }
                Ok(Value::Object(merged))
            }
            Function::MathRandom => {
                let start = f.integer(arg(0)?, 0)?;
                let end = f.integer(arg(1)?, 1)?;
                if end <= start {
                    return Err(f.fail(format!(
                        "The end {end} (argument at index 1) must be greater than the start \
                         {start}"
                    )));
                }
                let value = match args.get(2).map(|a| &a.value) {
                    Some(seed) => {
                        let seed = f.integer(seed, 2)?;
                        let span = end
                            .checked_sub(start)
                            .and_then(|s| i32::try_from(s).ok())
                            .ok_or_else(|| f.fail("The range is too large"))?;
                        start.saturating_add(i64::from(JavaRandom::new(seed).next_int(span)))
                    }
                    None => env.rng.range_inclusive(start, end.saturating_sub(1)),
                };
                Ok(Value::from(value))
            }
            Function::MathAdd => {
                let a = f.integer(arg(0)?, 0)?;
                let b = f.integer(arg(1)?, 1)?;
                a.checked_add(b)
                    .map(Value::from)
                    .ok_or_else(|| f.fail("The sum is out of range"))
            }
            Function::StringSplit => {
                let text = f.string(arg(0)?, 0)?;
                let delimiters = f.string(arg(1)?, 1)?;
                // Java's StringTokenizer: any delimiter character splits, empty tokens drop.
                Ok(Value::Array(
                    text.split(|c| delimiters.contains(c))
                        .filter(|token| !token.is_empty())
                        .map(|token| Value::String(token.to_string()))
                        .collect(),
                ))
            }
            Function::Uuid => Ok(Value::String(env.rng.uuid_v4())),
        }
    }
}

/// The items of `items` without repeats, in the order they first appear (States.ArrayUnique).
/// Items are grouped by a hash that agrees with equality (objects' members hashed in any
/// order, as objects compare), so it takes linear time, not quadratic.
fn unique(items: &[Value]) -> Vec<Value> {
    let mut seen: rustc_hash::FxHashMap<u64, Vec<usize>> = rustc_hash::FxHashMap::default();
    let mut out: Vec<Value> = Vec::with_capacity(items.len());
    for item in items {
        let same_hash = seen.entry(value_hash(item)).or_default();
        if same_hash
            .iter()
            .any(|&i| out.get(i).is_some_and(|kept| kept == item))
        {
            continue;
        }
        same_hash.push(out.len());
        out.push(item.clone());
    }
    out
}

/// A hash of `value` that equal values share.
fn value_hash(value: &Value) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = rustc_hash::FxHasher::default();
    match value {
        Value::Null => 0u8.hash(&mut hasher),
        Value::Bool(b) => (1u8, b).hash(&mut hasher),
        Value::Number(n) => (2u8, n).hash(&mut hasher),
        Value::String(s) => (3u8, s).hash(&mut hasher),
        Value::Array(items) => {
            (4u8, items.len()).hash(&mut hasher);
            for item in items {
                value_hash(item).hash(&mut hasher);
            }
        }
        Value::Object(map) => {
            // Members in any order: their hashes are summed.
            let members = map.iter().fold(0u64, |sum, (key, member)| {
                let mut entry = rustc_hash::FxHasher::default();
                (key, value_hash(member)).hash(&mut entry);
                sum.wrapping_add(entry.finish())
            });
            (5u8, map.len(), members).hash(&mut hasher);
        }
    }
    hasher.finish()
}

/// Builds the `States.IntrinsicFailure` errors of one call.
pub(super) struct Failure<'a> {
    name: &'a str,
}

impl Failure<'_> {
    pub(super) fn fail(&self, message: impl Into<String>) -> StatesError {
        StatesError::new(
            names::INTRINSIC_FAILURE,
            format!("Invalid arguments in {}: {}", self.name, message.into()),
        )
    }

    fn type_error(&self, index: usize, expected: &str, got: &Value) -> StatesError {
        self.fail(format!(
            "The argument at index {index} must be {expected}, but was {}",
            java_text::compact(got)
        ))
    }

    pub(super) fn string<'v>(
        &self,
        value: &'v Value,
        index: usize,
    ) -> Result<&'v str, StatesError> {
        value
            .as_str()
            .ok_or_else(|| self.type_error(index, "a string", value))
    }

    fn limited_string<'v>(&self, value: &'v Value, index: usize) -> Result<&'v str, StatesError> {
        let text = self.string(value, index)?;
        if text.chars().count() > MAX_TEXT {
            return Err(self.fail(format!(
                "The argument at index {index} is longer than {MAX_TEXT} characters"
            )));
        }
        Ok(text)
    }

    fn array<'v>(&self, value: &'v Value, index: usize) -> Result<&'v [Value], StatesError> {
        value
            .as_array()
            .map(Vec::as_slice)
            .ok_or_else(|| self.type_error(index, "an array", value))
    }

    fn object<'v>(
        &self,
        value: &'v Value,
        index: usize,
    ) -> Result<&'v Map<String, Value>, StatesError> {
        value
            .as_object()
            .ok_or_else(|| self.type_error(index, "an object", value))
    }

    /// An integer argument. AWS accepts a fractional number and rounds it half up, as Java's
    /// `Math.round` does (`1.5` is `2`, `-1.5` is `-1`); the corpus records exactly that.
    fn integer(&self, value: &Value, index: usize) -> Result<i64, StatesError> {
        let Value::Number(n) = value else {
            return Err(self.type_error(index, "a number", value));
        };
        if let Some(i) = n.as_i64() {
            return Ok(i);
        }
        let rounded = n.as_f64().map(|f| (f + 0.5).floor());
        match rounded {
            Some(r) if r.is_finite() && r >= i64::MIN as f64 && r < i64::MAX as f64 => Ok(r as i64),
            _ => Err(self.fail(format!(
                "The argument at index {index} is out of range: {n}"
            ))),
        }
    }
}

fn hash(text: &str, algorithm: &str) -> Option<Value> {
    use md5::Digest as _;
    let bytes = text.as_bytes();
    let digest: Vec<u8> = match algorithm {
        "MD5" => md5::Md5::digest(bytes).to_vec(),
        "SHA-1" => sha1::Sha1::digest(bytes).to_vec(),
        "SHA-256" => sha2::Sha256::digest(bytes).to_vec(),
        "SHA-384" => sha2::Sha384::digest(bytes).to_vec(),
        "SHA-512" => sha2::Sha512::digest(bytes).to_vec(),
        _ => return None,
    };
    Some(Value::String(
        digest.iter().map(|b| format!("{b:02x}")).collect(),
    ))
}
