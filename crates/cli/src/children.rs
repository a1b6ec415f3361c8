//! `run --machine NAME=FILE` (the workspace of state machines a `states:startExecution` task
//! runs as child executions) and `run --child-histories DIR` (each child execution's history).

use std::path::{Path, PathBuf};

use sfn_engine::execution::Workspace;
use sfn_engine::history::to_get_execution_history;
use sfn_engine::Execution;

use crate::args::RunArgs;
use crate::commands::{load_definition, write_json, CliError};
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

/// Writes each of the execution's child executions to `dir/<index>-<name>.json` (the index in
/// [`Execution::child_executions`], from 0), as GetExecutionHistory returns a history.
pub fn write_child_histories(dir: &Path, execution: &Execution) -> Result<(), CliError> {
    for (index, child) in execution.child_executions().iter().enumerate() {
        let path = dir.join(format!("{index}-{}.json", file_name_part(&child.name)));
        write_json(
            &path,
            "child execution history",
            &to_get_execution_history(&child.history),
        )?;
    }
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
