//! Reading the files a command is given, each with a bound: a definition, an input or a mock
//! file is read up to its bound and no further, so `/dev/zero` or an endless pipe gives an
//! error naming the file and the bound instead of filling the memory.

use std::io::Read;
use std::path::Path;

use sfn_engine::definition::MAX_DEFINITION_BYTES;
use sfn_engine::limits::AWS_MAX_PAYLOAD_BYTES;

use crate::commands::CliError;

/// The most bytes an input file (or stdin) may hold: four times the 256 KiB payload quota. The
/// quota applies to the input's compact JSON (the engine checks it when the execution starts,
/// `States.DataLimitExceeded`); the file's text may be larger for the same value: indented
/// (pretty-printed nesting repeats its indentation on every line) or with characters written
/// as `\u` escapes (six bytes for one).
pub const MAX_INPUT_FILE_BYTES: usize = 4 * AWS_MAX_PAYLOAD_BYTES;

/// With `--no-limits` (no payload quota), the CLI's own bound on an input file: 64 MiB.
pub const MAX_INPUT_FILE_BYTES_NO_LIMITS: usize = 64 * 1024 * 1024;

/// The most bytes a mock file may hold: 8 MiB, room for 32 task results at the 256 KiB
/// payload quota (a mock file holds every response of every test case). Not an AWS quota.
pub const MAX_MOCK_FILE_BYTES: usize = 8 * 1024 * 1024;

/// What a bounded read gives: the text, or that there was more than the bound.
pub enum Bounded {
    Text(String),
    /// The file holds more than the bound; its first bytes (one past the bound), as text.
    TooLarge(String),
}

/// Whether `path` stands for stdin: `-`, for an input file only (a definition or a mock file
/// named `-` is a file of that name).
fn is_stdin(path: &Path, what: &str) -> bool {
    what == INPUT_FILE && path.as_os_str() == "-"
}

/// What an input file is called in messages; the one kind of file that may be stdin.
pub const INPUT_FILE: &str = "input file";

/// Reads at most `limit + 1` bytes of `path` (stdin for an input file named `-`).
fn read_bytes(path: &Path, what: &str, limit: usize) -> Result<Vec<u8>, CliError> {
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    let mut bytes = Vec::new();
    let result = if is_stdin(path, what) {
        std::io::stdin().lock().take(cap).read_to_end(&mut bytes)
    } else {
        std::fs::File::open(path).and_then(|file| file.take(cap).read_to_end(&mut bytes))
    };
    result.map_err(|e| CliError::usage(format!("cannot read {}: {e}", describe(path, what))))?;
    Ok(bytes)
}

/// `definition file 'def.json'`, or `the input from stdin`.
pub fn describe(path: &Path, what: &str) -> String {
    if is_stdin(path, what) {
        String::from("the input from stdin")
    } else {
        format!("{what} '{}'", path.display())
    }
}

/// Reads `path` as UTF-8 text of at most `limit` bytes.
pub fn read_bounded(path: &Path, what: &str, limit: usize) -> Result<Bounded, CliError> {
    let bytes = read_bytes(path, what, limit)?;
    if bytes.len() > limit {
        return Ok(Bounded::TooLarge(
            String::from_utf8_lossy(&bytes).into_owned(),
        ));
    }
    String::from_utf8(bytes).map(Bounded::Text).map_err(|_| {
        CliError::usage(format!(
            "cannot read {}: stream did not contain valid UTF-8",
            describe(path, what)
        ))
    })
}

/// Reads `path` as UTF-8 text of at most `limit` bytes; past it, an error naming the file and
/// the bound (`why` says what the bound is).
pub fn read_text_within(
    path: &Path,
    what: &str,
    limit: usize,
    why: &str,
) -> Result<String, CliError> {
    match read_bounded(path, what, limit)? {
        Bounded::Text(text) => Ok(text),
        Bounded::TooLarge(_) => Err(CliError::usage(format!(
            "{} is larger than {limit} bytes ({why})",
            describe(path, what)
        ))),
    }
}

/// Reads a definition. One larger than AWS's 1 MB quota is not read further: the engine's
/// [`parse_definition`](sfn_engine::parse_definition) is given its first bytes, which it
/// rejects with the diagnostic CreateStateMachine's quota gives.
pub fn read_definition(path: &Path) -> Result<String, CliError> {
    match read_bounded(path, "definition file", MAX_DEFINITION_BYTES)? {
        Bounded::Text(text) | Bounded::TooLarge(text) => Ok(text),
    }
}
