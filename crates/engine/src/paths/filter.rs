//! JSONPath filters (`[?(...)]`): their expression language, parsed and evaluated.

use serde_json::{Number, Value};

use crate::char_cursor::{impl_char_cursor, CharCursor};
use crate::java_regex::Regex;

use super::{JsonPath, Root};

/// How deeply filters, parentheses and negations may nest in a path: deeper nesting is
/// refused rather than risking the stack on a hostile definition.
const MAX_FILTER_NESTING: usize = 32;

/// How much of a filter an error message quotes.
const QUOTED_FILTER_CHARS: usize = 60;

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Filter {
    /// `a || b || ...` and `a && b && ...` hold their terms side by side rather than as a
    /// chain of pairs, so that a long chain is not a deep tree: evaluating, cloning or
    /// dropping a filter recurses only as deep as its parentheses and negations nest.
    Or(Vec<Filter>),
    And(Vec<Filter>),
    Not(Box<Filter>),
    Exists(Operand),
    Compare(Operand, CompareOp, Operand),
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Operand {
    /// `@...` (relative to the item) or `$...` (the document root).
    Path {
        relative: bool,
        path: JsonPath,
    },
    Literal(Value),
    Regex(Regex),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum CompareOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Regex,
    In,
    Nin,
    Contains,
    SubsetOf,
    AnyOf,
    NoneOf,
    Size,
    Empty,
}

impl Filter {
    pub(super) fn accept(&self, item: &Value, root: &Value) -> bool {
        match self {
            Filter::Or(terms) => terms.iter().any(|term| term.accept(item, root)),
            Filter::And(terms) => terms.iter().all(|term| term.accept(item, root)),
            Filter::Not(a) => !a.accept(item, root),
            Filter::Exists(operand) => match operand {
                Operand::Literal(Value::Bool(b)) => *b,
                _ => operand.value(item, root).is_some(),
            },
            Filter::Compare(left, op, right) => {
                let (l, r) = (left.value(item, root), right.value(item, root));
                compare(l.as_ref(), *op, r.as_ref(), right)
            }
        }
    }
}

impl Operand {
    /// The operand's value, `None` when its path has no result.
    fn value(&self, item: &Value, root: &Value) -> Option<Value> {
        match self {
            Operand::Path { relative, path } => {
                let start = if *relative { item } else { root };
                path.evaluate(start).ok()
            }
            Operand::Literal(value) => Some(value.clone()),
            Operand::Regex(_) => None,
        }
    }
}

fn compare(left: Option<&Value>, op: CompareOp, right: Option<&Value>, rhs: &Operand) -> bool {
    if op == CompareOp::Ne {
        return match (left, right) {
            (Some(l), Some(r)) => !values_equal(l, r),
            _ => true,
        };
    }
    if op == CompareOp::Regex {
        // Jayway matches the pattern against the whole string (`Matcher.matches()`).
        return match (left, rhs) {
            (Some(Value::String(text)), Operand::Regex(regex)) => regex.matches(text),
            _ => false,
        };
    }
    let (Some(l), Some(r)) = (left, right) else {
        return false;
    };
    let contains = |list: &Value, v: &Value| match list {
        Value::Array(items) => items.iter().any(|i| values_equal(i, v)),
        _ => false,
    };
    match op {
        CompareOp::Eq => values_equal(l, r),
        CompareOp::Lt | CompareOp::Le | CompareOp::Gt | CompareOp::Ge => {
            let ordering = match (l, r) {
                (Value::Number(a), Value::Number(b)) => a
                    .as_f64()
                    .zip(b.as_f64())
                    .and_then(|(a, b)| a.partial_cmp(&b)),
                (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
                _ => None,
            };
            let Some(ordering) = ordering else {
                return false;
            };
            match op {
                CompareOp::Lt => ordering.is_lt(),
                CompareOp::Le => ordering.is_le(),
                CompareOp::Gt => ordering.is_gt(),
                _ => ordering.is_ge(),
            }
        }
        CompareOp::In => contains(r, l),
        CompareOp::Nin => !contains(r, l),
        CompareOp::Contains => match (l, r) {
            (Value::String(a), Value::String(b)) => a.contains(b.as_str()),
            _ => contains(l, r),
        },
        CompareOp::SubsetOf => match l {
            Value::Array(items) => items.iter().all(|i| contains(r, i)),
            _ => false,
        },
        CompareOp::AnyOf => match l {
            Value::Array(items) => items.iter().any(|i| contains(r, i)),
            _ => false,
        },
        CompareOp::NoneOf => match l {
            Value::Array(items) => !items.iter().any(|i| contains(r, i)),
            _ => false,
        },
        CompareOp::Size => {
            let size = match l {
                Value::Array(items) => items.len(),
                Value::String(s) => s.chars().count(),
                _ => return false,
            };
            r.as_u64().is_some_and(|n| usize::try_from(n) == Ok(size))
        }
        CompareOp::Empty => {
            let empty = match l {
                Value::Array(items) => items.is_empty(),
                Value::String(s) => s.is_empty(),
                _ => return false,
            };
            r.as_bool() == Some(empty)
        }
        CompareOp::Ne | CompareOp::Regex => false,
    }
}

/// Equality as Jayway's filters see it: numbers by value (`1 == 1.0`), the rest structurally.
fn values_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(i), Some(j)) => i == j,
            _ => x.as_f64() == y.as_f64(),
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| values_equal(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| values_equal(v, w)))
        }
        _ => a == b,
    }
}

pub(super) fn parse_filter(text: &str, depth: usize) -> Result<Filter, String> {
    if depth > MAX_FILTER_NESTING {
        return Err(format!(
            "Filters may be nested at most {MAX_FILTER_NESTING} deep"
        ));
    }
    let mut parser = FilterParser {
        chars: text.chars().collect(),
        pos: 0,
        depth,
    };
    let filter = parser.or()?;
    parser.skip_spaces();
    if parser.pos < parser.chars.len() {
        return Err(format!(
            "Could not parse filter [?({text})] at position {}",
            parser.pos
        ));
    }
    Ok(filter)
}

/// The one term of a chain without an operator, else the chain.
fn single_or(mut terms: Vec<Filter>, chain: fn(Vec<Filter>) -> Filter) -> Filter {
    match terms.pop() {
        Some(last) if terms.is_empty() => last,
        Some(last) => {
            terms.push(last);
            chain(terms)
        }
        None => chain(terms),
    }
}

struct FilterParser {
    chars: Vec<char>,
    pos: usize,
    /// The nesting of filters, parentheses and negations around the current position.
    depth: usize,
}

impl_char_cursor!(FilterParser);

impl FilterParser {
    fn nest(&mut self) -> Result<(), String> {
        self.depth = self.depth.saturating_add(1);
        if self.depth > MAX_FILTER_NESTING {
            return Err(self.error("Too deeply nested"));
        }
        Ok(())
    }

    fn unnest(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    fn eat(&mut self, token: &str) -> bool {
        self.skip_spaces();
        let token: Vec<char> = token.chars().collect();
        let found = self
            .chars
            .get(self.pos..)
            .is_some_and(|rest| rest.starts_with(&token));
        if found {
            self.advance_by(token.len());
            true
        } else {
            false
        }
    }

    fn error(&self, what: &str) -> String {
        // A filter can be as long as a definition: the message quotes its start only.
        let mut text: String = self.chars.iter().take(QUOTED_FILTER_CHARS).collect();
        if self.chars.len() > QUOTED_FILTER_CHARS {
            text.push_str("...");
        }
        format!("{what} in filter [?({text})] at position {}", self.pos)
    }

    fn or(&mut self) -> Result<Filter, String> {
        let mut terms = vec![self.and()?];
        while self.eat("||") {
            terms.push(self.and()?);
        }
        Ok(single_or(terms, Filter::Or))
    }

    fn and(&mut self) -> Result<Filter, String> {
        let mut terms = vec![self.unary()?];
        while self.eat("&&") {
            terms.push(self.unary()?);
        }
        Ok(single_or(terms, Filter::And))
    }

    fn unary(&mut self) -> Result<Filter, String> {
        self.skip_spaces();
        if self.peek() == Some('!') && self.peek_at(1) != Some('=') {
            self.advance();
            self.nest()?;
            let inner = self.unary()?;
            self.unnest();
            return Ok(Filter::Not(Box::new(inner)));
        }
        if self.peek() == Some('(') {
            self.advance();
            self.nest()?;
            let inner = self.or()?;
            self.unnest();
            if !self.eat(")") {
                return Err(self.error("Expected ')'"));
            }
            return Ok(inner);
        }
        let left = self.operand()?;
        let Some(op) = self.operator() else {
            return match left {
                Operand::Path { .. } | Operand::Literal(Value::Bool(_)) => Ok(Filter::Exists(left)),
                _ => Err(self.error("Expected a comparison")),
            };
        };
        let right = self.operand()?;
        Ok(Filter::Compare(left, op, right))
    }

    fn operator(&mut self) -> Option<CompareOp> {
        let symbolic = [
            ("==", CompareOp::Eq),
            ("!=", CompareOp::Ne),
            ("<=", CompareOp::Le),
            (">=", CompareOp::Ge),
            ("=~", CompareOp::Regex),
            ("<", CompareOp::Lt),
            (">", CompareOp::Gt),
        ];
        for (token, op) in symbolic {
            if self.eat(token) {
                return Some(op);
            }
        }
        let words = [
            ("nin", CompareOp::Nin),
            ("in", CompareOp::In),
            ("contains", CompareOp::Contains),
            ("subsetof", CompareOp::SubsetOf),
            ("anyof", CompareOp::AnyOf),
            ("noneof", CompareOp::NoneOf),
            ("size", CompareOp::Size),
            ("empty", CompareOp::Empty),
        ];
        let save = self.pos;
        for (token, op) in words {
            if self.eat(token) {
                if self.peek().is_none_or(|c| !c.is_alphanumeric()) {
                    return Some(op);
                }
                self.pos = save;
            }
        }
        None
    }

    fn operand(&mut self) -> Result<Operand, String> {
        self.skip_spaces();
        match self.peek() {
            Some(root @ ('@' | '$')) => {
                let start = self.pos;
                let mut depth = 0usize;
                let mut quote: Option<char> = None;
                while let Some(c) = self.peek() {
                    match quote {
                        Some(q) => {
                            if c == '\\' {
                                self.advance();
                            } else if c == q {
                                quote = None;
                            }
                        }
                        None => match c {
                            '\'' | '"' => quote = Some(c),
                            '[' | '(' => depth = depth.saturating_add(1),
                            ']' | ')' if depth > 0 => depth = depth.saturating_sub(1),
                            ')' | '=' | '!' | '<' | '>' | '&' | '|' | '~' | ',' if depth == 0 => {
                                break
                            }
                            c if c.is_whitespace() && depth == 0 => break,
                            _ => {}
                        },
                    }
                    self.advance();
                }
                let text = self.text_from(start);
                let path = if root == '@' {
                    JsonPath::parse_relative(&text, self.depth)?
                } else {
                    let path = JsonPath::parse_nested(&text, self.depth)?;
                    if path.root != Root::Input {
                        return Err(self.error(
                            "Only '@' and '$' paths can be used (no context object or variables)",
                        ));
                    }
                    path
                };
                Ok(Operand::Path {
                    relative: root == '@',
                    path,
                })
            }
            Some(q @ ('\'' | '"')) => {
                self.advance();
                let mut out = String::new();
                loop {
                    match self.peek() {
                        None => return Err(self.error("Unclosed string")),
                        Some('\\') => {
                            self.advance();
                            if let Some(c) = self.peek() {
                                out.push(c);
                                self.advance();
                            }
                        }
                        Some(c) if c == q => {
                            self.advance();
                            break;
                        }
                        Some(c) => {
                            out.push(c);
                            self.advance();
                        }
                    }
                }
                Ok(Operand::Literal(Value::String(out)))
            }
            Some('/') => {
                self.advance();
                let mut pattern = String::new();
                loop {
                    match self.peek() {
                        None => return Err(self.error("Unclosed regular expression")),
                        Some('\\') => {
                            pattern.push('\\');
                            self.advance();
                            if let Some(c) = self.peek() {
                                pattern.push(c);
                                self.advance();
                            }
                        }
                        Some('/') => {
                            self.advance();
                            break;
                        }
                        Some(c) => {
                            pattern.push(c);
                            self.advance();
                        }
                    }
                }
                let mut flags = String::new();
                while let Some(c) = self.peek().filter(char::is_ascii_alphabetic) {
                    flags.push(c);
                    self.advance();
                }
                Regex::new(&pattern, &flags)
                    .map(Operand::Regex)
                    .map_err(|e| self.error(&e))
            }
            Some('[') => {
                self.advance();
                let mut items = Vec::new();
                self.skip_spaces();
                if self.peek() == Some(']') {
                    self.advance();
                    return Ok(Operand::Literal(Value::Array(items)));
                }
                loop {
                    match self.operand()? {
                        Operand::Literal(v) => items.push(v),
                        _ => return Err(self.error("A list may only hold literals")),
                    }
                    if self.eat(",") {
                        continue;
                    }
                    if self.eat("]") {
                        break;
                    }
                    return Err(self.error("Expected ',' or ']'"));
                }
                Ok(Operand::Literal(Value::Array(items)))
            }
            Some(c) if c == '-' || c.is_ascii_digit() => {
                let start = self.pos;
                self.advance();
                while self
                    .peek()
                    .is_some_and(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
                {
                    self.advance();
                }
                let text = self.text_from(start);
                serde_json::from_str::<Number>(&text)
                    .map(|n| Operand::Literal(Value::Number(n)))
                    .map_err(|_| self.error(&format!("Invalid number {text}")))
            }
            _ => {
                for (word, value) in [
                    ("true", Value::Bool(true)),
                    ("false", Value::Bool(false)),
                    ("null", Value::Null),
                ] {
                    if self.eat(word) {
                        return Ok(Operand::Literal(value));
                    }
                }
                Err(self.error("Expected a path or a value"))
            }
        }
    }
}
