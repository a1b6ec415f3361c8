//! JSONPath in AWS's dialect (Jayway's), reference paths, and writing at a reference path.
//!
//! AWS evaluates JSONPath with Jayway JsonPath, so this module follows Jayway's semantics and
//! wording rather than RFC 9535: a *definite* path (only single names and single indexes)
//! gives one value or fails with Jayway's message (`No results for path: $['a']`, `Missing
//! property in path $['a']`); any other path gives a list, possibly empty. A multi-name
//! bracket at the end of a path (`$['a','b']`) merges the named members into one object, as
//! Jayway does. The messages here are Jayway's; callers wrap them in AWS's sentences
//! (`Invalid path '$.x' : ...`).

use std::rc::Rc;

use serde_json::{Map, Number, Value};

use crate::char_cursor::{impl_char_cursor, CharCursor};
use crate::java_regex::Regex;
use crate::parse_cache;

/// How Java prints values, which Jayway's messages quote; kept here too for this module's
/// callers, which print the values they query.
pub use crate::java_text::{compact, java_display, java_number};

/// Why a path could not be evaluated against a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathError {
    /// AWS's wording of the problem, e.g. `No results for path: $['foo']`.
    pub message: String,
}

impl PathError {
    fn new(message: impl Into<String>) -> Self {
        PathError {
            message: message.into(),
        }
    }
}

/// Evaluates `path` (`$...` against `input`, `$$...` against `context`). A definite path gives
/// its value; an indefinite one (wildcards, filters, slices, unions, deep scan) a list.
pub fn query(path: &str, input: &Value, context: &Value) -> Result<Value, PathError> {
    query_with_variables(path, input, context, None)
}

/// Like [`query`], also resolving workflow variable references (`$name`, `$name.a[0]`)
/// against `variables`. Without variables such a path fails with a message naming it.
pub fn query_with_variables(
    path: &str,
    input: &Value,
    context: &Value,
    variables: Option<&Map<String, Value>>,
) -> Result<Value, PathError> {
    let compiled = JsonPath::cached(path).map_err(PathError::new)?;
    let root = match &compiled.root {
        Root::Input => input,
        Root::Context => context,
        Root::Variable(name) => match variables {
            None => {
                return Err(PathError::new(format!(
                    "The variable reference '{}' cannot be evaluated: workflow variables are \
                     not supported here",
                    path.trim()
                )))
            }
            Some(variables) => variables
                .get(name)
                .ok_or_else(|| PathError::new(format!("The variable '${name}' is not defined")))?,
        },
    };
    compiled.evaluate(root)
}

/// Whether `path` reads a workflow variable (`$name...`) rather than `$` or `$$`.
pub fn is_variable_path(path: &str) -> bool {
    JsonPath::cached(path).is_ok_and(|compiled| matches!(compiled.root, Root::Variable(_)))
}

/// Checks the syntax of a JSONPath (InputPath, OutputPath, ItemsPath, a template's `.$` value).
pub fn check_path(path: &str) -> Result<(), String> {
    // Through the cache: a definition repeats its paths, and a run reads them parsed again.
    JsonPath::cached(path).map(|_| ())
}

const NOT_SINGLE_NODE: &str = "A reference path must name a single node: no wildcards, \
                               filters, slices, unions or deep scans";

/// Checks a reference path: a JSONPath naming a single node (ResultPath, Choice Variable,
/// `...Path` fields).
pub fn check_reference_path(path: &str) -> Result<(), String> {
    JsonPath::cached(path)?.check_reference()
}

/// True when `path` is definite: it can only name a single node (no wildcard, deep scan,
/// filter, slice or union), so evaluating it gives a value rather than a list.
pub fn is_definite(path: &str) -> Result<bool, String> {
    Ok(JsonPath::cached(path)?.is_definite())
}

/// Returns `target` with `value` written at the reference path `path`, creating missing
/// objects on the way (ResultPath semantics).
///
/// When a step cannot be applied (the node on the way is not an object, or an index is out of
/// range) the message is AWS's `Unable to apply ReferencePath <path> to input <input JSON>`;
/// AWS reports it as `States.ReferencePathConflict`.
pub fn set_at(target: Value, path: &str, value: Value) -> Result<Value, PathError> {
    let compiled = JsonPath::cached(path).map_err(PathError::new)?;
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

// ---------------------------------------------------------------------------------------------
// The compiled form.

#[derive(Debug, Clone, PartialEq)]
enum Segment {
    /// `.a`, `['a']`, or `['a','b']`.
    Property(Vec<String>),
    /// `.*` or `[*]`.
    Wildcard,
    /// `[0]`, `[-1]` or `[0,2]`.
    Index(Vec<i64>),
    /// `[from:to]`, either bound optional (Jayway has no step).
    Slice(Option<i64>, Option<i64>),
    /// `[?(...)]`.
    Filter(Box<Filter>),
    /// `..`: the next segment applies at every depth.
    Scan,
}

/// A function at the end of a path (`.length()`), applied to what the path before it gives.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Function {
    Length,
    Min,
    Max,
    Avg,
    Sum,
    Stddev,
    Keys,
}

/// Where a path starts.
#[derive(Debug, Clone, PartialEq)]
enum Root {
    /// `$`: the state's input (or effective input).
    Input,
    /// `$$`: the context object.
    Context,
    /// `$name`: a workflow variable.
    Variable(String),
}

enum RefStep {
    Name(String),
    Index(i64),
}

#[derive(Debug, Clone, PartialEq)]
struct JsonPath {
    /// What the path starts from.
    root: Root,
    segments: Vec<Segment>,
    function: Option<Function>,
}

/// How deeply filters, parentheses and negations may nest in a path: deeper nesting is
/// refused rather than risking the stack on a hostile definition.
const MAX_FILTER_NESTING: usize = 32;

thread_local! {
    static PARSED: parse_cache::Cache<JsonPath> = const { parse_cache::empty() };
}

impl JsonPath {
    fn parse(text: &str) -> Result<JsonPath, String> {
        Self::parse_nested(text, 0)
    }

    /// [`JsonPath::parse`], once per text and thread.
    fn cached(text: &str) -> Result<Rc<JsonPath>, String> {
        parse_cache::get_or_parse(&PARSED, text, JsonPath::parse)
    }

    /// Parses a path found at filter nesting level `depth`.
    fn parse_nested(text: &str, depth: usize) -> Result<JsonPath, String> {
        let trimmed = text.trim();
        let (root, rest) = if let Some(rest) = trimmed.strip_prefix("$$") {
            (Root::Context, rest)
        } else if let Some(rest) = trimmed.strip_prefix('$') {
            // `$name` is a workflow variable: a letter or `_`, then letters, digits or `_`.
            if rest.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
                let end = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len());
                let (name, after) = rest.split_at(end);
                (Root::Variable(name.to_string()), after)
            } else {
                (Root::Input, rest)
            }
        } else {
            return Err(format!("Path must start with '$': {text}"));
        };
        // `rest` is a suffix of `trimmed`, so this is where it starts.
        let mut parser = Parser::new(rest, trimmed.len().saturating_sub(rest.len()), depth);
        let (segments, function) = parser.segments()?;
        Ok(JsonPath {
            root,
            segments,
            function,
        })
    }

    fn parse_relative(text: &str, depth: usize) -> Result<JsonPath, String> {
        let rest = text
            .strip_prefix('@')
            .ok_or_else(|| format!("Path must start with '@': {text}"))?;
        let mut parser = Parser::new(rest, 1, depth);
        let (segments, function) = parser.segments()?;
        Ok(JsonPath {
            root: Root::Input,
            segments,
            function,
        })
    }

    fn segment_definite(&self, index: usize) -> bool {
        match self.segments.get(index) {
            Some(Segment::Property(names)) => {
                names.len() == 1 || index.saturating_add(1) == self.segments.len()
            }
            Some(Segment::Index(indexes)) => indexes.len() == 1,
            _ => false,
        }
    }

    fn is_definite(&self) -> bool {
        (0..self.segments.len()).all(|i| self.segment_definite(i))
    }

    /// Why the path is not a reference path, if it is not.
    fn check_reference(&self) -> Result<(), String> {
        if self.function.is_some() {
            return Err("A reference path cannot call a function".into());
        }
        let single = |segment: &Segment| match segment {
            Segment::Property(names) => names.len() == 1,
            Segment::Index(indexes) => indexes.len() == 1,
            _ => false,
        };
        if self.segments.iter().all(single) {
            Ok(())
        } else {
            Err(NOT_SINGLE_NODE.to_string())
        }
    }

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

    /// Jayway's normalized form, e.g. `$['a'][0]`, as its messages show paths.
    fn normalized(&self) -> String {
        let mut out = String::from("$");
        for segment in &self.segments {
            out.push_str(&segment_text(segment));
        }
        out
    }

    fn evaluate(&self, root: &Value) -> Result<Value, PathError> {
        if self.function.is_none() {
            if let Some(found) = self.direct_lookup(root) {
                return Ok(found.clone());
            }
        }
        let mut results = Vec::new();
        if self.segments.is_empty() {
            results.push(root.clone());
        } else {
            // AWS evaluates an indefinite path leniently: a missing member or a mistyped node
            // anywhere just contributes nothing (`$.items[*]` over `{}` is `[]`, as the corpus
            // records), while a definite path fails with Jayway's message.
            self.eval(0, "$", root, self.is_definite(), root, &mut results)?;
        }
        let value = if self.is_definite() {
            match results.into_iter().next() {
                Some(value) => value,
                None => {
                    return Err(PathError::new(format!(
                        "No results for path: {}",
                        self.normalized()
                    )))
                }
            }
        } else {
            Value::Array(results)
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
        out: &mut Vec<Value>,
    ) -> Result<(), PathError> {
        let Some(segment) = self.segments.get(index) else {
            out.push(node.clone());
            return Ok(());
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
                    out.push(Value::Object(merged));
                    Ok(())
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
        out: &mut Vec<Value>,
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
        out: &mut Vec<Value>,
    ) -> Result<(), PathError> {
        if !matches!(node, Value::Object(_) | Value::Array(_)) {
            return Ok(());
        }
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

fn effective_index(index: i64, length: usize) -> Option<usize> {
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

// ---------------------------------------------------------------------------------------------
// Parsing.

struct Parser {
    chars: Vec<char>,
    pos: usize,
    /// Where `chars` starts in the original text, for positions in messages.
    offset: usize,
    /// How many filters enclose this path.
    depth: usize,
}

impl_char_cursor!(Parser);

impl Parser {
    fn new(text: &str, offset: usize, depth: usize) -> Self {
        Parser {
            chars: text.chars().collect(),
            pos: 0,
            offset,
            depth,
        }
    }

    fn error_here(&self) -> String {
        format!(
            "Could not parse token starting at position {}",
            self.pos.saturating_add(self.offset)
        )
    }

    fn segments(&mut self) -> Result<(Vec<Segment>, Option<Function>), String> {
        let mut segments = Vec::new();
        while let Some(c) = self.peek() {
            match c {
                '.' if self.peek_at(1) == Some('.') => {
                    self.advance_by(2);
                    segments.push(Segment::Scan);
                    match self.peek() {
                        None => return Err("Path must not end with a '.' or '..'".into()),
                        Some('[') => segments.push(self.bracket()?),
                        Some('*') => {
                            self.advance();
                            segments.push(Segment::Wildcard);
                        }
                        Some(_) => match self.name()? {
                            NameOrFunction::Name(name) => {
                                segments.push(Segment::Property(vec![name]))
                            }
                            NameOrFunction::Function(_) => {
                                return Err("A function cannot follow a deep scan".into())
                            }
                        },
                    }
                }
                '.' => {
                    self.advance();
                    match self.peek() {
                        None => return Err("Path must not end with a '.' or '..'".into()),
                        Some('*') => {
                            self.advance();
                            segments.push(Segment::Wildcard);
                        }
                        Some('[') | Some(' ') => return Err(self.error_here()),
                        Some(_) => match self.name()? {
                            NameOrFunction::Name(name) => {
                                segments.push(Segment::Property(vec![name]))
                            }
                            NameOrFunction::Function(function) => {
                                if self.peek().is_some() {
                                    return Err(format!(
                                        "A function must be the last step of a path, at \
                                         position {}",
                                        self.pos.saturating_add(self.offset)
                                    ));
                                }
                                return Ok((segments, Some(function)));
                            }
                        },
                    }
                }
                '[' => segments.push(self.bracket()?),
                _ => return Err(self.error_here()),
            }
        }
        Ok((segments, None))
    }

    /// A name after `.`: up to the next `.`, `[`, `(` or space. A `(` makes it a function.
    fn name(&mut self) -> Result<NameOrFunction, String> {
        let start = self.pos;
        while let Some(c) = self.peek() {
            if matches!(c, '.' | '[' | '(' | ' ') {
                break;
            }
            self.advance();
        }
        let name = self.text_from(start);
        if name.is_empty() {
            return Err(self.error_here());
        }
        if self.peek() == Some('(') {
            self.advance();
            self.skip_spaces();
            if self.peek() != Some(')') {
                return Err(format!("Function {name}() takes no arguments here"));
            }
            self.advance();
            let function = match name.as_str() {
                "length" | "size" => Function::Length,
                "min" => Function::Min,
                "max" => Function::Max,
                "avg" => Function::Avg,
                "sum" => Function::Sum,
                "stddev" => Function::Stddev,
                "keys" => Function::Keys,
                _ => return Err(format!("Function with name: {name} does not exist.")),
            };
            return Ok(NameOrFunction::Function(function));
        }
        Ok(NameOrFunction::Name(name))
    }

    fn bracket(&mut self) -> Result<Segment, String> {
        let open = self.pos;
        self.advance();
        self.skip_spaces();
        match self.peek() {
            Some('?') => {
                self.advance();
                self.skip_spaces();
                if self.peek() != Some('(') {
                    return Err(self.error_here());
                }
                let body_start = self.pos.saturating_add(1);
                let close = matching_paren(&self.chars, self.pos).ok_or_else(|| {
                    format!(
                        "Filter starting at position {} is not closed",
                        open.saturating_add(self.offset)
                    )
                })?;
                // `close` is past the `(` at the cursor, so the body range is never reversed.
                let body: String = self
                    .chars
                    .get(body_start..close)
                    .unwrap_or_default()
                    .iter()
                    .collect();
                self.pos = close.saturating_add(1);
                self.expect_close()?;
                Ok(Segment::Filter(Box::new(parse_filter(
                    &body,
                    self.depth.saturating_add(1),
                )?)))
            }
            Some('*') => {
                self.advance();
                self.expect_close()?;
                Ok(Segment::Wildcard)
            }
            Some('\'' | '"') => {
                let mut names = Vec::new();
                loop {
                    self.skip_spaces();
                    let Some(q @ ('\'' | '"')) = self.peek() else {
                        return Err(self.error_here());
                    };
                    self.advance();
                    names.push(self.quoted(q)?);
                    self.skip_spaces();
                    match self.peek() {
                        Some(',') => self.advance(),
                        Some(']') => {
                            self.advance();
                            break;
                        }
                        _ => return Err(self.error_here()),
                    }
                }
                Ok(Segment::Property(names))
            }
            _ => {
                let start = self.pos;
                while self.peek().is_some_and(|c| c != ']') {
                    self.advance();
                }
                if self.peek() != Some(']') {
                    return Err(format!(
                        "Bracket at position {} is not closed",
                        open.saturating_add(self.offset)
                    ));
                }
                let body = self.text_from(start);
                self.advance();
                let body = body.trim();
                let bad = || format!("Could not parse array index or slice [{body}]");
                if body.is_empty() {
                    return Err(bad());
                }
                let bound = |text: &str| -> Result<Option<i64>, String> {
                    let text = text.trim();
                    if text.is_empty() {
                        Ok(None)
                    } else {
                        text.parse::<i64>().map(Some).map_err(|_| bad())
                    }
                };
                if let Some((from, to)) = body.split_once(':') {
                    // Jayway has no step: `[a:b:c]` is an error.
                    if to.contains(':') {
                        return Err(bad());
                    }
                    Ok(Segment::Slice(bound(from)?, bound(to)?))
                } else {
                    let indexes = body
                        .split(',')
                        .map(|part| bound(part)?.ok_or_else(bad))
                        .collect::<Result<Vec<i64>, String>>()?;
                    Ok(Segment::Index(indexes))
                }
            }
        }
    }

    fn expect_close(&mut self) -> Result<(), String> {
        self.skip_spaces();
        if self.peek() == Some(']') {
            self.advance();
            Ok(())
        } else {
            Err(self.error_here())
        }
    }

    /// The rest of a quoted name whose opening quote was consumed. A backslash keeps the next
    /// character from closing the name but stays in it: AWS reads `$['a\"b']` as the member
    /// `a\"b` (the corpus records this), unlike newer Jayway versions which unescape.
    fn quoted(&mut self, quote: char) -> Result<String, String> {
        let mut out = String::new();
        loop {
            match self.peek() {
                None => return Err("Property name is not closed with a quote".into()),
                Some('\\') => {
                    self.advance();
                    out.push('\\');
                    match self.peek() {
                        Some(c) => {
                            out.push(c);
                            self.advance();
                        }
                        None => return Err("Property name is not closed with a quote".into()),
                    }
                }
                Some(c) if c == quote => {
                    self.advance();
                    return Ok(out);
                }
                Some(c) => {
                    out.push(c);
                    self.advance();
                }
            }
        }
    }
}

enum NameOrFunction {
    Name(String),
    Function(Function),
}

/// The index of the `)` matching the `(` at `open`, skipping quoted strings and regexes.
fn matching_paren(chars: &[char], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = open;
    let mut quote: Option<char> = None;
    while let Some(&c) = chars.get(i) {
        match quote {
            Some(q) => {
                if c == '\\' {
                    i = i.saturating_add(1);
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                '\'' | '"' => quote = Some(c),
                '(' => depth = depth.saturating_add(1),
                ')' => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        return Some(i);
                    }
                }
                _ => {}
            },
        }
        i = i.saturating_add(1);
    }
    None
}

// ---------------------------------------------------------------------------------------------
// Filters.

#[derive(Debug, Clone, PartialEq)]
enum Filter {
    Or(Box<Filter>, Box<Filter>),
    And(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
    Exists(Operand),
    Compare(Operand, CompareOp, Operand),
}

#[derive(Debug, Clone, PartialEq)]
enum Operand {
    /// `@...` (relative to the item) or `$...` (the document root).
    Path {
        relative: bool,
        path: JsonPath,
    },
    Literal(Value),
    Regex(Regex),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum CompareOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Regex,
    In,
    Nin,
    Contains,
    SubsetOf,
    AnyOf,
    NoneOf,
    Size,
    Empty,
}

impl Filter {
    fn accept(&self, item: &Value, root: &Value) -> bool {
        match self {
            Filter::Or(a, b) => a.accept(item, root) || b.accept(item, root),
            Filter::And(a, b) => a.accept(item, root) && b.accept(item, root),
            Filter::Not(a) => !a.accept(item, root),
            Filter::Exists(operand) => match operand {
                Operand::Literal(Value::Bool(b)) => *b,
                _ => operand.value(item, root).is_some(),
            },
            Filter::Compare(left, op, right) => {
                let (l, r) = (left.value(item, root), right.value(item, root));
                compare(l.as_ref(), *op, r.as_ref(), right)
            }
        }
    }
}

impl Operand {
    /// The operand's value, `None` when its path has no result.
    fn value(&self, item: &Value, root: &Value) -> Option<Value> {
        match self {
            Operand::Path { relative, path } => {
                let start = if *relative { item } else { root };
                path.evaluate(start).ok()
            }
            Operand::Literal(value) => Some(value.clone()),
            Operand::Regex(_) => None,
        }
    }
}

fn compare(left: Option<&Value>, op: CompareOp, right: Option<&Value>, rhs: &Operand) -> bool {
    if op == CompareOp::Ne {
        return match (left, right) {
            (Some(l), Some(r)) => !values_equal(l, r),
            _ => true,
        };
    }
    if op == CompareOp::Regex {
        // Jayway matches the pattern against the whole string (`Matcher.matches()`).
        return match (left, rhs) {
            (Some(Value::String(text)), Operand::Regex(regex)) => regex.matches(text),
            _ => false,
        };
    }
    let (Some(l), Some(r)) = (left, right) else {
        return false;
    };
    let contains = |list: &Value, v: &Value| match list {
        Value::Array(items) => items.iter().any(|i| values_equal(i, v)),
        _ => false,
    };
    match op {
        CompareOp::Eq => values_equal(l, r),
        CompareOp::Lt | CompareOp::Le | CompareOp::Gt | CompareOp::Ge => {
            let ordering = match (l, r) {
                (Value::Number(a), Value::Number(b)) => a
                    .as_f64()
                    .zip(b.as_f64())
                    .and_then(|(a, b)| a.partial_cmp(&b)),
                (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
                _ => None,
            };
            let Some(ordering) = ordering else {
                return false;
            };
            match op {
                CompareOp::Lt => ordering.is_lt(),
                CompareOp::Le => ordering.is_le(),
                CompareOp::Gt => ordering.is_gt(),
                _ => ordering.is_ge(),
            }
        }
        CompareOp::In => contains(r, l),
        CompareOp::Nin => !contains(r, l),
        CompareOp::Contains => match (l, r) {
            (Value::String(a), Value::String(b)) => a.contains(b.as_str()),
            _ => contains(l, r),
        },
        CompareOp::SubsetOf => match l {
            Value::Array(items) => items.iter().all(|i| contains(r, i)),
            _ => false,
        },
        CompareOp::AnyOf => match l {
            Value::Array(items) => items.iter().any(|i| contains(r, i)),
            _ => false,
        },
        CompareOp::NoneOf => match l {
            Value::Array(items) => !items.iter().any(|i| contains(r, i)),
            _ => false,
        },
        CompareOp::Size => {
            let size = match l {
                Value::Array(items) => items.len(),
                Value::String(s) => s.chars().count(),
                _ => return false,
            };
            r.as_u64().is_some_and(|n| usize::try_from(n) == Ok(size))
        }
        CompareOp::Empty => {
            let empty = match l {
                Value::Array(items) => items.is_empty(),
                Value::String(s) => s.is_empty(),
                _ => return false,
            };
            r.as_bool() == Some(empty)
        }
        CompareOp::Ne | CompareOp::Regex => false,
    }
}

/// Equality as Jayway's filters see it: numbers by value (`1 == 1.0`), the rest structurally.
fn values_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(i), Some(j)) => i == j,
            _ => x.as_f64() == y.as_f64(),
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| values_equal(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| values_equal(v, w)))
        }
        _ => a == b,
    }
}

fn parse_filter(text: &str, depth: usize) -> Result<Filter, String> {
    if depth > MAX_FILTER_NESTING {
        return Err(format!(
            "Filters may be nested at most {MAX_FILTER_NESTING} deep"
        ));
    }
    let mut parser = FilterParser {
        chars: text.chars().collect(),
        pos: 0,
        depth,
    };
    let filter = parser.or()?;
    parser.skip_spaces();
    if parser.pos < parser.chars.len() {
        return Err(format!(
            "Could not parse filter [?({text})] at position {}",
            parser.pos
        ));
    }
    Ok(filter)
}

struct FilterParser {
    chars: Vec<char>,
    pos: usize,
    /// The nesting of filters, parentheses and negations around the current position.
    depth: usize,
}

impl_char_cursor!(FilterParser);

impl FilterParser {
    fn nest(&mut self) -> Result<(), String> {
        self.depth = self.depth.saturating_add(1);
        if self.depth > MAX_FILTER_NESTING {
            return Err(self.error("Too deeply nested"));
        }
        Ok(())
    }

    fn unnest(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    fn eat(&mut self, token: &str) -> bool {
        self.skip_spaces();
        let token: Vec<char> = token.chars().collect();
        let found = self
            .chars
            .get(self.pos..)
            .is_some_and(|rest| rest.starts_with(&token));
        if found {
            self.advance_by(token.len());
            true
        } else {
            false
        }
    }

    fn error(&self, what: &str) -> String {
        let text: String = self.chars.iter().collect();
        format!("{what} in filter [?({text})] at position {}", self.pos)
    }

    fn or(&mut self) -> Result<Filter, String> {
        let mut left = self.and()?;
        while self.eat("||") {
            let right = self.and()?;
            left = Filter::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Filter, String> {
        let mut left = self.unary()?;
        while self.eat("&&") {
            let right = self.unary()?;
            left = Filter::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Filter, String> {
        self.skip_spaces();
        if self.peek() == Some('!') && self.peek_at(1) != Some('=') {
            self.advance();
            self.nest()?;
            let inner = self.unary()?;
            self.unnest();
            return Ok(Filter::Not(Box::new(inner)));
        }
        if self.peek() == Some('(') {
            self.advance();
            self.nest()?;
            let inner = self.or()?;
            self.unnest();
            if !self.eat(")") {
                return Err(self.error("Expected ')'"));
            }
            return Ok(inner);
        }
        let left = self.operand()?;
        let Some(op) = self.operator() else {
            return match left {
                Operand::Path { .. } | Operand::Literal(Value::Bool(_)) => Ok(Filter::Exists(left)),
                _ => Err(self.error("Expected a comparison")),
            };
        };
        let right = self.operand()?;
        Ok(Filter::Compare(left, op, right))
    }

    fn operator(&mut self) -> Option<CompareOp> {
        let symbolic = [
            ("==", CompareOp::Eq),
            ("!=", CompareOp::Ne),
            ("<=", CompareOp::Le),
            (">=", CompareOp::Ge),
            ("=~", CompareOp::Regex),
            ("<", CompareOp::Lt),
            (">", CompareOp::Gt),
        ];
        for (token, op) in symbolic {
            if self.eat(token) {
                return Some(op);
            }
        }
        let words = [
            ("nin", CompareOp::Nin),
            ("in", CompareOp::In),
            ("contains", CompareOp::Contains),
            ("subsetof", CompareOp::SubsetOf),
            ("anyof", CompareOp::AnyOf),
            ("noneof", CompareOp::NoneOf),
            ("size", CompareOp::Size),
            ("empty", CompareOp::Empty),
        ];
        let save = self.pos;
        for (token, op) in words {
            if self.eat(token) {
                if self.peek().is_none_or(|c| !c.is_alphanumeric()) {
                    return Some(op);
                }
                self.pos = save;
            }
        }
        None
    }

    fn operand(&mut self) -> Result<Operand, String> {
        self.skip_spaces();
        match self.peek() {
            Some(root @ ('@' | '$')) => {
                let start = self.pos;
                let mut depth = 0usize;
                let mut quote: Option<char> = None;
                while let Some(c) = self.peek() {
                    match quote {
                        Some(q) => {
                            if c == '\\' {
                                self.advance();
                            } else if c == q {
                                quote = None;
                            }
                        }
                        None => match c {
                            '\'' | '"' => quote = Some(c),
                            '[' | '(' => depth = depth.saturating_add(1),
                            ']' | ')' if depth > 0 => depth = depth.saturating_sub(1),
                            ')' | '=' | '!' | '<' | '>' | '&' | '|' | '~' | ',' if depth == 0 => {
                                break
                            }
                            c if c.is_whitespace() && depth == 0 => break,
                            _ => {}
                        },
                    }
                    self.advance();
                }
                let text = self.text_from(start);
                let path = if root == '@' {
                    JsonPath::parse_relative(&text, self.depth)?
                } else {
                    let path = JsonPath::parse_nested(&text, self.depth)?;
                    if path.root != Root::Input {
                        return Err(self.error(
                            "Only '@' and '$' paths can be used (no context object or variables)",
                        ));
                    }
                    path
                };
                Ok(Operand::Path {
                    relative: root == '@',
                    path,
                })
            }
            Some(q @ ('\'' | '"')) => {
                self.advance();
                let mut out = String::new();
                loop {
                    match self.peek() {
                        None => return Err(self.error("Unclosed string")),
                        Some('\\') => {
                            self.advance();
                            if let Some(c) = self.peek() {
                                out.push(c);
                                self.advance();
                            }
                        }
                        Some(c) if c == q => {
                            self.advance();
                            break;
                        }
                        Some(c) => {
                            out.push(c);
                            self.advance();
                        }
                    }
                }
                Ok(Operand::Literal(Value::String(out)))
            }
            Some('/') => {
                self.advance();
                let mut pattern = String::new();
                loop {
                    match self.peek() {
                        None => return Err(self.error("Unclosed regular expression")),
                        Some('\\') => {
                            pattern.push('\\');
                            self.advance();
                            if let Some(c) = self.peek() {
                                pattern.push(c);
                                self.advance();
                            }
                        }
                        Some('/') => {
                            self.advance();
                            break;
                        }
                        Some(c) => {
                            pattern.push(c);
                            self.advance();
                        }
                    }
                }
                let mut flags = String::new();
                while let Some(c) = self.peek().filter(char::is_ascii_alphabetic) {
                    flags.push(c);
                    self.advance();
                }
                Regex::new(&pattern, &flags)
                    .map(Operand::Regex)
                    .map_err(|e| self.error(&e))
            }
            Some('[') => {
                self.advance();
                let mut items = Vec::new();
                self.skip_spaces();
                if self.peek() == Some(']') {
                    self.advance();
                    return Ok(Operand::Literal(Value::Array(items)));
                }
                loop {
                    match self.operand()? {
                        Operand::Literal(v) => items.push(v),
                        _ => return Err(self.error("A list may only hold literals")),
                    }
                    if self.eat(",") {
                        continue;
                    }
                    if self.eat("]") {
                        break;
                    }
                    return Err(self.error("Expected ',' or ']'"));
                }
                Ok(Operand::Literal(Value::Array(items)))
            }
            Some(c) if c == '-' || c.is_ascii_digit() => {
                let start = self.pos;
                self.advance();
                while self
                    .peek()
                    .is_some_and(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
                {
                    self.advance();
                }
                let text = self.text_from(start);
                serde_json::from_str::<Number>(&text)
                    .map(|n| Operand::Literal(Value::Number(n)))
                    .map_err(|_| self.error(&format!("Invalid number {text}")))
            }
            _ => {
                for (word, value) in [
                    ("true", Value::Bool(true)),
                    ("false", Value::Bool(false)),
                    ("null", Value::Null),
                ] {
                    if self.eat(word) {
                        return Ok(Operand::Literal(value));
                    }
                }
                Err(self.error("Expected a path or a value"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc() -> Value {
        json!({
            "a": {"b": {"c": 1}, "list": [1, 2, 3, 4]},
            "detail-type": "Scheduled Event",
            "detail\\\"x": "quoted",
            "items": [
                {"name": "x", "price": 5, "tags": ["t1"]},
                {"name": "y", "price": 15},
                {"name": "z", "price": 25, "flag": null}
            ],
            "n": null,
            "s": "text"
        })
    }

    /// (path, expected value) for paths that succeed against `doc()`.
    #[test]
    fn queries_give_jayways_results() {
        let cases: Vec<(&str, Value)> = vec![
            ("$", doc()),
            ("$.a.b.c", json!(1)),
            ("$['a']['b']", json!({"c": 1})),
            ("$[\"a\"].b", json!({"c": 1})),
            ("$.detail-type", json!("Scheduled Event")),
            ("$.a.list[0]", json!(1)),
            ("$.a.list[-1]", json!(4)),
            ("$.a.list[*]", json!([1, 2, 3, 4])),
            ("$.a.list[0:2]", json!([1, 2])),
            ("$.a.list[-2:]", json!([3, 4])),
            ("$.a.list[:-3]", json!([1])),
            ("$.a.list[1:]", json!([2, 3, 4])),
            ("$.a.list[0,2]", json!([1, 3])),
            ("$.a.list[7:9]", json!([])),
            ("$.items[*].name", json!(["x", "y", "z"])),
            ("$.items[?(@.price > 10)].name", json!(["y", "z"])),
            (
                "$.items[?(@.price >= 15 && @.name != 'z')].name",
                json!(["y"]),
            ),
            (
                "$.items[?(@.price < 10 || @.name == \"z\")].name",
                json!(["x", "z"]),
            ),
            ("$.items[?(@.tags)].name", json!(["x"])),
            ("$.items[?(@.flag)].name", json!(["z"])),
            ("$.items[?(!@.tags)].name", json!(["y", "z"])),
            ("$.items[?(@.name in ['x','z'])].price", json!([5, 25])),
            ("$.items[?(@.price == 5.0)].name", json!(["x"])),
            ("$.items[?(@.price > $.a.b.c)].name", json!(["x", "y", "z"])),
            ("$.items[?(@.name =~ /[XY]/i)].price", json!([5, 15])),
            ("$.items[?(@.name =~ /x.+/)].price", json!([])),
            (
                "$.items[0]['name','price']",
                json!({"name": "x", "price": 5}),
            ),
            ("$..c", json!([1])),
            ("$..price", json!([5, 15, 25])),
            ("$..name", json!(["x", "y", "z"])),
            ("$.a.*", json!([{"c": 1}, [1, 2, 3, 4]])),
            ("$.items[1:].name", json!(["y", "z"])),
            ("$.items[*].missing", json!([])),
            // Indefinite paths are lenient: nothing to find is an empty list (corpus).
            ("$.nothing[*]", json!([])),
            ("$.nothing.deeper[1:]", json!([])),
            ("$.s[*]", json!([])),
            ("$['detail\\\"x']", json!("quoted")),
            ("$.n", Value::Null),
            ("$.a.list.length()", json!(4)),
            ("$.items.length()", json!(3)),
            ("$..price.sum()", json!(45.0)),
            ("$.a.list.max()", json!(4.0)),
        ];
        for (path, expected) in cases {
            let got = query(path, &doc(), &Value::Null);
            assert_eq!(got, Ok(expected), "{path}");
        }
    }

    /// (path, Jayway's message) for definite paths that fail against `doc()`.
    #[test]
    fn missing_definite_paths_fail_with_jayways_wording() {
        let cases = [
            ("$.nope", "No results for path: $['nope']"),
            ("$.a.nope", "No results for path: $['a']['nope']"),
            ("$.no.such.path", "Missing property in path $['no']"),
            ("$.a.nope.deeper", "Missing property in path $['a']['nope']"),
            ("$.a.list[10]", "No results for path: $['a']['list'][10]"),
            ("$.n[0]", "The path $['n'] is null"),
            (
                "$.s[0]",
                "Filter: [0] can only be applied to arrays. Current context is: text",
            ),
            (
                "$.s.x",
                "Expected to find an object with property ['x'] in path $['s'] but found \
                 'java.lang.String'. This is not a json object according to the JsonProvider: \
                 'com.jayway.jsonpath.spi.json.JsonSmartJsonProvider'.",
            ),
        ];
        for (path, message) in cases {
            let got = query(path, &doc(), &Value::Null);
            assert_eq!(got, Err(PathError::new(message)), "{path}");
        }
    }

    #[test]
    fn context_paths_read_the_context_object() {
        let context = json!({"Execution": {"Id": "arn:x"}});
        assert_eq!(
            query("$$.Execution.Id", &json!({}), &context),
            Ok(json!("arn:x"))
        );
        assert_eq!(
            query("$$.Execution.Nope", &json!({}), &context),
            Err(PathError::new(
                "No results for path: $['Execution']['Nope']"
            ))
        );
    }

    #[test]
    fn variable_paths_read_variables() {
        let mut variables = Map::new();
        variables.insert("answer".into(), json!({"v": [1, 2]}));
        let run = |p: &str| query_with_variables(p, &json!({}), &json!({}), Some(&variables));
        assert_eq!(run("$answer"), Ok(json!({"v": [1, 2]})));
        assert_eq!(run("$answer.v[1]"), Ok(json!(2)));
        assert_eq!(run("$answer.v[*]"), Ok(json!([1, 2])));
        assert_eq!(
            run("$nope"),
            Err(PathError::new("The variable '$nope' is not defined"))
        );
        assert!(query("$answer", &json!({}), &json!({})).is_err());
        assert!(is_variable_path("$answer.v"));
        assert!(!is_variable_path("$.answer"));
        assert!(set_at(json!({}), "$answer.x", json!(1)).is_err());
    }

    #[test]
    fn syntax_checks() {
        for good in [
            "$",
            "$.a",
            "$$.Map.Item.Value",
            "$.a[0]",
            "$['a b']",
            "$.a[?(@.x == 'y')]",
            "$..a",
            "$.a.length()",
            "$theAnswer",
            "$constant_obj.in_obj[0]",
        ] {
            assert_eq!(check_path(good), Ok(()), "{good}");
        }
        for bad in [
            "",
            "a.b",
            "$.",
            "$..",
            "$.a[",
            "$.a[x]",
            "$.a b",
            "$.a[?(@.x ==)]",
            "$.f(1)",
            "$.a[1:2:3]",
            "$.a[?(@.x =~ /(y/)]",
        ] {
            assert!(check_path(bad).is_err(), "{bad}");
        }
        // Hostile nesting is refused, not a stack overflow.
        let parens = format!("$.a[?({}@.x{})]", "(".repeat(5000), ")".repeat(5000));
        assert!(check_path(&parens).is_err());
        let nots = format!("$.a[?({}@.x)]", "!".repeat(5000));
        assert!(check_path(&nots).is_err());
        let filters = format!("${}{}", "[?(@".repeat(2000), ")]".repeat(2000));
        assert!(check_path(&filters).is_err());
        assert_eq!(check_path("$.a[?(@.b[?(@.c[?(@.d)])])]"), Ok(()));
        for good in ["$", "$.a.b", "$['a'][0]", "$$.Execution.Input"] {
            assert_eq!(check_reference_path(good), Ok(()), "{good}");
        }
        for bad in [
            "$.a[*]",
            "$..a",
            "$.a[?(@.x)]",
            "$.a[0:1]",
            "$.a[0,1]",
            "$['a','b']",
        ] {
            assert!(check_reference_path(bad).is_err(), "{bad}");
        }
    }

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
