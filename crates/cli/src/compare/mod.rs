//! Comparing a run with a conformance case, as the corpus README's "Comparing a run with a
//! case" prescribes: objects by key set, arrays in order, strings exactly except placeholder
//! tokens, numbers by value and kind, JSON text compared parsed where the case holds an object.
//!
//! This module compares two values; [`run`] compares a whole run (status, output or error,
//! events) with a case.

mod run;

use serde_json::{Map, Number, Value};

pub use run::compare_run;

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
}
