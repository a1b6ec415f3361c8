//! The worker's answers: checks of the texts (diagnostics, the graph laid out), and the
//! recorded conversations the page's component tests replay instead of an engine
//! (`crates/playground/tests/data/worker/`), which must be what the worker answers today.

use std::path::Path;

use sfn_playground_data::protocol::{Exchange, FromWorker, ToWorker};
use sfn_worker::service::{definition_marks, mocks_marks, Service};

#[test]
fn the_service_checks_and_lays_out_a_definition() {
    let mut service = Service::new();
    let reply = service.handle(ToWorker::CheckDefinition {
        id: 7,
        text: r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}"#.into(),
    });
    let FromWorker::DefinitionChecked { id, marks, layout } = reply else {
        panic!("{reply:?}");
    };
    assert_eq!(id, 7);
    assert!(marks.is_empty(), "{marks:?}");
    let layout = layout.expect("a layout");
    assert!(layout.state_box("A").is_some());
    let broken = service.handle(ToWorker::CheckDefinition {
        id: 8,
        text: "{".into(),
    });
    assert!(
        matches!(&broken, FromWorker::DefinitionChecked { marks, layout: None, .. } if !marks.is_empty()),
        "{broken:?}"
    );
}

#[test]
fn definition_diagnostics_carry_line_and_column() {
    let marks = definition_marks("{\n  \"StartAt\": \"A\",\n  \"States\": {\n    \"A\": {\"Type\": \"Pass\", \"Next\": \"B\"}\n  }\n}");
    assert!(!marks.is_empty());
    assert!(marks.iter().all(|m| m.line >= 1 && m.column >= 1));
    assert!(marks.iter().any(|m| m.line == 4), "{marks:?}");
}

#[test]
fn mocks_with_invalid_json_are_marked_at_their_position() {
    let marks = mocks_marks("{\n  \"Functions\": [\n}");
    assert_eq!(marks.len(), 1);
    assert_eq!(marks[0].line, 3);
    assert!(mocks_marks("  ").is_empty());
}

/// Where the page's tests read the recorded conversations.
fn fixtures_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../playground/tests/data/worker")
}

/// A conversation with one fresh worker, recorded.
struct Recorder {
    service: Service,
    exchanges: Vec<Exchange>,
}

impl Recorder {
    fn new() -> Recorder {
        Recorder {
            service: Service::new(),
            exchanges: Vec::new(),
        }
    }

    fn ask(&mut self, request: ToWorker) -> FromWorker {
        let reply = self.service.handle(request.clone());
        self.exchanges.push(Exchange {
            request,
            reply: reply.clone(),
        });
        reply
    }

    fn check_definition(&mut self, text: &str) {
        self.ask(ToWorker::CheckDefinition {
            id: 1,
            text: text.into(),
        });
    }

    fn check_mocks(&mut self, text: &str) {
        self.ask(ToWorker::CheckMocks {
            id: 1,
            text: text.into(),
        });
    }

    /// Compares the conversation with its file, or writes the file with `UPDATE_EXPECT=1`.
    fn check(self, name: &str) {
        let path = fixtures_dir().join(format!("{name}.json"));
        let text = serde_json::to_string_pretty(&self.exchanges).expect("json") + "\n";
        if std::env::var_os("UPDATE_EXPECT").is_some() {
            std::fs::create_dir_all(fixtures_dir()).expect("fixtures dir");
            std::fs::write(&path, text).expect("write fixture");
            return;
        }
        let recorded = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            recorded == text,
            "{} is not what the worker answers today: run `UPDATE_EXPECT=1 cargo test -p sfn-worker --test service` and read the diff",
            path.display()
        );
    }
}

/// What `the_page_runs_with_starter_mocks_and_lights_up_the_graph` (crates/playground/tests/
/// components.rs) asks: the starter work's checks, a one-task machine's checks and run with a
/// starting mock, then "Add starter mocks" on a file that lacks one.
const CALL: &str = r#"{"StartAt": "Call", "States": {"Call": {"Type": "Task",
        "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Greeter", "End": true}}}"#;

/// A Parallel with a slow branch and a Map of three items, MaxConcurrency 2, whose item 2
/// fails: at 0 s iterations 0 and 1 start, 1 fails, which fails the Map (iteration 0 is
/// stopped, iteration 2 never starts) and the Parallel (the slow branch is stopped), whose
/// Catch goes on to Recover.
pub const FANOUT: &str = r#"{"StartAt": "Fan", "States": {
  "Fan": {"Type": "Parallel", "Next": "Recover", "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Recover"}], "Branches": [
    {"StartAt": "Slow", "States": {"Slow": {"Type": "Wait", "Seconds": 2, "End": true}}},
    {"StartAt": "Each", "States": {"Each": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 2, "End": true,
      "ItemProcessor": {"StartAt": "Check", "States": {
        "Check": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericEquals": 2, "Next": "Bad"}], "Default": "Nap"},
        "Nap": {"Type": "Wait", "Seconds": 1, "End": true},
        "Bad": {"Type": "Fail", "Error": "Two", "Cause": "no twos"}}}}}}]},
  "Recover": {"Type": "Pass", "End": true}}}"#;
pub const FANOUT_INPUT: &str = r#"{"items": [1, 2, 3]}"#;

fn starter_checks(recorder: &mut Recorder) {
    let work =
        sfn_playground_data::storage::startup("", sfn_playground_data::storage::Restored::Nothing)
            .work;
    recorder.check_definition(&work.definition);
    recorder.check_mocks(&work.mocks);
}

#[test]
fn the_page_tests_conversations_are_current() {
    // page_shows_editors_and_the_definition_diagnostics
    let mut r = Recorder::new();
    starter_checks(&mut r);
    r.check_definition(r#"{"StartAt": "Nowhere", "States": {"A": {"Type": "Pass", "End": true}}}"#);
    r.check_definition(r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}"#);
    r.check_definition(r#"{"StartAt": "A", "States": {"#);
    r.check("diagnostics");

    // page_runs_with_starter_mocks_and_lights_up_the_graph
    let mut r = Recorder::new();
    starter_checks(&mut r);
    r.check_definition(CALL);
    r.check_mocks("");
    let started = r.ask(ToWorker::Start {
        definition: CALL.into(),
        input: "{}".into(),
        mocks: String::new(),
        seed: 0,
        name: String::new(),
        machines: Vec::new(),
        test_case: None,
    });
    let FromWorker::Started {
        completed_mocks: Some(completed),
        ..
    } = started
    else {
        panic!("{started:?}");
    };
    r.ask(ToWorker::Advance {
        max_steps: 1000,
        until_ms: None,
        let_time_pass: false,
    });
    r.check_mocks(&completed.text);
    let other = r#"{"Functions": {"Other": [{"return": 1}]}}"#;
    r.check_mocks(other);
    let reply = r.ask(ToWorker::StarterMocks {
        definition: CALL.into(),
        mocks: other.into(),
        name: String::new(),
        machines: Vec::new(),
    });
    let FromWorker::StarterMocks {
        completed: Some(completed),
    } = reply
    else {
        panic!("{reply:?}");
    };
    r.check_mocks(&completed.text);
    r.check("starter_mocks");

    // page_steps_through_a_fanout_and_shows_one_iteration: a Parallel whose branches run at
    // once, one with a Map whose iterations are picked by index; one engine step per Advance.
    let mut r = Recorder::new();
    starter_checks(&mut r);
    r.check_definition(FANOUT);
    r.check_mocks("");
    r.ask(ToWorker::Start {
        definition: FANOUT.into(),
        input: FANOUT_INPUT.into(),
        mocks: String::new(),
        seed: 0,
        name: String::new(),
        machines: Vec::new(),
        test_case: None,
    });
    loop {
        let reply = r.ask(ToWorker::Advance {
            max_steps: 1,
            until_ms: None,
            let_time_pass: false,
        });
        match reply {
            FromWorker::Batch(batch) if batch.status.is_running() => {}
            FromWorker::Batch(batch) => {
                assert_eq!(batch.status.name, "SUCCEEDED", "{batch:?}");
                break;
            }
            other => panic!("{other:?}"),
        }
    }
    r.check("fanout");

    // The graph component's tests (crates/playground/tests/graph_component.rs) and the SVG
    // export's (crates/playground/src/graph/svg.rs): definitions laid out.
    let mut r = Recorder::new();
    for definition in graph_definitions() {
        r.check_definition(&definition);
    }
    r.check("graphs");
}

/// The definitions the page's graph tests draw.
fn graph_definitions() -> Vec<String> {
    let markup = serde_json::json!({
        "StartAt": "<img src=x onerror=alert(1)>",
        "States": {
            "<img src=x onerror=alert(1)>": {
                "Type": "Choice",
                "Choices": [{
                    "Variable": "$['<svg onload=alert(2)>']",
                    "StringEquals": "\"><script>alert(3)</script>",
                    "Next": "</text><script>alert(4)</script>"
                }],
                "Default": "x\" onmouseover=\"alert(5)"
            },
            "</text><script>alert(4)</script>": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:F",
                "Catch": [{"ErrorEquals": ["<b>E</b>"], "Next": "x\" onmouseover=\"alert(5)"}],
                "End": true
            },
            "x\" onmouseover=\"alert(5)": {"Type": "Fail", "Error": "<i>", "Cause": "<u>"}
        }
    })
    .to_string();
    vec![
        include_str!("data/graph/tutorial.definition.json").to_owned(),
        r#"{
        "StartAt": "<b>bold</b> & <img src=x onerror=alert(1)>",
        "States": {
            "<b>bold</b> & <img src=x onerror=alert(1)>": {"Type": "Pass", "End": true}
        }
    }"#
        .to_owned(),
        r#"{"StartAt": "Only", "States": {"Only": {"Type": "Succeed"}}}"#.to_owned(),
        markup,
        chain(80),
    ]
}

/// A chain of `n` Pass states (`S0` to `S{n-1}`): far taller than any view.
pub fn chain(n: usize) -> String {
    let states: serde_json::Map<String, serde_json::Value> = (0..n)
        .map(|i| {
            let state = if i + 1 == n {
                serde_json::json!({"Type": "Pass", "End": true})
            } else {
                serde_json::json!({"Type": "Pass", "Next": format!("S{}", i + 1)})
            };
            (format!("S{i}"), state)
        })
        .collect();
    serde_json::json!({"StartAt": "S0", "States": states}).to_string()
}

/// A mistyped key in a mock rule is marked where it is, with a message naming it.
#[test]
fn a_mistyped_mock_key_is_marked_at_its_line() {
    let marks = mocks_marks(
        "{\n  \"Functions\": {\n    \"F\": [\n      {\"thorw\": {\"error\": \"E\"}}\n    ]\n  }\n}",
    );
    let at: Vec<(u32, u32, &str)> = marks
        .iter()
        .map(|m| (m.line, m.column, m.message.as_str()))
        .collect();
    assert_eq!(
        at,
        [
            (4, 8, "Functions.F[0].thorw: not a field of a rule (expected when, return, throw, answer, durationSeconds, heartbeatSeconds, comment)"),
            (4, 7, "Functions.F[0]: needs \"return\" or \"throw\""),
        ]
    );
    // A quoted name (not a plain one) is followed too.
    let marks = mocks_marks("{\"Functions\": {\n\"my fn\": [\n {\"return\": 1, \"x\": 2}]}}");
    assert_eq!((marks[0].line, marks[0].column), (3, 16), "{marks:?}");
}

/// Advances the service's run until it ends or waits for an answer; the last batch.
fn advance_to_rest(service: &mut Service) -> sfn_playground_data::protocol::Batch {
    for _ in 0..10_000 {
        let reply = service.handle(ToWorker::Advance {
            max_steps: 100,
            until_ms: None,
            let_time_pass: false,
        });
        let FromWorker::Batch(batch) = reply else {
            panic!("{reply:?}");
        };
        if !batch.status.is_running() || batch.awaiting_answer {
            return batch;
        }
    }
    panic!("the run neither ended nor waited");
}

/// The requests of issue 14's page features reach the engine: a waiting task answered, a
/// token answered twice refused with AWS's error, a child execution's history, a redrive (and
/// one AWS refuses).
#[test]
fn the_service_answers_redrives_and_opens_child_executions() {
    use sfn_playground_data::examples::find;
    use sfn_playground_data::protocol::TaskAnswerView;
    use sfn_playground_data::workspace::NamedMachine;
    let mut service = Service::new();
    let start = |example: &str, scenario: &str| {
        let example = find(example).expect("an example");
        ToWorker::Start {
            definition: example.definition.into(),
            input: example.scenario(scenario).expect("a scenario").input.into(),
            mocks: example.mocks.into(),
            seed: 0,
            name: example.name.into(),
            machines: example
                .machines
                .iter()
                .map(|(name, definition)| NamedMachine {
                    name: (*name).into(),
                    definition: (*definition).into(),
                })
                .collect(),
            test_case: None,
        }
    };

    service.handle(start("callback", "large-order"));
    let waiting = advance_to_rest(&mut service);
    let token = waiting.waiting[0].token.clone();
    let answer = |token: &str| ToWorker::AnswerTask {
        token: token.into(),
        answer: TaskAnswerView::Success {
            output: r#"{"approver": "dana"}"#.into(),
        },
        at_ms: None,
    };
    assert!(matches!(
        service.handle(answer(&token)),
        FromWorker::Batch(_)
    ));
    assert_eq!(advance_to_rest(&mut service).status.name, "SUCCEEDED");
    let FromWorker::Refused { problem } = service.handle(answer(&token)) else {
        panic!("a second answer is refused");
    };
    assert!(problem.starts_with("TaskTimedOut"), "{problem}");

    service.handle(start("child-execution", "paid"));
    let ended = advance_to_rest(&mut service);
    assert_eq!(ended.status.name, "SUCCEEDED", "{:?}", ended.status);
    let FromWorker::ChildHistory { id: 0, events } =
        service.handle(ToWorker::ChildHistory { id: 0 })
    else {
        panic!("the child's history");
    };
    assert_eq!(events.last().unwrap().event_type, "ExecutionSucceeded");

    service.handle(start("redrive", "service-down"));
    assert!(advance_to_rest(&mut service).redrivable);
    let fixed = include_str!("../../playground-data/src/examples/redrive/mocks.fixed.json");
    let redrive = ToWorker::Redrive {
        mocks: fixed.into(),
    };
    assert!(matches!(
        service.handle(redrive.clone()),
        FromWorker::Batch(_)
    ));
    assert_eq!(advance_to_rest(&mut service).status.name, "SUCCEEDED");
    assert!(matches!(
        service.handle(redrive),
        FromWorker::Refused { .. }
    ));
}

/// The tutorial's definition, as the page's editor has it.
const TUTORIAL: &str =
    include_str!("../../playground-data/src/examples/tutorial/definition.asl.json");

/// A TestState request of the page's form, testing `state` of the tutorial.
fn test_request(
    state: &str,
    input: &str,
    mock: Option<sfn_playground_data::protocol::TestStateMockView>,
    retrier_retry_count: u32,
) -> sfn_playground_data::protocol::TestStateRequestView {
    sfn_playground_data::protocol::TestStateRequestView {
        definition: TUTORIAL.into(),
        state_name: state.into(),
        input: input.into(),
        variables: String::new(),
        mock,
        context: String::new(),
        retrier_retry_count,
        inspection_level: "DEBUG".into(),
    }
}

/// "Test this state" (AWS's TestState) on the page: what the form of a state needs, a Task
/// tested with a mocked error (retried, then caught once its retrier is spent) and a mocked
/// result, a Pass state, and the problems of each field, named. Recorded for the page's
/// component test of the inspector's form.
#[test]
fn the_service_tests_one_state_as_test_state_does() {
    use sfn_playground_data::protocol::{TestStateField, TestStateMockView};
    let mut r = Recorder::new();
    let form = |r: &mut Recorder, id: u64, state: &str| {
        let reply = r.ask(ToWorker::TestStateForm {
            id,
            definition: TUTORIAL.into(),
            state_name: state.into(),
        });
        let FromWorker::TestStateForm { id: answered, form } = reply else {
            panic!("{reply:?}");
        };
        assert_eq!(answered, id);
        form
    };
    let call_api = form(&mut r, 1, "Call API");
    assert!(
        call_api.takes_mock && call_api.problem.is_none(),
        "{call_api:?}"
    );
    let pass = form(&mut r, 2, "Change to 200");
    assert!(!pass.takes_mock && pass.problem.is_none(), "{pass:?}");
    let missing = form(&mut r, 3, "Nowhere");
    assert_eq!(
        missing.problem.as_deref(),
        Some("State 'Nowhere' is not in the definition in the editor")
    );

    let mut id = 10;
    let mut test = |r: &mut Recorder, request| {
        id += 1;
        let reply = r.ask(ToWorker::TestState { id, request });
        let FromWorker::TestStateAnswer {
            id: answered,
            response,
            problem,
        } = reply
        else {
            panic!("{reply:?}");
        };
        assert_eq!(answered, id);
        (response, problem)
    };
    let throttled = || TestStateMockView::Error {
        error: "TooManyRequestsException".into(),
        cause: "429 Too Many Requests".into(),
    };
    let input = "{\n  \"statuscode\": \"429\"\n}";

    // The retrier takes the error: RETRIABLE, with the retrier and its first wait.
    let (response, problem) = test(
        &mut r,
        test_request("Call API", input, Some(throttled()), 0),
    );
    let response = response.unwrap_or_else(|| panic!("{problem:?}"));
    assert_eq!(response.status, "RETRIABLE");
    assert_eq!(response.error.as_deref(), Some("TooManyRequestsException"));
    assert_eq!(response.cause.as_deref(), Some("429 Too Many Requests"));
    assert_eq!(response.next_state, None);
    let inspection: serde_json::Value =
        serde_json::from_str(response.inspection_data.as_deref().expect("DEBUG data"))
            .expect("JSON");
    assert_eq!(
        inspection["errorDetails"],
        serde_json::json!({"retryBackoffIntervalSeconds": 1, "retryIndex": 0})
    );
    assert_eq!(
        inspection["input"],
        serde_json::json!({"statuscode": "429"})
    );
    let aws: serde_json::Value = serde_json::from_str(&response.aws_json).expect("JSON");
    assert_eq!(aws["status"], "RETRIABLE");

    // Its two retries made, the retrier takes it no more: the first catcher does.
    let (response, _) = test(
        &mut r,
        test_request("Call API", input, Some(throttled()), 2),
    );
    let response = response.expect("a response");
    assert_eq!(response.status, "CAUGHT_ERROR");
    assert_eq!(response.next_state.as_deref(), Some("Wait and Try Later"));

    // A mocked result: the state succeeds and goes on to OK.
    let result = TestStateMockView::Result {
        result: "\"200 OK\"".into(),
    };
    let (response, _) = test(&mut r, test_request("Call API", input, Some(result), 0));
    let response = response.expect("a response");
    assert_eq!(response.status, "SUCCEEDED");
    assert_eq!(response.next_state.as_deref(), Some("OK"));
    assert_eq!(response.output.as_deref(), Some("\"200 OK\""));

    // A Pass state needs no mock.
    let (response, _) = test(&mut r, test_request("Change to 200", "{}", None, 0));
    let response = response.expect("a response");
    assert_eq!(response.status, "SUCCEEDED");
    assert_eq!(response.next_state.as_deref(), Some("Call API"));
    assert_eq!(
        response.output.as_deref(),
        Some("{\n  \"statuscode\": \"200\"\n}")
    );

    // Problems name their field; the engine's refusals are AWS's exceptions.
    let (_, problem) = test(
        &mut r,
        test_request("Call API", "{\"statuscode\": ", Some(throttled()), 0),
    );
    let problem = problem.expect("a problem");
    assert_eq!(problem.field, Some(TestStateField::Input));
    assert!(
        problem
            .message
            .starts_with("The input is not valid JSON: EOF while parsing"),
        "{problem:?}"
    );
    let (_, problem) = test(&mut r, test_request("Call API", input, None, 0));
    let problem = problem.expect("a problem");
    assert_eq!(problem.field, None);
    assert!(
        problem
            .message
            .starts_with("ValidationException: a Task state needs a mock"),
        "{problem:?}"
    );
    r.check("test_state");

    let mut service = Service::new();
    let mut ask = |request| match service.handle(ToWorker::TestState { id: 1, request }) {
        FromWorker::TestStateAnswer {
            response, problem, ..
        } => (response, problem),
        other => panic!("{other:?}"),
    };
    let mut with_variables = test_request("Change to 200", "{}", None, 0);
    with_variables.variables = "[1]".into();
    let problem = ask(with_variables).1.expect("a problem");
    assert_eq!(problem.field, Some(TestStateField::Variables));
    let mut unnamed_error = test_request("Call API", "{}", None, 0);
    unnamed_error.mock = Some(TestStateMockView::Error {
        error: " ".into(),
        cause: String::new(),
    });
    let problem = ask(unnamed_error).1.expect("a problem");
    assert_eq!(problem.field, Some(TestStateField::MockError));
    let mut bad_result = test_request("Call API", "{}", None, 0);
    bad_result.mock = Some(TestStateMockView::Result {
        result: "200 OK".into(),
    });
    let problem = ask(bad_result).1.expect("a problem");
    assert_eq!(problem.field, Some(TestStateField::MockResult));
    let mut level = test_request("Change to 200", "{}", None, 0);
    level.inspection_level = "VERBOSE".into();
    let problem = ask(level).1.expect("a problem");
    assert_eq!(problem.field, Some(TestStateField::InspectionLevel));

    // A state inside a Map's item processor is tested alone; the Map itself needs a mock, the
    // array of its iterations' results.
    let mut nested = test_request("Check", "2", None, 0);
    nested.definition = FANOUT.into();
    let response = ask(nested.clone()).0.expect("a response");
    assert_eq!(response.status, "SUCCEEDED");
    assert_eq!(response.next_state.as_deref(), Some("Bad"));
    nested.state_name = "Each".into();
    nested.input = FANOUT_INPUT.into();
    let problem = ask(nested.clone()).1.expect("a problem");
    assert!(
        problem
            .message
            .starts_with("ValidationException: a Map state needs a mock"),
        "{problem:?}"
    );
    nested.mock = Some(TestStateMockView::Result {
        result: "[\"one\", \"three\"]".into(),
    });
    let response = ask(nested.clone()).0.expect("a response");
    assert_eq!(response.status, "SUCCEEDED");
    assert_eq!(
        response.output.as_deref(),
        Some("[\n  \"one\",\n  \"three\"\n]")
    );
    let inspection: serde_json::Value =
        serde_json::from_str(response.inspection_data.as_deref().expect("DEBUG data"))
            .expect("JSON");
    assert_eq!(inspection["afterItemsPath"], serde_json::json!([1, 2, 3]));
    assert_eq!(inspection["maxConcurrency"], serde_json::json!(2));
    // Map and Parallel states take a mock (and so a Context object) on the page too.
    for state in ["Each", "Fan"] {
        match Service::new().handle(ToWorker::TestStateForm {
            id: 9,
            definition: FANOUT.into(),
            state_name: state.into(),
        }) {
            FromWorker::TestStateForm { form, .. } => assert!(form.takes_mock, "{form:?}"),
            other => panic!("{other:?}"),
        }
    }
    // The Context object: a JSON object, or a problem under its field.
    nested.context = "[1]".into();
    let problem = ask(nested.clone()).1.expect("a problem");
    assert_eq!(problem.field, Some(TestStateField::Context));
    nested.context = r#"{"Execution": {"Name": "run-7"}}"#.into();
    nested.state_name = "Fan".into();
    nested.definition = r#"{"StartAt": "Fan", "States": {"Fan": {"Type": "Parallel",
        "Parameters": {"run.$": "$$.Execution.Name"}, "End": true,
        "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Pass", "End": true}}}]}}}"#
        .into();
    nested.mock = Some(TestStateMockView::Result {
        result: "[{}]".into(),
    });
    let response = ask(nested).0.expect("a response");
    let inspection: serde_json::Value =
        serde_json::from_str(response.inspection_data.as_deref().expect("DEBUG data"))
            .expect("JSON");
    assert_eq!(
        inspection["afterParameters"],
        serde_json::json!({"run": "run-7"})
    );
    // Variables the visit saw are the state's.
    let mut jsonata = test_request("J", "{}", None, 0);
    jsonata.definition = r#"{"QueryLanguage": "JSONata", "StartAt": "J", "States": {
        "J": {"Type": "Pass", "Output": "{% $greeting & ', ' & $states.input.name %}", "End": true}}}"#
        .into();
    jsonata.input = r#"{"name": "Ada"}"#.into();
    jsonata.variables = r#"{"greeting": "Hello"}"#.into();
    let response = ask(jsonata).0.expect("a response");
    assert_eq!(response.output.as_deref(), Some("\"Hello, Ada\""));
}

/// The tutorial as the page loads it, its Tests editor included: the request of Run all.
fn tutorial_tests_request() -> sfn_playground_data::protocol::TestRunRequest {
    let example = sfn_playground_data::examples::default_example();
    sfn_playground_data::protocol::TestRunRequest {
        tests: example.tests.into(),
        definition: example.definition.into(),
        mocks: example.mocks.into(),
        input: example.scenarios[0].input.into(),
        name: String::new(),
        machines: Vec::new(),
    }
}

/// Run all in the Tests panel: the results of every case (as `sfn-play test` reports them)
/// and the coverage, or why nothing could run.
fn run_tests(
    r: &mut Recorder,
    id: u64,
    request: sfn_playground_data::protocol::TestRunRequest,
) -> sfn_playground_data::protocol::TestResultsView {
    let reply = r.ask(ToWorker::RunTests { id, request });
    let FromWorker::TestResults {
        id: answered,
        results,
    } = reply
    else {
        panic!("{reply:?}");
    };
    assert_eq!(answered, id);
    results
}

/// The Tests panel: the tutorial's test file passes whole at 100% coverage, as `sfn-play test
/// examples/tutorial` does; a broken expectation fails with its diff; a case removed leaves
/// its states and transitions uncovered; an empty Tests editor runs the mock file's Step
/// Functions Local test cases. Recorded for the page's component test of the panel
/// (crates/playground/tests/components.rs).
#[test]
fn the_service_runs_the_tests_panels_test_file() {
    use sfn_playground_data::protocol::TestOutcome;
    let mut r = Recorder::new();
    starter_checks(&mut r);
    let results = run_tests(&mut r, 1, tutorial_tests_request());
    assert_eq!(results.problem, None);
    assert!(!results.from_mock_file);
    let names: Vec<(&str, TestOutcome, &str, u64)> = results
        .cases
        .iter()
        .map(|c| (c.name.as_str(), c.outcome, c.status.as_str(), c.duration_ms))
        .collect();
    assert_eq!(
        names,
        [
            (
                "a 200 succeeds at once",
                TestOutcome::Passed,
                "SUCCEEDED",
                0
            ),
            (
                "a 429 is retried, then tried again later",
                TestOutcome::Passed,
                "SUCCEEDED",
                4000
            ),
            (
                "a 503 fails in Server Unavailable",
                TestOutcome::Passed,
                "FAILED",
                0
            ),
            (
                "anything else fails in Catch All",
                TestOutcome::Passed,
                "FAILED",
                0
            ),
        ]
    );
    let coverage = results.coverage.as_ref().expect("coverage");
    assert_eq!(coverage.total.percent, 100.0);
    assert!(coverage.uncovered_states.is_empty() && coverage.missed.is_empty());
    // "Use for Run": the case's input, and its mocks are the Mocks editor's.
    assert_eq!(
        results.cases[1].input.as_deref(),
        Some("{\n  \"statuscode\": \"429\"\n}")
    );
    assert!(!results.cases[1].own_mocks);

    // A broken expectation fails, with the diff of the output.
    let mut broken = tutorial_tests_request();
    broken.tests = broken.tests.replacen(
        "\"output\": \"The request has succeeded.\"",
        "\"output\": \"The request has failed.\"",
        1,
    );
    let results = run_tests(&mut r, 2, broken);
    let first = &results.cases[0];
    assert_eq!(first.outcome, TestOutcome::Failed);
    assert_eq!(first.failures.len(), 1, "{:?}", first.failures);
    assert_eq!(first.failures[0].expectation, "output");
    assert_eq!(
        first.failures[0].diff.as_deref(),
        Some("- \"The request has failed.\"\n+ \"The request has succeeded.\"\n")
    );
    assert_eq!(results.count(TestOutcome::Passed), 3);

    // Without the 503 case, Server Unavailable and the catcher leading to it are not reached.
    let mut fewer = tutorial_tests_request();
    let mut suite: serde_json::Value = serde_json::from_str(&fewer.tests).unwrap();
    suite["cases"].as_array_mut().unwrap().remove(2);
    fewer.tests = serde_json::to_string_pretty(&suite).unwrap();
    let results = run_tests(&mut r, 3, fewer);
    let coverage = results.coverage.as_ref().expect("coverage");
    assert_eq!(coverage.uncovered_states, ["Server Unavailable"]);
    assert_eq!(
        coverage.uncovered_edges,
        [("Call API".to_owned(), "Server Unavailable".to_owned())]
    );
    assert_eq!(
        coverage.missed,
        [
            "Call API → Server Unavailable (Catch 2)",
            "Server Unavailable"
        ]
    );
    assert!(coverage.total.percent < 100.0);

    // An empty Tests editor: the mock file's test cases, with the Input editor's input.
    let local = TestRunRequest {
        tests: String::new(),
        definition: CALL.into(),
        mocks: SFN_LOCAL_MOCKS.into(),
        input: "{}".into(),
        name: "Greet".into(),
        machines: Vec::new(),
    };
    let results = run_tests(&mut r, 4, local);
    assert!(results.from_mock_file);
    let cases: Vec<(&str, TestOutcome, Option<&str>)> = results
        .cases
        .iter()
        .map(|c| (c.name.as_str(), c.outcome, c.test_case.as_deref()))
        .collect();
    assert_eq!(
        cases,
        [
            ("Greet/Happy", TestOutcome::Passed, Some("Greet/Happy")),
            ("Greet/Sad", TestOutcome::Failed, Some("Greet/Sad")),
        ],
        "the test cases of the machine in the editor, not Other's"
    );
    r.check("tests_panel");
}

/// A Step Functions Local mock file: two test cases of Greet, one of another machine that
/// mocks a state Greet does not have.
const SFN_LOCAL_MOCKS: &str = r#"{
  "StateMachines": {
    "Other": {"TestCases": {"Elsewhere": {"Not In Greet": "Hello"}}},
    "Greet": {"TestCases": {"Happy": {"Call": "Hello"}, "Sad": {"Call": "Oops"}}}
  },
  "MockedResponses": {
    "Hello": {"0": {"Return": "hello"}},
    "Oops": {"0": {"Throw": {"Error": "Sad", "Cause": "oops"}}}
  }
}"#;

use sfn_playground_data::protocol::TestRunRequest;

/// What a test file names that the page has no file for is said plainly, per case or for the
/// file; `machines` are the workspace's tabs; a test case named by its short name is the
/// picker's `MACHINE/CASE`.
#[test]
fn a_test_file_on_the_page_reads_the_editors_and_no_files() {
    use sfn_playground_data::protocol::TestOutcome;
    let mut service = Service::new();
    let mut ask =
        |request: TestRunRequest| match service.handle(ToWorker::RunTests { id: 1, request }) {
            FromWorker::TestResults { results, .. } => results,
            other => panic!("{other:?}"),
        };
    let request = |tests: &str| TestRunRequest {
        tests: tests.into(),
        definition: CALL.into(),
        mocks: SFN_LOCAL_MOCKS.into(),
        input: "{}".into(),
        name: "Greet".into(),
        machines: Vec::new(),
    };
    let results = ask(request(
        r#"{"stateMachine": "greet.asl.json", "cases": [
            {"name": "from a file", "inputFile": "in.json"},
            {"name": "named mocks", "mocks": "mocks.json"},
            {"name": "short name", "testCase": "Sad", "expect": {"status": "FAILED", "error": "Sad"}},
            {"name": "inline", "mocks": {"Functions": {"Greeter": [{"return": 1}]}}}
        ]}"#,
    ));
    let errors: Vec<(TestOutcome, Option<&str>)> = results
        .cases
        .iter()
        .map(|c| (c.outcome, c.error.as_deref()))
        .collect();
    assert_eq!(
        errors[0],
        (
            TestOutcome::Error,
            Some("inputFile 'in.json' cannot be read on the page, which has no files: give the case its input inline (`input`)")
        )
    );
    assert_eq!(
        errors[1],
        (
            TestOutcome::Error,
            Some("the mock file 'mocks.json' cannot be read on the page, which has no files: leave out the test file's `mocks` to use the Mocks editor, or write the mock file inline")
        )
    );
    assert_eq!(errors[2], (TestOutcome::Passed, None));
    assert_eq!(results.cases[2].test_case.as_deref(), Some("Greet/Sad"));
    assert!(!results.cases[2].own_mocks);
    assert_eq!(errors[3], (TestOutcome::Passed, None));
    assert!(results.cases[3].own_mocks);

    let template = ask(request(
        r#"{"stateMachine": {"template": "t.yaml"}, "cases": [{"name": "a"}]}"#,
    ));
    assert_eq!(
        template.problem.as_deref(),
        Some("stateMachine: the template 't.yaml' cannot be read on the page, which tests the definition in the editor: give `stateMachine` a file name")
    );
    let typo = ask(request(
        r#"{"stateMachine": "x", "cases": [{"name": "a", "expect": {"stauts": "FAILED"}}]}"#,
    ));
    assert!(
        typo.problem.as_deref().is_some_and(|p| p
            .starts_with("The test file is not valid: cases[0].expect: unknown field 'stauts'")),
        "{typo:?}"
    );
    let not_json = ask(request("{"));
    assert!(
        not_json
            .problem
            .as_deref()
            .is_some_and(|p| p.starts_with("The test file is not valid JSON")),
        "{not_json:?}"
    );
    let mut nothing = request("");
    nothing.mocks = String::new();
    assert!(ask(nothing)
        .problem
        .is_some_and(|p| p.starts_with("No tests to run")));

    // The workspace's state machines are the test file's `machines`.
    let parent = r#"{"StartAt": "Start Child", "States": {"Start Child": {"Type": "Task",
        "Resource": "arn:aws:states:::states:startExecution.sync:2",
        "Arguments": {"StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:Child"},
        "QueryLanguage": "JSONata", "Output": "{% $states.result.Output %}", "End": true}}}"#;
    let child = r#"{"StartAt": "Done", "States": {"Done": {"Type": "Pass", "Result": "from the child", "End": true}}}"#;
    let mut with_child = request(
        r#"{"stateMachine": "parent.asl.json", "mocks": null, "cases": [{"name": "starts the child", "expect": {"output": "from the child"}}]}"#,
    );
    with_child.definition = parent.into();
    with_child.machines = vec![sfn_playground_data::workspace::NamedMachine {
        name: "Child".into(),
        definition: child.into(),
    }];
    let results = ask(with_child);
    assert_eq!(results.problem, None);
    assert_eq!(
        results.cases[0].outcome,
        TestOutcome::Passed,
        "{:?}",
        results.cases[0]
    );
}

/// A run with no test case picked uses the first of its own state machine's, so a mock file's
/// test cases of other machines (even of states it does not have) never block it.
#[test]
fn a_run_uses_its_own_machines_test_case() {
    assert_eq!(
        sfn_worker::session::default_test_case(SFN_LOCAL_MOCKS, "Greet").as_deref(),
        Some("Greet/Happy")
    );
    assert_eq!(
        sfn_worker::session::default_test_case(SFN_LOCAL_MOCKS, "Nobody").as_deref(),
        Some("Other/Elsewhere")
    );
    let mut service = Service::new();
    let started = service.handle(ToWorker::Start {
        definition: CALL.into(),
        input: "{}".into(),
        mocks: SFN_LOCAL_MOCKS.into(),
        seed: 0,
        name: "Greet".into(),
        machines: Vec::new(),
        test_case: None,
    });
    assert!(matches!(started, FromWorker::Started { .. }), "{started:?}");
    let ended = advance_to_rest(&mut service);
    assert_eq!(ended.status.name, "SUCCEEDED", "{:?}", ended.status);
    assert_eq!(ended.status.output.as_deref(), Some("\"hello\""));
}
