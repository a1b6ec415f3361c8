//! The playground page: editors on the left; graph, event history and state inspector on the
//! right; run controls above and a status bar below.
//!
//! [`Playground`] holds the page's state and wires its parts, one concern each: the
//! [`toolbar`], the definition's pane ([`editors_pane`]), the input and mocks tabs
//! ([`io_tabs`]), the execution pane (graph, history, inspector), the [`splitter`]s between
//! panes and the [`status_bar`].

mod editors_pane;
mod io_tabs;
mod splitter;
mod status_bar;
mod toolbar;

use gloo_timers::callback::Timeout;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::child_executions::{ChildExecutionsMenu, ChildHistory};
use crate::editor::{json_syntax_mark, Mark};
use crate::examples;
use crate::format;
use crate::graph::{statuses_from_events, Graph};
use crate::history::HistoryTable;
use crate::inspector::Inspector;
use crate::runner::{Phase, RunRequest, RunView, Runner, Speed};
use crate::share;
use crate::storage::{self, SavedWork};
use crate::test_state::StateTester;
use crate::tests_panel::TestsPanel;
use editors_pane::DefinitionPane;
use io_tabs::IoTabs;
use sfn_playground_data::fanout::Fanouts;
use sfn_playground_data::protocol::TestRunRequest;
use sfn_playground_data::workspace::{Tabs, DEFAULT_MACHINE_NAME};
use splitter::Splitter;
use status_bar::StatusBar;
use toolbar::{ShareBar, Toolbar};

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
    /// The workspace's tabs: the name and place of the machine in the definition editor, and
    /// the other machines (their texts; the editor's is `definition`).
    pub tabs: RwSignal<Tabs>,
    /// The mock file's test case picked for runs (none: its first).
    pub test_case: RwSignal<Option<String>>,
    /// The Tests editor's test file (empty: the mock file's test cases are the tests).
    pub tests: RwSignal<String>,
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
            tabs: RwSignal::new(saved.tabs()),
            test_case: RwSignal::new(None),
            tests: RwSignal::new(saved.tests.clone()),
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
            tests: self.tests.get(),
            ..saved_tabs(self.tabs.get())
        }
    }

    /// What is saved and shared, without tracking the signals (for event handlers).
    pub fn saved_untracked(&self) -> SavedWork {
        SavedWork {
            definition: self.definition.get_untracked(),
            input: self.input.get_untracked(),
            mocks: self.mocks.get_untracked(),
            example: self.example.get_untracked(),
            scenario: self.scenario.get_untracked(),
            tests: self.tests.get_untracked(),
            ..saved_tabs(self.tabs.get_untracked())
        }
    }

    /// Puts saved work back (the user's own work, kept aside).
    pub fn load_saved(&self, saved: &SavedWork) {
        self.definition.set(saved.definition.clone());
        self.input.set(saved.input.clone());
        self.mocks.set(saved.mocks.clone());
        self.example.set(saved.example.clone());
        self.scenario.set(saved.scenario.clone());
        self.tabs.set(saved.tabs());
        self.tests.set(saved.tests.clone());
    }

    /// The example this work is exactly (its definition and mocks), if any: otherwise it is
    /// the user's own (tracks the texts).
    pub fn shown_example(&self) -> Option<&'static examples::Example> {
        self.definition
            .with(|d| self.mocks.with(|m| examples::matching(d, m)))
    }

    /// Loads an example: its definition, mocks, tests and first scenario's input.
    pub fn load_example(&self, example: &examples::Example) {
        self.definition.set(example.definition.to_owned());
        self.mocks.set(example.mocks.to_owned());
        self.tests.set(example.tests.to_owned());
        self.example.set(Some(example.id.to_owned()));
        self.tabs.set(
            SavedWork {
                name: example.name.to_owned(),
                machines: storage::example_machines(example),
                ..SavedWork::default()
            }
            .tabs(),
        );
        let scenario = example.default_scenario();
        self.input.set(
            scenario
                .map(|s| s.input.to_owned())
                .unwrap_or_else(|| "{}".into()),
        );
        self.scenario.set(scenario.map(|s| s.id.to_owned()));
    }

    pub(crate) fn request(&self) -> RunRequest {
        RunRequest {
            definition: self.definition.get_untracked(),
            input: self.input.get_untracked(),
            mocks: self.mocks.get_untracked(),
            seed: 0,
            // The default name is sent as none, as saved work has it.
            name: self.tabs.with_untracked(|t| saved_tabs(t.clone()).name),
            machines: self.tabs.with_untracked(|t| t.others.clone()),
            test_case: self.test_case.get_untracked(),
        }
    }

    /// What the Tests panel runs: the Tests editor's test file against the editors' texts.
    pub(crate) fn tests_request(&self) -> TestRunRequest {
        TestRunRequest {
            tests: self.tests.get_untracked(),
            definition: self.definition.get_untracked(),
            mocks: self.mocks.get_untracked(),
            input: self.input.get_untracked(),
            name: self.tabs.with_untracked(|t| saved_tabs(t.clone()).name),
            machines: self.tabs.with_untracked(|t| t.others.clone()),
        }
    }
}

/// The workspace fields of saved work from its tabs.
fn saved_tabs(tabs: Tabs) -> SavedWork {
    SavedWork {
        name: if tabs.shown == DEFAULT_MACHINE_NAME {
            String::new()
        } else {
            tabs.shown
        },
        machines: tabs.others,
        position: tabs.position,
        ..SavedWork::default()
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
    let own_work = local_store()
        .ok()
        .and_then(|store| storage::restore_own_work(&store));
    view! { <Playground work=work run_view=run_view runner=runner persist=true notices=notices own_work=own_work /> }
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
    /// The user's own work kept aside when an example replaced it.
    #[prop(default = None)]
    own_work: Option<SavedWork>,
) -> impl IntoView {
    let own_work = RwSignal::new(own_work);
    // The run shown was made from another definition than the one in the editor now: its
    // results are marked as such until the next run replaces them.
    let earlier_results = Signal::derive(move || {
        run_view.run_definition.with(|run| {
            run.as_ref()
                .is_some_and(|r| work.definition.with(|d| d != r))
        })
    });
    // The speed chosen last survives a reload (on the page; the tests start at 10x).
    let stored_speed = persist
        .then(|| local_store().ok())
        .flatten()
        .and_then(|store| storage::restore_speed(&store));
    let speed_key = RwSignal::new(stored_speed.unwrap_or_else(|| "10".to_owned()));
    if persist {
        Effect::new(move |first: Option<()>| {
            let key = speed_key.get();
            if first.is_some() {
                if let Ok(mut store) = local_store() {
                    // Losing the speed is not worth a notice.
                    let _ = storage::KeyValueStore::set(&mut store, storage::SPEED_KEY, &key);
                }
            }
        });
    }
    let selected = RwSignal::new(None::<u32>);
    let speed = move || Speed::from_key(&speed_key.get_untracked());
    let notice = RwSignal::new((!notices.is_empty()).then(|| notices.join(" ")));
    let share_link = RwSignal::new(None::<String>);

    if persist {
        save_as_edited(work, notice);
    }
    let share = Callback::new(move |()| share_work(work, notice, share_link));

    // The engine (in its worker) checks the definition and the mock file when typing pauses:
    // the definition's marks and laid-out graph, the mock file's marks, arrive in `run_view`
    // once the worker has loaded. The graph keeps its last good shape while the text is broken.
    debounced(work.definition, move |text| {
        runner.with_value(|r| r.check_definition(text))
    });
    debounced(work.mocks, move |text| {
        runner.with_value(|r| r.check_mocks(text))
    });
    take_completed_mocks(work, run_view, notice);

    let run = Callback::new(move |()| {
        notice.set(None);
        selected.set(None);
        runner.with_value(|r| r.run(work.request(), speed()));
    });
    let redrive = Callback::new(move |()| {
        notice.set(None);
        let mocks = work.mocks.get_untracked();
        runner.with_value(|r| r.redrive(mocks, speed()));
    });
    // What the engine refused (a token answered twice, a redrive AWS does not allow) is told
    // like any other problem.
    Effect::new(move |_| {
        if let Some(problem) = run_view.refusal.get() {
            notice.set(Some(problem));
        }
    });
    let step = Callback::new(move |()| {
        notice.set(None);
        if !run_view.phase.with_untracked(Phase::is_active) {
            selected.set(None);
        }
        runner.with_value(|r| r.step(work.request()));
    });

    // Ctrl/Cmd+Enter anywhere on the page (the editors handle it themselves and mark it done).
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if (ev.ctrl_key() || ev.meta_key()) && ev.key() == "Enter" && !ev.default_prevented() {
            ev.prevent_default();
            run.run(());
        }
    });
    on_cleanup(move || keys.remove());

    let left_width = RwSignal::new(initial_left_width());
    let graph_height = RwSignal::new(initial_graph_height());
    let graph_maximised = RwSignal::new(false);

    view! {
        <div class="app" style=move || format!("--left: {}px; --graph: {}px", left_width.get(), graph_height.get())>
            <Toolbar work=work runner=runner phase=run_view.phase speed_key=speed_key selected=selected run=run step=step share=share own_work=own_work notice=notice persist=persist
                redrive=redrive redrivable=Signal::from(run_view.redrivable) earlier=earlier_results />
            <ShareBar link=share_link />

            <main class="workspace">
                <section class="left" aria-label="Editors">
                    <DefinitionPane work=work run_view=run_view runner=runner notice=notice run=run />
                    <IoTabs work=work run_view=run_view runner=runner notice=notice run=run />
                </section>

                <Splitter label="Resize the editors" vertical=true value=left_width min=280.0 />

                <ExecutionPane work=work run_view=run_view runner=runner selected=selected notice=notice graph_height=graph_height maximised=graph_maximised earlier=earlier_results />
            </main>

            <StatusBar view=run_view notice=notice earlier=earlier_results />
        </div>
    }
}

/// The graph above, the event history and the inspector below.
#[component]
fn ExecutionPane(
    /// The editors' texts: "Test this state" tests a state of the definition, the Tests panel
    /// runs the test file.
    work: Work,
    run_view: RunView,
    runner: StoredValue<Runner, LocalStorage>,
    /// The state visit shown in the inspector.
    selected: RwSignal<Option<u32>>,
    notice: RwSignal<Option<String>>,
    graph_height: RwSignal<f64>,
    /// The graph takes the whole column (the history and inspector hidden).
    maximised: RwSignal<bool>,
    /// The results shown are of an earlier definition than the editor's.
    earlier: Signal<bool>,
) -> impl IntoView {
    let definition = work.definition;
    // The event history, or the Tests panel beside it.
    let bottom_tab = RwSignal::new("history");
    let coverage_shown = RwSignal::new(false);
    let uncovered = Memo::new(move |_| {
        if !coverage_shown.get() {
            return None;
        }
        run_view.test_results.with(|results| {
            results
                .as_ref()
                .and_then(|r| r.coverage.as_ref())
                .map(crate::tests_panel::uncovered)
        })
    });
    // The branch or iteration the graph shows alone, and the one whose events alone the
    // history lists (both picked in the inspector); a new run has neither.
    let focus = RwSignal::new(None::<u32>);
    let events_of = RwSignal::new(None::<u32>);
    Effect::new(move |_| {
        if run_view.children.with(Vec::is_empty) {
            focus.set(None);
            events_of.set(None);
        }
    });
    // Selecting a visit inside a branch or iteration shows that one in the graph.
    Effect::new(move |_| {
        let Some(index) = selected.get() else { return };
        let child = run_view
            .traces
            .with_untracked(|t| t.get(index as usize).and_then(|t| t.child));
        if child.is_some() {
            focus.set(child);
        }
    });
    let statuses = Memo::new(move |_| {
        let hidden = focus.get().map(|f| {
            run_view.traces.with(|traces| {
                run_view
                    .children
                    .with(|children| Fanouts::new(traces, children).hidden_by_focus(f))
            })
        });
        run_view.events.with(|events| {
            statuses_from_events(
                events
                    .iter()
                    .filter(|e| match (&hidden, e.trace) {
                        (Some(hidden), Some(visit)) => !hidden.contains(&visit),
                        _ => true,
                    })
                    .map(|e| (e.class, e.step.as_deref(), e.trace)),
            )
        })
    });
    let child_label = move |id: u32| {
        run_view.traces.with(|traces| {
            run_view.children.with(|children| {
                let child = children.get(id as usize)?;
                let parent = traces.get(child.parent_trace as usize)?;
                Some(format!(
                    "{} {} of {}",
                    child.kind.label().to_lowercase(),
                    child.index,
                    parent.state_name
                ))
            })
        })
    };
    let focus_label = Signal::derive(move || child_label(focus.get()?));
    let only_events = Signal::derive(move || {
        let id = events_of.get()?;
        let label = child_label(id)?;
        let visits = run_view.traces.with(|traces| {
            run_view
                .children
                .with(|children| Fanouts::new(traces, children).visits_within(id))
        });
        Some((label, visits))
    });
    let selected_state = Signal::derive(move || {
        let index = selected.get()?;
        run_view
            .traces
            .with(|t| t.get(index as usize).map(|t| t.state_name.clone()))
    });
    // The graph calls this with a state's name: show the state's latest visit, in the branch
    // or iteration shown if it ran there.
    let on_state_click = Callback::new(move |name: String| {
        let focused = focus.get_untracked();
        let latest = run_view.traces.with(|traces| {
            run_view.children.with(|children| {
                let fanouts = Fanouts::new(traces, children);
                let named = || traces.iter().rev().filter(|t| t.state_name == name);
                focused
                    .and_then(|f| named().find(|t| fanouts.is_within(t, f)))
                    .or_else(|| named().next())
                    .map(|t| t.index)
            })
        });
        selected.set(latest);
    });
    // The tabs of the event history and the Tests panel, in place of each one's heading (no
    // row of their own: the history keeps its height).
    let bottom_tabs = ViewFn::from(move || {
        view! {
            <div class="tabs bottom-tabs" role="tablist" aria-label="Event history and tests">
                <button role="tab" aria-selected=move || (bottom_tab.get() == "history").to_string() on:click=move |_| bottom_tab.set("history") data-testid="tab-history">"Events"</button>
                <button role="tab" aria-selected=move || (bottom_tab.get() == "tests").to_string() on:click=move |_| bottom_tab.set("tests") data-testid="tab-tests-panel">
                    "Tests" {move || run_view.test_results.with(|r| r.as_ref().filter(|r| !r.cases.is_empty() || r.problem.is_some()).map(|r| {
                        let bad = r.cases.len() - r.count(crate::protocol::TestOutcome::Passed) + usize::from(r.problem.is_some());
                        if bad == 0 {
                            view! { <span class="count-badge good" title="Every case passed">"✓"</span> }.into_any()
                        } else {
                            view! { <span class="badge" title=format!("{bad} case(s) did not pass")>{bad}</span> }.into_any()
                        }
                    }))}
                </button>
            </div>
        }
    });
    let export_svg = Callback::new(move |svg: String| {
        if let Err(e) = download("state-machine.svg", "image/svg+xml", &svg) {
            notice.set(Some(e));
        }
    });
    let open_child = Callback::new(move |id: Option<u32>| runner.with_value(|r| r.open_child(id)));
    let export_named = Callback::new(move |(name, text): (String, String)| {
        if let Err(e) = download(&name, "application/json", &text) {
            notice.set(Some(e));
        }
    });
    let export_history = Callback::new(move |()| {
        export(
            notice,
            "execution-history.json",
            run_view.events.with_untracked(|e| history_json(e)),
        )
    });
    view! {
        <section class="right" class:graph-maximised=move || maximised.get() aria-label="Execution">
            <section class="graph-pane pane" class:stale=move || !run_view.layout_current.get() aria-label="State machine graph" data-testid="graph-slot">
                <button class="small graph-maximise" data-testid="graph-maximise"
                    aria-pressed=move || maximised.get().to_string()
                    title=move || if maximised.get() { "Show the history and inspector again" } else { "Give the graph the whole column" }
                    on:click=move |_| maximised.update(|m| *m = !*m)>
                    {move || if maximised.get() { "Restore" } else { "Maximise" }}
                </button>
                {move || (!run_view.layout_current.get() && run_view.layout.with(Option::is_some)).then(|| view! {
                    <div class="graph-stale" data-testid="graph-stale" role="note">
                        "Last valid definition: the text has errors (see the Definition's problems)"
                    </div>
                })}
                {move || earlier.get().then(|| view! {
                    <div class="graph-earlier" data-testid="graph-earlier" role="note">
                        "Colours and history are of a run of an earlier definition: Run again to update"
                    </div>
                })}
                {move || focus_label.get().map(|label| view! {
                    <div class="graph-focus" data-testid="graph-focus">
                        {format!("Showing {label} alone")}
                        <button class="small" on:click=move |_| focus.set(None)>"Show all"</button>
                    </div>
                })}
                <Graph graph=run_view.layout statuses=statuses on_select=on_state_click selected=selected_state on_export=export_svg uncovered=uncovered />
            </section>
            <Splitter label="Resize the graph" vertical=false value=graph_height min=80.0 />
            <div class="bottom">
                <div class="history-column">
                    // Kept while hidden: its results and what they were run with stay.
                    <div class="tests-slot" hidden=move || bottom_tab.get() != "tests">
                        <TestsPanel work=work run_view=run_view runner=runner coverage_shown=coverage_shown notice=notice heading=bottom_tabs.clone() />
                    </div>
                    {move || if bottom_tab.get() == "tests" {
                        ().into_any()
                    } else if run_view.child_history.with(Option::is_some) {
                        view! { <ChildHistory view=run_view open=open_child export=export_named /> }.into_any()
                    } else {
                        view! {
                            <HistoryTable view=run_view selected=selected export=export_history only=only_events clear_only=Callback::new(move |()| events_of.set(None)) earlier=earlier open_child=open_child heading=bottom_tabs.clone()>
                                <ChildExecutionsMenu view=run_view open=open_child />
                            </HistoryTable>
                        }.into_any()
                    }}
                </div>
                <Inspector view=run_view selected=selected focus=focus events_of=events_of
                    answer=Callback::new(move |(token, answer)| runner.with_value(|r| r.answer(token, answer)))
                    tester=StateTester { runner, definition: definition.into() } />
            </div>
        </section>
    }
}

/// Keeps the user's own work aside in localStorage (see [`storage::OWN_WORK_KEY`]).
pub(crate) fn keep_own_work(work: &SavedWork) -> Result<(), String> {
    let mut store = local_store().map_err(|e| e.to_string())?;
    storage::save_own_work(&mut store, work).map_err(|e| e.to_string())
}

/// Saves the work once editing pauses; a failure is told in `notice`.
fn save_as_edited(work: Work, notice: RwSignal<Option<String>>) {
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

/// Puts a link to the work in `share_link` and the clipboard.
fn share_work(work: Work, notice: RwSignal<Option<String>>, share_link: RwSignal<Option<String>>) {
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
}

/// A Task resource without a mock gets a starting one (the engine adds it at the start of a
/// run, so a run never stops at "no mock", or on request); the user sees the rule in the
/// Mocks editor and can change it. A completed file made from older text is dropped.
fn take_completed_mocks(work: Work, run_view: RunView, notice: RwSignal<Option<String>>) {
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
}

/// Downloads `text` as `name`; a failure is told in `notice`.
fn export(notice: RwSignal<Option<String>>, name: &'static str, text: String) {
    if let Err(e) = download(name, "application/json", &text) {
        notice.set(Some(e));
    }
}

/// The shown events as `GetExecutionHistory` JSON (pretty), the way AWS's API returns them
/// (each row carries its event as the engine wrote it).
pub fn history_json(rows: &[crate::protocol::EventRow]) -> String {
    sfn_playground_data::history::get_execution_history(rows)
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

/// Half the window's height for the graph (nested machines need the room), at least 300 px.
fn initial_graph_height() -> f64 {
    let height = web_sys::window()
        .and_then(|w| w.inner_height().ok())
        .and_then(|v| v.as_f64())
        .unwrap_or(900.0);
    (height * 0.5).max(300.0)
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
