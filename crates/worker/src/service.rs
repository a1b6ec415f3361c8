//! The worker's side of the protocol: answers each [`ToWorker`] request with one
//! [`FromWorker`] message. Everything that needs the engine (runs, diagnostics, the display
//! graph and its layout, starting mocks) happens here, in the Web Worker, never on the page.
//! Free of browser APIs, so it is tested natively (`tests/service.rs`, which also records the
//! answers the page's component tests replay).

use sfn_engine::definition::json;
use sfn_engine::{parse_definition, MockSet, Severity};
use sfn_playground_data::display_graph::DisplayGraph;

use sfn_playground_data::layout::{layout, Layout};
use sfn_playground_data::protocol::{json_syntax_mark, CompletedMocks, FromWorker, Mark, ToWorker};

use crate::session::Session;
use crate::starter::with_starter_mocks_in_workspace;

/// The engine's diagnostics of a definition, as editor marks.
pub fn definition_marks(text: &str) -> Vec<Mark> {
    check_definition(text).0
}

/// The definition's diagnostics as marks, and its graph when it could be read.
pub fn check_definition(text: &str) -> (Vec<Mark>, Option<DisplayGraph>) {
    let (machine, diagnostics) = parse_definition(text).into_parts();
    let graph = machine.as_ref().map(crate::graph::build::display_graph);
    let marks = diagnostics
        .into_iter()
        .map(|d| Mark {
            line: d.line.max(1),
            column: d.column.max(1),
            severity: match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            }
            .into(),
            message: if d.playground {
                format!("{} (playground)", d.message)
            } else {
                d.message
            },
        })
        .collect();
    (marks, graph)
}

/// JSON syntax problems of the mock file, then what the engine finds wrong with it (the engine
/// gives no positions for those: they go on the first line, one mark per problem).
pub fn mocks_marks(text: &str) -> Vec<Mark> {
    if text.trim().is_empty() {
        return Vec::new();
    }
    if let Some(mark) = json_syntax_mark(text) {
        return vec![mark];
    }
    // A file of several test cases is checked with its first (the page picks the one a run
    // uses): having several is no problem.
    let first = MockSet::test_case_names(text)
        .ok()
        .and_then(|names| names.into_iter().next());
    match MockSet::from_json_text(text, first.as_deref()) {
        Ok(_) => Vec::new(),
        Err(e) => {
            let arena = bumpalo::Bump::new();
            let root = json::parse(text, &arena).ok();
            e.message
                .lines()
                .map(|line| {
                    let pos = root
                        .as_ref()
                        .and_then(|root| position_of(root, line))
                        .unwrap_or(json::Pos::START);
                    Mark {
                        line: pos.line,
                        column: pos.column,
                        severity: "error".into(),
                        message: line.to_owned(),
                    }
                })
                .collect()
        }
    }
}

/// Where the mock file's message is about: it starts with the place in the file
/// (`Functions.F[0].thorw: ...`, a quoted key where it is not a plain name), which is followed
/// as far as the file has it; the last key found is marked at its name.
fn position_of(root: &json::Node, message: &str) -> Option<json::Pos> {
    let mut rest = message;
    let mut node = root;
    let mut pos = None;
    loop {
        let key: String = if rest.starts_with('"') {
            let mut stream =
                serde_json::Deserializer::from_str(rest).into_iter::<serde_json::Value>();
            let value = stream.next()?.ok()?;
            rest = rest.get(stream.byte_offset()..)?;
            value.as_str()?.to_owned()
        } else {
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            let (name, after) = rest.split_at(end);
            rest = after;
            name.to_owned()
        };
        let Some(member) = node.get(&key) else {
            return pos;
        };
        pos = Some(member.key_pos);
        node = &member.value;
        while let Some(after) = rest.strip_prefix('[') {
            let end = after.find(']')?;
            let index: usize = after.get(..end)?.parse().ok()?;
            rest = after.get(end.saturating_add(1)..)?;
            let json::Kind::Array(items) = &node.kind else {
                return pos;
            };
            let Some(item) = items.get(index) else {
                return pos;
            };
            pos = Some(item.pos);
            node = item;
        }
        match rest.strip_prefix('.') {
            Some(after) => rest = after,
            None => return pos,
        }
    }
}

/// The worker's state: the current execution, and the latest graph with its layout (laying out
/// is the slow part of a check, and most edits leave the graph as it was).
#[derive(Default)]
pub struct Service {
    session: Option<Session>,
    laid_out: Option<(DisplayGraph, Layout)>,
}

impl Service {
    pub fn new() -> Service {
        Service::default()
    }

    /// Answers one request.
    pub fn handle(&mut self, request: ToWorker) -> FromWorker {
        match request {
            ToWorker::Start {
                definition,
                input,
                mocks,
                seed,
                name,
                machines,
                test_case,
            } => {
                // A Task resource without a mock gets a starting one, so a run never stops at
                // "no mock"; the page shows the completed file in the Mocks editor.
                let completed =
                    with_starter_mocks_in_workspace(&definition, &mocks, &name, &machines).map(
                        |text| CompletedMocks {
                            from: mocks.clone(),
                            text,
                        },
                    );
                let mocks = completed
                    .as_ref()
                    .map_or(mocks.as_str(), |c| c.text.as_str());
                match Session::start_in_workspace(
                    &definition,
                    &input,
                    mocks,
                    seed,
                    &name,
                    &machines,
                    test_case.as_deref(),
                ) {
                    Ok(session) => {
                        let start_ms = session.start_ms();
                        self.session = Some(session);
                        FromWorker::Started {
                            start_ms,
                            completed_mocks: completed,
                        }
                    }
                    Err(problems) => {
                        self.session = None;
                        FromWorker::Rejected { problems }
                    }
                }
            }
            ToWorker::Advance {
                max_steps,
                until_ms,
                let_time_pass,
            } => match self.session.as_mut() {
                Some(session) => {
                    FromWorker::Batch(session.advance_paced(max_steps, until_ms, let_time_pass))
                }
                None => FromWorker::Rejected {
                    problems: vec!["No execution to advance: press Run".into()],
                },
            },
            ToWorker::Stop => match self.session.as_mut() {
                Some(session) => FromWorker::Batch(session.stop()),
                None => FromWorker::Rejected {
                    problems: vec!["No execution to stop".into()],
                },
            },
            ToWorker::CheckDefinition { id, text } => {
                let (marks, graph) = check_definition(&text);
                let layout = graph.map(|graph| self.layout(graph));
                FromWorker::DefinitionChecked { id, marks, layout }
            }
            ToWorker::CheckMocks { id, text } => FromWorker::MocksChecked {
                id,
                marks: mocks_marks(&text),
                test_cases: MockSet::test_case_names(&text).unwrap_or_default(),
            },
            ToWorker::StarterMocks {
                definition,
                mocks,
                name,
                machines,
            } => FromWorker::StarterMocks {
                completed: with_starter_mocks_in_workspace(&definition, &mocks, &name, &machines)
                    .map(|text| CompletedMocks { from: mocks, text }),
            },
            ToWorker::AnswerTask {
                token,
                answer,
                at_ms,
            } => match self.session.as_mut() {
                Some(session) => match session.answer(&token, answer, at_ms) {
                    Ok(batch) => FromWorker::Batch(batch),
                    Err(problem) => FromWorker::Refused { problem },
                },
                None => FromWorker::Refused {
                    problem: "No execution waits for an answer: press Run".into(),
                },
            },
            ToWorker::Redrive { mocks } => match self.session.as_mut() {
                Some(session) => match session.redrive(&mocks) {
                    Ok(batch) => FromWorker::Batch(batch),
                    Err(problem) => FromWorker::Refused { problem },
                },
                None => FromWorker::Refused {
                    problem: "No execution to redrive: press Run".into(),
                },
            },
            ToWorker::ChildHistory { id } => {
                match self.session.as_ref().and_then(|s| s.child_history(id)) {
                    Some(events) => FromWorker::ChildHistory { id, events },
                    None => FromWorker::Refused {
                        problem: format!("No child execution {id} in this run"),
                    },
                }
            }
            ToWorker::TestStateForm {
                id,
                definition,
                state_name,
            } => FromWorker::TestStateForm {
                id,
                form: crate::test_state::form(&definition, &state_name),
            },
            ToWorker::RunTests { id, request } => FromWorker::TestResults {
                id,
                results: crate::test_run::run_tests(&request),
            },
            ToWorker::TestState { id, request } => match crate::test_state::test(&request) {
                Ok(response) => FromWorker::TestStateAnswer {
                    id,
                    response: Some(response),
                    problem: None,
                },
                Err(problem) => FromWorker::TestStateAnswer {
                    id,
                    response: None,
                    problem: Some(problem),
                },
            },
            ToWorker::ReadProjectFile {
                id,
                name,
                text,
                substitutions,
                fake_arns,
            } => FromWorker::ProjectFileRead {
                id,
                file: crate::project_file::read_project_file(
                    &name,
                    &text,
                    &substitutions,
                    fake_arns,
                ),
            },
        }
    }

    /// The layout of `graph`, reusing the previous one when the graph has not changed.
    fn layout(&mut self, graph: DisplayGraph) -> Layout {
        if let Some((previous, laid_out)) = &self.laid_out {
            if *previous == graph {
                return laid_out.clone();
            }
        }
        let laid_out = layout(&graph);
        self.laid_out = Some((graph, laid_out.clone()));
        laid_out
    }
}
