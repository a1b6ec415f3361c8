//! The mocked S3 on the command line: the mock file's `{"file": P}` objects read from disk
//! (relative to the mock file), what the run wrote (a line each on stderr, and with
//! `--s3-out DIR` the objects under DIR/BUCKET/KEY).

use std::io::Write;
use std::path::{Component, Path, PathBuf};

use sfn_engine::{Execution, MockSet};

use crate::commands::{err, CliError};
use crate::read::read_text_within;

/// The most bytes one `file` object of the mock file may hold: 64 MiB. Not an AWS quota: a
/// bound so that a wrong path (a device, a huge log) fails with a message.
pub const MAX_S3_FILE_BYTES: usize = 64 * 1024 * 1024;

/// The most bytes the `file` objects of a mock file may hold together: 256 MiB.
pub const MAX_S3_FILES_TOTAL_BYTES: usize = 256 * 1024 * 1024;

/// Reads every `{"file": P}` object of the mock file at `mock_path` into the mocked S3.
pub fn resolve_files(mocks: &mut MockSet, mock_path: &Path) -> Result<(), CliError> {
    let base = mock_path.parent().unwrap_or(Path::new(""));
    let mut total = 0usize;
    for (bucket, key, file) in mocks.s3().unresolved_files() {
        let path = base.join(&file);
        let what = format!("S3 object file (S3.{bucket}.{key} of the mock file)");
        let text = read_text_within(
            &path,
            &what,
            MAX_S3_FILE_BYTES,
            "the bound on an S3 object file of a mock file",
        )?;
        total = total.saturating_add(text.len());
        if total > MAX_S3_FILES_TOTAL_BYTES {
            return Err(CliError::usage(format!(
                "the S3 object files of mock file '{}' hold more than {MAX_S3_FILES_TOTAL_BYTES} bytes together",
                mock_path.display()
            )));
        }
        mocks.s3_mut().resolve_file(&bucket, &key, text);
    }
    Ok(())
}

/// Prints a line per object the run wrote on stderr, and writes them under `dir` if given.
pub fn report_writes(execution: &Execution, dir: Option<&Path>) -> Result<(), CliError> {
    for write in execution.s3_writes() {
        err!(
            "s3: wrote s3://{}/{} ({} bytes)",
            write.bucket,
            write.key,
            write.size
        );
        if let Some(dir) = dir {
            let path = object_path(dir, &write.bucket, &write.key)?;
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| {
                    CliError::usage(format!("cannot create '{}': {e}", parent.display()))
                })?;
            }
            std::fs::write(&path, &write.text)
                .map_err(|e| CliError::usage(format!("cannot write '{}': {e}", path.display())))?;
        }
    }
    Ok(())
}

/// DIR/BUCKET/KEY, refusing a key that would leave DIR (`..`, an absolute path).
fn object_path(dir: &Path, bucket: &str, key: &str) -> Result<PathBuf, CliError> {
    let relative = Path::new(bucket).join(key);
    if relative
        .components()
        .any(|c| !matches!(c, Component::Normal(_)))
    {
        return Err(CliError::usage(format!(
            "--s3-out: the object s3://{bucket}/{key} has no path under '{}'",
            dir.display()
        )));
    }
    Ok(dir.join(relative))
}
