//! Coverage: which states, transitions (each `Next`, each Choice rule and Default, each Catch)
//! and retriers of a state machine the cases of a suite exercised.

use std::collections::BTreeSet;

use serde_json::{json, Value};
use sfn_engine::definition::{State, StateKind, StateMachine, Transition};
use sfn_engine::execution::{ChoiceTaken, ErrorHandling, StateTrace};

/// One thing a case can exercise.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Item {
    State(String),
    /// A state's `Next`.
    Next {
        from: String,
        to: String,
    },
    /// A Choice rule (its index in `Choices`) and the state it leads to.
    ChoiceRule {
        from: String,
        index: usize,
        to: String,
    },
    ChoiceDefault {
        from: String,
        to: String,
    },
    /// A catcher (its index in `Catch`) and the state it leads to.
    Catch {
        from: String,
        index: usize,
        to: String,
    },
    /// A retrier (its index in `Retry`) that retried at least once.
    Retrier {
        state: String,
        index: usize,
    },
}

/// The kinds a coverage report counts apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    State,
    Transition,
    Retrier,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::State => "states",
            Kind::Transition => "transitions",
            Kind::Retrier => "retriers",
        }
    }
}

impl Item {
    pub fn kind(&self) -> Kind {
        match self {
            Item::State(_) => Kind::State,
            Item::Retrier { .. } => Kind::Retrier,
            _ => Kind::Transition,
        }
    }

    /// The state the item belongs to (a transition's source).
    pub fn state(&self) -> &str {
        match self {
            Item::State(state) | Item::Retrier { state, .. } => state,
            Item::Next { from, .. }
            | Item::ChoiceRule { from, .. }
            | Item::ChoiceDefault { from, .. }
            | Item::Catch { from, .. } => from,
        }
    }

    /// The state a transition leads to.
    pub fn target(&self) -> Option<&str> {
        match self {
            Item::Next { to, .. }
            | Item::ChoiceRule { to, .. }
            | Item::ChoiceDefault { to, .. }
            | Item::Catch { to, .. } => Some(to),
            Item::State(_) | Item::Retrier { .. } => None,
        }
    }

    /// How a report names it: `Call API`, `Call API → OK`, `Is it OK? → Yes (rule 1)`,
    /// `Call API → Retry later (Catch 1)`, `Call API: Retry 1` (rules, catchers and retriers
    /// counted from 1, as a reader counts them).
    pub fn label(&self) -> String {
        match self {
            Item::State(state) => state.clone(),
            Item::Next { from, to } => format!("{from} → {to}"),
            Item::ChoiceRule { from, index, to } => format!("{from} → {to} (rule {})", index + 1),
            Item::ChoiceDefault { from, to } => format!("{from} → {to} (Default)"),
            Item::Catch { from, index, to } => format!("{from} → {to} (Catch {})", index + 1),
            Item::Retrier { state, index } => format!("{state}: Retry {}", index + 1),
        }
    }

    fn to_json(&self, covered: bool) -> Value {
        let mut value = json!({
            "kind": match self {
                Item::State(_) => "state",
                Item::Next { .. } => "next",
                Item::ChoiceRule { .. } => "choiceRule",
                Item::ChoiceDefault { .. } => "choiceDefault",
                Item::Catch { .. } => "catch",
                Item::Retrier { .. } => "retrier",
            },
            "label": self.label(),
            "state": self.state(),
            "covered": covered,
        });
        if let Some(target) = self.target() {
            set_field(&mut value, "to", json!(target));
        }
        match self {
            Item::ChoiceRule { index, .. }
            | Item::Catch { index, .. }
            | Item::Retrier { index, .. } => set_field(&mut value, "index", json!(index)),
            _ => {}
        }
        value
    }
}

/// Sets a field of a JSON object (nothing on any other value).
pub(crate) fn set_field(value: &mut Value, key: &str, field: Value) {
    if let Value::Object(map) = value {
        map.insert(key.to_string(), field);
    }
}

/// Everything a state machine offers to cover, in definition order (nested machines after
/// their Parallel or Map state).
pub fn items_of(machine: &StateMachine) -> Vec<Item> {
    let mut items = Vec::new();
    collect(machine, &mut items);
    items
}

fn collect(machine: &StateMachine, items: &mut Vec<Item>) {
    for (name, state) in &machine.states {
        items.push(Item::State(name.clone()));
        if let Some(Transition::Next(to)) = &state.transition {
            items.push(Item::Next {
                from: name.clone(),
                to: to.clone(),
            });
        }
        let (retry, catch) = match &state.kind {
            StateKind::Choice(choice) => {
                for (index, branch) in choice.choices.iter().enumerate() {
                    items.push(Item::ChoiceRule {
                        from: name.clone(),
                        index,
                        to: branch.next.clone(),
                    });
                }
                if let Some(to) = &choice.default {
                    items.push(Item::ChoiceDefault {
                        from: name.clone(),
                        to: to.clone(),
                    });
                }
                (&[][..], &[][..])
            }
            StateKind::Task(task) => (&task.retry[..], &task.catch[..]),
            StateKind::Parallel(parallel) => (&parallel.retry[..], &parallel.catch[..]),
            StateKind::Map(map) => (&map.retry[..], &map.catch[..]),
            StateKind::Pass(_) | StateKind::Wait(_) | StateKind::Succeed | StateKind::Fail(_) => {
                (&[][..], &[][..])
            }
        };
        for index in 0..retry.len() {
            items.push(Item::Retrier {
                state: name.clone(),
                index,
            });
        }
        for (index, catcher) in catch.iter().enumerate() {
            items.push(Item::Catch {
                from: name.clone(),
                index,
                to: catcher.next.clone(),
            });
        }
        nested(state, items);
    }
}

fn nested(state: &State, items: &mut Vec<Item>) {
    match &state.kind {
        StateKind::Parallel(parallel) => {
            for branch in &parallel.branches {
                collect(branch, items);
            }
        }
        StateKind::Map(map) => collect(&map.item_processor, items),
        _ => {}
    }
}

/// What the visits of one run exercised, found in the machine's definition by name.
pub fn hits_of(machine: &StateMachine, traces: &[StateTrace]) -> BTreeSet<Item> {
    let mut states = std::collections::HashMap::new();
    index_states(machine, &mut states);
    let mut hits = BTreeSet::new();
    for trace in traces {
        let name = &trace.state_name;
        hits.insert(Item::State(name.clone()));
        let mut caught = false;
        for traced in &trace.errors {
            match &traced.handled_by {
                ErrorHandling::Retry { retrier_index, .. } => {
                    hits.insert(Item::Retrier {
                        state: name.clone(),
                        index: *retrier_index,
                    });
                }
                ErrorHandling::Catch {
                    catcher_index,
                    next,
                } => {
                    caught = true;
                    hits.insert(Item::Catch {
                        from: name.clone(),
                        index: *catcher_index,
                        to: next.clone(),
                    });
                }
                ErrorHandling::Unhandled => {}
            }
        }
        match &trace.choice {
            Some(ChoiceTaken::Rule { index, next }) => {
                hits.insert(Item::ChoiceRule {
                    from: name.clone(),
                    index: *index,
                    to: next.clone(),
                });
            }
            Some(ChoiceTaken::Default { next }) => {
                hits.insert(Item::ChoiceDefault {
                    from: name.clone(),
                    to: next.clone(),
                });
            }
            None => {}
        }
        // A visit that ended with an output and was not caught went on to its Next.
        if trace.output.is_some() && !caught {
            if let Some(Transition::Next(to)) = states.get(name.as_str()).copied() {
                hits.insert(Item::Next {
                    from: name.clone(),
                    to: to.clone(),
                });
            }
        }
    }
    hits
}

fn index_states<'a>(
    machine: &'a StateMachine,
    out: &mut std::collections::HashMap<&'a str, &'a Transition>,
) {
    for (name, state) in &machine.states {
        if let Some(transition) = &state.transition {
            out.insert(name.as_str(), transition);
        }
        match &state.kind {
            StateKind::Parallel(parallel) => {
                for branch in &parallel.branches {
                    index_states(branch, out);
                }
            }
            StateKind::Map(map) => index_states(&map.item_processor, out),
            _ => {}
        }
    }
}

/// A state machine's coverage over a suite: its items and which were hit.
#[derive(Debug, Clone, PartialEq)]
pub struct Coverage {
    /// How the report names the state machine (its file).
    pub label: String,
    pub items: Vec<Item>,
    pub hit: BTreeSet<Item>,
}

/// Covered and total of one kind (or of all).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Count {
    pub covered: usize,
    pub total: usize,
}

impl Count {
    /// The percentage covered; 100 when there is nothing to cover.
    pub fn percent(self) -> f64 {
        if self.total == 0 {
            100.0
        } else {
            // Counts of a definition's items are far below 2^52: exact as floats.
            #[allow(clippy::cast_precision_loss)]
            let percent = self.covered as f64 * 100.0 / self.total as f64;
            percent
        }
    }

    fn add(&mut self, other: Count) {
        self.covered += other.covered;
        self.total += other.total;
    }

    fn to_json(self) -> Value {
        json!({
            "covered": self.covered,
            "total": self.total,
            "percent": (self.percent() * 10.0).round() / 10.0,
        })
    }
}

impl Coverage {
    pub fn new(label: String, machine: &StateMachine) -> Self {
        Coverage {
            label,
            items: items_of(machine),
            hit: BTreeSet::new(),
        }
    }

    pub fn is_covered(&self, item: &Item) -> bool {
        self.hit.contains(item)
    }

    pub fn count(&self, kind: Option<Kind>) -> Count {
        let mut count = Count::default();
        for item in &self.items {
            if kind.is_none_or(|kind| item.kind() == kind) {
                count.total += 1;
                if self.is_covered(item) {
                    count.covered += 1;
                }
            }
        }
        count
    }

    pub fn missed(&self) -> impl Iterator<Item = &Item> {
        self.items.iter().filter(|item| !self.is_covered(item))
    }

    pub fn to_json(&self) -> Value {
        json!({
            "stateMachine": self.label,
            "states": self.count(Some(Kind::State)).to_json(),
            "transitions": self.count(Some(Kind::Transition)).to_json(),
            "retriers": self.count(Some(Kind::Retrier)).to_json(),
            "total": self.count(None).to_json(),
            "items": self.items.iter().map(|item| item.to_json(self.is_covered(item))).collect::<Vec<_>>(),
        })
    }
}

/// The coverage of every state machine a run of suites tested, and the total the
/// `--min-coverage` check reads.
pub fn total(coverages: &[Coverage]) -> Count {
    let mut count = Count::default();
    for coverage in coverages {
        count.add(coverage.count(None));
    }
    count
}

/// The JSON coverage report.
pub fn report_json(coverages: &[Coverage]) -> Value {
    json!({
        "total": total(coverages).to_json(),
        "stateMachines": coverages.iter().map(Coverage::to_json).collect::<Vec<_>>(),
    })
}

/// The coverage table: a line per state machine and kind, then what no case reached.
pub fn report_text(coverages: &[Coverage]) -> String {
    let mut out = String::new();
    out.push_str("Coverage\n");
    let width = coverages
        .iter()
        .map(|c| c.label.chars().count())
        .max()
        .unwrap_or(0)
        .max("state machine".len());
    out.push_str(&format!(
        "  {:width$}  {:>11}  {:>11}  {:>11}  {:>7}\n",
        "state machine", "states", "transitions", "retriers", "total"
    ));
    let cell = |count: Count| format!("{}/{}", count.covered, count.total);
    for coverage in coverages {
        out.push_str(&format!(
            "  {:width$}  {:>11}  {:>11}  {:>11}  {:>6.1}%\n",
            coverage.label,
            cell(coverage.count(Some(Kind::State))),
            cell(coverage.count(Some(Kind::Transition))),
            cell(coverage.count(Some(Kind::Retrier))),
            coverage.count(None).percent(),
        ));
    }
    for coverage in coverages {
        let missed: Vec<String> = coverage.missed().map(Item::label).collect();
        if !missed.is_empty() {
            out.push_str(&format!("  not reached in {}:\n", coverage.label));
            for label in missed {
                out.push_str(&format!("    {label}\n"));
            }
        }
    }
    out
}
