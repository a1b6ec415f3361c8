//! The Tests panel beside the history: Run all runs the Tests editor's test file (or, when it is
//! empty, the mock file's Step Functions Local test cases) in the engine's worker, as `sfn-play
//! test` does; each case shows ✓, ✗ or ! with its status and simulated duration, each failure
//! its diff; "Use for Run" makes a case's input (and test case) the one Run uses; the Coverage
//! toggle greys out on the graph what no case reached.

use std::collections::HashSet;

use leptos::prelude::*;

use crate::app::Work;
use crate::graph::Uncovered;
use crate::protocol::{CoverageView, TestCaseView, TestOutcome, TestResultsView};
use crate::runner::{RunView, Runner};

/// A simulated duration as the CLI's report writes it: `4 s`, `0.5 s`.
pub fn seconds(ms: u64) -> String {
    let (whole, rest) = (ms / 1000, ms % 1000);
    if rest == 0 {
        format!("{whole} s")
    } else {
        let fraction = format!("{rest:03}");
        format!("{whole}.{} s", fraction.trim_end_matches('0'))
    }
}

/// The mark of an outcome, as `sfn-play test` prints it.
pub fn outcome_mark(outcome: TestOutcome) -> &'static str {
    match outcome {
        TestOutcome::Passed => "✓",
        TestOutcome::Failed => "✗",
        TestOutcome::Error => "!",
    }
}

fn outcome_key(outcome: TestOutcome) -> &'static str {
    match outcome {
        TestOutcome::Passed => "passed",
        TestOutcome::Failed => "failed",
        TestOutcome::Error => "error",
    }
}

/// The summary line: `4 passed, 0 failed · coverage 100% (states 6/6, transitions 8/8,
/// retriers 2/2)`, errors only when some case could not run.
pub fn summary(results: &TestResultsView) -> String {
    let mut line = format!(
        "{} passed, {} failed",
        results.count(TestOutcome::Passed),
        results.count(TestOutcome::Failed)
    );
    let errors = results.count(TestOutcome::Error);
    if errors > 0 {
        line.push_str(&format!(", {errors} could not run"));
    }
    if let Some(coverage) = &results.coverage {
        line.push_str(&format!(
            " · coverage {}% (states {}/{}, transitions {}/{}, retriers {}/{})",
            coverage.total.percent,
            coverage.states.covered,
            coverage.states.total,
            coverage.transitions.covered,
            coverage.transitions.total,
            coverage.retriers.covered,
            coverage.retriers.total,
        ));
    }
    line
}

/// What the graph greys out for this coverage.
pub fn uncovered(coverage: &CoverageView) -> Uncovered {
    Uncovered {
        states: coverage.uncovered_states.iter().cloned().collect(),
        edges: coverage
            .uncovered_edges
            .iter()
            .cloned()
            .collect::<HashSet<_>>(),
    }
}

/// The Tests panel.
#[component]
pub fn TestsPanel(
    work: Work,
    run_view: RunView,
    runner: StoredValue<Runner, LocalStorage>,
    /// The graph greys out what no case reached.
    coverage_shown: RwSignal<bool>,
    /// Where the page tells the user something.
    notice: RwSignal<Option<String>>,
    /// What the toolbar starts with instead of its "Tests" heading (the page's tabs of the
    /// history and the Tests panel).
    #[prop(optional, into)]
    heading: Option<ViewFn>,
) -> impl IntoView {
    // The texts the results shown were run with: they are marked when the texts have changed.
    let ran_with = RwSignal::new(None::<(String, String, String)>);
    let texts = move || (work.tests.get(), work.definition.get(), work.mocks.get());
    let outdated = Signal::derive(move || {
        ran_with.with(|ran| ran.as_ref().is_some_and(|ran| *ran != texts()))
    });
    let run_all = move |_| {
        ran_with.set(Some((
            work.tests.get_untracked(),
            work.definition.get_untracked(),
            work.mocks.get_untracked(),
        )));
        runner.with_value(|r| r.run_tests(work.tests_request()));
    };
    let use_for_run = move |case: TestCaseView| {
        let Some(input) = case.input else {
            notice.set(Some(format!(
                "The case '{}' has no input the page can read.",
                case.name
            )));
            return;
        };
        work.input.set(input);
        work.scenario.set(None);
        work.test_case.set(case.test_case);
        notice.set(Some(if case.own_mocks {
            format!(
                "Run now uses the input of '{}'; the case has mocks of its own, and Run uses the Mocks editor's.",
                case.name
            )
        } else {
            format!("Run now uses the input of '{}'.", case.name)
        }));
    };
    let results = run_view.test_results;
    view! {
        <section class="tests-panel" aria-label="Tests" data-testid="tests-panel">
            <div class="pane-toolbar">
                {match heading {
                    Some(heading) => heading.run(),
                    None => view! { <h2>"Tests"</h2> }.into_any(),
                }}
                <button class="small primary" data-testid="run-tests" on:click=run_all
                    disabled=move || run_view.tests_pending.get()
                    title="Run every case of the Tests tab's test file (or, when it is empty, every test case of the mock file)">
                    {move || if run_view.tests_pending.get() { "Running…" } else { "Run all" }}
                </button>
                <span class="spacer"></span>
                <label class="coverage-toggle" title="Grey out on the graph what no case reached">
                    <input type="checkbox" data-testid="coverage-toggle"
                        prop:checked=move || coverage_shown.get()
                        on:change=move |ev| coverage_shown.set(event_target_checked(&ev)) />
                    "Coverage"
                </label>
            </div>
            <p class="tests-summary" data-testid="tests-summary" role="status">
                {move || results.with(|r| r.as_ref().map(summary).unwrap_or_default())}
            </p>
            <div class="tests-body">
                {move || outdated.get().then(|| view! {
                    <p class="muted tests-outdated" data-testid="tests-outdated" role="note">
                        "The texts have changed since these results: Run all again to update."
                    </p>
                })}
                {move || match results.get() {
                    None => view! {
                        <p class="empty">
                            "Run all runs every case of the test file in the Tests tab (its format: docs/TESTING.md) against the definition in the editor, with the Mocks editor's mocks unless the file gives its own. With the Tests tab empty, it runs the mock file's Step Functions Local test cases, each expected to succeed."
                        </p>
                    }.into_any(),
                    Some(results) => view! { <Results results=results use_for_run=Callback::new(use_for_run) /> }.into_any(),
                }}
            </div>
        </section>
    }
}

/// The cases' results, and what no case reached.
#[component]
fn Results(results: TestResultsView, use_for_run: Callback<TestCaseView>) -> impl IntoView {
    let source = if results.from_mock_file {
        "The mock file's Step Functions Local test cases (the Tests tab is empty), each expected to succeed."
    } else {
        "The cases of the test file in the Tests tab."
    };
    let missed = results
        .coverage
        .as_ref()
        .map(|c| c.missed.clone())
        .unwrap_or_default();
    view! {
        {results.problem.clone().map(|problem| view! {
            <p class="tests-problem" role="alert" data-testid="tests-problem">{problem}</p>
        })}
        {results.problem.is_none().then(|| view! { <p class="muted tests-source">{source}</p> })}
        <ul class="test-cases">
            {results.cases.into_iter().map(|case| view! { <CaseRow case=case use_for_run=use_for_run /> }).collect_view()}
        </ul>
        {(!missed.is_empty()).then(|| view! {
            <details class="tests-missed" data-testid="tests-missed">
                <summary>{format!("Not reached by any case ({})", missed.len())}</summary>
                <ul>{missed.into_iter().map(|label| view! { <li>{label}</li> }).collect_view()}</ul>
            </details>
        })}
    }
}

#[component]
fn CaseRow(case: TestCaseView, use_for_run: Callback<TestCaseView>) -> impl IntoView {
    let status = (!case.status.is_empty())
        .then(|| format!("({}, {} simulated)", case.status, seconds(case.duration_ms)));
    let readable = case.input.is_some();
    let title = match (&case.test_case, case.own_mocks) {
        (_, true) => "Make this case's input the one Run uses (the case has mocks of its own: Run uses the Mocks editor's)",
        (Some(_), false) => "Make this case's input and mock test case the ones Run uses",
        (None, false) => "Make this case's input the one Run uses",
    };
    let failures = case.failures.clone();
    let error = case.error.clone();
    let outcome = case.outcome;
    let name = case.name.clone();
    view! {
        <li class="test-case" data-testid="test-case" data-outcome=outcome_key(outcome) data-name=name.clone()>
            <div class="test-case-head">
                <span class=format!("test-mark {}", outcome_key(outcome)) aria-label=outcome_key(outcome)>{outcome_mark(outcome)}</span>
                <span class="test-name">{name.clone()}</span>
                <span class="muted">{status}</span>
                <span class="spacer"></span>
                <button class="small" data-testid="use-for-run" title=title disabled=!readable
                    on:click=move |_| use_for_run.run(case.clone())>"Use for Run"</button>
            </div>
            {failures.into_iter().map(|f| view! {
                <div class="test-failure">
                    <div class="test-failure-message">{format!("{}: {}", f.expectation, f.message)}</div>
                    {f.diff.map(|diff| view! { <pre class="test-diff" data-testid="test-diff">{diff}</pre> })}
                </div>
            }).collect_view()}
            {error.map(|e| view! { <pre class="test-error" data-testid="test-error">{format!("error: {e}")}</pre> })}
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::CoverageCount;

    #[test]
    fn durations_and_summaries_read_as_the_clis() {
        assert_eq!(seconds(0), "0 s");
        assert_eq!(seconds(4000), "4 s");
        assert_eq!(seconds(500), "0.5 s");
        assert_eq!(seconds(1250), "1.25 s");
        let count = |covered, total| CoverageCount {
            covered,
            total,
            percent: f64::from(covered) * 100.0 / f64::from(total),
        };
        let results = TestResultsView {
            cases: vec![
                TestCaseView {
                    outcome: TestOutcome::Passed,
                    ..TestCaseView::default()
                },
                TestCaseView {
                    outcome: TestOutcome::Failed,
                    ..TestCaseView::default()
                },
                TestCaseView {
                    outcome: TestOutcome::Error,
                    ..TestCaseView::default()
                },
            ],
            coverage: Some(CoverageView {
                states: count(5, 5),
                transitions: count(3, 4),
                retriers: count(2, 2),
                total: CoverageCount {
                    covered: 10,
                    total: 11,
                    percent: 90.9,
                },
                ..CoverageView::default()
            }),
            ..TestResultsView::default()
        };
        assert_eq!(
            summary(&results),
            "1 passed, 1 failed, 1 could not run · coverage 90.9% (states 5/5, transitions 3/4, retriers 2/2)"
        );
    }
}
