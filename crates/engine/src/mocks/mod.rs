//! Mock task functions: what a Task state's resource answers in the playground.
//!
//! A [`MockSet`] comes from one of:
//! - a conformance case's `mocks`: `{"<state>": [response, ...]}` in call order;
//! - a mock file ([`MockSet::from_json_text`]) in AWS Step Functions Local's format
//!   (`StateMachines` test cases naming `MockedResponses` per state), in our own `Functions`
//!   format (rules per Lambda function or resource, matched on the call's input), or both.
//!
//! A mock file may also declare the buckets and objects of a mocked Amazon S3 (its `S3`
//! section, see [`S3Store`] and `s3.rs` for the format), which a Distributed Map's ItemReader
//! and ResultWriter, and `aws-sdk:s3` Task states no mock answers, read and write.
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
//! ## Callbacks and activities
//!
//! For a task that waits for its token (a `.waitForTaskToken` resource or an activity,
//! [`is_callback_resource`]), a rule's `return` is the token's SendTaskSuccess output and its
//! `throw` the SendTaskFailure error and cause, as they are (no Lambda wrapping), after
//! `durationSeconds`; a fixed response's `Return` and `Throw` likewise, at once. Two fields of a
//! rule are only for such tasks (a rule giving them to another task stops the run with a
//! [`MockError`] naming the rule):
//!
//! - `heartbeatSeconds`: a list of times in seconds (0 to 99999999) after the task started at
//!   which it gets a heartbeat (SendTaskHeartbeat), resetting its HeartbeatSeconds clock;
//! - `"answer": "never"`, instead of `return` or `throw`: no answer comes, and the task waits
//!   until its HeartbeatSeconds or TimeoutSeconds, or the execution's timeout, fires.
//!
//! ```json
//! {"Functions": {"arn:aws:states:::sqs:sendMessage.waitForTaskToken": [
//!   {"when": {"MessageBody": {"order": "o-1"}}, "return": {"approved": true},
//!    "durationSeconds": 40, "heartbeatSeconds": [10, 20, 30]},
//!   {"answer": "never"}
//! ]}}
//! ```
//!
//! A task of this kind that no mock answers ([`MockSet::answers`]), or whose key has rules of
//! which none matches the call ([`MockResponse::Caller`]), waits for the engine's caller
//! (`Execution::answer_task`): rules may answer some calls and leave the others to the user.
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

mod lambda;
mod rules;
mod s3;
mod sfn_local;

use std::collections::HashMap;
use std::fmt;

use serde_json::Value;

use crate::jsonata::JsonataLimits;

use lambda::{lambda_error_cause, request_id, Lambda};
use rules::{matches, parse_functions, CallScope, Condition, FunctionRule, RuleAnswer, Target};
use sfn_local::{
    parse_mocked_responses, parse_state_machines, select_test_case, Entries, TestCase,
};

pub use s3::{etag, S3Body, S3Error, S3Object, S3ObjectMeta, S3Store, S3Write};

pub(crate) use lambda::{is_lambda_function_arn, is_lambda_invoke, lambda_function_name};

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
    /// No answer ever comes (`"answer": "never"`): only for a task that waits for its token,
    /// which then waits until a timeout.
    Never,
    /// No rule of the task's key matches a task that waits for its token: the caller (the
    /// page's user) answers it, as when no mock names it at all.
    Caller,
}

/// A mock's answer and how long the call takes on the simulated clock.
#[derive(Debug, Clone, PartialEq)]
pub struct MockOutcome {
    pub response: MockResponse,
    pub duration_ms: u64,
    /// When a task waiting for its token gets a heartbeat, in milliseconds after it started,
    /// earliest first (`heartbeatSeconds`); empty for any other task.
    pub heartbeats_ms: Vec<u64>,
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

/// All the mocks of a run.
#[derive(Debug, Clone, Default)]
pub struct MockSet {
    /// Fixed responses per state name (a conformance case, or the chosen test case).
    states: HashMap<String, StateResponses>,
    /// `Functions` rules by resource key (a function name or a full ARN), in file order.
    functions: Vec<(String, Vec<FunctionRule>)>,
    /// Calls answered or attempted so far, per state name.
    calls: HashMap<String, u64>,
    /// What stops a runaway JSONata expression of a rule: the execution's
    /// ([`MockSet::set_jsonata_limits`]).
    jsonata_limits: JsonataLimits,
    /// The mocked S3 of the mock file's `S3` section (see `s3.rs`).
    s3: S3Store,
}

/// Whether a task of `resource` waits for its token to be answered: a `.waitForTaskToken`
/// integration or an activity (`arn:...:states:...:activity:NAME`).
pub fn is_callback_resource(resource: &str) -> bool {
    resource.ends_with(".waitForTaskToken")
        || matches!(
            resource.splitn(6, ':').collect::<Vec<_>>().as_slice(),
            ["arn", _, "states", _, _, rest] if rest.starts_with("activity:")
        )
}

/// The fields of a mock file.
const FILE_FIELDS: &[&str] = &["StateMachines", "MockedResponses", "Functions", "S3"];

/// Shows an object key in a location: bare when it is a plain word, JSON-quoted otherwise.
fn key(name: &str) -> String {
    if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        name.to_string()
    } else {
        Value::String(name.to_string()).to_string()
    }
}

use crate::definition::json::described_type as type_name;

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
            jsonata_limits: JsonataLimits::default(),
            s3: file.s3,
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
            jsonata_limits: JsonataLimits::default(),
            s3: S3Store::default(),
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
        self.states.is_empty() && self.functions.is_empty() && self.s3.is_empty()
    }

    /// The mocked S3 of the mock file's `S3` section.
    pub fn s3(&self) -> &S3Store {
        &self.s3
    }

    /// The mocked S3, to resolve its `file` entries ([`S3Store::resolve_file`]).
    pub fn s3_mut(&mut self) -> &mut S3Store {
        &mut self.s3
    }

    /// How many calls of `state_name` were answered or attempted so far.
    pub fn call_count(&self, state_name: &str) -> u64 {
        self.calls.get(state_name).copied().unwrap_or(0)
    }

    /// Bounds the JSONata expressions of the rules (the execution sets its own).
    pub fn set_jsonata_limits(&mut self, limits: JsonataLimits) {
        self.jsonata_limits = limits;
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
                    heartbeats_ms: Vec::new(),
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
        let mut scope = CallScope::new(call.state_name, number, &target.input, self.jsonata_limits);
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
            if is_callback_resource(call.resource) {
                return Ok(MockOutcome {
                    response: MockResponse::Caller,
                    duration_ms: 0,
                    heartbeats_ms: Vec::new(),
                });
            }
            return Err(MockError::new(format!(
                "No rule of Functions.{} matches the input of the Task state '{}': {}",
                key(rule_key),
                call.state_name,
                target.input
            )));
        };
        let waits_for_token = is_callback_resource(call.resource);
        let never = rule.answer == RuleAnswer::Never;
        if !waits_for_token && (never || !rule.heartbeats_ms.is_empty()) {
            let fields = match (never, rule.heartbeats_ms.is_empty()) {
                (true, true) => "\"answer\": \"never\" is",
                (true, false) => "\"answer\": \"never\" and \"heartbeatSeconds\" are",
                (false, _) => "\"heartbeatSeconds\" is",
            };
            return Err(MockError::new(format!(
                "{}: {fields} for a task that waits for its token (a .waitForTaskToken resource \
                 or an activity), not the Task state '{}' (resource '{}')",
                rule.at, call.state_name, call.resource
            )));
        }
        let response = match &rule.answer {
            RuleAnswer::Never => MockResponse::Never,
            RuleAnswer::Return(value) => {
                MockResponse::FunctionReturn(scope.template(value, &format!("{}.return", rule.at))?)
            }
            RuleAnswer::Throw { error, cause } => {
                let error = scope.text(error, &format!("{}.throw.error", rule.at))?;
                let cause = scope.text(cause, &format!("{}.throw.cause", rule.at))?;
                // An expression's text is checked when the file is read; its value only now.
                for (field, text, max, what) in [
                    ("error", &error, MAX_ERROR_CHARS, "error name"),
                    ("cause", &cause, MAX_CAUSE_CHARS, "cause"),
                ] {
                    if !within_aws_length(text, max) {
                        return Err(MockError::new(format!(
                            "{}.throw.{field}: {}",
                            rule.at,
                            too_long(what, max, text)
                        )));
                    }
                }
                MockResponse::Throw {
                    // A callback's failure is what SendTaskFailure sends, as it is.
                    cause: match target.lambda {
                        Lambda::No => cause,
                        _ if waits_for_token => cause,
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
            heartbeats_ms: rule.heartbeats_ms.clone(),
        })
    }

    /// Whether a mock answers `call`'s state or resource (a fixed response for the state, or a
    /// `Functions` key for the resource), whichever rule matches: a task that waits for its
    /// token and has none waits for the caller's answer instead.
    pub fn answers(&self, call: &TaskCall<'_>) -> bool {
        self.states.contains_key(call.state_name) || self.find_rules(&Target::of(call)).is_some()
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

/// A mock file, read and checked whole.
struct MockFile {
    responses: HashMap<String, Entries>,
    test_cases: Vec<TestCase>,
    functions: Vec<(String, Vec<FunctionRule>)>,
    s3: S3Store,
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
                    "not a field of a mock file (expected StateMachines, MockedResponses, \
                     Functions or S3)",
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
        let s3 = match doc.get("S3") {
            Some(value) => s3::parse_s3(value, &mut problems),
            None => S3Store::default(),
        };
        problems.into_result(MockFile {
            responses,
            test_cases,
            functions,
            s3,
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
    // Each longer than AWS takes is reported at its field.
    let mut fits = |text: &String, field: &str, what: &str, max: usize| {
        let fits = within_aws_length(text, max);
        if !fits {
            problems.push(&format!("{at}.{field}"), too_long(what, max, text));
        }
        fits
    };
    let error = error.filter(|error| fits(error, error_field, "error name", MAX_ERROR_CHARS));
    let cause = cause.filter(|cause| fits(cause, cause_field, "cause", MAX_CAUSE_CHARS));
    match (error, cause) {
        (Some(error), Some(cause)) if ok => Some((error, cause)),
        _ => None,
    }
}

/// The longest error name AWS takes, in characters: the `error` of its failure events
/// (TaskFailed, ExecutionFailed...) and of a mocked error (TestState's MockErrorOutput).
pub const MAX_ERROR_CHARS: usize = 256;

/// The longest cause AWS takes, in characters: the `cause` of the same.
pub const MAX_CAUSE_CHARS: usize = 32_768;

/// Whether `text` has at most `max` characters (counted no further than needed).
fn within_aws_length(text: &str, max: usize) -> bool {
    text.len() <= max || text.chars().nth(max).is_none()
}

/// The problem of a thrown error's name or cause longer than AWS takes.
fn too_long(what: &str, max: usize, text: &str) -> String {
    format!(
        "the {what} has {} characters; AWS takes at most {max} (the length constraint of a failure's {})",
        text.chars().count(),
        if what == "cause" { "cause" } else { "error" }
    )
}
