//! Fuzz target `intrinsics`: see `harness::intrinsics_target`.
#![no_main]

#[path = "../../crates/engine/tests/fuzz_harness/mod.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    harness::intrinsics_target(data);
});
