//! History events in the shape of AWS's `GetExecutionHistory`.

use std::borrow::Cow;
use std::rc::Rc;

use serde_json::{Map, Value};

use crate::time::Millis;

/// One event of an execution's history.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEvent {
    /// 1-based, in order of emission.
    pub id: u64,
    /// The event this one follows from (0 for none), as AWS links them.
    pub previous_event_id: u64,
    pub timestamp: Millis,
    /// AWS's type name, e.g. `TaskStateEntered`.
    pub event_type: Cow<'static, str>,
    /// The `...EventDetails` field.
    pub details: Option<EventDetails>,
    /// The state the event belongs to (the "Step" of the AWS console's event view), for
    /// display; not part of AWS's event.
    pub state_name: Option<Rc<str>>,
}

/// An event's `...EventDetails` field: its key (e.g. `stateEnteredEventDetails`) and its
/// object, with JSON-text fields (`input`, `output`, `parameters`, ...) held as JSON values.
///
/// A history keeps every state's input and output twice (in the state's Exited event and the
/// next state's Entered event), so those two events share the value instead of holding
/// copies; their details object is built when asked for ([`EventDetails::value`]).
#[derive(Debug, Clone)]
pub struct EventDetails {
    repr: Repr,
}

#[derive(Debug, Clone)]
enum Repr {
    Json(Box<(String, Value)>),
    StateEntered {
        name: Rc<str>,
        input: Rc<Value>,
    },
    StateExited {
        name: Rc<str>,
        output: Rc<Value>,
        assigned: Option<Box<Map<String, Value>>>,
    },
    /// `mapIterationStartedEventDetails` and the like: `{"index": ..., "name": ...}`.
    MapIteration {
        key: &'static str,
        index: u64,
        name: Rc<str>,
    },
}

/// `inputDetails`, `outputDetails`, `assignedVariablesDetails`: the playground never
/// truncates.
fn not_truncated() -> Value {
    serde_json::json!({"truncated": false})
}

impl EventDetails {
    /// Details given as their JSON object.
    pub fn new(key: impl Into<String>, value: Value) -> Self {
        EventDetails {
            repr: Repr::Json(Box::new((key.into(), value))),
        }
    }

    /// `stateEnteredEventDetails`: the state's name and input.
    pub fn state_entered(name: Rc<str>, input: Rc<Value>) -> Self {
        EventDetails {
            repr: Repr::StateEntered { name, input },
        }
    }

    /// `stateExitedEventDetails`: the state's name, output and the variables it assigned.
    pub fn state_exited(
        name: Rc<str>,
        output: Rc<Value>,
        assigned: Option<Map<String, Value>>,
    ) -> Self {
        EventDetails {
            repr: Repr::StateExited {
                name,
                output,
                assigned: assigned.map(Box::new),
            },
        }
    }

    /// The details of a Map iteration's event (`key` e.g. `mapIterationStartedEventDetails`):
    /// the iteration's index and the Map state's name.
    pub fn map_iteration(key: &'static str, index: u64, name: Rc<str>) -> Self {
        EventDetails {
            repr: Repr::MapIteration { key, index, name },
        }
    }

    /// The field's name, e.g. `stateEnteredEventDetails`.
    pub fn key(&self) -> &str {
        match &self.repr {
            Repr::Json(parts) => &parts.0,
            Repr::StateEntered { .. } => "stateEnteredEventDetails",
            Repr::StateExited { .. } => "stateExitedEventDetails",
            Repr::MapIteration { key, .. } => key,
        }
    }

    /// The details object, with JSON-text fields as JSON values.
    pub fn value(&self) -> Cow<'_, Value> {
        match &self.repr {
            Repr::Json(parts) => Cow::Borrowed(&parts.1),
            Repr::StateEntered { name, input } => {
                let mut details = Map::new();
                details.insert("input".into(), Value::clone(input));
                details.insert("inputDetails".into(), not_truncated());
                details.insert("name".into(), Value::String(name.to_string()));
                Cow::Owned(Value::Object(details))
            }
            Repr::StateExited {
                name,
                output,
                assigned,
            } => {
                let mut details = Map::new();
                if let Some(assigned) = assigned {
                    details.insert(
                        "assignedVariables".into(),
                        Value::Object(Map::clone(assigned)),
                    );
                    details.insert("assignedVariablesDetails".into(), not_truncated());
                }
                details.insert("name".into(), Value::String(name.to_string()));
                details.insert("output".into(), Value::clone(output));
                details.insert("outputDetails".into(), not_truncated());
                Cow::Owned(Value::Object(details))
            }
            Repr::MapIteration { index, name, .. } => {
                Cow::Owned(serde_json::json!({"index": index, "name": &**name}))
            }
        }
    }

    /// One field of the details object (`name`, `input`, `error`, ...).
    pub fn field(&self, name: &str) -> Option<Value> {
        match (&self.repr, name) {
            (
                Repr::StateEntered { name, .. }
                | Repr::StateExited { name, .. }
                | Repr::MapIteration { name, .. },
                "name",
            ) => Some(Value::String(name.to_string())),
            (Repr::StateEntered { input, .. }, "input") => Some(Value::clone(input)),
            (Repr::StateExited { output, .. }, "output") => Some(Value::clone(output)),
            _ => self.value().get(name).cloned(),
        }
    }
}

impl PartialEq for EventDetails {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key() && self.value() == other.value()
    }
}

/// The detail fields that AWS returns as JSON text rather than as JSON.
const JSON_TEXT_FIELDS: &[&str] = &["input", "output", "parameters", "result"];

impl HistoryEvent {
    /// The event as `GetExecutionHistory` returns it: timestamps as epoch seconds, JSON-text
    /// fields (and the values of `assignedVariables`) as text.
    pub fn to_aws_json(&self) -> Value {
        let mut event = Map::new();
        event.insert(
            "timestamp".into(),
            serde_json::json!(self.timestamp as f64 / 1000.0),
        );
        event.insert("type".into(), Value::String(self.event_type.to_string()));
        event.insert("id".into(), Value::from(self.id));
        event.insert(
            "previousEventId".into(),
            Value::from(self.previous_event_id),
        );
        if let Some(details) = &self.details {
            event.insert(details.key().to_string(), details_as_text(&details.value()));
        }
        Value::Object(event)
    }
}

fn details_as_text(details: &Value) -> Value {
    let Value::Object(fields) = details else {
        return details.clone();
    };
    let mut out = Map::new();
    for (key, value) in fields {
        let rendered = if JSON_TEXT_FIELDS.contains(&key.as_str()) {
            Value::String(value.to_string())
        } else if key == "assignedVariables" {
            match value {
                Value::Object(vars) => Value::Object(
                    vars.iter()
                        .map(|(k, v)| (k.clone(), Value::String(v.to_string())))
                        .collect(),
                ),
                other => other.clone(),
            }
        } else {
            value.clone()
        };
        out.insert(key.clone(), rendered);
    }
    Value::Object(out)
}

/// A whole history as `GetExecutionHistory` returns it: `{"events": [...]}`.
pub fn to_get_execution_history(events: &[HistoryEvent]) -> Value {
    serde_json::json!({ "events": events.iter().map(HistoryEvent::to_aws_json).collect::<Vec<_>>() })
}
