//! Choice rules: parsing them from a definition and evaluating them against a state's input.
//!
//! Semantics follow AWS Step Functions as the conformance corpus records it:
//! - a comparison whose variable (or `...Path` operand) has the wrong type is simply false;
//! - a variable that does not exist makes `IsPresent` false, and every other operator fail the
//!   execution with `States.Runtime`;
//! - numbers compare by value (`1` equals `1.0`), strings by UTF-16 code units (Java's order),
//!   timestamps as instants.
//!
//! The rule model is here; `parse` reads rules from a definition (through [`RuleJson`], so
//! from a `serde_json::Value` or the definition reader's tree), `evaluate` applies them.

use serde_json::Value;

use crate::jsonata::JsonataValue;
use crate::paths::Path;

pub(crate) use evaluate::numeric_cmp;
pub use evaluate::{evaluate, evaluate_with};
pub use parse::{parse_rule, parse_rule_in, RuleJson};

mod evaluate;
mod parse;

/// A Choice rule: a comparison of a variable with a value or another path, or And/Or/Not.
#[derive(Debug, Clone, PartialEq)]
pub enum ChoiceRule {
    /// `{"Variable": "$.x", "<Operator>": value}` or `{"Variable": "$.x", "<Operator>Path": "$.y"}`.
    Comparison {
        /// A reference path, compiled.
        variable: Path,
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
    Condition(JsonataValue),
}

/// What a comparison compares its variable with.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// The operator's value as written, e.g. `"NumericEquals": 3`.
    Literal(Value),
    /// The `...Path` form: a reference path read from the input or the context, compiled.
    Path(Path),
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

/// How deep And, Or and Not may nest. Parsing, evaluating and dropping a rule recurse, so a
/// cap keeps a hostile rule from overflowing the stack; real rules stay far below it.
pub const MAX_RULE_DEPTH: usize = 100;

#[cfg(test)]
mod tests {
    use super::*;

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
