//! The engine's side of the playground, which its Web Worker (`src/main.rs`) runs: the
//! [`service`] answers each request of the page (runs, diagnostics, the display graph and its
//! layout, starting mocks, states tested alone), with a [`session`] for one execution,
//! [`starter`] mocks, [`test_state`] for AWS's TestState, [`test_run`] for the Tests panel's
//! test files (with `sfn-testing`), the [`graph`] of a parsed definition and the
//! [`project_file`]s opened on the page (YAML, templates). Free of browser APIs, so it is tested
//! natively; the messages and rows it sends are plain data (`sfn_playground_data`), which the
//! page reads without the engine.

pub mod graph;
pub mod project_file;
pub mod service;
pub mod session;
pub mod starter;
pub mod test_run;
pub mod test_state;

#[cfg(test)]
mod tests {
    use sfn_playground_data::format::iso;

    #[test]
    fn iso_matches_the_engine() {
        for ms in [
            0,
            1_704_067_200_000,
            1_704_067_201_500,
            951_782_400_000,
            4_102_444_799_999,
            -86_400_001,
            1_709_164_800_123,
            253_402_300_799_999,
        ] {
            assert_eq!(iso(ms), sfn_engine::time::format_iso(ms), "{ms}");
        }
    }
}
