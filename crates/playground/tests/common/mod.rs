//! The engine's answers without the engine: the page's tests replay conversations recorded from
//! the engine's worker (`tests/data/worker/<name>.json`, which crates/worker/tests/service.rs
//! writes with `UPDATE_EXPECT=1` and otherwise checks to be what the worker answers today).

use sfn_playground::graph::Layout;
use sfn_playground::protocol::{Exchange, FromWorker, ToWorker};

/// The recorded conversation `name`.
pub fn recorded(name: &str) -> Vec<Exchange> {
    let text = match name {
        "diagnostics" => include_str!("../data/worker/diagnostics.json"),
        "starter_mocks" => include_str!("../data/worker/starter_mocks.json"),
        "graphs" => include_str!("../data/worker/graphs.json"),
        "fanout" => include_str!("../data/worker/fanout.json"),
        "test_state" => include_str!("../data/worker/test_state.json"),
        "tests_panel" => include_str!("../data/worker/tests_panel.json"),
        other => panic!("no recorded conversation {other}"),
    };
    serde_json::from_str(text).expect("a recorded conversation")
}

/// An engine answering from the conversation `name`: a check (or a TestState request) with the
/// recorded answer about the same text (under the request's id), a run's `Start` with the
/// answer to the same texts,
/// and each `Advance` with the next recorded batch. A request the conversation lacks fails the
/// test, naming it.
#[allow(dead_code)] // Each test file uses part of this module.
pub fn replay(name: &'static str) -> impl FnMut(ToWorker) -> FromWorker {
    let exchanges = recorded(name);
    let mut advanced = 0;
    move |request| {
        if let ToWorker::Advance { .. } = request {
            advanced += 1;
            return exchanges
                .iter()
                .filter(|e| matches!(e.request, ToWorker::Advance { .. }))
                .nth(advanced - 1)
                .map(|e| e.reply.clone())
                .unwrap_or_else(|| panic!("no recorded answer to Advance #{advanced}"));
        }
        let id = match &request {
            ToWorker::CheckDefinition { id, .. }
            | ToWorker::CheckMocks { id, .. }
            | ToWorker::TestStateForm { id, .. }
            | ToWorker::TestState { id, .. }
            | ToWorker::RunTests { id, .. } => Some(*id),
            _ => None,
        };
        let same = |recorded: &ToWorker| match (recorded, &request) {
            (
                ToWorker::CheckDefinition { text: a, .. },
                ToWorker::CheckDefinition { text: b, .. },
            )
            | (ToWorker::CheckMocks { text: a, .. }, ToWorker::CheckMocks { text: b, .. }) => {
                a == b
            }
            (
                ToWorker::TestStateForm {
                    definition: a,
                    state_name: m,
                    ..
                },
                ToWorker::TestStateForm {
                    definition: b,
                    state_name: n,
                    ..
                },
            ) => a == b && m == n,
            (ToWorker::TestState { request: a, .. }, ToWorker::TestState { request: b, .. }) => {
                a == b
            }
            (ToWorker::RunTests { request: a, .. }, ToWorker::RunTests { request: b, .. }) => {
                a == b
            }
            (a, b) => a == b,
        };
        let reply = exchanges
            .iter()
            .find(|e| same(&e.request))
            .map(|e| e.reply.clone())
            .unwrap_or_else(|| panic!("no recorded answer to {request:?} in {name}"));
        match (reply, id) {
            (FromWorker::DefinitionChecked { marks, layout, .. }, Some(id)) => {
                FromWorker::DefinitionChecked { id, marks, layout }
            }
            (
                FromWorker::MocksChecked {
                    marks, test_cases, ..
                },
                Some(id),
            ) => FromWorker::MocksChecked {
                id,
                marks,
                test_cases,
            },
            (FromWorker::TestStateForm { form, .. }, Some(id)) => {
                FromWorker::TestStateForm { id, form }
            }
            (
                FromWorker::TestStateAnswer {
                    response, problem, ..
                },
                Some(id),
            ) => FromWorker::TestStateAnswer {
                id,
                response,
                problem,
            },
            (FromWorker::TestResults { results, .. }, Some(id)) => {
                FromWorker::TestResults { id, results }
            }
            (reply, _) => reply,
        }
    }
}

/// The laid-out graph of a definition, as the engine's worker sent it to the page.
#[allow(dead_code)] // Each test file uses part of this module.
pub fn graph_of(definition: &str) -> Layout {
    recorded("graphs")
        .into_iter()
        .find_map(|e| match (e.request, e.reply) {
            (
                ToWorker::CheckDefinition { text, .. },
                FromWorker::DefinitionChecked { layout, .. },
            ) if text == definition => layout,
            _ => None,
        })
        .unwrap_or_else(|| panic!("no recorded layout of {definition}"))
}

/// The definition the run of the conversation `name` was started with.
#[allow(dead_code)] // Each test file uses part of this module.
pub fn started_definition(name: &str) -> String {
    recorded(name)
        .into_iter()
        .find_map(|e| match e.request {
            ToWorker::Start { definition, .. } => Some(definition),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no run started in {name}"))
}

/// The definitions the conversation `name` checked, in order.
#[allow(dead_code)] // Each test file uses part of this module.
pub fn checked_definitions(name: &str) -> Vec<String> {
    recorded(name)
        .into_iter()
        .filter_map(|e| match e.request {
            ToWorker::CheckDefinition { text, .. } => Some(text),
            _ => None,
        })
        .collect()
}
