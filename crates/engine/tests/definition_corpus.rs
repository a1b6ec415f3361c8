//! Every definition of the AWS conformance corpus that AWS accepted (they all ran there),
//! JSONata and variables included, must parse with no error diagnostic.
//!
//! The corpus is read from `$CONFORMANCE_DIR`, or from `shared/conformance` next to the
//! repository; when it is absent the tests say so and pass.

use std::path::PathBuf;

use serde_json::Value;
use sfn_engine::{parse_definition, Severity};

/// `$CONFORMANCE_DIR`, else `shared/conformance` beside the repository
/// (`../../../shared/conformance` from the crate) or beside any folder above it (a worktree).
fn conformance_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("CONFORMANCE_DIR") {
        let dir = PathBuf::from(d);
        return dir.join("cases").is_dir().then_some(dir);
    }
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    crate_dir
        .ancestors()
        .map(|a| a.join("shared/conformance"))
        .find(|d| d.join("cases").is_dir())
}

#[test]
fn corpus_definitions_parse_without_errors() {
    let Some(dir) = conformance_dir() else {
        eprintln!(
            "SKIPPED: no conformance corpus (set CONFORMANCE_DIR or provide ../../../shared/conformance)"
        );
        return;
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("cases"))
        .expect("read cases dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();

    let (mut checked, mut with_warnings) = (0, 0);
    let mut failures = Vec::new();
    let mut warning_codes = std::collections::BTreeMap::new();
    for path in &files {
        let text = std::fs::read_to_string(path).expect("read case");
        let case: Value = serde_json::from_str(&text).expect("case is JSON");
        checked += 1;
        let definition = serde_json::to_string_pretty(&case["definition"]).expect("serialize");
        let (machine, diags) = parse_definition(&definition);
        let errors: Vec<_> = diags
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        if diags.iter().any(|d| d.severity == Severity::Warning) {
            with_warnings += 1;
        }
        for d in diags.iter().filter(|d| d.severity == Severity::Warning) {
            let code: String = d.message.chars().take_while(|c| *c != ':').collect();
            *warning_codes.entry(code).or_insert(0) += 1;
        }
        if !errors.is_empty() || machine.is_none() {
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            failures.push(format!("{name}: {errors:#?}"));
        }
    }
    eprintln!(
        "conformance definitions: {checked} checked, {} rejected, {with_warnings} with warnings",
        failures.len()
    );
    eprintln!("warnings by code: {warning_codes:?}");
    assert_eq!(checked, files.len());
    assert!(checked > 0, "no definition checked");
    assert!(
        failures.is_empty(),
        "{} definitions rejected:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
