//! Checking what a case expects against what its execution did: each unmet expectation is a
//! [`Failure`] with what was expected, what happened, and a diff a reader can follow.

use serde_json::Value;
use sfn_engine::execution::{ErrorHandling, StateTrace};

use crate::diff::{json_equal, line_diff, pretty, short, subset_mismatches};
use crate::suite::{Expectations, StateExpectation};

/// What an execution did, as the expectations read it.
#[derive(Debug, Clone, PartialEq)]
pub struct Observed {
    pub status: String,
    pub error: Option<String>,
    pub cause: Option<String>,
    pub output: Option<Value>,
    pub path: Vec<String>,
    pub variables: Value,
    pub traces: Vec<StateTrace>,
    /// From start to end on the simulated clock.
    pub duration_ms: u64,
}

/// An expectation not met.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// Which expectation (`status`, `output`, `states[0].output`, ...), as the test file
    /// names it.
    pub expectation: String,
    /// One line: what was expected and what happened.
    pub message: String,
    /// A multi-line diff (`-` expected, `+` actual), for values.
    pub diff: Option<String>,
}

fn failure(expectation: impl Into<String>, message: impl Into<String>) -> Failure {
    Failure {
        expectation: expectation.into(),
        message: message.into(),
        diff: None,
    }
}

/// Every expectation of `expect` that `observed` does not meet. A case that expects nothing
/// expects its execution to succeed.
pub fn check(expect: &Expectations, observed: &Observed) -> Vec<Failure> {
    let mut failures = Vec::new();
    let status = match (&expect.status, expect.is_empty()) {
        (Some(status), _) => Some(status.as_str()),
        (None, true) => Some("SUCCEEDED"),
        (None, false) => None,
    };
    if let Some(status) = status {
        if observed.status != status {
            let mut message = format!("expected status {status}, got {}", observed.status);
            if let Some(error) = &observed.error {
                message.push_str(&format!(" with error {error}"));
            }
            if let Some(cause) = &observed.cause {
                message.push_str(&format!(": {}", one_line(cause)));
            }
            if expect.is_empty() {
                message.push_str(" (a case that expects nothing expects SUCCEEDED)");
            }
            failures.push(failure("status", message));
        }
    }
    if let Some(expected) = &expect.output {
        check_exact(
            "output",
            "the output",
            expected,
            observed.output.as_ref(),
            &mut failures,
        );
    }
    if let Some(expected) = &expect.output_contains {
        check_subset(
            "outputContains",
            "the output",
            expected,
            observed.output.as_ref(),
            &mut failures,
        );
    }
    check_text(
        "error",
        expect.error.as_deref(),
        observed.error.as_deref(),
        &mut failures,
    );
    check_text(
        "cause",
        expect.cause.as_deref(),
        observed.cause.as_deref(),
        &mut failures,
    );
    if let Some(part) = &expect.cause_contains {
        match &observed.cause {
            Some(cause) if cause.contains(part.as_str()) => {}
            Some(cause) => failures.push(failure(
                "causeContains",
                format!("expected the cause to contain {part:?}, got {cause:?}"),
            )),
            None => failures.push(failure(
                "causeContains",
                format!("expected a cause containing {part:?}, and the execution has none"),
            )),
        }
    }
    if let Some(path) = &expect.path {
        if *path != observed.path {
            failures.push(Failure {
                expectation: "path".into(),
                message: "the states entered differ".into(),
                diff: Some(line_diff(&path.join("\n"), &observed.path.join("\n"))),
            });
        }
    }
    for (index, state) in expect.states.iter().enumerate() {
        check_state(
            &format!("states[{index}]"),
            state,
            &observed.traces,
            &mut failures,
        );
    }
    if let Some(expected) = &expect.variables {
        check_exact(
            "variables",
            "the variables",
            expected,
            Some(&observed.variables),
            &mut failures,
        );
    }
    if let Some(expected) = &expect.variables_contain {
        check_subset(
            "variablesContain",
            "the variables",
            expected,
            Some(&observed.variables),
            &mut failures,
        );
    }
    if let Some(seconds) = expect.duration_seconds {
        // Millisecond precision, as the history's timestamps.
        #[allow(clippy::cast_precision_loss)]
        let actual = observed.duration_ms as f64 / 1000.0;
        if (actual - seconds).abs() > 0.0005 {
            failures.push(failure(
                "durationSeconds",
                format!("expected {seconds} s on the simulated clock, took {actual} s"),
            ));
        }
    }
    failures
}

fn one_line(text: &str) -> String {
    let line = text.lines().next().unwrap_or_default();
    if line.chars().count() > 200 {
        format!("{}…", line.chars().take(200).collect::<String>())
    } else {
        line.to_string()
    }
}

fn check_text(name: &str, expected: Option<&str>, actual: Option<&str>, out: &mut Vec<Failure>) {
    let Some(expected) = expected else {
        return;
    };
    match actual {
        Some(actual) if actual == expected => {}
        Some(actual) => {
            let mut f = failure(
                name,
                format!("expected {name} {expected:?}, got {actual:?}"),
            );
            if expected.contains('\n') || actual.contains('\n') || actual.len() > 80 {
                f.diff = Some(line_diff(expected, actual));
            }
            out.push(f);
        }
        None => out.push(failure(
            name,
            format!("expected {name} {expected:?}, and the execution has none"),
        )),
    }
}

fn check_exact(
    name: &str,
    what: &str,
    expected: &Value,
    actual: Option<&Value>,
    out: &mut Vec<Failure>,
) {
    match actual {
        Some(actual) if json_equal(expected, actual) => {}
        Some(actual) => out.push(Failure {
            expectation: name.into(),
            message: "differs from what was expected (- expected, + actual)".into(),
            diff: Some(line_diff(&pretty(expected), &pretty(actual))),
        }),
        None => out.push(failure(
            name,
            format!("expected {what} {}, and there is none", short(expected)),
        )),
    }
}

fn check_subset(
    name: &str,
    what: &str,
    expected: &Value,
    actual: Option<&Value>,
    out: &mut Vec<Failure>,
) {
    match actual {
        Some(actual) => {
            let mismatches = subset_mismatches(expected, actual);
            if !mismatches.is_empty() {
                out.push(Failure {
                    expectation: name.into(),
                    message: "does not contain what was expected".into(),
                    diff: Some(mismatches.join("\n") + "\n"),
                });
            }
        }
        None => out.push(failure(
            name,
            format!(
                "expected {what} to contain {}, and there is none",
                short(expected)
            ),
        )),
    }
}

fn check_state(at: &str, expect: &StateExpectation, traces: &[StateTrace], out: &mut Vec<Failure>) {
    let visits: Vec<&StateTrace> = traces
        .iter()
        .filter(|trace| trace.state_name == expect.state)
        .collect();
    let visit = if expect.visit == -1 {
        visits.last().copied()
    } else {
        usize::try_from(expect.visit - 1)
            .ok()
            .and_then(|index| visits.get(index).copied())
    };
    let Some(visit) = visit else {
        let which = if expect.visit == -1 {
            "a last visit".to_string()
        } else {
            format!("visit {}", expect.visit)
        };
        out.push(failure(
            at,
            format!(
                "expected {which} of '{}', and it was entered {} time{}",
                expect.state,
                visits.len(),
                if visits.len() == 1 { "" } else { "s" }
            ),
        ));
        return;
    };
    let label = |field: &str| format!("{at}.{field}");
    let what = |field: &str| {
        format!(
            "the {field} of '{}' (visit {})",
            expect.state,
            visit_number(expect, &visits)
        )
    };
    // (field, the stage it reads, a subset or exact, expected, actual)
    let stages = [
        ("input", "input", false, &expect.input, Some(&visit.input)),
        (
            "inputContains",
            "input",
            true,
            &expect.input_contains,
            Some(&visit.input),
        ),
        (
            "output",
            "output",
            false,
            &expect.output,
            visit.output.as_ref(),
        ),
        (
            "outputContains",
            "output",
            true,
            &expect.output_contains,
            visit.output.as_ref(),
        ),
    ];
    for (field, stage, subset, expected, actual) in stages {
        if let Some(expected) = expected {
            if subset {
                check_subset(&label(field), &what(stage), expected, actual, out);
            } else {
                check_exact(&label(field), &what(stage), expected, actual, out);
            }
        }
    }
    if let Some(expected) = expect.attempts {
        let retries = visit
            .errors
            .iter()
            .filter(|e| matches!(e.handled_by, ErrorHandling::Retry { .. }))
            .count();
        let attempts = u64::try_from(retries).unwrap_or(u64::MAX).saturating_add(1);
        if attempts != expected {
            out.push(failure(
                label("attempts"),
                format!(
                    "expected '{}' (visit {}) to make {expected} attempts, it made {attempts}",
                    expect.state,
                    visit_number(expect, &visits)
                ),
            ));
        }
    }
    if let Some(expected) = &expect.error {
        let last = visit.errors.last().and_then(|e| e.error.error.clone());
        match last {
            Some(error) if error == *expected => {}
            Some(error) => out.push(failure(
                label("error"),
                format!(
                    "expected '{}' to end with error {expected}, got {error}",
                    expect.state
                ),
            )),
            None => out.push(failure(
                label("error"),
                format!(
                    "expected '{}' to end with error {expected}, and it raised none",
                    expect.state
                ),
            )),
        }
    }
}

fn visit_number(expect: &StateExpectation, visits: &[&StateTrace]) -> usize {
    if expect.visit == -1 {
        visits.len()
    } else {
        usize::try_from(expect.visit).unwrap_or(0)
    }
}
