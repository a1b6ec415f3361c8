//! What `sfn-play run` writes as the execution goes: `--history` (the GetExecutionHistory
//! document, event by event) and `--trace` (a line per event, then every state visit's data
//! flow). Both are written as the run goes and the engine forgets what was written, so a long
//! run takes no more memory than one step's events and the visits in progress.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde_json::Value;
use sfn_engine::execution::{ErrorHandling, StateTrace};
use sfn_engine::time::format_iso;
use sfn_engine::{Execution, HistoryEvent};

use crate::commands::CliError;

/// `--history OUT.json`: the history as GetExecutionHistory returns it, written event by
/// event, byte for byte what `serde_json::to_string_pretty` gives for the whole document.
pub struct HistoryFile {
    path: PathBuf,
    out: BufWriter<File>,
    events: usize,
    /// The first write that failed: reported at the end.
    error: Option<std::io::Error>,
}

impl HistoryFile {
    pub fn create(path: &Path) -> Result<Self, CliError> {
        let file = File::create(path).map_err(|e| write_error(path, &e))?;
        let mut out = BufWriter::new(file);
        let error = out.write_all(b"{\n  \"events\": [").err();
        Ok(HistoryFile {
            path: path.to_path_buf(),
            out,
            events: 0,
            error,
        })
    }

    /// Appends events: each is pretty-printed alone and indented to its place in the array (a
    /// JSON text holds no line break but between tokens, so indenting every line is exact).
    pub fn write_events(&mut self, events: &[HistoryEvent]) {
        for event in events {
            if self.error.is_some() {
                return;
            }
            let text = match serde_json::to_string_pretty(&event.to_aws_json()) {
                Ok(text) => text,
                Err(e) => {
                    self.error = Some(std::io::Error::other(e));
                    return;
                }
            };
            let separator: &[u8] = if self.events == 0 { b"\n" } else { b",\n" };
            let mut result = self.out.write_all(separator);
            for (i, line) in text.lines().enumerate() {
                if i > 0 {
                    result = result.and_then(|()| self.out.write_all(b"\n"));
                }
                result = result
                    .and_then(|()| self.out.write_all(b"    "))
                    .and_then(|()| self.out.write_all(line.as_bytes()));
            }
            self.error = result.err();
            self.events = self.events.saturating_add(1);
        }
    }

    /// Closes the array and the document.
    pub fn finish(mut self) -> Result<(), CliError> {
        let end: &[u8] = if self.events == 0 {
            b"]\n}\n"
        } else {
            b"\n  ]\n}\n"
        };
        if self.error.is_none() {
            self.error = self
                .out
                .write_all(end)
                .and_then(|()| self.out.flush())
                .err();
        }
        match self.error {
            Some(e) => Err(write_error(&self.path, &e)),
            None => Ok(()),
        }
    }
}

fn write_error(path: &Path, e: &std::io::Error) -> CliError {
    CliError::usage(format!(
        "cannot write history file '{}': {e}",
        path.display()
    ))
}

/// One line per event for `--trace`: id, type, state name, simulated time.
pub fn trace_line(event: &HistoryEvent) -> String {
    let state = event.state_name.as_deref().unwrap_or("-");
    format!(
        "{:>5}  {:<36} {:<24} {}",
        event.id,
        event.kind.aws_name(),
        state,
        format_iso(event.timestamp)
    )
}

/// The longest value a data-flow line shows whole, in bytes of JSON text; a longer one shows
/// its beginning and its size (the history file has it whole). A loop over a 256 KiB input
/// would otherwise print the input several times per state visit.
pub const MAX_TRACE_VALUE_BYTES: usize = 4096;

fn shown(value: &Value) -> String {
    let text = value.to_string();
    if text.len() <= MAX_TRACE_VALUE_BYTES {
        return text;
    }
    let mut cut = MAX_TRACE_VALUE_BYTES;
    while !text.is_char_boundary(cut) {
        cut = cut.saturating_sub(1);
    }
    let start = text.get(..cut).unwrap_or_default();
    format!("{start}... ({} bytes in all)", text.len())
}

/// For `--trace`: one state visit's data-flow stages, as AWS's TestState API reports them.
pub fn visit_lines(trace: &StateTrace) -> Vec<String> {
    let mut lines = vec![format!(
        "  {} (entered at event #{})",
        trace.state_name, trace.entered_event_id
    )];
    let stages = [
        ("input", Some(&trace.input)),
        ("after InputPath", trace.after_input_path.as_ref()),
        (
            "after Parameters/Arguments",
            trace.after_parameters.as_ref(),
        ),
        ("result", trace.result.as_ref()),
        ("after ResultSelector", trace.after_result_selector.as_ref()),
        ("after ResultPath", trace.after_result_path.as_ref()),
        ("output", trace.output.as_ref()),
    ];
    for (stage, value) in stages {
        if let Some(value) = value {
            lines.push(format!("    {stage:<27} {}", shown(value)));
        }
    }
    if let Some(assigned) = &trace.assigned {
        lines.push(format!(
            "    {:<27} {}",
            "assigned variables",
            shown(&Value::Object(assigned.clone()))
        ));
    }
    for traced in &trace.errors {
        let handled = match &traced.handled_by {
            ErrorHandling::Retry {
                retrier_index,
                attempt,
                delay_ms,
            } => format!(
                "retried by Retry[{retrier_index}] (attempt {attempt}, after {} s)",
                *delay_ms as f64 / 1000.0
            ),
            ErrorHandling::Catch {
                catcher_index,
                next,
            } => {
                format!("caught by Catch[{catcher_index}] -> {next}")
            }
            ErrorHandling::Unhandled => String::from("not handled"),
        };
        lines.push(format!("    {:<27} {} ({handled})", "error", traced.error));
    }
    lines
}

/// Whether a visit's trace will not change: the state was left, caught or failed.
fn is_finished(trace: &StateTrace) -> bool {
    trace.output.is_some()
        || trace
            .errors
            .iter()
            .any(|e| !matches!(e.handled_by, ErrorHandling::Retry { .. }))
}

/// `--trace`'s data flow: printed after the events, so the visits that finish during the run
/// are kept in a temporary file until then (and forgotten by the engine), in order.
pub struct DataFlowSpool {
    path: PathBuf,
    out: BufWriter<File>,
}

impl DataFlowSpool {
    pub fn create() -> Result<Self, CliError> {
        let path =
            std::env::temp_dir().join(format!("sfn-play-{}-data-flow.txt", std::process::id()));
        let file = File::create(&path).map_err(|e| {
            CliError::usage(format!(
                "cannot create the temporary file '{}' for --trace: {e}",
                path.display()
            ))
        })?;
        Ok(DataFlowSpool {
            path,
            out: BufWriter::new(file),
        })
    }

    /// Writes out the finished visits that precede every unfinished one, and has the engine
    /// forget them.
    pub fn take_finished(&mut self, execution: &mut Execution) {
        let finished = execution
            .traces()
            .iter()
            .take_while(|trace| is_finished(trace))
            .count();
        self.write(execution.traces().get(..finished).unwrap_or_default());
        execution.forget_traces_before(execution.first_trace_index().saturating_add(finished));
    }

    fn write(&mut self, traces: &[StateTrace]) {
        for trace in traces {
            for line in visit_lines(trace) {
                let _ = writeln!(self.out, "{line}");
            }
        }
    }

    /// Writes the rest (the visits still unfinished when the run ended), then the whole data
    /// flow to stderr, and removes the file.
    pub fn print(mut self, execution: &Execution) {
        self.write(execution.traces());
        let _ = self.out.flush();
        let mut stderr = std::io::stderr().lock();
        let _ = writeln!(stderr, "data flow, state by state:");
        if let Ok(file) = File::open(&self.path) {
            for line in BufReader::new(file).lines().map_while(Result::ok) {
                let _ = writeln!(stderr, "{line}");
            }
        }
    }
}

impl Drop for DataFlowSpool {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_show_their_beginning_and_size() {
        let short = Value::String("a".repeat(100));
        assert_eq!(shown(&short), short.to_string());
        // 'é' is two bytes: the cut falls inside one and moves back to its start.
        let long = Value::String("é".repeat(3000));
        let text = shown(&long);
        assert!(text.ends_with("... (6002 bytes in all)"), "{text:.40}");
        let start = text.trim_end_matches("... (6002 bytes in all)");
        assert_eq!(start.len(), MAX_TRACE_VALUE_BYTES - 1);
        assert!(start.starts_with("\"é"));
    }
}
