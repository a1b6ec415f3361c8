//! "Test this state", as the AWS console's TestState: one state of the definition in the
//! editor run alone by the engine (AWS's TestState API, offline), with an input, variables, a
//! mocked result or error for a Task, Map or Parallel state, its Context object and the
//! retries its retrier has made; the answer is TestState's (status, output, error, cause,
//! nextState, inspectionData).
//!
//! The form starts from the inspected visit (its input and variables, the state's result). It
//! only gathers texts: the worker reads them, says which state takes a mock, and names the
//! field of any problem, which is shown under that field.

use leptos::prelude::*;

use crate::protocol::{
    TestStateField, TestStateMockView, TestStateRequestView, TestStateResponseView, TraceView,
    INPUT_STAGE, INSPECTION_LEVELS, RESULT_STAGE, VARIABLES_STAGE,
};
use crate::runner::{RunView, Runner, TestStateOutcome};

/// What testing a state needs from the page: the engine, and the definition in the editor.
#[derive(Clone, Copy)]
pub struct StateTester {
    pub runner: StoredValue<Runner, LocalStorage>,
    pub definition: Signal<String>,
}

impl StateTester {
    /// Opens the test of the visit `trace`'s state: the engine is asked about the state in the
    /// editor's definition, and the form starts from the visit's texts.
    pub fn open(&self, trace: &TraceView) -> TestSeed {
        let seed = TestSeed::from_visit(trace);
        let definition = self.definition.get_untracked();
        let name = seed.state_name.clone();
        self.runner
            .with_value(|r| r.open_test_state(definition, name));
        seed
    }
}

/// What the form starts with.
#[derive(Debug, Clone, PartialEq)]
pub struct TestSeed {
    pub state_name: String,
    /// Pretty JSON text.
    pub input: String,
    /// A JSON object's text, or empty.
    pub variables: String,
    /// The mocked result's text.
    pub result: String,
}

impl TestSeed {
    /// The visit's input, the variables it saw and the result it got.
    pub fn from_visit(trace: &TraceView) -> TestSeed {
        let text =
            |label: &str, default: &str| trace.stage_text(label).unwrap_or(default).to_owned();
        TestSeed {
            state_name: trace.state_name.clone(),
            input: text(INPUT_STAGE, "{}"),
            variables: text(VARIABLES_STAGE, ""),
            result: text(RESULT_STAGE, "{}"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MockKind {
    Result,
    Error,
}

/// The dialog testing a state.
#[component]
pub fn TestStatePanel(
    view: RunView,
    tester: StateTester,
    seed: TestSeed,
    close: Callback<()>,
) -> impl IntoView {
    let state_name = seed.state_name.clone();
    let input = RwSignal::new(seed.input);
    let variables = RwSignal::new(seed.variables);
    let context = RwSignal::new(String::new());
    let mock_kind = RwSignal::new(MockKind::Result);
    let result = RwSignal::new(seed.result);
    let error = RwSignal::new(String::new());
    let cause = RwSignal::new(String::new());
    let retries = RwSignal::new(0u32);
    let level = RwSignal::new("DEBUG".to_owned());
    let form = view.test_state_form;
    // The dialog takes the focus when it opens; Escape closes it wherever the focus is.
    let dialog = NodeRef::<leptos::html::Section>::new();
    Effect::new(move |_| {
        if let Some(dialog) = dialog.get() {
            let _ = dialog.focus();
        }
    });
    let escape = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "Escape" {
            close.run(());
        }
    });
    on_cleanup(move || escape.remove());
    let takes_mock = move || form.with(|f| f.as_ref().is_some_and(|f| f.takes_mock));

    let test = {
        let state_name = state_name.clone();
        move || {
            let mock = takes_mock().then(|| match mock_kind.get_untracked() {
                MockKind::Result => TestStateMockView::Result {
                    result: result.get_untracked(),
                },
                MockKind::Error => TestStateMockView::Error {
                    error: error.get_untracked(),
                    cause: cause.get_untracked(),
                },
            });
            let request = TestStateRequestView {
                definition: tester.definition.get_untracked(),
                state_name: state_name.clone(),
                input: input.get_untracked(),
                variables: variables.get_untracked(),
                // AWS takes a Context object only with a mock.
                context: if takes_mock() {
                    context.get_untracked()
                } else {
                    String::new()
                },
                mock,
                retrier_retry_count: if takes_mock() {
                    retries.get_untracked()
                } else {
                    0
                },
                inspection_level: level.get_untracked(),
            };
            tester.runner.with_value(|r| r.test_state(request));
        }
    };
    // The problem of one field, shown under it.
    let problem_of = move |field: TestStateField| {
        move || {
            view.test_state_answer.with(|answer| match answer {
                Some(TestStateOutcome::Refused(p)) if p.field == Some(field) => {
                    Some(view! { <p class="problem" role="alert" data-testid="test-state-error">{p.message.clone()}</p> })
                }
                _ => None,
            })
        }
    };
    let text_area = |label: &'static str,
                     test_id: &'static str,
                     rows: &'static str,
                     value: RwSignal<String>| {
        view! {
            <label class="test-state-field">
                <span class="muted">{label}</span>
                <textarea rows=rows spellcheck="false" data-testid=test_id aria-label=label
                    prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))></textarea>
            </label>
        }
    };

    view! {
        <div class="test-state-backdrop" on:click=move |_| close.run(())></div>
        <section class="test-state" role="dialog" aria-modal="true" aria-label="Test this state" data-testid="test-state"
            tabindex="-1" node_ref=dialog>
            <div class="pane-toolbar">
                <h2>"Test state"</h2>
                <span class="state-name" data-testid="test-state-name">{state_name.clone()}</span>
                <button class="small" data-testid="test-state-close" on:click=move |_| close.run(()) aria-label="Close the test">"Close"</button>
            </div>
            <div class="test-state-body">
                <p class="muted test-state-about">
                    "Runs this state alone, as AWS's TestState API does, from the definition in the editor. Nothing else runs and no service is called."
                </p>
                {move || form.with(|f| f.as_ref().and_then(|f| f.problem.clone())).map(|p| view! {
                    <p class="problem" role="alert" data-testid="test-state-form-problem">{p}</p>
                })}
                {text_area("Input (JSON)", "test-state-input", "6", input)}
                {problem_of(TestStateField::Input)}
                {text_area("Variables (a JSON object; blank: none)", "test-state-variables", "3", variables)}
                {problem_of(TestStateField::Variables)}
                <Show when=takes_mock>
                    <fieldset class="test-state-mock" data-testid="test-state-mock">
                        <legend>"The mocked answer (a Task's call; a Map's or Parallel's whole result)"</legend>
                        <div class="test-state-choice">
                            <label>
                                <input type="radio" name="test-state-mock" data-testid="test-state-mock-result-choice"
                                    prop:checked=move || mock_kind.get() == MockKind::Result
                                    on:change=move |_| mock_kind.set(MockKind::Result) />
                                " Result"
                            </label>
                            <label>
                                <input type="radio" name="test-state-mock" data-testid="test-state-mock-error-choice"
                                    prop:checked=move || mock_kind.get() == MockKind::Error
                                    on:change=move |_| mock_kind.set(MockKind::Error) />
                                " Error"
                            </label>
                        </div>
                        <Show when=move || mock_kind.get() == MockKind::Result>
                            {text_area("Result (JSON)", "test-state-mock-result", "3", result)}
                            {problem_of(TestStateField::MockResult)}
                        </Show>
                        <Show when=move || mock_kind.get() == MockKind::Error>
                            <div class="test-state-row">
                                <input placeholder="Error (e.g. States.TaskFailed)" aria-label="Mocked error" data-testid="test-state-mock-error"
                                    prop:value=move || error.get() on:input=move |ev| error.set(event_target_value(&ev)) />
                                <input placeholder="Cause" aria-label="Mocked cause" data-testid="test-state-mock-cause"
                                    prop:value=move || cause.get() on:input=move |ev| cause.set(event_target_value(&ev)) />
                            </div>
                            {problem_of(TestStateField::MockError)}
                        </Show>
                        <label class="test-state-row" title="stateConfiguration.retrierRetryCount: the retries the retrier taking the error has already made">
                            <span class="muted">"Retries the retrier has made"</span>
                            <input type="number" min="0" step="1" class="test-state-retries" data-testid="test-state-retry-count"
                                prop:value=move || retries.get().to_string()
                                on:change=move |ev| retries.set(event_target_value(&ev).trim().parse().unwrap_or(0)) />
                        </label>
                    </fieldset>
                    {text_area("Context object (JSON merged over the engine's $$; blank: none)", "test-state-context", "3", context)}
                    {problem_of(TestStateField::Context)}
                </Show>
                <div class="test-state-row">
                    <label>
                        <span class="muted">"Inspection level "</span>
                        <select data-testid="test-state-level" aria-label="Inspection level"
                            prop:value=move || level.get() on:change=move |ev| level.set(event_target_value(&ev))>
                            {INSPECTION_LEVELS.iter().map(|l| view! { <option value=*l>{*l}</option> }).collect_view()}
                        </select>
                    </label>
                    {problem_of(TestStateField::InspectionLevel)}
                    <span class="spacer"></span>
                    // Never disabled (that would drop the focus): a new test supersedes one not
                    // answered yet.
                    <button class="primary" data-testid="test-state-run" on:click=move |_| test()>"Test"</button>
                </div>
                <div class="test-state-answer" data-testid="test-state-answer" aria-live="polite">
                    {move || if view.test_state_pending.get() {
                        Some(view! { <p class="muted">"Testing…"</p> }.into_any())
                    } else {
                        view.test_state_answer.get().and_then(|answer| match answer {
                            TestStateOutcome::Response(response) => Some(response_view(response).into_any()),
                            TestStateOutcome::Refused(p) if p.field.is_none() => Some(view! {
                                <p class="problem" role="alert" data-testid="test-state-error">{p.message}</p>
                            }.into_any()),
                            TestStateOutcome::Refused(_) => None,
                        })
                    }}
                </div>
            </div>
        </section>
    }
}

/// TestState's response, field by field as AWS names them.
fn response_view(r: TestStateResponseView) -> impl IntoView {
    let chip = match r.status.as_str() {
        "SUCCEEDED" => "chip succeeded",
        "FAILED" => "chip failed",
        _ => "chip caught",
    };
    let json = |name: &'static str, test_id: &'static str, text: Option<String>| {
        text.map(|text| {
            view! {
                <details class="stage" open=true>
                    <summary>{name}</summary>
                    <pre data-testid=test_id>{text}</pre>
                </details>
            }
        })
    };
    view! {
        <div class="test-state-status">
            <span class="muted">"status "</span>
            <span class=chip data-testid="test-state-status">{r.status.clone()}</span>
            {r.next_state.map(|next| view! {
                <span class="muted">" nextState "</span>
                <strong data-testid="test-state-next">{next}</strong>
            })}
        </div>
        {r.error.map(|error| view! {
            <div class="errors">
                <div><span class="muted">"error "</span><strong class="error-name" data-testid="test-state-answer-error">{error}</strong></div>
                {r.cause.map(|cause| view! { <div class="cause" data-testid="test-state-answer-cause">{cause}</div> })}
            </div>
        })}
        {json("output", "test-state-output", r.output)}
        {json("inspectionData", "test-state-inspection", r.inspection_data)}
        <details class="stage">
            <summary>"The response as AWS returns it"</summary>
            <pre data-testid="test-state-aws">{r.aws_json}</pre>
        </details>
    }
}
