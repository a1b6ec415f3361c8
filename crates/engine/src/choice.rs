//! Choice rules: parsing them from a definition and evaluating them against a state's input.
//!
//! Semantics follow AWS Step Functions as the conformance corpus records it:
//! - a comparison whose variable (or `...Path` operand) has the wrong type is simply false;
//! - a variable that does not exist makes `IsPresent` false, and every other operator fail the
//!   execution with `States.Runtime`;
//! - numbers compare by value (`1` equals `1.0`), strings by UTF-16 code units (Java's order),
//!   timestamps as instants.

use std::cmp::Ordering;

use chrono::{DateTime, FixedOffset};
use serde_json::{Number, Value};

use crate::definition::json::{Kind as JsonKind, Node};
use crate::error::StatesError;
use crate::paths::PathError;
use crate::time::parse_aws_timestamp;

/// A Choice rule: a comparison of a variable with a value or another path, or And/Or/Not.
#[derive(Debug, Clone, PartialEq)]
pub enum ChoiceRule {
    /// `{"Variable": "$.x", "<Operator>": value}` or `{"Variable": "$.x", "<Operator>Path": "$.y"}`.
    Comparison {
        variable: String,
        operator: Operator,
        operand: Operand,
    },
    /// `{"And": [rule, ...]}`: true when every rule is (non-empty).
    And(Vec<ChoiceRule>),
    /// `{"Or": [rule, ...]}`: true when some rule is (non-empty).
    Or(Vec<ChoiceRule>),
    /// `{"Not": rule}`.
    Not(Box<ChoiceRule>),
    /// A JSONata rule's `Condition` (top level only), kept as written. Only a literal boolean
    /// can be evaluated until JSONata is supported.
    Condition(Value),
}

/// What a comparison compares its variable with.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// The operator's value as written, e.g. `"NumericEquals": 3`.
    Literal(Value),
    /// The `...Path` form: a reference path read from the input or the context.
    Path(String),
}

/// The kind of value an operator's literal operand must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperandKind {
    String,
    Number,
    Boolean,
    Timestamp,
}

impl OperandKind {
    fn describe(self) -> &'static str {
        match self {
            OperandKind::String => "a string",
            OperandKind::Number => "a number",
            OperandKind::Boolean => "a boolean",
            OperandKind::Timestamp => {
                "an ISO-8601 timestamp string such as \"2016-03-14T01:59:00Z\""
            }
        }
    }
}

/// Every comparison operator of the JSONPath Choice rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    StringEquals,
    StringLessThan,
    StringGreaterThan,
    StringLessThanEquals,
    StringGreaterThanEquals,
    StringMatches,
    NumericEquals,
    NumericLessThan,
    NumericGreaterThan,
    NumericLessThanEquals,
    NumericGreaterThanEquals,
    BooleanEquals,
    TimestampEquals,
    TimestampLessThan,
    TimestampGreaterThan,
    TimestampLessThanEquals,
    TimestampGreaterThanEquals,
    IsNull,
    IsPresent,
    IsNumeric,
    IsString,
    IsBoolean,
    IsTimestamp,
}

impl Operator {
    pub const ALL: [Operator; 23] = [
        Operator::StringEquals,
        Operator::StringLessThan,
        Operator::StringGreaterThan,
        Operator::StringLessThanEquals,
        Operator::StringGreaterThanEquals,
        Operator::StringMatches,
        Operator::NumericEquals,
        Operator::NumericLessThan,
        Operator::NumericGreaterThan,
        Operator::NumericLessThanEquals,
        Operator::NumericGreaterThanEquals,
        Operator::BooleanEquals,
        Operator::TimestampEquals,
        Operator::TimestampLessThan,
        Operator::TimestampGreaterThan,
        Operator::TimestampLessThanEquals,
        Operator::TimestampGreaterThanEquals,
        Operator::IsNull,
        Operator::IsPresent,
        Operator::IsNumeric,
        Operator::IsString,
        Operator::IsBoolean,
        Operator::IsTimestamp,
    ];

    /// The field name, e.g. `NumericLessThan`.
    pub fn name(self) -> &'static str {
        match self {
            Operator::StringEquals => "StringEquals",
            Operator::StringLessThan => "StringLessThan",
            Operator::StringGreaterThan => "StringGreaterThan",
            Operator::StringLessThanEquals => "StringLessThanEquals",
            Operator::StringGreaterThanEquals => "StringGreaterThanEquals",
            Operator::StringMatches => "StringMatches",
            Operator::NumericEquals => "NumericEquals",
            Operator::NumericLessThan => "NumericLessThan",
            Operator::NumericGreaterThan => "NumericGreaterThan",
            Operator::NumericLessThanEquals => "NumericLessThanEquals",
            Operator::NumericGreaterThanEquals => "NumericGreaterThanEquals",
            Operator::BooleanEquals => "BooleanEquals",
            Operator::TimestampEquals => "TimestampEquals",
            Operator::TimestampLessThan => "TimestampLessThan",
            Operator::TimestampGreaterThan => "TimestampGreaterThan",
            Operator::TimestampLessThanEquals => "TimestampLessThanEquals",
            Operator::TimestampGreaterThanEquals => "TimestampGreaterThanEquals",
            Operator::IsNull => "IsNull",
            Operator::IsPresent => "IsPresent",
            Operator::IsNumeric => "IsNumeric",
            Operator::IsString => "IsString",
            Operator::IsBoolean => "IsBoolean",
            Operator::IsTimestamp => "IsTimestamp",
        }
    }

    /// Whether the operator has a `...Path` form. StringMatches and the type tests do not.
    pub fn has_path_form(self) -> bool {
        !matches!(
            self,
            Operator::StringMatches
                | Operator::IsNull
                | Operator::IsPresent
                | Operator::IsNumeric
                | Operator::IsString
                | Operator::IsBoolean
                | Operator::IsTimestamp
        )
    }

    /// The kind of value the literal operand must be.
    pub fn operand_kind(self) -> OperandKind {
        use Operator::*;
        match self {
            StringEquals
            | StringLessThan
            | StringGreaterThan
            | StringLessThanEquals
            | StringGreaterThanEquals
            | StringMatches => OperandKind::String,
            NumericEquals
            | NumericLessThan
            | NumericGreaterThan
            | NumericLessThanEquals
            | NumericGreaterThanEquals => OperandKind::Number,
            TimestampEquals
            | TimestampLessThan
            | TimestampGreaterThan
            | TimestampLessThanEquals
            | TimestampGreaterThanEquals => OperandKind::Timestamp,
            BooleanEquals | IsNull | IsPresent | IsNumeric | IsString | IsBoolean | IsTimestamp => {
                OperandKind::Boolean
            }
        }
    }

    /// Finds the operator a field names: `(operator, is_path_form)`.
    pub fn from_field(field: &str) -> Option<(Operator, bool)> {
        if let Some(op) = Operator::ALL.iter().find(|op| op.name() == field) {
            return Some((*op, false));
        }
        let base = field.strip_suffix("Path")?;
        Operator::ALL
            .iter()
            .find(|op| op.has_path_form() && op.name() == base)
            .map(|op| (*op, true))
    }
}

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
    let mut problems = Vec::new();
    let rule = parse_into(value, pointer, top_level, 0, &mut problems);
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

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

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

/// How deep And, Or and Not may nest. Parsing, evaluating and dropping a rule recurse, so a
/// cap keeps a hostile rule from overflowing the stack; real rules stay far below it.
pub const MAX_RULE_DEPTH: usize = 100;

fn parse_into<J: RuleJson>(
    value: &J,
    pointer: &str,
    top_level: bool,
    depth: usize,
    problems: &mut Vec<(String, String)>,
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
                    Some(path) => {
                        if let Err(message) = crate::paths::check_reference_path(path) {
                            problems.push((pointer_key(pointer, "Variable"), message));
                        }
                        Some(path.to_string())
                    }
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
            let operand = parse_operand(name, operator, is_path, operand, pointer, problems);
            ChoiceRule::Comparison {
                variable: variable?,
                operator,
                operand: operand?,
            }
        }
        Kind::And(list) => {
            reject_variable(variable, "And", pointer, problems);
            ChoiceRule::And(parse_list("And", list, pointer, depth, problems)?)
        }
        Kind::Or(list) => {
            reject_variable(variable, "Or", pointer, problems);
            ChoiceRule::Or(parse_list("Or", list, pointer, depth, problems)?)
        }
        Kind::Not(inner) => {
            reject_variable(variable, "Not", pointer, problems);
            let inner = parse_into(
                inner,
                &pointer_key(pointer, "Not"),
                false,
                depth.saturating_add(1),
                problems,
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
            ChoiceRule::Condition(condition.to_json())
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
) -> Option<Operand> {
    // Only a problem needs the pointer.
    let field_pointer = || pointer_key(pointer, field);
    if is_path {
        return match value.as_text() {
            Some(path) => {
                if let Err(message) = crate::paths::check_reference_path(path) {
                    problems.push((field_pointer(), message));
                    return None;
                }
                Some(Operand::Path(path.to_string()))
            }
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

/// Evaluates `rule` against the state's effective input (`$`) and context (`$$`).
pub fn evaluate(rule: &ChoiceRule, input: &Value, context: &Value) -> Result<bool, StatesError> {
    evaluate_with(rule, &|path: &str| {
        crate::paths::query(path, input, context)
    })
}

/// Evaluates `rule`, reading every path (Variable and `...Path` operands) with `query`. This is
/// what [`evaluate`] does with [`crate::paths::query`]; a caller that resolves more than `$` and
/// `$$` (workflow variables such as `$guess`) passes its own resolver. `query` fails when the
/// path matches nothing.
pub fn evaluate_with(
    rule: &ChoiceRule,
    query: &dyn Fn(&str) -> Result<Value, PathError>,
) -> Result<bool, StatesError> {
    match rule {
        ChoiceRule::And(rules) => {
            for rule in rules {
                if !evaluate_with(rule, query)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        ChoiceRule::Or(rules) => {
            for rule in rules {
                if evaluate_with(rule, query)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        ChoiceRule::Not(rule) => Ok(!evaluate_with(rule, query)?),
        ChoiceRule::Condition(Value::Bool(value)) => Ok(*value),
        // The executor evaluates JSONata Conditions with the JSONata engine before it gets
        // here; only a caller that bypasses it can reach this.
        ChoiceRule::Condition(condition) => Err(StatesError::runtime(format!(
            "The Condition {condition} is a JSONata expression: it needs the JSONata engine \
             (run the state machine with the executor)"
        ))),
        ChoiceRule::Comparison {
            variable,
            operator,
            operand,
        } => {
            let value = query(variable).ok();
            if *operator == Operator::IsPresent {
                let expected = operand_bool(operand);
                return Ok(value.is_some() == expected);
            }
            let Some(value) = value else {
                return Err(invalid_path(variable));
            };
            let operand = match operand {
                Operand::Literal(literal) => literal.clone(),
                Operand::Path(path) => query(path).map_err(|_| invalid_path(path))?,
            };
            Ok(compare(*operator, &value, &operand))
        }
    }
}

/// AWS's cause for a Variable or `...Path` that matches nothing.
fn invalid_path(path: &str) -> StatesError {
    StatesError::runtime(format!(
        "Invalid path '{path}': The choice state's condition path references an invalid value."
    ))
}

fn operand_bool(operand: &Operand) -> bool {
    matches!(operand, Operand::Literal(Value::Bool(true)))
}

/// Applies `operator` to the variable's value and the operand; a type mismatch is false.
fn compare(operator: Operator, value: &Value, operand: &Value) -> bool {
    use Operator::*;
    let expect = operand.as_bool();
    match operator {
        StringEquals
        | StringLessThan
        | StringGreaterThan
        | StringLessThanEquals
        | StringGreaterThanEquals => match (value, operand) {
            (Value::String(a), Value::String(b)) => {
                holds(operator, a.encode_utf16().cmp(b.encode_utf16()))
            }
            _ => false,
        },
        StringMatches => match (value, operand) {
            (Value::String(text), Value::String(pattern)) => string_matches(text, pattern),
            _ => false,
        },
        NumericEquals
        | NumericLessThan
        | NumericGreaterThan
        | NumericLessThanEquals
        | NumericGreaterThanEquals => match (value, operand) {
            (Value::Number(a), Value::Number(b)) => {
                numeric_cmp(a, b).is_some_and(|ordering| holds(operator, ordering))
            }
            _ => false,
        },
        BooleanEquals => match (value, operand) {
            (Value::Bool(a), Value::Bool(b)) => a == b,
            _ => false,
        },
        TimestampEquals
        | TimestampLessThan
        | TimestampGreaterThan
        | TimestampLessThanEquals
        | TimestampGreaterThanEquals => {
            match (
                value.as_str().and_then(timestamp),
                operand.as_str().and_then(timestamp),
            ) {
                (Some(a), Some(b)) => holds(operator, a.cmp(&b)),
                _ => false,
            }
        }
        IsNull => expect == Some(value.is_null()),
        IsNumeric => expect == Some(value.is_number()),
        IsString => expect == Some(value.is_string()),
        IsBoolean => expect == Some(value.is_boolean()),
        IsTimestamp => expect == Some(value.as_str().and_then(timestamp).is_some()),
        // Handled before the value is read: a missing variable is not an error for it.
        IsPresent => expect == Some(true),
    }
}

/// Whether `ordering` (variable compared with operand) satisfies the operator's relation.
fn holds(operator: Operator, ordering: Ordering) -> bool {
    use Operator::*;
    match operator {
        StringEquals | NumericEquals | TimestampEquals => ordering == Ordering::Equal,
        StringLessThan | NumericLessThan | TimestampLessThan => ordering == Ordering::Less,
        StringGreaterThan | NumericGreaterThan | TimestampGreaterThan => {
            ordering == Ordering::Greater
        }
        StringLessThanEquals | NumericLessThanEquals | TimestampLessThanEquals => {
            ordering != Ordering::Greater
        }
        StringGreaterThanEquals | NumericGreaterThanEquals | TimestampGreaterThanEquals => {
            ordering != Ordering::Less
        }
        _ => false,
    }
}

/// Compares numbers by value: exactly between integers, as doubles otherwise.
pub(crate) fn numeric_cmp(a: &Number, b: &Number) -> Option<Ordering> {
    fn integer(n: &Number) -> Option<i128> {
        n.as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from))
    }
    match (integer(a), integer(b)) {
        (Some(x), Some(y)) => Some(x.cmp(&y)),
        _ => a.as_f64()?.partial_cmp(&b.as_f64()?),
    }
}

/// A timestamp as AWS accepts it, kept to the nanosecond so that sub-millisecond digits still
/// order instants.
fn timestamp(text: &str) -> Option<DateTime<FixedOffset>> {
    parse_aws_timestamp(text)?;
    DateTime::parse_from_rfc3339(text).ok()
}

/// One element of a StringMatches pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Glob {
    Literal(char),
    Star,
}

/// StringMatches: `*` matches any run of characters (also none); `\*` is a literal star and
/// `\\` a literal backslash.
fn string_matches(text: &str, pattern: &str) -> bool {
    let mut globs = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => globs.push(Glob::Literal(chars.next().unwrap_or('\\'))),
            '*' => globs.push(Glob::Star),
            other => globs.push(Glob::Literal(other)),
        }
    }
    let text: Vec<char> = text.chars().collect();
    // Greedy matching with backtracking to the last star: linear in practice, no recursion.
    // `t` and `g` stay within `text` and `globs` (plus one), so adding 1 never saturates.
    let (mut t, mut g) = (0usize, 0usize);
    let mut last_star: Option<(usize, usize)> = None;
    while t < text.len() {
        match globs.get(g) {
            Some(Glob::Star) => {
                last_star = Some((g, t));
                g = g.saturating_add(1);
            }
            Some(Glob::Literal(c)) if text.get(t) == Some(c) => {
                t = t.saturating_add(1);
                g = g.saturating_add(1);
            }
            _ => match last_star {
                Some((star, star_t)) => {
                    g = star.saturating_add(1);
                    t = star_t.saturating_add(1);
                    last_star = Some((star, t));
                }
                None => return false,
            },
        }
    }
    globs
        .get(g..)
        .unwrap_or_default()
        .iter()
        .all(|glob| *glob == Glob::Star)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_matches_wildcards_and_escapes() {
        let cases = [
            ("log-2024.txt", "log-*.txt", true),
            ("log-.txt", "log-*.txt", true),
            ("log-2024.csv", "log-*.txt", false),
            ("abc", "*", true),
            ("", "*", true),
            ("", "", true),
            ("a", "", false),
            ("a*b", "a\\*b", true),
            ("axb", "a\\*b", false),
            ("a\\b", "a\\\\b", true),
            ("aXbYc", "a*b*c", true),
            ("abcbd", "a*bd", true),
            ("ab", "a*b*c", false),
            ("héllo wörld", "h*w*d", true),
        ];
        for (text, pattern, expected) in cases {
            assert_eq!(
                string_matches(text, pattern),
                expected,
                "{text} ~ {pattern}"
            );
        }
    }

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

    #[test]
    fn operator_fields_round_trip() {
        for op in Operator::ALL {
            assert_eq!(Operator::from_field(op.name()), Some((op, false)));
            let path = format!("{}Path", op.name());
            assert_eq!(
                Operator::from_field(&path),
                op.has_path_form().then_some((op, true))
            );
        }
        assert_eq!(Operator::from_field("Bogus"), None);
    }
}
