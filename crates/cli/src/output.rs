//! What `sfn-play run` writes as the execution goes: `--history` (the GetExecutionHistory
//! document, event by event) and `--trace` (a line per event, then every state visit's data
//! flow). Both are written as the run goes and the engine forgets what was written, so a long
//! run takes no more memory than one step's events and the visits in progress.

use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
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

/// `--trace`'s data flow: printed after the events, in the order the states were entered. A
/// visit is written to a temporary file as soon as it is finished (and taken out of the
/// engine), wherever it is in that order: a Map state's visit stays open while its iterations'
/// visits finish. At the end, the file's pieces are printed in order, with the visits still
/// unfinished then.
pub struct DataFlowSpool {
    path: PathBuf,
    out: BufWriter<File>,
    /// Bytes written to the file so far.
    written: u64,
    /// Where each visit's lines are in the file, by the visit's index: `None` while not written.
    pieces: Vec<Option<(u64, u64)>>,
    /// The visits seen unfinished, to check again after the next step.
    open: Vec<usize>,
    /// The index of the first visit not seen yet.
    seen: usize,
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
            written: 0,
            pieces: Vec::new(),
            open: Vec::new(),
            seen: 0,
        })
    }

    /// Writes out the visits finished since the last call, takes them out of the engine, and
    /// has it forget the run of written visits at the front.
    pub fn take_finished(&mut self, execution: &mut Execution) {
        let first = execution.first_trace_index();
        let end = first.saturating_add(execution.traces().len());
        let mut candidates = std::mem::take(&mut self.open);
        candidates.extend(self.seen.max(first)..end);
        self.seen = end;
        for index in candidates {
            let finished = execution
                .traces()
                .get(index.saturating_sub(first))
                .is_some_and(is_finished);
            if !finished {
                self.open.push(index);
                continue;
            }
            if let Some(trace) = execution.take_trace(index) {
                self.write(index, &trace);
            }
        }
        let written_in_front = (first..end)
            .take_while(|&index| self.pieces.get(index).is_some_and(Option::is_some))
            .count();
        execution.forget_traces_before(first.saturating_add(written_in_front));
    }

    fn write(&mut self, index: usize, trace: &StateTrace) {
        let mut text = String::new();
        for line in visit_lines(trace) {
            text.push_str(&line);
            text.push('\n');
        }
        if self.out.write_all(text.as_bytes()).is_err() {
            return;
        }
        let length = text.len() as u64;
        if self.pieces.len() <= index {
            self.pieces.resize(index.saturating_add(1), None);
        }
        if let Some(piece) = self.pieces.get_mut(index) {
            *piece = Some((self.written, length));
        }
        self.written = self.written.saturating_add(length);
    }

    /// Prints the data flow to stderr: every visit in order, from the file or (unfinished when
    /// the run ended) from the engine; then removes the file.
    pub fn print(mut self, execution: &Execution) {
        let _ = self.out.flush();
        let mut stderr = std::io::stderr().lock();
        let _ = writeln!(stderr, "data flow, state by state:");
        let mut file = File::open(&self.path).ok();
        let first = execution.first_trace_index();
        let end = first
            .saturating_add(execution.traces().len())
            .max(self.pieces.len());
        for index in 0..end {
            match (self.pieces.get(index).copied().flatten(), &mut file) {
                (Some((offset, length)), Some(file)) => {
                    let mut piece = Vec::new();
                    let read = file
                        .seek(SeekFrom::Start(offset))
                        .and_then(|_| Read::by_ref(file).take(length).read_to_end(&mut piece));
                    if read.is_ok() {
                        let _ = stderr.write_all(&piece);
                    }
                }
                (Some(_), None) => {}
                (None, _) => {
                    if let Some(trace) = index
                        .checked_sub(first)
                        .and_then(|held| execution.traces().get(held))
                    {
                        for line in visit_lines(trace) {
                            let _ = writeln!(stderr, "{line}");
                        }
                    }
                }
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
