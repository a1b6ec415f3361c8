//! A Distributed Map's ItemBatcher: its child executions each take a batch of items.
//!
//! As AWS documents it, each child's input is `{"Items": [...]}`, with `"BatchInput"`: the
//! value of the ItemBatcher's `BatchInput` (a JSONPath template, or JSONata in a JSONata
//! state) when it has one; ItemSelector has made each item's input first. A batch takes items in order until `MaxItemsPerBatch` (or
//! `MaxItemsPerBatchPath`, read from the state's input) items, or until one more would make
//! the batch's JSON text longer than `MaxInputBytesPerBatch` (or `...Path`) bytes; an item too
//! big alone makes a batch alone. At least one of the two bounds must be given.

use super::fanout::FanoutChild;
use super::items::DeferredInputs;
use super::*;
use crate::definition::QueryLanguage;

/// What an ItemBatcher evaluated to.
pub(super) struct Batcher {
    max_items: Option<u64>,
    max_bytes: Option<u64>,
    batch_input: Option<Value>,
}

/// The ItemBatcher fields.
const BATCHER_FIELDS: &[&str] = &[
    "MaxItemsPerBatch",
    "MaxItemsPerBatchPath",
    "MaxInputBytesPerBatch",
    "MaxInputBytesPerBatchPath",
    "BatchInput",
];

impl Execution {
    /// The Map's ItemBatcher, evaluated, if it has one.
    pub(super) fn item_batcher(
        &mut self,
        frame: &mut Frame,
        run: &StateRun,
        state: &State,
        map: &MapState,
        input: &Value,
    ) -> Result<Option<Batcher>, StatesError> {
        let Some(raw) = &map.item_batcher else {
            return Ok(None);
        };
        let fields = if state.query_language == QueryLanguage::Jsonata {
            self.map_field(frame, run, state, raw, "ItemBatcher", input)?
        } else {
            raw.clone()
        };
        let Some(fields) = fields.as_object() else {
            return Err(StatesError::runtime("ItemBatcher must be an object."));
        };
        if let Some(field) = fields
            .keys()
            .find(|k| !BATCHER_FIELDS.contains(&k.as_str()))
        {
            return Err(StatesError::runtime(format!(
                "ItemBatcher: {field} is not a field of an ItemBatcher."
            )));
        }
        let max_items = batch_bound(frame, fields, "MaxItemsPerBatch", input)?;
        let max_bytes = batch_bound(frame, fields, "MaxInputBytesPerBatch", input)?;
        if max_items.is_none() && max_bytes.is_none() {
            return Err(StatesError::runtime(
                "ItemBatcher needs MaxItemsPerBatch or MaxInputBytesPerBatch (or their Path forms).",
            ));
        }
        let batch_input = match fields.get("BatchInput") {
            None => None,
            Some(raw) if state.query_language == QueryLanguage::Jsonata => {
                Some(as_batch_input(raw.clone())?)
            }
            Some(raw) => {
                let value =
                    self.map_field(frame, run, state, raw, "ItemBatcher.BatchInput", input)?;
                Some(as_batch_input(value)?)
            }
        };
        Ok(Some(Batcher {
            max_items,
            max_bytes,
            batch_input,
        }))
    }

    /// The children of a batched Map: every item's input built now (deferred ones too), then
    /// grouped into batches, each a child of its own with `$$.Map.Item` its index and input.
    pub(super) fn batch_children(
        &mut self,
        frame: &mut Frame,
        run: &StateRun,
        children: Vec<FanoutChild>,
        deferred: Option<&DeferredInputs>,
        batcher: &Batcher,
    ) -> Result<Vec<FanoutChild>, StatesError> {
        let mut batches: Vec<Vec<Value>> = Vec::new();
        let mut current: Vec<Value> = Vec::new();
        let mut current_bytes = 0usize;
        let base_bytes =
            crate::budget::json_size(&batch_value(Vec::new(), batcher.batch_input.as_ref()));
        for (input, map_item) in children {
            let input = match input {
                Some(input) => input,
                None => self.deferred_input(frame, run, deferred, map_item.as_ref())?,
            };
            let item = Rc::unwrap_or_clone(input);
            let item_bytes = crate::budget::json_size(&item);
            let full_by_count = batcher
                .max_items
                .is_some_and(|max| current.len() as u64 >= max);
            // The item's text, and the comma before it after the first.
            let added = item_bytes.saturating_add(usize::from(!current.is_empty()));
            let full_by_size = batcher.max_bytes.is_some_and(|max| {
                base_bytes
                    .saturating_add(current_bytes)
                    .saturating_add(added) as u64
                    > max
            });
            if !current.is_empty() && (full_by_count || full_by_size) {
                batches.push(std::mem::take(&mut current));
                current_bytes = 0;
            }
            current_bytes = current_bytes
                .saturating_add(item_bytes)
                .saturating_add(usize::from(!current.is_empty()));
            current.push(item);
        }
        if !current.is_empty() {
            batches.push(current);
        }
        Ok(batches
            .into_iter()
            .enumerate()
            .map(|(index, items)| {
                let input = Rc::new(batch_value(items, batcher.batch_input.as_ref()));
                (Some(Rc::clone(&input)), Some((index, input)))
            })
            .collect())
    }
}

/// A batch's input: `{"BatchInput": {...}, "Items": [...]}` (no `BatchInput` without one).
fn batch_value(items: Vec<Value>, batch_input: Option<&Value>) -> Value {
    let mut batch = Map::new();
    if let Some(batch_input) = batch_input {
        batch.insert("BatchInput".into(), batch_input.clone());
    }
    batch.insert("Items".into(), Value::Array(items));
    Value::Object(batch)
}

fn as_batch_input(value: Value) -> Result<Value, StatesError> {
    match value {
        Value::Object(fields) => Ok(Value::Object(fields)),
        other => Err(StatesError::runtime(format!(
            "ItemBatcher: BatchInput must be an object, not {}",
            paths::compact(&other)
        ))),
    }
}

/// `MaxItemsPerBatch` or `MaxInputBytesPerBatch`: its literal or its `...Path`'s value, a
/// positive integer.
fn batch_bound(
    frame: &Frame,
    fields: &Map<String, Value>,
    name: &str,
    input: &Value,
) -> Result<Option<u64>, StatesError> {
    let path_name = format!("{name}Path");
    let value = match (fields.get(name), fields.get(&path_name)) {
        (Some(value), _) => value.clone(),
        (None, Some(Value::String(path))) => crate::paths::Path::parse(path)
            .map_err(|e| StatesError::runtime(format!("Invalid path '{path}' : {e}")))?
            .query(input, &Value::Null, Some(&frame.variables))
            .map_err(|e| StatesError::runtime(format!("Invalid path '{path}' : {}", e.message)))?,
        (None, Some(other)) => {
            return Err(StatesError::runtime(format!(
                "ItemBatcher: {path_name} must be a path, not {}",
                paths::compact(other)
            )))
        }
        (None, None) => return Ok(None),
    };
    match value.as_u64() {
        Some(n) if n > 0 => Ok(Some(n)),
        _ => Err(StatesError::runtime(format!(
            "ItemBatcher: {name} must be a positive integer, not {}",
            paths::compact(&value)
        ))),
    }
}
