//! A Map or Parallel state under TestState: answered by its mock as a Task would be, after a
//! Map's own input stages ran in the real Map (see the parent module's doc).

use super::*;

/// The states inside a Map's item processor or a Parallel's branches, at any depth, with their
/// names (the page's "Test this state" finds a nested state by name with it).
pub fn nested_states(state: &Map<String, Value>) -> Vec<(&String, &Map<String, Value>)> {
    let mut found = Vec::new();
    let branches = state
        .get("Branches")
        .and_then(Value::as_array)
        .into_iter()
        .flatten();
    let processors = ["ItemProcessor", "Iterator"]
        .into_iter()
        .filter_map(|key| state.get(key));
    for scope in branches.chain(processors) {
        let states = scope.get("States").and_then(Value::as_object);
        for (name, inner) in states.into_iter().flatten() {
            if let Some(inner) = inner.as_object() {
                found.push((name, inner));
                found.extend(nested_states(inner));
            }
        }
    }
    found
}

/// The resource of the Task a mocked Map or Parallel state runs as; the mock answers its call.
pub(super) const MOCKED_FANOUT_RESOURCE: &str =
    "arn:aws:lambda:us-east-1:123456789012:function:TestState-mocked-result";

/// The fields a Map or Parallel state keeps when it runs as a Task whose call the mock
/// answers: the result's processing, error handling and transitions. A Parallel's Parameters
/// or Arguments are its branches' input, so they stay (inspectionData's afterParameters or
/// afterArguments); a Map's item fields are run by [`test_map`] instead.
pub(super) const FANOUT_KEPT_FIELDS: [&str; 13] = [
    "Comment",
    "QueryLanguage",
    "InputPath",
    "ResultSelector",
    "ResultPath",
    "OutputPath",
    "Output",
    "Assign",
    "Retry",
    "Catch",
    "Next",
    "End",
    "Parameters",
];

/// The Map or Parallel state as a Task whose result is the mock.
pub(super) fn mocked_fanout(mut harness: Harness) -> Harness {
    let is_parallel = harness.state.get("Type").and_then(Value::as_str) == Some("Parallel");
    let mut task = Map::new();
    task.insert("Type".into(), json!("Task"));
    task.insert("Resource".into(), json!(MOCKED_FANOUT_RESOURCE));
    for (key, value) in &harness.state {
        let kept = FANOUT_KEPT_FIELDS.contains(&key.as_str()) || key == "Arguments";
        // A Map's Parameters is its ItemSelector's old name.
        let item_field = !is_parallel && matches!(key.as_str(), "Parameters" | "Arguments");
        if kept && !item_field {
            task.insert(key.clone(), value.clone());
        }
    }
    harness.state = task;
    harness
}

/// The Map state of [`test_map`]'s first run: the real Map up to its iterations, each of which
/// passes its item through, so its result is what the iterations were given.
pub(super) fn map_input_stages(harness: &Harness) -> Harness {
    let mut state = harness.state.clone();
    for key in [
        "ResultSelector",
        "ResultPath",
        "OutputPath",
        "Output",
        "Assign",
        "ResultWriter",
        "Next",
    ] {
        state.remove(key);
    }
    state.insert("End".into(), json!(true));
    let processor_key = if state.contains_key("Iterator") {
        "Iterator"
    } else {
        "ItemProcessor"
    };
    let mut processor = Map::new();
    if let Some(config) = state
        .get(processor_key)
        .and_then(|p| p.get("ProcessorConfig"))
    {
        processor.insert("ProcessorConfig".into(), config.clone());
    }
    processor.insert("StartAt".into(), json!(MAP_ITEM_STATE));
    processor.insert(
        "States".into(),
        json!({ MAP_ITEM_STATE: {"Type": "Pass", "End": true} }),
    );
    state.insert(processor_key.into(), Value::Object(processor));
    Harness {
        state,
        ..harness.clone()
    }
}

/// The state each iteration of [`map_input_stages`] runs.
pub(super) const MAP_ITEM_STATE: &str = "TestState.Item";

/// A Map state with a mock: its input stages in the real Map (unless an ItemReader reads its
/// items from a source TestState cannot reach), then the mock as its result.
pub(super) fn test_map(
    request: &TestStateRequest,
    harness: Harness,
) -> Result<TestStateResponse, TestStateError> {
    // The state as written is checked first: the Task it runs as has lost its item fields.
    run_checked(request, &harness)?;
    let failures = request.map_iteration_failure_count.filter(|n| *n > 0);
    let mut stages = Map::new();
    let mut exceeded = false;
    if harness.state.contains_key("ItemReader") {
        if failures.is_some() {
            return Err(TestStateError::validation(
                "stateConfiguration.mapIterationFailureCount is not implemented for a Map with \
                 an ItemReader (TestState does not read its items)",
            ));
        }
    } else {
        let staged = run_state(request, &map_input_stages(&harness))?;
        if staged.response.status != TestStateStatus::Succeeded {
            return Ok(staged.response);
        }
        if let Some(trace) = &staged.trace {
            stages = map_stages(&harness, trace);
            if let Some(failures) = failures {
                exceeded = exceeds_tolerance(&harness, trace, failures)?;
            }
        }
    }
    let mut request = request.clone();
    if exceeded && !matches!(request.mock, Some(TestStateMock::Error { .. })) {
        // The Map Run fails as in an execution; its Retry and Catch take the error.
        request.mock = Some(TestStateMock::Error {
            error: crate::error::names::EXCEED_TOLERATED_FAILURE_THRESHOLD.into(),
            cause: Some("The specified tolerated failure threshold was exceeded".into()),
        });
    }
    let request = &request;
    let mut response = run_state(request, &mocked_fanout(harness))?.response;
    if let Some(data) = response.inspection_data.take() {
        response.inspection_data = Some(with_map_stages(data, stages));
    }
    Ok(response)
}

/// Whether `failures` failed iterations exceed the Map's tolerated failure threshold, read by
/// the run of its input stages. AWS documents the thresholds (ToleratedFailureCount,
/// ToleratedFailurePercentage) for a Distributed Map; without one, the first failed iteration
/// fails the Map with its own error, which mock.errorOutput (and errorCausedByState) gives.
pub(super) fn exceeds_tolerance(
    harness: &Harness,
    trace: &StateTrace,
    failures: u64,
) -> Result<bool, TestStateError> {
    let Some(map) = &trace.map else {
        return Ok(false);
    };
    let distributed = ["ItemProcessor", "Iterator"].iter().any(|key| {
        harness
            .state
            .get(*key)
            .and_then(|p| p.pointer("/ProcessorConfig/Mode"))
            .and_then(Value::as_str)
            == Some("DISTRIBUTED")
    });
    if !distributed
        || (map.tolerated_failure_count.is_none() && map.tolerated_failure_percentage.is_none())
    {
        return Err(TestStateError::validation(
            "stateConfiguration.mapIterationFailureCount needs a Map in DISTRIBUTED mode with a \
             ToleratedFailureCount or ToleratedFailurePercentage: otherwise a failed iteration \
             fails the Map with its own error, which mock.errorOutput gives",
        ));
    }
    // The iterations are the batches when an ItemBatcher groups the items.
    let iterations = match (&trace.result, harness.state.contains_key("ItemBatcher")) {
        (Some(Value::Array(batches)), true) => batches.len(),
        _ => map.items.as_array().map_or(0, Vec::len),
    };
    let total = u64::try_from(iterations).unwrap_or(u64::MAX);
    if failures > total {
        return Err(TestStateError::validation(format!(
            "stateConfiguration.mapIterationFailureCount {failures} is more than the Map's \
             {total} iterations"
        )));
    }
    // As in an execution: tolerated when within either threshold.
    let by_count = map.tolerated_failure_count.is_some_and(|c| failures <= c);
    let by_percentage = map
        .tolerated_failure_percentage
        .is_some_and(|p| failures as f64 * 100.0 / total.max(1) as f64 <= p);
    Ok(!(by_count || by_percentage))
}

/// Parses the state machine around the harness's state: its first diagnostic, if any.
pub(super) fn run_checked(
    request: &TestStateRequest,
    harness: &Harness,
) -> Result<(), TestStateError> {
    parsed_machine(request, harness).map(|_| ())
}

/// inspectionData's Map stages from the trace of [`map_input_stages`]'s Map.
pub(super) fn map_stages(harness: &Harness, trace: &StateTrace) -> Map<String, Value> {
    let mut stages = Map::new();
    let Some(map) = &trace.map else {
        return stages;
    };
    if !harness.jsonata() {
        stages.insert("afterItemsPath".into(), map.items.clone());
    }
    if let Some(result) = &trace.result {
        if harness.state.contains_key("ItemBatcher") {
            stages.insert("afterItemBatcher".into(), result.clone());
        } else if harness.state.contains_key("ItemSelector")
            || harness.state.contains_key("Parameters")
        {
            stages.insert("afterItemSelector".into(), result.clone());
        }
    }
    if let Some(n) = map.max_concurrency {
        stages.insert("maxConcurrency".into(), json!(n));
    }
    if let Some(n) = map.tolerated_failure_count {
        stages.insert("toleratedFailureCount".into(), json!(n));
    }
    if let Some(p) = map.tolerated_failure_percentage {
        stages.insert("toleratedFailurePercentage".into(), json!(p));
    }
    stages
}

/// The mocked run's inspectionData with the Map's stages after its input stage, in the order
/// the state runs them.
pub(super) fn with_map_stages(
    data: Map<String, Value>,
    stages: Map<String, Value>,
) -> Map<String, Value> {
    let mut merged = Map::new();
    let mut stages = Some(stages);
    for (key, value) in data {
        let after_input = matches!(key.as_str(), "input" | "afterInputPath");
        if !after_input {
            if let Some(stages) = stages.take() {
                merged.extend(stages);
            }
        }
        merged.insert(key, value);
    }
    if let Some(stages) = stages {
        merged.extend(stages);
    }
    merged
}
