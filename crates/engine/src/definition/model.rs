//! The model of a state machine after parsing: what the executor runs.
//!
//! Fields keep AWS's names. Everything a run evaluates is compiled when the definition is read
//! (load -> compile -> run): paths are [`Path`]s, payload templates [`Template`]s, intrinsic
//! calls [`IntrinsicCall`]s, JSONata fields [`JsonataValue`]s and [`Expression`]s, Choice
//! rules hold compiled paths. Each keeps its source text, for AWS's messages and the display
//! graph. The run parses no text, so evaluation only fails on data.

use std::rc::Rc;

use indexmap::IndexMap;
use rustc_hash::FxBuildHasher;
use serde_json::Value;

use crate::choice::ChoiceRule;
use crate::intrinsics::IntrinsicCall;
use crate::jsonata::{Expression, JsonataValue};
use crate::paths::Path;
use crate::template::Template;

/// A whole state machine, or a Parallel branch, or a Map's item processor.
#[derive(Debug, Clone, PartialEq)]
pub struct StateMachine {
    pub comment: Option<String>,
    pub start_at: String,
    /// States in definition order, by name. Looked up at every transition: hashed with Fx,
    /// not SipHash (the names are the user's own, so there is no one to flood the map).
    pub states: IndexMap<String, State, FxBuildHasher>,
    /// `TimeoutSeconds` of the whole execution (top level only).
    pub timeout_seconds: Option<u64>,
    /// `QueryLanguage` as written at the top level (`JSONPath` when absent).
    pub query_language: Option<String>,
}

impl StateMachine {
    pub fn state(&self, name: &str) -> Option<&State> {
        self.states.get(name)
    }

    /// The state and its position in [`StateMachine::states`].
    pub fn state_with_index(&self, name: &str) -> Option<(usize, &State)> {
        self.states
            .get_full(name)
            .map(|(index, _, state)| (index, state))
    }

    /// The state at `index` in [`StateMachine::states`] (no lookup by name).
    pub fn state_at(&self, index: usize) -> Option<&State> {
        self.states.get_index(index).map(|(_, state)| state)
    }
}

/// The query language of a state: `JSONPath` (AWS's default) or `JSONata`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QueryLanguage {
    #[default]
    JsonPath,
    Jsonata,
}

impl QueryLanguage {
    /// The name as written in a definition: `JSONPath` or `JSONata`.
    pub fn name(self) -> &'static str {
        match self {
            QueryLanguage::JsonPath => "JSONPath",
            QueryLanguage::Jsonata => "JSONata",
        }
    }
}

/// A path field that may be absent (meaning `$`), `null`, or a path.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum PathField {
    /// Not given: the default `$`.
    #[default]
    Default,
    /// Explicitly `null`: for InputPath and OutputPath the value is `{}`; for ResultPath the
    /// result is discarded and the input passes through.
    Null,
    /// A (reference) path such as `$.detail` or `$$.Execution.Id`, compiled.
    Path(Path),
}

/// A payload field of both query languages (ItemSelector, Credentials): a compiled template in
/// JSONPath, JSONata's value (`{% %}` expressions in it) in JSONata.
#[derive(Debug, Clone, PartialEq)]
pub enum Payload {
    Template(Template),
    Jsonata(JsonataValue),
}

impl Payload {
    /// The field as written.
    pub fn source(&self) -> &Value {
        match self {
            Payload::Template(template) => template.source(),
            Payload::Jsonata(value) => value.source(),
        }
    }
}

/// Where a state goes next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transition {
    Next(String),
    End,
}

/// A number given literally, read from the input with a reference path (`...Path` fields), or
/// computed by a JSONata expression (`"{% ... %}"`).
#[derive(Debug, Clone, PartialEq)]
pub enum NumberField {
    Literal(Value),
    Path(Path),
    /// The whole `{% ... %}` text, compiled.
    Expression(Expression),
}

/// One state, with the fields every state type shares.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    /// Shared with the history events that name the state.
    pub name: Rc<str>,
    pub comment: Option<String>,
    /// InputPath (not on Fail).
    pub input_path: PathField,
    /// OutputPath (not on Fail).
    pub output_path: PathField,
    /// Next or End. `None` for Choice, Succeed and Fail, which have neither.
    pub transition: Option<Transition>,
    /// The state's JSON pointer in the definition text, e.g. `/States/Call API`.
    pub pointer: String,
    /// The state's effective query language: its own `QueryLanguage`, else the top level's.
    pub query_language: QueryLanguage,
    /// `Assign`: variables set when the state is left (both query languages).
    pub assign: Option<Payload>,
    /// `Output` (JSONata): the state's output, replacing InputPath...OutputPath.
    pub output: Option<JsonataValue>,
    pub kind: StateKind,
}

impl State {
    /// The state's `Type`.
    pub fn state_type(&self) -> StateType {
        match &self.kind {
            StateKind::Pass(_) => StateType::Pass,
            StateKind::Task(_) => StateType::Task,
            StateKind::Choice(_) => StateType::Choice,
            StateKind::Wait(_) => StateType::Wait,
            StateKind::Succeed => StateType::Succeed,
            StateKind::Fail(_) => StateType::Fail,
            StateKind::Parallel(_) => StateType::Parallel,
            StateKind::Map(_) => StateType::Map,
        }
    }

    /// AWS's name for the type, as in `<Type>StateEntered` events: `Pass`, `Task`, ...
    pub fn type_name(&self) -> &'static str {
        self.state_type().name()
    }
}

/// A state's `Type`, without the state's fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StateType {
    Pass,
    Task,
    Choice,
    Wait,
    Succeed,
    Fail,
    Parallel,
    Map,
}

impl StateType {
    /// Every type.
    pub const ALL: [StateType; 8] = [
        StateType::Pass,
        StateType::Task,
        StateType::Choice,
        StateType::Wait,
        StateType::Succeed,
        StateType::Fail,
        StateType::Parallel,
        StateType::Map,
    ];

    /// The name as written in a definition's `Type`: `Pass`, `Task`, ...
    pub fn name(self) -> &'static str {
        match self {
            StateType::Pass => "Pass",
            StateType::Task => "Task",
            StateType::Choice => "Choice",
            StateType::Wait => "Wait",
            StateType::Succeed => "Succeed",
            StateType::Fail => "Fail",
            StateType::Parallel => "Parallel",
            StateType::Map => "Map",
        }
    }
}

// A Map state is larger than the others; the model is built once per definition, so boxing it
// would buy nothing measurable.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum StateKind {
    Pass(PassState),
    Task(TaskState),
    Choice(ChoiceState),
    Wait(WaitState),
    Succeed,
    Fail(FailState),
    Parallel(ParallelState),
    Map(MapState),
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct PassState {
    pub result: Option<Value>,
    pub parameters: Option<Template>,
    pub result_path: PathField,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TaskState {
    pub resource: String,
    pub parameters: Option<Template>,
    /// `Arguments` (JSONata): what the resource is called with.
    pub arguments: Option<JsonataValue>,
    pub result_selector: Option<Template>,
    pub result_path: PathField,
    pub retry: Vec<Retrier>,
    pub catch: Vec<Catcher>,
    /// TimeoutSeconds or TimeoutSecondsPath. AWS's default for a Task is 99999999 s.
    pub timeout_seconds: Option<NumberField>,
    /// HeartbeatSeconds or HeartbeatSecondsPath.
    pub heartbeat_seconds: Option<NumberField>,
    /// Credentials (`RoleArn` or `RoleArn.$`).
    pub credentials: Option<Payload>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChoiceState {
    pub choices: Vec<ChoiceBranch>,
    pub default: Option<String>,
}

/// A top-level rule of a Choice state and the state it leads to.
#[derive(Debug, Clone, PartialEq)]
pub struct ChoiceBranch {
    pub rule: ChoiceRule,
    pub next: String,
    /// `Assign` of the rule: variables set when it matches.
    pub assign: Option<Payload>,
    /// `Output` of the rule (JSONata): the Choice state's output when it matches.
    pub output: Option<JsonataValue>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum WaitState {
    Seconds(Value),
    SecondsPath(Path),
    Timestamp(String),
    TimestampPath(Path),
    /// `Seconds` as a JSONata expression.
    SecondsExpression(Expression),
    /// `Timestamp` as a JSONata expression.
    TimestampExpression(Expression),
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct FailState {
    pub error: Option<FailText>,
    pub error_path: Option<PathOrCall>,
    pub cause: Option<FailText>,
    pub cause_path: Option<PathOrCall>,
}

/// Fail's Error or Cause: a text, or in JSONata a `{% ... %}` expression giving it.
#[derive(Debug, Clone, PartialEq)]
pub enum FailText {
    Literal(String),
    Expression(Expression),
}

impl FailText {
    /// The field as written.
    pub fn text(&self) -> &str {
        match self {
            FailText::Literal(text) => text,
            FailText::Expression(expression) => expression.text(),
        }
    }
}

/// Fail's ErrorPath or CausePath: a reference path or an intrinsic function call, compiled.
#[derive(Debug, Clone, PartialEq)]
pub enum PathOrCall {
    Path(Path),
    Call(IntrinsicCall),
}

impl PathOrCall {
    /// The field as written.
    pub fn text(&self) -> &str {
        match self {
            PathOrCall::Path(path) => path.text(),
            PathOrCall::Call(call) => call.text(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ParallelState {
    pub branches: Vec<StateMachine>,
    pub parameters: Option<Template>,
    /// `Arguments` (JSONata): the input each branch gets.
    pub arguments: Option<JsonataValue>,
    pub result_selector: Option<Template>,
    pub result_path: PathField,
    pub retry: Vec<Retrier>,
    pub catch: Vec<Catcher>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProcessorMode {
    #[default]
    Inline,
    Distributed,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MapState {
    /// ItemProcessor, or the older Iterator.
    pub item_processor: Box<StateMachine>,
    pub processor_mode: ProcessorMode,
    /// `ProcessorConfig.ExecutionType` of a distributed Map (`STANDARD` or `EXPRESS`).
    pub execution_type: Option<String>,
    pub items_path: PathField,
    /// `Items` (JSONata): an array, or an expression giving one.
    pub items: Option<JsonataValue>,
    /// ItemSelector, or the older Parameters.
    pub item_selector: Option<Payload>,
    pub result_selector: Option<Template>,
    pub result_path: PathField,
    pub max_concurrency: Option<NumberField>,
    pub tolerated_failure_percentage: Option<NumberField>,
    pub tolerated_failure_count: Option<NumberField>,
    /// As written: a Distributed Map reads them when it runs (`execution/reader.rs`,
    /// `batcher.rs`, `writer.rs`).
    pub item_reader: Option<Value>,
    pub item_batcher: Option<Value>,
    pub result_writer: Option<Value>,
    pub label: Option<String>,
    pub retry: Vec<Retrier>,
    pub catch: Vec<Catcher>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum JitterStrategy {
    Full,
    #[default]
    None,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Retrier {
    pub error_equals: Vec<String>,
    /// IntervalSeconds, default 1.
    pub interval_seconds: u64,
    /// MaxAttempts, default 3; 0 means never retry.
    pub max_attempts: u64,
    /// BackoffRate, default 2.0.
    pub backoff_rate: f64,
    pub max_delay_seconds: Option<u64>,
    pub jitter_strategy: JitterStrategy,
}

impl Default for Retrier {
    fn default() -> Self {
        Retrier {
            error_equals: Vec::new(),
            interval_seconds: 1,
            max_attempts: 3,
            backoff_rate: 2.0,
            max_delay_seconds: None,
            jitter_strategy: JitterStrategy::None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Catcher {
    pub error_equals: Vec<String>,
    pub next: String,
    pub result_path: PathField,
    /// `Assign` of the catcher: variables set when it catches (`$states.errorOutput` in JSONata).
    pub assign: Option<Payload>,
    /// `Output` of the catcher (JSONata): the state's output when it catches.
    pub output: Option<JsonataValue>,
}
