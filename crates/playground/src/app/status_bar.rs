//! The status bar: the run's phase, duration, transitions and steps, and its problems.

use leptos::prelude::*;

use crate::format;
use crate::runner::{Phase, RunView};

#[component]
pub fn StatusBar(view: RunView, notice: RwSignal<Option<String>>) -> impl IntoView {
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
