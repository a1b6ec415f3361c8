//! Comparing a finished run with a conformance case's `expected` object: its status, output
//! or error, and its events, rendered in the corpus's shape (AWS's rendering without
//! timestamps, JSON text fields parsed, ISO-8601 date-times replaced by `"date"`).

use serde_json::{Map, Value};
use sfn_engine::{ExecutionStatus, HistoryEvent};

use super::{render, truncate, Comparison, Difference};

/// The detail fields AWS returns as JSON text and the corpus holds parsed. `result` is not in
/// the corpus but the engine renders it as text too, so it is read back the same way.
const JSON_TEXT_FIELDS: &[&str] = &["input", "output", "parameters", "result"];

/// Compares a finished run with a case's `expected` object (`status`, `output`, `error`,
/// `cause`, `events`, `placeholders`).
pub fn compare_run(
    expected: &Value,
    status: &ExecutionStatus,
    events: &[HistoryEvent],
) -> Vec<Difference> {
    let placeholders: Vec<String> = expected
        .get("placeholders")
        .and_then(Value::as_array)
        .map(|tokens| {
            tokens
                .iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect()
        })
        .unwrap_or_default();
    let mut comparison = Comparison::new(&placeholders);

    let expected_status = expected.get("status").and_then(Value::as_str).unwrap_or("");
    if expected_status != status.name() {
        comparison.note("status", expected_status, describe_status(status));
    } else {
        match status {
            ExecutionStatus::Succeeded { output } => {
                let mut output = Value::clone(output);
                replace_timestamps(&mut output);
                let expected_output = expected.get("output").unwrap_or(&Value::Null);
                comparison.values("output", expected_output, &output);
            }
            ExecutionStatus::Failed { error, cause }
            | ExecutionStatus::TimedOut { error, cause } => {
                for (field, actual) in [("error", error), ("cause", cause)] {
                    let mut actual = actual.clone().map_or(Value::Null, Value::String);
                    replace_timestamps(&mut actual);
                    let expected_value = expected.get(field).unwrap_or(&Value::Null);
                    comparison.values(field, expected_value, &actual);
                }
            }
            ExecutionStatus::Running | ExecutionStatus::Aborted => {}
        }
    }

    if let Some(expected_events) = expected.get("events").filter(|e| !e.is_null()) {
        let actual_events = Value::Array(events.iter().map(normalize_event).collect());
        comparison.values("events", expected_events, &actual_events);
    }
    comparison.into_differences()
}

/// One event of the run in the corpus's shape: AWS's rendering without `timestamp`, the
/// JSON-text fields parsed back, ISO-8601 timestamps replaced by `"date"`.
pub fn normalize_event(event: &HistoryEvent) -> Value {
    let mut rendered = event.to_aws_json();
    if let Value::Object(fields) = &mut rendered {
        fields.remove("timestamp");
        for details in fields.values_mut() {
            if let Value::Object(details) = details {
                parse_text_fields(details);
            }
        }
    }
    replace_timestamps(&mut rendered);
    rendered
}

fn parse_text_fields(details: &mut Map<String, Value>) {
    for field in JSON_TEXT_FIELDS {
        if let Some(value) = details.get_mut(*field) {
            parse_in_place(value);
        }
    }
    if let Some(Value::Object(variables)) = details.get_mut("assignedVariables") {
        variables.values_mut().for_each(parse_in_place);
    }
}

/// Replaces JSON text by its value; text that is not JSON stays as it is.
fn parse_in_place(value: &mut Value) {
    if let Value::String(text) = value {
        if let Ok(parsed) = serde_json::from_str::<Value>(text) {
            *value = parsed;
        }
    }
}

/// Replaces every string that is an ISO-8601 date-time by `"date"`, as the recording did.
pub fn replace_timestamps(value: &mut Value) {
    match value {
        Value::String(text) if is_iso_timestamp(text) => *value = Value::String("date".into()),
        Value::Array(items) => items.iter_mut().for_each(replace_timestamps),
        Value::Object(fields) => fields.values_mut().for_each(replace_timestamps),
        _ => {}
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM|±HHMM)`. A date-time without a zone is not one:
/// the recording left such strings alone.
pub fn is_iso_timestamp(text: &str) -> bool {
    let bytes = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        bytes
            .get(range)
            .is_some_and(|part| part.iter().all(u8::is_ascii_digit))
    };
    let at = |index: usize, byte: u8| bytes.get(index) == Some(&byte);
    let prefix_ok = digits(0..4)
        && at(4, b'-')
        && digits(5..7)
        && at(7, b'-')
        && digits(8..10)
        && at(10, b'T')
        && digits(11..13)
        && at(13, b':')
        && digits(14..16)
        && at(16, b':')
        && digits(17..19);
    if !prefix_ok {
        return false;
    }
    let mut rest = bytes.get(19..).unwrap_or_default();
    if let Some(fraction) = rest.strip_prefix(b".") {
        let count = fraction.iter().take_while(|b| b.is_ascii_digit()).count();
        if count == 0 {
            return false;
        }
        rest = fraction.get(count..).unwrap_or_default();
    }
    match rest {
        b"Z" => true,
        [sign, h1, h2, b':', m1, m2] | [sign, h1, h2, m1, m2] => {
            (*sign == b'+' || *sign == b'-') && [h1, h2, m1, m2].iter().all(|b| b.is_ascii_digit())
        }
        _ => false,
    }
}

/// A status with what explains it, for a status difference.
pub fn describe_status(status: &ExecutionStatus) -> String {
    match status {
        ExecutionStatus::Succeeded { output } => {
            format!("SUCCEEDED with output {}", render(output))
        }
        ExecutionStatus::Failed { error, cause } | ExecutionStatus::TimedOut { error, cause } => {
            format!(
                "{} with error {} and cause {}",
                status.name(),
                error
                    .as_deref()
                    .map_or("(none)".into(), |e| format!("{e:?}")),
                cause
                    .as_deref()
                    .map_or("(none)".into(), |c| truncate(&format!("{c:?}"))),
            )
        }
        ExecutionStatus::Running | ExecutionStatus::Aborted => status.name().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use sfn_engine::{EventDetails, EventKind};

    #[test]
    fn recognizes_iso_timestamps() {
        let cases = [
            ("2024-01-01T00:00:00Z", true),
            ("2024-01-01T00:00:00.000Z", true),
            ("2016-03-05T21:29:29.243167252Z", true),
            ("2024-01-01T01:00:00+01:00", true),
            ("2024-01-01T01:00:00-0130", true),
            ("2026-11-27T12:23:17", false),
            ("2026-11-27T12:23:17.000000", false),
            ("2024-01-01 00:00:00Z", false),
            ("2024-01-01T00:00:00.Z", false),
            ("2024-01-01T00:00:00Zx", false),
            ("date", false),
            ("", false),
        ];
        for (text, expected) in cases {
            assert_eq!(is_iso_timestamp(text), expected, "{text}");
        }
    }

    fn event(
        id: u64,
        previous: u64,
        event_type: &str,
        details: Option<(&str, Value)>,
    ) -> HistoryEvent {
        HistoryEvent {
            id,
            previous_event_id: previous,
            timestamp: 1_704_067_200_000,
            kind: EventKind::from_aws_name(event_type).expect("an event type"),
            details: details.map(|(key, value)| EventDetails::new(key, value)),
            state_name: None,
        }
    }

    #[test]
    fn normalized_event_parses_text_fields_and_drops_timestamp() {
        let run = event(
            2,
            0,
            "PassStateExited",
            Some((
                "stateExitedEventDetails",
                json!({
                    "name": "P",
                    "output": {"at": "2024-01-01T00:00:00.000Z", "n": 1.0},
                    "outputDetails": {"truncated": false},
                    "assignedVariables": {"x": [1, 2]},
                }),
            )),
        );
        let expected = json!({
            "type": "PassStateExited",
            "id": 2,
            "previousEventId": 0,
            "stateExitedEventDetails": {
                "name": "P",
                "output": {"at": "date", "n": 1.0},
                "outputDetails": {"truncated": false},
                "assignedVariables": {"x": [1, 2]},
            }
        });
        assert_eq!(normalize_event(&run), expected);
    }

    #[test]
    fn run_comparison_checks_status_output_error_and_events() {
        let succeeded = ExecutionStatus::Succeeded {
            output: std::rc::Rc::new(json!({"a": 1})),
        };
        let failed = ExecutionStatus::Failed {
            error: Some("States.Runtime".into()),
            cause: None,
        };
        let events = vec![event(
            1,
            0,
            "ExecutionStarted",
            Some((
                "executionStartedEventDetails",
                json!({"input": {}, "inputDetails": {"truncated": false}, "roleArn": "arn:r"}),
            )),
        )];
        let started = json!([{
            "type": "ExecutionStarted", "id": 1, "previousEventId": 0,
            "executionStartedEventDetails": {"input": {}, "inputDetails": {"truncated": false}, "roleArn": "arn:r"}
        }]);
        let rows: Vec<(&str, Value, &ExecutionStatus, Option<&str>)> = vec![
            (
                "success matches",
                json!({"status": "SUCCEEDED", "output": {"a": 1}, "events": null}),
                &succeeded,
                None,
            ),
            (
                "output differs",
                json!({"status": "SUCCEEDED", "output": {"a": 2}, "events": null}),
                &succeeded,
                Some("output/a"),
            ),
            (
                "status differs",
                json!({"status": "FAILED", "error": "X", "events": null}),
                &succeeded,
                Some("status"),
            ),
            (
                "failure matches, absent cause",
                json!({"status": "FAILED", "error": "States.Runtime", "events": null}),
                &failed,
                None,
            ),
            (
                "error differs",
                json!({"status": "FAILED", "error": "States.TaskFailed", "events": null}),
                &failed,
                Some("error"),
            ),
            (
                "cause expected",
                json!({"status": "FAILED", "error": "States.Runtime", "cause": "c", "events": null}),
                &failed,
                Some("cause"),
            ),
            (
                "events match",
                json!({"status": "SUCCEEDED", "output": {"a": 1}, "events": started}),
                &succeeded,
                None,
            ),
            (
                "events missing",
                json!({"status": "SUCCEEDED", "output": {"a": 1}, "events": []}),
                &succeeded,
                Some("events"),
            ),
            (
                "placeholder in events",
                json!({"status": "SUCCEEDED", "output": {"a": 1}, "placeholders": ["<role>"], "events": [{
                    "type": "ExecutionStarted", "id": 1, "previousEventId": 0,
                    "executionStartedEventDetails": {"input": {}, "inputDetails": {"truncated": false}, "roleArn": "<role>"}
                }]}),
                &succeeded,
                None,
            ),
        ];
        for (name, expected, status, first) in rows {
            let differences = compare_run(&expected, status, &events);
            let got = differences.first().map(|d| d.path.as_str());
            assert_eq!(got, first, "{name}: {differences:?}");
        }
    }

    /// The corpus beside the repository (`../shared/conformance`), or `CONFORMANCE_DIR`.
    fn corpus_cases() -> Option<std::path::PathBuf> {
        let dir = std::env::var_os("CONFORMANCE_DIR")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| {
                std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                    .join("../../../shared/conformance")
            });
        let cases = dir.join("cases");
        cases.is_dir().then_some(cases)
    }

    /// Rebuilds the engine's events from a recorded history, as a perfect engine would emit them.
    fn events_from_recording(recorded: &Value) -> Vec<HistoryEvent> {
        let Some(events) = recorded.as_array() else {
            return Vec::new();
        };
        events
            .iter()
            .map(|event| HistoryEvent {
                id: event["id"].as_u64().expect("id"),
                previous_event_id: event["previousEventId"].as_u64().expect("previousEventId"),
                timestamp: 1_704_067_200_000,
                kind: event["type"]
                    .as_str()
                    .and_then(EventKind::from_aws_name)
                    .expect("an event type the engine emits"),
                details: event
                    .as_object()
                    .expect("event object")
                    .iter()
                    .find(|(key, _)| key.ends_with("EventDetails"))
                    .map(|(key, value)| EventDetails::new(key.clone(), value.clone())),
                state_name: None,
            })
            .collect()
    }

    /// A run that does exactly what AWS recorded matches every case: the comparison finds no
    /// difference that is not there (rendering to AWS's shape and back is lossless).
    #[test]
    fn replaying_the_recordings_matches_every_case() {
        let Some(dir) = corpus_cases() else {
            eprintln!("conformance corpus not found; nothing to replay");
            return;
        };
        let mut checked = 0;
        for entry in std::fs::read_dir(&dir).expect("cases dir") {
            let path = entry.expect("entry").path();
            let text = std::fs::read_to_string(&path).expect("case");
            let case: Value = serde_json::from_str(&text).expect("case JSON");
            let expected = &case["expected"];
            // The engine holds error and cause as text; where the recording parsed a JSON
            // cause into an object, the engine has its JSON text.
            let as_text = |value: &Value| match value {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            let error = expected.get("error").map(as_text);
            let cause = expected.get("cause").map(as_text);
            let status = match expected["status"].as_str() {
                Some("SUCCEEDED") => ExecutionStatus::Succeeded {
                    output: std::rc::Rc::new(expected["output"].clone()),
                },
                Some("FAILED") => ExecutionStatus::Failed { error, cause },
                Some("TIMED_OUT") => ExecutionStatus::TimedOut { error, cause },
                other => panic!("{}: status {other:?}", path.display()),
            };
            let events = events_from_recording(&expected["events"]);
            let differences = compare_run(expected, &status, &events);
            assert_eq!(differences, Vec::new(), "{}", path.display());
            checked += 1;
        }
        assert!(checked > 0);
    }
}
