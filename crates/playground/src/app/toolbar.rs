//! The top bar: the example chooser, the run controls (Run, Step, Stop, speed) and Share; and
//! the bar with the share link under it.

use leptos::prelude::*;

use super::{keep_own_work, Work};
use crate::examples::{self, EXAMPLES};
use crate::runner::{Phase, Runner, Speed};
use crate::storage::SavedWork;

/// The Example menu's value for the user's own work.
const OWN_WORK: &str = "own";

/// The page's top bar.
#[component]
pub fn Toolbar(
    work: Work,
    runner: StoredValue<Runner, LocalStorage>,
    phase: RwSignal<Phase>,
    /// The chosen speed's key (see [`Speed::CHOICES`]).
    speed_key: RwSignal<String>,
    /// The state visit shown in the inspector (none once another example is loaded).
    selected: RwSignal<Option<u32>>,
    run: Callback<()>,
    step: Callback<()>,
    share: Callback<()>,
    /// The user's own work, kept aside when an example replaced it: "Your own work" brings
    /// it back.
    own_work: RwSignal<Option<SavedWork>>,
    notice: RwSignal<Option<String>>,
    /// Keep the own work in localStorage too (the page; not the component tests).
    persist: bool,
    /// Redrive the ended run with the mock file as it is now.
    redrive: Callback<()>,
    /// Whether the run shown can be redriven (it ended FAILED, TIMED_OUT or ABORTED).
    redrivable: Signal<bool>,
    /// The definition was edited since the run: AWS redrives the definition it ran.
    earlier: Signal<bool>,
) -> impl IntoView {
    let speed = move || Speed::from_key(&speed_key.get_untracked());
    let active = move || phase.with(Phase::is_active);
    // The menu follows the texts: an example while they are exactly its own, else "Your own
    // work".
    let shown_example = Memo::new(move |_| work.shown_example().map(|e| e.id));
    let choose_example = move |ev: leptos::ev::Event| {
        let id = event_target_value(&ev);
        if id == OWN_WORK {
            if let Some(own) = own_work.get_untracked() {
                runner.with_value(Runner::stop);
                work.load_saved(&own);
                selected.set(None);
            }
            return;
        }
        let Some(example) = examples::find(&id) else {
            return;
        };
        if shown_example.get_untracked().is_none() {
            // The example replaces the user's own work: keep it, to be brought back.
            let own = work.saved_untracked();
            let kept = if persist { keep_own_work(&own) } else { Ok(()) };
            own_work.set(Some(own));
            notice.set(Some(match kept {
                Ok(()) => "Your own work is kept: choose \"Your own work\" in the Example menu to bring it back.".into(),
                Err(e) => format!("Your own work is kept until you leave the page ({e}): choose \"Your own work\" in the Example menu to bring it back."),
            }));
        }
        runner.with_value(Runner::stop);
        work.load_example(example);
        selected.set(None);
    };
    let stop = move |_| runner.with_value(Runner::stop);
    view! {
        <header class="topbar">
            <h1 class="brand">
                <span class="logo" aria-hidden="true">"⟡"</span>
                "Step Functions Playground"
            </h1>
            <label class="examples">
                <span>"Example"</span>
                <select data-testid="example" on:change=choose_example prop:value=move || shown_example.get().unwrap_or(OWN_WORK)>
                    <option value=OWN_WORK disabled=move || shown_example.get().is_some() && own_work.with(Option::is_none)>"Your own work"</option>
                    {EXAMPLES.iter().map(|e| view! { <option value=e.id title=e.description>{e.title}</option> }).collect_view()}
                </select>
            </label>
            <div class="controls" role="toolbar" aria-label="Run controls">
                <button class="primary" on:click=move |_| run.run(()) title="Run (Ctrl+Enter)" data-testid="run">
                    <svg class="icon" viewBox="0 0 16 16" aria-hidden="true"><path d="M4 2.5v11l9-5.5z" fill="currentColor"/></svg>"Run"
                </button>
                <button on:click=move |_| step.run(()) title="Advance one step" data-testid="step">
                    <svg class="icon" viewBox="0 0 16 16" aria-hidden="true"><path d="M3 2.5v11l7-5.5z" fill="currentColor"/><rect x="11" y="2.5" width="2" height="11" fill="currentColor"/></svg>"Step"
                </button>
                <button on:click=stop disabled=move || !active() title="Stop the execution" data-testid="stop">
                    <svg class="icon" viewBox="0 0 16 16" aria-hidden="true"><rect x="3.5" y="3.5" width="9" height="9" rx="1" fill="currentColor"/></svg>"Stop"
                </button>
                <Show when=move || redrivable.get() && !active()>
                    <button on:click=move |_| redrive.run(()) data-testid="redrive"
                        disabled=move || earlier.get()
                        title=move || if earlier.get() {
                            "The definition was edited since this run: a redrive runs the definition the execution ran. Run again instead, or undo the edit."
                        } else {
                            "Redrive: go on from where the execution stopped, with the mocks as they are now (RedriveExecution)"
                        }>
                        <svg class="icon" viewBox="0 0 16 16" aria-hidden="true"><path d="M13 8a5 5 0 1 1-1.5-3.5M13 2.5v3h-3" fill="none" stroke="currentColor" stroke-width="1.6"/></svg>"Redrive"
                    </button>
                </Show>
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
            <button on:click=move |_| share.run(()) data-testid="share" title="Put the definition, input and mocks in a link">
                <svg class="icon" viewBox="0 0 16 16" aria-hidden="true"><path d="M6.5 9.5l3-3M7 4.5l1.2-1.2a2.5 2.5 0 013.5 3.5L10.5 8M9 11.5l-1.2 1.2a2.5 2.5 0 01-3.5-3.5L5.5 8" stroke="currentColor" stroke-width="1.6" fill="none" stroke-linecap="round"/></svg>
                "Share"
            </button>
        </header>
    }
}

/// The share link made last, until closed.
#[component]
pub fn ShareBar(link: RwSignal<Option<String>>) -> impl IntoView {
    move || {
        link.get().map(|shown| view! {
            <div class="sharebar" role="region" aria-label="Share link">
                <span>"Link to this work (copied to the clipboard):"</span>
                <input data-testid="share-link" readonly=true prop:value=shown.clone() on:focus=move |ev| {
                    if let Some(input) = event_target::<web_sys::HtmlInputElement>(&ev).into() {
                        web_sys::HtmlInputElement::select(&input);
                    }
                } />
                <button class="small" on:click=move |_| link.set(None) aria-label="Close the share link">"Close"</button>
            </div>
        })
    }
}
