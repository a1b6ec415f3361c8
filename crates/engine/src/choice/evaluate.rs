//! Evaluating Choice rules against a state's input, with AWS's comparison semantics.

use std::cmp::Ordering;

use chrono::{DateTime, FixedOffset};
use serde_json::{Number, Value};

use crate::error::StatesError;
use crate::paths::{Path, PathError};
use crate::time::parse_aws_timestamp;

use super::{ChoiceRule, Operand, Operator};

/// Evaluates `rule` against the state's effective input (`$`) and context (`$$`).
pub fn evaluate(rule: &ChoiceRule, input: &Value, context: &Value) -> Result<bool, StatesError> {
    evaluate_with(rule, &|path: &Path| path.query(input, context, None))
}

/// Evaluates `rule`, reading every path (Variable and `...Path` operands) with `query`. This is
/// what [`evaluate`] does with [`crate::paths::query`]; a caller that resolves more than `$` and
/// `$$` (workflow variables such as `$guess`) passes its own resolver. `query` fails when the
/// path matches nothing.
pub fn evaluate_with(
    rule: &ChoiceRule,
    query: &dyn Fn(&Path) -> Result<Value, PathError>,
) -> Result<bool, StatesError> {
    match rule {
        ChoiceRule::And(rules) => {
            for rule in rules {
                if !evaluate_with(rule, query)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        ChoiceRule::Or(rules) => {
            for rule in rules {
                if evaluate_with(rule, query)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        ChoiceRule::Not(rule) => Ok(!evaluate_with(rule, query)?),
        ChoiceRule::Condition(condition) if condition.source().is_boolean() => {
            Ok(condition.source().as_bool() == Some(true))
        }
        // The executor evaluates JSONata Conditions with the JSONata engine before it gets
        // here; only a caller that bypasses it can reach this.
        ChoiceRule::Condition(condition) => Err(StatesError::runtime(format!(
            "The Condition {} is a JSONata expression: it needs the JSONata engine \
             (run the state machine with the executor)",
            condition.source()
        ))),
        ChoiceRule::Comparison {
            variable,
            operator,
            operand,
        } => {
            crate::budget::charge(1).map_err(crate::budget::Exhausted::error)?;
            let value = query(variable).ok();
            if *operator == Operator::IsPresent {
                let expected = operand_bool(operand);
                return Ok(value.is_some() == expected);
            }
            let Some(value) = value else {
                return Err(invalid_path(variable));
            };
            let operand = match operand {
                Operand::Literal(literal) => literal.clone(),
                Operand::Path(path) => query(path).map_err(|_| invalid_path(path))?,
            };
            Ok(compare(*operator, &value, &operand))
        }
    }
}

/// AWS's cause for a Variable or `...Path` that matches nothing.
fn invalid_path(path: &Path) -> StatesError {
    StatesError::runtime(format!(
        "Invalid path '{path}': The choice state's condition path references an invalid value."
    ))
}

fn operand_bool(operand: &Operand) -> bool {
    matches!(operand, Operand::Literal(Value::Bool(true)))
}

/// Applies `operator` to the variable's value and the operand; a type mismatch is false.
fn compare(operator: Operator, value: &Value, operand: &Value) -> bool {
    use Operator::*;
    let expect = operand.as_bool();
    match operator {
        StringEquals
        | StringLessThan
        | StringGreaterThan
        | StringLessThanEquals
        | StringGreaterThanEquals => match (value, operand) {
            (Value::String(a), Value::String(b)) => {
                holds(operator, a.encode_utf16().cmp(b.encode_utf16()))
            }
            _ => false,
        },
        StringMatches => match (value, operand) {
            (Value::String(text), Value::String(pattern)) => string_matches(text, pattern),
            _ => false,
        },
        NumericEquals
        | NumericLessThan
        | NumericGreaterThan
        | NumericLessThanEquals
        | NumericGreaterThanEquals => match (value, operand) {
            (Value::Number(a), Value::Number(b)) => {
                numeric_cmp(a, b).is_some_and(|ordering| holds(operator, ordering))
            }
            _ => false,
        },
        BooleanEquals => match (value, operand) {
            (Value::Bool(a), Value::Bool(b)) => a == b,
            _ => false,
        },
        TimestampEquals
        | TimestampLessThan
        | TimestampGreaterThan
        | TimestampLessThanEquals
        | TimestampGreaterThanEquals => {
            match (
                value.as_str().and_then(timestamp),
                operand.as_str().and_then(timestamp),
            ) {
                (Some(a), Some(b)) => holds(operator, a.cmp(&b)),
                _ => false,
            }
        }
        IsNull => expect == Some(value.is_null()),
        IsNumeric => expect == Some(value.is_number()),
        IsString => expect == Some(value.is_string()),
        IsBoolean => expect == Some(value.is_boolean()),
        IsTimestamp => expect == Some(value.as_str().and_then(timestamp).is_some()),
        // Handled before the value is read: a missing variable is not an error for it.
        IsPresent => expect == Some(true),
    }
}

/// Whether `ordering` (variable compared with operand) satisfies the operator's relation.
fn holds(operator: Operator, ordering: Ordering) -> bool {
    use Operator::*;
    match operator {
        StringEquals | NumericEquals | TimestampEquals => ordering == Ordering::Equal,
        StringLessThan | NumericLessThan | TimestampLessThan => ordering == Ordering::Less,
        StringGreaterThan | NumericGreaterThan | TimestampGreaterThan => {
            ordering == Ordering::Greater
        }
        StringLessThanEquals | NumericLessThanEquals | TimestampLessThanEquals => {
            ordering != Ordering::Greater
        }
        StringGreaterThanEquals | NumericGreaterThanEquals | TimestampGreaterThanEquals => {
            ordering != Ordering::Less
        }
        _ => false,
    }
}

/// Compares numbers by value: exactly between integers, as doubles otherwise.
pub(crate) fn numeric_cmp(a: &Number, b: &Number) -> Option<Ordering> {
    fn integer(n: &Number) -> Option<i128> {
        n.as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from))
    }
    match (integer(a), integer(b)) {
        (Some(x), Some(y)) => Some(x.cmp(&y)),
        _ => a.as_f64()?.partial_cmp(&b.as_f64()?),
    }
}

/// A timestamp as AWS accepts it, kept to the nanosecond so that sub-millisecond digits still
/// order instants.
pub(super) fn timestamp(text: &str) -> Option<DateTime<FixedOffset>> {
    parse_aws_timestamp(text)?;
    DateTime::parse_from_rfc3339(text).ok()
}

/// StringMatches: `*` matches any run of characters (also none); `\*` is a literal star and
/// `\\` a literal backslash. Linear in the text and the pattern: the pattern is the literal
/// pieces between its stars; the first must start the text, the last end it, and each one
/// between is taken where it first occurs after the previous one (taking the earliest never
/// loses a match, as stars can absorb anything), with a linear substring search.
fn string_matches(text: &str, pattern: &str) -> bool {
    let mut pieces = vec![String::new()];
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        let literal = match c {
            '\\' => chars.next().unwrap_or('\\'),
            '*' => {
                pieces.push(String::new());
                continue;
            }
            other => other,
        };
        if let Some(piece) = pieces.last_mut() {
            piece.push(literal);
        }
    }
    // `pieces` starts with one piece and only grows.
    let Some((first, rest)) = pieces.split_first() else {
        return false;
    };
    let Some((last, middle)) = rest.split_last() else {
        return text == first;
    };
    let Some(mut between) = text
        .strip_prefix(first.as_str())
        .and_then(|rest| rest.strip_suffix(last.as_str()))
    else {
        return false;
    };
    for piece in middle {
        let Some(found) = between.find(piece.as_str()) else {
            return false;
        };
        between = between
            .get(found.saturating_add(piece.len())..)
            .unwrap_or_default();
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_matches_wildcards_and_escapes() {
        let cases = [
            ("log-2024.txt", "log-*.txt", true),
            ("log-.txt", "log-*.txt", true),
            ("log-2024.csv", "log-*.txt", false),
            ("abc", "*", true),
            ("", "*", true),
            ("", "", true),
            ("a", "", false),
            ("a*b", "a\\*b", true),
            ("axb", "a\\*b", false),
            ("a\\b", "a\\\\b", true),
            ("aXbYc", "a*b*c", true),
            ("abcbd", "a*bd", true),
            ("ab", "a*b*c", false),
            ("héllo wörld", "h*w*d", true),
            ("ab", "ab*b", false),
            ("abb", "ab*b", true),
            ("aaa", "a*a*a", true),
            ("aa", "a*a*a", false),
            ("xay", "*a*", true),
            ("x", "*a*", false),
            ("a\\", "a\\", true),
            ("**", "\\**", true),
        ];
        for (text, pattern, expected) in cases {
            assert_eq!(
                string_matches(text, pattern),
                expected,
                "{text} ~ {pattern}"
            );
        }
    }

    /// What took minutes with backtracking to the last star: quadratic in the text.
    #[test]
    fn string_matches_is_linear() {
        let text = "a".repeat(200_000);
        let pattern = format!("*{}b*", "a".repeat(20_000));
        let started = std::time::Instant::now();
        assert!(!string_matches(&text, &pattern));
        assert!(!string_matches(&text, &format!("{}b", "*a".repeat(20_000))));
        assert!(string_matches(&text, &"*a".repeat(20_000)));
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }
}
