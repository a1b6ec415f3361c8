//! Comparing a run with a conformance case, as the corpus README's "Comparing a run with a
//! case" prescribes: objects by key set, arrays in order, strings exactly except placeholder
//! tokens, numbers by value and kind, JSON text compared parsed where the case holds an object.

use serde_json::{Map, Number, Value};
use sfn_engine::{ExecutionStatus, HistoryEvent};

/// Enough differences to see a pattern; past this the comparison stops looking.
pub const MAX_DIFFERENCES: usize = 20;

/// Rendered values longer than this are cut, so one difference stays one readable line.
const MAX_RENDERED_CHARS: usize = 240;

/// One place where the run and the case disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// Where, e.g. `events/3/stateEnteredEventDetails/input/a`.
    pub path: String,
    pub expected: String,
    pub actual: String,
}

/// The detail fields AWS returns as JSON text and the corpus holds parsed. `result` is not in
/// the corpus but the engine renders it as text too, so it is read back the same way.
const JSON_TEXT_FIELDS: &[&str] = &["input", "output", "parameters", "result"];

/// Walks two values and collects their differences.
pub struct Comparison<'a> {
    /// Placeholder tokens, longest first so that `<uuid:10>` wins over `<uuid:1>`.
    placeholders: Vec<&'a str>,
    differences: Vec<Difference>,
}

impl<'a> Comparison<'a> {
    pub fn new(placeholders: &'a [String]) -> Self {
        let mut tokens: Vec<&str> = placeholders
            .iter()
            .map(String::as_str)
            .filter(|t| !t.is_empty())
            .collect();
        tokens.sort_by_key(|t| std::cmp::Reverse(t.len()));
        Comparison {
            placeholders: tokens,
            differences: Vec::new(),
        }
    }

    pub fn into_differences(self) -> Vec<Difference> {
        self.differences
    }

    fn full(&self) -> bool {
        self.differences.len() >= MAX_DIFFERENCES
    }

    /// Records a difference in prose (a status, a count of elements...).
    pub fn note(&mut self, path: &str, expected: impl Into<String>, actual: impl Into<String>) {
        if !self.full() {
            self.differences.push(Difference {
                path: path.to_string(),
                expected: expected.into(),
                actual: actual.into(),
            });
        }
    }

    fn note_values(&mut self, path: &str, expected: &Value, actual: &Value) {
        self.note(path, render(expected), render(actual));
    }

    /// Compares `actual` (from the run) with `expected` (from the case).
    pub fn values(&mut self, path: &str, expected: &Value, actual: &Value) {
        if self.full() {
            return;
        }
        match (expected, actual) {
            (Value::String(e), _) if self.placeholders.contains(&e.as_str()) => {}
            (Value::String(e), Value::String(a)) => {
                if !self.strings_match(e, a) {
                    self.note_values(path, expected, actual);
                }
            }
            (Value::Object(e), Value::Object(a)) => self.objects(path, e, a),
            (Value::Array(e), Value::Array(a)) => {
                for (index, (e, a)) in e.iter().zip(a).enumerate() {
                    self.values(&format!("{path}/{index}"), e, a);
                }
                if e.len() != a.len() {
                    self.note(
                        path,
                        format!("{} elements", e.len()),
                        format!("{} elements", a.len()),
                    );
                }
            }
            // The recording parsed string fields holding a JSON object (a Lambda error's
            // cause, for example); the run still has the text.
            (Value::Object(_) | Value::Array(_), Value::String(text)) => {
                match serde_json::from_str::<Value>(text) {
                    Ok(parsed) if parsed.is_object() || parsed.is_array() => {
                        self.values(path, expected, &parsed)
                    }
                    _ => self.note_values(path, expected, actual),
                }
            }
            (Value::Number(e), Value::Number(a)) => {
                if !numbers_equal(e, a) {
                    if is_integer(e) == is_integer(a) {
                        self.note_values(path, expected, actual);
                    } else {
                        self.note(path, describe_number(e), describe_number(a));
                    }
                }
            }
            (Value::Bool(e), Value::Bool(a)) if e == a => {}
            (Value::Null, Value::Null) => {}
            _ => self.note_values(path, expected, actual),
        }
    }

    fn objects(&mut self, path: &str, expected: &Map<String, Value>, actual: &Map<String, Value>) {
        for (key, e) in expected {
            let child = format!("{path}/{}", escape_key(key));
            match actual.get(key) {
                Some(a) => self.values(&child, e, a),
                None => self.note(&child, render(e), "(missing)"),
            }
        }
        for (key, a) in actual {
            if !expected.contains_key(key) {
                self.note(
                    &format!("{path}/{}", escape_key(key)),
                    "(absent)",
                    render(a),
                );
            }
        }
    }

    /// Exact equality, except that each placeholder token inside `expected` stands for any
    /// substring of `actual`.
    fn strings_match(&self, expected: &str, actual: &str) -> bool {
        if expected == actual {
            return true;
        }
        match split_on_placeholders(expected, &self.placeholders) {
            Some(pieces) => glob_match(&pieces, actual),
            None => false,
        }
    }
}

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

/// Splits `expected` around the placeholder tokens it contains: the literal pieces between
/// wildcards. `None` when it contains none.
fn split_on_placeholders<'s>(expected: &'s str, tokens: &[&str]) -> Option<Vec<&'s str>> {
    let mut pieces = Vec::new();
    let mut piece_start = 0;
    let mut index = 0;
    while let Some(rest) = expected.get(index..) {
        if rest.is_empty() {
            break;
        }
        if let Some(token) = tokens.iter().find(|t| rest.starts_with(**t)) {
            pieces.push(expected.get(piece_start..index).unwrap_or_default());
            index += token.len();
            piece_start = index;
        } else {
            index += rest.chars().next().map_or(1, char::len_utf8);
        }
    }
    if pieces.is_empty() {
        return None;
    }
    pieces.push(expected.get(piece_start..).unwrap_or_default());
    Some(pieces)
}

/// Matches `actual` against literal pieces separated by wildcards (at least two pieces):
/// the first is a prefix, the last a suffix, the middle ones appear in order between them.
fn glob_match(pieces: &[&str], actual: &str) -> bool {
    let Some((first, rest)) = pieces.split_first() else {
        return false;
    };
    let Some((last, middle)) = rest.split_last() else {
        return actual == *first;
    };
    let Some(after_first) = actual.strip_prefix(first) else {
        return false;
    };
    let Some(mut between) = after_first.strip_suffix(last) else {
        return false;
    };
    for piece in middle {
        match between.split_once(piece) {
            Some((_, after)) => between = after,
            None => return false,
        }
    }
    true
}

fn integer_of(number: &Number) -> Option<i128> {
    number
        .as_i64()
        .map(i128::from)
        .or_else(|| number.as_u64().map(i128::from))
}

fn is_integer(number: &Number) -> bool {
    integer_of(number).is_some()
}

/// Equal value and equal kind: AWS keeps a number's text, so `0` and `0.0` differ.
fn numbers_equal(a: &Number, b: &Number) -> bool {
    match (integer_of(a), integer_of(b)) {
        (Some(a), Some(b)) => a == b,
        (None, None) => a.as_f64() == b.as_f64(),
        _ => false,
    }
}

fn describe_number(number: &Number) -> String {
    let kind = if is_integer(number) {
        "integer"
    } else {
        "float"
    };
    format!("{number} ({kind})")
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

/// Compact JSON, cut to a readable length.
pub fn render(value: &Value) -> String {
    truncate(&value.to_string())
}

fn truncate(text: &str) -> String {
    match text.char_indices().nth(MAX_RENDERED_CHARS) {
        Some((cut, _)) => format!("{}...", text.get(..cut).unwrap_or(text)),
        None => text.to_string(),
    }
}

/// RFC 6901 escaping, so that a key holding `/` does not read as two levels.
fn escape_key(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use sfn_engine::{EventDetails, EventKind};

    /// Compares two values with the given placeholders; returns the differences, first first.
    pub fn compare_values(
        expected: &Value,
        actual: &Value,
        placeholders: &[String],
    ) -> Vec<Difference> {
        let mut comparison = Comparison::new(placeholders);
        comparison.values("", expected, actual);
        comparison.into_differences()
    }

    /// Each row: expected, actual (both JSON text, parsed with serde_json so number kinds are
    /// kept), placeholders, and the path of the first difference (`None`: they match).
    /// Name, expected, actual, placeholders, path of the first difference.
    type ValueCase = (
        &'static str,
        &'static str,
        &'static str,
        &'static [&'static str],
        Option<&'static str>,
    );

    const VALUE_CASES: &[ValueCase] = &[
        (
            "equal objects",
            r#"{"a":1,"b":[true,null]}"#,
            r#"{"b":[true,null],"a":1}"#,
            &[],
            None,
        ),
        (
            "missing key",
            r#"{"a":1,"b":2}"#,
            r#"{"a":1}"#,
            &[],
            Some("/b"),
        ),
        (
            "extra key",
            r#"{"a":1}"#,
            r#"{"a":1,"c":3}"#,
            &[],
            Some("/c"),
        ),
        (
            "nested value",
            r#"{"a":{"b":"x"}}"#,
            r#"{"a":{"b":"y"}}"#,
            &[],
            Some("/a/b"),
        ),
        ("array order matters", "[1,2]", "[2,1]", &[], Some("/0")),
        ("array too short", "[1,2,3]", "[1,2]", &[], Some("")),
        ("array too long", "[1]", "[1,2]", &[], Some("")),
        ("integer vs float", "0", "0.0", &[], Some("")),
        (
            "float vs integer",
            r#"{"n":1.0}"#,
            r#"{"n":1}"#,
            &[],
            Some("/n"),
        ),
        ("floats equal", "1.5", "1.5", &[], None),
        ("negative integers", "-3", "-3", &[], None),
        (
            "big unsigned",
            "18446744073709551615",
            "18446744073709551615",
            &[],
            None,
        ),
        ("string vs number", r#""1""#, "1", &[], Some("")),
        ("null vs missing value", "null", "false", &[], Some("")),
        ("exact strings", r#""abc""#, r#""abc""#, &[], None),
        ("strings differ", r#""abc""#, r#""abd""#, &[], Some("")),
        (
            "whole placeholder matches a string",
            r#""<uuid:1>""#,
            r#""0f1e""#,
            &["<uuid:1>"],
            None,
        ),
        (
            "whole placeholder matches an object",
            r#"{"a":"date"}"#,
            r#"{"a":{"x":1}}"#,
            &["date"],
            None,
        ),
        (
            "placeholder inside a string",
            r#""arn:aws:states:::<ArnPart_0idx>:x""#,
            r#""arn:aws:states:::abc-123:x""#,
            &["<ArnPart_0idx>"],
            None,
        ),
        (
            "placeholder inside, wrong suffix",
            r#""arn:<p>:x""#,
            r#""arn:abc:y""#,
            &["<p>"],
            Some(""),
        ),
        (
            "placeholder inside, wrong prefix",
            r#""arn:<p>:x""#,
            r#""urn:abc:x""#,
            &["<p>"],
            Some(""),
        ),
        (
            "placeholder matches empty",
            r#""a<p>b""#,
            r#""ab""#,
            &["<p>"],
            None,
        ),
        (
            "two placeholders",
            r#""<a>-mid-<b>""#,
            r#""x-mid-y""#,
            &["<a>", "<b>"],
            None,
        ),
        (
            "two placeholders, middle missing",
            r#""<a>-mid-<b>""#,
            r#""x-other-y""#,
            &["<a>", "<b>"],
            Some(""),
        ),
        (
            "token not declared is literal",
            r#""<uuid:1>""#,
            r#""0f1e""#,
            &[],
            Some(""),
        ),
        (
            "longest token wins",
            r#""<uuid:10>""#,
            r#""zz""#,
            &["<uuid:1>", "<uuid:10>"],
            None,
        ),
        (
            "placeholder inside does not match a number",
            r#""id-<p>""#,
            "5",
            &["<p>"],
            Some(""),
        ),
        (
            "object vs JSON text",
            r#"{"cause":{"errorMessage":"boom"}}"#,
            r#"{"cause":"{\"errorMessage\":\"boom\"}"}"#,
            &[],
            None,
        ),
        (
            "object vs JSON text that differs",
            r#"{"cause":{"errorMessage":"boom"}}"#,
            r#"{"cause":"{\"errorMessage\":\"bang\"}"}"#,
            &[],
            Some("/cause/errorMessage"),
        ),
        (
            "object vs plain text",
            r#"{"cause":{"a":1}}"#,
            r#"{"cause":"not json"}"#,
            &[],
            Some("/cause"),
        ),
        (
            "string vs object is not parsed back",
            r#""{\"a\":1}""#,
            r#"{"a":1}"#,
            &[],
            Some(""),
        ),
        (
            "key with slash is escaped",
            r#"{"a/b":1}"#,
            r#"{"a/b":2}"#,
            &[],
            Some("/a~1b"),
        ),
    ];

    #[test]
    fn value_comparisons() {
        for (name, expected, actual, placeholders, first) in VALUE_CASES {
            let expected: Value = serde_json::from_str(expected).expect("test expected");
            let actual: Value = serde_json::from_str(actual).expect("test actual");
            let placeholders: Vec<String> = placeholders.iter().map(|p| p.to_string()).collect();
            let differences = compare_values(&expected, &actual, &placeholders);
            let got = differences.first().map(|d| d.path.as_str());
            assert_eq!(got, *first, "{name}: differences {differences:?}");
        }
    }

    #[test]
    fn number_kind_difference_is_explained() {
        let differences = compare_values(
            &json!({"n": 0}),
            &serde_json::from_str(r#"{"n":0.0}"#).unwrap(),
            &[],
        );
        assert_eq!(
            differences,
            vec![Difference {
                path: "/n".into(),
                expected: "0 (integer)".into(),
                actual: "0.0 (float)".into()
            }]
        );
    }

    #[test]
    fn differences_are_capped() {
        let expected = Value::Array((0..100).map(Value::from).collect());
        let actual = Value::Array((0..100).map(|n| Value::from(n + 1)).collect());
        assert_eq!(
            compare_values(&expected, &actual, &[]).len(),
            MAX_DIFFERENCES
        );
    }

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
