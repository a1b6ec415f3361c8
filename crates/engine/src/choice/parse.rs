//! Reading Choice rules from a definition, with every problem as (JSON pointer, message).

use serde_json::Value;

use crate::definition::json::{Kind as JsonKind, Node};
use crate::jsonata::JsonataValue;
use crate::memo::CompileMemo;

use super::evaluate::timestamp;
use super::{ChoiceRule, Operand, OperandKind, Operator, MAX_RULE_DEPTH};

/// Fields a Choice rule may carry besides its operator.
const RULE_FIELDS: &[&str] = &[
    "Variable",
    "Next",
    "Comment",
    "Assign",
    "Output",
    "Condition",
    "And",
    "Or",
    "Not",
];

/// Parses a rule at JSON pointer `pointer`. `top_level` rules carry `Next`; nested ones must
/// not. Returns every problem as (JSON pointer, message).
pub fn parse_rule<J: RuleJson>(
    value: &J,
    pointer: &str,
    top_level: bool,
) -> Result<ChoiceRule, Vec<(String, String)>> {
    parse_rule_in(value, pointer, top_level, &mut CompileMemo::default())
}

/// [`parse_rule`], compiling the paths through `memo`.
pub fn parse_rule_in<J: RuleJson>(
    value: &J,
    pointer: &str,
    top_level: bool,
    memo: &mut CompileMemo,
) -> Result<ChoiceRule, Vec<(String, String)>> {
    let mut problems = Vec::new();
    let rule = parse_into(value, pointer, top_level, 0, &mut problems, memo);
    match rule {
        Some(rule) if problems.is_empty() => Ok(rule),
        _ => {
            if problems.is_empty() {
                // Defensive: a failed parse always records why.
                problems.push((pointer.to_string(), "Invalid Choice rule".to_string()));
            }
            Err(problems)
        }
    }
}

/// Escapes a key for a JSON pointer (RFC 6901).
fn pointer_key(pointer: &str, key: &str) -> String {
    crate::definition::json::child_pointer(pointer, key)
}

use crate::definition::json::described_type as type_name;

/// JSON a Choice rule is read from: a `serde_json::Value`, or the definition reader's tree
/// (read directly, without first building a Value of each rule).
pub trait RuleJson {
    /// An object's fields in order, each key once with its last value (as serde_json keeps
    /// them); `None` if not an object.
    fn fields(&self) -> Option<Vec<(&str, &Self)>>;
    fn field(&self, key: &str) -> Option<&Self>;
    fn items(&self) -> Option<&[Self]>
    where
        Self: Sized;
    fn as_text(&self) -> Option<&str>;
    fn is_number(&self) -> bool;
    fn is_boolean(&self) -> bool;
    fn to_json(&self) -> Value;
    /// "a string", "an object", ... as the messages say.
    fn type_name(&self) -> &'static str;
}

impl RuleJson for Value {
    fn fields(&self) -> Option<Vec<(&str, &Self)>> {
        self.as_object()
            .map(|object| object.iter().map(|(k, v)| (k.as_str(), v)).collect())
    }
    fn field(&self, key: &str) -> Option<&Self> {
        self.get(key)
    }
    fn items(&self) -> Option<&[Self]> {
        self.as_array().map(Vec::as_slice)
    }
    fn as_text(&self) -> Option<&str> {
        self.as_str()
    }
    fn is_number(&self) -> bool {
        Value::is_number(self)
    }
    fn is_boolean(&self) -> bool {
        Value::is_boolean(self)
    }
    fn to_json(&self) -> Value {
        self.clone()
    }
    fn type_name(&self) -> &'static str {
        type_name(self)
    }
}

impl RuleJson for Node<'_> {
    fn fields(&self) -> Option<Vec<(&str, &Self)>> {
        let JsonKind::Object(members) = &self.kind else {
            return None;
        };
        // A repeated key keeps its first place and its last value, as in a serde_json Map.
        let mut fields: Vec<(&str, &Self)> = Vec::with_capacity(members.len());
        for member in members.iter() {
            match fields.iter_mut().find(|(key, _)| *key == member.key) {
                Some(field) => field.1 = &member.value,
                None => fields.push((member.key, &member.value)),
            }
        }
        Some(fields)
    }
    fn field(&self, key: &str) -> Option<&Self> {
        self.get(key).map(|member| &member.value)
    }
    fn items(&self) -> Option<&[Self]> {
        match &self.kind {
            JsonKind::Array(items) => Some(items),
            _ => None,
        }
    }
    fn as_text(&self) -> Option<&str> {
        self.as_str()
    }
    fn is_number(&self) -> bool {
        matches!(self.kind, JsonKind::Number(_))
    }
    fn is_boolean(&self) -> bool {
        matches!(self.kind, JsonKind::Bool(_))
    }
    fn to_json(&self) -> Value {
        self.to_value()
    }
    fn type_name(&self) -> &'static str {
        match self.kind {
            JsonKind::Null => "null",
            JsonKind::Bool(_) => "a boolean",
            JsonKind::Number(_) => "a number",
            JsonKind::String(_) => "a string",
            JsonKind::Array(_) => "an array",
            JsonKind::Object(_) => "an object",
        }
    }
}

/// The rule's "kind" fields: operators, And, Or, Not, Condition, in the order written.
enum Kind<'a, J> {
    Comparison(&'a str, Operator, bool, &'a J),
    And(&'a J),
    Or(&'a J),
    Not(&'a J),
    Condition(&'a J),
}
fn parse_into<J: RuleJson>(
    value: &J,
    pointer: &str,
    top_level: bool,
    depth: usize,
    problems: &mut Vec<(String, String)>,
    memo: &mut CompileMemo,
) -> Option<ChoiceRule> {
    if depth > MAX_RULE_DEPTH {
        problems.push((
            pointer.to_string(),
            format!("Choice rules nested more than {MAX_RULE_DEPTH} levels deep are not supported"),
        ));
        return None;
    }
    let Some(fields) = value.fields() else {
        problems.push((
            pointer.to_string(),
            format!("A Choice rule must be an object, not {}", value.type_name()),
        ));
        return None;
    };
    let start = problems.len();
    let mut kinds = Vec::new();
    for (key, field) in fields {
        match key {
            "And" => kinds.push(Kind::And(field)),
            "Or" => kinds.push(Kind::Or(field)),
            "Not" => kinds.push(Kind::Not(field)),
            "Condition" => kinds.push(Kind::Condition(field)),
            other if RULE_FIELDS.contains(&other) => {}
            other => match Operator::from_field(other) {
                Some((op, is_path)) => kinds.push(Kind::Comparison(key, op, is_path, field)),
                None => problems.push((
                    pointer_key(pointer, key),
                    format!("'{other}' is not a field of a Choice rule nor a comparison operator"),
                )),
            },
        }
    }
    check_common_fields(value, pointer, top_level, problems);

    let kind = match kinds.len() {
        0 => {
            problems.push((
                pointer.to_string(),
                "A Choice rule needs a comparison operator (such as StringEquals or IsPresent), \
                 or And, Or, Not"
                    .to_string(),
            ));
            None
        }
        1 => kinds.pop(),
        _ => {
            let names: Vec<&str> = kinds
                .iter()
                .map(|k| match k {
                    Kind::Comparison(name, ..) => name,
                    Kind::And(_) => "And",
                    Kind::Or(_) => "Or",
                    Kind::Not(_) => "Not",
                    Kind::Condition(_) => "Condition",
                })
                .collect();
            problems.push((
                pointer.to_string(),
                format!(
                    "A Choice rule takes exactly one comparison operator or And, Or, Not; found {}",
                    names.join(", ")
                ),
            ));
            None
        }
    };
    let variable = value.field("Variable");
    let rule = match kind? {
        Kind::Comparison(name, operator, is_path, operand) => {
            let variable = match variable {
                None => {
                    problems.push((
                        pointer.to_string(),
                        format!("The comparison {name} needs a 'Variable' field"),
                    ));
                    None
                }
                Some(field) => match field.as_text() {
                    Some(path) => match memo.reference_path(path) {
                        Ok(path) => Some(path),
                        Err(message) => {
                            problems.push((pointer_key(pointer, "Variable"), message));
                            None
                        }
                    },
                    None => {
                        problems.push((
                            pointer_key(pointer, "Variable"),
                            format!(
                                "Variable must be a string holding a reference path, not {}",
                                field.type_name()
                            ),
                        ));
                        None
                    }
                },
            };
            let operand = parse_operand(name, operator, is_path, operand, pointer, problems, memo);
            ChoiceRule::Comparison {
                variable: variable?,
                operator,
                operand: operand?,
            }
        }
        Kind::And(list) => {
            reject_variable(variable, "And", pointer, problems);
            ChoiceRule::And(parse_list("And", list, pointer, depth, problems, memo)?)
        }
        Kind::Or(list) => {
            reject_variable(variable, "Or", pointer, problems);
            ChoiceRule::Or(parse_list("Or", list, pointer, depth, problems, memo)?)
        }
        Kind::Not(inner) => {
            reject_variable(variable, "Not", pointer, problems);
            let inner = parse_into(
                inner,
                &pointer_key(pointer, "Not"),
                false,
                depth.saturating_add(1),
                problems,
                memo,
            )?;
            ChoiceRule::Not(Box::new(inner))
        }
        Kind::Condition(condition) => {
            reject_variable(variable, "Condition", pointer, problems);
            if !top_level {
                problems.push((
                    pointer_key(pointer, "Condition"),
                    "Condition is only allowed in a top-level Choice rule".to_string(),
                ));
            }
            ChoiceRule::Condition(JsonataValue::new(condition.to_json()))
        }
    };
    (problems.len() == start).then_some(rule)
}

/// The rules of an And or Or: a non-empty array of nested rules.
fn parse_list<J: RuleJson>(
    name: &str,
    list: &J,
    pointer: &str,
    depth: usize,
    problems: &mut Vec<(String, String)>,
    memo: &mut CompileMemo,
) -> Option<Vec<ChoiceRule>> {
    let field_pointer = pointer_key(pointer, name);
    match list.items() {
        Some([]) => {
            problems.push((
                field_pointer,
                format!("{name} needs a non-empty array of Choice rules"),
            ));
            None
        }
        Some(items) => {
            let mut rules = Vec::with_capacity(items.len());
            for (index, item) in items.iter().enumerate() {
                let item_pointer = pointer_key(&field_pointer, &index.to_string());
                if let Some(rule) = parse_into(
                    item,
                    &item_pointer,
                    false,
                    depth.saturating_add(1),
                    problems,
                    memo,
                ) {
                    rules.push(rule);
                }
            }
            (rules.len() == items.len()).then_some(rules)
        }
        None => {
            problems.push((
                field_pointer,
                format!(
                    "{name} needs a non-empty array of Choice rules, not {}",
                    list.type_name()
                ),
            ));
            None
        }
    }
}

/// Next, Comment, Assign and Output: where they may appear and what they hold.
fn check_common_fields<J: RuleJson>(
    object: &J,
    pointer: &str,
    top_level: bool,
    problems: &mut Vec<(String, String)>,
) {
    match (object.field("Next"), top_level) {
        (None, true) => problems.push((
            pointer.to_string(),
            "A top-level Choice rule needs a 'Next' field".to_string(),
        )),
        (Some(next), true) if next.as_text().is_some() => {}
        (Some(other), true) => problems.push((
            pointer_key(pointer, "Next"),
            format!(
                "Next must be a state name (a string), not {}",
                other.type_name()
            ),
        )),
        (Some(_), false) => problems.push((
            pointer_key(pointer, "Next"),
            "Next is only allowed in a top-level Choice rule, not inside And, Or or Not"
                .to_string(),
        )),
        (None, false) => {}
    }
    if let Some(comment) = object.field("Comment") {
        if comment.as_text().is_none() {
            problems.push((
                pointer_key(pointer, "Comment"),
                format!("Comment must be a string, not {}", comment.type_name()),
            ));
        }
    }
    for field in ["Assign", "Output"] {
        if object.field(field).is_some() && !top_level {
            problems.push((
                pointer_key(pointer, field),
                format!("{field} is only allowed in a top-level Choice rule"),
            ));
        }
    }
}

fn reject_variable<J>(
    variable: Option<&J>,
    kind: &str,
    pointer: &str,
    problems: &mut Vec<(String, String)>,
) {
    if variable.is_some() {
        problems.push((
            pointer_key(pointer, "Variable"),
            format!("Variable is not allowed in a rule with {kind}"),
        ));
    }
}

fn parse_operand<J: RuleJson>(
    field: &str,
    operator: Operator,
    is_path: bool,
    value: &J,
    pointer: &str,
    problems: &mut Vec<(String, String)>,
    memo: &mut CompileMemo,
) -> Option<Operand> {
    // Only a problem needs the pointer.
    let field_pointer = || pointer_key(pointer, field);
    if is_path {
        return match value.as_text() {
            Some(path) => match memo.reference_path(path) {
                Ok(path) => Some(Operand::Path(path)),
                Err(message) => {
                    problems.push((field_pointer(), message));
                    None
                }
            },
            None => {
                problems.push((
                    field_pointer(),
                    format!(
                        "{field} must be a string holding a reference path, not {}",
                        value.type_name()
                    ),
                ));
                None
            }
        };
    }
    let kind = operator.operand_kind();
    let ok = match kind {
        OperandKind::String => value.as_text().is_some(),
        OperandKind::Number => value.is_number(),
        OperandKind::Boolean => value.is_boolean(),
        OperandKind::Timestamp => value.as_text().is_some_and(|t| timestamp(t).is_some()),
    };
    if ok {
        return Some(Operand::Literal(value.to_json()));
    }
    let got = match value.as_text() {
        Some(text) => format!("\"{text}\""),
        None => value.type_name().to_string(),
    };
    problems.push((
        field_pointer(),
        format!("{field} must be {}, not {got}", kind.describe()),
    ));
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_is_capped() {
        let mut rule = serde_json::json!({"Variable": "$.a", "IsNull": true});
        for _ in 0..=MAX_RULE_DEPTH {
            rule = serde_json::json!({ "Not": rule });
        }
        let problems = parse_rule(&rule, "", false).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert!(problems[0].1.contains("nested more than"), "{problems:?}");
        // One level less is fine.
        let inner = rule["Not"].clone();
        assert!(parse_rule(&inner, "", false).is_ok());
    }
}
