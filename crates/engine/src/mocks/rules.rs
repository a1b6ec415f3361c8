//! Our `Functions` format: rules per Lambda function or resource, matched on the call's
//! input (a JSON pattern or a JSONata condition), and the JSONata their answers may hold.

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::lambda::{is_lambda_function_arn, is_lambda_invoke, lambda_function_name, Lambda};
use super::{key, parse_throw, type_name, MockError, Problems, TaskCall};
use crate::jsonata::{
    self, Expression, JsonataEnv, JsonataError, JsonataLimits, JsonataValue, Member,
};
use crate::memo::CompileMemo;
use crate::rng::Rng;

/// What a `Functions` rule answers.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum RuleAnswer {
    Return(JsonataValue),
    Throw {
        error: JsonataValue,
        cause: JsonataValue,
    },
    /// `"answer": "never"`: a task waiting for its token is never answered.
    Never,
}

/// A rule's `when`.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Condition {
    /// A JSON pattern the call's input must match.
    Pattern(Value),
    /// A `{% ... %}` JSONata expression that must give `true` (the whole string), compiled.
    Expression(Expression),
}

/// One rule of our `Functions` format.
#[derive(Debug, Clone)]
pub(super) struct FunctionRule {
    /// Where the rule is in the file (`Functions.F[0]`), for messages.
    pub(super) at: String,
    /// What the call must satisfy; `None` matches everything.
    pub(super) when: Option<Condition>,
    pub(super) answer: RuleAnswer,
    pub(super) duration_ms: u64,
    /// `heartbeatSeconds`: when a task waiting for its token gets a heartbeat, in milliseconds
    /// after it started, earliest first.
    pub(super) heartbeats_ms: Vec<u64>,
}

/// The fields of a `Functions` rule.
const RULE_FIELDS: &[&str] = &[
    "when",
    "return",
    "throw",
    "answer",
    "durationSeconds",
    "heartbeatSeconds",
    "comment",
];
/// The longest call a rule may simulate: a Task's maximum TimeoutSeconds.
const MAX_DURATION_SECONDS: f64 = 99_999_999.0;

/// What the JSONata expressions of a rule see for one call: `$states.input` and `$call`.
pub(super) struct CallScope<'a> {
    state_name: &'a str,
    number: u64,
    states: Value,
    variables: Map<String, Value>,
    rng: Rng,
    jsonata_limits: JsonataLimits,
}

impl<'a> CallScope<'a> {
    pub(super) fn new(
        state_name: &'a str,
        number: u64,
        input: &Value,
        jsonata_limits: JsonataLimits,
    ) -> Self {
        let mut states = Map::new();
        states.insert("input".to_string(), input.clone());
        let mut variables = Map::new();
        variables.insert("call".to_string(), Value::from(number));
        CallScope {
            state_name,
            number,
            states: Value::Object(states),
            variables,
            rng: Rng::new(call_seed(state_name, number)),
            jsonata_limits,
        }
    }

    /// The value of one `{% ... %}` string; `at` says where it is in the file.
    fn evaluate(&mut self, expression: &Expression, at: &str) -> Result<Value, MockError> {
        let mut env = JsonataEnv {
            states: &self.states,
            variables: &self.variables,
            rng: &mut self.rng,
            // The mock has no clock of its own: the epoch, the same on every run.
            now: 0,
            limits: self.jsonata_limits,
        };
        expression.evaluate(&mut env).map_err(|error| {
            let reason = match error {
                JsonataError::Undefined => "returned nothing (undefined)".to_string(),
                ref unsupported if unsupported.is_unsupported_result() => {
                    jsonata::UNSUPPORTED_RESULT.to_string()
                }
                JsonataError::Evaluation(message) | JsonataError::Syntax(message) => {
                    format!("failed: {message}")
                }
            };
            self.problem(at, expression.text(), &reason)
        })
    }

    fn problem(&self, at: &str, text: &str, reason: &str) -> MockError {
        MockError::new(format!(
            "{at}: the JSONata expression '{}' {reason} (call {} of the Task state '{}')",
            jsonata::expression_body(text).unwrap_or(text),
            self.number,
            self.state_name
        ))
    }

    /// A `when` expression: `true` matches, `false` does not, anything else is an error.
    pub(super) fn condition(
        &mut self,
        expression: &Expression,
        at: &str,
    ) -> Result<bool, MockError> {
        match self.evaluate(expression, at)? {
            Value::Bool(matched) => Ok(matched),
            other => Err(self.problem(
                at,
                expression.text(),
                &format!(
                    "must give true or false, not {}: {other}",
                    type_name(&other)
                ),
            )),
        }
    }

    /// `template` with every `{% ... %}` string in it replaced by its value.
    pub(super) fn template(
        &mut self,
        template: &JsonataValue,
        at: &str,
    ) -> Result<Value, MockError> {
        let child = |parent: &str, member: Member<'_>| match member {
            Member::Key(name) => format!("{parent}.{}", key(name)),
            Member::Index(index) => format!("{parent}[{index}]"),
        };
        template.evaluate_each_at(at, &child, &mut |expression, at| {
            self.evaluate(expression, at)
        })
    }

    /// A throw's error or cause: plain text, or an expression that must give a string.
    pub(super) fn text(&mut self, text: &JsonataValue, at: &str) -> Result<String, MockError> {
        let Some(expression) = text.expression() else {
            return Ok(text.source().as_str().unwrap_or_default().to_string());
        };
        match self.evaluate(expression, at)? {
            Value::String(value) => Ok(value),
            other => Err(self.problem(
                at,
                expression.text(),
                &format!("must give a string, not {}: {other}", type_name(&other)),
            )),
        }
    }
}

/// The seed of `$random()` and `$uuid()` in a rule's expressions: fixed per state and call.
fn call_seed(state_name: &str, call: u64) -> u64 {
    let digest = Sha256::new()
        .chain_update(b"mock-jsonata\0")
        .chain_update(state_name.as_bytes())
        .chain_update([0u8])
        .chain_update(call.to_be_bytes())
        .finalize();
    let mut bytes = [0u8; 8];
    for (byte, digest_byte) in bytes.iter_mut().zip(digest.iter()) {
        *byte = *digest_byte;
    }
    u64::from_be_bytes(bytes)
}

/// Syntax-checks every `{% ... %}` string in `value` (keys excepted), reporting each where it is.
fn check_expressions(
    value: &Value,
    at: &str,
    problems: &mut Problems,
    memo: &mut CompileMemo,
) -> bool {
    // Every expression is checked (no short-circuit) so that one read reports them all.
    let mut ok = true;
    match value {
        Value::String(text) if jsonata::is_expression(text) => {
            if let Err(message) = memo.expression(text) {
                problems.push(
                    at,
                    format!("invalid JSONata expression {text:?}: {message}"),
                );
                ok = false;
            }
        }
        Value::Object(fields) => {
            for (name, value) in fields {
                ok &= check_expressions(value, &format!("{at}.{}", key(name)), problems, memo);
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                ok &= check_expressions(item, &format!("{at}[{index}]"), problems, memo);
            }
        }
        _ => {}
    }
    ok
}

/// The first `{% ... %}` string inside a `when` pattern, with where it is.
fn expression_in_pattern(value: &Value, at: &str) -> Option<String> {
    match value {
        Value::String(text) if jsonata::is_expression(text) => Some(at.to_string()),
        Value::Object(fields) => fields
            .iter()
            .find_map(|(name, value)| expression_in_pattern(value, &format!("{at}.{}", key(name)))),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(index, item)| expression_in_pattern(item, &format!("{at}[{index}]"))),
        _ => None,
    }
}

/// What a call is matched on.
pub(super) struct Target<'a> {
    pub(super) resource: &'a str,
    pub(super) lambda: Lambda,
    /// The `FunctionName` of a `lambda:invoke`, as written.
    pub(super) function_ref: Option<&'a str>,
    /// The bare Lambda function name, without ARN prefix or qualifier.
    pub(super) function_name: Option<&'a str>,
    /// What `when` patterns see: the Payload of a `lambda:invoke`, the input otherwise.
    pub(super) input: Value,
}

impl<'a> Target<'a> {
    pub(super) fn of(call: &TaskCall<'a>) -> Target<'a> {
        if is_lambda_invoke(call.resource) {
            let function_ref = call.input.get("FunctionName").and_then(Value::as_str);
            Target {
                resource: call.resource,
                lambda: Lambda::Invoke,
                function_ref,
                function_name: function_ref.and_then(lambda_function_name),
                // Lambda receives `{}` when the integration sends no Payload.
                input: call
                    .input
                    .get("Payload")
                    .cloned()
                    .unwrap_or_else(|| Value::Object(Map::new())),
            }
        } else if is_lambda_function_arn(call.resource) {
            Target {
                resource: call.resource,
                lambda: Lambda::FunctionArn,
                function_ref: None,
                function_name: lambda_function_name(call.resource),
                input: call.input.clone(),
            }
        } else {
            Target {
                resource: call.resource,
                lambda: Lambda::No,
                function_ref: None,
                function_name: None,
                input: call.input.clone(),
            }
        }
    }
}

/// Whether `value` matches `pattern`: objects when every key of the pattern matches
/// recursively (other keys are ignored), other values by equality (numbers by value).
pub(super) fn matches(pattern: &Value, value: &Value) -> bool {
    match (pattern, value) {
        (Value::Object(pattern), Value::Object(value)) => pattern
            .iter()
            .all(|(k, p)| value.get(k).is_some_and(|v| matches(p, v))),
        (Value::Object(_), _) => false,
        _ => equal(pattern, value),
    }
}

/// JSON equality with numbers compared by value (`1` equals `1.0`).
fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            crate::choice::numeric_cmp(x, y) == Some(std::cmp::Ordering::Equal)
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| equal(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, xv)| y.get(k).is_some_and(|yv| equal(xv, yv)))
        }
        _ => a == b,
    }
}

pub(super) fn parse_functions(
    value: &Value,
    problems: &mut Problems,
) -> Vec<(String, Vec<FunctionRule>)> {
    let mut functions = Vec::new();
    // One file's rules often repeat an expression.
    let mut memo = CompileMemo::default();
    let Some(object) = value.as_object() else {
        problems.push(
            "Functions",
            format!(
                "expected an object of rule lists by function name or resource ARN, not {}",
                type_name(value)
            ),
        );
        return functions;
    };
    for (name, rules) in object {
        let at = format!("Functions.{}", key(name));
        if name.is_empty() {
            problems.push(&at, "the function name or resource ARN is empty");
            continue;
        }
        let rules = match rules {
            Value::Array(rules) if !rules.is_empty() => rules,
            Value::Array(_) => {
                problems.push(&at, "no rules (expected a non-empty list)");
                continue;
            }
            other => {
                problems.push(
                    &at,
                    format!("expected a list of rules, not {}", type_name(other)),
                );
                continue;
            }
        };
        let parsed: Vec<FunctionRule> = rules
            .iter()
            .enumerate()
            .filter_map(|(index, rule)| {
                parse_rule(rule, &format!("{at}[{index}]"), problems, &mut memo)
            })
            .collect();
        if parsed.len() == rules.len() {
            functions.push((name.clone(), parsed));
        }
    }
    functions
}

fn parse_rule(
    value: &Value,
    at: &str,
    problems: &mut Problems,
    memo: &mut CompileMemo,
) -> Option<FunctionRule> {
    let Some(object) = value.as_object() else {
        problems.push(
            at,
            format!(
                "expected a rule {{\"when\": ..., \"return\": ...}} or {{\"when\": ..., \"throw\": ...}}, not {}",
                type_name(value)
            ),
        );
        return None;
    };
    let mut ok = true;
    for name in object.keys() {
        if !RULE_FIELDS.contains(&name.as_str()) {
            problems.push(
                &format!("{at}.{}", key(name)),
                "not a field of a rule (expected when, return, throw, answer, durationSeconds, \
                 heartbeatSeconds, comment)",
            );
            ok = false;
        }
    }
    let never = match object.get("answer") {
        None => false,
        Some(Value::String(text)) if text == "never" => true,
        Some(other) => {
            problems.push(
                &format!("{at}.answer"),
                format!("expected \"never\" (the token is never answered), not {other}"),
            );
            ok = false;
            false
        }
    };
    let answer = match (object.get("return"), object.get("throw")) {
        (Some(_), Some(_)) => {
            problems.push(at, "has both \"return\" and \"throw\"; give one");
            None
        }
        (None, None) if never => Some(RuleAnswer::Never),
        (Some(_), None) | (None, Some(_)) if never => {
            problems.push(
                at,
                "has \"answer\": \"never\" and an answer (\"return\" or \"throw\"); give one",
            );
            None
        }
        (None, None) => {
            // A misspelt answer is reported as such, above.
            if object.get("answer").is_none() {
                problems.push(at, "needs \"return\" or \"throw\"");
            }
            None
        }
        (Some(value), None) => Some(RuleAnswer::Return(JsonataValue::new_in(
            value.clone(),
            memo,
        ))),
        (None, Some(throw)) => {
            parse_throw(throw, &format!("{at}.throw"), "error", "cause", problems).map(
                |(error, cause)| RuleAnswer::Throw {
                    error: JsonataValue::new_in(Value::String(error), memo),
                    cause: JsonataValue::new_in(Value::String(cause), memo),
                },
            )
        }
    };
    let duration_ms = match object.get("durationSeconds") {
        None => Some(0),
        Some(Value::Number(n)) => {
            match n.as_f64() {
                Some(seconds) if (0.0..=MAX_DURATION_SECONDS).contains(&seconds) => {
                    // In range, so the product fits a u64; `as` only drops sub-millisecond digits
                    // after rounding.
                    Some((seconds * 1000.0).round() as u64)
                }
                _ => {
                    problems.push(
                    &format!("{at}.durationSeconds"),
                    format!("expected a number of seconds from 0 to {MAX_DURATION_SECONDS}, not {n}"),
                );
                    None
                }
            }
        }
        Some(other) => {
            problems.push(
                &format!("{at}.durationSeconds"),
                format!("expected a number of seconds, not {}", type_name(other)),
            );
            None
        }
    };
    let heartbeats_ms = parse_heartbeats(object.get("heartbeatSeconds"), at, problems);
    let when = match object.get("when") {
        None => Some(None),
        Some(Value::String(text)) if jsonata::is_expression(text) => match memo.expression(text) {
            Ok(expression) => Some(Some(Condition::Expression(expression))),
            Err(message) => {
                problems.push(
                    &format!("{at}.when"),
                    format!("invalid JSONata expression {text:?}: {message}"),
                );
                None
            }
        },
        Some(pattern) => match expression_in_pattern(pattern, &format!("{at}.when")) {
            Some(inner) => {
                problems.push(
                    &inner,
                    "a JSONata expression inside a when pattern (a pattern compares values as \
                     they are written; make the whole when one expression: \
                     \"when\": \"{% ... %}\")",
                );
                None
            }
            None => Some(Some(Condition::Pattern(pattern.clone()))),
        },
    };
    let expressions_ok = match (object.get("return"), object.get("throw")) {
        (Some(value), None) => check_expressions(value, &format!("{at}.return"), problems, memo),
        (None, Some(throw)) => check_expressions(throw, &format!("{at}.throw"), problems, memo),
        _ => true,
    };
    if !ok || !expressions_ok {
        return None;
    }
    Some(FunctionRule {
        at: at.to_string(),
        when: when?,
        answer: answer?,
        duration_ms: duration_ms?,
        heartbeats_ms: heartbeats_ms?,
    })
}

/// `heartbeatSeconds`: a list of times, in seconds after the task started, at which a task
/// waiting for its token gets a heartbeat (SendTaskHeartbeat); sorted here.
fn parse_heartbeats(value: Option<&Value>, at: &str, problems: &mut Problems) -> Option<Vec<u64>> {
    let at = format!("{at}.heartbeatSeconds");
    let items = match value {
        None => return Some(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(other) => {
            problems.push(
                &at,
                format!(
                    "expected a list of seconds after the task started, not {}",
                    type_name(other)
                ),
            );
            return None;
        }
    };
    let mut times = Vec::with_capacity(items.len());
    let mut ok = true;
    for (index, item) in items.iter().enumerate() {
        match item.as_f64() {
            Some(seconds) if (0.0..=MAX_DURATION_SECONDS).contains(&seconds) => {
                // In range, so the product fits a u64.
                times.push((seconds * 1000.0).round() as u64);
            }
            _ => {
                problems.push(
                    &format!("{at}[{index}]"),
                    format!(
                        "expected a number of seconds from 0 to {MAX_DURATION_SECONDS}, not {item}"
                    ),
                );
                ok = false;
            }
        }
    }
    times.sort_unstable();
    ok.then_some(times)
}
