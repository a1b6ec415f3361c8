//! YAML documents (definitions, CloudFormation and SAM templates) read into JSON values, with
//! where each node was. CloudFormation's short tags become the long form: `!Ref X` is
//! `{"Ref": "X"}`, `!GetAtt X.Arn` is `{"Fn::GetAtt": ["X", "Arn"]}`, `!Sub`, `!Join` and the
//! other `!Name` tags are `{"Fn::Name": ...}`.
//!
//! Built on yaml-rust2's event parser, which marks every event with its line and column: each
//! node's position is kept under its JSON pointer (a member at its key), so a diagnostic on the
//! JSON definition (which names its node by pointer) is reported at the YAML line and column.
//! Only with the engine's `project-files` feature (the CLI's), so the web worker is built
//! without the YAML parser unless it asks for it.

use std::collections::HashMap;

use serde_json::{Map, Number, Value};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use super::template::escape;
use super::{Positions, SourceError};

/// The deepest nesting read, as a JSON definition is parsed with (the definition is printed
/// and dropped recursively after).
pub const MAX_YAML_NESTING: usize = 128;

/// The most nodes a document may have once its aliases are expanded: a bound on the memory an
/// alias of an alias of ... (a "billion laughs") would take.
pub const MAX_YAML_NODES: usize = 1_000_000;

/// Reads the first document of `text` into a value, with the positions of its nodes.
pub fn read_yaml(text: &str) -> Result<(Value, Positions), SourceError> {
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text.trim_start_matches('\u{feff}'));
    parser.load(&mut builder, false).map_err(|e| SourceError {
        message: format!("not valid YAML: {}", e.info()),
        position: Some(position(e.marker())),
    })?;
    if let Some(error) = builder.error {
        return Err(error);
    }
    Ok((builder.document.unwrap_or(Value::Null), builder.positions))
}

fn position(marker: &Marker) -> (u32, u32) {
    (
        u32::try_from(marker.line()).unwrap_or(u32::MAX),
        u32::try_from(marker.col().saturating_add(1)).unwrap_or(u32::MAX),
    )
}

enum Frame {
    Sequence {
        items: Vec<Value>,
        pointer: String,
        tag: Option<Tag>,
        anchor: usize,
    },
    Mapping {
        map: Map<String, Value>,
        pointer: String,
        tag: Option<Tag>,
        anchor: usize,
        /// The member name read, waiting for its value.
        key: Option<String>,
    },
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    /// Each anchored node, and how many nodes it has.
    anchors: HashMap<usize, (Value, usize)>,
    /// Nodes read so far, aliases counted at their size.
    nodes: usize,
    positions: Positions,
    document: Option<Value>,
    error: Option<SourceError>,
}

impl Builder {
    /// The pointer of the node starting now, or `None` when it is a member name.
    fn next_pointer(&self) -> Option<String> {
        match self.stack.last() {
            None => Some(String::new()),
            Some(Frame::Sequence { items, pointer, .. }) => {
                Some(child(pointer, &items.len().to_string()))
            }
            Some(Frame::Mapping { key: None, .. }) => None,
            Some(Frame::Mapping {
                key: Some(key),
                pointer,
                ..
            }) => Some(child(pointer, key)),
        }
    }

    fn fail(&mut self, message: String, marker: Marker) {
        if self.error.is_none() {
            self.error = Some(SourceError {
                message,
                position: Some(position(&marker)),
            });
        }
    }

    /// Places a finished node in its parent (or as the document).
    fn add(&mut self, value: Value, anchor: usize) {
        if anchor != 0 {
            let size = node_count(&value);
            self.anchors.insert(anchor, (value.clone(), size));
        }
        match self.stack.last_mut() {
            None => {
                if self.document.is_none() {
                    self.document = Some(value);
                }
            }
            Some(Frame::Sequence { items, .. }) => items.push(value),
            Some(Frame::Mapping { map, key, .. }) => {
                if let Some(key) = key.take() {
                    map.insert(key, value);
                }
            }
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, event: Event, marker: Marker) {
        if self.error.is_some() {
            return;
        }
        self.nodes = self.nodes.saturating_add(match &event {
            Event::Alias(anchor) => self.anchors.get(anchor).map_or(1, |(_, size)| *size),
            _ => 1,
        });
        if self.nodes > MAX_YAML_NODES {
            self.fail(
                format!(
                    "the document has more than {MAX_YAML_NODES} nodes (with its aliases expanded)"
                ),
                marker,
            );
            return;
        }
        let pointer = self.next_pointer();
        let is_sequence = matches!(event, Event::SequenceStart(..));
        match event {
            Event::Scalar(text, style, anchor, tag) => match pointer {
                None => {
                    if let Some(Frame::Mapping { key, pointer, .. }) = self.stack.last_mut() {
                        let member = child(pointer, &text);
                        // The document's position is its first member's (a block mapping's
                        // start is marked past it).
                        self.positions.insert(String::new(), position(&marker));
                        self.positions.insert(member, position(&marker));
                        *key = Some(text);
                    }
                }
                Some(pointer) => {
                    // A member's position is its key's; an item's is its own.
                    if !matches!(self.stack.last(), Some(Frame::Mapping { .. })) {
                        self.positions.insert(pointer, position(&marker));
                    }
                    match scalar(text, style, tag) {
                        Ok(value) => self.add(value, anchor),
                        Err(message) => self.fail(message, marker),
                    }
                }
            },
            Event::SequenceStart(anchor, tag) | Event::MappingStart(anchor, tag) => {
                let Some(pointer) = pointer else {
                    self.fail(
                        "a member name must be a plain value, not a list or a mapping".into(),
                        marker,
                    );
                    return;
                };
                if self.stack.len() >= MAX_YAML_NESTING {
                    let message =
                        format!("the document is nested deeper than {MAX_YAML_NESTING} levels");
                    self.fail(message, marker);
                    return;
                }
                if matches!(self.stack.last(), Some(Frame::Sequence { .. })) {
                    self.positions.insert(pointer.clone(), position(&marker));
                }
                let frame = if is_sequence {
                    Frame::Sequence {
                        items: Vec::new(),
                        pointer,
                        tag,
                        anchor,
                    }
                } else {
                    Frame::Mapping {
                        map: Map::new(),
                        pointer,
                        tag,
                        anchor,
                        key: None,
                    }
                };
                self.stack.push(frame);
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (value, tag, anchor) = match self.stack.pop() {
                    Some(Frame::Sequence {
                        items, tag, anchor, ..
                    }) => (Value::Array(items), tag, anchor),
                    Some(Frame::Mapping {
                        map, tag, anchor, ..
                    }) => (Value::Object(map), tag, anchor),
                    None => return,
                };
                match tagged(value, tag) {
                    Ok(value) => self.add(value, anchor),
                    Err(message) => self.fail(message, marker),
                }
            }
            Event::Alias(anchor) => {
                let value = self
                    .anchors
                    .get(&anchor)
                    .map_or(Value::Null, |(value, _)| value.clone());
                match pointer {
                    Some(pointer) => {
                        self.positions.insert(pointer, position(&marker));
                        self.add(value, 0);
                    }
                    None => match value {
                        Value::String(text) => {
                            if let Some(Frame::Mapping { key, .. }) = self.stack.last_mut() {
                                *key = Some(text);
                            }
                        }
                        _ => self.fail("a member name must be a plain value".into(), marker),
                    },
                }
            }
            Event::Nothing
            | Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart
            | Event::DocumentEnd => {}
        }
    }
}

/// The longest JSON pointer kept: a node deeper (or under longer names) shares its parent's
/// pointer, so its diagnostics are at the parent's position, and hostile names and depths do
/// not make the positions take memory in proportion to their product.
const MAX_POINTER_BYTES: usize = 1024;

/// The pointer of `parent`'s member or item `segment` (its parent's when too long).
fn child(parent: &str, segment: &str) -> String {
    let segment = escape(segment);
    if parent.len().saturating_add(segment.len()) >= MAX_POINTER_BYTES {
        return parent.to_string();
    }
    format!("{parent}/{segment}")
}

/// How many nodes `value` has (without recursion: it may be deep).
fn node_count(value: &Value) -> usize {
    let mut count = 0usize;
    let mut pending = vec![value];
    while let Some(node) = pending.pop() {
        count = count.saturating_add(1);
        match node {
            Value::Array(items) => pending.extend(items),
            Value::Object(map) => pending.extend(map.values()),
            _ => {}
        }
    }
    count
}

/// A scalar's value: plain scalars are resolved as YAML 1.2's core schema does (null, booleans,
/// numbers), quoted and block ones are strings.
fn scalar(text: String, style: TScalarStyle, tag: Option<Tag>) -> Result<Value, String> {
    if let Some(tag) = &tag {
        if tag.handle == "tag:yaml.org,2002:" || tag.handle == "!!" {
            return match tag.suffix.as_str() {
                "str" => Ok(Value::String(text)),
                _ => Ok(plain(text)),
            };
        }
    }
    let value = if style == TScalarStyle::Plain {
        plain(text)
    } else {
        Value::String(text)
    };
    tagged(value, tag)
}

fn plain(text: String) -> Value {
    match text.as_str() {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    let numeric = text
        .trim_start_matches(['-', '+'])
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_digit() || c == '.');
    if numeric
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || "+-.eE".contains(c))
    {
        if let Ok(n) = text.parse::<i64>() {
            return Value::Number(n.into());
        }
        if let Some(n) = text.parse::<f64>().ok().and_then(Number::from_f64) {
            return Value::Number(n);
        }
    }
    Value::String(text)
}

/// A node under a CloudFormation short tag, in the long form.
fn tagged(value: Value, tag: Option<Tag>) -> Result<Value, String> {
    let Some(tag) = tag else {
        return Ok(value);
    };
    if tag.handle == "tag:yaml.org,2002:" || tag.handle == "!!" {
        return Ok(value);
    }
    if tag.handle != "!" {
        return Err(format!("unknown YAML tag {}{}", tag.handle, tag.suffix));
    }
    let (name, argument) = match tag.suffix.as_str() {
        "Ref" => ("Ref".to_string(), value),
        "Condition" => ("Condition".to_string(), value),
        "GetAtt" => {
            let argument = match value {
                Value::String(s) => match s.split_once('.') {
                    Some((id, attribute)) => Value::Array(vec![id.into(), attribute.into()]),
                    None => Value::String(s),
                },
                other => other,
            };
            ("Fn::GetAtt".to_string(), argument)
        }
        suffix @ ("Sub" | "Join" | "Select" | "Split" | "If" | "Equals" | "And" | "Or" | "Not"
        | "FindInMap" | "Base64" | "Cidr" | "GetAZs" | "ImportValue" | "Transform"
        | "Length" | "ToJsonString") => (format!("Fn::{suffix}"), value),
        other => return Err(format!("unknown CloudFormation tag !{other}")),
    };
    let mut map = Map::new();
    map.insert(name, argument);
    Ok(Value::Object(map))
}
