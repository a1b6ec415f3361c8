//! History events in the shape of AWS's `GetExecutionHistory`.

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
    pub event_type: String,
    /// The `...EventDetails` field: its key (e.g. `stateEnteredEventDetails`) and its object,
    /// with JSON-text fields (`input`, `output`, `parameters`, ...) held as JSON values.
    pub details: Option<(String, Value)>,
    /// The state the event belongs to (the "Step" of the AWS console's event view), for
    /// display; not part of AWS's event.
    pub state_name: Option<String>,
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
        event.insert("type".into(), Value::String(self.event_type.clone()));
        event.insert("id".into(), Value::from(self.id));
        event.insert(
            "previousEventId".into(),
            Value::from(self.previous_event_id),
        );
        if let Some((key, details)) = &self.details {
            event.insert(key.clone(), details_as_text(details));
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
