//! History events in the shape of AWS's `GetExecutionHistory`.

use std::borrow::Cow;
use std::rc::Rc;

use serde_json::{Map, Value};

use crate::time::Millis;

mod kind;

pub use kind::EventKind;

/// One event of an execution's history.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEvent {
    /// 1-based, in order of emission.
    pub id: u64,
    /// The event this one follows from (0 for none), as AWS links them.
    pub previous_event_id: u64,
    pub timestamp: Millis,
    /// The event's type, e.g. [`EventKind::TaskStateEntered`].
    pub kind: EventKind,
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
    ExecutionStarted {
        input: Rc<Value>,
        role_arn: Box<str>,
    },
    ExecutionSucceeded {
        output: Rc<Value>,
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

/// Adds a payload field (`input`, `output`) and its `...Details`.
fn insert_payload(details: &mut Map<String, Value>, field: &str, value: &Value) {
    details.insert(field.to_string(), value.clone());
    details.insert(format!("{field}Details"), not_truncated());
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

    /// `executionStartedEventDetails`: the execution's input (shared with its first state) and
    /// role.
    pub fn execution_started(input: Rc<Value>, role_arn: &str) -> Self {
        EventDetails {
            repr: Repr::ExecutionStarted {
                input,
                role_arn: role_arn.into(),
            },
        }
    }

    /// `executionSucceededEventDetails`: the execution's output (shared with its status).
    pub fn execution_succeeded(output: Rc<Value>) -> Self {
        EventDetails {
            repr: Repr::ExecutionSucceeded { output },
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
            Repr::ExecutionStarted { .. } => "executionStartedEventDetails",
            Repr::ExecutionSucceeded { .. } => "executionSucceededEventDetails",
            Repr::MapIteration { key, .. } => key,
        }
    }

    /// The details object, with JSON-text fields as JSON values.
    pub fn value(&self) -> Cow<'_, Value> {
        match &self.repr {
            Repr::Json(parts) => Cow::Borrowed(&parts.1),
            Repr::StateEntered { name, input } => {
                let mut details = Map::new();
                insert_payload(&mut details, "input", input);
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
                insert_payload(&mut details, "output", output);
                Cow::Owned(Value::Object(details))
            }
            Repr::ExecutionStarted { input, role_arn } => {
                let mut details = Map::new();
                insert_payload(&mut details, "input", input);
                details.insert("roleArn".into(), Value::String(role_arn.to_string()));
                Cow::Owned(Value::Object(details))
            }
            Repr::ExecutionSucceeded { output } => {
                let mut details = Map::new();
                insert_payload(&mut details, "output", output);
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
            (Repr::StateEntered { input, .. } | Repr::ExecutionStarted { input, .. }, "input") => {
                Some(Value::clone(input))
            }
            (Repr::StateExited { output, .. } | Repr::ExecutionSucceeded { output }, "output") => {
                Some(Value::clone(output))
            }
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
        event.insert(
            "type".into(),
            Value::String(self.kind.aws_name().to_string()),
        );
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
pub fn to_get_execution_history<'a>(events: impl IntoIterator<Item = &'a HistoryEvent>) -> Value {
    serde_json::json!({ "events": events.into_iter().map(HistoryEvent::to_aws_json).collect::<Vec<_>>() })
}

/// Events a block holds before the next one is started.
const BLOCK_EVENTS: usize = 4096;

/// An execution's events in order, kept in blocks of [`BLOCK_EVENTS`].
///
/// A single vector doubles as it grows: past 400,000 events it copies tens of megabytes and
/// holds the old and the new buffer at once, which made a long run's time grow faster than
/// its length. Blocks are never moved once full. The events of one step stay in one block,
/// so a step's events can be handed out as a slice ([`History::since_step`]).
///
/// A history may forget the events of earlier steps ([`ExecutionOptions::keep_history`]
/// off): then it holds the latest step's events only, while [`History::len`] still counts
/// every event recorded, so ids and the history quota go on.
///
/// [`ExecutionOptions::keep_history`]: crate::ExecutionOptions::keep_history
#[derive(Debug, Default)]
pub struct History {
    blocks: Vec<Vec<HistoryEvent>>,
    /// The index of each block's first event.
    starts: Vec<usize>,
    len: usize,
    /// The index of the current step's first event.
    step_start: usize,
    /// The id and time of the latest event, forgotten or not.
    latest: Option<(u64, Millis)>,
}

impl History {
    /// How many events were recorded, including those forgotten.
    pub fn len(&self) -> usize {
        self.len
    }

    /// The id of the latest event (0 before the first).
    pub fn last_id(&self) -> u64 {
        self.latest.map_or(0, |(id, _)| id)
    }

    /// The time of the latest event, if any.
    pub fn last_time(&self) -> Option<Millis> {
        self.latest.map(|(_, time)| time)
    }

    /// How many events are held: all of them, unless earlier steps' events were forgotten.
    pub fn retained(&self) -> usize {
        self.len.saturating_sub(self.first_retained())
    }

    /// The index of the first event held (0 unless events were forgotten).
    fn first_retained(&self) -> usize {
        self.starts.first().copied().unwrap_or(self.len)
    }

    /// Forgets every event recorded before now, keeping one block's allocation for the next.
    pub(crate) fn forget_earlier_steps(&mut self) {
        let Some(mut block) = self.blocks.pop() else {
            return;
        };
        block.clear();
        self.blocks.clear();
        self.blocks.push(block);
        self.starts.clear();
        self.starts.push(self.len);
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The event at 0-based `index` (event id `index + 1`); `None` when forgotten.
    pub fn get(&self, index: usize) -> Option<&HistoryEvent> {
        let block = self
            .starts
            .partition_point(|&start| start <= index)
            .checked_sub(1)?;
        let start = *self.starts.get(block)?;
        self.blocks.get(block)?.get(index.checked_sub(start)?)
    }

    pub fn last(&self) -> Option<&HistoryEvent> {
        self.blocks.last()?.last()
    }

    pub fn iter(&self) -> std::iter::Flatten<std::slice::Iter<'_, Vec<HistoryEvent>>> {
        self.blocks.iter().flatten()
    }

    pub fn to_vec(&self) -> Vec<HistoryEvent> {
        self.iter().cloned().collect()
    }

    /// The first way the history breaks AWS's order, if any: event ids count up from 1,
    /// timestamps never decrease, and every previousEventId points to an earlier event (or is
    /// 0). Every run keeps it, concurrent branches included; the tests and fuzzing check it.
    /// Only the events held are checked.
    pub fn order_problem(&self) -> Option<String> {
        let mut previous_time = None;
        let first = self.first_retained();
        for (index, event) in self.iter().enumerate() {
            let expected_id = (first.saturating_add(index) as u64).saturating_add(1);
            if event.id != expected_id {
                return Some(format!("event #{expected_id} has the id {}", event.id));
            }
            if event.previous_event_id >= event.id {
                return Some(format!(
                    "event {} ({}) follows the later event {}",
                    event.id, event.kind, event.previous_event_id
                ));
            }
            if previous_time.is_some_and(|time| event.timestamp < time) {
                return Some(format!(
                    "event {} ({}) is earlier than the event before it",
                    event.id, event.kind
                ));
            }
            previous_time = Some(event.timestamp);
        }
        None
    }

    /// Marks where a step begins: the events pushed from now on are [`History::since_step`].
    pub(crate) fn begin_step(&mut self) {
        self.step_start = self.len;
    }

    /// The events pushed since [`History::begin_step`], in one block.
    pub(crate) fn since_step(&self) -> &[HistoryEvent] {
        let (Some(block), Some(&start)) = (self.blocks.last(), self.starts.last()) else {
            return &[];
        };
        block
            .get(self.step_start.saturating_sub(start)..)
            .unwrap_or_default()
    }

    pub(crate) fn push(&mut self, event: HistoryEvent) {
        let full = self.blocks.last().is_none_or(|block| {
            block.len() == block.capacity() && block.capacity() >= BLOCK_EVENTS
        });
        if full {
            // The current step's events already in the full block move along with it (a step
            // rarely has more than a few), so that they stay one slice. A block holding one
            // huge step's events only grows: the next one is at least twice as large.
            let mut moved = Vec::new();
            if let (Some(block), Some(start)) = (self.blocks.last_mut(), self.starts.last_mut()) {
                let from = self.step_start.saturating_sub(*start).min(block.len());
                moved = block.split_off(from);
                if block.is_empty() {
                    self.blocks.pop();
                    self.starts.pop();
                }
            }
            let mut block = Vec::with_capacity(BLOCK_EVENTS.max(moved.len().saturating_mul(2)));
            let start = self.len.saturating_sub(moved.len());
            block.append(&mut moved);
            self.blocks.push(block);
            self.starts.push(start);
        }
        if let Some(block) = self.blocks.last_mut() {
            self.latest = Some((event.id, event.timestamp));
            block.push(event);
            self.len = self.len.saturating_add(1);
        }
    }
}

impl<'a> IntoIterator for &'a History {
    type Item = &'a HistoryEvent;
    type IntoIter = std::iter::Flatten<std::slice::Iter<'a, Vec<HistoryEvent>>>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(id: u64) -> HistoryEvent {
        HistoryEvent {
            id,
            previous_event_id: id.saturating_sub(1),
            timestamp: 0,
            kind: EventKind::PassStateEntered,
            details: None,
            state_name: None,
        }
    }

    /// Pushes steps of the given sizes; checks each step's slice as the step ends.
    fn record(steps: &[usize]) -> History {
        let mut history = History::default();
        let mut next = 1;
        for &size in steps {
            history.begin_step();
            for _ in 0..size {
                history.push(event(next));
                next += 1;
            }
            let ids: Vec<u64> = history.since_step().iter().map(|e| e.id).collect();
            let want: Vec<u64> = (next - size as u64..next).collect();
            assert_eq!(ids, want, "the step of {size} events");
        }
        history
    }

    fn assert_in_order(history: &History, len: usize) {
        assert_eq!(history.len(), len);
        let ids: Vec<u64> = history.iter().map(|e| e.id).collect();
        assert_eq!(ids, (1..=len as u64).collect::<Vec<_>>());
        for index in [
            0,
            1,
            BLOCK_EVENTS - 1,
            BLOCK_EVENTS,
            BLOCK_EVENTS + 1,
            len - 1,
        ] {
            if index < len {
                assert_eq!(history.get(index).map(|e| e.id), Some(index as u64 + 1));
            }
        }
        assert!(history.get(len).is_none());
        assert_eq!(history.last().map(|e| e.id), Some(len as u64));
        assert_eq!(history.to_vec().len(), len);
    }

    #[test]
    fn steps_that_cross_a_block_stay_one_slice() {
        // Steps of 3 events: the one that reaches the end of the first block moves on whole.
        let history = record(&vec![3; 3 * BLOCK_EVENTS]);
        assert_in_order(&history, 9 * BLOCK_EVENTS);
        assert!(history.blocks.len() > 2);
    }

    #[test]
    fn a_step_larger_than_a_block_is_one_slice() {
        let history = record(&[1, 3 * BLOCK_EVENTS + 5, 2, BLOCK_EVENTS, 7]);
        assert_in_order(&history, 4 * BLOCK_EVENTS + 15);
    }

    #[test]
    fn forgetting_keeps_the_count_and_the_latest_step() {
        let mut history = record(&[2, BLOCK_EVENTS + 3]);
        history.forget_earlier_steps();
        history.begin_step();
        assert_eq!(history.len(), BLOCK_EVENTS + 5);
        assert_eq!(history.retained(), 0);
        assert_eq!(history.last_id(), BLOCK_EVENTS as u64 + 5);
        history.push(event(BLOCK_EVENTS as u64 + 6));
        let ids: Vec<u64> = history.since_step().iter().map(|e| e.id).collect();
        assert_eq!(ids, vec![BLOCK_EVENTS as u64 + 6]);
        assert!(history.get(0).is_none());
        assert_eq!(
            history.get(BLOCK_EVENTS + 5).map(|e| e.id),
            Some(BLOCK_EVENTS as u64 + 6)
        );
        assert_eq!(history.order_problem(), None);
        assert_eq!(history.retained(), 1);
    }

    #[test]
    fn an_empty_history() {
        let mut history = History::default();
        history.begin_step();
        assert!(history.since_step().is_empty());
        assert!(history.is_empty());
        assert!(history.get(0).is_none());
        assert!(history.last().is_none());
    }
}
