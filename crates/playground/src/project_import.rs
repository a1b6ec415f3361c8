//! Project files opened into the definition editor: a definition in JSON or YAML, a
//! CloudFormation or SAM template, CDK's `cdk.out/*.template.json`. The page sends the file's
//! name and text to the engine's worker, which reads it (YAML, intrinsic functions,
//! DefinitionSubstitutions) and answers with each state machine's ASL JSON; the page only
//! places what comes back. One state machine goes into the editor; several are offered as the
//! workspace's tabs; placeholders without a value are asked for, or given fake ARNs.

use leptos::prelude::*;
use sfn_playground_data::workspace::{NamedMachine, Tabs};

use crate::app::Work;
use crate::import::{file_text, refusal, PROJECT_FILE_TYPES};
use crate::protocol::{ProjectFileView, ProjectMachineView};
use crate::runner::{ProjectFileRequest, RunView, Runner};

/// The file being opened: kept to be read again with the values the user types.
#[derive(Clone, Copy)]
pub struct ProjectImport {
    file: RwSignal<Option<(String, String)>>,
    /// The values typed for the placeholders, by name.
    values: RwSignal<Vec<(String, String)>>,
    /// The state machine picked to be the editor's among several.
    main: RwSignal<usize>,
}

impl ProjectImport {
    pub fn new() -> ProjectImport {
        ProjectImport {
            file: RwSignal::new(None),
            values: RwSignal::new(Vec::new()),
            main: RwSignal::new(0),
        }
    }

    /// Asks the engine to read the file again, with the values typed (and fake ARNs for those
    /// left, when `fake_arns`).
    fn read(&self, runner: StoredValue<Runner, LocalStorage>, fake_arns: bool) {
        let Some((name, text)) = self.file.get_untracked() else {
            return;
        };
        let substitutions = self
            .values
            .get_untracked()
            .into_iter()
            .filter(|(_, value)| !value.is_empty())
            .collect();
        runner.with_value(|r| {
            r.read_project_file(ProjectFileRequest {
                name,
                text,
                substitutions,
                fake_arns,
            })
        });
    }

    fn value(&self, name: &str) -> String {
        self.values.with(|values| {
            values
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        })
    }

    fn set_value(&self, name: &str, value: String) {
        self.values
            .update(|values| match values.iter_mut().find(|(n, _)| n == name) {
                Some((_, v)) => *v = value,
                None => values.push((name.to_owned(), value)),
            });
    }

    /// Done with the file (opened, refused or cancelled).
    fn close(&self, run_view: RunView) {
        self.file.set(None);
        run_view.project_file.set(None);
    }
}

impl Default for ProjectImport {
    fn default() -> Self {
        ProjectImport::new()
    }
}

/// "Import…" and its hidden file input, for the definition pane's toolbar.
#[component]
pub fn ImportButton(
    import: ProjectImport,
    runner: StoredValue<Runner, LocalStorage>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let file_input = NodeRef::<leptos::html::Input>::new();
    let on_file = move |ev: leptos::ev::Event| {
        let Some(picked) = crate::import::picked_file(&ev) else {
            return;
        };
        leptos::task::spawn_local(async move {
            let (name, bytes) = picked.await;
            let text = bytes.and_then(|bytes| file_text(&name, &bytes));
            match text {
                Ok(text) => {
                    notice.set(None);
                    import.values.set(Vec::new());
                    import.main.set(0);
                    import.file.set(Some((name, text)));
                    import.read(runner, false);
                }
                Err(e) => notice.set(Some(keeps_text(&e))),
            }
        });
    };
    view! {
        // A real button (focusable, announced as one) that opens the hidden file input.
        <button class="small" title="Open a definition (JSON or YAML) or the state machines of a CloudFormation, SAM or CDK template"
            data-testid="import-definition-button"
            on:click=move |_| { if let Some(input) = file_input.get_untracked() { input.click(); } }>"Import…"</button>
        <input type="file" accept=PROJECT_FILE_TYPES class="visually-hidden" tabindex="-1" aria-hidden="true"
            node_ref=file_input on:change=on_file data-testid="import-definition" />
    }
}

fn keeps_text(message: &str) -> String {
    format!("{message}. The Definition editor keeps its text.")
}

/// What the engine read of the file: opened at once (one state machine), refused with the
/// reason, or a small form above the editor (values to give, or which of several machines).
#[component]
pub fn ImportPanel(
    import: ProjectImport,
    work: Work,
    run_view: RunView,
    runner: StoredValue<Runner, LocalStorage>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    Effect::new(move |_| {
        let Some(file) = run_view.project_file.get() else {
            return;
        };
        if let Some(problem) = &file.problem {
            notice.set(Some(keeps_text(&refusal(&file.name, problem))));
            import.close(run_view);
        } else if file.missing.is_empty() && file.machines.len() == 1 {
            if let Some(machine) = file.machines.first() {
                open_one(work, machine);
            }
            notice.set(Some(opened(&file, file.machines.first())));
            import.close(run_view);
        } else if file.missing.is_empty() && file.machines.is_empty() {
            notice.set(Some(keeps_text(&refusal(
                &file.name,
                "the engine found no state machine in it",
            ))));
            import.close(run_view);
        }
    });
    let cancel = move |_| import.close(run_view);
    view! {
        {move || run_view.project_file.get().and_then(|file| {
            if !file.missing.is_empty() {
                Some(substitutions_form(import, runner, file).into_any())
            } else if file.machines.len() > 1 {
                Some(machines_choice(import, work, run_view, notice, file).into_any())
            } else {
                None
            }
        }).map(|form| view! {
            <div class="project-import" role="group" aria-label="Open a project file" data-testid="project-import">
                {form}
                <button type="button" class="small" on:click=cancel data-testid="import-cancel">"Cancel"</button>
            </div>
        })}
    }
}

/// A field for each placeholder without a value; Open reads the file again with them, "Fake
/// ARNs" gives the ones left plausible fake ARNs.
fn substitutions_form(
    import: ProjectImport,
    runner: StoredValue<Runner, LocalStorage>,
    file: ProjectFileView,
) -> impl IntoView {
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        import.read(runner, false);
    };
    view! {
        <form class="substitutions" on:submit=submit data-testid="import-substitutions">
            <p>{format!("{} has ${{…}} placeholders (DefinitionSubstitutions) without a value: give them, or fake ARNs for those left empty.", file.name)}</p>
            {file.missing.iter().map(|name| {
                let name = name.clone();
                let for_input = name.clone();
                let for_value = name.clone();
                view! {
                    <label class="substitution">
                        <code>{format!("${{{name}}}")}</code>
                        <input type="text" spellcheck="false" data-testid=format!("sub-{name}")
                            prop:value=move || import.value(&for_value)
                            on:input=move |ev| import.set_value(&for_input, event_target_value(&ev)) />
                    </label>
                }
            }).collect_view()}
            <Notices notices=file.notices.clone() />
            <div class="panel-buttons">
                <button type="submit" class="small primary" data-testid="import-apply">"Open"</button>
                <button type="button" class="small" on:click=move |_| import.read(runner, true)
                    title="Give each placeholder left empty a plausible fake ARN (after the field it is in)" data-testid="import-fake-arns">"Fake ARNs for the rest"</button>
            </div>
        </form>
    }
}

/// Several state machines: they open as the workspace's tabs (replacing its own), the one
/// picked in the editor; or that one alone.
fn machines_choice(
    import: ProjectImport,
    work: Work,
    run_view: RunView,
    notice: RwSignal<Option<String>>,
    file: ProjectFileView,
) -> impl IntoView {
    let machines = StoredValue::new(file.machines.clone());
    let summary = opened(&file, None);
    let summary = StoredValue::new(summary);
    let as_tabs = move |_| {
        machines.with_value(|m| open_as_tabs(work, m, import.main.get_untracked()));
        notice.set(Some(summary.get_value()));
        import.close(run_view);
    };
    let only_main = move |_| {
        let main = machines.with_value(|m| m.get(import.main.get_untracked()).cloned());
        if let Some(machine) = main {
            open_one(work, &machine);
            notice.set(Some(summary.get_value()));
        }
        import.close(run_view);
    };
    view! {
        <p>{format!("{} has {} state machines. Open them as the workspace's tabs (they replace its tabs), with this one in the editor:", file.name, file.machines.len())}</p>
        <label class="import-main">
            <span class="visually-hidden">"The state machine in the editor"</span>
            <select data-testid="import-main" on:change=move |ev| {
                if let Ok(i) = event_target_value(&ev).parse::<usize>() {
                    import.main.set(i);
                }
            }>
                {file.machines.iter().enumerate().map(|(i, m)| view! {
                    <option value=i.to_string() selected={i == 0}>{machine_name(m, i)}</option>
                }).collect_view()}
            </select>
        </label>
        <Notices notices=file.notices.clone() />
        <div class="panel-buttons">
            <button type="button" class="small primary" on:click=as_tabs data-testid="import-open-tabs">"Open as tabs"</button>
            <button type="button" class="small" on:click=only_main data-testid="import-open-one"
                title="Open only this state machine, in the editor (the other tabs stay)">"Open this one only"</button>
        </div>
    }
}

#[component]
fn Notices(notices: Vec<String>) -> impl IntoView {
    (!notices.is_empty()).then(|| {
        view! {
            <ul class="import-notices" data-testid="import-notices">
                {notices.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}
            </ul>
        }
    })
}

/// A state machine's tab name: its logical id, else one made up from its place.
fn machine_name(machine: &ProjectMachineView, index: usize) -> String {
    machine
        .logical_id
        .clone()
        .unwrap_or_else(|| format!("StateMachine{}", index + 1))
}

/// The state machine in the editor; the shown tab takes its logical id when no other tab has
/// it (a template's other resources name it by that id, in the fake ARNs they get).
fn open_one(work: Work, machine: &ProjectMachineView) {
    work.definition.set(machine.definition.clone());
    if let Some(id) = &machine.logical_id {
        if work.tabs.with_untracked(|t| t.rename_problem(id)).is_none() {
            work.tabs.update(|t| t.shown = id.clone());
        }
    }
}

/// The state machines as the workspace's tabs, the `main`th in the editor.
fn open_as_tabs(work: Work, machines: &[ProjectMachineView], main: usize) {
    let main = main.min(machines.len().saturating_sub(1));
    let mut others = Vec::new();
    let mut shown = None;
    for (i, machine) in machines.iter().enumerate() {
        if i == main {
            shown = Some(machine);
        } else {
            others.push(NamedMachine {
                name: machine_name(machine, i),
                definition: machine.definition.clone(),
            });
        }
    }
    let Some(shown) = shown else {
        return;
    };
    work.tabs.set(Tabs {
        shown: machine_name(shown, main),
        position: main,
        others,
    });
    work.definition.set(shown.definition.clone());
}

/// What was opened from the file, and the engine's notices (the fake ARNs given...).
fn opened(file: &ProjectFileView, machine: Option<&ProjectMachineView>) -> String {
    let what = match machine.and_then(|m| m.logical_id.as_deref()) {
        Some(id) => format!("Opened {id} from {}.", file.name),
        None => format!("Opened {}.", file.name),
    };
    std::iter::once(what)
        .chain(file.notices.iter().cloned())
        .collect::<Vec<_>>()
        .join(" · ")
}
