//! Builds the display graph (`sfn_playground_data::display_graph`) of a parsed state machine:
//! states as nodes (Parallel branches and Map item processors nested inside their state),
//! transitions as labelled edges. What counts as a transition is ASL semantics; this runs in the
//! engine's worker, next to the layout. Node ids are described in the types' module.

use serde_json::Value;
use sfn_engine::choice::{ChoiceRule, Operand, Operator};
use sfn_engine::definition::model::{Catcher, StateKind, StateMachine, Transition};
use sfn_playground_data::display_graph::{
    DisplayGraph, EdgeKind, GraphEdge, GraphNode, NodeKind, MAX_LABEL_CHARS, MAX_TITLE_CHARS,
};

/// The display graph of a parsed (valid) state machine.
pub fn display_graph(machine: &StateMachine) -> DisplayGraph {
    let mut graph = DisplayGraph::default();
    graph.add_scope(machine, None);
    graph
}

/// Building a graph scope by scope.
trait AddScope {
    fn add_scope(&mut self, machine: &StateMachine, container: Option<&str>);
}

impl AddScope for DisplayGraph {
    /// Adds the nodes and edges of one scope. `container` is the id of the enclosing branch or
    /// item processor node (`None` at the top level).
    fn add_scope(&mut self, machine: &StateMachine, container: Option<&str>) {
        let prefix = container.map(|c| format!("{c}/")).unwrap_or_default();
        let start_id = format!("{prefix}~start");
        let end_id = format!("{prefix}~end");
        let id_of = |name: &str| format!("{prefix}{}", escape(name));
        let parent = container.map(str::to_string);

        self.nodes.push(GraphNode {
            id: start_id.clone(),
            kind: NodeKind::Start,
            name: "Start".to_string(),
            type_name: None,
            parent: parent.clone(),
            pointer: None,
        });
        // Only edges to states of this scope: a valid machine has no others, and the UI must
        // never get an edge to a node that does not exist.
        let target = |name: &str| machine.states.contains_key(name).then(|| id_of(name));
        if let Some(to) = target(&machine.start_at) {
            self.edges.push(edge(&start_id, to, EdgeKind::Start, None));
        }

        for (name, state) in &machine.states {
            let id = id_of(name);
            self.nodes.push(GraphNode {
                id: id.clone(),
                kind: NodeKind::State,
                name: name.clone(),
                type_name: Some(state.type_name().to_string()),
                parent: parent.clone(),
                pointer: Some(state.pointer.clone()),
            });

            // Nested scopes first so that nodes read top-down in definition order.
            match &state.kind {
                StateKind::Parallel(parallel) => {
                    for (index, branch) in parallel.branches.iter().enumerate() {
                        let branch_id = format!("{id}/~b{index}");
                        let pointer = format!("{}/Branches/{index}", state.pointer);
                        self.nodes.push(GraphNode {
                            id: branch_id.clone(),
                            kind: NodeKind::Branch,
                            name: format!("Branch {}", index.saturating_add(1)),
                            type_name: None,
                            parent: Some(id.clone()),
                            pointer: Some(pointer),
                        });
                        self.add_scope(branch, Some(&branch_id));
                    }
                }
                StateKind::Map(map) => {
                    let processor_id = format!("{id}/~p");
                    self.nodes.push(GraphNode {
                        id: processor_id.clone(),
                        kind: NodeKind::ItemProcessor,
                        name: "Item processor".to_string(),
                        type_name: None,
                        parent: Some(id.clone()),
                        // The model does not keep whether it was spelled ItemProcessor or
                        // Iterator, so there is no exact pointer to give.
                        pointer: None,
                    });
                    self.add_scope(&map.item_processor, Some(&processor_id));
                }
                _ => {}
            }

            match &state.kind {
                StateKind::Choice(choice) => {
                    for branch in &choice.choices {
                        if let Some(to) = target(&branch.next) {
                            let text = rule_text(&branch.rule);
                            self.edges.push(edge(&id, to, EdgeKind::Choice, Some(text)));
                        }
                    }
                    if let Some(to) = choice.default.as_deref().and_then(target) {
                        self.edges.push(edge(
                            &id,
                            to,
                            EdgeKind::Default,
                            Some("Default".to_string()),
                        ));
                    }
                }
                StateKind::Succeed | StateKind::Fail(_) => {
                    self.edges
                        .push(edge(&id, end_id.clone(), EdgeKind::End, None));
                }
                _ => {}
            }
            match &state.transition {
                Some(Transition::Next(next)) => {
                    if let Some(to) = target(next) {
                        self.edges.push(edge(&id, to, EdgeKind::Next, None));
                    }
                }
                Some(Transition::End) => {
                    self.edges
                        .push(edge(&id, end_id.clone(), EdgeKind::End, None));
                }
                None => {}
            }
            for catcher in catchers(&state.kind) {
                if let Some(to) = target(&catcher.next) {
                    let text = catcher.error_equals.join(", ");
                    self.edges.push(edge(&id, to, EdgeKind::Catch, Some(text)));
                }
            }
        }

        self.nodes.push(GraphNode {
            id: end_id,
            kind: NodeKind::End,
            name: "End".to_string(),
            type_name: None,
            parent,
            pointer: None,
        });
    }
}

/// The catchers of a state, if it can have any.
fn catchers(kind: &StateKind) -> &[Catcher] {
    match kind {
        StateKind::Task(t) => &t.catch,
        StateKind::Parallel(p) => &p.catch,
        StateKind::Map(m) => &m.catch,
        _ => &[],
    }
}

fn edge(from: &str, to: String, kind: EdgeKind, text: Option<String>) -> GraphEdge {
    let (label, title) = match text {
        Some(text) => (
            Some(shorten(&text, MAX_LABEL_CHARS)),
            Some(shorten(&text, MAX_TITLE_CHARS)),
        ),
        None => (None, None),
    };
    GraphEdge {
        from: from.to_string(),
        to,
        kind,
        label,
        title,
    }
}

/// Escapes a state name for an id path (JSON pointer style).
pub fn escape(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

/// `text` cut to at most `max` characters, ending with `…` when cut.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// A short, readable text of a Choice rule: `$.status == "complete"`, `$.n >= 10`,
/// `$.x is present`, `!($.a == 1)`, `$.a < 1 && $.b`, ... The text grows at most a little past
/// [`MAX_TITLE_CHARS`] however large the rule, and is shortened by the caller.
pub fn rule_text(rule: &ChoiceRule) -> String {
    let mut out = String::new();
    write_rule(rule, &mut out, false);
    out
}

fn write_rule(rule: &ChoiceRule, out: &mut String, nested: bool) {
    // Past the longest text anyone reads, stop writing: bounds the work on huge rules.
    if out.len() > MAX_TITLE_CHARS {
        return;
    }
    match rule {
        ChoiceRule::Comparison {
            variable,
            operator,
            operand,
        } => {
            out.push_str(variable.text());
            out.push(' ');
            out.push_str(&comparison_text(*operator, operand));
        }
        ChoiceRule::And(rules) | ChoiceRule::Or(rules) => {
            let joiner = if matches!(rule, ChoiceRule::And(_)) {
                " && "
            } else {
                " || "
            };
            if nested {
                out.push('(');
            }
            for (index, inner) in rules.iter().enumerate() {
                if index > 0 {
                    out.push_str(joiner);
                }
                write_rule(inner, out, true);
                if out.len() > MAX_TITLE_CHARS {
                    break;
                }
            }
            if nested {
                out.push(')');
            }
        }
        ChoiceRule::Not(inner) => {
            out.push_str("!(");
            write_rule(inner, out, false);
            out.push(')');
        }
        ChoiceRule::Condition(condition) => match condition.source() {
            Value::String(text) => out.push_str(text),
            other => out.push_str(&other.to_string()),
        },
    }
}

/// The operator and operand part of a comparison: `== "complete"`, `is not null`, ...
fn comparison_text(operator: Operator, operand: &Operand) -> String {
    use Operator::*;
    let value = match operand {
        Operand::Literal(value) => value.to_string(),
        Operand::Path(path) => path.text().to_string(),
    };
    let is_true = matches!(operand, Operand::Literal(Value::Bool(true)));
    let test = |what: &str| {
        if is_true {
            format!("is {what}")
        } else {
            format!("is not {what}")
        }
    };
    match operator {
        StringEquals | NumericEquals | BooleanEquals | TimestampEquals => format!("== {value}"),
        StringLessThan | NumericLessThan | TimestampLessThan => format!("< {value}"),
        StringGreaterThan | NumericGreaterThan | TimestampGreaterThan => format!("> {value}"),
        StringLessThanEquals | NumericLessThanEquals | TimestampLessThanEquals => {
            format!("<= {value}")
        }
        StringGreaterThanEquals | NumericGreaterThanEquals | TimestampGreaterThanEquals => {
            format!(">= {value}")
        }
        StringMatches => format!("matches {value}"),
        IsNull => test("null"),
        IsPresent => test("present"),
        IsNumeric => test("numeric"),
        IsString => test("string"),
        IsBoolean => test("boolean"),
        IsTimestamp => test("timestamp"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shorten_counts_characters() {
        assert_eq!(shorten("abc", 3), "abc");
        assert_eq!(shorten("abcd", 3), "ab…");
        assert_eq!(shorten("ééééé", 4), "ééé…");
    }

    #[test]
    fn escape_is_json_pointer_style() {
        assert_eq!(escape("a/b~c"), "a~1b~0c");
    }
}
