//! `sfn-play test`: runs test files (and the test cases of Step Functions Local mock files),
//! reports each failure with a diff, and measures coverage.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use serde_json::Value;
use sfn_engine::source::{read_document, SourceFormat};
use sfn_engine::MockSet;
use sfn_testing::coverage::{self, Coverage};
use sfn_testing::report::{self, SuiteProblem, Summary};
use sfn_testing::suite::{MachineSource, MockSource};
use sfn_testing::{prepare, CaseResult, Files, PreparedSuite, Suite};

use crate::commands::{err, exit, out, write_json, CliError};
use crate::project::ProjectArgs;
use crate::read::read_text_within;

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
    /// With `definition` and `mocks`: the input of every test case (JSON text; default `{}`).
    pub input: Option<String>,
}

/// The most bytes a test file, or a file it names, may hold.
const MAX_TEST_FILE_BYTES: usize = 8 * 1024 * 1024;

/// The file names a folder is searched for.
const TEST_FILE_SUFFIXES: [&str; 3] = [".test.json", ".test.yaml", ".test.yml"];

/// How deep a folder is searched.
const MAX_FOLDER_DEPTH: usize = 16;

/// `sfn-play test`.
pub fn run(args: &TestArgs) -> Result<i32, CliError> {
    if let Some(percent) = args.min_coverage {
        if !(0.0..=100.0).contains(&percent) {
            return Err(CliError::usage(format!(
                "--min-coverage takes a percentage from 0 to 100, not {percent}"
            )));
        }
    }
    let mut suites: Vec<(PreparedSuite, FileSystem)> = Vec::new();
    let mut problems: Vec<SuiteProblem> = Vec::new();
    match (&args.definition, &args.mocks) {
        (Some(definition), Some(mocks)) => {
            if !args.paths.is_empty() {
                return Err(CliError::usage(
                    "--definition and --mocks run a mock file's test cases: give no test files with them",
                ));
            }
            let input = match &args.input {
                None => Value::Object(Default::default()),
                Some(text) => serde_json::from_str(text)
                    .map_err(|e| CliError::usage(format!("--input is not valid JSON: {e}")))?,
            };
            let (suite, files) = mock_file_suite(definition, mocks, input);
            let label = mocks.display().to_string();
            match prepare(&suite, &label, &files) {
                Ok(prepared) => suites.push((prepared, files)),
                Err(message) => problems.push(SuiteProblem {
                    suite: label,
                    message,
                }),
            }
        }
        (Some(_), None) | (None, Some(_)) => {
            return Err(CliError::usage(
                "--definition and --mocks go together: they run every test case of a Step \
                 Functions Local mock file against the definition",
            ))
        }
        (None, None) => {
            let paths = if args.paths.is_empty() {
                vec![PathBuf::from(".")]
            } else {
                args.paths.clone()
            };
            let files = find_test_files(&paths)?;
            if files.is_empty() {
                return Err(CliError::usage(format!(
                    "no test files found in {} (test files end in {})",
                    paths
                        .iter()
                        .map(|p| format!("'{}'", p.display()))
                        .collect::<Vec<_>>()
                        .join(", "),
                    TEST_FILE_SUFFIXES.join(", ")
                )));
            }
            for path in files {
                let label = path.display().to_string();
                match load_suite(&path) {
                    Ok((prepared, files)) => suites.push((prepared, files)),
                    Err(message) => problems.push(SuiteProblem {
                        suite: label,
                        message,
                    }),
                }
            }
        }
    }

    if let Some(filter) = &args.filter {
        for (suite, _) in &mut suites {
            suite
                .cases
                .retain(|case| case.name.contains(filter.as_str()));
        }
    }
    let results = run_all(&suites, args.jobs);
    let coverages = coverage_of(&suites, &results);
    let summary = Summary::of(&results, &problems);

    let coverage_json = coverage::report_json(&coverages);
    if args.json {
        let report = report::json(&results, &problems, Some(coverage_json.clone()));
        out!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        );
    } else {
        out!("{}", report::text(&results, &problems).trim_end());
        if args.coverage || args.min_coverage.is_some() {
            out!("\n{}", coverage::report_text(&coverages).trim_end());
        }
    }
    if let Some(path) = &args.junit {
        std::fs::write(path, report::junit(&results, &problems)).map_err(|e| {
            CliError::usage(format!("cannot write --junit '{}': {e}", path.display()))
        })?;
    }
    if let Some(path) = &args.coverage_json {
        write_json(path, "the coverage report", &coverage_json)?;
    }
    let mut code = if summary.ok() {
        exit::OK
    } else {
        exit::TESTS_FAILED
    };
    if let Some(minimum) = args.min_coverage {
        let total = coverage::total(&coverages);
        if total.percent() + 1e-9 < minimum {
            err!(
                "sfn-play: coverage {:.1}% ({} of {}) is below --min-coverage {minimum}",
                total.percent(),
                total.covered,
                total.total
            );
            code = exit::TESTS_FAILED;
        }
    }
    Ok(code)
}

/// Runs every case of every suite on `jobs` threads (default: every core), each case on its
/// own; results in file and case order.
fn run_all(suites: &[(PreparedSuite, FileSystem)], jobs: Option<usize>) -> Vec<CaseResult> {
    let work: Vec<(usize, usize)> = suites
        .iter()
        .enumerate()
        .flat_map(|(s, (suite, _))| (0..suite.cases.len()).map(move |c| (s, c)))
        .collect();
    let threads = jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from))
        .clamp(1, work.len().max(1));
    let next = AtomicUsize::new(0);
    let slots: Mutex<Vec<Option<CaseResult>>> = Mutex::new(vec![None; work.len()]);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some(&(s, c)) = work.get(index) else {
                    break;
                };
                let Some((suite, files)) = suites.get(s) else {
                    break;
                };
                let Some(case) = suite.cases.get(c) else {
                    break;
                };
                let result = suite.run_case(case, files);
                if let Ok(mut slots) = slots.lock() {
                    if let Some(slot) = slots.get_mut(index) {
                        *slot = Some(result);
                    }
                }
            });
        }
    });
    slots
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .collect()
}

/// The coverage of each state machine tested, over every case that ran it (suites of the same
/// definition file together).
fn coverage_of(suites: &[(PreparedSuite, FileSystem)], results: &[CaseResult]) -> Vec<Coverage> {
    let mut coverages: Vec<Coverage> = Vec::new();
    for (suite, _) in suites {
        let position = match coverages
            .iter()
            .position(|c| c.label == suite.machine_label)
        {
            Some(position) => position,
            None => {
                coverages.push(suite.coverage());
                coverages.len() - 1
            }
        };
        let Some(coverage) = coverages.get_mut(position) else {
            continue;
        };
        for result in results.iter().filter(|r| r.suite == suite.label) {
            coverage.hit.extend(result.hits.iter().cloned());
        }
    }
    coverages
}

/// The test files among `paths`: files as given, folders searched (sorted, so runs list them
/// in the same order).
fn find_test_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, CliError> {
    let mut found = Vec::new();
    for path in paths {
        if path.is_dir() {
            search_folder(path, 0, &mut found)?;
        } else if path.exists() {
            found.push(path.clone());
        } else {
            return Err(CliError::usage(format!(
                "no test file or folder '{}'",
                path.display()
            )));
        }
    }
    // `./x.test.json` reads `x.test.json`.
    Ok(found
        .into_iter()
        .map(|path| {
            path.components()
                .filter(|c| !matches!(c, std::path::Component::CurDir))
                .collect()
        })
        .collect())
}

fn search_folder(folder: &Path, depth: usize, found: &mut Vec<PathBuf>) -> Result<(), CliError> {
    if depth > MAX_FOLDER_DEPTH {
        return Ok(());
    }
    let entries = std::fs::read_dir(folder).map_err(|e| {
        CliError::usage(format!(
            "cannot read the folder '{}': {e}",
            folder.display()
        ))
    })?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        // Build output and dependencies hold no test files of the project.
        if name.starts_with('.') || name == "target" || name == "node_modules" {
            continue;
        }
        if path.is_dir() {
            search_folder(&path, depth + 1, found)?;
        } else if TEST_FILE_SUFFIXES
            .iter()
            .any(|suffix| name.ends_with(suffix))
        {
            found.push(path);
        }
    }
    Ok(())
}

/// Reads and prepares a test file.
fn load_suite(path: &Path) -> Result<(PreparedSuite, FileSystem), String> {
    let text = read_text_within(
        path,
        "test file",
        MAX_TEST_FILE_BYTES,
        "the bound on a test file",
    )
    .map_err(|e| e.message)?;
    let format = SourceFormat::detect(&path.to_string_lossy(), &text);
    let (value, _) = read_document(&text, format).map_err(|e| match e.position {
        Some((line, column)) => format!("{}:{line}:{column}: {}", path.display(), e.message),
        None => format!("{}: {}", path.display(), e.message),
    })?;
    let suite = Suite::from_value(&value).map_err(|e| e.to_string())?;
    let files = FileSystem {
        base: path.parent().unwrap_or_else(|| Path::new("")).to_path_buf(),
    };
    let mut prepared = prepare(&suite, &path.display().to_string(), &files)?;
    prepared.machine_label = files.label(&suite.state_machine);
    Ok((prepared, files))
}

/// `--definition DEF --mocks FILE`: every test case of the mock file, expecting SUCCEEDED.
fn mock_file_suite(definition: &Path, mocks: &Path, input: Value) -> (Suite, FileSystem) {
    let suite = Suite {
        state_machine: MachineSource {
            file: Some(definition.display().to_string()),
            ..MachineSource::default()
        },
        machines: Vec::new(),
        mocks: MockSource::File {
            path: mocks.display().to_string(),
            test_case: None,
        },
        seed: 0,
        start_time: None,
        input,
        cases: Vec::new(),
        every_test_case: true,
    };
    (
        suite,
        FileSystem {
            base: PathBuf::new(),
        },
    )
}

/// The files a test file names, relative to its folder.
#[derive(Debug, Clone)]
struct FileSystem {
    base: PathBuf,
}

impl FileSystem {
    /// `name` from here, without `./` parts (`./../machines/x.json` reads `../machines/x.json`).
    fn path(&self, name: &str) -> PathBuf {
        self.base
            .join(name)
            .components()
            .filter(|c| !matches!(c, std::path::Component::CurDir))
            .collect()
    }

    /// How the coverage report names the state machine: its path from here.
    fn label(&self, source: &MachineSource) -> String {
        match (&source.file, &source.template) {
            (Some(file), _) => self.path(file).display().to_string(),
            (None, Some(template)) => {
                let template = self.path(template).display().to_string();
                match &source.logical_id {
                    Some(id) => format!("{template}#{id}"),
                    None => template,
                }
            }
            (None, None) => source.label(),
        }
    }
}

impl Files for FileSystem {
    fn read(&self, name: &str) -> Result<String, String> {
        let path = self.path(name);
        let text = read_text_within(
            &path,
            "file",
            MAX_TEST_FILE_BYTES,
            "the bound on a test's file",
        )
        .map_err(|e| e.message)?;
        Ok(text.trim_start_matches('\u{feff}').to_string())
    }

    fn definition(&self, source: &MachineSource) -> Result<String, String> {
        let project = ProjectArgs {
            template: source.template.as_deref().map(|t| self.path(t)),
            logical_id: source.logical_id.clone(),
            subs: source.substitutions.clone(),
            subs_files: Vec::new(),
            fake_arns: source.fake_arns,
        };
        let path = source.file.as_deref().map(|f| self.path(f));
        let (_, definition) =
            crate::project::read(path.as_deref(), &project).map_err(|e| e.message)?;
        Ok(definition.json().to_string())
    }

    fn complete_mocks(&self, mocks: &mut MockSet, name: &str) -> Result<(), String> {
        if name.is_empty() {
            return Ok(());
        }
        crate::s3::resolve_files(mocks, &self.path(name)).map_err(|e| e.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tutorial_suite_passes_at_full_coverage() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/tutorial");
        let args = TestArgs {
            paths: vec![root],
            min_coverage: Some(100.0),
            ..TestArgs::default()
        };
        assert_eq!(run(&args), Ok(exit::OK));
    }
}
