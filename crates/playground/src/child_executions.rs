//! The executions a run started (a Distributed Map's child workflow executions, a
//! `states:startExecution` Task's execution of another state machine of the workspace): a menu
//! to open one, and its history shown in place of the run's, as the AWS console opens a child
//! execution from its parent.

use leptos::prelude::*;

use crate::format;
use crate::protocol::{ChildExecutionView, EventRow};
use crate::runner::RunView;

/// How many child executions the menu lists (a Map Run may have thousands).
const MENU_LIMIT: usize = 1_000;
/// How many events of a child's history are listed; Export has them all.
const ROW_LIMIT: usize = 2_000;

/// "N child executions" and a menu to open one (nothing when the run started none).
#[component]
pub fn ChildExecutionsMenu(view: RunView, open: Callback<Option<u32>>) -> impl IntoView {
    view! {
        <Show when=move || view.executions.with(|e| !e.is_empty())>
            <label class="filter child-menu">
                <span class="visually-hidden">"Open a child execution"</span>
                <select data-testid="child-executions" on:change=move |ev| {
                    let value = event_target_value(&ev);
                    if let Ok(id) = value.parse::<u32>() {
                        open.run(Some(id));
                    }
                } prop:value="">
                    <option value="">{move || {
                        let n = view.executions.with(Vec::len);
                        format!("{} child execution{}…", format::count(n), if n == 1 { "" } else { "s" })
                    }}</option>
                    {move || view.executions.get().into_iter().take(MENU_LIMIT).map(|c| view! {
                        <option value=c.id.to_string()>{label(&c)}</option>
                    }).collect_view()}
                </select>
            </label>
        </Show>
    }
}

/// A child execution in the menu: its name, status and who started it.
fn label(c: &ChildExecutionView) -> String {
    format!(
        "{} · {} · {} ({})",
        c.name, c.status, c.state_name, c.origin
    )
}

/// The history of the open child execution, with a way back to the run's.
#[component]
pub fn ChildHistory(
    view: RunView,
    open: Callback<Option<u32>>,
    export: Callback<(String, String)>,
) -> impl IntoView {
    let child = Memo::new(move |_| {
        let id = view.child_history.with(|c| c.as_ref().map(|(id, _)| *id))?;
        view.executions.with(|e| e.get(id as usize).cloned())
    });
    let events = move || {
        view.child_history
            .with(|c| c.as_ref().and_then(|(_, events)| events.clone()))
    };
    let expanded = RwSignal::new(None::<u64>);
    view! {
        <section class="history child-history" aria-label="Child execution history" data-testid="child-history">
            <div class="pane-toolbar">
                <button class="small" on:click=move |_| open.run(None) data-testid="child-back" title="Back to the run's own history">"‹ Parent"</button>
                <h2>"Child execution"</h2>
                {move || child.get().map(|c| view! {
                    <span class="state-name" data-testid="child-name" title=c.execution_arn.clone()>{c.name.clone()}</span>
                    <span class=format!("status-chip {}", c.status.to_lowercase()) data-testid="child-status">{c.status.clone()}</span>
                    <span class="muted">{format!("started by {} ({})", c.state_name, c.origin)}</span>
                })}
                <span class="spacer"></span>
                <button class="small" disabled=move || events().is_none() on:click=move |_| {
                    if let (Some(c), Some(rows)) = (child.get_untracked(), events()) {
                        export.run((format!("{}-history.json", c.name), crate::app::history_json(&rows)));
                    }
                } title="Download this history as GetExecutionHistory JSON">"Export"</button>
            </div>
            <div class="child-history-rows" role="table" aria-label="Child execution events">
                {move || match events() {
                    None => view! { <p class="empty">"Loading its history…"</p> }.into_any(),
                    Some(rows) => {
                        let start = rows.first().map_or(0, |r| r.timestamp);
                        let more = rows.len().saturating_sub(ROW_LIMIT);
                        view! {
                            {rows.into_iter().take(ROW_LIMIT).map(|row| child_row(row, start, expanded)).collect_view()}
                            {(more > 0).then(|| view! { <p class="muted">{format!("{} more events: Export has them all.", format::count(more))}</p> })}
                        }.into_any()
                    }
                }}
            </div>
        </section>
    }
}

fn child_row(row: EventRow, start: i64, expanded: RwSignal<Option<u64>>) -> impl IntoView {
    let id = row.id;
    let open = move || expanded.get() == Some(id);
    let details = format::pretty_json(&row.details);
    view! {
        <div class="history-row" role="row" tabindex="0" data-event-type=row.event_type.clone()
            on:click=move |_| expanded.update(|e| *e = if *e == Some(id) { None } else { Some(id) })>
            <span class="cell id" role="cell">{row.id}</span>
            <span class="cell type" role="cell">{row.event_type.clone()}</span>
            <span class="cell step" role="cell">{row.step.clone().unwrap_or_else(|| "-".into())}</span>
            <span class="cell elapsed" role="cell">{format::elapsed(row.timestamp - start)}</span>
        </div>
        {move || open().then(|| view! { <pre class="history-detail">{details.clone()}</pre> })}
    }
}
