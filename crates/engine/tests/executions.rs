//! Data-driven execution tests: each file under `tests/data/executions/` and
//! `tests/data/concurrency/` (Parallel branches and Map iterations running at once on the
//! simulated clock) is one run with what a user would check of it. Keys of a case:
//! - `definition`, `input`, `mocks` (conformance-style `{"State": [responses]}`) or
//!   `mockFile` (a mock file's JSON: Step Functions Local's or our `Functions` rules, with
//!   `durationSeconds`), `options` (`seed`, `noLimits`, `maxHistoryEvents`, `maxPayloadBytes`);
//! - `expected`: `status`, `output` or `error`/`cause`, `events` (the event types in order),
//!   `history` (every event as `[id, previousEventId, "Type", seconds since start]`), `seconds`
//!   (simulated seconds from start to the last event), `eventSeconds`
//!   (`{"<event id>": seconds since start}`), `eventDetails` (`{"<event id>": {...}}`: each
//!   field given must equal the event's in AWS's JSON, e.g. its `activityStartedEventDetails`),
//!   `causeContains`, `redriveCount`;
//! - `stopAtSeconds`: StopExecution once the run reaches that many simulated seconds;
//! - `redrives` (`tests/data/redrive/`): RedriveExecution after the run ends, in order, each
//!   `{"mocks" | "mockFile": the mocks it replaces them with (none: no mocks), "afterSeconds":
//!   simulated seconds after the end it happens, "refused": "Name: message" when AWS refuses
//!   it, "whileRunning": true to ask while the first run is still running}`, each run to its
//!   end; `expected` is about the end of the last, and `history` the whole of it.
//!
//! - `answers` (`tests/data/callbacks/`): what a caller (the page) sends the tasks waiting
//!   for their tokens, in order, each when the simulated clock reaches `atSeconds` (or the
//!   execution waits for it): `{"atSeconds": 5, "state": "Approve", "success": {...}}`, or
//!   `"failure": {"error": ..., "cause": ...}`, `"heartbeat": true`, `"start": "worker"` (an
//!   activity's GetActivityTask); the token is the waiting task's of `state`, or `"token"`: a
//!   literal, or `"same"` (the previous answer's). `expectError` (`TaskTimedOut`...) and
//!   `expectMessage` say how the answer is refused. `{"atSeconds": 200, "stepClock": true}`
//!   steps the clock on to that time (timeouts fire). A run ends when it ends, or when it
//!   waits for an answer and none is left: `expected.waiting` then lists the states waiting.
//!
//! - `machines` (`{"NAME": definition}`): the workspace of state machines a
//!   `states:startExecution` Task runs as child executions (`tests/data/child-executions/`);
//!   `expected.children`: each of `Execution::child_executions()` in order, with any of
//!   `name`, `status`, `output`, `error`, `cause`, `events`, `state` (the starting Task),
//!   `eventId` (the parent's event that started it), `parentName` (the execution name its
//!   parent's ARN ends with), `seconds` (its start and stop, since the root's start).
//!
//! - for a Distributed Map (`tests/data/distributed-map/`): `s3Writes` (`{"bucket/key": what
//!   the run wrote there}`, every write: a string compares with the text, anything else with
//!   the text read as JSON, or for a `.jsonl` key as an array of its lines; every UUID, in
//!   keys and texts, reads `<uuid>`), `childExecutions` (each child execution kept, in order:
//!   `{"status", "events": [types], "input", "output", "error"}`, each key optional),
//!   `outputWithoutUuids` (the output with every UUID reading `<uuid>`).
//!
//! Every run's history must also be in order (`History::order_problem`): ids count up from 1,
//! timestamps never decrease, every previousEventId points backwards. And every case is run a
//! second time with `keep_history` off: the events its steps hand out must be the whole
//! history, event for event, while the history holds no more than the latest step's.

use std::path::Path;

use serde_json::Value;
use sfn_engine::execution::{
    ChildExecution, ChildOrigin, ExecutionStatus, RedriveError, TaskAnswer, Workspace,
};
use sfn_engine::limits::Limits;
use sfn_engine::{parse_definition, EventKind, Execution, ExecutionOptions, MockSet};

/// A caller answering the tasks waiting for their tokens, from a case's `answers`.
struct Caller<'a> {
    answers: &'a [Value],
    next: usize,
    last_token: Option<String>,
    start: i64,
}

impl<'a> Caller<'a> {
    fn new(case: &'a Value, start: i64) -> Self {
        Caller {
            answers: case["answers"].as_array().map_or(&[], Vec::as_slice),
            next: 0,
            last_token: None,
            start,
        }
    }

    /// Steps `execution` until it ends, or waits for an answer when none is left, giving each
    /// answer when its time comes; `on_step` sees the execution after each step.
    fn drive(
        &mut self,
        execution: &mut Execution,
        mut on_step: impl FnMut(&Execution) -> Result<(), String>,
    ) -> Result<(), String> {
        let mut steps = 0u64;
        while *execution.status() == ExecutionStatus::Running {
            steps += 1;
            if steps > 1_000_000 {
                return Err("execution did not end within a million steps".into());
            }
            let Some(answer) = self.answers.get(self.next) else {
                if execution.awaiting_answer() {
                    break;
                }
                execution.step();
                on_step(execution)?;
                continue;
            };
            let at = self.start + (answer["atSeconds"].as_f64().unwrap_or(0.0) * 1000.0) as i64;
            let due = execution.awaiting_answer() || execution.next_time().is_none_or(|t| t >= at);
            if !due {
                execution.step();
                on_step(execution)?;
                continue;
            }
            self.next += 1;
            if answer["stepClock"].as_bool() == Some(true) {
                while *execution.status() == ExecutionStatus::Running
                    && execution.next_time().is_some_and(|t| t <= at)
                {
                    execution.step_until(at);
                    on_step(execution)?;
                }
                continue;
            }
            self.give(execution, answer, at)
                .map_err(|e| format!("answer {}: {e}", self.next - 1))?;
        }
        Ok(())
    }

    fn give(&mut self, execution: &mut Execution, answer: &Value, at: i64) -> Result<(), String> {
        let token = match answer["token"].as_str() {
            Some("same") => self.last_token.clone().ok_or("no earlier token")?,
            Some(token) => token.to_string(),
            None => {
                let state = answer["state"].as_str().ok_or("needs state or token")?;
                execution
                    .waiting_tasks()
                    .into_iter()
                    .find(|t| t.state_name == state)
                    .map(|t| t.token)
                    .ok_or_else(|| format!("no task of the state {state} waits"))?
            }
        };
        self.last_token = Some(token.clone());
        let result = if let Some(output) = answer.get("success") {
            execution.answer_task(&token, TaskAnswer::Success(output.clone()), at)
        } else if let Some(failure) = answer.get("failure") {
            let text = |key: &str| failure[key].as_str().map(str::to_string);
            let (error, cause) = (text("error"), text("cause"));
            execution.answer_task(&token, TaskAnswer::Failure { error, cause }, at)
        } else if answer["heartbeat"].as_bool() == Some(true) {
            execution.answer_task(&token, TaskAnswer::Heartbeat, at)
        } else if let Some(worker) = answer.get("start") {
            execution.start_activity_task(&token, worker.as_str(), at)
        } else {
            return Err("expected success, failure, heartbeat, start or stepClock".into());
        };
        match (result, answer["expectError"].as_str()) {
            (Ok(()), None) => Ok(()),
            (Err(e), Some(want)) if e.name() == want => match answer["expectMessage"].as_str() {
                Some(message) if e.to_string() != message => {
                    Err(format!("refused with '{e}', expected '{message}'"))
                }
                _ => Ok(()),
            },
            (got, want) => Err(format!("got {got:?}, expected the error {want:?}")),
        }
    }
}

/// Runs `execution` (made with `keep_history` off) to its end, collecting every step's events.
fn streamed_history(mut execution: Execution, case: &Value) -> Result<Vec<Value>, String> {
    let mut events = Vec::new();
    drive(&mut execution, case, |execution| {
        if events.len() > 1_000_000 {
            return Err("execution did not end within a million events".into());
        }
        let step: Vec<Value> = execution
            .step_events()
            .iter()
            .map(|e| e.to_aws_json())
            .collect();
        events.extend(step);
        let held = execution.history().retained();
        if held > execution.step_events().len() {
            return Err(format!(
                "the history holds {held} events, more than the latest step's {}",
                execution.step_events().len()
            ));
        }
        Ok(())
    })?;
    if execution.history().len() != events.len() {
        return Err(format!(
            "the history counts {} events, {} were handed out",
            execution.history().len(),
            events.len()
        ));
    }
    Ok(events)
}

/// Runs `execution` to its end as `case` says (`stopAtSeconds`, `redrives`), handing it to
/// `on_step` after each step, stop and redrive.
fn drive(
    execution: &mut Execution,
    case: &Value,
    mut on_step: impl FnMut(&Execution) -> Result<(), String>,
) -> Result<(), String> {
    let start = execution.now();
    let stop_at = case["stopAtSeconds"]
        .as_f64()
        .map(|s| start + (s * 1000.0) as i64);
    let redrives = case["redrives"].as_array().cloned().unwrap_or_default();
    let (asked_running, after_end): (Vec<Value>, Vec<Value>) = redrives
        .into_iter()
        .partition(|r| r["whileRunning"] == true);
    if stop_at.is_none() && asked_running.is_empty() {
        // A caller gives the case's `answers` (if any) to the tasks waiting for their tokens.
        Caller::new(case, start).drive(execution, &mut on_step)?;
    } else {
        run_to_end(execution, stop_at, &asked_running, &mut on_step)?;
    }
    for redrive in &after_end {
        let at =
            execution.now() + (redrive["afterSeconds"].as_f64().unwrap_or(0.0) * 1000.0) as i64;
        let result = execution.redrive_at(mocks_of(redrive)?, at);
        if redrive.get("refused").is_some() {
            expect_refusal(result, redrive)?;
            continue;
        }
        result.map_err(|e| format!("redrive refused: {e}"))?;
        on_step(execution)?;
        run_to_end(execution, None, &[], &mut on_step)?;
    }
    Ok(())
}

/// Steps `execution` to its end (stopping it once past `stop_at`); after its first step, asks
/// for the `asked_running` redrives, which must be refused.
fn run_to_end(
    execution: &mut Execution,
    stop_at: Option<i64>,
    asked_running: &[Value],
    on_step: &mut impl FnMut(&Execution) -> Result<(), String>,
) -> Result<(), String> {
    let mut steps = 0;
    while *execution.status() == ExecutionStatus::Running && !execution.awaiting_answer() {
        steps += 1;
        if steps > 1_000_000 {
            return Err("execution did not end within a million steps".to_string());
        }
        match stop_at {
            Some(t) if execution.next_time().is_some_and(|next| next > t) => {
                execution.stop(None, None);
            }
            Some(t) => {
                execution.step_until(t);
            }
            None => {
                execution.step();
            }
        }
        on_step(execution)?;
        if steps == 1 && *execution.status() == ExecutionStatus::Running {
            for redrive in asked_running {
                expect_refusal(execution.redrive(mocks_of(redrive)?), redrive)?;
            }
        }
    }
    Ok(())
}

/// The mocks of a case or of one of its redrives (`mocks` or `mockFile`).
fn mocks_of(case: &Value) -> Result<MockSet, String> {
    match (case.get("mocks"), case.get("mockFile")) {
        (Some(m), _) => MockSet::from_conformance(m).map_err(|e| e.message),
        (None, Some(file)) => {
            MockSet::from_json_text(&file.to_string(), None).map_err(|e| e.message)
        }
        (None, None) => Ok(MockSet::default()),
    }
}

/// A redrive AWS refuses: the error named and worded as `refused` says.
fn expect_refusal(result: Result<(), RedriveError>, redrive: &Value) -> Result<(), String> {
    let want = redrive["refused"].as_str().unwrap_or("");
    match result {
        Err(error) if error.to_string() == want => Ok(()),
        Err(error) => Err(format!("redrive refused with {error} (expected {want})")),
        Ok(()) => Err(format!("redrive accepted (expected {want})")),
    }
}

fn run_case(path: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let case: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let definition =
        serde_json::to_string_pretty(&case["definition"]).map_err(|e| e.to_string())?;
    let (machine, diagnostics) = parse_definition(&definition).into_parts();
    let machine = machine.ok_or_else(|| format!("definition rejected: {diagnostics:?}"))?;
    let mocks = mocks_of(&case)?;
    let mut options = ExecutionOptions::default();
    let opts = &case["options"];
    if let Some(seed) = opts["seed"].as_u64() {
        options.seed = seed;
    }
    if opts["noLimits"].as_bool() == Some(true) {
        options.limits = Limits::none();
    }
    if let Some(max) = opts["maxHistoryEvents"].as_u64() {
        options.limits.max_history_events = Some(max as usize);
    }
    if let Some(max) = opts["maxPayloadBytes"].as_u64() {
        options.limits.max_payload_bytes = Some(max as usize);
    }
    let mut workspace = Workspace::new();
    if let Some(machines) = case.get("machines").and_then(Value::as_object) {
        for (name, definition) in machines {
            let text = serde_json::to_string_pretty(definition).map_err(|e| e.to_string())?;
            let (machine, diagnostics) = parse_definition(&text).into_parts();
            let machine =
                machine.ok_or_else(|| format!("machine {name} rejected: {diagnostics:?}"))?;
            workspace.insert(name.clone(), machine);
        }
    }
    let start = options.start_time;
    let input = case
        .get("input")
        .cloned()
        .unwrap_or(Value::Object(Default::default()));
    let streamed = streamed_history(
        Execution::new(
            machine.clone(),
            input.clone(),
            mocks.clone(),
            ExecutionOptions {
                keep_history: false,
                ..options.clone()
            },
        )
        .with_workspace(workspace.clone()),
        &case,
    )?;
    let mut execution = Execution::new(machine, input, mocks, options).with_workspace(workspace);
    drive(&mut execution, &case, |_| Ok(()))?;
    let expected = &case["expected"];
    if let Some(want) = expected["waiting"].as_array() {
        let got: Vec<String> = execution
            .waiting_tasks()
            .into_iter()
            .map(|t| t.state_name)
            .collect();
        if got
            .iter()
            .map(String::as_str)
            .ne(want.iter().filter_map(Value::as_str))
        {
            return Err(format!("waiting {got:?} (expected {want:?})"));
        }
    }
    if let Some(want) = expected["redriveCount"].as_u64() {
        if execution.redrive_count() != want {
            return Err(format!(
                "redrive count {} (expected {want})",
                execution.redrive_count()
            ));
        }
    }
    let status = execution.status().clone();
    if let Some(want) = expected["status"].as_str() {
        if status.name() != want {
            return Err(format!(
                "status {} (expected {want}): {status:?}",
                status.name()
            ));
        }
    }
    match &status {
        ExecutionStatus::Succeeded { output } => {
            if let Some(want) = expected.get("output") {
                if **output != *want {
                    return Err(format!("output {output} (expected {want})"));
                }
            }
        }
        ExecutionStatus::Failed { error, cause } | ExecutionStatus::TimedOut { error, cause } => {
            if let Some(want) = expected.get("error") {
                if error.as_deref() != want.as_str() {
                    return Err(format!("error {error:?} (expected {want})"));
                }
            }
            if let Some(want) = expected.get("cause") {
                if cause.as_deref() != want.as_str() {
                    return Err(format!("cause {cause:?} (expected {want})"));
                }
            }
            if let Some(want) = expected["causeContains"].as_str() {
                if !cause.as_deref().unwrap_or("").contains(want) {
                    return Err(format!("cause {cause:?} does not contain {want:?}"));
                }
            }
        }
        _ => {}
    }
    let history = execution.history();
    if let Some(problem) = history.order_problem() {
        return Err(format!("history out of order: {problem}"));
    }
    let whole: Vec<Value> = history.iter().map(|e| e.to_aws_json()).collect();
    if whole != streamed {
        return Err(format!(
            "the events handed out step by step without keeping the history differ from the history kept: {} events, {} kept",
            streamed.len(),
            whole.len()
        ));
    }
    if let Some(want) = expected["history"].as_array() {
        let got: Vec<Value> = history
            .iter()
            .map(|e| {
                serde_json::json!([
                    e.id,
                    e.previous_event_id,
                    e.kind.aws_name(),
                    (e.timestamp - start) as f64 / 1000.0
                ])
            })
            .collect();
        // Numbers compare by value: 1 and 1.0 are the same second.
        let same = |a: &Value, b: &Value| match (a.as_f64(), b.as_f64()) {
            (Some(x), Some(y)) => x == y,
            _ => a == b,
        };
        let rows_match = got.len() == want.len()
            && got.iter().zip(want).all(|(g, w)| {
                let (Some(g), Some(w)) = (g.as_array(), w.as_array()) else {
                    return false;
                };
                g.len() == w.len() && g.iter().zip(w).all(|(a, b)| same(a, b))
            });
        if !rows_match {
            let show = |rows: &[Value]| {
                rows.iter()
                    .map(Value::to_string)
                    .collect::<Vec<_>>()
                    .join("\n    ")
            };
            return Err(format!(
                "history\n  got\n    {}\n  expected\n    {}",
                show(&got),
                show(want)
            ));
        }
    }
    if let Some(want) = expected["events"].as_array() {
        let got: Vec<&str> = history.iter().map(|e| e.kind.aws_name()).collect();
        let want: Vec<&str> = want.iter().filter_map(Value::as_str).collect();
        if got != want {
            return Err(format!("events\n  got      {got:?}\n  expected {want:?}"));
        }
    }
    if let Some(want) = expected["children"].as_array() {
        check_children(execution.child_executions(), want, start)?;
    }
    check_distributed(&execution, expected)?;
    if let Some(want) = expected["seconds"].as_f64() {
        let last = history.last().map(|e| e.timestamp).unwrap_or(start);
        let got = (last - start) as f64 / 1000.0;
        if (got - want).abs() > 1e-9 {
            return Err(format!("simulated duration {got} s (expected {want} s)"));
        }
    }
    if let Some(want) = expected["eventDetails"].as_object() {
        for (id, fields) in want {
            let id: u64 = id.parse().map_err(|_| format!("bad event id {id}"))?;
            let event = history
                .iter()
                .find(|e| e.id == id)
                .ok_or_else(|| format!("no event {id}"))?
                .to_aws_json();
            for (key, value) in fields.as_object().into_iter().flatten() {
                if event.get(key) != Some(value) {
                    return Err(format!(
                        "event {id}: {key} is {:?} (expected {value})",
                        event.get(key)
                    ));
                }
            }
        }
    }
    if let Some(want) = expected["eventSeconds"].as_object() {
        for (id, seconds) in want {
            let id: u64 = id.parse().map_err(|_| format!("bad event id {id}"))?;
            let event = history
                .iter()
                .find(|e| e.id == id)
                .ok_or_else(|| format!("no event {id}"))?;
            let got = (event.timestamp - start) as f64 / 1000.0;
            if Some(got) != seconds.as_f64() {
                return Err(format!(
                    "event {id} ({}) at {got} s (expected {seconds} s)",
                    event.kind
                ));
            }
        }
    }
    Ok(())
}

/// `expected.children` (see the module doc) against the child executions.
fn check_children(children: &[ChildExecution], want: &[Value], start: i64) -> Result<(), String> {
    if children.len() != want.len() {
        let names: Vec<&str> = children.iter().map(|c| c.name.as_str()).collect();
        return Err(format!(
            "{} child executions {names:?} (expected {})",
            children.len(),
            want.len()
        ));
    }
    for (i, (child, want)) in children.iter().zip(want).enumerate() {
        let fail = |what: String| Err(format!("child {i} ({}): {what}", child.name));
        let (error, cause, output) = match &child.status {
            ExecutionStatus::Failed { error, cause }
            | ExecutionStatus::TimedOut { error, cause } => (error.clone(), cause.clone(), None),
            ExecutionStatus::Succeeded { output } => (None, None, Some((**output).clone())),
            _ => (None, None, None),
        };
        let (state, event_id, parent) = match &child.origin {
            ChildOrigin::StartExecution {
                state,
                event_id,
                parent_execution_arn,
            } => (state.as_str(), *event_id, parent_execution_arn.as_str()),
            other => return fail(format!("origin {other:?}")),
        };
        let events: Vec<Value> = child
            .history
            .iter()
            .map(|e| Value::from(e.kind.aws_name()))
            .collect();
        let seconds = |t: i64| (t - start) as f64 / 1000.0;
        let got = [
            ("name", Value::from(child.name.as_str())),
            ("status", Value::from(child.status.name())),
            ("output", output.unwrap_or(Value::Null)),
            ("error", error.map_or(Value::Null, Value::from)),
            ("cause", cause.map_or(Value::Null, Value::from)),
            ("events", Value::Array(events)),
            ("state", Value::from(state)),
            ("eventId", Value::from(event_id)),
            (
                "parentName",
                Value::from(parent.rsplit(':').next().unwrap_or_default()),
            ),
            (
                "seconds",
                serde_json::json!([seconds(child.start), child.stop.map(seconds)]),
            ),
        ];
        for (key, value) in got {
            if let Some(w) = want.get(key) {
                let same = match (w.as_array(), value.as_array()) {
                    // Seconds compare as numbers: 1 and 1.0 are the same.
                    (Some(a), Some(b)) if key == "seconds" => {
                        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.as_f64() == y.as_f64())
                    }
                    _ => *w == value,
                };
                if !same {
                    return fail(format!("{key} {value} (expected {w})"));
                }
            }
        }
        if let Some(problem) = order_problem(&child.history) {
            return fail(format!("history out of order: {problem}"));
        }
    }
    Ok(())
}

/// A child's history in order: ids from 1, timestamps never decreasing.
fn order_problem(history: &[sfn_engine::HistoryEvent]) -> Option<String> {
    history.iter().enumerate().find_map(|(i, e)| {
        let previous = i.checked_sub(1).and_then(|p| history.get(p));
        if e.id != i as u64 + 1 {
            Some(format!("event {} has id {}", i + 1, e.id))
        } else if previous.is_some_and(|p| p.timestamp > e.timestamp) {
            Some(format!("event {} goes back in time", e.id))
        } else {
            None
        }
    })
}

/// Replaces every UUID (8-4-4-4-12 hex digits) in `text` with `<uuid>`.
fn without_uuids(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let shape = [8, 4, 4, 4, 12];
    let mut out = String::new();
    let mut i = 0;
    'outer: while i < chars.len() {
        let mut j = i;
        for (n, len) in shape.iter().enumerate() {
            for _ in 0..*len {
                if j < chars.len() && chars[j].is_ascii_hexdigit() {
                    j += 1;
                } else {
                    out.push(chars[i]);
                    i += 1;
                    continue 'outer;
                }
            }
            if n < 4 {
                if j < chars.len() && chars[j] == '-' {
                    j += 1;
                } else {
                    out.push(chars[i]);
                    i += 1;
                    continue 'outer;
                }
            }
        }
        out.push_str("<uuid>");
        i = j;
    }
    out
}

/// The S3 objects written and the child executions of a Distributed Map case.
fn check_distributed(execution: &Execution, expected: &Value) -> Result<(), String> {
    if let (Some(want), ExecutionStatus::Succeeded { output }) =
        (expected.get("outputWithoutUuids"), execution.status())
    {
        let got: Value =
            serde_json::from_str(&without_uuids(&output.to_string())).map_err(|e| e.to_string())?;
        if got != *want {
            return Err(format!("output {got} (expected {want})"));
        }
    }
    if let Some(want) = expected["s3Writes"].as_object() {
        let mut got = serde_json::Map::new();
        for write in execution.s3_writes() {
            let key = without_uuids(&format!("{}/{}", write.bucket, write.key));
            let text = without_uuids(&write.text);
            let value = if key.ends_with(".jsonl") {
                Value::Array(
                    text.lines()
                        .map(|l| serde_json::from_str(l).unwrap_or(Value::String(l.into())))
                        .collect(),
                )
            } else {
                Value::String(text)
            };
            got.insert(key, value);
        }
        // A text compares as text where a string is expected, as JSON elsewhere.
        for (key, value) in got.iter_mut() {
            if let Value::String(text) = &*value {
                if !want.get(key).is_some_and(Value::is_string) {
                    *value = serde_json::from_str(text).unwrap_or(Value::String(text.clone()));
                }
            }
        }
        if &got != want {
            return Err(format!(
                "s3Writes\n  got      {}\n  expected {}",
                Value::Object(got),
                Value::Object(want.clone())
            ));
        }
    }
    if let Some(want) = expected["childExecutions"].as_array() {
        let got = execution.child_executions();
        if got.len() != want.len() {
            return Err(format!(
                "{} child executions (expected {})",
                got.len(),
                want.len()
            ));
        }
        for (index, (child, want)) in got.iter().zip(want).enumerate() {
            let events: Vec<&str> = child.history.iter().map(|e| e.kind.aws_name()).collect();
            let check = |field: &str, got: Value| -> Result<(), String> {
                match want.get(field) {
                    Some(w) if *w != got => Err(format!(
                        "child execution {index}: {field} {got} (expected {w})"
                    )),
                    _ => Ok(()),
                }
            };
            check("status", Value::from(child.status.name()))?;
            check("events", serde_json::json!(events))?;
            let started = child.history.first().and_then(|e| e.details.as_ref());
            check(
                "input",
                started
                    .map(|d| d.value()["input"].clone())
                    .unwrap_or_default(),
            )?;
            match &child.status {
                ExecutionStatus::Succeeded { output } => check("output", Value::clone(output))?,
                ExecutionStatus::Failed { error, .. } => check("error", serde_json::json!(error))?,
                _ => {}
            }
            if let Some(problem) = (|| {
                for (n, event) in child.history.iter().enumerate() {
                    if event.id != n as u64 + 1 || event.previous_event_id >= event.id {
                        return Some(format!(
                            "event {n} has id {} after {}",
                            event.id, event.previous_event_id
                        ));
                    }
                }
                None
            })() {
                return Err(format!("child execution {index}: {problem}"));
            }
        }
    }
    Ok(())
}

#[test]
fn execution_cases() {
    run_folder("executions", 10);
}

/// `states:startExecution` of the workspace's state machines: child executions.
#[test]
fn child_execution_cases() {
    run_folder("child-executions", 12);
}

/// Parallel branches and Map iterations on one clock: histories in time order, durations,
/// failures stopping the siblings, MaxConcurrency, mocks answering in clock order.
#[test]
fn concurrency_cases() {
    run_folder("concurrency", 4);
}

/// RedriveExecution: after a failure, a timeout or a stop, the execution goes on from where it
/// stopped, with AWS's refusals (the Developer Guide's "Restarting state machine executions
/// with redrive").
#[test]
fn redrive_cases() {
    run_folder("redrive", 8);
}

/// Distributed Maps over the mocked S3: ItemReader formats, ItemBatcher, ResultWriter files,
/// child executions and their histories.
#[test]
fn distributed_map_cases() {
    run_folder("distributed-map", 8);
}

/// Runs every case of `tests/data/<folder>/` (at least `at_least` of them).
fn run_folder(folder: &str, at_least: usize) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(folder);
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("cases folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    paths.sort();
    let mut failures = Vec::new();
    for path in &paths {
        if let Err(message) = run_case(path) {
            failures.push(format!(
                "{}: {message}",
                path.file_name().unwrap_or_default().to_string_lossy()
            ));
        }
    }
    assert!(
        paths.len() >= at_least,
        "expected the {folder} cases, found {}",
        paths.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        paths.len(),
        failures.join("\n")
    );
}

/// The same seed replays the same jittered back-offs and UUIDs; another seed does not.
#[test]
fn seed_replays_runs_exactly() {
    let definition = r#"{"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
              "Parameters": {"id.$": "States.UUID()", "r.$": "States.MathRandom(1, 1000)"},
              "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 10, "MaxAttempts": 3, "JitterStrategy": "FULL"}],
              "End": true}}}"#;
    let run = |seed: u64| {
        let (machine, diagnostics) = parse_definition(definition).into_parts();
        let machine = machine.unwrap_or_else(|| panic!("{diagnostics:?}"));
        let throw = serde_json::json!({"Throw": {"Error": "E", "Cause": "c"}});
        let mocks = MockSet::from_conformance(
            &serde_json::json!({"T": [throw.clone(), throw.clone(), throw.clone(), {"Return": 1}]}),
        )
        .expect("mocks");
        let mut execution = Execution::new(
            machine,
            serde_json::json!({}),
            mocks,
            ExecutionOptions {
                seed,
                ..Default::default()
            },
        );
        execution.run();
        execution
            .history()
            .iter()
            .map(|e| (e.timestamp, e.details.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(run(7), run(7));
    assert_ne!(run(7), run(8));
}

/// A caller sees events as they happen: each step adds a few, and they add up to the history.
#[test]
fn steps_yield_events_incrementally() {
    let definition = r#"{"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Next": "B"},
        "B": {"Type": "Wait", "Seconds": 86400, "Next": "C"},
        "C": {"Type": "Succeed"}}}"#;
    let (machine, diagnostics) = parse_definition(definition).into_parts();
    let machine = machine.unwrap_or_else(|| panic!("{diagnostics:?}"));
    let mut execution = Execution::new(
        machine,
        serde_json::json!({"x": 1}),
        MockSet::default(),
        ExecutionOptions::default(),
    );
    let mut seen = Vec::new();
    let mut steps = 0;
    loop {
        let events = execution.step();
        if events.is_empty() {
            break;
        }
        assert!(events.len() <= 3, "a step emitted {} events", events.len());
        seen.extend(events.iter().map(|e| e.kind));
        steps += 1;
    }
    assert!(steps >= 4);
    let all: Vec<EventKind> = execution.history().iter().map(|e| e.kind).collect();
    assert_eq!(seen, all);
    assert_eq!(execution.status().name(), "SUCCEEDED");
}

/// Stop ends a running execution with ExecutionAborted, and later steps do nothing.
#[test]
fn stop_aborts() {
    let definition = r#"{"StartAt": "Loop", "States": {
        "Loop": {"Type": "Pass", "Next": "Check"},
        "Check": {"Type": "Choice", "Choices": [{"Variable": "$.stop", "IsPresent": true, "Next": "Done"}], "Default": "Loop"},
        "Done": {"Type": "Succeed"}}}"#;
    let mut execution = start(definition, serde_json::json!({}));
    for _ in 0..10 {
        execution.step();
    }
    execution.stop(Some("User".into()), Some("stopped".into()));
    assert_eq!(execution.status().name(), "ABORTED");
    assert_eq!(
        execution.history().last().map(|e| e.kind),
        Some(EventKind::ExecutionAborted)
    );
    assert!(execution.step().is_empty());
}

/// Stop during a fan-out first stops every state and iteration in progress, innermost first,
/// at the stop's time, each following its own branch's last event; then ExecutionAborted.
#[test]
fn stop_aborts_the_states_in_progress() {
    let definition = r#"{"StartAt": "Both", "States": {
        "Both": {"Type": "Parallel", "End": true, "Branches": [
          {"StartAt": "Long", "States": {"Long": {"Type": "Wait", "Seconds": 10, "End": true}}},
          {"StartAt": "Each", "States": {"Each": {"Type": "Map", "ItemsPath": "$.items", "End": true,
            "ItemProcessor": {"StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 5, "End": true}}}}}}]}}}"#;
    let mut execution = start(definition, serde_json::json!({"items": [1, 2]}));
    let waiting = |execution: &Execution| {
        execution
            .history()
            .iter()
            .filter(|e| e.kind == EventKind::WaitStateEntered)
            .count()
    };
    while waiting(&execution) < 3 {
        assert!(!execution.step().is_empty(), "the run went on");
    }
    let before = execution.history().len() as u64;
    execution.stop(None, None);
    assert_eq!(execution.status().name(), "ABORTED");
    let start = execution.history().iter().next().map(|e| e.timestamp);
    let tail: Vec<(u64, u64, EventKind)> = execution
        .history()
        .iter()
        .filter(|e| e.id > before)
        .inspect(|e| assert_eq!(Some(e.timestamp), start, "stamped at the stop"))
        .map(|e| (e.id - before, e.previous_event_id, e.kind))
        .collect();
    let ids: std::collections::HashMap<EventKind, Vec<u64>> =
        execution
            .history()
            .iter()
            .fold(Default::default(), |mut ids, e| {
                ids.entry(e.kind).or_default().push(e.id);
                ids
            });
    let entered = &ids[&EventKind::WaitStateEntered];
    let map_started = ids[&EventKind::MapStateStarted][0];
    let parallel_started = ids[&EventKind::ParallelStateStarted][0];
    let (long, nap0, nap1) = (entered[0], entered[1], entered[2]);
    let b = before;
    assert_eq!(
        tail,
        [
            (1, long, EventKind::WaitStateAborted),
            (2, nap0, EventKind::WaitStateAborted),
            (3, b + 2, EventKind::MapIterationAborted),
            (4, nap1, EventKind::WaitStateAborted),
            (5, b + 4, EventKind::MapIterationAborted),
            (6, map_started, EventKind::MapStateAborted),
            (7, parallel_started, EventKind::ParallelStateAborted),
            (8, b + 7, EventKind::ExecutionAborted),
        ]
    );
    assert!(execution.step().is_empty());
}

/// The state inspector's stages: input, after InputPath, after Parameters, result, after
/// ResultSelector, after ResultPath, output.
#[test]
fn traces_keep_every_stage() {
    let definition = r#"{"StartAt": "T", "States": {"T": {"Type": "Task",
        "Resource": "arn:aws:lambda:us-east-1:123456789012:function:F",
        "InputPath": "$.order", "Parameters": {"id.$": "$.id"},
        "ResultSelector": {"total.$": "$.sum"}, "ResultPath": "$.result", "OutputPath": "$.result",
        "End": true}}}"#;
    let (machine, diagnostics) = parse_definition(definition).into_parts();
    let machine = machine.unwrap_or_else(|| panic!("{diagnostics:?}"));
    let mocks = MockSet::from_conformance(&serde_json::json!({"T": [{"Return": {"sum": 42}}]}))
        .expect("mocks");
    let input = serde_json::json!({"order": {"id": "o-1"}, "other": true});
    let mut execution = Execution::new(machine, input.clone(), mocks, ExecutionOptions::default());
    execution.run();
    let trace = &execution.traces()[0];
    assert_eq!(trace.input, input);
    assert_eq!(
        trace.after_input_path,
        Some(serde_json::json!({"id": "o-1"}))
    );
    assert_eq!(
        trace.after_parameters,
        Some(serde_json::json!({"id": "o-1"}))
    );
    assert_eq!(trace.result, Some(serde_json::json!({"sum": 42})));
    assert_eq!(
        trace.after_result_selector,
        Some(serde_json::json!({"total": 42}))
    );
    assert_eq!(
        trace.after_result_path,
        Some(serde_json::json!({"order": {"id": "o-1"}, "other": true, "result": {"total": 42}}))
    );
    assert_eq!(trace.output, Some(serde_json::json!({"total": 42})));
}

/// Each Map iteration and Parallel branch is traced: its index, input, status and output or
/// error, and each state visit names the iteration or branch it ran in.
#[test]
fn traces_place_visits_in_their_iterations_and_branches() {
    use sfn_engine::execution::{ChildKind, ChildStatus};
    let definition = r#"{"StartAt": "Both", "States": {
        "Both": {"Type": "Parallel", "End": true, "Branches": [
          {"StartAt": "Slow", "States": {"Slow": {"Type": "Wait", "Seconds": 10, "End": true}}},
          {"StartAt": "Each", "States": {"Each": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 1, "End": true,
            "ItemProcessor": {"StartAt": "Check", "States": {
              "Check": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericEquals": 2, "Next": "Bad"}], "Default": "Good"},
              "Good": {"Type": "Pass", "End": true},
              "Bad": {"Type": "Fail", "Error": "Two", "Cause": "no twos"}}}}}}]}}}"#;
    let mut execution = start(definition, serde_json::json!({"items": [1, 2, 3]}));
    execution.run();
    assert_eq!(execution.status().name(), "FAILED");
    let children: Vec<(usize, ChildKind, Value, ChildStatus)> = execution
        .child_traces()
        .iter()
        .map(|c| (c.index, c.kind, c.input.clone(), c.status))
        .collect();
    let items = serde_json::json!({"items": [1, 2, 3]});
    assert_eq!(
        children,
        [
            (0, ChildKind::Branch, items.clone(), ChildStatus::Aborted),
            (1, ChildKind::Branch, items, ChildStatus::Failed),
            (
                0,
                ChildKind::Iteration,
                serde_json::json!(1),
                ChildStatus::Succeeded
            ),
            (
                1,
                ChildKind::Iteration,
                serde_json::json!(2),
                ChildStatus::Failed
            ),
        ],
        "the third item never started"
    );
    let [_, _, first, second] = execution.child_traces() else {
        panic!("four children")
    };
    assert_eq!(first.output, Some(serde_json::json!(1)));
    assert_eq!(
        second.error.as_ref().and_then(|e| e.cause.as_deref()),
        Some("no twos")
    );
    // Each visit's place: the Map's visit is in branch 1; Bad in iteration 1 of that visit.
    let traces = execution.traces();
    let place = |name: &str| {
        let visit = traces
            .iter()
            .rposition(|t| t.state_name == name)
            .expect(name);
        let child = &execution.child_traces()[traces[visit].child.expect("in a child")];
        (traces[child.parent_trace].state_name.as_str(), child.index)
    };
    assert_eq!(place("Each"), ("Both", 1));
    assert_eq!(place("Bad"), ("Each", 1));
    assert_eq!(place("Slow"), ("Both", 0));
    assert_eq!(traces[0].child, None, "Both runs at the top level");
}

/// A stop arrives between instants: a Choice entered at the stop's instant is also left and
/// the Wait after it entered, and that Wait is what the stop aborts (a Choice is never in
/// progress across an instant, and AWS has no ChoiceStateAborted).
#[test]
fn stop_finishes_the_instant_first() {
    let definition = r#"{"StartAt": "Nap", "States": {
        "Nap": {"Type": "Wait", "Seconds": 1, "Next": "Check"},
        "Check": {"Type": "Choice", "Choices": [{"Variable": "$.stop", "IsPresent": true, "Next": "Done"}], "Default": "Nap"},
        "Done": {"Type": "Succeed"}}}"#;
    let mut execution = start(definition, serde_json::json!({}));
    while execution.history().last().map(|e| e.kind) != Some(EventKind::ChoiceStateEntered) {
        assert!(!execution.step().is_empty(), "the run went on");
    }
    let before = execution.history().len();
    execution.stop(None, None);
    let tail: Vec<EventKind> = execution
        .history()
        .iter()
        .skip(before)
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        tail,
        [
            EventKind::ChoiceStateExited,
            EventKind::WaitStateEntered,
            EventKind::WaitStateAborted,
            EventKind::ExecutionAborted
        ]
    );
}

/// An execution of `definition` (valid) on `input`, without mocks, with the default options.
fn start(definition: &str, input: Value) -> Execution {
    let machine = parse_definition(definition).into_machine().expect("valid");
    Execution::new(
        machine,
        input,
        MockSet::default(),
        ExecutionOptions::default(),
    )
}

/// A redrive's own step is ExecutionRedriven with AWS's details; the execution runs again and
/// its context shows the redrive; a second redrive of the SUCCEEDED run is refused by name.
#[test]
fn redrive_emits_execution_redriven_as_its_own_step() {
    let mut execution = start(
        r#"{"StartAt": "Call", "States": {"Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true}}}"#,
        serde_json::json!({"id": 1}),
    );
    execution.run();
    assert_eq!(execution.status().name(), "FAILED");
    let mocks = MockSet::from_conformance(&serde_json::json!({"Call": [{"Return": "fixed"}]}))
        .expect("mocks");
    execution.redrive(mocks.clone()).expect("redrivable");
    assert_eq!(execution.status().name(), "RUNNING");
    let events: Vec<Value> = execution
        .step_events()
        .iter()
        .map(|e| e.to_aws_json())
        .collect();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["type"], "ExecutionRedriven");
    assert_eq!(
        events[0]["executionRedrivenEventDetails"],
        serde_json::json!({"redriveCount": 1})
    );
    execution.run();
    assert_eq!(execution.status().name(), "SUCCEEDED");
    let refused = execution.redrive(mocks).expect_err("SUCCEEDED");
    assert_eq!(refused.name(), "ExecutionNotRedrivable");
    assert_eq!(
        refused.to_string(),
        "ExecutionNotRedrivable: Execution is SUCCEEDED and cannot be redriven."
    );
}

/// A child execution spends its parent's evaluation budget: with a budget the child alone
/// exceeds, the child fails with the budget's States.Runtime and the parent's `.sync` Task with
/// States.TaskFailed; the steps it took are the parent's.
#[test]
fn child_executions_spend_the_parents_budget() {
    let parent = r#"{"StartAt": "Start", "States": {"Start": {"Type": "Task",
        "Resource": "arn:aws:states:::states:startExecution.sync:2",
        "Parameters": {"StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:Busy"},
        "End": true}}}"#;
    let busy = r#"{"StartAt": "Work", "States": {"Work": {"Type": "Pass",
        "Parameters": {"n.$": "States.ArrayLength(States.ArrayRange(1, 1000, 1))"}, "End": true}}}"#;
    let parse = |text: &str| {
        let (machine, diagnostics) = parse_definition(text).into_parts();
        machine.unwrap_or_else(|| panic!("{diagnostics:?}"))
    };
    let run = |max_eval_steps: u64| {
        let mut options = ExecutionOptions::default();
        options.limits.max_eval_steps = max_eval_steps;
        let mut execution = Execution::new(
            parse(parent),
            serde_json::json!({}),
            MockSet::default(),
            options,
        )
        .with_workspace(Workspace::new().with("Busy", parse(busy)));
        execution.run();
        execution
    };
    let roomy = run(10_000_000);
    assert_eq!(roomy.status().name(), "SUCCEEDED", "{:?}", roomy.status());
    let spent = roomy.eval_steps_used();
    let mut alone = Execution::new(
        parse(busy),
        serde_json::json!({}),
        MockSet::default(),
        ExecutionOptions::default(),
    );
    alone.run();
    assert!(
        spent >= alone.eval_steps_used() && spent > 0,
        "the child's {} steps count in the parent's {spent}",
        alone.eval_steps_used()
    );
    let tight = run(spent / 2);
    assert_eq!(tight.status().name(), "FAILED");
    let child = &tight.child_executions()[0];
    match &child.status {
        ExecutionStatus::Failed { error, .. } => {
            assert_eq!(error.as_deref(), Some("States.Runtime"))
        }
        other => panic!("child {other:?}"),
    }
}

/// Callbacks (`.waitForTaskToken`) and activities: answered by the mock file or by a caller,
/// heartbeats, timeouts, their events, and the answers AWS refuses.
#[test]
fn callback_cases() {
    run_folder("callbacks", 10);
}
