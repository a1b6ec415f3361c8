//! Map and Parallel states: branches and iterations run as child frames, concurrently on the
//! simulated clock.
//!
//! A Parallel state starts all its branches at once; a Map state as many iterations as its
//! concurrency allows (`concurrency_limit`), in index order, and the next one the moment an
//! iteration ends and frees its slot. The scheduler (`Frames`) interleaves them on the clock.
//! The state goes on once every child is done, or at the moment one fails (unless a Map
//! tolerates it): the children still running are stopped then (`abort.rs`) and the iterations
//! not started never start.

use super::batcher::Batcher;
use super::flow::{expression_text, OutputSpec, WorkTemplates};
use super::map_run::MapRun;
use super::reader::ReadItems;
use super::states::unexpected_type;
use super::writer::Writer;
use super::*;
use crate::definition::{Payload, QueryLanguage};

/// A branch's or iteration's input (`None`: built when the iteration starts, see `items.rs`),
/// and for an iteration its index and `$$.Map.Item.Value`.
pub(super) type FanoutChild = (Option<Rc<Value>>, Option<(usize, Rc<Value>)>);

/// How many iterations an inline Map runs at once when its MaxConcurrency is 0 (or absent), or
/// more than this. AWS documents 0 as "no limit on parallelism and iterations are invoked as
/// concurrently as possible", and that "in this mode, the Map state supports up to 40 concurrent
/// iterations" (docs/research/concurrency.md §2): a judgement call, so a 1,000-item Map of
/// Waits does not finish in one wait, which AWS does not promise either.
const INLINE_MAP_MAX_CONCURRENCY: usize = 40;

/// How many child runs a distributed Map runs at once when its MaxConcurrency is 0 (or
/// absent): "If you don't specify, Step Functions runs 10,000 parallel child workflow
/// executions in parallel."
const DISTRIBUTED_MAP_DEFAULT_CONCURRENCY: usize = 10_000;

/// A Parallel or Map state's children: their inputs, which have started, and their results.
pub(super) struct Fanout {
    is_map: bool,
    pub(super) distributed: bool,
    /// Each branch's or item's input, and `$$.Map.Item` for items.
    pub(super) children: Vec<FanoutChild>,
    machines: Vec<Rc<StateMachine>>,
    /// Each child's result by index: its output, or a tolerated failure's error output.
    pub(super) results: Vec<Value>,
    /// The size of the outputs collected so far (see [`crate::budget`]).
    result_bytes: usize,
    /// What the iteration inputs not built yet are built from (`items.rs`).
    pub(super) deferred: Option<Box<super::items::DeferredInputs>>,
    /// The next child to start.
    next: usize,
    /// Children started and not finished.
    running: usize,
    /// Children finished.
    pub(super) finished: usize,
    failures: usize,
    /// A failure that fails the state, taken on its next step.
    failure: Option<StatesError>,
    tolerated_count: Option<u64>,
    tolerated_percentage: Option<f64>,
    /// How many children run at once (at least one).
    limit: usize,
    map_run_event: u64,
    last_iteration_succeeded: u64,
    /// The trace of the state's visit, which its children's traces point to.
    trace: Option<usize>,
    /// Which children succeeded and where the others stopped, for a redrive (`redrive.rs`).
    pub(super) redrive: super::redrive::FanoutRedrive,
    /// A distributed Map's Map Run (`map_run.rs`).
    map_run: Option<Box<MapRun>>,
    /// A distributed Map's ResultWriter (`writer.rs`).
    writer: Option<Box<Writer>>,
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
            let mut fanout = fanout;
            fanout.trace = run.trace_index;
            self.resume_fanout(frame, run, &mut fanout);
            let started = !fanout.children.is_empty();
            if started {
                self.start_children(frame, run, &mut fanout);
            }
            let failed = fanout.failure.is_some();
            run.phase = Phase::Fanout(Box::new(fanout));
            if started && !failed {
                return Ok(Outcome::AwaitChildren);
            }
        }
        let Phase::Fanout(fanout) = &mut run.phase else {
            return Err(StatesError::runtime(
                "internal error: a Map or Parallel state lost its branches",
            ));
        };
        if let Some(error) = fanout.failure.take() {
            let map_run_event = fanout.distributed.then_some(fanout.map_run_event);
            // A failed Map Run's ResultWriter still writes what each child came to; the
            // state fails with the run's error all the same.
            // The Map Run stays with the fanout: a redrive redrives it (`redrive.rs`).
            if let (Some(writer), Some(map_run)) =
                (fanout.writer.as_deref(), fanout.map_run.as_deref())
            {
                let _ = self.write_results(writer, map_run, frame.now);
            }
            // The fanout stays until the error is handled: a redrive goes on from what its
            // children left (`Execution::stop_point`).
            return Ok(Outcome::FanoutFail {
                error,
                map_run_event,
            });
        }
        if !fanout.is_over() {
            return Ok(Outcome::AwaitChildren);
        }
        // Every branch or iteration has finished (the frame's clock is at the last one's end).
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
            let first_state = run.entered_after == 0;
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
        let results = match (fanout.writer.take(), fanout.map_run.take()) {
            (Some(writer), Some(map_run)) => self.write_results(&writer, &map_run, frame.now)?,
            _ => Value::Array(std::mem::take(&mut fanout.results)),
        };
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
    /// among the results, or its error, which fails the state unless tolerated. A failure stops
    /// the children still running, at once (`abort_children`).
    pub(super) fn collect_child(
        &mut self,
        parent: &mut Frame,
        state_name: &Rc<str>,
        fanout: &mut Fanout,
        child: &Frame,
        result: Result<Rc<Value>, StatesError>,
    ) {
        let index = child.index;
        fanout.running = fanout.running.saturating_sub(1);
        fanout.finished = fanout.finished.saturating_add(1);
        // A Map Run's child has a history of its own, which the parent's does not follow.
        let recorded = child.recorded && parent.recorded && !fanout.distributed;
        if let Some(record) = fanout
            .map_run
            .as_mut()
            .and_then(|map_run| map_run.records.as_mut())
            .and_then(|records| records.get_mut(index))
        {
            record.stop = child.now;
            record.outcome = Some(match &result {
                Ok(output) => Ok(Value::clone(output)),
                Err(error) => Err(error.clone()),
            });
        }
        let iteration_events = fanout.iteration_events(parent.recorded);
        self.trace_child_end(child, &result);
        match result {
            Ok(output) => {
                fanout.redrive.succeeded(index, fanout.children.len());
                if iteration_events {
                    fanout.last_iteration_succeeded = self.push_map_iteration(
                        child.now,
                        child.last_event,
                        state_name,
                        IterationEvent::Succeeded,
                        index,
                    );
                }
                // The results are measured as they come: a Map of many big outputs fails as
                // soon as they are too big together, not once they are all kept.
                if crate::budget::add_size(&mut fanout.result_bytes, &output).is_err()
                    && fanout.failure.is_none()
                {
                    let error = crate::budget::state_error(state_name)
                        .unwrap_or_else(|| crate::budget::Exhausted::Size.error());
                    let iterations = iteration_events.then(|| Rc::clone(state_name));
                    let stopped = self.abort_children(parent.id, child.now, iterations.as_ref());
                    fanout.redrive.stopped_all(stopped);
                    fanout.running = 0;
                    fanout.failure = Some(error);
                }
                // The output stays in the history too: the Map's or Parallel's own copy.
                if let Some(slot) = fanout.results.get_mut(index) {
                    *slot = Rc::unwrap_or_clone(output);
                }
            }
            Err(error) => {
                fanout.failures = fanout.failures.saturating_add(1);
                fanout.redrive.stopped(index, child.redrive.stopped.clone());
                // A Map tolerating failures records the failed item's error output.
                let mut error_output = Map::new();
                if let Some(e) = &error.error {
                    error_output.insert("Error".into(), json!(e));
                }
                if let Some(c) = &error.cause {
                    error_output.insert("Cause".into(), json!(c));
                }
                if let Some(slot) = fanout.results.get_mut(index) {
                    *slot = Value::Object(error_output);
                }
                let failure = if !fanout.has_tolerance() {
                    Some(error)
                } else if !fanout.tolerates_failures() {
                    Some(StatesError::new(
                        names::EXCEED_TOLERATED_FAILURE_THRESHOLD,
                        "The specified tolerated failure threshold was exceeded",
                    ))
                } else {
                    None
                };
                if failure.is_some() {
                    // The state fails now: its other children stop first, and those not
                    // started never start.
                    let iterations = iteration_events.then(|| Rc::clone(state_name));
                    let stopped = self.abort_children(parent.id, child.now, iterations.as_ref());
                    fanout.redrive.stopped_all(stopped);
                    fanout.running = 0;
                }
                if iteration_events {
                    self.push_map_iteration(
                        child.now,
                        child.last_event,
                        state_name,
                        IterationEvent::Failed,
                        index,
                    );
                }
                fanout.failure = failure;
            }
        }
        if recorded {
            // Inside the state, the next event follows the child's last one: the next
            // iteration's MapIterationStarted, the state's Succeeded or Failed event.
            parent.last_event = child.last_event;
        }
    }

    /// Starts branches or iterations, in index order, while the state's concurrency allows:
    /// their frames get in line at the parent's clock. Each Map iteration emits its
    /// MapIterationStarted event when it first runs, following the parent's last event (the
    /// state's Started event, or the last event of the iteration whose slot it takes).
    pub(super) fn start_children(
        &mut self,
        frame: &mut Frame,
        run: &StateRun,
        fanout: &mut Fanout,
    ) {
        let state_name = &run.name;
        let recorded = frame.recorded && !fanout.distributed;
        let announce = fanout.is_map && recorded;
        while fanout.running < fanout.limit && fanout.next < fanout.children.len() {
            let index = fanout.next;
            fanout.next = fanout.next.saturating_add(1);
            // On a redrive, a child that succeeded before does not run again.
            if fanout.redrive.succeeded_before(index) {
                continue;
            }
            fanout.running = fanout.running.saturating_add(1);
            let (input, map_item) = fanout
                .children
                .get(index)
                .cloned()
                .unwrap_or_else(|| (Some(Rc::new(Value::Null)), None));
            let input = match input {
                Some(input) => input,
                None => match self.deferred_input(
                    frame,
                    run,
                    fanout.deferred.as_deref(),
                    map_item.as_ref(),
                ) {
                    Ok(input) => input,
                    Err(error) => {
                        // The state fails as when an iteration fails: the others stop.
                        let iterations = fanout
                            .iteration_events(frame.recorded)
                            .then(|| Rc::clone(state_name));
                        let stopped = self.abort_children(frame.id, frame.now, iterations.as_ref());
                        fanout.redrive.stopped_all(stopped);
                        fanout.running = 0;
                        fanout.failure = Some(error);
                        return;
                    }
                },
            };
            let machine = fanout
                .machines
                .get(index)
                .cloned()
                .unwrap_or_else(|| Rc::clone(&frame.machine));
            let child_trace = fanout.trace.map(|parent_trace| {
                self.child_traces.push(ChildTrace {
                    parent_trace,
                    index,
                    kind: if fanout.is_map {
                        ChildKind::Iteration
                    } else {
                        ChildKind::Branch
                    },
                    input: Value::clone(&input),
                    status: ChildStatus::Running,
                    output: None,
                    error: None,
                    started: frame.now,
                    ended: None,
                });
                self.child_traces.len().saturating_sub(1)
            });
            let id = self.frames.new_id();
            // A Map Run's child is an execution of its own, with its own history when kept.
            let (recorded, child_execution, last_event) = match fanout.map_run.as_mut() {
                Some(map_run) if fanout.distributed => {
                    let slot = self.start_map_run_child(
                        map_run,
                        id,
                        index,
                        &input,
                        frame.now,
                        frame.recorded,
                    );
                    match slot {
                        Some((slot, last_event)) => (true, Some(slot), last_event),
                        None => (false, None, 0),
                    }
                }
                _ => (recorded, frame.child_execution, frame.last_event),
            };
            let mut child = Frame {
                id,
                parent: Some(frame.id),
                index,
                child_trace,
                announce: announce.then(|| Rc::clone(state_name)),
                action: enter_action(&machine, &machine.start_at, input),
                machine,
                map_item,
                now: frame.now,
                last_event,
                recorded,
                child_execution,
                state: None,
                variables: Rc::clone(&frame.variables),
                redrive: Default::default(),
            };
            // An EXPRESS child of a redriven Map Run starts again from its start (AWS
            // restarts those with StartExecution); any other child goes on where it stopped.
            if !fanout
                .map_run
                .as_ref()
                .is_some_and(|map_run| map_run.express)
            {
                fanout.redrive.resume_child(&mut child);
            }
            self.frames.push(child);
            // A child run of a distributed Map is work that shows in no event here: each
            // one started counts as a silent action (see MAX_SILENT_ACTIONS_IN_A_ROW), so
            // that nested distributed Maps cannot start millions of runs in a few actions.
            if fanout.distributed {
                self.silent_actions = self.silent_actions.saturating_add(1);
            }
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
                    .map(|_| (Some(Rc::clone(&effective)), None))
                    .collect();
                Ok(Fanout::new(false, false, children, machines, 0))
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
        let distributed = map.processor_mode == ProcessorMode::Distributed;
        if !distributed
            && (map.item_reader.is_some()
                || map.item_batcher.is_some()
                || map.result_writer.is_some())
        {
            return Err(StatesError::runtime(
                "ItemReader, ItemBatcher and ResultWriter need a Map in DISTRIBUTED mode.",
            ));
        }
        let read = self.read_items(frame, run, state, map, input)?;
        // Built only for a field that reads `$$`: it copies the execution's input.
        let context = if map_reads_context(map) {
            self.context(frame, run, None)
        } else {
            Value::Null
        };
        let jsonata_state = state.query_language == QueryLanguage::Jsonata;
        let source = read.as_ref().and_then(|read| read.source.clone());
        let items_value = if let Some(read) = read {
            Value::Array(read.items)
        } else if let Some(items) = &map.items {
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
        // Kept for the trace only when traces are recorded, as it copies the items, and not for
        // an ItemReader's items (up to a million objects' worth, which TestState does not show).
        let items_trace = (self.options.record_traces && map.item_reader.is_none())
            .then(|| Value::Array(items.clone()));
        let max_concurrency_number = self
            .map_number(
                frame,
                run,
                &map.max_concurrency,
                "MaxConcurrency",
                input,
                &context,
            )?
            .and_then(|n| n.as_u64());
        let map_concurrency_set = max_concurrency_number.is_some();
        let max_concurrency_value = max_concurrency_number.unwrap_or(0);
        let max_concurrency =
            max_concurrency_number.map_or(0, |n| usize::try_from(n).unwrap_or(usize::MAX));
        let source = source.or_else(|| distributed.then(|| "STATE_DATA".to_string()));
        let batcher: Option<Batcher> = self.item_batcher(frame, run, state, map, input)?;
        let writer = self.result_writer(frame, run, state, map, input)?;
        let (mut children, mut deferred) = self.map_children(
            frame,
            run,
            map,
            input,
            &context,
            ReadItems { items, source },
        )?;
        if let Some(batcher) = &batcher {
            children = self.batch_children(frame, run, children, deferred.as_deref(), batcher)?;
            deferred = None;
        }
        let machine = self
            .sub_machines
            .get(&(state.pointer.clone(), 0))
            .cloned()
            .unwrap_or_else(|| Rc::new((*map.item_processor).clone()));
        let machines = vec![machine; children.len()];
        self.emit(
            frame,
            EventKind::MapStateStarted,
            Some((
                "mapStateStartedEventDetails",
                json!({"length": children.len()}),
            )),
        );
        let mut fanout = Fanout::new(true, distributed, children, machines, max_concurrency);
        fanout.deferred = deferred;
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
        if let Some(trace) = self.trace_of(run) {
            trace.map = Some(MapTrace {
                items: items_trace.unwrap_or(Value::Null),
                max_concurrency: map_concurrency_set.then_some(max_concurrency_value),
                tolerated_failure_count: fanout.tolerated_count,
                tolerated_failure_percentage: fanout.tolerated_percentage,
            });
        }
        if distributed {
            let (map_run, map_run_event) =
                self.start_map_run(frame, run, map, &fanout.children, writer.is_some());
            fanout.map_run_event = map_run_event;
            fanout.map_run = Some(Box::new(map_run));
            fanout.writer = writer.map(Box::new);
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
    /// `max_concurrency`: a Map's MaxConcurrency (0 for none); a Parallel's branches all run.
    fn new(
        is_map: bool,
        distributed: bool,
        children: Vec<FanoutChild>,
        machines: Vec<Rc<StateMachine>>,
        max_concurrency: usize,
    ) -> Self {
        let count = children.len();
        let limit = match (is_map, distributed, max_concurrency) {
            (false, _, _) => count,
            (true, false, 0) => INLINE_MAP_MAX_CONCURRENCY,
            (true, false, n) => n.min(INLINE_MAP_MAX_CONCURRENCY),
            (true, true, 0) => DISTRIBUTED_MAP_DEFAULT_CONCURRENCY,
            (true, true, n) => n,
        };
        Fanout {
            is_map,
            distributed,
            children,
            machines,
            results: vec![Value::Null; count],
            result_bytes: 0,
            deferred: None,
            next: 0,
            running: 0,
            finished: 0,
            failures: 0,
            failure: None,
            tolerated_count: None,
            tolerated_percentage: None,
            limit: limit.max(1),
            map_run_event: 0,
            last_iteration_succeeded: 0,
            trace: None,
            redrive: Default::default(),
            map_run: None,
            writer: None,
        }
    }

    /// A distributed Map's Map Run.
    pub(super) fn map_run(&self) -> Option<&MapRun> {
        self.map_run.as_deref()
    }

    /// Whether the state goes on: every child has finished, or one failed it.
    pub(super) fn is_over(&self) -> bool {
        self.failure.is_some() || self.finished >= self.children.len()
    }

    /// Whether the children are Map iterations with events of their own in this history
    /// (MapIterationStarted, ...): an inline Map's, in a recorded frame.
    pub(super) fn iteration_events(&self, recorded: bool) -> bool {
        self.is_map && !self.distributed && recorded
    }

    /// The MapRunStarted event of a distributed Map whose Map Run has started: what its
    /// MapRunFailed or MapRunAborted follows.
    pub(super) fn map_run_started(&self) -> Option<u64> {
        (self.distributed && self.map_run_event != 0).then_some(self.map_run_event)
    }

    /// Whether failed children are counted against a threshold. Only a distributed Map has
    /// one: AWS documents the thresholds for Distributed mode only, and for Inline mode that
    /// "if any iteration fails, the Map state fails"; it accepts the fields on an inline Map
    /// (the corpus runs them), and validation warns that they do nothing there
    /// (docs/research/concurrency.md §3).
    pub(super) fn has_tolerance(&self) -> bool {
        self.is_map
            && self.distributed
            && (self.tolerated_count.is_some() || self.tolerated_percentage.is_some())
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
