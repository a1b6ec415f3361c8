//! Replays every input the fuzzers found a crash or a hang with
//! (`tests/data/fuzz-regressions/<target>/*`) through the code path of its target
//! (`tests/fuzz_harness/mod.rs`, which the fuzz targets include too). Each must finish without
//! a panic or a stack overflow, and quickly; errors must carry a message (the harness checks).
//!
//! The share-link decoder's target lives in the playground's data crate: its regressions are
//! replayed by `crates/playground-data/src/share.rs`'s tests.

mod fuzz_harness;

use std::path::Path;
use std::time::{Duration, Instant};

/// The main thread's stack, which the fuzzer ran on (test threads get 2 MiB).
const STACK_BYTES: usize = 8 * 1024 * 1024;

/// Generous: an input replays in well under a second; the fuzzer's timeout was 20 s.
const MAX_SECONDS: u64 = 10;

#[test]
fn fuzz_regressions_replay_without_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fuzz-regressions");
    let mut replayed = 0;
    let mut failures = Vec::new();
    for (target, run) in fuzz_harness::TARGETS {
        let Ok(entries) = std::fs::read_dir(root.join(target)) else {
            continue;
        };
        let mut files: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        files.sort();
        for file in files.into_iter().filter(|f| f.is_file()) {
            let data = std::fs::read(&file).expect("read a regression input");
            let name = format!("{target}/{}", file.file_name().unwrap().to_string_lossy());
            let started = Instant::now();
            let outcome = std::thread::Builder::new()
                .stack_size(STACK_BYTES)
                .spawn(move || run(&data))
                .expect("spawn a replay thread")
                .join();
            let elapsed = started.elapsed();
            match outcome {
                Ok(summary) => println!("{name}: {summary} ({elapsed:?})"),
                Err(_) => failures.push(format!("{name}: panicked")),
            }
            if elapsed > Duration::from_secs(MAX_SECONDS) {
                failures.push(format!("{name}: took {elapsed:?}"));
            }
            replayed += 1;
        }
    }
    println!("{replayed} fuzz regression inputs replayed");
    assert!(
        failures.is_empty(),
        "fuzz regressions failed:\n{}",
        failures.join("\n")
    );
}
