//! The event history table, like the AWS console's: one row per event, live, filterable,
//! expandable to the event's details. Only the rows in view are in the DOM, so a history of
//! 25,000 events scrolls as smoothly as one of ten.

use std::collections::HashSet;

use leptos::html::Div;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;

use crate::format;
use crate::protocol::EventRow;
use crate::runner::RunView;
use sfn_playground_data::history::EventClass;

/// A restriction of the history to some state visits: its label for people, and the visits.
pub type OnlyVisits = (String, HashSet<u32>);

/// Height of one row in pixels (the stylesheet uses the same).
pub const ROW_HEIGHT: f64 = 30.0;
/// Height of one line of expanded details, and the most lines shown before they scroll.
const DETAIL_LINE: f64 = 17.0;
const DETAIL_MAX_LINES: usize = 18;
/// Rows rendered beyond the visible ones, above and below.
const OVERSCAN: usize = 6;

/// An expanded row's details as pretty JSON, and the extra height they take.
fn expansion(row: &EventRow) -> (String, f64) {
    let text = if row.details.is_empty() {
        "(no details)".to_owned()
    } else {
        format::pretty_json(&row.details)
    };
    let lines = text.lines().count().clamp(1, DETAIL_MAX_LINES);
    (text, lines as f64 * DETAIL_LINE + 18.0)
}

/// How an event reads at a glance.
fn tone(class: EventClass) -> &'static str {
    match class {
        EventClass::Failed
        | EventClass::PartFailed
        | EventClass::Aborted
        | EventClass::StateAborted => "bad",
        EventClass::ExecutionSucceeded | EventClass::WorkSucceeded => "good",
        EventClass::StateEntered | EventClass::FailStateEntered | EventClass::StateExited => {
            "state"
        }
        EventClass::ExecutionStarted | EventClass::WorkStarted => "plain",
    }
}

/// Where rows go: the filtered rows (indices into the events), the expanded ones among them
/// (position, extra height) and the total height.
#[derive(Debug, Clone, PartialEq, Default)]
struct Layout {
    rows: Vec<usize>,
    extras: Vec<(usize, f64)>,
    total: f64,
}

impl Layout {
    /// The top of the row at `pos`.
    fn offset(&self, pos: usize) -> f64 {
        let extra: f64 = self
            .extras
            .iter()
            .take_while(|(p, _)| *p < pos)
            .map(|(_, e)| e)
            .sum();
        pos as f64 * ROW_HEIGHT + extra
    }

    /// The first row whose bottom is below `top`.
    fn first_visible(&self, top: f64) -> usize {
        let mut extra = 0.0;
        for (p, e) in &self.extras {
            let bottom = (*p as f64 + 1.0) * ROW_HEIGHT + extra + e;
            if bottom > top {
                // The expanded row itself, or a plain row before it.
                let plain = ((top - extra) / ROW_HEIGHT).floor().max(0.0) as usize;
                return plain.min(*p);
            }
            extra += e;
        }
        ((top - extra) / ROW_HEIGHT).floor().max(0.0) as usize
    }
}

#[component]
pub fn HistoryTable(
    view: RunView,
    /// The selected state visit (a [`crate::protocol::TraceView::index`]).
    selected: RwSignal<Option<u32>>,
    /// When given, an Export button calls it.
    #[prop(optional)]
    export: Option<Callback<()>>,
    /// When set, only the events of these state visits are listed (one branch's or
    /// iteration's), under this label, with a button that calls `clear_only`.
    #[prop(optional, into)]
    only: Option<Signal<Option<OnlyVisits>>>,
    #[prop(optional)] clear_only: Option<Callback<()>>,
    /// The events are of a run of an earlier definition than the editor's.
    #[prop(optional, into)]
    earlier: Option<Signal<bool>>,
    /// More controls for the toolbar (the child executions' menu).
    #[prop(optional)]
    children: Option<Children>,
    /// Opens a child execution: the rows of the events that started one get a link to it.
    #[prop(optional)]
    open_child: Option<Callback<Option<u32>>>,
    /// What the toolbar starts with instead of its "Events" heading (the page's tabs of the
    /// history and the Tests panel).
    #[prop(optional, into)]
    heading: Option<ViewFn>,
) -> impl IntoView {
    // The event that names each child execution (its first child, for a Map Run's).
    let started_children = Memo::new(move |_| {
        view.executions.with(|all| {
            let mut by_event = std::collections::HashMap::new();
            for c in all {
                if let Some(event) = c.parent_event_id {
                    by_event.entry(event).or_insert(c.id);
                }
            }
            by_event
        })
    });
    let scroller = NodeRef::<Div>::new();
    let scroll_top = RwSignal::new(0.0_f64);
    let viewport = RwSignal::new(600.0_f64);
    // Keep the newest rows in view while the user has not scrolled up.
    let follow = RwSignal::new(true);
    let state_filter = RwSignal::new(String::new());
    let type_filter = RwSignal::new(String::new());
    // The ids of the expanded rows; a new run starts with none.
    let expanded = RwSignal::new(Vec::<u64>::new());
    Effect::new(move |_| {
        if view.events.with(Vec::is_empty) && !expanded.with_untracked(Vec::is_empty) {
            expanded.set(Vec::new());
        }
    });

    let types = Memo::new(move |_| {
        view.events.with(|events| {
            let mut seen: Vec<String> = Vec::new();
            for e in events {
                if !seen.contains(&e.event_type) {
                    seen.push(e.event_type.clone());
                }
            }
            seen.sort();
            seen
        })
    });

    let layout = Memo::new(move |_| {
        let wanted_state = state_filter.get().trim().to_lowercase();
        let wanted_type = type_filter.get();
        let wanted_visits = only.and_then(|o| o.get()).map(|(_, visits)| visits);
        let open = expanded.get();
        view.events.with(|events| {
            let rows: Vec<usize> = events
                .iter()
                .enumerate()
                .filter(|(_, e)| wanted_type.is_empty() || e.event_type == wanted_type)
                .filter(|(_, e)| {
                    wanted_visits
                        .as_ref()
                        .is_none_or(|v| e.trace.is_some_and(|t| v.contains(&t)))
                })
                .filter(|(_, e)| {
                    wanted_state.is_empty()
                        || e.step
                            .as_deref()
                            .is_some_and(|s| s.to_lowercase().contains(&wanted_state))
                })
                .map(|(i, _)| i)
                .collect();
            let mut extras: Vec<(usize, f64)> = open
                .iter()
                .filter_map(|id| {
                    rows.iter()
                        .position(|&i| events.get(i).is_some_and(|e| e.id == *id))
                        .and_then(|p| {
                            let i = rows.get(p)?;
                            Some((p, expansion(events.get(*i)?).1))
                        })
                })
                .collect();
            extras.sort_by_key(|(p, _)| *p);
            let total = rows.len() as f64 * ROW_HEIGHT + extras.iter().map(|(_, e)| e).sum::<f64>();
            Layout {
                rows,
                extras,
                total,
            }
        })
    });

    let window_rows = Memo::new(move |_| {
        let top = scroll_top.get();
        let height = viewport.get();
        layout.with(|l| {
            let first = l.first_visible(top).saturating_sub(OVERSCAN);
            let count = (height / ROW_HEIGHT).ceil() as usize + 2 * OVERSCAN;
            let last = first.saturating_add(count).min(l.rows.len());
            (first, last, l.offset(first))
        })
    });

    // Called back by the browser, possibly after the table is gone: hence the `try_`s.
    let measure = move || {
        if let Some(el) = scroller.try_get_untracked().flatten() {
            viewport.try_set(f64::from(el.client_height()));
            scroll_top.try_set(f64::from(el.scroll_top()));
        }
    };

    // Follow the tail as rows arrive.
    Effect::new(move |_| {
        layout.track();
        if follow.get_untracked() {
            request_animation_frame(move || {
                if let Some(el) = scroller.try_get_untracked().flatten() {
                    el.set_scroll_top(el.scroll_height());
                    measure();
                }
            });
        }
    });

    // Keep the viewport height right when panes are resized.
    Effect::new(move |_| {
        let Some(el) = scroller.get() else { return };
        let observer_cb = Closure::<dyn Fn()>::new(measure);
        if let Ok(observer) = web_sys::ResizeObserver::new(observer_cb.as_ref().unchecked_ref()) {
            observer.observe(&el);
        }
        observer_cb.forget();
    });

    let on_scroll = move |_| {
        if let Some(el) = scroller.get_untracked() {
            let top = f64::from(el.scroll_top());
            let height = f64::from(el.client_height());
            let previous = scroll_top.get_untracked();
            scroll_top.set(top);
            viewport.set(height);
            // Only the user scrolls up: rows arriving (and following them) only move down, so
            // a fast run does not lose the tail between a batch and the scroll that follows it.
            if top + height >= f64::from(el.scroll_height()) - ROW_HEIGHT {
                follow.set(true);
            } else if top < previous - 1.0 {
                follow.set(false);
            }
        }
    };

    let toggle = move |row: &EventRow| {
        let id = row.id;
        expanded.update(|open| {
            if let Some(i) = open.iter().position(|x| *x == id) {
                open.remove(i);
            } else {
                open.push(id);
            }
        });
    };

    let rows_view = move || {
        let (first, last, _) = window_rows.get();
        let open = expanded.get();
        let start = view.start_ms.get();
        let selected_now = selected.get();
        layout.with(|l| {
            view.events.with(|events| {
                l.rows
                    .get(first..last)
                    .unwrap_or(&[])
                    .iter()
                    .filter_map(|&i| events.get(i).cloned())
                    .map(|row| {
                        let detail = open.contains(&row.id).then(|| expansion(&row));
                        let is_open = detail.is_some();
                        let is_selected = row.trace.is_some() && row.trace == selected_now;
                        let row_for_click = row.clone();
                        let row_for_key = row.clone();
                        let trace = row.trace;
                        view! {
                            <div
                                class="history-row"
                                class:selected=is_selected
                                class:open=is_open
                                role="row"
                                tabindex="0"
                                aria-expanded=if is_open { "true" } else { "false" }
                                data-event-type=row.event_type.clone()
                                on:click=move |_| {
                                    selected.set(trace);
                                    toggle(&row_for_click);
                                }
                                on:keydown=move |ev: web_sys::KeyboardEvent| {
                                    if ev.key() == "Enter" || ev.key() == " " {
                                        ev.prevent_default();
                                        selected.set(trace);
                                        toggle(&row_for_key);
                                    }
                                }
                            >
                                <span class="cell id" role="cell">
                                    <span class="chevron" aria-hidden="true">{if is_open { "▾" } else { "▸" }}</span>
                                    {row.id}
                                </span>
                                <span class=format!("cell type tone-{}", tone(row.class)) role="cell">{row.event_type.clone()}</span>
                                <span class="cell step" role="cell">
                                    // First, so that a long state name cut short never hides it.
                                    {open_child.and_then(|open| {
                                        let child = started_children.with(|m| m.get(&row.id).copied())?;
                                        Some(view! {
                                            <button class="link child-link" data-testid="open-child" title="Open the child execution this event started"
                                                on:click=move |ev| { ev.stop_propagation(); open.run(Some(child)); }>"↗ child "</button>
                                        })
                                    })}
                                    {row.step.clone().unwrap_or_else(|| "-".into())}
                                </span>
                                <span class="cell resource" role="cell" title=row.resource.clone().unwrap_or_default()>{row.resource.as_deref().map(format::short_resource).unwrap_or_else(|| "-".into())}</span>
                                <span class="cell elapsed" role="cell">{format::elapsed(row.timestamp - start)}</span>
                                <span class="cell time" role="cell" title=format::timestamp(row.timestamp)>{format::time_of_day(row.timestamp)}</span>
                            </div>
                            {detail.map(|(text, extra)| view! {
                                <pre class="history-detail" style:height=format!("{extra}px") role="region" aria-label=format!("Details of event {}", row.id)>{text}</pre>
                            })}
                        }
                    })
                    .collect_view()
            })
        })
    };

    let shown = move || layout.with(|l| l.rows.len());
    let total = move || view.events.with(Vec::len);

    view! {
        <section class="history" aria-label="Event history">
            <div class="pane-toolbar">
                {match heading {
                    Some(heading) => heading.run(),
                    None => view! { <h2>"Events"</h2> }.into_any(),
                }}
                <span class="muted count" data-testid="event-count">
                    {move || if shown() == total() {
                        format!("{} events", format::count(total()))
                    } else {
                        format!("{} of {} events", format::count(shown()), format::count(total()))
                    }}
                </span>
                {move || earlier.is_some_and(|e| e.get()).then(|| view! {
                    <span class="earlier-chip" data-testid="history-earlier" title="The definition was edited since this run: Run again to update">"Earlier definition"</span>
                })}
                {move || only.and_then(|o| o.get()).map(|(label, _)| view! {
                    <span class="only-chip" data-testid="history-only">
                        {format!("Only {label}")}
                        <button class="small" aria-label="Show all events" on:click=move |_| {
                            if let Some(clear) = clear_only { clear.run(()) }
                        }>"×"</button>
                    </span>
                })}
                <span class="spacer"></span>
                {children.map(|more| more())}
                {export.map(|on_export| view! {
                    <button class="small" on:click=move |_| on_export.run(()) disabled=move || total() == 0 title="Download the history as GetExecutionHistory JSON" data-testid="export-history">"Export"</button>
                })}
                <label class="filter">
                    <span class="visually-hidden">"Filter by state"</span>
                    <input
                        type="search"
                        placeholder="Filter by state"
                        prop:value=move || state_filter.get()
                        on:input=move |ev| state_filter.set(event_target_value(&ev))
                    />
                </label>
                <label class="filter">
                    <span class="visually-hidden">"Filter by type"</span>
                    <select on:change=move |ev| type_filter.set(event_target_value(&ev)) prop:value=move || type_filter.get()>
                        <option value="">"All types"</option>
                        {move || types.get().into_iter().map(|t| view! { <option value=t.clone()>{t.clone()}</option> }).collect_view()}
                    </select>
                </label>
            </div>
            <div class="history-table" role="table" aria-label="History events" aria-rowcount=move || shown().to_string()>
                <div class="history-head" role="row">
                    <span class="cell id" role="columnheader">"ID"</span>
                    <span class="cell type" role="columnheader">"Type"</span>
                    <span class="cell step" role="columnheader">"Step"</span>
                    <span class="cell resource" role="columnheader">"Resource"</span>
                    <span class="cell elapsed" role="columnheader">"Started after"</span>
                    <span class="cell time" role="columnheader">"Timestamp"</span>
                </div>
                <div class="history-scroll" node_ref=scroller on:scroll=on_scroll data-testid="history-scroll">
                    <div class="history-spacer" style:height=move || format!("{}px", layout.with(|l| l.total))>
                        <div class="history-window" role="rowgroup" style:transform=move || format!("translateY({}px)", window_rows.get().2)>
                            {rows_view}
                        </div>
                    </div>
                    <Show when=move || total() == 0>
                        <p class="empty">"No events yet. Press Run (Ctrl+Enter) to start an execution."</p>
                    </Show>
                    <Show when=move || { total() > 0 && shown() == 0 }>
                        <p class="empty" data-testid="history-no-match">
                            {move || format!("None of the {} events match the filters. ", format::count(total()))}
                            <button class="small" on:click=move |_| {
                                state_filter.set(String::new());
                                type_filter.set(String::new());
                                if let Some(clear) = clear_only { clear.run(()) }
                            }>"Clear the filters"</button>
                        </p>
                    </Show>
                </div>
            </div>
        </section>
    }
}
