//! The playground page: editors on the left; graph, event history and state inspector on the
//! right; run controls above and a status bar below.

use gloo_timers::callback::Timeout;
use leptos::prelude::*;
use sfn_engine::{parse_definition, MockSet, Severity};

use crate::editor::{json_syntax_mark, CodeEditor, FocusRequest, Mark};
use crate::format;
use crate::history::HistoryTable;
use crate::inspector::Inspector;
use crate::runner::{Phase, RunRequest, RunView, Runner, Speed};

/// The work the page opens with when nothing else is given: the seed tutorial.
pub const STARTER_DEFINITION: &str = include_str!("../examples/tutorial/tutorial.asl.json");
pub const STARTER_INPUT: &str = include_str!("../examples/tutorial/input-429.json");
pub const STARTER_MOCKS: &str = include_str!("../examples/tutorial/mocks.json");

/// How long typing must pause before the texts are checked again.
const DIAGNOSTICS_DELAY_MS: u32 = 250;

/// The engine's diagnostics of a definition, as editor marks.
pub fn definition_marks(text: &str) -> Vec<Mark> {
    let (_, diagnostics) = parse_definition(text);
    diagnostics
        .into_iter()
        .map(|d| Mark {
            line: d.line.max(1),
            column: d.column.max(1),
            severity: match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            },
            message: d.message,
        })
        .collect()
}

/// JSON syntax problems of the input.
pub fn input_marks(text: &str) -> Vec<Mark> {
    json_syntax_mark(text).into_iter().collect()
}

/// JSON syntax problems of the mock file, then what the engine finds wrong with it (the engine
/// gives no positions for those: they go on the first line, one mark per problem).
pub fn mocks_marks(text: &str) -> Vec<Mark> {
    if text.trim().is_empty() {
        return Vec::new();
    }
    if let Some(mark) = json_syntax_mark(text) {
        return vec![mark];
    }
    match MockSet::from_json_text(text, None) {
        Ok(_) => Vec::new(),
        Err(e) => e
            .message
            .lines()
            .map(|line| Mark {
                line: 1,
                column: 1,
                severity: "error",
                message: line.to_owned(),
            })
            .collect(),
    }
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
    let pending = StoredValue::new_local(None::<Timeout>);
    Effect::new(move |first: Option<()>| {
        let t = text.get();
        if first.is_none() {
            return;
        }
        // Replacing the timer drops (cancels) the previous one.
        pending.set_value(Some(Timeout::new(DIAGNOSTICS_DELAY_MS, move || {
            marks.set(check(&t));
        })));
    });
    marks
}

/// The texts the user is working on.
#[derive(Clone, Copy)]
pub struct Work {
    pub definition: RwSignal<String>,
    pub input: RwSignal<String>,
    pub mocks: RwSignal<String>,
}

impl Work {
    pub fn starter() -> Work {
        Work {
            definition: RwSignal::new(STARTER_DEFINITION.to_owned()),
            input: RwSignal::new(STARTER_INPUT.to_owned()),
            mocks: RwSignal::new(STARTER_MOCKS.to_owned()),
        }
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

#[component]
pub fn App() -> impl IntoView {
    let work = Work::starter();
    let run_view = RunView::new();
    let runner = StoredValue::new_local(Runner::new(run_view));
    view! { <Playground work=work run_view=run_view runner=runner /> }
}

/// The whole page around a given work and runner (the tests mount it with their own).
#[component]
pub fn Playground(
    work: Work,
    run_view: RunView,
    runner: StoredValue<Runner, LocalStorage>,
) -> impl IntoView {
    let speed_key = RwSignal::new("10".to_owned());
    let speed = move || Speed::from_key(&speed_key.get_untracked());
    let selected = RwSignal::new(None::<u32>);
    let notice = RwSignal::new(None::<String>);
    let tab = RwSignal::new("input");
    let focus_definition: FocusRequest = RwSignal::new(None);

    let definition_marks = debounced_marks(work.definition, definition_marks);
    let input_marks = debounced_marks(work.input, input_marks);
    let mocks_marks = debounced_marks(work.mocks, mocks_marks);

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
    let _ = on_state_click;

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
                // EXAMPLES: the examples menu (src/examples.rs) goes here.
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
                // SHARE: the share link button (src/share.rs) goes here.
            </header>

            <main class="workspace">
                <section class="left" aria-label="Editors">
                    <div class="definition pane">
                        <div class="pane-toolbar">
                            <h2>"Definition"</h2>
                            <span class="muted" data-testid="diagnostic-count">
                                {move || problem_summary(&definition_marks.get())}
                            </span>
                            <span class="spacer"></span>
                            <button class="small" on:click=format_definition data-testid="format">"Format"</button>
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
                            <CodeEditor label="Execution input (JSON)" text=work.input marks=input_marks on_run=run test_id="input-editor" />
                        </div>
                        <div id="panel-mocks" role="tabpanel" aria-labelledby="tab-mocks" class="tabpanel" hidden=move || tab.get() != "mocks">
                            <CodeEditor label="Mock task functions (JSON)" text=work.mocks marks=mocks_marks on_run=run test_id="mocks-editor" />
                        </div>
                    </div>
                </section>

                <Splitter label="Resize the editors" vertical=true value=left_width min=280.0 />

                <section class="right" aria-label="Execution">
                    // GRAPH: the ui-graph `Graph` component goes here, with `on_state_click`.
                    <section class="graph-pane pane" aria-label="State machine graph" data-testid="graph-slot">
                        <div class="graph-placeholder muted">"The graph of the state machine appears here."</div>
                    </section>
                    <Splitter label="Resize the graph" vertical=false value=graph_height min=80.0 />
                    <div class="bottom">
                        <HistoryTable view=run_view selected=selected />
                        <Inspector view=run_view selected=selected />
                    </div>
                </section>
            </main>

            <StatusBar view=run_view notice=notice />
        </div>
    }
}

fn initial_left_width() -> f64 {
    let width = web_sys::window()
        .and_then(|w| w.inner_width().ok())
        .and_then(|v| v.as_f64())
        .unwrap_or(1280.0);
    (width * 0.36).clamp(320.0, 720.0)
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
    let problems = move || match view.phase.get() {
        Phase::Rejected(p) => p,
        Phase::Crashed(m) => vec![m],
        _ => notice.get().into_iter().collect(),
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
