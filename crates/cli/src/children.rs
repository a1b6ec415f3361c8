//! `run --machine NAME=FILE` (the workspace of state machines a `states:startExecution` task
//! runs as child executions) and `run --child-histories DIR` (each child execution's history).

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::json;
use sfn_engine::execution::{ChildOrigin, Workspace};
use sfn_engine::history::to_get_execution_history;
use sfn_engine::time::format_iso;
use sfn_engine::Execution;

use crate::args::RunArgs;
use crate::commands::{err, load_definition, write_json, CliError};
use crate::read::read_definition;

/// The state machines of `--machine NAME=FILE`, each read and checked as `run`'s definition
/// (its diagnostics on stderr, exit 1 when rejected).
pub fn load_workspace(args: &RunArgs) -> Result<Workspace, CliError> {
    let mut workspace = Workspace::new();
    for (name, path) in &args.machines {
        if workspace.get(name).is_some() {
            return Err(CliError::usage(format!(
                "--machine names the state machine '{name}' twice"
            )));
        }
        let text = read_definition(path)?;
        workspace.insert(name.clone(), load_definition(path, &text)?);
    }
    Ok(workspace)
}

/// `--child-histories DIR`, made before the run so that a path that cannot be written is
/// reported at once.
pub fn create_child_histories(args: &RunArgs) -> Result<Option<PathBuf>, CliError> {
    let Some(dir) = &args.child_histories else {
        return Ok(None);
    };
    std::fs::create_dir_all(dir).map_err(|e| {
        CliError::usage(format!(
            "cannot create the --child-histories folder '{}': {e}",
            dir.display()
        ))
    })?;
    Ok(Some(dir.clone()))
}

/// Writes each of the execution's child executions (a `states:startExecution`'s, a Distributed
/// Map's) to `dir/<index>-<name>.json` (the index in [`Execution::child_executions`], from 0):
/// where it comes from, its ARNs, status and dates, and its `events` as GetExecutionHistory
/// returns them; then says on stderr how many.
pub fn write_child_histories(dir: &Path, execution: &Execution) -> Result<(), CliError> {
    let children = execution.child_executions();
    for (index, child) in children.iter().enumerate() {
        let origin = match &child.origin {
            ChildOrigin::MapRun {
                state,
                map_run_arn,
                index,
            } => json!({"state": state, "mapRunArn": map_run_arn, "index": index}),
            ChildOrigin::StartExecution {
                state,
                event_id,
                parent_execution_arn,
            } => {
                json!({"state": state, "eventId": event_id, "parentExecutionArn": parent_execution_arn})
            }
        };
        let record = json!({
            "origin": origin,
            "executionArn": child.execution_arn,
            "name": child.name,
            "stateMachineArn": child.state_machine_arn,
            "status": child.status.name(),
            "startDate": format_iso(child.start),
            "stopDate": child.stop.map(format_iso),
            "events": to_get_execution_history(&child.history).get("events"),
        });
        let path = dir.join(format!("{index}-{}.json", file_name_part(&child.name)));
        write_json(&path, "child execution history", &record)?;
    }
    err!(
        "child executions: {} histories written to '{}' (a Distributed Map keeps at most {})",
        children.len(),
        dir.display(),
        sfn_engine::execution::MAX_CHILD_EXECUTIONS_KEPT
    );
    Ok(())
}

/// An execution name as part of a file name: characters other than letters, digits, `-`, `_`
/// and `.` become `_` (a Map Run child's name may hold `/` or `:`).
fn file_name_part(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect()
}
