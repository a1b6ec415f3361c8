//! The execution input, the mock file and the test file, in tabs: the example's scenarios above
//! the input; Import, starter mocks and Export above the mocks; what a test file on the page
//! reads above the tests (the Tests panel beside the history runs them).

use leptos::prelude::*;

use super::editors_pane::ProblemList;
use super::{badge, debounced_marks, export, input_marks, Work};
use crate::editor::{CodeEditor, FocusRequest};
use crate::examples;
use crate::runner::{RunView, Runner};

/// What the run wrote to the mocked S3 (the buckets and objects it reads are declared in the
/// mock file's `S3` section), newest last, each expandable and downloadable.
#[component]
fn S3Written(view: RunView, notice: RwSignal<Option<String>>) -> impl IntoView {
    view! {
        {move || if view.s3_writes.with(Vec::is_empty) {
            view! {
                <p class="empty">"Nothing written yet. A Map's ResultWriter (and S3 PutObject tasks) write here; declare the objects a run reads in the mock file's \"S3\" section."</p>
            }.into_any()
        } else {
            view! {
                <ul class="s3-objects">
                    {view.s3_writes.get().into_iter().map(|o| {
                        let name = o.key.rsplit('/').next().unwrap_or("object").to_owned();
                        let text = o.text.clone();
                        view! {
                            <li data-testid="s3-object">
                                <details>
                                    <summary>
                                        <code>{format!("s3://{}/{}", o.bucket, o.key)}</code>
                                        <span class="muted">{format!(" {} bytes", crate::format::count(o.size as usize))}</span>
                                    </summary>
                                    <pre>{o.text.clone()}</pre>
                                    {o.truncated.then(|| view! { <p class="muted">"Only its first 64 KiB reached the page: that is what is shown and downloaded."</p> })}
                                </details>
                                <button class="small" on:click=move |_| export_text(notice, &name, &text) title="Download this object">"Download"</button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
    }
}

fn export_text(notice: RwSignal<Option<String>>, name: &str, text: &str) {
    if let Err(e) = super::download(name, "application/octet-stream", text) {
        notice.set(Some(e));
    }
}

/// The test case a Run uses when none is picked (as the engine's worker picks it): the first
/// of the state machine `shown` (`shown/CASE`), else the first.
pub fn default_test_case(cases: &[String], shown: &str) -> String {
    cases
        .iter()
        .find(|c| {
            c.split_once('/')
                .is_some_and(|(machine, _)| machine == shown)
        })
        .or_else(|| cases.first())
        .cloned()
        .unwrap_or_default()
}

/// JSON syntax problems of the test file (an empty one is no test file: no problem).
fn tests_marks(text: &str) -> Vec<crate::editor::Mark> {
    if text.trim().is_empty() {
        Vec::new()
    } else {
        input_marks(text)
    }
}

/// The Input, Mocks, Tests and S3 written tabs.
#[component]
pub fn IoTabs(
    work: Work,
    run_view: RunView,
    runner: StoredValue<Runner, LocalStorage>,
    /// Where the page tells the user what went wrong.
    notice: RwSignal<Option<String>>,
    run: Callback<()>,
) -> impl IntoView {
    let tab = RwSignal::new("input");
    // A test case picked from an earlier mock file that no longer has it is forgotten.
    Effect::new(move |_| {
        let cases = run_view.mock_test_cases.get();
        if work
            .test_case
            .get_untracked()
            .is_some_and(|picked| !cases.contains(&picked))
        {
            work.test_case.set(None);
        }
    });
    let input_marks = debounced_marks(work.input, input_marks);
    let tests_marks = debounced_marks(work.tests, tests_marks);
    let focus_tests: FocusRequest = RwSignal::new(None);
    let mocks_marks = run_view.mocks_marks;
    // The scenarios of the example whose definition is in the editor (they are its inputs).
    let current_example = Memo::new(move |_| {
        work.definition
            .with(|d| examples::with_definition(d))
            .copied()
    });
    let add_starter_mocks = move || runner.with_value(|r| r.starter_mocks(work.request()));
    // A file that is not JSON text is refused with the reason, and the editor keeps its text.
    let file_input = NodeRef::<leptos::html::Input>::new();
    let focus_mocks: FocusRequest = RwSignal::new(None);
    let import_mocks = move |ev: leptos::ev::Event| {
        let Some(picked) = crate::import::picked_file(&ev) else {
            return;
        };
        leptos::task::spawn_local(async move {
            let (name, bytes) = picked.await;
            let imported = bytes.and_then(|bytes| crate::import::imported_text(&name, &bytes));
            tab.set("mocks");
            match imported {
                Ok(text) => {
                    notice.set(None);
                    work.mocks.set(text);
                }
                Err(e) => notice.set(Some(format!("{e}. The Mocks editor keeps its text."))),
            }
        });
    };
    view! {
        <div class="io pane">
            <div class="tabs" role="tablist" aria-label="Execution input and mocks">
                <button role="tab" id="tab-input" aria-controls="panel-input" aria-selected=move || (tab.get() == "input").to_string() on:click=move |_| tab.set("input") data-testid="tab-input">
                    "Input" {move || badge(&input_marks.get())}
                </button>
                <button role="tab" id="tab-mocks" aria-controls="panel-mocks" aria-selected=move || (tab.get() == "mocks").to_string() on:click=move |_| tab.set("mocks") data-testid="tab-mocks">
                    "Mocks" {move || badge(&mocks_marks.get())}
                </button>
                <button role="tab" id="tab-tests" aria-controls="panel-tests" aria-selected=move || (tab.get() == "tests").to_string() on:click=move |_| tab.set("tests") data-testid="tab-tests"
                    title="The test file the Tests panel (beside the history) runs">
                    "Tests" {move || badge(&tests_marks.get())}
                </button>
                <button role="tab" id="tab-s3" aria-controls="panel-s3" aria-selected=move || (tab.get() == "s3").to_string() on:click=move |_| tab.set("s3") data-testid="tab-s3"
                    title="The objects the run wrote to the mocked S3">
                    "S3 written" {move || {
                        let n = run_view.s3_writes.with(Vec::len);
                        (n > 0).then(|| view! { <span class="count-badge">{n}</span> })
                    }}
                </button>
            </div>
            <div id="panel-input" role="tabpanel" aria-labelledby="tab-input" class="tabpanel" hidden=move || tab.get() != "input">
                {move || current_example.get().map(|example| view! {
                    <div class="scenarios panel-actions" role="group" aria-label="Scenarios of the example">
                        <span class="muted">"Scenarios"</span>
                        {example.scenarios.iter().map(|sc| {
                            let id = sc.id;
                            let input = sc.input;
                            view! {
                                <button
                                    class="small scenario"
                                    title=sc.description
                                    data-testid=format!("scenario-{id}")
                                    aria-pressed=move || (work.scenario.get().as_deref() == Some(id) && work.input.get() == input).to_string()
                                    on:click=move |_| {
                                        work.input.set(input.to_owned());
                                        work.scenario.set(Some(id.to_owned()));
                                        tab.set("input");
                                    }
                                >{sc.label}</button>
                            }
                        }).collect_view()}
                    </div>
                })}
                <CodeEditor label="Execution input (JSON)" text=work.input marks=input_marks on_run=run test_id="input-editor" />
            </div>
            <div id="panel-mocks" role="tabpanel" aria-labelledby="tab-mocks" class="tabpanel" hidden=move || tab.get() != "mocks">
                <div class="panel-actions">
                    <span class="muted">"What each mocked Task resource returns or throws"</span>
                    // A Step Functions Local file of several test cases: the one a Run uses.
                    {move || {
                        let cases = run_view.mock_test_cases.get();
                        (cases.len() > 1).then(|| view! {
                            <label class="test-case">
                                <span class="muted">"Test case"</span>
                                <select data-testid="mock-test-case"
                                    prop:value=move || work.test_case.get().unwrap_or_else(|| {
                                        let shown = work.tabs.with(|t| t.shown.clone());
                                        default_test_case(&run_view.mock_test_cases.get(), &shown)
                                    })
                                    on:change=move |ev| {
                                        let picked = event_target_value(&ev);
                                        work.test_case.set((!picked.is_empty()).then_some(picked));
                                    }>
                                    {cases.iter().map(|c| view! { <option value=c.clone()>{c.clone()}</option> }).collect_view()}
                                </select>
                            </label>
                        })
                    }}
                    <span class="spacer"></span>
                    // A real button (focusable, announced as one) that opens the hidden file input.
                    <button class="small" title="Replace the mock file with one from disk" data-testid="import-mocks-button"
                        on:click=move |_| { if let Some(input) = file_input.get_untracked() { input.click(); } }>"Import…"</button>
                    <input type="file" accept=".json,application/json" class="visually-hidden" tabindex="-1" aria-hidden="true"
                        node_ref=file_input on:change=import_mocks data-testid="import-mocks" />
                    <button class="small" on:click=move |_| { notice.set(None); add_starter_mocks(); } title="Add a starting mock for each Task resource that has none" data-testid="starter-mocks">"Add starter mocks"</button>
                    <button class="small" on:click=move |_| export(notice, "mocks.json", work.mocks.get_untracked()) title="Download the mock file">"Export"</button>
                </div>
                <CodeEditor label="Mock task functions (JSON)" text=work.mocks marks=mocks_marks on_run=run focus=focus_mocks test_id="mocks-editor" />
                // The mock file's problems listed like the definition's (a click goes there).
                <ProblemList marks=mocks_marks focus=focus_mocks label="Mock file problems" test_id="mocks-problems" />
            </div>
            <div id="panel-tests" role="tabpanel" aria-labelledby="tab-tests" class="tabpanel" hidden=move || tab.get() != "tests">
                <div class="panel-actions">
                    <span class="muted" title="On the page a test file reads no files: inputs are inline, and mocks inline or the Mocks editor's">
                        "A test file (docs/TESTING.md): stateMachine is the definition in the editor; without mocks, the Mocks editor's. Empty: the mock file's test cases."
                    </span>
                    <span class="spacer"></span>
                    <button class="small" on:click=move |_| export(notice, "tests.test.json", work.tests.get_untracked()) title="Download the test file">"Export"</button>
                </div>
                <CodeEditor label="Test file (JSON)" text=work.tests marks=tests_marks on_run=run focus=focus_tests test_id="tests-editor" />
                <ProblemList marks=tests_marks focus=focus_tests label="Test file problems" test_id="tests-problems" />
            </div>
            <div id="panel-s3" role="tabpanel" aria-labelledby="tab-s3" class="tabpanel s3-written" hidden=move || tab.get() != "s3" data-testid="s3-written">
                <S3Written view=run_view notice=notice />
            </div>
        </div>
    }
}
