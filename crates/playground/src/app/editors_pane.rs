//! The definition's pane: its editor, its problem count and list, Import (project files),
//! Format and Export.

use leptos::prelude::*;

use super::{export, format_json, problem_summary, Work};
use crate::editor::{CodeEditor, FocusRequest};
use crate::project_import::{ImportButton, ImportPanel, ProjectImport};
use crate::protocol::Mark;
use crate::runner::{RunView, Runner};

/// The definition's editor with its toolbar and problems (a click on one goes to its place).
#[component]
pub fn DefinitionPane(
    work: Work,
    run_view: RunView,
    runner: StoredValue<Runner, LocalStorage>,
    /// Where the page tells the user what went wrong.
    notice: RwSignal<Option<String>>,
    run: Callback<()>,
) -> impl IntoView {
    let import = ProjectImport::new();
    let definition_marks = run_view.definition_marks;
    let focus_definition: FocusRequest = RwSignal::new(None);
    let format_definition = move |_| match format_json(&work.definition.get_untracked()) {
        Ok(text) => {
            notice.set(None);
            work.definition.set(text);
        }
        Err(e) => notice.set(Some(e)),
    };
    view! {
        <div class="definition pane">
            <MachineTabs work=work notice=notice />
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
                <ImportButton import=import runner=runner notice=notice />
                <button class="small" on:click=format_definition data-testid="format">"Format"</button>
                <button class="small" on:click=move |_| export(notice, "definition.asl.json", work.definition.get_untracked()) title="Download the definition">"Export"</button>
            </div>
            <ImportPanel import=import work=work run_view=run_view runner=runner notice=notice />
            <CodeEditor label="State machine definition (JSON)" text=work.definition marks=definition_marks on_run=run focus=focus_definition test_id="definition-editor" />
            <ProblemList marks=definition_marks focus=focus_definition label="Definition problems" test_id="problems" />
        </div>
    }
}

/// What a state machine added to the workspace starts as.
const NEW_MACHINE: &str = "{\n  \"Comment\": \"A state machine another one can start (states:startExecution)\",\n  \"StartAt\": \"Done\",\n  \"States\": {\n    \"Done\": {\"Type\": \"Pass\", \"End\": true}\n  }\n}\n";

/// The workspace's state machines, one tab each: the one shown is edited and run; a Task can
/// start the others (`states:startExecution` naming one in its ARN). Add, rename, close.
#[component]
fn MachineTabs(work: Work, notice: RwSignal<Option<String>>) -> impl IntoView {
    let show = move |index: usize| {
        let text = work.definition.get_untracked();
        let mut next = None;
        work.tabs.update(|t| next = t.switch(index, text));
        if let Some(next) = next {
            work.definition.set(next);
        }
    };
    let add = move |_| {
        let text = work.definition.get_untracked();
        let mut shown = String::new();
        work.tabs.update(|t| {
            let name = t.free_name("Child");
            shown = t.add(name, NEW_MACHINE.to_owned(), text);
        });
        work.definition.set(shown);
    };
    let rename = move |_| {
        let Some(window) = web_sys::window() else {
            return;
        };
        let current = work.tabs.with_untracked(|t| t.shown.clone());
        let Ok(Some(name)) =
            window.prompt_with_message_and_default("Name of this state machine", &current)
        else {
            return;
        };
        let name = name.trim().to_owned();
        match work.tabs.with_untracked(|t| t.rename_problem(&name)) {
            Some(problem) if name != current => notice.set(Some(problem)),
            _ => {
                notice.set(None);
                work.tabs.update(|t| t.shown = name);
            }
        }
    };
    let close = move |_| {
        let name = work.tabs.with_untracked(|t| t.shown.clone());
        let confirmed = web_sys::window()
            .and_then(|w| {
                w.confirm_with_message(&format!(
                    "Remove the state machine {name} from the workspace? Its definition is lost."
                ))
                .ok()
            })
            .unwrap_or(false);
        if !confirmed {
            return;
        }
        let mut next = None;
        work.tabs.update(|t| next = t.close_shown());
        if let Some(next) = next {
            work.definition.set(next);
        }
    };
    view! {
        <div class="machine-tabs" role="tablist" aria-label="State machines in the workspace" data-testid="machine-tabs">
            {move || {
                let tabs = work.tabs.get();
                let shown = tabs.position.min(tabs.others.len());
                let several = !tabs.others.is_empty();
                tabs.names().into_iter().enumerate().map(|(i, name)| {
                    let selected = i == shown;
                    view! {
                        <span class="machine-tab" class:selected=selected>
                            <button role="tab" aria-selected=selected.to_string()
                                title=if selected { "The state machine in the editor: Run runs it".to_owned() } else { format!("Edit {name}") }
                                on:click=move |_| show(i)>{name.clone()}</button>
                            {selected.then(|| view! {
                                <button class="link tab-action" title="Rename this state machine" on:click=rename data-testid="rename-machine">"✎"</button>
                            })}
                            {(selected && several).then(|| view! {
                                <button class="link tab-action" title="Remove this state machine from the workspace" on:click=close data-testid="close-machine">"×"</button>
                            })}
                        </span>
                    }
                }).collect_view()
            }}
            <button class="small" title="Add a state machine that this one can start (states:startExecution)" on:click=add data-testid="add-machine">"+ State machine"</button>
        </div>
    }
}

/// An editor's problems, at most 50, each a link to its place in the editor.
#[component]
pub fn ProblemList(
    marks: RwSignal<Vec<Mark>>,
    focus: FocusRequest,
    label: &'static str,
    test_id: &'static str,
) -> impl IntoView {
    view! {
        <ul class="problems" aria-label=label data-testid=test_id>
            {move || marks.get().into_iter().take(50).map(|m| {
                let (line, column) = (m.line, m.column);
                view! {
                    <li class=m.severity>
                        <button class="link" on:click=move |_| focus.set(Some((line, column, js_sys::Date::now() as u64)))>
                            {format!("{}:{}", m.line, m.column)}
                        </button>
                        " "{m.message}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}
