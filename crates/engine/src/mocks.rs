//! Mock task functions: what a Task state's resource answers in the playground.
//!
//! A [`MockSet`] comes from one of:
//! - a conformance case's `mocks`: `{"<state>": [response, ...]}` in call order;
//! - a mock file ([`MockSet::from_json_text`]) in AWS Step Functions Local's format
//!   (`StateMachines` test cases naming `MockedResponses` per state), in our own `Functions`
//!   format (rules per Lambda function or resource, matched on the call's input), or both.
//!
//! Fixed responses per state (the first two) take priority over `Functions` rules. Calls are
//! counted per state name, retries and re-entries included, from 0.
//!
//! The `Functions` format:
//!
//! ```json
//! {"Functions": {"MockAPIFunction": [
//!   {"when": {"statuscode": "429"},
//!    "throw": {"error": "TooManyRequestsException", "cause": "429 Too Many Requests"},
//!    "durationSeconds": 0.5},
//!   {"when": {"statuscode": "200"}, "return": "200 OK"},
//!   {"throw": {"error": "UnknownException", "cause": "Unknown error"}}
//! ]}}
//! ```
//!
//! - Keys are a Lambda function name, which matches `arn:...:lambda:...:function:NAME[:qualifier]`
//!   resources and `lambda:invoke` calls whose `FunctionName` names it (by name, partial ARN
//!   or ARN, with or without qualifier); or a full resource ARN, which matches that resource
//!   exactly or a `lambda:invoke` `FunctionName` written exactly so. Exact keys win over names.
//! - Rules are tried in order. `when` is matched against the call's input (the `Payload` of a
//!   `lambda:invoke`): an object matches when each of its keys matches recursively, anything
//!   else by equality (numbers by value); no `when` matches every call.
//! - `return` is the function's result; `throw` an error, whose `cause` becomes a Lambda error
//!   object (`errorMessage`, `errorType`, `requestId`, `stackTrace`) for Lambda resources.
//! - `durationSeconds` (default 0) is how long the call takes on the simulated clock.
//!
//! ## JSONata in rules
//!
//! A rule's `when` may instead be one JSONata expression, written as ASL writes one: a string
//! `"{% ... %}"`. The rule matches when it gives `true`, not when it gives `false`; anything
//! else (a non-boolean, nothing, an evaluation error) stops the run with a [`MockError`]
//! naming the rule (`Functions.F[1].when`), the expression and the call. And every
//! `"{% ... %}"` string anywhere in `return`'s value, and the throw's `error` and `cause`
//! (which must give strings), is replaced by its value when the rule answers. Object keys are
//! never evaluated, as in ASL. Both see:
//!
//! - `$states.input`: what `when` patterns see (the `Payload` of a `lambda:invoke`);
//! - `$call`: the call number of the Task state, from 0, retries and re-entries included.
//!
//! ```json
//! {"Functions": {"MockAPIFunction": [
//!   {"when": "{% $states.input.statuscode = '429' and $call < 2 %}",
//!    "throw": {"error": "TooManyRequestsException", "cause": "{% 'attempt ' & $call %}"}},
//!   {"return": {"echo": "{% $states.input %}", "attempt": "{% $call + 1 %}"}}
//! ]}}
//! ```
//!
//! Expressions are syntax-checked when the file is read, so a typo fails there, with where.
//! A `when` pattern (an object) cannot hold expressions among its values: that is refused at
//! load too, since the pattern would compare them as text. The mock has no workflow
//! variables, `$states.context` or clock: `$now()` and `$millis()` read the epoch (0), and
//! `$random()` and `$uuid()` draw from a generator seeded by the state name and call number,
//! so a run replays identically.

use std::collections::HashMap;
use std::fmt;

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::jsonata::{self, JsonataEnv, JsonataError};
use crate::rng::Rng;

/// One call of a Task state's resource, as the executor makes it.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskCall<'a> {
    /// The Task state's name.
    pub state_name: &'a str,
    /// The state's `Resource`, e.g. `arn:aws:lambda:us-east-1:123456789012:function:F` or
    /// `arn:aws:states:::lambda:invoke`.
    pub resource: &'a str,
    /// The effective input sent to the resource: the state's effective input for a Lambda
    /// function ARN; the effective `Parameters` for an integration, so for `lambda:invoke`
    /// `{"FunctionName": ..., "Payload": ...}` (rules match the function name and the Payload).
    pub input: &'a Value,
}

/// What a mock answers.
#[derive(Debug, Clone, PartialEq)]
pub enum MockResponse {
    /// The integration's whole response, as AWS Step Functions Local's mock files and the
    /// conformance corpus give it (for `lambda:invoke`: `{"Payload": ..., "StatusCode": 200...}`).
    Return(Value),
    /// A Lambda function's return value; the executor wraps it in the integration's response
    /// shape where the resource is an integration such as `lambda:invoke`.
    FunctionReturn(Value),
    /// An error with its cause, already in the shape the service gives it.
    Throw { error: String, cause: String },
}

/// A mock's answer and how long the call takes on the simulated clock.
#[derive(Debug, Clone, PartialEq)]
pub struct MockOutcome {
    pub response: MockResponse,
    pub duration_ms: u64,
}

/// Why a mock could not answer: no mock for the state or resource, or responses exhausted.
/// Also why a mock file or a case's mocks could not be read (one problem per line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MockError {
    pub message: String,
}

impl MockError {
    fn new(message: impl Into<String>) -> Self {
        MockError {
            message: message.into(),
        }
    }
}

impl fmt::Display for MockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for MockError {}

/// The responses fixed for one state, by call number.
#[derive(Debug, Clone)]
struct StateResponses {
    /// Where they come from, for messages: `mocks."Call API"` or `MockedResponses.R1`.
    origin: String,
    /// `(first call, last call, response)`, sorted and contiguous from call 0.
    entries: Vec<(u64, u64, MockResponse)>,
}

impl StateResponses {
    fn get(&self, call: u64) -> Option<&MockResponse> {
        self.entries
            .iter()
            .find(|(first, last, _)| *first <= call && call <= *last)
            .map(|(_, _, response)| response)
    }

    fn last_call(&self) -> Option<u64> {
        self.entries.last().map(|(_, last, _)| *last)
    }
}

/// What a `Functions` rule answers.
#[derive(Debug, Clone, PartialEq)]
enum RuleAnswer {
    Return(Value),
    Throw { error: String, cause: String },
}

/// A rule's `when`.
#[derive(Debug, Clone, PartialEq)]
enum Condition {
    /// A JSON pattern the call's input must match.
    Pattern(Value),
    /// A `{% ... %}` JSONata expression that must give `true` (the whole string).
    Expression(String),
}

/// One rule of our `Functions` format.
#[derive(Debug, Clone)]
struct FunctionRule {
    /// Where the rule is in the file (`Functions.F[0]`), for messages.
    at: String,
    /// What the call must satisfy; `None` matches everything.
    when: Option<Condition>,
    answer: RuleAnswer,
    duration_ms: u64,
}

/// All the mocks of a run.
#[derive(Debug, Clone, Default)]
pub struct MockSet {
    /// Fixed responses per state name (a conformance case, or the chosen test case).
    states: HashMap<String, StateResponses>,
    /// `Functions` rules by resource key (a function name or a full ARN), in file order.
    functions: Vec<(String, Vec<FunctionRule>)>,
    /// Calls answered or attempted so far, per state name.
    calls: HashMap<String, u64>,
}

/// The fields of a mock file.
const FILE_FIELDS: &[&str] = &["StateMachines", "MockedResponses", "Functions"];
/// The fields of a `Functions` rule.
const RULE_FIELDS: &[&str] = &["when", "return", "throw", "durationSeconds", "comment"];
/// The longest call a rule may simulate: a Task's maximum TimeoutSeconds.
const MAX_DURATION_SECONDS: f64 = 99_999_999.0;

/// Shows an object key in a location: bare when it is a plain word, JSON-quoted otherwise.
fn key(name: &str) -> String {
    if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        name.to_string()
    } else {
        Value::String(name.to_string()).to_string()
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Collects the problems of a file, so that one read reports them all.
#[derive(Default)]
struct Problems(Vec<String>);

impl Problems {
    fn push(&mut self, at: &str, message: impl fmt::Display) {
        self.0.push(format!("{at}: {message}"));
    }

    fn into_result<T>(self, value: T) -> Result<T, MockError> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(MockError::new(self.0.join("\n")))
        }
    }
}

impl MockSet {
    /// Reads a mock file: AWS Step Functions Local's format (`StateMachines` and
    /// `MockedResponses`), our `Functions` rules, or both. With several test cases in the file,
    /// `test_case` picks one: `"<test case>"`, or `"<state machine>/<test case>"` where the
    /// same name is used by several state machines.
    pub fn from_json_text(text: &str, test_case: Option<&str>) -> Result<MockSet, MockError> {
        let file = MockFile::read(text)?;
        let mut set = MockSet {
            states: HashMap::new(),
            functions: file.functions,
            calls: HashMap::new(),
        };
        if let Some(case) = select_test_case(&file.test_cases, test_case)? {
            for (state, response_name) in &case.states {
                if let Some(entries) = file.responses.get(response_name) {
                    set.states.insert(
                        state.clone(),
                        StateResponses {
                            origin: format!("MockedResponses.{}", key(response_name)),
                            entries: entries.clone(),
                        },
                    );
                }
            }
        }
        Ok(set)
    }

    /// Builds the mocks of a conformance case: `{"<state>": [response, ...]}`, responses in call
    /// order, each `{"Return": ...}` or `{"Throw": {"Error": ..., "Cause": ...}}`.
    pub fn from_conformance(mocks: &Value) -> Result<MockSet, MockError> {
        let Some(mocks) = mocks.as_object() else {
            return Err(MockError::new(format!(
                "mocks: expected an object of Task state names to lists of responses, not {}",
                type_name(mocks)
            )));
        };
        let mut problems = Problems::default();
        let mut states = HashMap::new();
        for (state, list) in mocks {
            let at = format!("mocks.{}", key(state));
            let Some(list) = list.as_array() else {
                problems.push(
                    &at,
                    format!("expected a list of responses, not {}", type_name(list)),
                );
                continue;
            };
            let mut entries = Vec::with_capacity(list.len());
            for (index, response) in list.iter().enumerate() {
                let call = u64::try_from(index).unwrap_or(u64::MAX);
                if let Some(response) =
                    parse_response(response, &format!("{at}[{index}]"), &mut problems)
                {
                    entries.push((call, call, response));
                }
            }
            states.insert(
                state.clone(),
                StateResponses {
                    origin: at,
                    entries,
                },
            );
        }
        problems.into_result(MockSet {
            states,
            functions: Vec::new(),
            calls: HashMap::new(),
        })
    }

    /// The test cases of a mock file, as `<state machine>/<test case>` in file order: the
    /// names [`MockSet::from_json_text`] accepts as `test_case`. Fails like it on a malformed
    /// file.
    pub fn test_case_names(text: &str) -> Result<Vec<String>, MockError> {
        let file = MockFile::read(text)?;
        Ok(file.test_cases.iter().map(TestCase::label).collect())
    }

    /// Whether the set mocks nothing at all.
    pub fn is_empty(&self) -> bool {
        self.states.is_empty() && self.functions.is_empty()
    }

    /// How many calls of `state_name` were answered or attempted so far.
    pub fn call_count(&self, state_name: &str) -> u64 {
        self.calls.get(state_name).copied().unwrap_or(0)
    }

    /// Forgets the calls made, to run again from call 0.
    pub fn reset_calls(&mut self) {
        self.calls.clear();
    }

    /// Answers one call. Calls are counted per state (retries and re-entries count), which is
    /// what the `"0"`, `"1-2"` keys of a mock file index.
    pub fn respond(&mut self, call: &TaskCall<'_>) -> Result<MockOutcome, MockError> {
        let counter = self.calls.entry(call.state_name.to_string()).or_insert(0);
        let number = *counter;
        *counter = counter.saturating_add(1);

        if let Some(fixed) = self.states.get(call.state_name) {
            return match fixed.get(number) {
                Some(response) => Ok(MockOutcome {
                    response: response.clone(),
                    duration_ms: 0,
                }),
                None => Err(MockError::new(format!(
                    "The mock of the Task state '{}' ({}) has no response for call {number}: \
                     it answers {} (calls are counted from 0, retries included)",
                    call.state_name,
                    fixed.origin,
                    match fixed.last_call() {
                        Some(0) => "call 0 only".to_string(),
                        Some(last) => format!("calls 0 to {last}"),
                        None => "no call".to_string(),
                    }
                ))),
            };
        }

        let target = Target::of(call);
        let Some((rule_key, rules)) = self.find_rules(&target) else {
            return Err(MockError::new(format!(
                "No mock for the Task state '{}' (resource '{}')",
                call.state_name, call.resource
            )));
        };
        let mut scope = CallScope::new(call.state_name, number, &target.input);
        let mut chosen = None;
        for rule in rules {
            let matched = match &rule.when {
                None => true,
                Some(Condition::Pattern(pattern)) => matches(pattern, &target.input),
                Some(Condition::Expression(text)) => {
                    scope.condition(text, &format!("{}.when", rule.at))?
                }
            };
            if matched {
                chosen = Some(rule);
                break;
            }
        }
        let Some(rule) = chosen else {
            return Err(MockError::new(format!(
                "No rule of Functions.{} matches the input of the Task state '{}': {}",
                key(rule_key),
                call.state_name,
                target.input
            )));
        };
        let response = match &rule.answer {
            RuleAnswer::Return(value) => {
                MockResponse::FunctionReturn(scope.template(value, &format!("{}.return", rule.at))?)
            }
            RuleAnswer::Throw { error, cause } => {
                let error = scope.text(error, &format!("{}.throw.error", rule.at))?;
                let cause = scope.text(cause, &format!("{}.throw.cause", rule.at))?;
                MockResponse::Throw {
                    cause: match target.lambda {
                        Lambda::No => cause,
                        flavour => lambda_error_cause(
                            &error,
                            &cause,
                            &request_id(call.state_name, number),
                            flavour == Lambda::FunctionArn,
                        ),
                    },
                    error,
                }
            }
        };
        Ok(MockOutcome {
            response,
            duration_ms: rule.duration_ms,
        })
    }

    /// The rules for a call: a key naming the resource (or a `lambda:invoke` FunctionName)
    /// exactly comes first, then a key naming the Lambda function.
    fn find_rules(&self, target: &Target<'_>) -> Option<(&str, &[FunctionRule])> {
        let exact = self.functions.iter().find(|(name, _)| {
            name == target.resource || target.function_ref.is_some_and(|f| f == name)
        });
        let by_name = || {
            self.functions
                .iter()
                .find(|(name, _)| target.function_name.is_some_and(|f| f == name))
        };
        exact
            .or_else(by_name)
            .map(|(name, rules)| (name.as_str(), rules.as_slice()))
    }
}

/// What the JSONata expressions of a rule see for one call: `$states.input` and `$call`.
struct CallScope<'a> {
    state_name: &'a str,
    number: u64,
    states: Value,
    variables: Map<String, Value>,
    rng: Rng,
}

impl<'a> CallScope<'a> {
    fn new(state_name: &'a str, number: u64, input: &Value) -> Self {
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
        }
    }

    /// The value of one `{% ... %}` string; `at` says where it is in the file.
    fn evaluate(&mut self, text: &str, at: &str) -> Result<Value, MockError> {
        let mut env = JsonataEnv {
            states: &self.states,
            variables: &self.variables,
            rng: &mut self.rng,
            // The mock has no clock of its own: the epoch, the same on every run.
            now: 0,
        };
        jsonata::evaluate(text, &mut env).map_err(|error| {
            let reason = match error {
                JsonataError::Undefined => "returned nothing (undefined)".to_string(),
                ref unsupported if unsupported.is_unsupported_result() => {
                    jsonata::UNSUPPORTED_RESULT.to_string()
                }
                JsonataError::Evaluation(message) | JsonataError::Syntax(message) => {
                    format!("failed: {message}")
                }
            };
            self.problem(at, text, &reason)
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
    fn condition(&mut self, text: &str, at: &str) -> Result<bool, MockError> {
        match self.evaluate(text, at)? {
            Value::Bool(matched) => Ok(matched),
            other => Err(self.problem(
                at,
                text,
                &format!(
                    "must give true or false, not {}: {other}",
                    type_name(&other)
                ),
            )),
        }
    }

    /// `template` with every `{% ... %}` string in it replaced by its value.
    fn template(&mut self, template: &Value, at: &str) -> Result<Value, MockError> {
        match template {
            Value::String(text) if jsonata::is_expression(text) => self.evaluate(text, at),
            Value::Object(fields) => {
                let mut out = Map::with_capacity(fields.len());
                for (name, value) in fields {
                    let value = self.template(value, &format!("{at}.{}", key(name)))?;
                    out.insert(name.clone(), value);
                }
                Ok(Value::Object(out))
            }
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (index, item) in items.iter().enumerate() {
                    out.push(self.template(item, &format!("{at}[{index}]"))?);
                }
                Ok(Value::Array(out))
            }
            other => Ok(other.clone()),
        }
    }

    /// A throw's error or cause: plain text, or an expression that must give a string.
    fn text(&mut self, text: &str, at: &str) -> Result<String, MockError> {
        if !jsonata::is_expression(text) {
            return Ok(text.to_string());
        }
        match self.evaluate(text, at)? {
            Value::String(value) => Ok(value),
            other => Err(self.problem(
                at,
                text,
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
fn check_expressions(value: &Value, at: &str, problems: &mut Problems) -> bool {
    // Every expression is checked (no short-circuit) so that one read reports them all.
    let mut ok = true;
    match value {
        Value::String(text) if jsonata::is_expression(text) => {
            if let Err(message) = jsonata::check(text) {
                problems.push(
                    at,
                    format!("invalid JSONata expression {text:?}: {message}"),
                );
                ok = false;
            }
        }
        Value::Object(fields) => {
            for (name, value) in fields {
                ok &= check_expressions(value, &format!("{at}.{}", key(name)), problems);
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                ok &= check_expressions(item, &format!("{at}[{index}]"), problems);
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

/// How a call reaches Lambda, which decides the shape of an error's cause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lambda {
    No,
    /// `"Resource": "arn:aws:lambda:...:function:NAME"`.
    FunctionArn,
    /// `"Resource": "arn:aws:states:::lambda:invoke"` (and its `.waitForTaskToken` form).
    Invoke,
}

/// What a call is matched on.
struct Target<'a> {
    resource: &'a str,
    lambda: Lambda,
    /// The `FunctionName` of a `lambda:invoke`, as written.
    function_ref: Option<&'a str>,
    /// The bare Lambda function name, without ARN prefix or qualifier.
    function_name: Option<&'a str>,
    /// What `when` patterns see: the Payload of a `lambda:invoke`, the input otherwise.
    input: Value,
}

impl<'a> Target<'a> {
    fn of(call: &TaskCall<'a>) -> Target<'a> {
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

/// `arn:<partition>:states:::lambda:invoke` with an optional `.waitForTaskToken` suffix.
pub(crate) fn is_lambda_invoke(resource: &str) -> bool {
    let parts: Vec<&str> = resource.split(':').collect();
    matches!(
        parts.as_slice(),
        ["arn", _, "states", "", "", "lambda", action]
            if *action == "invoke" || action.starts_with("invoke.")
    )
}

/// `arn:<partition>:lambda:<region>:<account>:function:<name>[:<qualifier>]`.
pub(crate) fn is_lambda_function_arn(resource: &str) -> bool {
    let parts: Vec<&str> = resource.split(':').collect();
    matches!(
        parts.as_slice(),
        ["arn", _, "lambda", _, _, "function", name] | ["arn", _, "lambda", _, _, "function", name, _]
            if !name.is_empty()
    )
}

/// The function name in the forms Lambda accepts: `NAME`, `NAME:QUALIFIER`,
/// `ACCOUNT:function:NAME[:QUALIFIER]` and `arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`.
pub(crate) fn lambda_function_name(reference: &str) -> Option<&str> {
    let parts: Vec<&str> = reference.split(':').collect();
    let name = match parts.as_slice() {
        ["arn", _, "lambda", _, _, "function", name, ..] => *name,
        [_, "function", name, ..] => *name,
        [name, ..] => *name,
        [] => return None,
    };
    (!name.is_empty()).then_some(name)
}

/// Whether `value` matches `pattern`: objects when every key of the pattern matches
/// recursively (other keys are ignored), other values by equality (numbers by value).
fn matches(pattern: &Value, value: &Value) -> bool {
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

/// A deterministic request id in UUID form, so that runs replay identically.
fn request_id(state_name: &str, call: u64) -> String {
    let digest = Sha256::new()
        .chain_update(state_name.as_bytes())
        .chain_update([0u8])
        .chain_update(call.to_be_bytes())
        .finalize();
    let mut bytes = [0u8; 16];
    for (byte, digest_byte) in bytes.iter_mut().zip(digest.iter()) {
        *byte = *digest_byte;
    }
    // Version 4 and RFC 4122 variant bits, like the ids Lambda shows.
    crate::rng::uuid_v4_text(bytes)
}

/// The cause of a Lambda function's error as Step Functions shows it: the function's error
/// object as JSON text. AWS's recorded causes show it with `", "`/`": "` separators for a
/// Lambda ARN resource and compact for `lambda:invoke`.
fn lambda_error_cause(error: &str, message: &str, request_id: &str, spaced: bool) -> String {
    let text = |s: &str| Value::String(s.to_string()).to_string();
    let (comma, colon) = if spaced { (", ", ": ") } else { (",", ":") };
    format!(
        "{{{q_message}{colon}{message}{comma}{q_type}{colon}{error}{comma}{q_id}{colon}{id}{comma}{q_trace}{colon}[]}}",
        q_message = text("errorMessage"),
        message = text(message),
        q_type = text("errorType"),
        error = text(error),
        q_id = text("requestId"),
        id = text(request_id),
        q_trace = text("stackTrace"),
    )
}

/// A mock file, read and checked whole.
struct MockFile {
    responses: HashMap<String, Entries>,
    test_cases: Vec<TestCase>,
    functions: Vec<(String, Vec<FunctionRule>)>,
}

impl MockFile {
    /// Reads every part of the file, reporting all its problems at once.
    fn read(text: &str) -> Result<MockFile, MockError> {
        let doc: Value = serde_json::from_str(text)
            .map_err(|e| MockError::new(format!("The mock file is not valid JSON: {e}")))?;
        let Some(doc) = doc.as_object() else {
            return Err(MockError::new(format!(
                "The mock file must be a JSON object with StateMachines and MockedResponses, \
                 or Functions, not {}",
                type_name(&doc)
            )));
        };
        let mut problems = Problems::default();
        for name in doc.keys() {
            if !FILE_FIELDS.contains(&name.as_str()) {
                problems.push(
                    &key(name),
                    "not a field of a mock file (expected StateMachines, MockedResponses or \
                     Functions)",
                );
            }
        }
        let responses = match doc.get("MockedResponses") {
            Some(value) => parse_mocked_responses(value, &mut problems),
            None => HashMap::new(),
        };
        let test_cases = match doc.get("StateMachines") {
            Some(value) => parse_state_machines(value, &responses, &mut problems),
            None => Vec::new(),
        };
        let functions = match doc.get("Functions") {
            Some(value) => parse_functions(value, &mut problems),
            None => Vec::new(),
        };
        problems.into_result(MockFile {
            responses,
            test_cases,
            functions,
        })
    }
}

/// One response of a conformance case or of `MockedResponses`:
/// `{"Return": value}` or `{"Throw": {"Error": "...", "Cause": "..."}}`.
fn parse_response(value: &Value, at: &str, problems: &mut Problems) -> Option<MockResponse> {
    let Some(object) = value.as_object() else {
        problems.push(
            at,
            format!(
                "expected {{\"Return\": ...}} or {{\"Throw\": {{\"Error\": ..., \"Cause\": ...}}}}, not {}",
                type_name(value)
            ),
        );
        return None;
    };
    let mut ok = true;
    for name in object.keys() {
        if name != "Return" && name != "Throw" {
            problems.push(
                &format!("{at}.{}", key(name)),
                "not a field of a mocked response (expected Return or Throw)",
            );
            ok = false;
        }
    }
    let response = match (object.get("Return"), object.get("Throw")) {
        (Some(_), Some(_)) => {
            problems.push(at, "has both Return and Throw; give one");
            None
        }
        (None, None) => {
            if ok {
                problems.push(at, "needs Return or Throw");
            }
            None
        }
        (Some(value), None) => Some(MockResponse::Return(value.clone())),
        (None, Some(throw)) => {
            parse_throw(throw, &format!("{at}.Throw"), "Error", "Cause", problems)
                .map(|(error, cause)| MockResponse::Throw { error, cause })
        }
    };
    if ok {
        response
    } else {
        None
    }
}

/// A Throw object: an error name (required) and a cause (optional, empty when absent).
fn parse_throw(
    value: &Value,
    at: &str,
    error_field: &str,
    cause_field: &str,
    problems: &mut Problems,
) -> Option<(String, String)> {
    let Some(object) = value.as_object() else {
        problems.push(
            at,
            format!(
                "expected {{\"{error_field}\": \"...\", \"{cause_field}\": \"...\"}}, not {}",
                type_name(value)
            ),
        );
        return None;
    };
    let mut ok = true;
    for name in object.keys() {
        if name != error_field && name != cause_field {
            problems.push(
                &format!("{at}.{}", key(name)),
                format!("not a field of a thrown error (expected {error_field} and {cause_field})"),
            );
            ok = false;
        }
    }
    let error = match object.get(error_field) {
        Some(Value::String(error)) => Some(error.clone()),
        Some(other) => {
            problems.push(
                &format!("{at}.{error_field}"),
                format!(
                    "expected the error name as a string, not {}",
                    type_name(other)
                ),
            );
            None
        }
        None => {
            problems.push(at, format!("needs {error_field}, the error name"));
            None
        }
    };
    let cause = match object.get(cause_field) {
        Some(Value::String(cause)) => Some(cause.clone()),
        Some(other) => {
            problems.push(
                &format!("{at}.{cause_field}"),
                format!("expected the cause as a string, not {}", type_name(other)),
            );
            None
        }
        None => Some(String::new()),
    };
    match (error, cause) {
        (Some(error), Some(cause)) if ok => Some((error, cause)),
        _ => None,
    }
}

/// A `MockedResponses` key: a call number `"3"` or an inclusive range `"1-2"`.
fn parse_calls(text: &str) -> Option<(u64, u64)> {
    fn number(text: &str) -> Option<u64> {
        if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        text.parse().ok()
    }
    match text.split_once('-') {
        Some((first, last)) => Some((number(first)?, number(last)?)),
        None => number(text).map(|n| (n, n)),
    }
}

type Entries = Vec<(u64, u64, MockResponse)>;

fn parse_mocked_responses(value: &Value, problems: &mut Problems) -> HashMap<String, Entries> {
    let mut responses = HashMap::new();
    let Some(object) = value.as_object() else {
        problems.push(
            "MockedResponses",
            format!(
                "expected an object of mocked responses by name, not {}",
                type_name(value)
            ),
        );
        return responses;
    };
    for (name, calls) in object {
        let at = format!("MockedResponses.{}", key(name));
        let Some(calls) = calls.as_object() else {
            problems.push(
                &at,
                format!(
                    "expected an object of responses by call number (\"0\", \"1-2\"...), not {}",
                    type_name(calls)
                ),
            );
            continue;
        };
        if calls.is_empty() {
            problems.push(
                &at,
                "no responses (expected \"0\": {\"Return\": ...} or {\"Throw\": ...})",
            );
            continue;
        }
        let mut entries: Vec<(u64, u64, MockResponse, &str)> = Vec::new();
        let mut ok = true;
        for (calls_key, response) in calls {
            let key_at = format!("{at}.{}", key(calls_key));
            let range = match parse_calls(calls_key) {
                Some((first, last)) if first <= last => Some((first, last)),
                Some(_) => {
                    problems.push(&key_at, "the range ends before it starts");
                    None
                }
                None => {
                    problems.push(&key_at, "not a call number or range");
                    None
                }
            };
            let response = parse_response(response, &key_at, problems);
            match (range, response) {
                (Some((first, last)), Some(response)) => {
                    entries.push((first, last, response, calls_key))
                }
                _ => ok = false,
            }
        }
        if !ok {
            continue;
        }
        entries.sort_by_key(|(first, ..)| *first);
        // Every call from 0 up to the last must have exactly one response.
        let mut next = 0u64;
        for (first, last, _, calls_key) in &entries {
            if *first > next {
                problems.push(
                    &at,
                    if *first == next.saturating_add(1) {
                        format!("no response for call {next} (calls are numbered from 0, without gaps)")
                    } else {
                        format!(
                            "no response for calls {next} to {} (calls are numbered from 0, without gaps)",
                            // `first > next >= 0`, so this does not underflow.
                            first.saturating_sub(1)
                        )
                    },
                );
                ok = false;
            } else if *first < next {
                problems.push(
                    &format!("{at}.{}", key(calls_key)),
                    format!("call {first} already has a response (keys must not overlap)"),
                );
                ok = false;
            }
            next = next.max(last.saturating_add(1));
        }
        if ok {
            responses.insert(
                name.clone(),
                entries
                    .into_iter()
                    .map(|(first, last, response, _)| (first, last, response))
                    .collect(),
            );
        }
    }
    responses
}

/// One test case of `StateMachines`: the mocked response name of each state.
struct TestCase {
    state_machine: String,
    name: String,
    states: Vec<(String, String)>,
}

impl TestCase {
    fn label(&self) -> String {
        format!("{}/{}", self.state_machine, self.name)
    }
}

fn parse_state_machines(
    value: &Value,
    responses: &HashMap<String, Entries>,
    problems: &mut Problems,
) -> Vec<TestCase> {
    let mut cases = Vec::new();
    let Some(machines) = value.as_object() else {
        problems.push(
            "StateMachines",
            format!(
                "expected an object of state machines by name, not {}",
                type_name(value)
            ),
        );
        return cases;
    };
    for (machine, config) in machines {
        let at = format!("StateMachines.{}", key(machine));
        let Some(config) = config.as_object() else {
            problems.push(
                &at,
                format!(
                    "expected {{\"TestCases\": {{...}}}}, not {}",
                    type_name(config)
                ),
            );
            continue;
        };
        for name in config.keys() {
            if name != "TestCases" {
                problems.push(
                    &format!("{at}.{}", key(name)),
                    "not a field of a state machine's mocks (expected TestCases)",
                );
            }
        }
        let Some(test_cases) = config.get("TestCases") else {
            problems.push(&at, "needs TestCases");
            continue;
        };
        let cases_at = format!("{at}.TestCases");
        let Some(test_cases) = test_cases.as_object() else {
            problems.push(
                &cases_at,
                format!(
                    "expected an object of test cases by name, not {}",
                    type_name(test_cases)
                ),
            );
            continue;
        };
        for (case_name, states) in test_cases {
            let case_at = format!("{cases_at}.{}", key(case_name));
            let Some(states) = states.as_object() else {
                problems.push(
                    &case_at,
                    format!(
                        "expected an object of Task state names to mocked response names, not {}",
                        type_name(states)
                    ),
                );
                continue;
            };
            let mut case = TestCase {
                state_machine: machine.clone(),
                name: case_name.clone(),
                states: Vec::new(),
            };
            for (state, response) in states {
                let state_at = format!("{case_at}.{}", key(state));
                match response {
                    Value::String(response) if responses.contains_key(response) => {
                        case.states.push((state.clone(), response.clone()))
                    }
                    Value::String(response) => problems.push(
                        &state_at,
                        format!("the mocked response '{response}' is not in MockedResponses"),
                    ),
                    other => problems.push(
                        &state_at,
                        format!(
                            "expected the name of a mocked response, not {}",
                            type_name(other)
                        ),
                    ),
                }
            }
            cases.push(case);
        }
    }
    cases
}

/// Picks the test case to run: the one named, or the only one.
fn select_test_case<'a>(
    cases: &'a [TestCase],
    wanted: Option<&str>,
) -> Result<Option<&'a TestCase>, MockError> {
    let labels = || {
        cases
            .iter()
            .map(TestCase::label)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let Some(wanted) = wanted else {
        return match cases {
            [] => Ok(None),
            [only] => Ok(Some(only)),
            _ => Err(MockError::new(format!(
                "The mock file has several test cases ({}); pick one",
                labels()
            ))),
        };
    };
    if cases.is_empty() {
        return Err(MockError::new(format!(
            "No test case '{wanted}': the mock file has no StateMachines test cases"
        )));
    }
    let by_name: Vec<&TestCase> = cases.iter().filter(|c| c.name == wanted).collect();
    match by_name.as_slice() {
        [only] => return Ok(Some(only)),
        [] => {}
        several => {
            let machines: Vec<&str> = several.iter().map(|c| c.state_machine.as_str()).collect();
            return Err(MockError::new(format!(
                "The test case '{wanted}' is defined for several state machines ({}); \
                 name it as '<state machine>/{wanted}'",
                machines.join(", ")
            )));
        }
    }
    cases
        .iter()
        .find(|c| c.label() == wanted)
        .map(Some)
        .ok_or_else(|| {
            MockError::new(format!(
                "No test case '{wanted}' in the mock file (test cases: {})",
                labels()
            ))
        })
}

fn parse_functions(value: &Value, problems: &mut Problems) -> Vec<(String, Vec<FunctionRule>)> {
    let mut functions = Vec::new();
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
            .filter_map(|(index, rule)| parse_rule(rule, &format!("{at}[{index}]"), problems))
            .collect();
        if parsed.len() == rules.len() {
            functions.push((name.clone(), parsed));
        }
    }
    functions
}

fn parse_rule(value: &Value, at: &str, problems: &mut Problems) -> Option<FunctionRule> {
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
                "not a field of a rule (expected when, return, throw, durationSeconds, comment)",
            );
            ok = false;
        }
    }
    let answer = match (object.get("return"), object.get("throw")) {
        (Some(_), Some(_)) => {
            problems.push(at, "has both \"return\" and \"throw\"; give one");
            None
        }
        (None, None) => {
            problems.push(at, "needs \"return\" or \"throw\"");
            None
        }
        (Some(value), None) => Some(RuleAnswer::Return(value.clone())),
        (None, Some(throw)) => {
            parse_throw(throw, &format!("{at}.throw"), "error", "cause", problems)
                .map(|(error, cause)| RuleAnswer::Throw { error, cause })
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
    let when = match object.get("when") {
        None => Some(None),
        Some(Value::String(text)) if jsonata::is_expression(text) => match jsonata::check(text) {
            Ok(()) => Some(Some(Condition::Expression(text.clone()))),
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
        (Some(value), None) => check_expressions(value, &format!("{at}.return"), problems),
        (None, Some(throw)) => check_expressions(throw, &format!("{at}.throw"), problems),
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
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lambda_function_names() {
        let cases = [
            ("MockAPIFunction", Some("MockAPIFunction")),
            ("MockAPIFunction:prod", Some("MockAPIFunction")),
            ("123456789012:function:F", Some("F")),
            ("123456789012:function:F:1", Some("F")),
            (
                "arn:aws:lambda:us-east-1:123456789012:function:F",
                Some("F"),
            ),
            (
                "arn:aws:lambda:us-east-1:123456789012:function:F:$LATEST",
                Some("F"),
            ),
            ("", None),
        ];
        for (reference, name) in cases {
            assert_eq!(lambda_function_name(reference), name, "{reference}");
        }
    }

    #[test]
    fn lambda_function_arns() {
        assert!(is_lambda_function_arn(
            "arn:aws:lambda:us-east-1:123456789012:function:F"
        ));
        assert!(is_lambda_function_arn(
            "arn:aws:lambda:us-east-1:123456789012:function:F:prod"
        ));
        assert!(!is_lambda_function_arn("arn:aws:states:::lambda:invoke"));
        assert!(!is_lambda_function_arn(
            "arn:aws:states:::aws-sdk:lambda:invoke"
        ));
        assert!(!is_lambda_function_arn(
            "arn:aws:lambda:us-east-1:123456789012:layer:L:1"
        ));
        assert!(!is_lambda_function_arn(
            "arn:aws:lambda:us-east-1:123456789012:function:"
        ));
    }

    #[test]
    fn lambda_invoke_resources() {
        assert!(is_lambda_invoke("arn:aws:states:::lambda:invoke"));
        assert!(is_lambda_invoke(
            "arn:aws:states:::lambda:invoke.waitForTaskToken"
        ));
        assert!(is_lambda_invoke("arn:aws-cn:states:::lambda:invoke"));
        assert!(!is_lambda_invoke("arn:aws:states:::lambda:invokeAsync"));
        assert!(!is_lambda_invoke("arn:aws:states:::sqs:sendMessage"));
    }

    #[test]
    fn call_keys() {
        assert_eq!(parse_calls("0"), Some((0, 0)));
        assert_eq!(parse_calls("1-2"), Some((1, 2)));
        assert_eq!(parse_calls("2-1"), Some((2, 1)));
        for bad in [
            "",
            "-1",
            "1-",
            "a",
            "1-2-3",
            " 1",
            "+1",
            "1.0",
            "99999999999999999999",
        ] {
            assert_eq!(parse_calls(bad), None, "{bad}");
        }
    }

    #[test]
    fn request_ids_are_stable_uuids() {
        let id = request_id("Call API", 0);
        assert_eq!(id, request_id("Call API", 0));
        assert_ne!(id, request_id("Call API", 1));
        assert_eq!(id.len(), 36);
        assert_eq!(id.as_bytes()[14], b'4');
    }
}
