//! What the engine's corpus tests share: where the AWS conformance corpus is.

use std::path::{Path, PathBuf};

/// The conformance corpus (the folder holding `cases/`): `$CONFORMANCE_DIR`, else a
/// `shared/conformance` beside some folder above this crate (the workplace's layout, from the
/// repository or a worktree). `None` in a user's clone without it: the tests then say so and
/// skip, as `make test` does.
pub fn conformance_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("CONFORMANCE_DIR") {
        let dir = PathBuf::from(dir);
        return dir.join("cases").is_dir().then_some(dir);
    }
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|a| a.join("shared/conformance"))
        .find(|d| d.join("cases").is_dir())
}

/// The corpus's case files, sorted by name.
pub fn case_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("cases"))
        .expect("read the corpus's cases folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}
