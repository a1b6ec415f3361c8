//! The status bar: the run's phase, duration, transitions and steps, and its problems.

use leptos::prelude::*;

use crate::format;
use crate::runner::{Phase, RunView};

#[component]
pub fn StatusBar(
    view: RunView,
    notice: RwSignal<Option<String>>,
    /// The run shown is of an earlier definition than the editor's.
    #[prop(optional, into)]
    earlier: Option<Signal<bool>>,
) -> impl IntoView {
    // A long detail (an error's cause) is cut to one line; a click shows it all.
    let expanded = RwSignal::new(false);
    Effect::new(move |_| {
        view.phase.track();
        expanded.set(false);
    });
    let transitions = Memo::new(move |_| {
        view.events
            .with(|e| e.iter().filter(|e| e.class.is_state_entered()).count())
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
        Phase::Waiting => ("running", "WAITING FOR A TASK TOKEN".to_owned()),
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
    // The whole detail, on one line (a tooltip, and what a click on the detail shows).
    let full_detail = move || match view.phase.get() {
        Phase::Finished(s) => match (s.output, s.error, s.cause) {
            (Some(out), _, _) => Some(format!("Output: {}", flat(&out))),
            (None, e, c) => {
                let parts: Vec<String> = [
                    e.map(|e| format!("Error: {e}")),
                    c.map(|c| format!("Cause: {}", flat(&c))),
                ]
                .into_iter()
                .flatten()
                .collect();
                (!parts.is_empty()).then(|| parts.join(" · "))
            }
        },
        _ => None,
    };
    let detail = move || match view.phase.get() {
        Phase::Finished(_) if expanded.get() => full_detail(),
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
            {move || earlier.is_some_and(|e| e.get()).then(|| view! {
                <span class="earlier-chip" data-testid="status-earlier" title="The definition was edited since this run: Run again to update">"Earlier definition"</span>
            })}
            <span class="detail" class:expanded=move || expanded.get() data-testid="status-detail"
                title=move || full_detail().unwrap_or_default()
                on:click=move |_| expanded.update(|e| *e = !*e)>{detail}</span>
            <ul class="run-problems" data-testid="run-problems">
                {move || problems().into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}
            </ul>
        </footer>
    }
}

/// The text on one line, each run of white space made one space.
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn one_line(text: &str) -> String {
    let flat = flat(text);
    if flat.chars().count() > 160 {
        format!("{}…", flat.chars().take(160).collect::<String>())
    } else {
        flat
    }
}
