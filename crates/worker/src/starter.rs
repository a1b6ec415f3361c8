//! Starting mocks in the Mocks editor: when the definition has Task resources the mock file
//! does not answer, a rule for each is added so a new user can run at once. Which resources
//! need one is the engine's business ([`sfn_engine::scaffold::starter_mocks`]); this module only
//! decides when the editor's text changes. It runs in the engine's worker (see
//! [`crate::service`]), which sends the completed text to the page.

use serde_json::Value;
use sfn_engine::scaffold::starter_mocks_in_workspace;
use sfn_playground_data::workspace::{NamedMachine, DEFAULT_MACHINE_NAME};

/// The mock file text with starting rules added, or `None` when nothing needs adding (or the
/// definition or the mock file is not valid yet: the diagnostics say so, and the user's text is
/// never replaced by a guess).
pub fn with_starter_mocks(definition: &str, mocks: &str) -> Option<String> {
    with_starter_mocks_in_workspace(definition, mocks, "", &[])
}

/// [`with_starter_mocks`] for the machine `name` of a workspace with `others`: the Tasks of
/// every machine of the workspace get a rule (a child's run needs its mocks too), except the
/// `states:startExecution` of a workspace machine, which runs it. A workspace machine that is
/// not valid yet is left out.
pub fn with_starter_mocks_in_workspace(
    definition: &str,
    mocks: &str,
    name: &str,
    others: &[NamedMachine],
) -> Option<String> {
    let machine = sfn_engine::parse_definition(definition).into_machine()?;
    let existing: Option<Value> = if mocks.trim().is_empty() {
        None
    } else {
        Some(serde_json::from_str(mocks).ok()?)
    };
    let name = if name.is_empty() {
        DEFAULT_MACHINE_NAME
    } else {
        name
    };
    let names: Vec<String> = std::iter::once(name.to_owned())
        .chain(others.iter().map(|m| m.name.clone()))
        .collect();
    let mut completed = starter_mocks_in_workspace(&machine, existing.as_ref(), &names);
    for other in others {
        if let Some(other) = sfn_engine::parse_definition(&other.definition).into_machine() {
            completed = starter_mocks_in_workspace(&other, Some(&completed), &names);
        }
    }
    let nothing_added = match &existing {
        Some(existing) => *existing == completed,
        // A new file that mocks no function adds nothing worth showing.
        None => completed
            .get("Functions")
            .and_then(Value::as_object)
            .is_none_or(|functions| functions.is_empty()),
    };
    if nothing_added {
        return None;
    }
    serde_json::to_string_pretty(&completed).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TASK: &str = r#"{"StartAt": "Call", "States": {"Call": {"Type": "Task",
        "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Greeter", "End": true}}}"#;

    #[test]
    fn an_unmocked_task_gets_a_rule_and_the_run_works() {
        let text = with_starter_mocks(TASK, "").expect("a starter mock");
        assert!(text.contains("Greeter"), "{text}");
        let machine = sfn_engine::parse_definition(TASK).into_machine();
        let mocks = sfn_engine::MockSet::from_json_text(&text, None).expect("a valid mock file");
        let mut run = sfn_engine::Execution::new(
            machine.expect("valid"),
            serde_json::json!({}),
            mocks,
            Default::default(),
        );
        assert_eq!(run.run().name(), "SUCCEEDED");
    }

    #[test]
    fn nothing_changes_when_every_task_is_mocked_or_the_text_is_not_ready() {
        let mocked = r#"{"Functions": {"Greeter": [{"return": "hi"}]}}"#;
        assert_eq!(with_starter_mocks(TASK, mocked), None);
        assert_eq!(with_starter_mocks(TASK, "{ not json"), None);
        assert_eq!(with_starter_mocks("{ not a definition", ""), None);
        let no_tasks = r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}"#;
        assert_eq!(with_starter_mocks(no_tasks, ""), None);
    }
}
