//! `sfn-play test`: runs test files (and the test cases of Step Functions Local mock files),
//! reports each failure with a diff, and measures coverage.

use std::path::PathBuf;

use crate::commands::CliError;

/// What `sfn-play test` was asked to do (parsed in `args`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TestArgs {
    /// Test files (`.json`, `.yaml`, `.yml`), or folders searched for `*.test.json`,
    /// `*.test.yaml` and `*.test.yml`.
    pub paths: Vec<PathBuf>,
    /// With `mocks`, runs every test case of a Step Functions Local mock file against this
    /// definition, with no test file.
    pub definition: Option<PathBuf>,
    pub mocks: Option<PathBuf>,
    /// Write a JUnit XML report here.
    pub junit: Option<PathBuf>,
    /// Print the JSON report on stdout instead of the text report.
    pub json: bool,
    /// Print the coverage table after the report.
    pub coverage: bool,
    /// Write the coverage report (JSON) here.
    pub coverage_json: Option<PathBuf>,
    /// Fail (exit 1) when the suite's coverage is below this percentage.
    pub min_coverage: Option<f64>,
    /// How many cases run at once (default: every core).
    pub jobs: Option<usize>,
    /// Run only the cases whose name contains this.
    pub filter: Option<String>,
}

pub fn run(_args: &TestArgs) -> Result<i32, CliError> {
    Err(CliError::usage("sfn-play test is being built"))
}
