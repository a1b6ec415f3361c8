//! The state inspector: one visit of a state, stage by stage (input, after InputPath, after
//! Parameters, result, after ResultSelector, after ResultPath, output) and its errors with how
//! each was handled. All of it is shown as text.
//!
//! A visit inside Parallel branches or Map iterations says where it ran (each level a link to
//! the Parallel or Map visit and that branch or iteration). A Parallel or Map visit lists its
//! branches or iterations: pick one by index to see its input, output or error and status, to
//! show it alone in the graph (the page's `focus`), and to list only its events.
//!
//! "Test this state" runs the visit's state alone, as AWS's TestState does ([`crate::test_state`]).

use leptos::prelude::*;

use crate::protocol::{ChildKind, ChildView, TaskAnswerView, TraceView};
use crate::runner::RunView;
use crate::test_state::{StateTester, TestSeed, TestStatePanel};
use crate::waiting::WaitingTasks;
use sfn_playground_data::fanout::{status_counts, Fanouts};
use sfn_playground_data::format;

#[component]
pub fn Inspector(
    view: RunView,
    selected: RwSignal<Option<u32>>,
    /// The branch or iteration the graph shows alone (a [`ChildView::id`]).
    focus: RwSignal<Option<u32>>,
    /// The branch or iteration whose events alone the history lists.
    events_of: RwSignal<Option<u32>>,
    /// Answers a waiting task's token.
    answer: Callback<(String, TaskAnswerView)>,
    /// Tests the visit's state alone ("Test this state"); without it, no such button.
    #[prop(optional)]
    tester: Option<StateTester>,
) -> impl IntoView {
    // The state being tested, and what its form started with.
    let testing = RwSignal::new(None::<TestSeed>);
    let trace = Memo::new(move |_| {
        let index = selected.get()?;
        view.traces.with(|t| t.get(index as usize).cloned())
    });
    // The visits of the selected state, in order: (trace index, position).
    let visits = Memo::new(move |_| {
        let Some(name) = trace.with(|t| t.as_ref().map(|t| t.state_name.clone())) else {
            return Vec::new();
        };
        view.traces.with(|all| {
            all.iter()
                .filter(|t| t.state_name == name)
                .map(|t| t.index)
                .collect::<Vec<u32>>()
        })
    });
    let position = move || {
        let current = selected.get()?;
        visits.with(|v| v.iter().position(|&i| i == current))
    };
    let go = move |delta: isize| {
        if let Some(p) = position() {
            let target = p as isize + delta;
            if let Ok(t) = usize::try_from(target) {
                if let Some(&i) = visits.with(|v| v.get(t).copied()).as_ref() {
                    selected.set(Some(i));
                }
            }
        }
    };
    // Where the selected visit ran: (parent visit, its state, child id, kind, index), outermost
    // first.
    let place = Memo::new(move |_| {
        let Some(t) = trace.get() else {
            return Vec::new();
        };
        view.traces.with(|traces| {
            view.children.with(|children| {
                Fanouts::new(traces, children)
                    .place(&t)
                    .iter()
                    .map(|level| {
                        (
                            level.parent.index,
                            level.parent.state_name.clone(),
                            level.child.id,
                            level.child.kind,
                            level.child.index,
                        )
                    })
                    .collect::<Vec<_>>()
            })
        })
    });

    view! {
        <section class="inspector" aria-label="State inspector" data-testid="inspector">
            <div class="pane-toolbar">
                <h2>"State"</h2>
                {move || trace.get().map(|t| view! {
                    <span class="state-name" data-testid="inspector-state">{t.state_name.clone()}</span>
                })}
                {move || tester.and_then(|tester| trace.get().map(|t| view! {
                    <button class="small" data-testid="test-state-open"
                        title="Run this state alone, as AWS's TestState does, from this visit's input"
                        on:click=move |_| testing.set(Some(tester.open(&t)))>"Test this state"</button>
                }))}
                <span class="spacer"></span>
                <Show when=move || { visits.with(Vec::len) > 1 }>
                    <button class="small" on:click=move |_| go(-1) disabled=move || position() == Some(0) aria-label="Previous visit">"‹"</button>
                    // A long loop's visit is reached by its number, not only with ‹ ›.
                    <label class="muted visit-jump">
                        "visit "
                        <input type="number" min="1" max=move || visits.with(Vec::len).to_string()
                            aria-label="Go to visit number" data-testid="visit-number"
                            prop:value=move || position().map_or(0, |p| p + 1).to_string()
                            on:change=move |ev| {
                                let wanted = event_target_value(&ev).trim().parse::<usize>().ok();
                                let target = wanted
                                    .and_then(|n| n.checked_sub(1))
                                    .and_then(|i| visits.with(|v| v.get(i).copied()));
                                if let Some(index) = target {
                                    selected.set(Some(index));
                                }
                            } />
                        {move || format!("/{}", visits.with(Vec::len))}
                    </label>
                    <button class="small" on:click=move |_| go(1) disabled=move || position().map(|p| p + 1) == Some(visits.with(Vec::len)) aria-label="Next visit">"›"</button>
                </Show>
            </div>
            <Show when=move || place.with(|p| !p.is_empty())>
                <nav class="place" aria-label="Where this visit ran" data-testid="inspector-place">
                    {move || place.get().into_iter().map(|(parent, state, child, kind, index)| view! {
                        <button class="link" on:click=move |_| { selected.set(Some(parent)); focus.set(Some(child)); }
                            title="Show this state's visit and this branch or iteration">
                            {format!("{state} › {} {index}", kind.label())}
                        </button>
                    }).collect_view()}
                </nav>
            </Show>
            <WaitingTasks view=view answer=answer selected=selected />
            <div class="inspector-body">
                {move || match trace.get() {
                    None => view! {
                        <p class="empty">"Select an event in the history, or a state in the graph, to see its data at every stage."</p>
                    }.into_any(),
                    Some(t) => view! {
                        <ChildrenPanel view=view parent=t.index focus=focus events_of=events_of />
                        {trace_view(t)}
                    }.into_any(),
                }}
            </div>
            {move || tester.and_then(|tester| testing.get().map(|seed| view! {
                <TestStatePanel view=view tester=tester seed=seed close=Callback::new(move |()| testing.set(None)) />
            }))}
        </section>
    }
}

/// The branches or iterations of the Parallel or Map visit `parent` (nothing for other
/// states): how many, how they ended, and the one picked by index.
#[component]
fn ChildrenPanel(
    view: RunView,
    parent: u32,
    focus: RwSignal<Option<u32>>,
    events_of: RwSignal<Option<u32>>,
) -> impl IntoView {
    let children = Memo::new(move |_| {
        view.traces.with(|traces| {
            view.children.with(|children| {
                Fanouts::new(traces, children)
                    .children_of(parent)
                    .into_iter()
                    .cloned()
                    .collect::<Vec<ChildView>>()
            })
        })
    });
    // The picked child: the focus when it is one of these.
    let picked = Memo::new(move |_| {
        let id = focus.get()?;
        children.with(|c| c.iter().find(|c| c.id == id).cloned())
    });
    let pick_index = move |index: u32| {
        if let Some(id) = children.with(|c| c.iter().find(|c| c.index == index).map(|c| c.id)) {
            focus.set(Some(id));
            if events_of.get_untracked().is_some() {
                events_of.set(Some(id));
            }
        }
    };
    let kind = move || {
        children
            .with(|c| c.first().map(|c| c.kind))
            .unwrap_or_default()
    };
    let noun = move || match kind() {
        ChildKind::Branch => "Branch",
        ChildKind::Iteration => "Iteration",
    };
    let summary = move || {
        children.with(|c| {
            let all: Vec<&ChildView> = c.iter().collect();
            let noun = match (kind(), all.len()) {
                (ChildKind::Branch, 1) => "branch",
                (ChildKind::Branch, _) => "branches",
                (ChildKind::Iteration, 1) => "iteration",
                (ChildKind::Iteration, _) => "iterations",
            };
            format!("{} {noun} started: {}", all.len(), status_counts(&all))
        })
    };
    let first_failed =
        move || children.with(|c| c.iter().find(|c| c.status == "FAILED").map(|c| c.index));
    let highest = move || children.with(|c| c.iter().map(|c| c.index).max().unwrap_or(0));
    let step = move |delta: i64| {
        let current = picked.get_untracked().map_or(-1, |c| i64::from(c.index));
        let target = (current + delta).clamp(0, i64::from(highest()));
        if let Ok(index) = u32::try_from(target) {
            pick_index(index);
        }
    };

    view! {
        <Show when=move || children.with(|c| !c.is_empty())>
            <div class="children" data-testid="inspector-children">
                <div class="children-head">
                    <h3>{move || match kind() { ChildKind::Branch => "Branches", ChildKind::Iteration => "Iterations" }}</h3>
                    <span class="muted" data-testid="children-summary">{summary}</span>
                </div>
                <div class="children-picker">
                    <button class="small" on:click=move |_| step(-1) aria-label="Previous">"‹"</button>
                    <label>
                        {noun}" "
                        <input type="number" min="0" max=move || highest().to_string()
                            data-testid="child-index"
                            prop:value=move || picked.get().map(|c| c.index.to_string()).unwrap_or_default()
                            placeholder="index"
                            on:change=move |ev| {
                                if let Ok(index) = event_target_value(&ev).trim().parse::<u32>() {
                                    pick_index(index);
                                }
                            } />
                    </label>
                    <button class="small" on:click=move |_| step(1) aria-label="Next">"›"</button>
                    {move || first_failed().map(|index| view! {
                        <button class="small" on:click=move |_| pick_index(index) data-testid="first-failed">"First failed"</button>
                    })}
                    <Show when=move || picked.get().is_some()>
                        <button class="small" on:click=move |_| { focus.set(None); events_of.set(None); } title="Show every branch or iteration in the graph">"All"</button>
                    </Show>
                </div>
                {move || picked.get().map(|c| child_details(c, events_of))}
            </div>
        </Show>
    }
}

fn child_details(c: ChildView, events_of: RwSignal<Option<u32>>) -> impl IntoView {
    let id = c.id;
    let chip = match c.status.as_str() {
        "SUCCEEDED" => "chip succeeded",
        "FAILED" => "chip failed",
        "RUNNING" => "chip running",
        _ => "chip",
    };
    let took = c
        .ended_ms
        .map(|end| format!("took {}", format::elapsed(end.saturating_sub(c.started_ms))))
        .unwrap_or_else(|| "still running".to_owned());
    view! {
        <div class="child-details" data-testid="child-details">
            <div class="child-status">
                <strong>{format!("{} {}", c.kind.label(), c.index)}</strong>
                <span class=chip data-testid="child-status">{c.status.clone()}</span>
                <span class="muted">{took}</span>
                <span class="spacer"></span>
                <button class="small" data-testid="child-events"
                    on:click=move |_| events_of.update(|e| *e = if *e == Some(id) { None } else { Some(id) })>
                    {move || if events_of.get() == Some(id) { "Show all events" } else { "Only its events" }}
                </button>
            </div>
            <details class="stage" open=true>
                <summary>"Input"</summary>
                <pre data-testid="child-input">{c.input}</pre>
            </details>
            {c.output.map(|o| view! {
                <details class="stage" open=true>
                    <summary>"Output"</summary>
                    <pre data-testid="child-output">{o}</pre>
                </details>
            })}
            {c.error.map(|e| view! {
                <div class="errors">
                    <div><strong class="error-name">{e}</strong></div>
                    <div class="cause">{c.cause.unwrap_or_default()}</div>
                </div>
            })}
        </div>
    }
}

fn trace_view(t: TraceView) -> impl IntoView {
    let errors = t.errors.clone();
    view! {
        <div class="stages">
            {(!errors.is_empty()).then(|| view! {
                <div class="errors" data-testid="inspector-errors">
                    <h3>"Errors"</h3>
                    <ol>
                        {errors.into_iter().map(|e| view! {
                            <li>
                                <div><strong class="error-name">{if e.error.is_empty() { "(no error name)".to_owned() } else { e.error }}</strong></div>
                                <div class="cause">{e.cause}</div>
                                <div class="handling">{e.handling}</div>
                            </li>
                        }).collect_view()}
                    </ol>
                </div>
            })}
            {t.stages.into_iter().map(|(label, value)| {
                let missing = value.is_none();
                view! {
                    <details class="stage" class:missing=missing open=!missing>
                        <summary>{label}{missing.then_some(view! { <span class="muted">" - not reached or not used"</span> })}</summary>
                        {value.map(|v| view! { <pre>{v}</pre> })}
                    </details>
                }
            }).collect_view()}
        </div>
    }
}
