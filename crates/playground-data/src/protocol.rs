//! The messages between the page and the engine's Web Worker (sent with serde-wasm-bindgen).
//!
//! The page starts a run with [`ToWorker::Start`] and pulls it forward with
//! [`ToWorker::Advance`]; the worker answers each with one [`FromWorker`]. Pulling (instead of
//! the worker pushing) lets the page pace the simulated clock and makes Step a one-step pull.
//!
//! The page also asks the worker to check the texts as they are edited
//! ([`ToWorker::CheckDefinition`], [`ToWorker::CheckMocks`]): diagnostics come back as editor
//! marks and the definition's graph comes back laid out, so the page's own code runs neither
//! the engine nor the layout, and loads (and lets people type) before the engine has arrived.
//! Each check carries an id; the page ignores answers to anything but its latest check.
//!
//! Everything the page shows is prepared here as plain data, so the page never interprets ASL.

use serde::{Deserialize, Serialize};

pub use crate::history::EventRow;
use crate::layout::Layout;
use crate::workspace::NamedMachine;

// The messages are serde's default, externally tagged enums (`{"Start": {...}}`): an internally
// tagged one (`#[serde(tag = "kind")]`) is buffered whole and each field type deserialized
// again from the buffer, which cost the page's wasm 19 KB brotli (docs/BENCHMARKS.md, sizes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ToWorker {
    /// Parse the texts and make a new execution (replacing any previous one).
    Start {
        definition: String,
        input: String,
        mocks: String,
        seed: u32,
        /// The name of the state machine run (empty: the default name).
        #[serde(default)]
        name: String,
        /// The workspace's other state machines, which its Tasks may start.
        #[serde(default)]
        machines: Vec<NamedMachine>,
        /// The mock file's test case to run with (`MACHINE/CASE`), when it has several.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        test_case: Option<String>,
    },
    /// Run up to `max_steps` engine steps, none of them later on the simulated clock than
    /// `until_ms` when given (a paced page does not let the engine run ahead of what it
    /// shows, so that Stop stops there), and report what happened.
    Advance {
        max_steps: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        until_ms: Option<i64>,
        /// Unpaced, a run stops where it waits for a task's answer; with this, time passes
        /// instead (the waiting task's heartbeat or timeout fires), as when nobody answers.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        let_time_pass: bool,
    },
    /// Stop the execution as StopExecution does: the reply is the batch of its last events
    /// (the states in progress aborted, then ExecutionAborted).
    Stop,
    /// Check a definition: its diagnostics and its graph, laid out.
    CheckDefinition { id: u64, text: String },
    /// Check a mock file.
    CheckMocks { id: u64, text: String },
    /// Complete the mock file with a starting rule for each Task resource of the definition that
    /// has none.
    StarterMocks {
        definition: String,
        mocks: String,
        /// The name of the definition's machine and the workspace's others (their Tasks get
        /// rules too; a Task starting one of them needs none).
        #[serde(default)]
        name: String,
        #[serde(default)]
        machines: Vec<NamedMachine>,
    },
    /// Answer a task waiting for its token (SendTaskSuccess, SendTaskFailure,
    /// SendTaskHeartbeat) at `at_ms` on the simulated clock (none: the engine's clock). The
    /// reply is a batch, or [`FromWorker::Refused`] with AWS's error (a token answered twice).
    AnswerTask {
        token: String,
        answer: TaskAnswerView,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at_ms: Option<i64>,
    },
    /// Redrive the ended execution (RedriveExecution) with this mock file: the reply is a batch
    /// (ExecutionRedriven), or [`FromWorker::Refused`] with AWS's error.
    Redrive { mocks: String },
    /// The whole history of a child execution ([`ChildExecutionView::id`]).
    ChildHistory { id: u32 },
    /// What the form testing the state `state_name` of `definition` (the editor's text) needs:
    /// answered with [`FromWorker::TestStateForm`].
    TestStateForm {
        id: u64,
        definition: String,
        state_name: String,
    },
    /// Test one state as AWS's TestState API does: answered with
    /// [`FromWorker::TestStateAnswer`]. Independent of the run.
    TestState {
        id: u64,
        request: TestStateRequestView,
    },
    /// Read a project file opened on the page (a definition in JSON or YAML, a CloudFormation
    /// or SAM template, a CDK `cdk.out/*.template.json`) into its state machines' ASL JSON:
    /// answered with [`FromWorker::ProjectFileRead`].
    ReadProjectFile {
        id: u64,
        /// The file's name (its extension says JSON or YAML; otherwise its content does).
        name: String,
        text: String,
        /// Values of `${NAME}` placeholders, replacing a template's DefinitionSubstitutions.
        #[serde(default)]
        substitutions: Vec<(String, String)>,
        /// Give every placeholder left without a value a plausible fake ARN.
        #[serde(default)]
        fake_arns: bool,
    },
    /// Run every case of the Tests editor's test file (or, when it is empty, every Step
    /// Functions Local test case of the mock file): answered with [`FromWorker::TestResults`].
    /// Independent of the run.
    RunTests { id: u64, request: TestRunRequest },
}

/// What a project file holds, read by the engine.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ProjectFileView {
    /// The file's name.
    pub name: String,
    /// Its state machines, in the file's order (none when it was refused or values are missing).
    pub machines: Vec<ProjectMachineView>,
    /// The `${NAME}` placeholders that have no value (and fake ARNs were not asked for): the
    /// page asks for them.
    pub missing: Vec<String>,
    /// What the user should know: the placeholders given fake values, the state machines not
    /// read and why.
    pub notices: Vec<String>,
    /// Why the file cannot be opened (it is not JSON or YAML, holds no state machine...).
    pub problem: Option<String>,
}

/// A state machine of a project file.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ProjectMachineView {
    /// Its logical id in a template (none for a definition file).
    pub logical_id: Option<String>,
    /// Its definition: ASL JSON text (a JSON definition file's own text, else pretty-printed).
    pub definition: String,
}

/// What the Tests panel runs: the editors' texts as typed, which the worker reads.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TestRunRequest {
    /// The test file (JSON, docs/TESTING.md); blank: the mock file's test cases, each
    /// expected to succeed.
    pub tests: String,
    /// The definition in the editor: the state machine the test file's `stateMachine` names.
    pub definition: String,
    /// The Mocks editor: the mocks of the test file when it gives none.
    pub mocks: String,
    /// The Input editor: the input of the mock file's test cases (a test file has its own).
    pub input: String,
    /// The name of the machine in the editor (empty: the default name), and the workspace's
    /// others (a test file's `machines` names them).
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub machines: Vec<NamedMachine>,
}

/// How a test case ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum TestOutcome {
    #[default]
    Passed,
    /// It ran, and some expectations were not met.
    Failed,
    /// It could not run (its input or mocks could not be read, it waited for a token).
    Error,
}

/// An expectation a case did not meet.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TestFailureView {
    /// As the test file names it: `status`, `output`, `states[0].attempts`...
    pub expectation: String,
    pub message: String,
    /// A line diff (`-` expected, `+` actual), for values.
    pub diff: Option<String>,
}

/// One case's result.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TestCaseView {
    pub name: String,
    pub outcome: TestOutcome,
    /// The execution's status (empty when the case could not run).
    pub status: String,
    /// From start to end on the simulated clock.
    pub duration_ms: u64,
    pub failures: Vec<TestFailureView>,
    /// Why the case could not run.
    pub error: Option<String>,
    /// The case's input as pretty JSON text (for "Use for Run"), when it could be read.
    pub input: Option<String>,
    /// The mock file's test case it uses, as the Mocks tab's picker names it (`MACHINE/CASE`).
    pub test_case: Option<String>,
    /// Whether its mocks are not the Mocks editor's (written in the test file): a Run with its
    /// input uses the Mocks editor's all the same.
    pub own_mocks: bool,
}

/// Covered and total of one kind of coverage item.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct CoverageCount {
    pub covered: u32,
    pub total: u32,
    /// 100 when there is nothing to cover.
    pub percent: f64,
}

/// What the cases reached of the definition.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CoverageView {
    pub states: CoverageCount,
    /// Each Next, Choice rule and Default, and Catch.
    pub transitions: CoverageCount,
    /// A retrier counts once it retried.
    pub retriers: CoverageCount,
    pub total: CoverageCount,
    /// The states no case entered (the graph greys them out).
    pub uncovered_states: Vec<String>,
    /// The transitions no case took, `(from, to)` by state name (the graph greys their
    /// edges; an edge several transitions share only when none was taken).
    pub uncovered_edges: Vec<(String, String)>,
    /// Every item not reached, as `sfn-play test --coverage` lists it.
    pub missed: Vec<String>,
}

/// The answer to [`ToWorker::RunTests`].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TestResultsView {
    /// Whether the cases are the mock file's Step Functions Local test cases (the Tests
    /// editor is empty) rather than a test file's.
    pub from_mock_file: bool,
    /// Why nothing could run (the test file is not valid, the definition has errors).
    pub problem: Option<String>,
    pub cases: Vec<TestCaseView>,
    pub coverage: Option<CoverageView>,
}

impl TestResultsView {
    /// How many cases ended with `outcome`.
    pub fn count(&self, outcome: TestOutcome) -> usize {
        self.cases.iter().filter(|c| c.outcome == outcome).count()
    }
}

/// A TestState request as the page's form has it: the texts as typed, which the worker reads.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TestStateRequestView {
    /// The whole definition (the editor's text) the state is taken from.
    pub definition: String,
    pub state_name: String,
    /// JSON text.
    pub input: String,
    /// A JSON object's text; blank: no variables.
    #[serde(default)]
    pub variables: String,
    /// What the Task's call answers, or a Map's or Parallel's result (these states need one:
    /// no service is called, no iteration or branch is run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mock: Option<TestStateMockView>,
    /// The Context object (`$$`) the state sees, a JSON object's text merged over the engine's;
    /// blank: the engine's alone. AWS takes it only with a mock.
    #[serde(default)]
    pub context: String,
    /// `stateConfiguration.retrierRetryCount`: the retries the retrier has already made.
    #[serde(default)]
    pub retrier_retry_count: u32,
    /// `INFO`, `DEBUG` or `TRACE`.
    pub inspection_level: String,
}

/// TestState's `mock`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "mock")]
pub enum TestStateMockView {
    /// `mock.result`: JSON text.
    Result { result: String },
    /// `mock.errorOutput`: an error name and a cause (blank: none).
    Error { error: String, cause: String },
}

/// The inspection levels of TestState, the least detailed first.
pub const INSPECTION_LEVELS: [&str; 3] = ["INFO", "DEBUG", "TRACE"];

/// What the form testing a state needs to know of it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TestStateFormView {
    pub state_name: String,
    /// Whether the test must mock the state's result: a Task's service call, a Map's
    /// iterations, a Parallel's branches. Only such a test takes a Context object.
    pub takes_mock: bool,
    /// Why the state cannot be tested as it is in the editor (not found, the text not JSON).
    pub problem: Option<String>,
}

/// TestState's answer, its JSON values as pretty JSON text.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TestStateResponseView {
    /// SUCCEEDED, FAILED, RETRIABLE or CAUGHT_ERROR.
    pub status: String,
    pub output: Option<String>,
    pub error: Option<String>,
    pub cause: Option<String>,
    pub next_state: Option<String>,
    /// DEBUG and TRACE: the state's stages (`input`, `afterInputPath`, ...), `variables` and
    /// `errorDetails`.
    pub inspection_data: Option<String>,
    /// The whole response as AWS's TestState API returns it (pretty JSON).
    pub aws_json: String,
}

/// Why a TestState request was refused, and the field of the form it is about.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TestStateProblem {
    /// None: the request as a whole (AWS's InvalidDefinition, ValidationException).
    pub field: Option<TestStateField>,
    pub message: String,
}

/// A field of the form testing a state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TestStateField {
    Input,
    Variables,
    Context,
    MockResult,
    MockError,
    InspectionLevel,
}

/// How a waiting task is answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "send")]
pub enum TaskAnswerView {
    /// SendTaskSuccess with this output (JSON text).
    Success { output: String },
    /// SendTaskFailure.
    Failure {
        error: Option<String>,
        cause: Option<String>,
    },
    /// SendTaskHeartbeat.
    Heartbeat,
}

impl ToWorker {
    /// Whether this belongs to a run (rather than to the checks of the texts).
    pub fn is_run(&self) -> bool {
        matches!(
            self,
            ToWorker::Start { .. }
                | ToWorker::Advance { .. }
                | ToWorker::Stop
                | ToWorker::AnswerTask { .. }
                | ToWorker::Redrive { .. }
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FromWorker {
    /// The worker has loaded and takes requests.
    Ready,
    /// `Start` could not make an execution; one problem per item, each naming its editor.
    Rejected { problems: Vec<String> },
    /// The execution was made (no events yet). When Task resources had no mock, the worker
    /// added a starting rule for each and ran with `completed_mocks` (from the `mocks` it got).
    Started {
        start_ms: i64,
        completed_mocks: Option<CompletedMocks>,
    },
    /// What an `Advance` did.
    Batch(Batch),
    /// The answer to [`ToWorker::CheckDefinition`]: its diagnostics, and its graph laid out
    /// when the definition could be read.
    DefinitionChecked {
        id: u64,
        marks: Vec<Mark>,
        layout: Option<Layout>,
    },
    /// The answer to [`ToWorker::CheckMocks`]: its marks, and its Step Functions Local test
    /// cases (`MACHINE/CASE`), for the page to pick the one a run uses.
    MocksChecked {
        id: u64,
        marks: Vec<Mark>,
        #[serde(default)]
        test_cases: Vec<String>,
    },
    /// The answer to [`ToWorker::StarterMocks`]: `None` when nothing needed adding (or the
    /// texts are not valid yet).
    StarterMocks { completed: Option<CompletedMocks> },
    /// A request about the run the engine refused, which leaves the run as it was: AWS's
    /// exception and message (a token answered twice, a redrive AWS does not allow).
    Refused { problem: String },
    /// The answer to [`ToWorker::ChildHistory`].
    ChildHistory { id: u32, events: Vec<EventRow> },
    /// The answer to [`ToWorker::TestStateForm`].
    TestStateForm { id: u64, form: TestStateFormView },
    /// The answer to [`ToWorker::TestState`]: TestState's response, or why it was refused.
    TestStateAnswer {
        id: u64,
        response: Option<TestStateResponseView>,
        problem: Option<TestStateProblem>,
    },
    /// The answer to [`ToWorker::ReadProjectFile`].
    ProjectFileRead { id: u64, file: ProjectFileView },
    /// The answer to [`ToWorker::RunTests`].
    TestResults { id: u64, results: TestResultsView },
}

/// A mock file with starting rules added.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompletedMocks {
    /// The mock file text the rules were added to.
    pub from: String,
    /// The completed text.
    pub text: String,
}

/// A mark in an editor: 1-based line and column (in characters).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mark {
    pub line: u32,
    pub column: u32,
    /// `error` or `warning`.
    pub severity: String,
    pub message: String,
}

/// Where a JSON syntax error is, as a mark (serde_json counts columns in bytes, close enough
/// for a caret; the editor clamps it to the line). The page marks its input with it, the worker
/// the mock file.
pub fn json_syntax_mark(text: &str) -> Option<Mark> {
    let err = serde_json::from_str::<serde::de::IgnoredAny>(text).err()?;
    let line = u32::try_from(err.line()).unwrap_or(1).max(1);
    let column = u32::try_from(err.column()).unwrap_or(1).max(1);
    let message = err.to_string();
    // serde_json appends " at line L column C"; the mark already sits there.
    let message = match message.rfind(" at line ") {
        Some(i) => message.get(..i).unwrap_or(&message).to_owned(),
        None => message,
    };
    Some(Mark {
        line,
        column,
        severity: "error".into(),
        message: format!("Invalid JSON: {message}"),
    })
}

/// Why a file opened on the page is refused when it is not JSON: "it is not JSON (... at line L
/// column C)"; none when it is JSON. The page's import and the worker's project files say it alike.
pub fn not_json_reason(text: &str) -> Option<String> {
    let mark = json_syntax_mark(text)?;
    Some(format!(
        "it is not JSON ({} at line {} column {})",
        mark.message
            .strip_prefix("Invalid JSON: ")
            .unwrap_or(&mark.message),
        mark.line,
        mark.column
    ))
}

/// One request and the worker's answer, as recorded for the page's tests (which have no
/// engine): the worker's tests write them and check that they are current.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exchange {
    pub request: ToWorker,
    pub reply: FromWorker,
}

/// The events, traces and status after some steps.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Batch {
    /// The new events, in order.
    pub events: Vec<EventRow>,
    /// State visits that are new or changed since the previous batch (replace by `index`).
    pub traces: Vec<TraceView>,
    /// Parallel branches and Map iterations that are new or changed since the previous batch
    /// (replace by `id`).
    #[serde(default)]
    pub children: Vec<ChildView>,
    pub status: RunStatus,
    /// Engine steps taken so far (Step advances this by one).
    pub steps: u64,
    /// When the engine's next step happens on the simulated clock, if it stopped short of it
    /// (see `ToWorker::Advance::until_ms`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_ms: Option<i64>,
    /// The tasks waiting for an answer to their token that no mock gives (all of them, each
    /// batch).
    #[serde(default)]
    pub waiting: Vec<WaitingTaskView>,
    /// Nothing happens until a waiting task is answered, except its own heartbeat or timeout
    /// firing (`next_ms`): an unpaced page waits for the user here.
    #[serde(default)]
    pub awaiting_answer: bool,
    /// Child executions that are new or changed since the previous batch (replace by `id`).
    #[serde(default)]
    pub executions: Vec<ChildExecutionView>,
    /// Objects the run wrote to the mocked S3 since the previous batch.
    #[serde(default)]
    pub s3_writes: Vec<S3ObjectView>,
    /// Whether RedriveExecution would accept this execution now (it ended FAILED, TIMED_OUT or
    /// ABORTED).
    #[serde(default)]
    pub redrivable: bool,
}

/// A task waiting for its token to be answered.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct WaitingTaskView {
    pub token: String,
    pub state_name: String,
    /// The visit of the task (a [`TraceView::index`]), when known.
    pub trace: Option<u32>,
    pub resource: String,
    /// What the task sent (pretty JSON text): where a worker finds the token.
    pub input: String,
    pub since_ms: i64,
    /// When HeartbeatSeconds and TimeoutSeconds fire if nothing comes (ms since the epoch).
    pub heartbeat_deadline_ms: Option<i64>,
    pub timeout_deadline_ms: Option<i64>,
}

/// An execution this one started: a Distributed Map's child or a `states:startExecution`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ChildExecutionView {
    /// Its place among the run's child executions, in the order they started.
    pub id: u32,
    pub name: String,
    pub execution_arn: String,
    pub state_machine_arn: String,
    /// The parent's state that started it.
    pub state_name: String,
    /// e.g. "Map Run item 3", "startExecution".
    pub origin: String,
    /// The parent's event that names it, when there is one.
    pub parent_event_id: Option<u64>,
    /// RUNNING, SUCCEEDED, FAILED, TIMED_OUT or ABORTED.
    pub status: String,
    pub start_ms: i64,
    pub stop_ms: Option<i64>,
    pub event_count: u32,
}

/// An object the run wrote to the mocked S3.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct S3ObjectView {
    pub bucket: String,
    pub key: String,
    pub size: u64,
    /// Its text, cut at [`S3_PREVIEW_BYTES`] (`truncated` then).
    pub text: String,
    pub truncated: bool,
}

/// How much of an object written to the mocked S3 the page is sent.
pub const S3_PREVIEW_BYTES: usize = 64 * 1024;

/// Where the execution stands.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RunStatus {
    /// AWS's status name: RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED.
    pub name: String,
    pub error: Option<String>,
    pub cause: Option<String>,
    /// The output of a successful execution, as pretty JSON text.
    pub output: Option<String>,
}

impl RunStatus {
    pub fn is_running(&self) -> bool {
        self.name == "RUNNING"
    }
}

/// The label of a visit's input among its [`TraceView::stages`] (always the first).
pub const INPUT_STAGE: &str = "Input";
/// The label of the result a Task (or Pass, Parallel, Map) got.
pub const RESULT_STAGE: &str = "Result";
/// The label of the workflow variables the visit saw when it was entered.
pub const VARIABLES_STAGE: &str = "Variables in scope";

/// One visit of a state, stage by stage.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TraceView {
    pub index: u32,
    pub state_name: String,
    pub entered_event_id: u64,
    /// (stage label, pretty JSON text or None when the state did not have or reach it).
    pub stages: Vec<(String, Option<String>)>,
    pub errors: Vec<ErrorView>,
    /// The branch or iteration the visit ran in (a [`ChildView::id`]); none at the top level.
    #[serde(default)]
    pub child: Option<u32>,
}

impl TraceView {
    /// The text of the stage labelled `label` (one of the `*_STAGE` labels), when the visit
    /// had it.
    pub fn stage_text(&self, label: &str) -> Option<&str> {
        self.stages
            .iter()
            .find(|(l, _)| l == label)
            .and_then(|(_, text)| text.as_deref())
    }
}

/// One Parallel branch or Map iteration.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ChildView {
    /// Its place among every branch and iteration of the run, in the order they started.
    pub id: u32,
    /// The visit of the Parallel or Map state that started it (a [`TraceView::index`]).
    pub parent_trace: u32,
    /// Its index among its siblings: the branch's place in Branches, or the item's index.
    pub index: u32,
    pub kind: ChildKind,
    /// AWS's name for its status: RUNNING, SUCCEEDED, FAILED or ABORTED.
    pub status: String,
    /// Pretty JSON text.
    pub input: String,
    pub output: Option<String>,
    pub error: Option<String>,
    pub cause: Option<String>,
    /// When it started and ended on the simulated clock (ms since the epoch).
    pub started_ms: i64,
    pub ended_ms: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ChildKind {
    #[default]
    Branch,
    Iteration,
}

impl ChildKind {
    /// "Branch" or "Iteration", for people.
    pub fn label(self) -> &'static str {
        match self {
            ChildKind::Branch => "Branch",
            ChildKind::Iteration => "Iteration",
        }
    }
}

/// An error a state raised and what handled it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ErrorView {
    pub error: String,
    pub cause: String,
    /// e.g. "retried after 2 s (retrier #1, attempt 2)", "caught: next state X", "not handled".
    pub handling: String,
}
