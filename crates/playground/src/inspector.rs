//! The state inspector: one visit of a state, stage by stage (input, after InputPath, after
//! Parameters, result, after ResultSelector, after ResultPath, output) and its errors with how
//! each was handled. All of it is shown as text.

use leptos::prelude::*;

use crate::protocol::TraceView;
use crate::runner::RunView;

#[component]
pub fn Inspector(view: RunView, selected: RwSignal<Option<u32>>) -> impl IntoView {
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

    view! {
        <section class="inspector" aria-label="State inspector" data-testid="inspector">
            <div class="pane-toolbar">
                <h2>"State"</h2>
                {move || trace.get().map(|t| view! {
                    <span class="state-name" data-testid="inspector-state">{t.state_name.clone()}</span>
                })}
                <span class="spacer"></span>
                <Show when=move || { visits.with(Vec::len) > 1 }>
                    <button class="small" on:click=move |_| go(-1) disabled=move || position() == Some(0) aria-label="Previous visit">"‹"</button>
                    <span class="muted">{move || format!("visit {}/{}", position().map_or(0, |p| p + 1), visits.with(Vec::len))}</span>
                    <button class="small" on:click=move |_| go(1) disabled=move || position().map(|p| p + 1) == Some(visits.with(Vec::len)) aria-label="Next visit">"›"</button>
                </Show>
            </div>
            <div class="inspector-body">
                {move || match trace.get() {
                    None => view! {
                        <p class="empty">"Select an event in the history, or a state in the graph, to see its data at every stage."</p>
                    }.into_any(),
                    Some(t) => trace_view(t).into_any(),
                }}
            </div>
        </section>
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
