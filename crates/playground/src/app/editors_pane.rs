//! The definition's pane: its editor, its problem count and list, Format and Export.

use leptos::prelude::*;

use super::{export, format_json, problem_summary, Work};
use crate::editor::{CodeEditor, FocusRequest};
use crate::protocol::Mark;
use crate::runner::RunView;

/// The definition's editor with its toolbar and problems (a click on one goes to its place).
#[component]
pub fn DefinitionPane(
    work: Work,
    run_view: RunView,
    /// Where the page tells the user what went wrong.
    notice: RwSignal<Option<String>>,
    run: Callback<()>,
) -> impl IntoView {
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
                <button class="small" on:click=move |_| export(notice, "definition.asl.json", work.definition.get_untracked()) title="Download the definition">"Export"</button>
            </div>
            <CodeEditor label="State machine definition (JSON)" text=work.definition marks=definition_marks on_run=run focus=focus_definition test_id="definition-editor" />
            <ProblemList marks=definition_marks focus=focus_definition label="Definition problems" test_id="problems" />
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
