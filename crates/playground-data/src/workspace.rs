//! The workspace's state machines: the one in the definition editor and the others, each in
//! its own tab. A run runs the one shown; the others are there for it to start (a
//! `states:startExecution` Task naming one by its ARN runs it as a child execution).
//!
//! The shown machine's text is the definition editor's; the others are kept here with their
//! names, and `position` says where the shown one sits among the tabs, so switching tabs never
//! reorders them.

use serde::{Deserialize, Serialize};

/// The name of a workspace's first state machine (and the engine's default state machine name).
pub const DEFAULT_MACHINE_NAME: &str = "MyStateMachine";

/// A state machine of the workspace that is not in the editor.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NamedMachine {
    pub name: String,
    pub definition: String,
}

/// The tabs: the shown machine's name and place, and the others in tab order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tabs {
    pub shown: String,
    pub position: usize,
    pub others: Vec<NamedMachine>,
}

impl Tabs {
    /// Every tab's name in order.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.others.iter().map(|m| m.name.clone()).collect();
        let at = self.position.min(names.len());
        names.insert(at, self.shown.clone());
        names
    }

    /// Shows tab `index` instead of the shown one, whose text is `shown_text`: the text of the
    /// newly shown machine, or `None` when `index` is the shown tab or no tab.
    pub fn switch(&mut self, index: usize, shown_text: String) -> Option<String> {
        let at = self.position.min(self.others.len());
        if index == at || index > self.others.len() {
            return None;
        }
        let mut all = std::mem::take(&mut self.others);
        all.insert(
            at,
            NamedMachine {
                name: std::mem::take(&mut self.shown),
                definition: shown_text,
            },
        );
        let next = all.remove(index);
        self.others = all;
        self.shown = next.name;
        self.position = index;
        Some(next.definition)
    }

    /// Adds a machine after the last tab (and shows it): the text the editor gets.
    pub fn add(&mut self, name: String, definition: String, shown_text: String) -> String {
        self.others.push(NamedMachine {
            name,
            definition: definition.clone(),
        });
        let last = self.others.len();
        self.switch(last, shown_text);
        definition
    }

    /// Closes the shown tab: the neighbouring machine's text is shown instead (`None` when it is
    /// the only one, which cannot be closed).
    pub fn close_shown(&mut self) -> Option<String> {
        if self.others.is_empty() {
            return None;
        }
        let at = self.position.min(self.others.len());
        let next_index = at.min(self.others.len() - 1);
        let next = self.others.remove(next_index);
        self.shown = next.name;
        self.position = next_index;
        Some(next.definition)
    }

    /// A name not taken yet, from `base`: `base`, `base2`, `base3`...
    pub fn free_name(&self, base: &str) -> String {
        let names = self.names();
        if !names.iter().any(|n| n == base) {
            return base.to_owned();
        }
        (2..)
            .map(|n| format!("{base}{n}"))
            .find(|candidate| !names.contains(candidate))
            .unwrap_or_else(|| base.to_owned())
    }

    /// Why `name` cannot be the shown machine's new name, if it cannot: AWS's rules for a state
    /// machine's name (1 to 80 characters; no white space, brackets, wildcards, control
    /// characters or `" # % \ ^ | ~ ` $ & , ; : /`), and not another tab's.
    pub fn rename_problem(&self, name: &str) -> Option<String> {
        if let Some(problem) = name_problem(name) {
            return Some(problem);
        }
        self.others
            .iter()
            .any(|m| m.name == name)
            .then(|| format!("Another state machine is named {name}"))
    }
}

/// Why `name` is not a valid state machine name (AWS's CreateStateMachine rules), if it is not.
pub fn name_problem(name: &str) -> Option<String> {
    let length = name.chars().count();
    if length == 0 {
        return Some("A state machine needs a name".into());
    }
    if length > 80 {
        return Some(format!(
            "A state machine's name has at most 80 characters (this one {length})"
        ));
    }
    const FORBIDDEN: &str = "<>{}[]?*\"#%\\^|~`$&,;:/";
    name.chars()
        .find(|c| c.is_whitespace() || c.is_control() || FORBIDDEN.contains(*c))
        .map(|c| format!("A state machine's name cannot contain {c:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tabs() -> Tabs {
        Tabs {
            shown: "Parent".into(),
            position: 0,
            others: vec![NamedMachine {
                name: "Child".into(),
                definition: "child text".into(),
            }],
        }
    }

    #[test]
    fn switching_keeps_the_order_and_both_texts() {
        let mut t = tabs();
        assert_eq!(t.names(), ["Parent", "Child"]);
        assert_eq!(
            t.switch(1, "parent text".into()).as_deref(),
            Some("child text")
        );
        assert_eq!(t.names(), ["Parent", "Child"]);
        assert_eq!((t.shown.as_str(), t.position), ("Child", 1));
        assert_eq!(
            t.switch(0, "child edited".into()).as_deref(),
            Some("parent text")
        );
        assert_eq!(t.others[0].definition, "child edited");
        assert_eq!(t.switch(0, "x".into()), None, "the shown tab");
        assert_eq!(t.switch(5, "x".into()), None, "no such tab");
    }

    #[test]
    fn adding_and_closing() {
        let mut t = tabs();
        let name = t.free_name("Child");
        assert_eq!(name, "Child2");
        assert_eq!(t.add(name, "new".into(), "parent text".into()), "new");
        assert_eq!(t.names(), ["Parent", "Child", "Child2"]);
        assert_eq!(t.shown, "Child2");
        assert_eq!(t.close_shown().as_deref(), Some("child text"));
        assert_eq!(t.names(), ["Parent", "Child"]);
        assert_eq!(t.shown, "Child");
        assert_eq!(t.close_shown().as_deref(), Some("parent text"));
        assert_eq!(t.close_shown(), None, "the last machine stays");
    }

    #[test]
    fn names_follow_aws_rules() {
        let t = tabs();
        assert_eq!(t.rename_problem("Approval-Flow_2"), None);
        assert!(t.rename_problem("").is_some());
        assert!(t.rename_problem("has space").unwrap().contains("' '"));
        assert!(t.rename_problem("a:b").is_some());
        assert!(t.rename_problem(&"x".repeat(81)).unwrap().contains("80"));
        assert_eq!(
            t.rename_problem("Child").as_deref(),
            Some("Another state machine is named Child")
        );
    }
}
