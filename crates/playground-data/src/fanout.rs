//! Where a state visit ran among Parallel branches and Map iterations, for the inspector's
//! iteration picker and the graph's view of one iteration.
//!
//! The worker sends each visit ([`TraceView`]) with the branch or iteration it ran in, and
//! each branch or iteration ([`ChildView`]) with the visit of the Parallel or Map state that
//! started it; the nesting is found by following those links up.

use std::collections::HashSet;

use crate::protocol::{ChildView, TraceView};

/// The branches and iterations of a run, with the visits that ran in them.
pub struct Fanouts<'a> {
    traces: &'a [TraceView],
    children: &'a [ChildView],
}

/// One level of a visit's place: the Parallel or Map state's visit, and the branch or
/// iteration in it.
#[derive(Debug, Clone, PartialEq)]
pub struct Level<'a> {
    pub parent: &'a TraceView,
    pub child: &'a ChildView,
}

/// A chain of links deeper than this is broken (a cycle): nesting in real state machines is
/// a handful of levels.
const MAX_DEPTH: usize = 256;

impl<'a> Fanouts<'a> {
    /// `traces` and `children` are indexed by [`TraceView::index`] and [`ChildView::id`].
    pub fn new(traces: &'a [TraceView], children: &'a [ChildView]) -> Self {
        Fanouts { traces, children }
    }

    pub fn child(&self, id: u32) -> Option<&'a ChildView> {
        self.children.get(id as usize)
    }

    /// The branches or iterations the visit `parent_trace` started, by index.
    pub fn children_of(&self, parent_trace: u32) -> Vec<&'a ChildView> {
        let mut out: Vec<&ChildView> = self
            .children
            .iter()
            .filter(|c| c.parent_trace == parent_trace)
            .collect();
        out.sort_by_key(|c| c.index);
        out
    }

    /// Where the visit `trace` ran, outermost first; empty at the top level.
    pub fn place(&self, trace: &TraceView) -> Vec<Level<'a>> {
        let mut levels = Vec::new();
        let mut next = trace.child;
        while let Some(child) = next.and_then(|id| self.child(id)) {
            let Some(parent) = self.traces.get(child.parent_trace as usize) else {
                break;
            };
            levels.push(Level { parent, child });
            if levels.len() > MAX_DEPTH {
                break;
            }
            next = parent.child;
        }
        levels.reverse();
        levels
    }

    /// Whether the visit `trace` ran inside the branch or iteration `child`, at any depth.
    pub fn is_within(&self, trace: &TraceView, child: u32) -> bool {
        let mut next = trace.child;
        for _ in 0..MAX_DEPTH {
            let Some(id) = next else { return false };
            if id == child {
                return true;
            }
            next = self
                .child(id)
                .and_then(|c| self.traces.get(c.parent_trace as usize))
                .and_then(|parent| parent.child);
        }
        false
    }

    /// The visits that ran inside the branch or iteration `child`, at any depth.
    pub fn visits_within(&self, child: u32) -> HashSet<u32> {
        self.traces
            .iter()
            .filter(|t| self.is_within(t, child))
            .map(|t| t.index)
            .collect()
    }

    /// The visits a view of the one branch or iteration `focus` leaves out: those of its
    /// siblings (the other branches or iterations of the same state visit), at any depth.
    /// One walk up from each visit: a Map of 10,000 iterations costs no more than its visits.
    pub fn hidden_by_focus(&self, focus: u32) -> HashSet<u32> {
        let Some(focused) = self.child(focus) else {
            return HashSet::new();
        };
        self.traces
            .iter()
            .filter(|t| {
                let mut next = t.child;
                for _ in 0..MAX_DEPTH {
                    let Some(child) = next.and_then(|id| self.child(id)) else {
                        return false;
                    };
                    if child.parent_trace == focused.parent_trace {
                        return child.id != focus;
                    }
                    next = self
                        .traces
                        .get(child.parent_trace as usize)
                        .and_then(|parent| parent.child);
                }
                false
            })
            .map(|t| t.index)
            .collect()
    }
}

/// Counts of children by status, as "2 succeeded, 1 failed" (in a fixed order).
pub fn status_counts(children: &[&ChildView]) -> String {
    const ORDER: [(&str, &str); 4] = [
        ("RUNNING", "running"),
        ("SUCCEEDED", "succeeded"),
        ("FAILED", "failed"),
        ("ABORTED", "aborted"),
    ];
    ORDER
        .iter()
        .filter_map(|(status, word)| {
            let n = children.iter().filter(|c| c.status == *status).count();
            (n > 0).then(|| format!("{n} {word}"))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::ChildKind;

    fn trace(index: u32, name: &str, child: Option<u32>) -> TraceView {
        TraceView {
            index,
            state_name: name.into(),
            child,
            ..TraceView::default()
        }
    }

    fn child(id: u32, parent_trace: u32, index: u32, status: &str) -> ChildView {
        ChildView {
            id,
            parent_trace,
            index,
            kind: ChildKind::Iteration,
            status: status.into(),
            ..ChildView::default()
        }
    }

    /// A Parallel `P` (visit 0) with branch 0 (child 0) running a Map `M` (visit 1) whose two
    /// iterations (children 1, 2) each visit `Work`; branch 1 (child 3) visits `Other`.
    fn run() -> (Vec<TraceView>, Vec<ChildView>) {
        let traces = vec![
            trace(0, "P", None),
            trace(1, "M", Some(0)),
            trace(2, "Work", Some(1)),
            trace(3, "Other", Some(3)),
            trace(4, "Work", Some(2)),
        ];
        let children = vec![
            child(0, 0, 0, "RUNNING"),
            child(1, 1, 0, "SUCCEEDED"),
            child(2, 1, 1, "FAILED"),
            child(3, 0, 1, "RUNNING"),
        ];
        (traces, children)
    }

    #[test]
    fn a_visit_knows_its_place() {
        let (traces, children) = run();
        let fanouts = Fanouts::new(&traces, &children);
        let place: Vec<(&str, u32)> = fanouts
            .place(&traces[4])
            .iter()
            .map(|l| (l.parent.state_name.as_str(), l.child.index))
            .collect();
        assert_eq!(place, [("P", 0), ("M", 1)]);
        assert!(fanouts.place(&traces[0]).is_empty());
        assert!(fanouts.is_within(&traces[4], 0));
        assert!(!fanouts.is_within(&traces[3], 0));
    }

    #[test]
    fn focus_hides_the_siblings_visits() {
        let (traces, children) = run();
        let fanouts = Fanouts::new(&traces, &children);
        assert_eq!(fanouts.hidden_by_focus(2), HashSet::from([2]));
        assert_eq!(fanouts.hidden_by_focus(3), HashSet::from([1, 2, 4]));
        assert_eq!(fanouts.visits_within(0), HashSet::from([1, 2, 4]));
        let ids: Vec<u32> = fanouts.children_of(1).iter().map(|c| c.id).collect();
        assert_eq!(ids, [1, 2]);
    }

    #[test]
    fn counts_by_status() {
        let (_, children) = run();
        let all: Vec<&ChildView> = children.iter().collect();
        assert_eq!(status_counts(&all), "2 running, 1 succeeded, 1 failed");
        assert_eq!(status_counts(&[]), "");
    }

    #[test]
    fn a_cycle_of_links_ends() {
        let traces = vec![trace(0, "M", Some(0))];
        let children = vec![child(0, 0, 0, "RUNNING")];
        let fanouts = Fanouts::new(&traces, &children);
        assert!(fanouts.place(&traces[0]).len() <= MAX_DEPTH + 1);
        assert!(fanouts.is_within(&traces[0], 0));
    }
}
