//! The tasks waiting for their token to be answered (`.waitForTaskToken` callbacks and Activity
//! tasks that no mock answers): each shows its token and what it sent, when its heartbeat or
//! timeout fires on the simulated clock, and lets the user answer as a worker would with
//! SendTaskSuccess (an output, JSON), SendTaskFailure (an error and a cause) or
//! SendTaskHeartbeat.

use leptos::prelude::*;

use crate::format;
use crate::protocol::{TaskAnswerView, WaitingTaskView};
use crate::runner::RunView;

/// Every waiting task, one answer form each (nothing when none waits).
#[component]
pub fn WaitingTasks(
    view: RunView,
    /// Sends an answer for a token.
    answer: Callback<(String, TaskAnswerView)>,
    /// Selects a state visit in the inspector.
    selected: RwSignal<Option<u32>>,
) -> impl IntoView {
    view! {
        <Show when=move || view.waiting.with(|w| !w.is_empty())>
            <section class="waiting" aria-label="Tasks waiting for an answer" data-testid="waiting-tasks">
                {move || view.waiting.get().into_iter().map(|task| view! {
                    <WaitingTask task=task start_ms=view.start_ms.get_untracked() answer=answer selected=selected />
                }).collect_view()}
            </section>
        </Show>
    }
}

#[component]
fn WaitingTask(
    task: WaitingTaskView,
    start_ms: i64,
    answer: Callback<(String, TaskAnswerView)>,
    selected: RwSignal<Option<u32>>,
) -> impl IntoView {
    let output = RwSignal::new("{\n  \"approved\": true\n}".to_owned());
    let error = RwSignal::new(String::new());
    let cause = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let token = task.token.clone();
    let send = move |answer_view: TaskAnswerView| answer.run((token.clone(), answer_view));
    let send_success = {
        let send = send.clone();
        move |_| {
            let text = output.get_untracked();
            match serde_json::from_str::<serde_json::Value>(&text) {
                Ok(_) => {
                    problem.set(None);
                    send(TaskAnswerView::Success { output: text });
                }
                Err(e) => problem.set(Some(format!("The output is not JSON: {e}"))),
            }
        }
    };
    let send_failure = {
        let send = send.clone();
        move |_| {
            let text = |s: RwSignal<String>| {
                let t = s.get_untracked();
                (!t.trim().is_empty()).then_some(t)
            };
            send(TaskAnswerView::Failure {
                error: text(error),
                cause: text(cause),
            });
        }
    };
    let send_heartbeat = move |_| send(TaskAnswerView::Heartbeat);
    let deadline = |label: &str, at: Option<i64>| {
        at.map(|at| format!("{label} at +{}", format::elapsed(at - start_ms)))
    };
    let deadlines: Vec<String> = [
        deadline("heartbeat timeout", task.heartbeat_deadline_ms),
        deadline("timeout", task.timeout_deadline_ms),
    ]
    .into_iter()
    .flatten()
    .collect();
    let trace = task.trace;
    view! {
        <article class="waiting-task" data-testid="waiting-task" data-state=task.state_name.clone()>
            <header>
                <button class="link" on:click=move |_| selected.set(trace) title="Show this visit in the inspector">{task.state_name.clone()}</button>
                <span class="muted">{format!(" waits since +{} for its token", format::elapsed(task.since_ms - start_ms))}</span>
                {(!deadlines.is_empty()).then(|| view! { <span class="muted">{format!(" · {}", deadlines.join(", "))}</span> })}
            </header>
            <label class="token">
                <span class="muted">"Task token"</span>
                <input readonly=true value=task.token.clone() data-testid="task-token" aria-label="Task token" on:focus=move |ev| {
                    let input = event_target::<web_sys::HtmlInputElement>(&ev);
                    input.select();
                } />
            </label>
            <details>
                <summary class="muted">"What the task sent"</summary>
                <pre>{task.input.clone()}</pre>
            </details>
            <div class="answer">
                <label>
                    <span class="muted">"Output (JSON)"</span>
                    <textarea rows="3" spellcheck="false" data-testid="task-output" aria-label="Output of SendTaskSuccess"
                        prop:value=move || output.get() on:input=move |ev| output.set(event_target_value(&ev))></textarea>
                </label>
                <button class="small primary" on:click=send_success data-testid="send-success" title="SendTaskSuccess with this output">"Send success"</button>
            </div>
            <div class="answer">
                <input placeholder="Error" aria-label="Error of SendTaskFailure" data-testid="task-error" prop:value=move || error.get() on:input=move |ev| error.set(event_target_value(&ev)) />
                <input placeholder="Cause" aria-label="Cause of SendTaskFailure" data-testid="task-cause" prop:value=move || cause.get() on:input=move |ev| cause.set(event_target_value(&ev)) />
                <button class="small" on:click=send_failure data-testid="send-failure" title="SendTaskFailure with this error and cause">"Send failure"</button>
                <button class="small" on:click=send_heartbeat data-testid="send-heartbeat" title="SendTaskHeartbeat: the heartbeat timeout starts again">"Heartbeat"</button>
            </div>
            {move || problem.get().map(|p| view! { <p class="problem" role="alert">{p}</p> })}
        </article>
    }
}
