//! `sfn-play validate --format aws|sarif|github`: the diagnostics as ValidateStateMachineDefinition's
//! response, as a SARIF 2.1.0 log, or as GitHub Actions workflow commands, for CI.
//!
//! The default text format stays in [`crate::commands::validate`]. Every format exits as it
//! does: 1 when the definition has an error, 0 otherwise.

use std::io::Write;
use std::path::Path;

use serde_json::{json, Value};
use sfn_engine::{Diagnostic, Severity};

use crate::args::{ValidateArgs, ValidateFormat};
use crate::commands::{exit, out, CliError};

/// The most diagnostics ValidateStateMachineDefinition returns (its `maxResults`' default and
/// maximum); `truncated` says when there were more.
const AWS_MAX_RESULTS: usize = 100;

/// `sfn-play validate DEF.json --format FORMAT`.
pub fn validate(args: &ValidateArgs) -> Result<i32, CliError> {
    let definition = args.definition.as_deref();
    if args.format == ValidateFormat::Text {
        return crate::commands::validate(definition, &args.project);
    }
    // A YAML definition or a template's state machine, like the text format's.
    let (path, definition) = crate::project::read(definition, &args.project)?;
    let path = path.as_path();
    let parsed = definition.parse();
    let diagnostics = parsed.diagnostics();
    match args.format {
        ValidateFormat::Aws => out!("{}", pretty(&aws_response(diagnostics))?),
        ValidateFormat::Sarif => out!("{}", pretty(&sarif_log(path, diagnostics))?),
        ValidateFormat::Github => {
            for diagnostic in diagnostics {
                out!("{}", github_command(path, diagnostic));
            }
        }
        ValidateFormat::Text => {}
    }
    Ok(if parsed.is_accepted() {
        exit::OK
    } else {
        exit::DEFINITION_INVALID
    })
}

fn pretty(value: &Value) -> Result<String, CliError> {
    serde_json::to_string_pretty(value)
        .map_err(|e| CliError::usage(format!("cannot render the diagnostics: {e}")))
}

/// ValidateStateMachineDefinition's response: `result` OK or FAIL, the diagnostics (AWS's
/// only: the playground's hints are left out), `truncated`.
fn aws_response(diagnostics: &[Diagnostic]) -> Value {
    let aws: Vec<&Diagnostic> = diagnostics.iter().filter(|d| !d.playground).collect();
    let failed = aws.iter().any(|d| d.severity == Severity::Error);
    let listed: Vec<Value> = aws
        .iter()
        .take(AWS_MAX_RESULTS)
        .map(|d| {
            let mut item = json!({
                "severity": match d.severity {
                    Severity::Error => "ERROR",
                    Severity::Warning => "WARNING",
                },
                "code": d.code,
                "message": d.text(),
            });
            // "Location of the issue in the state machine, if available": none for the
            // whole document.
            if let (Some(object), false) = (item.as_object_mut(), d.pointer.is_empty()) {
                object.insert("location".into(), Value::String(d.pointer.clone()));
            }
            item
        })
        .collect();
    json!({
        "result": if failed { "FAIL" } else { "OK" },
        "diagnostics": listed,
        "truncated": aws.len() > AWS_MAX_RESULTS,
    })
}

/// The message, with the playground's hints marked as such.
fn marked_text(d: &Diagnostic) -> String {
    if d.playground {
        format!("{} (playground)", d.text())
    } else {
        d.text().to_string()
    }
}

/// A SARIF 2.1.0 log: one run of `sfn-play`, one result per diagnostic, its region the
/// diagnostic's line and column (in characters, hence `unicodeCodePoints`).
fn sarif_log(path: &Path, diagnostics: &[Diagnostic]) -> Value {
    let uri = path.display().to_string();
    let results: Vec<Value> = diagnostics
        .iter()
        .map(|d| {
            json!({
                "ruleId": d.code,
                "level": match d.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                },
                "message": { "text": marked_text(d) },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri },
                        "region": { "startLine": d.line, "startColumn": d.column },
                    },
                    "logicalLocations": [{ "fullyQualifiedName": d.pointer }],
                }],
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": { "name": "sfn-play" } },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

/// `::error file=F,line=L,col=C,title=CODE::message` (or `::warning`), escaped as the runner
/// reads workflow commands.
fn github_command(path: &Path, d: &Diagnostic) -> String {
    let command = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    format!(
        "::{command} file={},line={},col={},title={}::{}",
        escape_property(&path.display().to_string()),
        d.line,
        d.column,
        escape_property(&d.code),
        escape_data(&format!("{}: {}", d.code, marked_text(d))),
    )
}

fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// More than `maxResults` (100) diagnostics: the first 100, and `truncated`.
    #[test]
    fn aws_response_is_truncated_past_100_diagnostics() {
        let states: Vec<String> = (0..101)
            .map(|i| format!("\"S{i}\": {{\"Type\": \"Succeed\"}}"))
            .collect();
        let text = format!(
            "{{\"StartAt\": \"A\", \"States\": {{\"A\": {{\"Type\": \"Succeed\"}}, {}}}}}",
            states.join(", ")
        );
        let parsed = sfn_engine::parse_definition(&text);
        assert_eq!(parsed.diagnostics().len(), 101);
        let response = aws_response(parsed.diagnostics());
        assert_eq!(response["result"], "FAIL");
        assert_eq!(response["truncated"], true);
        assert_eq!(response["diagnostics"].as_array().map(Vec::len), Some(100));
        assert_eq!(
            response["diagnostics"][0],
            json!({
                "severity": "ERROR",
                "code": "MISSING_TRANSITION_TARGET",
                "message": "State \"S0\" is not reachable.",
                "location": "/States/S0",
            })
        );
    }

    #[test]
    fn github_commands_escape_properties_and_data() {
        assert_eq!(escape_property("a,b:c%\n"), "a%2Cb%3Ac%25%0A");
        assert_eq!(escape_data("a,b:c%\r\n"), "a,b:c%25%0D%0A");
    }
}
