//! Evaluating a compiled JSONPath against a value, with Jayway's results and messages.

use serde_json::{Map, Number, Value};

use crate::budget::{self, Exhausted};
use crate::java_text::java_display;

use super::{Function, JsonPath, PathError, Segment};

impl JsonPath {
    /// Jayway's normalized form, e.g. `$['a'][0]`, as its messages show paths.
    fn normalized(&self) -> String {
        let mut out = String::from("$");
        for segment in &self.segments {
            out.push_str(&segment_text(segment));
        }
        out
    }

    pub(super) fn evaluate(&self, root: &Value) -> Result<Value, PathError> {
        if self.function.is_none() {
            if let Some(found) = self.direct_lookup(root) {
                return Ok(found.clone());
            }
        }
        let mut results = Results::default();
        if self.segments.is_empty() {
            results.push(root)?;
        } else {
            // AWS evaluates an indefinite path leniently: a missing member or a mistyped node
            // anywhere just contributes nothing (`$.items[*]` over `{}` is `[]`, as the corpus
            // records), while a definite path fails with Jayway's message.
            self.eval(0, "$", root, self.is_definite(), root, &mut results)?;
        }
        let value = if self.is_definite() {
            match results.items.into_iter().next() {
                Some(value) => value,
                None => {
                    return Err(PathError::new(format!(
                        "No results for path: {}",
                        self.normalized()
                    )))
                }
            }
        } else {
            Value::Array(results.items)
        };
        match self.function {
            None => Ok(value),
            Some(function) => apply_function(function, &value, &self.normalized()),
        }
    }

    /// The node a path of single names and non-negative single indexes names, found without
    /// the bookkeeping [`JsonPath::eval`] does for its messages. `None` when the path has any
    /// other segment or names nothing: the full evaluation then decides (and words the error).
    fn direct_lookup<'v>(&self, root: &'v Value) -> Option<&'v Value> {
        let mut node = root;
        for segment in &self.segments {
            node = match segment {
                Segment::Property(names) => match names.as_slice() {
                    [name] => node.as_object()?.get(name)?,
                    _ => return None,
                },
                Segment::Index(indexes) => match indexes.as_slice() {
                    [index] => node.as_array()?.get(usize::try_from(*index).ok()?)?,
                    _ => return None,
                },
                _ => return None,
            };
        }
        Some(node)
    }

    /// Evaluates segment `index` on `node` (reached by `path`), adding hits to `out`.
    /// `upstream_definite` tells whether every segment before this one was definite: Jayway
    /// only complains about a missing or mistyped node on a definite stretch of the path.
    fn eval(
        &self,
        index: usize,
        path: &str,
        node: &Value,
        upstream_definite: bool,
        root: &Value,
        out: &mut Results,
    ) -> Result<(), PathError> {
        // Each node visited costs a step, and the text of its path (Jayway's messages) a copy.
        budget::charge_bytes(path.len().saturating_add(budget::BYTES_PER_STEP))
            .map_err(exhausted)?;
        let Some(segment) = self.segments.get(index) else {
            return out.push(node);
        };
        // `index` names a segment, so the next one cannot overflow.
        let next = index.saturating_add(1);
        let leaf = next == self.segments.len();
        let next_definite = upstream_definite && self.segment_definite(index);
        match segment {
            Segment::Property(names) => {
                let Some(map) = node.as_object() else {
                    if !upstream_definite {
                        return Ok(());
                    }
                    return Err(PathError::new(format!(
                        "Expected to find an object with property {} in path {path} but found \
                         '{}'. This is not a json object according to the JsonProvider: \
                         'com.jayway.jsonpath.spi.json.JsonSmartJsonProvider'.",
                        segment_text(segment),
                        java_class(node)
                    )));
                };
                if let [name] = names.as_slice() {
                    let eval_path = format!("{path}['{name}']");
                    match map.get(name) {
                        Some(child) => self.eval(next, &eval_path, child, next_definite, root, out),
                        None if leaf || !upstream_definite => Ok(()),
                        None => Err(PathError::new(format!(
                            "Missing property in path {eval_path}"
                        ))),
                    }
                } else if leaf {
                    let mut merged = Map::new();
                    for name in names {
                        if let Some(child) = map.get(name) {
                            merged.insert(name.clone(), child.clone());
                        }
                    }
                    out.push_owned(Value::Object(merged))
                } else {
                    for name in names {
                        if let Some(child) = map.get(name) {
                            let eval_path = format!("{path}['{name}']");
                            self.eval(next, &eval_path, child, false, root, out)?;
                        }
                    }
                    Ok(())
                }
            }
            Segment::Wildcard => {
                match node {
                    Value::Object(map) => {
                        for (name, child) in map {
                            let eval_path = format!("{path}['{name}']");
                            self.eval(next, &eval_path, child, false, root, out)?;
                        }
                    }
                    Value::Array(items) => {
                        for (i, child) in items.iter().enumerate() {
                            let eval_path = format!("{path}[{i}]");
                            self.eval(next, &eval_path, child, false, root, out)?;
                        }
                    }
                    _ => {}
                }
                Ok(())
            }
            Segment::Index(indexes) => {
                let Some(items) = array_model(segment, path, node, upstream_definite)? else {
                    return Ok(());
                };
                for &i in indexes {
                    self.handle_index(index, path, items, i, next_definite, root, out)?;
                }
                Ok(())
            }
            Segment::Slice(from, to) => {
                let Some(items) = array_model(segment, path, node, upstream_definite)? else {
                    return Ok(());
                };
                let length = i64::try_from(items.len()).unwrap_or(i64::MAX);
                // Jayway's three slice operations, bounds handled exactly as it does.
                let (start, end) = match (from, to) {
                    (Some(from), None) => {
                        let mut from = *from;
                        if from < 0 {
                            from = length.saturating_add(from);
                        }
                        (from.max(0), length)
                    }
                    (None, Some(to)) => {
                        let mut to = *to;
                        if to < 0 {
                            to = length.saturating_add(to);
                        }
                        (0, to.min(length))
                    }
                    (Some(from), Some(to)) => (*from, (*to).min(length)),
                    (None, None) => (0, length),
                };
                if length == 0 || start >= end {
                    return Ok(());
                }
                let mut i = start;
                while i < end {
                    self.handle_index(index, path, items, i, false, root, out)?;
                    // `i < end <= length`: no overflow.
                    i = i.saturating_add(1);
                }
                Ok(())
            }
            Segment::Filter(filter) => match node {
                Value::Object(_) => {
                    if filter.accept(node, root) {
                        self.eval(next, path, node, false, root, out)?;
                    }
                    Ok(())
                }
                Value::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        budget::charge(1).map_err(exhausted)?;
                        if filter.accept(item, root) {
                            let eval_path = format!("{path}[{i}]");
                            self.eval(next, &eval_path, item, false, root, out)?;
                        }
                    }
                    Ok(())
                }
                _ if upstream_definite => Err(PathError::new(format!(
                    "Filter: [?] can not be applied to primitives. Current context is: {}",
                    java_display(node)
                ))),
                _ => Ok(()),
            },
            Segment::Scan => self.scan(next, path, node, root, out),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn handle_index(
        &self,
        index: usize,
        path: &str,
        items: &[Value],
        i: i64,
        next_definite: bool,
        root: &Value,
        out: &mut Results,
    ) -> Result<(), PathError> {
        // Jayway ignores an index out of range (a definite path then has no result).
        match effective_index(i, items.len()).and_then(|e| items.get(e)) {
            Some(child) => {
                let eval_path = format!("{path}[{i}]");
                self.eval(
                    index.saturating_add(1),
                    &eval_path,
                    child,
                    next_definite,
                    root,
                    out,
                )
            }
            None => Ok(()),
        }
    }

    /// The deep scan: applies segment `index` to `node` and every object or array below it,
    /// in Jayway's order (a node first, then its members in order).
    fn scan(
        &self,
        index: usize,
        path: &str,
        node: &Value,
        root: &Value,
        out: &mut Results,
    ) -> Result<(), PathError> {
        if !matches!(node, Value::Object(_) | Value::Array(_)) {
            return Ok(());
        }
        budget::charge_bytes(path.len().saturating_add(budget::BYTES_PER_STEP))
            .map_err(exhausted)?;
        if self.scan_matches(index, node, root) {
            self.eval(index, path, node, false, root, out)?;
        }
        match node {
            Value::Object(map) => {
                for (name, child) in map {
                    self.scan(index, &format!("{path}['{name}']"), child, root, out)?;
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    self.scan(index, &format!("{path}[{i}]"), child, root, out)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn scan_matches(&self, index: usize, node: &Value, root: &Value) -> bool {
        match self.segments.get(index) {
            Some(Segment::Property(names)) => match node.as_object() {
                Some(map) if self.segment_definite(index) => {
                    names.iter().all(|name| map.contains_key(name))
                }
                Some(_) => true,
                None => false,
            },
            Some(Segment::Wildcard) => true,
            Some(Segment::Index(_)) | Some(Segment::Slice(..)) => node.is_array(),
            Some(Segment::Filter(filter)) => filter.accept(node, root),
            Some(Segment::Scan) | None => false,
        }
    }
}

/// A path's results, measured as they are collected: a deep scan can find a node and every
/// node inside it many times over.
#[derive(Default)]
struct Results {
    items: Vec<Value>,
    bytes: usize,
}

impl Results {
    fn push(&mut self, node: &Value) -> Result<(), PathError> {
        budget::add_size(&mut self.bytes, node).map_err(exhausted)?;
        self.items.push(node.clone());
        Ok(())
    }

    fn push_owned(&mut self, node: Value) -> Result<(), PathError> {
        budget::add_size(&mut self.bytes, &node).map_err(exhausted)?;
        self.items.push(node);
        Ok(())
    }
}

fn exhausted(what: Exhausted) -> PathError {
    PathError::new(what.message())
}

pub(super) fn effective_index(index: i64, length: usize) -> Option<usize> {
    let length = i64::try_from(length).ok()?;
    let effective = if index < 0 {
        length.checked_add(index)?
    } else {
        index
    };
    if (0..length).contains(&effective) {
        usize::try_from(effective).ok()
    } else {
        None
    }
}

/// Jayway's check before an index or slice: the node must be an array.
fn array_model<'v>(
    segment: &Segment,
    path: &str,
    node: &'v Value,
    upstream_definite: bool,
) -> Result<Option<&'v [Value]>, PathError> {
    match node {
        Value::Array(items) => Ok(Some(items)),
        _ if !upstream_definite => Ok(None),
        Value::Null => Err(PathError::new(format!("The path {path} is null"))),
        _ => Err(PathError::new(format!(
            "Filter: {} can only be applied to arrays. Current context is: {}",
            segment_text(segment),
            java_display(node)
        ))),
    }
}

/// The Java class Jayway's default provider would report for a value.
fn java_class(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "java.lang.Boolean",
        Value::Number(n) if n.is_f64() => "java.lang.Double",
        Value::Number(n) => match n.as_i64() {
            Some(i) if i32::try_from(i).is_ok() => "java.lang.Integer",
            Some(_) => "java.lang.Long",
            None => "java.math.BigInteger",
        },
        Value::String(_) => "java.lang.String",
        Value::Array(_) => "net.minidev.json.JSONArray",
        Value::Object(_) => "net.minidev.json.JSONObject",
    }
}

fn segment_text(segment: &Segment) -> String {
    let join_ints = |values: &[i64]| {
        values
            .iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
            .join(",")
    };
    match segment {
        Segment::Property(names) => {
            let quoted: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
            format!("[{}]", quoted.join(","))
        }
        Segment::Wildcard => "[*]".into(),
        Segment::Index(indexes) => format!("[{}]", join_ints(indexes)),
        Segment::Slice(from, to) => format!(
            "[{}:{}]",
            from.map(|v| v.to_string()).unwrap_or_default(),
            to.map(|v| v.to_string()).unwrap_or_default()
        ),
        Segment::Filter(_) => "[?]".into(),
        Segment::Scan => "..".into(),
    }
}

fn apply_function(function: Function, value: &Value, path: &str) -> Result<Value, PathError> {
    let numbers = || -> Result<Vec<f64>, PathError> {
        let Value::Array(items) = value else {
            return Err(PathError::new(format!(
                "Aggregation function attempted to calculate value using empty array: {path}"
            )));
        };
        let numbers: Vec<f64> = items.iter().filter_map(Value::as_f64).collect();
        if numbers.is_empty() {
            return Err(PathError::new(
                "Aggregation function attempted to calculate value using empty array",
            ));
        }
        Ok(numbers)
    };
    let float = |f: f64| {
        Number::from_f64(f)
            .map(Value::Number)
            .ok_or_else(|| PathError::new("The function result is not a finite number"))
    };
    match function {
        Function::Length => match value {
            Value::Array(items) => Ok(Value::from(items.len())),
            Value::Object(map) => Ok(Value::from(map.len())),
            Value::String(s) => Ok(Value::from(s.chars().count())),
            _ => Ok(Value::Null),
        },
        Function::Keys => match value {
            Value::Object(map) => Ok(Value::Array(
                map.keys().map(|k| Value::String(k.clone())).collect(),
            )),
            _ => Ok(Value::Null),
        },
        Function::Sum => float(numbers()?.iter().sum()),
        Function::Min => float(numbers()?.iter().copied().fold(f64::INFINITY, f64::min)),
        Function::Max => float(numbers()?.iter().copied().fold(f64::NEG_INFINITY, f64::max)),
        Function::Avg => {
            let n = numbers()?;
            float(n.iter().sum::<f64>() / n.len() as f64)
        }
        Function::Stddev => {
            let n = numbers()?;
            let count = n.len() as f64;
            let mean = n.iter().sum::<f64>() / count;
            let variance = n.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / count;
            float(variance.sqrt())
        }
    }
}
