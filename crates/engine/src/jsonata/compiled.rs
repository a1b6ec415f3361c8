//! JSONata compiled when a definition or a mock file is read: an [`Expression`] (one
//! `{% ... %}` string, parsed) and a [`JsonataValue`] (a field's JSON value with every
//! `{% ... %}` string in it parsed). The run only evaluates them.

use std::rc::Rc;

use jsonata_core::ast::AstNode;
use serde_json::Value;

use crate::memo::CompileMemo;

use super::mentions::Mentions;
use super::{
    evaluate_parsed, expression_body, is_expression, not_enclosed, parse_body, JsonataEnv,
    JsonataError, JsonataLimits,
};

/// One `{% ... %}` expression, parsed. Keeps its text, which AWS's messages quote. A text
/// that does not parse keeps its syntax error, which evaluating it gives (validation rejects
/// such a definition first).
#[derive(Debug, Clone)]
pub struct Expression {
    /// Shared: a definition repeats its expressions, each parsed once per read
    /// ([`CompileMemo`]).
    text: Rc<str>,
    parsed: Result<Rc<Parsed>, JsonataError>,
}

/// An expression's syntax tree and what its text mentions.
#[derive(Debug)]
struct Parsed {
    ast: AstNode,
    mentions: Mentions,
}

impl Expression {
    /// Parses `text`, the whole `{% ... %}` string, keeping a syntax error for evaluation.
    pub fn new(text: &str) -> Expression {
        let parsed = match expression_body(text) {
            Some(body) => parse_body(body).map(|ast| {
                Rc::new(Parsed {
                    ast,
                    mentions: Mentions::of(body),
                })
            }),
            None => Err(not_enclosed(text)),
        };
        Expression {
            text: text.into(),
            parsed,
        }
    }

    /// Parses `text`, the whole `{% ... %}` string, or says why it is not valid JSONata.
    pub fn parse(text: &str) -> Result<Expression, JsonataError> {
        let expression = Expression::new(text);
        match &expression.parsed {
            Ok(_) => Ok(expression),
            Err(error) => Err(error.clone()),
        }
    }

    /// The whole `{% ... %}` string.
    pub fn text(&self) -> &str {
        &self.text
    }

    pub(crate) fn shared_text(&self) -> Rc<str> {
        Rc::clone(&self.text)
    }

    /// Evaluates the expression within `env.limits`.
    pub fn evaluate(&self, env: &mut JsonataEnv<'_>) -> Result<Value, JsonataError> {
        let limits = env.limits;
        self.evaluate_with_limits(env, &limits)
    }

    /// [`Expression::evaluate`] with explicit runaway bounds.
    pub fn evaluate_with_limits(
        &self,
        env: &mut JsonataEnv<'_>,
        limits: &JsonataLimits,
    ) -> Result<Value, JsonataError> {
        let parsed = self.parsed.as_ref().map_err(Clone::clone)?;
        let body = expression_body(&self.text).unwrap_or_default();
        evaluate_parsed(body, &parsed.ast, &parsed.mentions, env, limits)
    }
}

/// Two expressions are the same when written the same.
impl PartialEq for Expression {
    fn eq(&self, other: &Expression) -> bool {
        self.text == other.text
    }
}

/// A JSONata field's value (Arguments, Output, Items, an Assign...): JSON in which every
/// string that is a `{% ... %}` expression is parsed. Keeps the value as written.
#[derive(Debug, Clone)]
pub struct JsonataValue {
    /// Boxed: a model holds many optional fields, and is built recursively on the stack.
    compiled: Box<Compiled>,
}

#[derive(Debug, Clone)]
struct Compiled {
    source: Value,
    root: Node,
}

#[derive(Debug, Clone)]
enum Node {
    /// A value without expressions: copied as it is.
    Constant(Value),
    Expression(Expression),
    Object(Vec<(String, Node)>),
    Array(Vec<Node>),
}

impl JsonataValue {
    /// Parses every `{% ... %}` string of `value`.
    pub fn new(value: Value) -> JsonataValue {
        JsonataValue::new_in(value, &mut CompileMemo::default())
    }

    /// [`JsonataValue::new`], parsing through `memo`.
    pub fn new_in(value: Value, memo: &mut CompileMemo) -> JsonataValue {
        JsonataValue {
            compiled: Box::new(Compiled {
                root: compile(&value, memo),
                source: value,
            }),
        }
    }

    /// The value as written.
    pub fn source(&self) -> &Value {
        &self.compiled.source
    }

    /// The expression, when the whole value is one `{% ... %}` string.
    pub fn expression(&self) -> Option<&Expression> {
        match &self.compiled.root {
            Node::Expression(expression) => Some(expression),
            _ => None,
        }
    }

    /// The value with every expression replaced by what `eval` gives for it. `eval` also gets
    /// where the expression is: `location`, then `/key` or `/index` for each level inside
    /// (AWS names the field so in its messages: `Output/result`, `Assign/total`).
    pub fn evaluate_each<E>(
        &self,
        location: &str,
        eval: &mut dyn FnMut(&Expression, &str) -> Result<Value, E>,
    ) -> Result<Value, E> {
        let child = |parent: &str, member: Member<'_>| match member {
            Member::Key(key) => format!("{parent}/{key}"),
            Member::Index(index) => format!("{parent}/{index}"),
        };
        self.compiled.root.evaluate(location, &child, eval)
    }

    /// [`JsonataValue::evaluate_each`], with the location of a member inside built by `child`.
    pub fn evaluate_each_at<E>(
        &self,
        location: &str,
        child: &dyn Fn(&str, Member<'_>) -> String,
        eval: &mut dyn FnMut(&Expression, &str) -> Result<Value, E>,
    ) -> Result<Value, E> {
        self.compiled.root.evaluate(location, child, eval)
    }
}

/// A member of an object or an array, on the way to an expression.
#[derive(Debug, Clone, Copy)]
pub enum Member<'a> {
    Key(&'a str),
    Index(usize),
}

/// Two values are the same when written the same.
impl PartialEq for JsonataValue {
    fn eq(&self, other: &JsonataValue) -> bool {
        self.source() == other.source()
    }
}

fn compile(value: &Value, memo: &mut CompileMemo) -> Node {
    if !has_expression(value) {
        return Node::Constant(value.clone());
    }
    match value {
        Value::String(text) => Node::Expression(
            memo.expression(text)
                .unwrap_or_else(|_| Expression::new(text)),
        ),
        Value::Object(fields) => Node::Object(
            fields
                .iter()
                .map(|(key, value)| (key.clone(), compile(value, memo)))
                .collect(),
        ),
        Value::Array(items) => Node::Array(items.iter().map(|item| compile(item, memo)).collect()),
        other => Node::Constant(other.clone()),
    }
}

fn has_expression(value: &Value) -> bool {
    match value {
        Value::String(text) => is_expression(text),
        Value::Object(fields) => fields.values().any(has_expression),
        Value::Array(items) => items.iter().any(has_expression),
        _ => false,
    }
}

impl Node {
    fn evaluate<E>(
        &self,
        location: &str,
        child: &dyn Fn(&str, Member<'_>) -> String,
        eval: &mut dyn FnMut(&Expression, &str) -> Result<Value, E>,
    ) -> Result<Value, E> {
        match self {
            Node::Constant(value) => Ok(value.clone()),
            Node::Expression(expression) => eval(expression, location),
            Node::Object(fields) => {
                let mut out = serde_json::Map::with_capacity(fields.len());
                for (key, node) in fields {
                    let value = node.evaluate(&child(location, Member::Key(key)), child, eval)?;
                    out.insert(key.clone(), value);
                }
                Ok(Value::Object(out))
            }
            Node::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (index, item) in items.iter().enumerate() {
                    out.push(item.evaluate(&child(location, Member::Index(index)), child, eval)?);
                }
                Ok(Value::Array(out))
            }
        }
    }
}
