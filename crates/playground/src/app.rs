//! The playground page: editors on the left; graph, event history and state inspector on the
//! right; run controls above and a status bar below.

use gloo_timers::callback::Timeout;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::editor::{json_syntax_mark, CodeEditor, FocusRequest, Mark};
use crate::examples::{self, EXAMPLES};
use crate::format;
use crate::graph::{statuses_from_events, Graph};
use crate::history::HistoryTable;
use crate::inspector::Inspector;
use crate::runner::{Phase, RunRequest, RunView, Runner, Speed};
use crate::share;
use crate::storage::{self, SavedWork};

/// How long typing must pause before the texts are checked again.
const DIAGNOSTICS_DELAY_MS: u32 = 250;

/// JSON syntax problems of the input.
pub fn input_marks(text: &str) -> Vec<Mark> {
    json_syntax_mark(text).into_iter().collect()
}

/// The definition re-indented, or why it cannot be.
pub fn format_json(text: &str) -> Result<String, String> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("Cannot format: invalid JSON ({e})"))?;
    serde_json::to_string_pretty(&value)
        .map(|mut t| {
            t.push('\n');
            t
        })
        .map_err(|e| format!("Cannot format: {e}"))
}

/// Checks `text` again after typing pauses; sets `marks` with the result of `check`.
fn debounced_marks(text: RwSignal<String>, check: fn(&str) -> Vec<Mark>) -> RwSignal<Vec<Mark>> {
    let marks = RwSignal::new(check(&text.get_untracked()));
    debounced(text, move |t| marks.set(check(&t)));
    marks
}

/// Calls `check` with the text at once, then again each time typing pauses.
fn debounced(text: RwSignal<String>, check: impl Fn(String) + Clone + 'static) {
    let pending = StoredValue::new_local(None::<Timeout>);
    Effect::new(move |first: Option<()>| {
        let t = text.get();
        if first.is_none() {
            check(t);
            return;
        }
        let check = check.clone();
        // Replacing the timer drops (cancels) the previous one.
        pending.set_value(Some(Timeout::new(DIAGNOSTICS_DELAY_MS, move || check(t))));
    });
}

/// The texts the user is working on, and the example they came from.
#[derive(Clone, Copy)]
pub struct Work {
    pub definition: RwSignal<String>,
    pub input: RwSignal<String>,
    pub mocks: RwSignal<String>,
    /// The example (id) the work was loaded from, if any.
    pub example: RwSignal<Option<String>>,
    /// The scenario (id) of that example whose input was loaded last.
    pub scenario: RwSignal<Option<String>>,
}

impl Work {
    /// The default example's first scenario (the seed tutorial).
    pub fn starter() -> Work {
        Work::from_saved(&storage::startup("", storage::Restored::Nothing).work)
    }

    pub fn from_saved(saved: &SavedWork) -> Work {
        Work {
            definition: RwSignal::new(saved.definition.clone()),
            input: RwSignal::new(saved.input.clone()),
            mocks: RwSignal::new(saved.mocks.clone()),
            example: RwSignal::new(saved.example.clone()),
            scenario: RwSignal::new(saved.scenario.clone()),
        }
    }

    /// What is saved and shared (reading the signals: callers in effects track them).
    pub fn saved(&self) -> SavedWork {
        SavedWork {
            definition: self.definition.get(),
            input: self.input.get(),
            mocks: self.mocks.get(),
            example: self.example.get(),
            scenario: self.scenario.get(),
        }
    }

    /// Loads an example: its definition, mocks and first scenario's input.
    pub fn load_example(&self, example: &examples::Example) {
        self.definition.set(example.definition.to_owned());
        self.mocks.set(example.mocks.to_owned());
        self.example.set(Some(example.id.to_owned()));
        let scenario = example.default_scenario();
        self.input.set(
            scenario
                .map(|s| s.input.to_owned())
                .unwrap_or_else(|| "{}".into()),
        );
        self.scenario.set(scenario.map(|s| s.id.to_owned()));
    }

    fn request(&self) -> RunRequest {
        RunRequest {
            definition: self.definition.get_untracked(),
            input: self.input.get_untracked(),
            mocks: self.mocks.get_untracked(),
            seed: 0,
        }
    }
}

/// The browser's localStorage.
#[cfg(target_arch = "wasm32")]
fn local_store() -> Result<storage::web::LocalStorage, storage::StorageError> {
    storage::web::local_storage()
}

/// Outside a browser (native unit tests) there is no storage.
#[cfg(not(target_arch = "wasm32"))]
fn local_store() -> Result<storage::MemoryStore, storage::StorageError> {
    Err(storage::StorageError::Unavailable(
        "not in a browser".into(),
    ))
}

/// Keeps the page's work across reloads, in localStorage.
fn save_work(work: &SavedWork) -> Result<(), String> {
    let mut store = local_store().map_err(|e| e.to_string())?;
    storage::save(&mut store, work).map_err(|e| e.to_string())
}

/// How long editing must pause before the work is saved.
const SAVE_DELAY_MS: u32 = 400;

#[component]
pub fn App() -> impl IntoView {
    // A share link in the URL wins, then the work saved in localStorage, then the tutorial.
    let window = web_sys::window();
    let fragment = window
        .as_ref()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default();
    let restored = match local_store() {
        Ok(mut store) => storage::restore(&mut store),
        Err(e) => storage::Restored::Unavailable(e),
    };
    let start = storage::startup(&fragment, restored);
    if share::is_share_fragment(&fragment) {
        // The link has done its job: later edits are saved, and a reload must not bring the
        // link's version back over them.
        if let Some(w) = &window {
            if let (Ok(history), Ok(path), Ok(search)) =
                (w.history(), w.location().pathname(), w.location().search())
            {
                let _ = history.replace_state_with_url(
                    &wasm_bindgen::JsValue::NULL,
                    "",
                    Some(&format!("{path}{search}")),
                );
            }
        }
    }
    let work = Work::from_saved(&start.work);
    let run_view = RunView::new();
    let runner = StoredValue::new_local(Runner::new(run_view));
    let notices = start.notices.clone();
    view! { <Playground work=work run_view=run_view runner=runner persist=true notices=notices /> }
}

/// The whole page around a given work and runner (the tests mount it with their own).
#[component]
pub fn Playground(
    work: Work,
    run_view: RunView,
    runner: StoredValue<Runner, LocalStorage>,
    /// Save the work to localStorage as it changes.
    #[prop(optional)]
    persist: bool,
    /// Things to tell the user at once (a bad share link, unreadable saved work).
    #[prop(optional)]
    notices: Vec<String>,
) -> impl IntoView {
    let speed_key = RwSignal::new("10".to_owned());
    let selected = RwSignal::new(None::<u32>);
    let speed = move || Speed::from_key(&speed_key.get_untracked());
    let notice = RwSignal::new((!notices.is_empty()).then(|| notices.join(" ")));
    let share_link = RwSignal::new(None::<String>);

    if persist {
        let pending_save = StoredValue::new_local(None::<Timeout>);
        Effect::new(move |first: Option<()>| {
            let saved = work.saved();
            if first.is_none() {
                return;
            }
            pending_save.set_value(Some(Timeout::new(SAVE_DELAY_MS, move || {
                if let Err(e) = save_work(&saved) {
                    notice.set(Some(format!("{e}. Work will not survive a reload.")));
                }
            })));
        });
    }

    let on_share = move |_| {
        let shared = work.saved().to_shared();
        let page = web_sys::window()
            .and_then(|w| w.location().href().ok())
            .unwrap_or_default();
        match share::link(&page, &shared) {
            Ok(link) => {
                if let Some(w) = web_sys::window() {
                    let _ = w.navigator().clipboard().write_text(&link);
                }
                if link.len() > share::PRACTICAL_LINK_CHARS {
                    notice.set(Some(format!(
                        "The link is {} characters long: some apps cut links that long.",
                        format::count(link.len())
                    )));
                }
                share_link.set(Some(link));
            }
            Err(e) => notice.set(Some(e.to_string())),
        }
    };
    let current_example = Memo::new(move |_| {
        work.example
            .get()
            .and_then(|id| examples::find(&id))
            .copied()
    });
    let choose_example = move |ev: leptos::ev::Event| {
        let id = event_target_value(&ev);
        if let Some(example) = examples::find(&id) {
            runner.with_value(Runner::stop);
            work.load_example(example);
            selected.set(None);
        }
    };
    let tab = RwSignal::new("input");
    let focus_definition: FocusRequest = RwSignal::new(None);

    // The engine (in its worker) checks the definition and the mock file when typing pauses:
    // the definition's marks and laid-out graph, the mock file's marks, arrive in `run_view`
    // once the worker has loaded. The graph keeps its last good shape while the text is broken.
    debounced(work.definition, move |text| {
        runner.with_value(|r| r.check_definition(text))
    });
    debounced(work.mocks, move |text| {
        runner.with_value(|r| r.check_mocks(text))
    });
    let definition_marks = run_view.definition_marks;
    let display_graph = run_view.layout;
    let mocks_marks = run_view.mocks_marks;
    let statuses = Memo::new(move |_| {
        run_view.events.with(|events| {
            statuses_from_events(
                events
                    .iter()
                    .filter_map(|e| e.step.as_deref().map(|s| (e.event_type.as_str(), s))),
            )
        })
    });
    let selected_state = Signal::derive(move || {
        let index = selected.get()?;
        run_view
            .traces
            .with(|t| t.get(index as usize).map(|t| t.state_name.clone()))
    });
    let input_marks = debounced_marks(work.input, input_marks);

    // A Task resource without a mock gets a starting one (the engine adds it at the start of a
    // run, so a run never stops at "no mock", or on request); the user sees the rule in the
    // Mocks editor and can change it. A completed file made from older text is dropped.
    Effect::new(move |_| {
        let Some(completed) = run_view.completed_mocks.get() else {
            return;
        };
        if work.mocks.get_untracked() == completed.from && completed.from != completed.text {
            work.mocks.set(completed.text);
            notice.set(Some(
                "Added a starting mock for each Task resource that had none (see the Mocks tab)."
                    .to_string(),
            ));
        }
    });
    let add_starter_mocks = move || {
        runner.with_value(|r| {
            r.starter_mocks(work.definition.get_untracked(), work.mocks.get_untracked())
        })
    };
    let run = Callback::new(move |()| {
        notice.set(None);
        selected.set(None);
        runner.with_value(|r| r.run(work.request(), speed()));
    });
    let stop = move |_| runner.with_value(Runner::stop);
    let step = move |_| {
        notice.set(None);
        if !run_view.phase.with_untracked(Phase::is_active) {
            selected.set(None);
        }
        runner.with_value(|r| r.step(work.request()));
    };
    let format_definition = move |_| match format_json(&work.definition.get_untracked()) {
        Ok(text) => {
            notice.set(None);
            work.definition.set(text);
        }
        Err(e) => notice.set(Some(e)),
    };

    // Ctrl/Cmd+Enter anywhere on the page (the editors handle it themselves and mark it done).
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if (ev.ctrl_key() || ev.meta_key()) && ev.key() == "Enter" && !ev.default_prevented() {
            ev.prevent_default();
            run.run(());
        }
    });
    on_cleanup(move || keys.remove());

    // The graph calls this with a state's name: show the state's latest visit.
    let on_state_click = Callback::new(move |name: String| {
        let latest = run_view.traces.with(|t| {
            t.iter()
                .rev()
                .find(|t| t.state_name == name)
                .map(|t| t.index)
        });
        selected.set(latest);
    });
    let export = move |name: &'static str, text: String| {
        if let Err(e) = download(name, "application/json", &text) {
            notice.set(Some(e));
        }
    };
    // A file that is not JSON text is refused with the reason, and the editor keeps its text.
    let import_mocks = move |ev: leptos::ev::Event| {
        let input = event_target::<web_sys::HtmlInputElement>(&ev);
        let Some(file) = input.files().and_then(|files| files.get(0)) else {
            return;
        };
        input.set_value("");
        leptos::task::spawn_local(async move {
            let name = file.name();
            let read = wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await;
            let imported = match read {
                Ok(buffer) => {
                    crate::import::imported_text(&name, &js_sys::Uint8Array::new(&buffer).to_vec())
                }
                Err(_) => Err(format!("Could not read {name}")),
            };
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
    let export_svg = Callback::new(move |svg: String| {
        if let Err(e) = download("state-machine.svg", "image/svg+xml", &svg) {
            notice.set(Some(e));
        }
    });

    let left_width = RwSignal::new(initial_left_width());
    let graph_height = RwSignal::new(300.0);
    let phase = run_view.phase;
    let active = move || phase.with(Phase::is_active);

    view! {
        <div class="app" style=move || format!("--left: {}px; --graph: {}px", left_width.get(), graph_height.get())>
            <header class="topbar">
                <h1 class="brand">
                    <span class="logo" aria-hidden="true">"⟡"</span>
                    "Step Functions Playground"
                </h1>
                <label class="examples">
                    <span>"Example"</span>
                    <select data-testid="example" on:change=choose_example prop:value=move || work.example.get().unwrap_or_default()>
                        <option value="" disabled=true>"Your own work"</option>
                        {EXAMPLES.iter().map(|e| view! { <option value=e.id title=e.description>{e.title}</option> }).collect_view()}
                    </select>
                </label>
                <div class="controls" role="toolbar" aria-label="Run controls">
                    <button class="primary" on:click=move |_| run.run(()) title="Run (Ctrl+Enter)" data-testid="run">
                        <svg class="icon" viewBox="0 0 16 16" aria-hidden="true"><path d="M4 2.5v11l9-5.5z" fill="currentColor"/></svg>"Run"
                    </button>
                    <button on:click=step title="Advance one step" data-testid="step">
                        <svg class="icon" viewBox="0 0 16 16" aria-hidden="true"><path d="M3 2.5v11l7-5.5z" fill="currentColor"/><rect x="11" y="2.5" width="2" height="11" fill="currentColor"/></svg>"Step"
                    </button>
                    <button on:click=stop disabled=move || !active() title="Stop the execution" data-testid="stop">
                        <svg class="icon" viewBox="0 0 16 16" aria-hidden="true"><rect x="3.5" y="3.5" width="9" height="9" rx="1" fill="currentColor"/></svg>"Stop"
                    </button>
                    <label class="speed">
                        <span>"Speed"</span>
                        <select
                            data-testid="speed"
                            prop:value=move || speed_key.get()
                            on:change=move |ev| {
                                speed_key.set(event_target_value(&ev));
                                runner.with_value(|r| r.set_speed(speed()));
                            }
                        >
                            {Speed::CHOICES.iter().map(|(key, label)| view! { <option value=*key>{*label}</option> }).collect_view()}
                        </select>
                    </label>
                </div>
                <span class="spacer"></span>
                <button on:click=on_share data-testid="share" title="Put the definition, input and mocks in a link">
                    <svg class="icon" viewBox="0 0 16 16" aria-hidden="true"><path d="M6.5 9.5l3-3M7 4.5l1.2-1.2a2.5 2.5 0 013.5 3.5L10.5 8M9 11.5l-1.2 1.2a2.5 2.5 0 01-3.5-3.5L5.5 8" stroke="currentColor" stroke-width="1.6" fill="none" stroke-linecap="round"/></svg>
                    "Share"
                </button>
            </header>
            {move || share_link.get().map(|link| view! {
                <div class="sharebar" role="region" aria-label="Share link">
                    <span>"Link to this work (copied to the clipboard):"</span>
                    <input data-testid="share-link" readonly=true prop:value=link.clone() on:focus=move |ev| {
                        if let Some(input) = event_target::<web_sys::HtmlInputElement>(&ev).into() {
                            web_sys::HtmlInputElement::select(&input);
                        }
                    } />
                    <button class="small" on:click=move |_| share_link.set(None) aria-label="Close the share link">"Close"</button>
                </div>
            })}

            <main class="workspace">
                <section class="left" aria-label="Editors">
                    <div class="definition pane">
                        <div class="pane-toolbar">
                            <h2>"Definition"</h2>
                            <span class="muted" data-testid="diagnostic-count">
                                {move || if run_view.checked.get() {
                                    problem_summary(&definition_marks.get())
                                } else {
                                    "Loading the engine…".to_owned()
                                }}
                            </span>
                            <span class="spacer"></span>
                            <button class="small" on:click=format_definition data-testid="format">"Format"</button>
                            <button class="small" on:click=move |_| export("definition.asl.json", work.definition.get_untracked()) title="Download the definition">"Export"</button>
                        </div>
                        <CodeEditor label="State machine definition (JSON)" text=work.definition marks=definition_marks on_run=run focus=focus_definition test_id="definition-editor" />
                        <ul class="problems" aria-label="Definition problems" data-testid="problems">
                            {move || definition_marks.get().into_iter().take(50).map(|m| {
                                let (line, column) = (m.line, m.column);
                                view! {
                                    <li class=m.severity>
                                        <button class="link" on:click=move |_| focus_definition.set(Some((line, column, js_sys::Date::now() as u64)))>
                                            {format!("{}:{}", m.line, m.column)}
                                        </button>
                                        " "{m.message}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    </div>
                    <div class="io pane">
                        <div class="tabs" role="tablist" aria-label="Execution input and mocks">
                            <button role="tab" id="tab-input" aria-controls="panel-input" aria-selected=move || (tab.get() == "input").to_string() on:click=move |_| tab.set("input") data-testid="tab-input">
                                "Input" {move || badge(&input_marks.get())}
                            </button>
                            <button role="tab" id="tab-mocks" aria-controls="panel-mocks" aria-selected=move || (tab.get() == "mocks").to_string() on:click=move |_| tab.set("mocks") data-testid="tab-mocks">
                                "Mocks" {move || badge(&mocks_marks.get())}
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
                                <span class="spacer"></span>
                                <label class="button small">
                                    "Import…"
                                    <input type="file" accept=".json,application/json" class="visually-hidden" on:change=import_mocks data-testid="import-mocks" />
                                </label>
                                <button class="small" on:click=move |_| { notice.set(None); add_starter_mocks(); } title="Add a starting mock for each Task resource that has none" data-testid="starter-mocks">"Add starter mocks"</button>
                                <button class="small" on:click=move |_| export("mocks.json", work.mocks.get_untracked()) title="Download the mock file">"Export"</button>
                            </div>
                            <CodeEditor label="Mock task functions (JSON)" text=work.mocks marks=mocks_marks on_run=run test_id="mocks-editor" />
                        </div>
                    </div>
                </section>

                <Splitter label="Resize the editors" vertical=true value=left_width min=280.0 />

                <section class="right" aria-label="Execution">
                    <section class="graph-pane pane" aria-label="State machine graph" data-testid="graph-slot">
                        <Graph graph=display_graph statuses=statuses on_select=on_state_click selected=selected_state on_export=export_svg />
                    </section>
                    <Splitter label="Resize the graph" vertical=false value=graph_height min=80.0 />
                    <div class="bottom">
                        <HistoryTable view=run_view selected=selected export=Callback::new(move |()| export("execution-history.json", run_view.events.with_untracked(|e| history_json(e)))) />
                        <Inspector view=run_view selected=selected />
                    </div>
                </section>
            </main>

            <StatusBar view=run_view notice=notice />
        </div>
    }
}

/// The shown events as `GetExecutionHistory` JSON (pretty), the way AWS's API returns them.
pub fn history_json(rows: &[crate::protocol::EventRow]) -> String {
    let events: Vec<sfn_engine::HistoryEvent> = rows
        .iter()
        // Every row comes from the engine, so its type is one the engine emits.
        .filter_map(|row| {
            Some(sfn_engine::HistoryEvent {
                id: row.id,
                previous_event_id: row.previous_event_id,
                timestamp: row.timestamp,
                kind: sfn_engine::EventKind::from_aws_name(&row.event_type)?,
                // The worker sends the details as `{"<key>": {...}}`.
                details: serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(
                    &row.details,
                )
                .ok()
                .and_then(|m| m.into_iter().next())
                .map(|(key, value)| sfn_engine::EventDetails::new(key, value)),
                state_name: row.step.as_deref().map(std::rc::Rc::from),
            })
        })
        .collect();
    let value = sfn_engine::history::to_get_execution_history(&events);
    serde_json::to_string_pretty(&value).unwrap_or_else(|_| value.to_string())
}

/// Offers `text` as a file download.
pub fn download(file_name: &str, mime: &str, text: &str) -> Result<(), String> {
    let fail = |what: &str| format!("Could not export {file_name}: {what}");
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
        .map_err(|_| fail("no blob"))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| fail("no URL"))?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| fail("no document"))?;
    let anchor: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|_| fail("no link"))?
        .dyn_into()
        .map_err(|_| fail("no link"))?;
    anchor.set_href(&url);
    anchor.set_download(file_name);
    anchor.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

fn initial_left_width() -> f64 {
    let width = web_sys::window()
        .and_then(|w| w.inner_width().ok())
        .and_then(|v| v.as_f64())
        .unwrap_or(1280.0);
    (width * 0.33).clamp(320.0, 680.0)
}

fn problem_summary(marks: &[Mark]) -> String {
    let errors = marks.iter().filter(|m| m.severity == "error").count();
    let warnings = marks.len() - errors;
    match (errors, warnings) {
        (0, 0) => "No problems".into(),
        (e, 0) => format!("{e} error{}", if e == 1 { "" } else { "s" }),
        (0, w) => format!("{w} warning{}", if w == 1 { "" } else { "s" }),
        (e, w) => format!(
            "{e} error{}, {w} warning{}",
            if e == 1 { "" } else { "s" },
            if w == 1 { "" } else { "s" }
        ),
    }
}

fn badge(marks: &[Mark]) -> Option<impl IntoView> {
    let errors = marks.iter().filter(|m| m.severity == "error").count();
    (errors > 0).then(|| {
        view! { <span class="badge" title=format!("{errors} problem(s)")>{errors}</span> }
    })
}

/// A drag handle between two panes; arrow keys move it too.
#[component]
fn Splitter(label: &'static str, vertical: bool, value: RwSignal<f64>, min: f64) -> impl IntoView {
    let drag = StoredValue::new(None::<(f64, f64)>);
    let limit = move || {
        let window = web_sys::window();
        let size = if vertical {
            window.as_ref().and_then(|w| w.inner_width().ok())
        } else {
            window.as_ref().and_then(|w| w.inner_height().ok())
        };
        size.and_then(|v| v.as_f64()).unwrap_or(1200.0) - 2.0 * min
    };
    let set = move |v: f64| value.set(v.clamp(min, limit().max(min)));
    let pos = move |ev: &web_sys::PointerEvent| {
        if vertical {
            f64::from(ev.client_x())
        } else {
            f64::from(ev.client_y())
        }
    };
    view! {
        <div
            class=if vertical { "splitter vertical" } else { "splitter horizontal" }
            role="separator"
            tabindex="0"
            aria-label=label
            aria-orientation=if vertical { "vertical" } else { "horizontal" }
            aria-valuenow=move || (value.get() as i64).to_string()
            on:pointerdown=move |ev: web_sys::PointerEvent| {
                if let Some(el) = event_target::<web_sys::Element>(&ev).into() {
                    let _ = web_sys::Element::set_pointer_capture(&el, ev.pointer_id());
                }
                drag.set_value(Some((pos(&ev), value.get_untracked())));
            }
            on:pointermove=move |ev: web_sys::PointerEvent| {
                if let Some((start, initial)) = drag.get_value() {
                    set(initial + pos(&ev) - start);
                }
            }
            on:pointerup=move |_| drag.set_value(None)
            on:pointercancel=move |_| drag.set_value(None)
            on:keydown=move |ev: web_sys::KeyboardEvent| {
                let delta = match ev.key().as_str() {
                    "ArrowLeft" | "ArrowUp" => -24.0,
                    "ArrowRight" | "ArrowDown" => 24.0,
                    _ => return,
                };
                ev.prevent_default();
                set(value.get_untracked() + delta);
            }
        ></div>
    }
}

#[component]
fn StatusBar(view: RunView, notice: RwSignal<Option<String>>) -> impl IntoView {
    let transitions = Memo::new(move |_| {
        view.events.with(|e| {
            e.iter()
                .filter(|e| e.event_type.ends_with("StateEntered"))
                .count()
        })
    });
    let duration = move || {
        let start = view.start_ms.get();
        view.events
            .with(|e| e.last().map(|e| e.timestamp - start))
            .map(format::elapsed)
            .unwrap_or_else(|| "-".into())
    };
    let label = move || match view.phase.get() {
        Phase::Idle => ("idle", "NOT STARTED".to_owned()),
        Phase::Starting => ("running", "STARTING".to_owned()),
        Phase::Running => ("running", "RUNNING".to_owned()),
        Phase::Paused => ("running", "PAUSED".to_owned()),
        Phase::Finished(s) => (
            match s.name.as_str() {
                "SUCCEEDED" => "succeeded",
                _ => "failed",
            },
            s.name,
        ),
        Phase::Stopped => ("failed", "ABORTED".to_owned()),
        Phase::Rejected(_) => ("failed", "CANNOT RUN".to_owned()),
        Phase::Crashed(_) => ("failed", "ENGINE ERROR".to_owned()),
    };
    let detail = move || match view.phase.get() {
        Phase::Finished(s) => match (s.output, s.error, s.cause) {
            (Some(out), _, _) => Some(format!("Output: {}", one_line(&out))),
            (None, e, c) => {
                let parts: Vec<String> = [
                    e.map(|e| format!("Error: {e}")),
                    c.map(|c| format!("Cause: {}", one_line(&c))),
                ]
                .into_iter()
                .flatten()
                .collect();
                (!parts.is_empty()).then(|| parts.join(" · "))
            }
        },
        Phase::Stopped => Some("Stopped by you".into()),
        Phase::Paused => Some("Step mode: press Step to advance, Run to play on".into()),
        _ => None,
    };
    // The run's problems, then the latest notice (a refused import or share link must show
    // whatever state the last run ended in).
    let problems = move || {
        let mut problems = match view.phase.get() {
            Phase::Rejected(p) => p,
            Phase::Crashed(m) => vec![m],
            _ => Vec::new(),
        };
        problems.extend(notice.get());
        problems
    };
    view! {
        <footer class="statusbar" role="status" aria-live="polite">
            <span class=move || format!("chip {}", label().0) data-testid="status">{move || label().1}</span>
            <span class="stat"><span class="muted">"Duration "</span><span data-testid="duration">{duration}</span></span>
            <span class="stat"><span class="muted">"State transitions "</span><span data-testid="transitions">{move || format::count(transitions.get())}</span></span>
            <span class="stat"><span class="muted">"Steps "</span>{move || view.steps.get().to_string()}</span>
            <span class="detail" data-testid="status-detail">{detail}</span>
            <ul class="run-problems" data-testid="run-problems">
                {move || problems().into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}
            </ul>
        </footer>
    }
}

fn one_line(text: &str) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > 160 {
        format!("{}…", flat.chars().take(160).collect::<String>())
    } else {
        flat
    }
}
