//! Component tests in headless Chromium (wasm-bindgen-test): the history table, the inspector,
//! the editors' diagnostics and a run, each checked the way a user would see it. The engine's
//! answers are recorded ones (`common`); the worker's own tests are in crates/worker.

#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use sfn_playground::app::{format_json, Playground, Work};
use sfn_playground::history::HistoryTable;
use sfn_playground::inspector::Inspector;
use std::cell::RefCell;
use std::rc::Rc;

use sfn_playground::protocol::{EventRow, FromWorker, Mark, ToWorker, TraceView};
use sfn_playground::runner::{Phase, RunView, Runner};
use sfn_playground_data::history::EventClass;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

mod common;

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("a document")
}

/// The page's stylesheet, once: the table's virtualization depends on its fixed heights.
fn ensure_style() {
    let doc = document();
    if doc.get_element_by_id("playground-style").is_some() {
        return;
    }
    let style = doc.create_element("style").expect("style");
    style.set_id("playground-style");
    style.set_text_content(Some(include_str!("../../../style/main.css")));
    doc.head()
        .expect("head")
        .append_child(&style)
        .expect("append");
}

/// A fresh, sized host element in the page.
fn host(height: u32) -> web_sys::HtmlElement {
    ensure_style();
    let el: web_sys::HtmlElement = document()
        .create_element("div")
        .expect("div")
        .unchecked_into();
    el.set_attribute(
        "style",
        &format!("height:{height}px;width:1000px;display:flex;flex-direction:column"),
    )
    .expect("style");
    document()
        .body()
        .expect("body")
        .append_child(&el)
        .expect("append");
    el
}

fn texts(root: &web_sys::Element, selector: &str) -> Vec<String> {
    let list = root.query_selector_all(selector).expect("selector");
    (0..list.length())
        .filter_map(|i| list.item(i))
        .map(|n| n.text_content().unwrap_or_default())
        .collect()
}

fn count(root: &web_sys::Element, selector: &str) -> u32 {
    root.query_selector_all(selector)
        .expect("selector")
        .length()
}

async fn settle() {
    for _ in 0..3 {
        leptos::task::tick().await;
        gloo_timers_sleep(20).await;
    }
}

async fn gloo_timers_sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

fn event(id: u64, event_type: &str, step: Option<&str>, trace: Option<u32>) -> EventRow {
    EventRow {
        id,
        previous_event_id: id.saturating_sub(1),
        timestamp: 1_704_067_200_000 + id as i64 * 10,
        event_type: event_type.to_owned(),
        // As the worker classifies the types these tests use.
        class: match event_type {
            "ExecutionStarted" => EventClass::ExecutionStarted,
            t if t.ends_with("StateEntered") => EventClass::StateEntered,
            t if t.ends_with("Failed") => EventClass::Failed,
            _ => EventClass::WorkStarted,
        },
        step: step.map(str::to_owned),
        resource: None,
        trace,
        details: format!(
            r#"{{"stateEnteredEventDetails":{{"name":"S{id}","input":{{"n":{id}}}}}}}"#
        ),
        aws_event: String::new(),
    }
}

#[wasm_bindgen_test]
async fn history_renders_only_the_visible_rows_of_25000_events() {
    let view = RunView::new();
    view.start_ms.set(1_704_067_200_000);
    let events: Vec<EventRow> = (1..=25_000)
        .map(|id| {
            let t = if id % 2 == 0 {
                "PassStateExited"
            } else {
                "PassStateEntered"
            };
            event(id, t, Some(&format!("S{}", id % 7)), None)
        })
        .collect();
    view.events.set(events);
    let selected = RwSignal::new(None);
    let el = host(400);
    let _mounted = leptos::mount::mount_to(
        el.clone(),
        move || view! { <HistoryTable view=view selected=selected /> },
    );
    settle().await;
    let rows = count(&el, ".history-row");
    assert!(rows > 5 && rows < 80, "{rows} rows in the DOM");
    assert_eq!(
        texts(&el, "[data-testid=event-count]"),
        vec!["25,000 events"]
    );
    // It follows the tail: the last event is in view.
    let ids = texts(&el, ".history-row .id");
    assert!(
        ids.iter().any(|t| t.ends_with("25000")),
        "last rows: {ids:?}"
    );
}

#[wasm_bindgen_test]
async fn history_filters_by_type_and_state_and_expands_details() {
    let view = RunView::new();
    view.start_ms.set(1_704_067_200_000);
    view.events.set(vec![
        event(1, "ExecutionStarted", None, None),
        event(2, "TaskStateEntered", Some("Call API"), Some(0)),
        event(3, "LambdaFunctionFailed", Some("Call API"), Some(0)),
        event(4, "WaitStateEntered", Some("Wait and Try Later"), Some(1)),
    ]);
    let selected = RwSignal::new(None);
    let el = host(400);
    let _mounted = leptos::mount::mount_to(
        el.clone(),
        move || view! { <HistoryTable view=view selected=selected /> },
    );
    settle().await;
    assert_eq!(count(&el, ".history-row"), 4);

    let select: web_sys::HtmlSelectElement = el
        .query_selector("select")
        .unwrap()
        .unwrap()
        .unchecked_into();
    select.set_value("LambdaFunctionFailed");
    select
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    settle().await;
    assert_eq!(
        texts(&el, ".history-row .type"),
        vec!["LambdaFunctionFailed"]
    );
    assert_eq!(
        texts(&el, "[data-testid=event-count]"),
        vec!["1 of 4 events"]
    );
    select.set_value("");
    select
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();

    let input: web_sys::HtmlInputElement = el
        .query_selector("input[type=search]")
        .unwrap()
        .unwrap()
        .unchecked_into();
    input.set_value("wait");
    input
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    settle().await;
    assert_eq!(texts(&el, ".history-row .step"), vec!["Wait and Try Later"]);

    // Clicking a row selects its state visit and shows its details as formatted JSON text.
    let row: web_sys::HtmlElement = el
        .query_selector(".history-row")
        .unwrap()
        .unwrap()
        .unchecked_into();
    row.click();
    settle().await;
    assert_eq!(selected.get_untracked(), Some(1));
    let detail = texts(&el, ".history-detail").concat();
    assert!(
        detail.contains("\"stateEnteredEventDetails\": {"),
        "{detail}"
    );
    assert!(detail.contains("\"n\": 4"), "{detail}");
}

#[wasm_bindgen_test]
async fn history_shows_user_data_as_text_not_html() {
    let view = RunView::new();
    let mut row = event(
        1,
        "PassStateEntered",
        Some("<img src=x onerror=alert(1)>"),
        Some(0),
    );
    row.details = r#"{"x":"<b>bold</b>"}"#.into();
    view.events.set(vec![row]);
    let selected = RwSignal::new(None);
    let el = host(300);
    let _mounted = leptos::mount::mount_to(
        el.clone(),
        move || view! { <HistoryTable view=view selected=selected /> },
    );
    settle().await;
    assert_eq!(count(&el, "img"), 0);
    assert_eq!(
        texts(&el, ".history-row .step"),
        vec!["<img src=x onerror=alert(1)>"]
    );
}

fn trace(index: u32, name: &str, output: Option<&str>) -> TraceView {
    TraceView {
        index,
        state_name: name.to_owned(),
        entered_event_id: u64::from(index) + 2,
        stages: vec![
            (
                "Input".into(),
                Some("{\n  \"statuscode\": \"429\"\n}".into()),
            ),
            ("After InputPath".into(), Some("{}".into())),
            ("Output".into(), output.map(str::to_owned)),
        ],
        errors: Vec::new(),
        child: None,
    }
}

#[wasm_bindgen_test]
async fn inspector_shows_every_stage_and_steps_through_visits() {
    let view = RunView::new();
    let mut first = trace(0, "Call API", None);
    first.errors.push(sfn_playground::protocol::ErrorView {
        error: "TooManyRequestsException".into(),
        cause: "429 Too Many Requests".into(),
        handling: "Retried after 1 s (Retry #1, attempt 1)".into(),
    });
    view.traces.set(vec![
        first,
        trace(1, "Wait", Some("{}")),
        trace(2, "Call API", Some("\"200 OK\"")),
    ]);
    let selected = RwSignal::new(Some(0));
    let el = host(600);
    let _mounted = leptos::mount::mount_to(
        el.clone(),
        move || view! { <Inspector view=view selected=selected focus=RwSignal::new(None) events_of=RwSignal::new(None) answer=Callback::new(|_| ()) /> },
    );
    settle().await;
    assert_eq!(
        texts(&el, "[data-testid=inspector-state]"),
        vec!["Call API"]
    );
    let summaries = texts(&el, ".stage summary");
    assert_eq!(summaries.len(), 3);
    assert!(summaries[2].starts_with("Output") && summaries[2].contains("not reached"));
    let errors = texts(&el, "[data-testid=inspector-errors]").concat();
    assert!(
        errors.contains("TooManyRequestsException") && errors.contains("Retried after 1 s"),
        "{errors}"
    );
    let number: web_sys::HtmlInputElement = el
        .query_selector("[data-testid=visit-number]")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert_eq!(number.value(), "1");
    assert!(el.text_content().unwrap_or_default().contains("/2"));

    let next: web_sys::HtmlElement = el
        .query_selector("[aria-label='Next visit']")
        .unwrap()
        .unwrap()
        .unchecked_into();
    next.click();
    settle().await;
    assert_eq!(selected.get_untracked(), Some(2));
    assert!(texts(&el, ".stage pre").iter().any(|t| t == "\"200 OK\""));
    // Visit 1 again, by its number.
    number.set_value("1");
    number
        .dispatch_event(&web_sys::Event::new("change").expect("event"))
        .expect("dispatch");
    settle().await;
    assert_eq!(selected.get_untracked(), Some(0));
}

/// The element `selector` in `el`, as `T`.
fn element<T: JsCast>(el: &web_sys::Element, selector: &str) -> T {
    el.query_selector(selector)
        .expect("selector")
        .unwrap_or_else(|| panic!("no {selector}"))
        .unchecked_into()
}

/// Types `text` into the input or textarea `selector`, as a user would (an input event).
fn type_into(el: &web_sys::Element, selector: &str, text: &str) {
    let target: web_sys::HtmlElement = element(el, selector);
    if let Some(area) = target.dyn_ref::<web_sys::HtmlTextAreaElement>() {
        area.set_value(text);
    } else if let Some(input) = target.dyn_ref::<web_sys::HtmlInputElement>() {
        input.set_value(text);
    }
    target
        .dispatch_event(&web_sys::Event::new("input").expect("event"))
        .expect("dispatch");
}

/// "Test this state" from the inspector, with the engine's answers recorded by the worker's
/// tests (crates/worker/tests/service.rs, `the_service_tests_one_state_as_test_state_does`):
/// the form starts from the visit; a mocked error is RETRIABLE, invalid input is told under
/// the input, and a mocked result is SUCCEEDED on to OK.
#[wasm_bindgen_test]
async fn inspector_tests_the_visits_state_as_test_state_does() {
    use sfn_playground::test_state::StateTester;
    let view = RunView::new();
    view.traces.set(vec![trace(0, "Call API", None)]);
    let selected = RwSignal::new(Some(0));
    let runner = local_runner(view, "test_state");
    let definition = sfn_playground::examples::find("tutorial")
        .expect("the tutorial")
        .definition
        .to_owned();
    let tester = StateTester {
        runner,
        definition: Signal::stored(definition),
    };
    let el = host(600);
    let _mounted = leptos::mount::mount_to(
        el.clone(),
        move || view! { <Inspector view=view selected=selected focus=RwSignal::new(None) events_of=RwSignal::new(None) answer=Callback::new(|_| ()) tester=tester /> },
    );
    settle().await;
    click(&el, "[data-testid=test-state-open]");
    until("the engine's word on the state", || {
        count(&el, "[data-testid=test-state-mock]") == 1
    })
    .await;
    assert_eq!(
        texts(&el, "[data-testid=test-state-name]"),
        vec!["Call API"]
    );
    // A state that takes a mock takes a Context object too, blank to start with.
    let context: web_sys::HtmlTextAreaElement = element(&el, "[data-testid=test-state-context]");
    assert_eq!(context.value(), "");
    let input: web_sys::HtmlTextAreaElement = element(&el, "[data-testid=test-state-input]");
    assert_eq!(input.value(), "{\n  \"statuscode\": \"429\"\n}");

    let error_choice: web_sys::HtmlInputElement =
        element(&el, "[data-testid=test-state-mock-error-choice]");
    error_choice.set_checked(true);
    error_choice
        .dispatch_event(&web_sys::Event::new("change").expect("event"))
        .expect("dispatch");
    settle().await;
    type_into(
        &el,
        "[data-testid=test-state-mock-error]",
        "TooManyRequestsException",
    );
    type_into(
        &el,
        "[data-testid=test-state-mock-cause]",
        "429 Too Many Requests",
    );
    click(&el, "[data-testid=test-state-run]");
    until("RETRIABLE", || {
        texts(&el, "[data-testid=test-state-status]") == ["RETRIABLE"]
    })
    .await;
    assert_eq!(
        texts(&el, "[data-testid=test-state-answer-error]"),
        vec!["TooManyRequestsException"]
    );

    type_into(&el, "[data-testid=test-state-input]", "{\"statuscode\": ");
    click(&el, "[data-testid=test-state-run]");
    until("the input's problem", || {
        count(&el, "[data-testid=test-state-error]") == 1
    })
    .await;
    let problem: web_sys::HtmlElement = element(&el, "[data-testid=test-state-error]");
    assert!(problem
        .text_content()
        .unwrap_or_default()
        .starts_with("The input is not valid JSON"));
    assert_eq!(count(&el, "[data-testid=test-state-status]"), 0);
    // Under the input.
    let above = problem
        .previous_element_sibling()
        .and_then(|e| e.query_selector("textarea").ok().flatten())
        .and_then(|e| e.get_attribute("data-testid"));
    assert_eq!(above.as_deref(), Some("test-state-input"));

    // The input as it was, with a mocked result.
    type_into(
        &el,
        "[data-testid=test-state-input]",
        "{\n  \"statuscode\": \"429\"\n}",
    );

    let result_choice: web_sys::HtmlInputElement =
        element(&el, "[data-testid=test-state-mock-result-choice]");
    result_choice.set_checked(true);
    result_choice
        .dispatch_event(&web_sys::Event::new("change").expect("event"))
        .expect("dispatch");
    settle().await;
    type_into(&el, "[data-testid=test-state-mock-result]", "\"200 OK\"");
    click(&el, "[data-testid=test-state-run]");
    until("SUCCEEDED", || {
        texts(&el, "[data-testid=test-state-status]") == ["SUCCEEDED"]
    })
    .await;
    assert_eq!(texts(&el, "[data-testid=test-state-next]"), vec!["OK"]);

    click(&el, "[data-testid=test-state-close]");
    settle().await;
    assert_eq!(count(&el, "[data-testid=test-state]"), 0);
}

/// A runner whose engine answers from the recorded conversation `name` (see `common`), on the
/// test's own thread (the worker script is not served to component tests). Answers still
/// arrive asynchronously.
fn local_runner(run_view: RunView, name: &'static str) -> StoredValue<Runner, LocalStorage> {
    StoredValue::new_local(Runner::local(run_view, move || {
        Box::new(common::replay(name))
    }))
}

/// Waits (up to two seconds) until `done` holds.
async fn until(what: &str, done: impl Fn() -> bool) {
    for _ in 0..100 {
        if done() {
            return;
        }
        settle().await;
    }
    panic!("timed out waiting for {what}");
}

#[wasm_bindgen_test]
async fn page_shows_editors_and_the_definition_diagnostics() {
    let work = Work::starter();
    work.definition
        .set(r#"{"StartAt": "Nowhere", "States": {"A": {"Type": "Pass", "End": true}}}"#.into());
    let run_view = RunView::new();
    let runner = local_runner(run_view, "diagnostics");
    let el = host(800);
    let _mounted = leptos::mount::mount_to(
        el.clone(),
        move || view! { <Playground work=work run_view=run_view runner=runner /> },
    );
    // The page renders its editors before the engine has answered.
    leptos::task::tick().await;
    assert_eq!(
        count(&el, ".cm-editor"),
        4,
        "four CodeMirror editors: definition, input, mocks, tests"
    );
    until("the engine's diagnostics", || {
        texts(&el, "[data-testid=problems] li")
            .concat()
            .contains("Nowhere")
    })
    .await;
    settle().await;
    assert!(count(&el, "[data-testid=definition-editor] .cm-lintRange-error") >= 1);
    assert!(!run_view.phase.get_untracked().is_active());
    // The definition could not be read: no graph yet.
    assert_eq!(count(&el, "g.sfn-state"), 0);

    // Typing a fix clears the diagnostic after the debounce, and the graph appears.
    work.definition
        .set(r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}"#.into());
    until("the fix", || {
        texts(&el, "[data-testid=diagnostic-count]") == vec!["No problems"]
    })
    .await;
    until("the graph", || count(&el, "g.sfn-state[data-state=A]") == 1).await;

    // A broken text keeps the last good graph.
    work.definition
        .set(r#"{"StartAt": "A", "States": {"#.into());
    until("the syntax error", || {
        texts(&el, "[data-testid=diagnostic-count]") != vec!["No problems"]
    })
    .await;
    assert_eq!(count(&el, "g.sfn-state[data-state=A]"), 1);
}

#[wasm_bindgen_test]
async fn page_runs_with_starter_mocks_and_lights_up_the_graph() {
    let work = Work::starter();
    work.definition.set(
        r#"{"StartAt": "Call", "States": {"Call": {"Type": "Task",
        "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Greeter", "End": true}}}"#
            .into(),
    );
    work.mocks.set(String::new());
    work.input.set("{}".into());
    let run_view = RunView::new();
    let runner = local_runner(run_view, "starter_mocks");
    let el = host(800);
    let _mounted = leptos::mount::mount_to(
        el.clone(),
        move || view! { <Playground work=work run_view=run_view runner=runner /> },
    );
    until("the graph", || {
        count(&el, "g.sfn-state[data-state=Call]") == 1
    })
    .await;

    // The engine adds a starting mock when the run starts, and the run succeeds with it.
    let run_button: web_sys::HtmlElement = el
        .query_selector("[data-testid=run]")
        .expect("selector")
        .expect("a Run button")
        .unchecked_into();
    run_button.click();
    until("the run", || {
        matches!(run_view.phase.get_untracked(), Phase::Finished(_))
    })
    .await;
    assert!(
        work.mocks.get_untracked().contains("Greeter"),
        "{}",
        work.mocks.get_untracked()
    );
    until("the graph's colours", || {
        el.query_selector("g.sfn-state[data-state=Call]")
            .ok()
            .flatten()
            .and_then(|n| n.get_attribute("data-status"))
            .as_deref()
            == Some("succeeded")
    })
    .await;
    assert!(texts(&el, "[data-testid=run-problems] li")
        .concat()
        .contains("starting mock"));

    // "Add starter mocks" on a mock file that lacks one completes it; the mocks' check follows.
    work.mocks
        .set(r#"{"Functions": {"Other": [{"return": 1}]}}"#.into());
    let button: web_sys::HtmlElement = el
        .query_selector("[data-testid=starter-mocks]")
        .expect("selector")
        .expect("the button")
        .unchecked_into();
    button.click();
    until("the completed mocks", || {
        let mocks = work.mocks.get_untracked();
        mocks.contains("Other") && mocks.contains("Greeter")
    })
    .await;
    until("the mocks' check", || {
        run_view.mocks_marks.with_untracked(Vec::is_empty)
    })
    .await;
}

fn status_of(el: &web_sys::Element, state: &str) -> Option<String> {
    el.query_selector(&format!("g.sfn-state[data-state={state}]"))
        .ok()
        .flatten()
        .and_then(|n| n.get_attribute("data-status"))
}

/// Clicks the element (an HTML button or an SVG state) as a user would: a bubbling click.
fn click(el: &web_sys::Element, selector: &str) {
    let target = el
        .query_selector(selector)
        .expect("selector")
        .unwrap_or_else(|| panic!("no {selector}"));
    let init = web_sys::MouseEventInit::new();
    init.set_bubbles(true);
    let event = web_sys::MouseEvent::new_with_mouse_event_init_dict("click", &init).expect("click");
    target.dispatch_event(&event).expect("dispatch");
}

#[wasm_bindgen_test]
async fn page_steps_through_a_fanout_and_shows_one_iteration() {
    let work = Work::starter();
    // The fan-out the worker's tests recorded (crates/worker/tests/service.rs, `FANOUT`).
    work.definition.set(common::started_definition("fanout"));
    work.mocks.set(String::new());
    work.input.set(r#"{"items": [1, 2, 3]}"#.into());
    let run_view = RunView::new();
    let runner = local_runner(run_view, "fanout");
    let el = host(900);
    let _mounted = leptos::mount::mount_to(
        el.clone(),
        move || view! { <Playground work=work run_view=run_view runner=runner /> },
    );
    until("the graph", || {
        count(&el, "g.sfn-state[data-state=Nap]") == 1
    })
    .await;

    // Step by step: the slow branch waits while the Map's iterations run, so both are in
    // progress at once, and the events come in time order.
    let mut both_in_progress = false;
    for step in 1..=30 {
        click(&el, "[data-testid=step]");
        until("the step", || {
            run_view.steps.get_untracked() >= step
                || matches!(run_view.phase.get_untracked(), Phase::Finished(_))
        })
        .await;
        settle().await;
        both_in_progress |= status_of(&el, "Slow").as_deref() == Some("in-progress")
            && status_of(&el, "Nap").as_deref() == Some("in-progress");
        if matches!(run_view.phase.get_untracked(), Phase::Finished(_)) {
            break;
        }
    }
    assert!(matches!(run_view.phase.get_untracked(), Phase::Finished(_)));
    assert!(
        both_in_progress,
        "Slow and Nap were never in progress at once"
    );
    let times: Vec<i64> = run_view
        .events
        .with_untracked(|e| e.iter().map(|e| e.timestamp).collect());
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
    // Bad failed the Map, which stopped Nap in iteration 0 and the slow branch; the
    // Parallel's Catch went on.
    for (state, status) in [
        ("Bad", "failed"),
        ("Nap", "cancelled"),
        ("Slow", "cancelled"),
        ("Each", "failed"),
        ("Fan", "caught"),
        ("Recover", "succeeded"),
    ] {
        assert_eq!(status_of(&el, state).as_deref(), Some(status), "{state}");
    }

    // The Map's visit lists its iterations; one is picked by index.
    click(&el, "g.sfn-state[data-state=Each]");
    until("the iterations", || {
        count(&el, "[data-testid=inspector-children]") == 1
    })
    .await;
    assert_eq!(
        texts(&el, "[data-testid=children-summary]"),
        vec!["2 iterations started: 1 failed, 1 aborted"]
    );
    let index: web_sys::HtmlInputElement = el
        .query_selector("[data-testid=child-index]")
        .expect("selector")
        .expect("the index box")
        .unchecked_into();
    index.set_value("0");
    index
        .dispatch_event(&web_sys::Event::new("change").expect("event"))
        .expect("dispatch");
    until("iteration 0", || {
        texts(&el, "[data-testid=child-status]") == ["ABORTED"]
    })
    .await;
    assert_eq!(texts(&el, "[data-testid=child-input]"), vec!["1"]);
    assert_eq!(status_of(&el, "Nap").as_deref(), Some("cancelled"));
    assert_eq!(status_of(&el, "Bad").as_deref(), Some("not-run"));

    click(&el, "[data-testid=first-failed]");
    until("iteration 1", || {
        texts(&el, "[data-testid=child-status]") == ["FAILED"]
    })
    .await;
    assert_eq!(texts(&el, "[data-testid=child-input]"), vec!["2"]);
    assert!(el.text_content().unwrap_or_default().contains("no twos"));
    // The graph shows that iteration alone: it went to Bad and never to Nap.
    assert!(texts(&el, "[data-testid=graph-focus]")
        .concat()
        .contains("iteration 1 of Each"));
    assert_eq!(status_of(&el, "Bad").as_deref(), Some("failed"));
    assert_eq!(status_of(&el, "Nap").as_deref(), Some("not-run"));
    assert_eq!(status_of(&el, "Slow").as_deref(), Some("cancelled"));

    // Its own events: the visits of Check and Bad in that iteration.
    click(&el, "[data-testid=child-events]");
    until("the filter", || {
        count(&el, "[data-testid=history-only]") == 1
    })
    .await;
    let steps = texts(&el, ".history-row .step");
    assert_eq!(steps, vec!["Check", "Check", "Bad"], "{steps:?}");

    // A visit in the iteration says where it ran; its link goes back to the Map's visit.
    click(&el, ".history-row[data-event-type=FailStateEntered]");
    until("Bad's visit", || {
        texts(&el, "[data-testid=inspector-state]") == ["Bad"]
    })
    .await;
    let place = texts(&el, "[data-testid=inspector-place] button");
    assert_eq!(place, vec!["Fan › Branch 1", "Each › Iteration 1"]);
}

#[wasm_bindgen_test]
async fn answers_about_older_text_are_ignored() {
    let run_view = RunView::new();
    // An engine that answers every check with a mark naming the text it checked.
    let runner = Runner::local(run_view, || {
        Box::new(|request| match request {
            ToWorker::CheckDefinition { id, text } => FromWorker::DefinitionChecked {
                id,
                marks: vec![Mark {
                    line: 1,
                    column: 1,
                    severity: "error".into(),
                    message: text,
                }],
                layout: None,
            },
            other => panic!("unexpected {other:?}"),
        })
    });
    // Asked before the worker is ready: only the latest text is checked.
    runner.check_definition("one".into());
    runner.check_definition("two".into());
    let seen = Rc::new(RefCell::new(Vec::new()));
    let seen_in_effect = seen.clone();
    let _effect = Effect::new(move |_| {
        let marks = run_view.definition_marks.get();
        seen_in_effect
            .borrow_mut()
            .extend(marks.into_iter().map(|m| m.message));
    });
    until("the answer", || run_view.checked.get_untracked()).await;
    // Once ready: two checks in flight, the older answer arrives first and is dropped.
    runner.check_definition("three".into());
    runner.check_definition("four".into());
    settle().await;
    settle().await;
    assert_eq!(*seen.borrow(), vec!["two".to_owned(), "four".to_owned()]);
}

#[wasm_bindgen_test]
fn format_reindents_and_rejects_invalid_json() {
    assert_eq!(
        format_json(r#"{"b":1,"a":[1,2]}"#).unwrap(),
        "{\n  \"b\": 1,\n  \"a\": [\n    1,\n    2\n  ]\n}\n"
    );
    assert!(format_json("{")
        .unwrap_err()
        .starts_with("Cannot format: invalid JSON"));
}

/// The Tests panel replays the worker's answers recorded by its tests
/// (crates/worker/tests/service.rs, `the_service_runs_the_tests_panels_test_file`): the
/// tutorial's tests pass at 100%; with the 503 case removed, the Coverage toggle greys out
/// Server Unavailable.
#[wasm_bindgen_test]
async fn the_tests_panel_runs_the_tutorials_tests_and_greys_what_no_case_reached() {
    let work = Work::starter();
    let run_view = RunView::new();
    let runner = local_runner(run_view, "tests_panel");
    let el = host(900);
    let _mounted = leptos::mount::mount_to(
        el.clone(),
        move || view! { <Playground work=work run_view=run_view runner=runner /> },
    );
    until("the graph", || {
        count(&el, "g.sfn-state[data-state='Server Unavailable']") == 1
    })
    .await;
    click(&el, "[data-testid=tab-tests-panel]");
    click(&el, "[data-testid=run-tests]");
    let summary = || texts(&el, "[data-testid=tests-summary]").concat();
    until("the results", || summary().starts_with("4 passed")).await;
    assert_eq!(
        summary(),
        "4 passed, 0 failed · coverage 100% (states 6/6, transitions 6/6, retriers 1/1)"
    );
    assert_eq!(
        count(&el, "[data-testid=test-case][data-outcome=passed]"),
        4
    );

    let mut suite: serde_json::Value =
        serde_json::from_str(&work.tests.get_untracked()).expect("the tutorial's tests");
    suite["cases"].as_array_mut().expect("cases").remove(2);
    work.tests
        .set(serde_json::to_string_pretty(&suite).expect("JSON"));
    settle().await;
    click(&el, "[data-testid=run-tests]");
    until("the results", || summary().starts_with("3 passed")).await;
    let toggle: web_sys::HtmlInputElement = el
        .query_selector("[data-testid=coverage-toggle]")
        .expect("selector")
        .expect("the toggle")
        .unchecked_into();
    toggle.set_checked(true);
    toggle
        .dispatch_event(&web_sys::Event::new("change").expect("change"))
        .expect("dispatch");
    settle().await;
    assert_eq!(
        texts(&el, "g.sfn-state.uncovered .sfn-node-name"),
        vec!["Server Unavailable"]
    );
    assert_eq!(count(&el, "g.sfn-edge.uncovered"), 1);
}
