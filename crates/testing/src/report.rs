//! Reports of a test run: text for a person, JSON and JUnit XML for CI.

use serde_json::{json, Value};

use crate::coverage::set_field;
use crate::run::{CaseResult, Outcome};

/// A test file that could not be read or prepared: reported as an error of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuiteProblem {
    pub suite: String,
    pub message: String,
}

/// Counts of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Summary {
    pub cases: usize,
    pub passed: usize,
    pub failed: usize,
    pub errors: usize,
}

impl Summary {
    pub fn of(results: &[CaseResult], problems: &[SuiteProblem]) -> Summary {
        let mut summary = Summary {
            errors: problems.len(),
            ..Summary::default()
        };
        for result in results {
            summary.cases += 1;
            match result.outcome {
                Outcome::Passed => summary.passed += 1,
                Outcome::Failed(_) => summary.failed += 1,
                Outcome::Error(_) => summary.errors += 1,
            }
        }
        summary
    }

    pub fn ok(self) -> bool {
        self.failed == 0 && self.errors == 0
    }
}

fn seconds(ms: u64) -> String {
    let whole = ms / 1000;
    let rest = ms % 1000;
    if rest == 0 {
        format!("{whole} s")
    } else {
        let fraction = format!("{rest:03}");
        format!("{whole}.{} s", fraction.trim_end_matches('0'))
    }
}

/// The text report: a line per case (✓ or ✗ with its status and simulated duration), each
/// failure with its diff, and a summary line.
pub fn text(results: &[CaseResult], problems: &[SuiteProblem]) -> String {
    let mut out = String::new();
    let mut suite = None;
    for result in results {
        if suite != Some(result.suite.as_str()) {
            suite = Some(result.suite.as_str());
            out.push_str(&format!("{}\n", result.suite));
        }
        let mark = match result.outcome {
            Outcome::Passed => "✓",
            Outcome::Failed(_) => "✗",
            Outcome::Error(_) => "!",
        };
        let status = if result.status.is_empty() {
            String::new()
        } else {
            format!(
                " ({}, {} simulated)",
                result.status,
                seconds(result.duration_ms)
            )
        };
        out.push_str(&format!("  {mark} {}{status}\n", result.name));
        match &result.outcome {
            Outcome::Passed => {}
            Outcome::Failed(failures) => {
                for failure in failures {
                    out.push_str(&format!(
                        "      {}: {}\n",
                        failure.expectation, failure.message
                    ));
                    if let Some(diff) = &failure.diff {
                        for line in diff.lines() {
                            out.push_str(&format!("        {line}\n"));
                        }
                    }
                }
            }
            Outcome::Error(message) => out.push_str(&format!("      error: {message}\n")),
        }
    }
    for problem in problems {
        out.push_str(&format!("{}\n  ! {}\n", problem.suite, problem.message));
    }
    let summary = Summary::of(results, problems);
    out.push_str(&format!(
        "\n{} case{}: {} passed, {} failed, {} error{}{}\n",
        summary.cases,
        if summary.cases == 1 { "" } else { "s" },
        summary.passed,
        summary.failed,
        summary.errors,
        if summary.errors == 1 { "" } else { "s" },
        match problems.len() {
            0 => String::new(),
            1 => " (1 test file could not be run)".to_string(),
            n => format!(" ({n} test files could not be run)"),
        }
    ));
    out
}

/// The JSON report.
pub fn json(results: &[CaseResult], problems: &[SuiteProblem], coverage: Option<Value>) -> Value {
    let summary = Summary::of(results, problems);
    let cases: Vec<Value> = results
        .iter()
        .map(|result| {
            let (outcome, failures, error) = match &result.outcome {
                Outcome::Passed => ("passed", Vec::new(), None),
                Outcome::Failed(failures) => (
                    "failed",
                    failures
                        .iter()
                        .map(|f| {
                            json!({
                                "expectation": f.expectation,
                                "message": f.message,
                                "diff": f.diff,
                            })
                        })
                        .collect(),
                    None,
                ),
                Outcome::Error(message) => ("error", Vec::new(), Some(message.clone())),
            };
            let mut case = json!({
                "file": result.suite,
                "name": result.name,
                "outcome": outcome,
            });
            if !result.status.is_empty() {
                #[allow(clippy::cast_precision_loss)]
                let duration = result.duration_ms as f64 / 1000.0;
                set_field(
                    &mut case,
                    "execution",
                    json!({
                        "status": result.status,
                        "error": result.error,
                        "cause": result.cause,
                        "durationSeconds": duration,
                    }),
                );
            }
            if !failures.is_empty() {
                set_field(&mut case, "failures", Value::Array(failures));
            }
            if let Some(error) = error {
                set_field(&mut case, "error", json!(error));
            }
            case
        })
        .collect();
    let mut report = json!({
        "summary": {
            "cases": summary.cases,
            "passed": summary.passed,
            "failed": summary.failed,
            "errors": summary.errors,
        },
        "cases": cases,
        "fileErrors": problems.iter().map(|p| json!({"file": p.suite, "message": p.message})).collect::<Vec<_>>(),
    });
    if let Some(coverage) = coverage {
        set_field(&mut report, "coverage", coverage);
    }
    report
}

/// Escapes text for XML attributes and content; characters XML 1.0 cannot hold become
/// U+FFFD.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// The JUnit XML report, in the shape CI tools read (Jenkins' and GitLab's JUnit schema): a
/// `testsuite` per test file, a `testcase` per case with a `failure` (unmet expectations) or
/// an `error` (could not run). Times are the simulated durations, in seconds.
pub fn junit(results: &[CaseResult], problems: &[SuiteProblem]) -> String {
    let summary = Summary::of(results, problems);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"sfn-play test\" tests=\"{}\" failures=\"{}\" errors=\"{}\">\n",
        summary.cases + problems.len(),
        summary.failed,
        summary.errors
    ));
    let mut suites: Vec<&str> = Vec::new();
    for result in results {
        if !suites.contains(&result.suite.as_str()) {
            suites.push(&result.suite);
        }
    }
    for (id, suite) in suites.iter().enumerate() {
        let cases: Vec<&CaseResult> = results.iter().filter(|r| r.suite == *suite).collect();
        let failures = cases
            .iter()
            .filter(|r| matches!(r.outcome, Outcome::Failed(_)))
            .count();
        let errors = cases
            .iter()
            .filter(|r| matches!(r.outcome, Outcome::Error(_)))
            .count();
        let time: u64 = cases.iter().map(|r| r.duration_ms).sum();
        out.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"0\" time=\"{}\" id=\"{id}\">\n",
            xml(suite),
            cases.len(),
            junit_seconds(time)
        ));
        for case in cases {
            out.push_str(&format!(
                "    <testcase name=\"{}\" classname=\"{}\" time=\"{}\"",
                xml(&case.name),
                xml(suite),
                junit_seconds(case.duration_ms)
            ));
            match &case.outcome {
                Outcome::Passed => out.push_str("/>\n"),
                Outcome::Failed(failures) => {
                    let message = failures
                        .iter()
                        .map(|f| format!("{}: {}", f.expectation, f.message))
                        .collect::<Vec<_>>()
                        .join("; ");
                    let mut body = String::new();
                    for failure in failures {
                        body.push_str(&format!("{}: {}\n", failure.expectation, failure.message));
                        if let Some(diff) = &failure.diff {
                            body.push_str(diff);
                        }
                    }
                    out.push_str(&format!(
                        ">\n      <failure message=\"{}\" type=\"ExpectationFailed\">{}</failure>\n    </testcase>\n",
                        xml(&message),
                        xml(&body)
                    ));
                }
                Outcome::Error(message) => out.push_str(&format!(
                    ">\n      <error message=\"{}\" type=\"CaseError\">{}</error>\n    </testcase>\n",
                    xml(message),
                    xml(message)
                )),
            }
        }
        out.push_str("  </testsuite>\n");
    }
    for (offset, problem) in problems.iter().enumerate() {
        out.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\" time=\"0\" id=\"{}\">\n    <testcase name=\"(test file)\" classname=\"{}\" time=\"0\">\n      <error message=\"{}\" type=\"TestFileError\">{}</error>\n    </testcase>\n  </testsuite>\n",
            xml(&problem.suite),
            suites.len() + offset,
            xml(&problem.suite),
            xml(&problem.message),
            xml(&problem.message)
        ));
    }
    out.push_str("</testsuites>\n");
    out
}

fn junit_seconds(ms: u64) -> String {
    format!("{}.{:03}", ms / 1000, ms % 1000)
}
