//! Choice states: their `Choices` (JSONPath rules or JSONata conditions) and `Default`.

use super::{field, language_hint, Builder};
use crate::choice::{parse_rule_in, ChoiceRule};
use crate::definition::json::{child_pointer, Kind, Node};
use crate::definition::model::{ChoiceBranch, ChoiceState, QueryLanguage, StateKind};
use crate::definition::validate::StateInfo;
use crate::jsonata::{self, JsonataValue};

impl<'r> Builder<'r> {
    pub(super) fn choice(
        &mut self,
        node: &Node,
        ptr: &str,
        info: &mut StateInfo,
    ) -> Option<StateKind> {
        let mut ok = true;
        let default = self.target(node, ptr, "Default", false).map(|(name, t)| {
            info.targets.push(t);
            name
        });
        ok &= node.get("Default").is_none() || default.is_some();
        let mut choices = Vec::new();
        match field(node, ptr, "Choices") {
            None => {
                self.required(node, ptr, "Choices");
                ok = false;
            }
            Some(f) => match &f.node.kind {
                Kind::Array(items) => {
                    if items.is_empty() {
                        self.schema(f.pos(), f.ptr(), "'Choices' must contain at least one rule");
                        ok = false;
                    }
                    for (i, item) in items.iter().enumerate() {
                        let item_ptr = child_pointer(f.ptr(), &i.to_string());
                        match self.choice_branch(item, &item_ptr, info) {
                            Some(b) => choices.push(b),
                            None => ok = false,
                        }
                    }
                }
                _ => {
                    self.wrong_type(&f, "Array");
                    ok = false;
                }
            },
        }
        ok.then_some(StateKind::Choice(ChoiceState { choices, default }))
    }

    fn choice_branch(
        &mut self,
        node: &Node,
        ptr: &str,
        info: &mut StateInfo,
    ) -> Option<ChoiceBranch> {
        if !self.object_node(node, ptr, "an item of 'Choices'") {
            return None;
        }
        // A missing `Next` is the rule parser's to report.
        let next = self.target(node, ptr, "Next", false).map(|(name, t)| {
            info.targets.push(t);
            name
        });
        let mut ok = true;
        let assign = self.assign(node, ptr, &mut ok);
        let output = self.output(node, ptr, &mut ok);
        let rule = match self.ql {
            QueryLanguage::Jsonata => self.condition_rule(node, ptr),
            QueryLanguage::JsonPath => {
                // JSONata's fields in a JSONPath rule: say which language they need rather
                // than let the rule parser call the rule malformed.
                let mut foreign = false;
                for m in node.members() {
                    if matches!(m.key, "Condition" | "Output") {
                        foreign = true;
                        self.schema(
                            m.key_pos,
                            &child_pointer(ptr, m.key),
                            format!(
                                "Field '{}' is not supported when QueryLanguage is 'JSONPath'{}",
                                m.key,
                                language_hint(m.key, QueryLanguage::JsonPath)
                            ),
                        );
                    }
                }
                if foreign {
                    return None;
                }
                match parse_rule_in(node, ptr, true, &mut self.memo) {
                    Ok(rule) => Some(rule),
                    Err(problems) => {
                        self.absolute_problems(problems);
                        None
                    }
                }
            }
        };
        if !ok {
            return None;
        }
        Some(ChoiceBranch {
            rule: rule?,
            next: next?,
            assign,
            output,
        })
    }

    /// A JSONata Choice rule: `Condition` (a boolean or a `{% ... %}` expression), `Next`,
    /// and optionally `Comment`, `Assign` and `Output`; none of JSONPath's operators.
    fn condition_rule(&mut self, node: &Node, ptr: &str) -> Option<ChoiceRule> {
        let mut ok = true;
        for m in node.members() {
            let key = m.key;
            if matches!(key, "Condition" | "Next" | "Comment" | "Assign" | "Output") {
                continue;
            }
            self.schema(
                m.key_pos,
                &child_pointer(ptr, key),
                format!(
                    "Field '{key}' is not supported in a Choice rule when QueryLanguage is 'JSONata' (use Condition)"
                ),
            );
            ok = false;
        }
        if node.get("Next").is_none() {
            self.required(node, ptr, "Next");
            ok = false;
        }
        self.opt_string(node, ptr, "Comment");
        let Some(f) = field(node, ptr, "Condition") else {
            self.required(node, ptr, "Condition");
            return None;
        };
        let is_expr = f.node.as_str().is_some_and(jsonata::is_expression);
        if !(is_expr || matches!(f.node.kind, Kind::Bool(_))) {
            self.wrong_type(&f, "Boolean or a JSONata expression string '{% ... %}'");
            return None;
        }
        ok &= self.jsonata_expressions(f.node, f.ptr());
        ok.then(|| ChoiceRule::Condition(JsonataValue::new_in(f.node.to_value(), &mut self.memo)))
    }
}
