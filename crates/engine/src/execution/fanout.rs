//! Map and Parallel states: branches and iterations run as child frames.

use super::flow::{expression_text, OutputSpec, WorkTemplates};
use super::states::unexpected_type;
use super::*;
use crate::definition::{Payload, QueryLanguage};

/// A branch's or iteration's input, and for an iteration its index and `$$.Map.Item.Value`.
type FanoutChild = (Rc<Value>, Option<(usize, Rc<Value>)>);

/// A Parallel or Map state's children: their inputs, which have started, and their results.
pub(super) struct Fanout {
    is_map: bool,
    distributed: bool,
    /// Each branch's or item's input, and `$$.Map.Item` for items.
    children: Vec<FanoutChild>,
    machines: Vec<Rc<StateMachine>>,
    results: Vec<Value>,
    /// The next child to start.
    next: usize,
    failures: usize,
    /// A failure that fails the state, taken on its next step.
    failure: Option<StatesError>,
    tolerated_count: Option<u64>,
    tolerated_percentage: Option<f64>,
    /// 0 for no limit.
    max_concurrency: usize,
    started_at: Millis,
    end_times: Vec<Millis>,
    map_run_event: u64,
    last_iteration_succeeded: u64,
}

impl Execution {
    pub(super) fn run_fanout(
        &mut self,
        frame: &mut Frame,
        run: &mut StateRun,
        state: &State,
    ) -> Result<Outcome, StatesError> {
        if !matches!(run.phase, Phase::Fanout(_)) {
            let fanout = match self.prepare_fanout(frame, run, state) {
                Ok(fanout) => fanout,
                // A Map whose items or settings a JSONata expression got wrong fails with
                // MapStateFailed, as AWS records it.
                Err(error)
                    if matches!(state.kind, StateKind::Map(_))
                        && error.error.as_deref() == Some(names::QUERY_EVALUATION_ERROR) =>
                {
                    return Ok(Outcome::FanoutFail {
                        error,
                        map_run_event: None,
                    });
                }
                Err(error) => return Err(error),
            };
            run.phase = Phase::Fanout(Box::new(fanout));
        }
        let Phase::Fanout(fanout) = &mut run.phase else {
            return Err(StatesError::runtime(
                "internal error: a Map or Parallel state lost its branches",
            ));
        };
        if let Some(error) = fanout.failure.take() {
            frame.now = frame.now.max(fanout.latest_end());
            let map_run_event = fanout.distributed.then_some(fanout.map_run_event);
            run.phase = Phase::Entered;
            return Ok(Outcome::FanoutFail {
                error,
                map_run_event,
            });
        }
        if fanout.next < fanout.children.len() {
            let child = self.start_child(frame, &run.name, fanout);
            return Ok(Outcome::StartChild(Box::new(child)));
        }
        // Every branch or iteration has finished.
        frame.now = frame.now.max(fanout.latest_end());
        if fanout.distributed && !frame.recorded {
            // A distributed Map inside another one's child run: no events here.
        } else if fanout.distributed {
            let run_succeeded = self.push_event(
                frame.now,
                fanout.map_run_event,
                Some(&run.name),
                EventKind::MapRunSucceeded,
                None,
            );
            self.push_event(
                frame.now,
                run_succeeded,
                Some(&run.name),
                EventKind::MapStateSucceeded,
                None,
            );
            // AWS's recorded histories link the Map's Exited event to MapRunStarted, except when
            // the Map is the first state of the execution (its Entered event follows no event):
            // then to MapRunSucceeded.
            let first_state = self
                .history
                .get((run.entered_event_id as usize).saturating_sub(1))
                .is_some_and(|entered| entered.previous_event_id == 0);
            frame.last_event = if first_state {
                run_succeeded
            } else {
                fanout.map_run_event
            };
        } else if fanout.is_map {
            // AWS links both MapStateSucceeded and MapStateExited to the last
            // MapIterationSucceeded (or to MapStateStarted when there were no items).
            let previous = if fanout.last_iteration_succeeded > 0 {
                fanout.last_iteration_succeeded
            } else {
                frame.last_event
            };
            if frame.recorded {
                self.push_event(
                    frame.now,
                    previous,
                    Some(&run.name),
                    EventKind::MapStateSucceeded,
                    None,
                );
                frame.last_event = previous;
            }
        } else {
            self.emit(frame, EventKind::ParallelStateSucceeded, None);
        }
        let results = Value::Array(std::mem::take(&mut fanout.results));
        run.phase = Phase::Entered;
        let (result_selector, result_path) = match &state.kind {
            StateKind::Map(map) => (map.result_selector.as_ref(), &map.result_path),
            StateKind::Parallel(parallel) => {
                (parallel.result_selector.as_ref(), &parallel.result_path)
            }
            _ => (None, &PathField::Default),
        };
        let spec = OutputSpec {
            result_selector,
            result_path: Some(result_path),
            assign: state.assign.as_ref(),
            output: state.output.as_ref(),
        };
        let run: &StateRun = run;
        let (output, assigned) =
            self.state_output(frame, run, state, &run.input, Some(results), spec)?;
        Ok(Outcome::Exit { output, assigned })
    }

    /// Takes a finished branch's or iteration's result (with its MapIteration event): its output
    /// among the results, or its error, which fails the state unless tolerated.
    pub(super) fn collect_child(
        &mut self,
        parent: &mut Frame,
        state_name: &Rc<str>,
        fanout: &mut Fanout,
        child: &Frame,
        result: Result<Rc<Value>, StatesError>,
    ) {
        let index = fanout.next.saturating_sub(1);
        if let Some(end) = fanout.end_times.get_mut(index) {
            *end = child.now;
        }
        let recorded = child.recorded && parent.recorded;
        let iteration_events = fanout.is_map && !fanout.distributed && recorded;
        match result {
            Ok(output) => {
                if iteration_events {
                    fanout.last_iteration_succeeded = self.push_map_iteration(
                        child.now,
                        child.last_event,
                        state_name,
                        IterationEvent::Succeeded,
                        index,
                    );
                }
                // The output stays in the history too: the Map's or Parallel's own copy.
                fanout.results.push(Rc::unwrap_or_clone(output));
            }
            Err(error) => {
                if iteration_events {
                    self.push_map_iteration(
                        child.now,
                        child.last_event,
                        state_name,
                        IterationEvent::Failed,
                        index,
                    );
                }
                fanout.failures = fanout.failures.saturating_add(1);
                // A Map tolerating failures records the failed item's error output.
                let mut error_output = Map::new();
                if let Some(e) = &error.error {
                    error_output.insert("Error".into(), json!(e));
                }
                if let Some(c) = &error.cause {
                    error_output.insert("Cause".into(), json!(c));
                }
                fanout.results.push(Value::Object(error_output));
                if !fanout.has_tolerance() {
                    fanout.failure = Some(error);
                } else if !fanout.tolerates_failures() {
                    fanout.failure = Some(StatesError::new(
                        names::EXCEED_TOLERATED_FAILURE_THRESHOLD,
                        "The specified tolerated failure threshold was exceeded",
                    ));
                }
            }
        }
        if recorded {
            // Inside the state, the next event follows the child's last one.
            parent.last_event = child.last_event;
        }
    }

    /// The frame of the next branch or iteration, with its MapIterationStarted event.
    fn start_child(&mut self, frame: &Frame, state_name: &Rc<str>, fanout: &mut Fanout) -> Frame {
        let index = fanout.next;
        fanout.next = fanout.next.saturating_add(1);
        // With MaxConcurrency N, iteration i starts when iteration i-N has finished.
        let start = match index.checked_sub(fanout.max_concurrency) {
            Some(waited_for) if fanout.max_concurrency > 0 => fanout
                .end_times
                .get(waited_for)
                .copied()
                .unwrap_or(fanout.started_at),
            _ => fanout.started_at,
        };
        let (input, map_item) = fanout
            .children
            .get(index)
            .cloned()
            .unwrap_or_else(|| (Rc::new(Value::Null), None));
        let machine = fanout
            .machines
            .get(index)
            .cloned()
            .unwrap_or_else(|| Rc::clone(&frame.machine));
        let recorded = frame.recorded && !fanout.distributed;
        let mut last_event = frame.last_event;
        if fanout.is_map && recorded {
            last_event = self.push_map_iteration(
                start,
                frame.last_event,
                state_name,
                IterationEvent::Started,
                index,
            );
        }
        Frame {
            id: self.frames.new_id(),
            parent: Some(frame.id),
            action: enter_action(&machine, &machine.start_at, input),
            machine,
            map_item,
            now: start,
            last_event,
            recorded,
            state: None,
            variables: Rc::clone(&frame.variables),
        }
    }

    fn prepare_fanout(
        &mut self,
        frame: &mut Frame,
        run: &mut StateRun,
        state: &State,
    ) -> Result<Fanout, StatesError> {
        let input = self.effective_input(frame, run, state)?;
        match &state.kind {
            StateKind::Parallel(parallel) => {
                let effective = self.work_input(
                    frame,
                    run,
                    state,
                    &input,
                    WorkTemplates {
                        parameters: parallel.parameters.as_ref(),
                        arguments: parallel.arguments.as_ref(),
                    },
                    None,
                )?;
                let machines: Vec<Rc<StateMachine>> = (0..parallel.branches.len())
                    .filter_map(|i| self.sub_machines.get(&(state.pointer.clone(), i)).cloned())
                    .collect();
                self.emit(frame, EventKind::ParallelStateStarted, None);
                // Every branch gets the same input: shared, not copied.
                let effective = Rc::new(effective);
                let children = machines
                    .iter()
                    .map(|_| (Rc::clone(&effective), None))
                    .collect();
                Ok(Fanout::new(false, false, children, machines, 0, frame.now))
            }
            StateKind::Map(map) => self.prepare_map(frame, run, state, map, &input),
            _ => Err(StatesError::runtime(
                "internal error: only Map and Parallel states have branches",
            )),
        }
    }

    fn prepare_map(
        &mut self,
        frame: &mut Frame,
        run: &StateRun,
        state: &State,
        map: &MapState,
        input: &Value,
    ) -> Result<Fanout, StatesError> {
        if map.item_reader.is_some() {
            return Err(StatesError::runtime("ItemReader is not supported by the playground: it reads items from Amazon S3. Pass the items in the input and use ItemsPath instead."));
        }
        if map.result_writer.is_some() {
            return Err(StatesError::runtime(
                "ResultWriter is not supported by the playground: it writes results to Amazon S3.",
            ));
        }
        if map.item_batcher.is_some() {
            return Err(StatesError::runtime(
                "ItemBatcher is not supported by the playground yet.",
            ));
        }
        // Built only for a field that reads `$$`: it copies the execution's input.
        let context = if map_reads_context(map) {
            self.context(frame, run, None)
        } else {
            Value::Null
        };
        let jsonata_state = state.query_language == QueryLanguage::Jsonata;
        let items_value = if let Some(items) = &map.items {
            match items.expression() {
                Some(expression) => {
                    let states = self.states_binding(frame, run, None, None, None);
                    let value = self.jsonata_value(frame, run, expression, "Items", &states)?;
                    if !value.is_array() {
                        let expression = expression_text(expression.text());
                        let message = unexpected_type(expression, "Items", "array", &value);
                        return Err(self.evaluation_failed(
                            frame,
                            run,
                            message,
                            Some("Items"),
                            false,
                        ));
                    }
                    value
                }
                None => {
                    let states = self.states_binding(frame, run, None, None, None);
                    self.jsonata_template(frame, run, items, "Items", &states)?
                }
            }
        } else {
            match &map.items_path {
                PathField::Default => input.clone(),
                PathField::Null => json!({}),
                PathField::Path(path) => path
                    .query(input, &context, Some(&frame.variables))
                    .map_err(|e| {
                        StatesError::runtime(format!("Invalid path '{path}' : {}", e.message))
                    })?,
            }
        };
        let Value::Array(items) = items_value else {
            let message = format!(
                "Map state input must be an array but was: {}",
                paths::compact(&items_value)
            );
            if jsonata_state {
                return Err(self.evaluation_failed(frame, run, message, None, false));
            }
            return Err(StatesError::runtime(message));
        };
        let max_concurrency = self
            .map_number(
                frame,
                run,
                &map.max_concurrency,
                "MaxConcurrency",
                input,
                &context,
            )?
            .and_then(|n| n.as_u64())
            .map_or(0, |n| usize::try_from(n).unwrap_or(usize::MAX));
        let mut children = Vec::with_capacity(items.len());
        for (index, item) in items.into_iter().enumerate() {
            let child_input = match &map.item_selector {
                Some(Payload::Jsonata(selector)) => {
                    let mut states = self.states_binding(frame, run, None, None, None);
                    if let Some(context) = states.get_mut("context").and_then(Value::as_object_mut)
                    {
                        context.insert(
                            "Map".into(),
                            json!({"Item": {"Index": index, "Value": &item}}),
                        );
                    }
                    Rc::new(self.jsonata_template(frame, run, selector, "ItemSelector", &states)?)
                }
                Some(Payload::Template(selector)) => {
                    let child_context = if selector.reads_context() {
                        let mut child_context = context.clone();
                        if let Some(map) = child_context.as_object_mut() {
                            map.insert(
                                "Map".into(),
                                json!({"Item": {"Index": index, "Value": &item}}),
                            );
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
                None => {
                    // The item is the iteration's input and its `$$.Map.Item.Value`: shared.
                    let item = Rc::new(item);
                    children.push((Rc::clone(&item), Some((index, item))));
                    continue;
                }
            };
            children.push((child_input, Some((index, Rc::new(item)))));
        }
        let machine = self
            .sub_machines
            .get(&(state.pointer.clone(), 0))
            .cloned()
            .unwrap_or_else(|| Rc::new((*map.item_processor).clone()));
        let machines = vec![machine; children.len()];
        let distributed = map.processor_mode == ProcessorMode::Distributed;
        self.emit(
            frame,
            EventKind::MapStateStarted,
            Some((
                "mapStateStartedEventDetails",
                json!({"length": children.len()}),
            )),
        );
        let mut fanout = Fanout::new(
            true,
            distributed,
            children,
            machines,
            max_concurrency,
            frame.now,
        );
        // AWS reads the tolerated failure thresholds after MapStateStarted.
        fanout.tolerated_count = self
            .map_number(
                frame,
                run,
                &map.tolerated_failure_count,
                "ToleratedFailureCount",
                input,
                &context,
            )?
            .and_then(|n| n.as_u64());
        fanout.tolerated_percentage = self
            .map_number(
                frame,
                run,
                &map.tolerated_failure_percentage,
                "ToleratedFailurePercentage",
                input,
                &context,
            )?
            .and_then(|n| n.as_f64());
        if fanout
            .tolerated_percentage
            .is_some_and(|p| !(0.0..=100.0).contains(&p))
        {
            return Err(StatesError::runtime(
                "ToleratedFailurePercentage must be between 0 and 100.",
            ));
        }
        if distributed {
            let identity = &self.options.identity;
            let label = map.label.clone().unwrap_or_else(|| run.name.to_string());
            let arn = format!(
                "arn:aws:states:{}:{}:mapRun:{}/{}:{}",
                identity.region,
                identity.account,
                identity.state_machine_name,
                label,
                self.rng.uuid_v4()
            );
            fanout.map_run_event = self.emit(
                frame,
                EventKind::MapRunStarted,
                Some(("mapRunStartedEventDetails", json!({"mapRunArn": arn}))),
            );
        }
        Ok(fanout)
    }
}

impl Execution {
    /// A Map's number field (MaxConcurrency, ToleratedFailureCount, ToleratedFailurePercentage):
    /// its literal, the value its `...Path` reads from the effective input, or a JSONata
    /// expression's value, checked as AWS checks it (an integer; the percentage may be a float).
    #[allow(clippy::too_many_arguments)]
    fn map_number(
        &mut self,
        frame: &mut Frame,
        run: &StateRun,
        field: &Option<NumberField>,
        name: &str,
        input: &Value,
        context: &Value,
    ) -> Result<Option<serde_json::Number>, StatesError> {
        let float_allowed = name == "ToleratedFailurePercentage";
        let (value, path) = match field {
            None => return Ok(None),
            Some(NumberField::Literal(Value::Number(n))) => return Ok(Some(n.clone())),
            Some(NumberField::Literal(other)) => (other.clone(), name.to_string()),
            Some(NumberField::Expression(text)) => {
                let value = self.jsonata_number(frame, run, text, name)?;
                return match &value {
                    Value::Number(n) if float_allowed || n.is_u64() => Ok(Some(n.clone())),
                    other => {
                        let expected = if float_allowed { "number" } else { "integer" };
                        let message =
                            unexpected_type(expression_text(text.text()), name, expected, other);
                        Err(self.evaluation_failed(frame, run, message, Some(name), false))
                    }
                };
            }
            Some(NumberField::Path(path)) => {
                let value = path
                    .query(input, context, Some(&frame.variables))
                    .map_err(|e| {
                        StatesError::runtime(format!("Invalid path '{path}' : {}", e.message))
                    })?;
                (value, path.to_string())
            }
        };
        // AWS also accepts the number as text ("1").
        let parsed = match &value {
            Value::String(text) if float_allowed => text
                .trim()
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64),
            Value::String(text) => text
                .trim()
                .parse::<u64>()
                .ok()
                .map(serde_json::Number::from),
            _ => None,
        };
        match (&value, parsed) {
            (_, Some(n)) => Ok(Some(n)),
            (Value::Number(n), None) if float_allowed || n.is_u64() => Ok(Some(n.clone())),
            _ => Err(StatesError::runtime(format!(
                "The {name}Path field refers to value \"{}\" which is not a valid {}: {path}",
                plain_text(&value),
                if float_allowed { "float" } else { "integer" }
            ))),
        }
    }
}

impl Fanout {
    fn new(
        is_map: bool,
        distributed: bool,
        children: Vec<FanoutChild>,
        machines: Vec<Rc<StateMachine>>,
        max_concurrency: usize,
        now: Millis,
    ) -> Self {
        let count = children.len();
        Fanout {
            is_map,
            distributed,
            children,
            machines,
            results: Vec::with_capacity(count),
            next: 0,
            failures: 0,
            failure: None,
            tolerated_count: None,
            tolerated_percentage: None,
            max_concurrency,
            started_at: now,
            end_times: vec![now; count],
            map_run_event: 0,
            last_iteration_succeeded: 0,
        }
    }

    fn latest_end(&self) -> Millis {
        self.end_times
            .iter()
            .copied()
            .max()
            .unwrap_or(self.started_at)
    }

    /// Whether a Map tolerates some failed items (ToleratedFailureCount/Percentage).
    pub(super) fn has_tolerance(&self) -> bool {
        self.is_map && (self.tolerated_count.is_some() || self.tolerated_percentage.is_some())
    }

    /// Whether the failures so far stay within ToleratedFailureCount/Percentage.
    pub(super) fn tolerates_failures(&self) -> bool {
        let failures = self.failures as f64;
        let total = self.children.len().max(1) as f64;
        let by_count = self.tolerated_count.is_some_and(|c| failures <= c as f64);
        let by_percentage = self
            .tolerated_percentage
            .is_some_and(|p| failures * 100.0 / total <= p);
        by_count || by_percentage
    }
}

/// Whether a JSONPath Map's ItemsPath, ItemSelector or number paths read the context object.
fn map_reads_context(map: &MapState) -> bool {
    let path_reads =
        |path: &PathField| matches!(path, PathField::Path(p) if p.text().contains("$$"));
    let number_reads = |field: &Option<NumberField>| matches!(field, Some(NumberField::Path(p)) if p.text().contains("$$"));
    path_reads(&map.items_path)
        || map
            .item_selector
            .as_ref()
            .is_some_and(|selector| match selector {
                Payload::Template(template) => template.reads_context(),
                // Scanned as a template was before; no JSONata map reads the context this way.
                Payload::Jsonata(value) => template::reads_context(value.source()),
            })
        || number_reads(&map.max_concurrency)
        || number_reads(&map.tolerated_failure_percentage)
        || number_reads(&map.tolerated_failure_count)
}
