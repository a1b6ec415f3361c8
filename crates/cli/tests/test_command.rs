//! `sfn-play test` on the cases of `tests/sfn-play-test/`: each folder is a run (its `cmd`
//! file holds the arguments), checked against what it prints and its exit code.
//! `UPDATE_EXPECT=1` rewrites the expected files.

use std::path::{Path, PathBuf};
use std::process::Command;

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/sfn-play-test")
}

#[test]
fn every_case_prints_what_it_expects() {
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut folders: Vec<PathBuf> = std::fs::read_dir(cases_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("cmd").is_file())
        .collect();
    folders.sort();
    assert!(folders.len() >= 7, "the cases are missing: {folders:?}");
    let mut failures = Vec::new();
    for folder in &folders {
        let args: Vec<String> = std::fs::read_to_string(folder.join("cmd"))
            .unwrap()
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect();
        let output = Command::new(env!("CARGO_BIN_EXE_sfn-play"))
            .arg("test")
            .args(&args)
            // Several threads: the report is in file and case order whichever finishes first.
            .args(["--jobs", "3"])
            .current_dir(folder)
            .output()
            .unwrap();
        let stdout = String::from_utf8(output.stdout).unwrap();
        let code = output.status.code().unwrap();
        let name = folder.file_name().unwrap().to_string_lossy().to_string();
        if update {
            std::fs::write(folder.join("expected.stdout"), &stdout).unwrap();
            std::fs::write(folder.join("expected.exit"), format!("{code}\n")).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(folder.join("expected.stdout")).unwrap_or_default();
        let expected_code: i32 = std::fs::read_to_string(folder.join("expected.exit"))
            .unwrap_or_default()
            .trim()
            .parse()
            .unwrap_or(-1);
        if stdout != expected || code != expected_code {
            failures.push(format!(
                "{name}: exit {code} (expected {expected_code})\n--- expected\n{expected}\n--- got\n{stdout}\n--- stderr\n{}",
                String::from_utf8_lossy(&output.stderr)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
