//! Project files opened on the page: a definition in JSON or YAML with `${NAME}` placeholders,
//! or a CloudFormation or SAM template (a CDK `cdk.out/*.template.json` too) holding state
//! machines. The engine reads them (`sfn_engine::source`); this turns what it reads into what
//! the page loads in its editor and tabs: each state machine's ASL JSON, the placeholders that
//! need a value, the fake values given, or why the file cannot be opened.

use sfn_engine::source::template::{find_state_machine, state_machine_ids, TemplateDefinition};
use sfn_engine::source::{
    definition_from_value, read_definition, read_document, DefinitionText, Faked, SourceError,
    SourceFormat, Substitutions,
};
use sfn_playground_data::protocol::{not_json_reason, ProjectFileView, ProjectMachineView};

/// Reads the file `name` (its `text`), with the `substitutions` the user gave and, when
/// `fake_arns`, a fake value for every placeholder left.
pub fn read_project_file(
    name: &str,
    text: &str,
    substitutions: &[(String, String)],
    fake_arns: bool,
) -> ProjectFileView {
    let mut view = ProjectFileView {
        name: name.to_owned(),
        ..ProjectFileView::default()
    };
    match read(name, text, substitutions) {
        Err(problem) => view.problem = Some(problem),
        Ok(read) => {
            view.notices = read.skipped;
            let faked = read.faked;
            if !fake_arns && !faked.is_empty() {
                let mut missing: Vec<String> = faked.into_iter().map(|(name, _)| name).collect();
                missing.dedup();
                view.missing = missing;
            } else if read.machines.is_empty() {
                // Every state machine was skipped: the reasons are the refusal.
                view.problem = Some(std::mem::take(&mut view.notices).join("; "));
            } else {
                view.notices.extend(
                    faked.into_iter().map(|(placeholder, value)| {
                        format!("${{{placeholder}}} is a fake: {value}")
                    }),
                );
                view.machines = read.machines;
            }
        }
    }
    view
}

/// What a file gave: its state machines, the placeholders faked in them (in order, each name
/// once), and the state machines that could not be read, with why.
struct Read {
    machines: Vec<ProjectMachineView>,
    faked: Faked,
    skipped: Vec<String>,
}

impl Read {
    fn add(&mut self, logical_id: Option<String>, definition: DefinitionText, pretty: bool) {
        for (name, value) in definition.faked() {
            if !self.faked.iter().any(|(n, _)| n == name) {
                self.faked.push((name.clone(), value.clone()));
            }
        }
        let text = if pretty {
            pretty_json(definition.json())
        } else {
            definition.json().to_owned()
        };
        self.machines.push(ProjectMachineView {
            logical_id,
            definition: text,
        });
    }
}

/// The file's state machines, with every placeholder without a value faked (whether fakes
/// were asked for is the caller's to judge, from those faked), or why none can be read.
fn read(name: &str, text: &str, substitutions: &[(String, String)]) -> Result<Read, String> {
    let text = text.trim_start_matches('\u{feff}');
    let format = SourceFormat::detect(name, text);
    if format == SourceFormat::Json {
        if let Some(reason) = not_json_reason(text) {
            return Err(reason);
        }
    }
    // JSON is read as JSON only (read_document would also read it as YAML for positions, which
    // the page has no use for).
    let document = match format {
        SourceFormat::Json => {
            serde_json::from_str(text).map_err(|e| format!("it is not JSON ({e})"))?
        }
        SourceFormat::Yaml => read_yaml_document(text)?,
    };
    let subs = |template: Option<&std::collections::BTreeMap<String, String>>| {
        let mut subs = Substitutions::new();
        subs.fake_arns = true;
        // A template's DefinitionSubstitutions first; the user's replace them.
        for (name, value) in template.into_iter().flatten() {
            subs.insert(name.clone(), value.clone());
        }
        for (name, value) in substitutions {
            subs.insert(name.clone(), value.clone());
        }
        subs
    };
    let mut read = Read {
        machines: Vec::new(),
        faked: Faked::new(),
        skipped: Vec::new(),
    };
    let Some(object) = document.as_object() else {
        return Err(no_machine());
    };
    if !object.contains_key("Resources") {
        // A definition: a JSON one keeps its own text (placeholders replaced), as a JSON file
        // imported always has; a YAML one becomes JSON.
        let definition = match format {
            SourceFormat::Json => read_definition(text, SourceFormat::Json, &subs(None)),
            SourceFormat::Yaml => definition_from_value(document.clone(), None, &subs(None)),
        }
        .map_err(|e| e.message)?;
        read.add(None, definition, format == SourceFormat::Yaml);
        return Ok(read);
    }
    let ids = state_machine_ids(&document);
    if ids.is_empty() {
        // The engine says why: no Resources object, or no state machine among them.
        return Err(find_state_machine(&document, None)
            .err()
            .map_or_else(no_machine, |e| e.message));
    }
    for id in ids {
        let machine = match find_state_machine(&document, Some(&id)) {
            Ok(machine) => machine,
            Err(e) => {
                read.skipped.push(skipped(&id, &e));
                continue;
            }
        };
        let subs = subs(Some(&machine.substitutions));
        let definition = match machine.definition {
            TemplateDefinition::Object { value, .. } => definition_from_value(value, None, &subs),
            TemplateDefinition::Text { text, .. } => {
                read_definition(&text, SourceFormat::Json, &subs)
            }
            TemplateDefinition::Uri(path) => {
                let names: Vec<&str> = machine.substitutions.keys().map(String::as_str).collect();
                read.skipped.push(format!(
                    "{id}'s definition is in the file {path} (DefinitionUri), which the page cannot open from the template: open that file instead{}",
                    if names.is_empty() {
                        String::new()
                    } else {
                        format!(
                            ", and give its DefinitionSubstitutions ({}) or fake ARNs",
                            names.join(", ")
                        )
                    }
                ));
                continue;
            }
        };
        match definition {
            Ok(definition) => read.add(Some(id), definition, true),
            Err(e) => read.skipped.push(skipped(&id, &e)),
        }
    }
    Ok(read)
}

/// A YAML document's value, or why it is not one.
fn read_yaml_document(text: &str) -> Result<serde_json::Value, String> {
    read_document(text, SourceFormat::Yaml)
        .map(|(value, _)| value)
        .map_err(|e| {
            let message = e
                .message
                .strip_prefix("not valid YAML: ")
                .unwrap_or(&e.message);
            match e.position {
                Some((line, column)) => {
                    format!("it is not JSON or YAML ({message} at line {line} column {column})")
                }
                None => format!("it is not JSON or YAML ({message})"),
            }
        })
}

/// Why the state machine `id` of a template was not read (the engine's message names it,
/// quoted, when it is about the resource itself).
fn skipped(id: &str, error: &SourceError) -> String {
    let quoted = format!("'{id}'");
    match error.message.strip_prefix(&quoted) {
        Some(rest) => format!(
            "{id}{}",
            rest.strip_prefix(':')
                .map_or_else(|| rest.to_owned(), |r| format!(" cannot be read:{r}"))
        ),
        None => format!("{id} cannot be read: {}", error.message),
    }
}

fn no_machine() -> String {
    "it holds no state machine: neither a definition (an object with StartAt and States) nor a CloudFormation or SAM template (with Resources)".to_owned()
}

/// `json` pretty-printed, or as it is when it is not JSON (the editor's diagnostics say why).
fn pretty_json(json: &str) -> String {
    serde_json::from_str::<serde_json::Value>(json)
        .ok()
        .and_then(|value| serde_json::to_string_pretty(&value).ok())
        .map_or_else(
            || json.to_owned(),
            |mut text| {
                text.push('\n');
                text
            },
        )
}
