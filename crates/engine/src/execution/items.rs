//! A Map state's iteration inputs: its items, or what its ItemSelector makes of each.
//!
//! They are built when the state starts, as before, so that a failing ItemSelector fails the
//! state before any iteration runs, until together they pass the budget's size bound
//! ([`crate::budget::max_value_bytes`]): an ItemSelector that copies a big input for each of
//! thousands of items would otherwise hold all the copies before the first iteration ran.
//! Past the bound, each remaining item's input is built when its iteration starts, and only
//! as many exist at once as run at once (and as the Map's results, measured as they come,
//! allow).

use super::fanout::FanoutChild;
use super::reader::ReadItems;
use super::*;
use crate::definition::Payload;

/// What the inputs of the iterations not built yet are built from: the Map's effective input
/// and its context object (when its fields read it).
pub(super) struct DeferredInputs {
    input: Value,
    context: Value,
    item_source: Option<String>,
}

/// What an iteration's input is made from: the Map, its effective input and its context.
struct Source<'a> {
    map: &'a MapState,
    input: &'a Value,
    context: &'a Value,
    /// A distributed Map's `$$.Map.Item.Source` (see `reader.rs`).
    item_source: Option<&'a str>,
}

impl Execution {
    /// Every iteration's input and `$$.Map.Item`, built now until they pass the size bound,
    /// the rest left to build when their iteration starts.
    pub(super) fn map_children(
        &mut self,
        frame: &mut Frame,
        run: &StateRun,
        map: &MapState,
        input: &Value,
        context: &Value,
        items: ReadItems,
    ) -> Result<(Vec<FanoutChild>, Option<Box<DeferredInputs>>), StatesError> {
        let ReadItems { items, source } = items;
        let item_source = source.as_deref();
        let eager_bytes = crate::budget::max_value_bytes();
        let mut built = 0usize;
        let mut deferred = None;
        let mut children = Vec::with_capacity(items.len());
        for (index, item) in items.into_iter().enumerate() {
            if built > eager_bytes {
                deferred.get_or_insert_with(|| {
                    Box::new(DeferredInputs {
                        input: input.clone(),
                        context: context.clone(),
                        item_source: item_source.map(str::to_string),
                    })
                });
                children.push((None, Some((index, Rc::new(item)))));
                continue;
            }
            let source = Source {
                map,
                input,
                context,
                item_source,
            };
            match self.item_input(frame, run, &source, index, &item)? {
                Some(child_input) => {
                    let room = eager_bytes.saturating_sub(built).saturating_add(1);
                    built =
                        built.saturating_add(crate::budget::json_size_within(&child_input, room));
                    children.push((Some(child_input), Some((index, Rc::new(item)))));
                }
                None => {
                    // The item is the iteration's input and its `$$.Map.Item.Value`: shared.
                    let item = Rc::new(item);
                    children.push((Some(Rc::clone(&item)), Some((index, item))));
                }
            }
        }
        Ok((children, deferred))
    }

    /// The input of the iteration of `map_item` (index, item), left to build until it starts.
    pub(super) fn deferred_input(
        &mut self,
        frame: &mut Frame,
        run: &StateRun,
        deferred: Option<&DeferredInputs>,
        map_item: Option<&(usize, Rc<Value>)>,
    ) -> Result<Rc<Value>, StatesError> {
        let machine = Rc::clone(&frame.machine);
        let (
            Some(State {
                kind: StateKind::Map(map),
                ..
            }),
            Some(deferred),
            Some((index, item)),
        ) = (machine.state_at(run.index), deferred, map_item)
        else {
            return Err(StatesError::runtime(
                "internal error: a Map iteration lost its input",
            ));
        };
        let source = Source {
            map,
            input: &deferred.input,
            context: &deferred.context,
            item_source: deferred.item_source.as_deref(),
        };
        let built = self.item_input(frame, run, &source, *index, item)?;
        Ok(built.unwrap_or_else(|| Rc::clone(item)))
    }

    /// The input ItemSelector makes of `item` (`None` without an ItemSelector: the item).
    fn item_input(
        &mut self,
        frame: &mut Frame,
        run: &StateRun,
        source: &Source<'_>,
        index: usize,
        item: &Value,
    ) -> Result<Option<Rc<Value>>, StatesError> {
        let Source {
            map,
            input,
            context,
            item_source,
        } = *source;
        let map_item = || {
            let mut item_context = json!({"Index": index, "Value": item});
            if let (Some(source), Some(fields)) = (item_source, item_context.as_object_mut()) {
                fields.insert("Source".into(), json!(source));
            }
            json!({ "Item": item_context })
        };
        Ok(Some(match &map.item_selector {
            Some(Payload::Jsonata(selector)) => {
                let mut states = self.states_binding(frame, run, None, None, None);
                if let Some(context) = states.get_mut("context").and_then(Value::as_object_mut) {
                    context.insert("Map".into(), map_item());
                }
                Rc::new(self.jsonata_template(frame, run, selector, "ItemSelector", &states)?)
            }
            Some(Payload::Template(selector)) => {
                let child_context = if selector.reads_context() {
                    let mut child_context = context.clone();
                    if let Some(map) = child_context.as_object_mut() {
                        map.insert("Map".into(), map_item());
                    }
                    child_context
                } else {
                    Value::Null
                };
                let mut env = EvalEnv {
                    input,
                    context: &child_context,
                    rng: &mut self.rng,
                    variables: Some(&frame.variables),
                };
                Rc::new(selector.evaluate(&mut env)?)
            }
            None => return Ok(None),
        }))
    }
}
