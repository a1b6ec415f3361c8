//! Reading an intrinsic function call's text into a [`Call`].

use serde_json::{Number, Value};

use crate::char_cursor::{impl_char_cursor, CharCursor};
use crate::memo::CompileMemo;

use super::format::is_escapable;
use super::{Arg, Call, Function, MAX_NESTING};

pub(super) fn parse(expr: &str) -> Result<Call, String> {
    parse_with(expr, &mut CompileMemo::default())
}

/// [`parse`], compiling the paths of the arguments through `memo`.
pub(super) fn parse_with(expr: &str, memo: &mut CompileMemo) -> Result<Call, String> {
    let mut parser = Parser {
        chars: expr.chars().collect(),
        pos: 0,
        memo,
    };
    parser.skip_spaces();
    let call = parser.call(1)?;
    parser.skip_spaces();
    if parser.pos < parser.chars.len() {
        return Err(format!(
            "unexpected text after the closing parenthesis at position {}",
            parser.pos
        ));
    }
    Ok(call)
}

struct Parser<'m> {
    chars: Vec<char>,
    pos: usize,
    memo: &'m mut CompileMemo,
}

impl_char_cursor!(Parser<'_>);

impl Parser<'_> {
    fn call(&mut self, depth: usize) -> Result<Call, String> {
        if depth > MAX_NESTING {
            return Err(format!(
                "intrinsic functions may be nested at most {MAX_NESTING} deep"
            ));
        }
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_')
        {
            self.advance();
        }
        let name = self.text_from(start);
        let function = Function::from_name(&name)
            .ok_or_else(|| format!("unknown intrinsic function '{name}'"))?;
        self.skip_spaces();
        if self.peek() != Some('(') {
            return Err(format!("expected '(' after {name}"));
        }
        self.advance();
        let mut args = Vec::new();
        self.skip_spaces();
        if self.peek() == Some(')') {
            self.advance();
        } else {
            loop {
                args.push(self.arg(depth)?);
                self.skip_spaces();
                match self.peek() {
                    Some(',') => self.advance(),
                    Some(')') => {
                        self.advance();
                        break;
                    }
                    Some(c) => {
                        return Err(format!(
                            "expected ',' or ')' in the arguments of {name}, found '{c}' at \
                             position {}",
                            self.pos
                        ))
                    }
                    None => return Err(format!("the arguments of {name} are not closed")),
                }
            }
        }
        let (min, max) = function.arity();
        if args.len() < min || max.is_some_and(|max| args.len() > max) {
            let expected = match max {
                Some(max) if max == min => format!("{min}"),
                Some(max) => format!("{min} to {max}"),
                None => format!("at least {min}"),
            };
            return Err(format!(
                "{name} takes {expected} argument(s), but {} were given",
                args.len()
            ));
        }
        Ok(Call {
            name,
            function,
            args,
        })
    }

    fn arg(&mut self, depth: usize) -> Result<Arg, String> {
        self.skip_spaces();
        match self.peek() {
            Some('\'') => {
                self.advance();
                let (mut value, mut raw) = (String::new(), String::new());
                loop {
                    match self.peek() {
                        None => return Err("a string literal is not closed".into()),
                        Some('\\') => {
                            let Some(next) = self.peek_at(1) else {
                                return Err("a string literal ends with '\\'".into());
                            };
                            raw.push('\\');
                            raw.push(next);
                            // AWS's escapes are \' \{ \} and \\; any other backslash is text.
                            if !is_escapable(next) {
                                value.push('\\');
                            }
                            value.push(next);
                            self.advance_by(2);
                        }
                        Some('\'') => {
                            self.advance();
                            break;
                        }
                        Some(c) => {
                            raw.push(c);
                            value.push(c);
                            self.advance();
                        }
                    }
                }
                Ok(Arg::Str { value, raw })
            }
            Some('$') => {
                let start = self.pos;
                let mut depth_brackets = 0usize;
                let mut quote: Option<char> = None;
                while let Some(c) = self.peek() {
                    match quote {
                        Some(q) => {
                            // A backslash escapes the next character, if there is one.
                            if c == '\\' && self.pos.saturating_add(1) < self.chars.len() {
                                self.advance();
                            } else if c == q {
                                quote = None;
                            }
                        }
                        None => match c {
                            '\'' | '"' => quote = Some(c),
                            '[' | '(' => depth_brackets = depth_brackets.saturating_add(1),
                            ']' | ')' if depth_brackets > 0 => {
                                depth_brackets = depth_brackets.saturating_sub(1)
                            }
                            ',' | ')' => break,
                            _ => {}
                        },
                    }
                    self.advance();
                }
                let path = self.text_from(start);
                let path = path.trim();
                self.memo
                    .path(path)
                    .map(Arg::Path)
                    .map_err(|e| format!("invalid path '{path}': {e}"))
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
                    .map(|n| Arg::Literal(Value::Number(n)))
                    .map_err(|_| format!("invalid number '{text}'"))
            }
            Some(c) if c.is_ascii_alphabetic() => {
                let start = self.pos;
                while self.peek().is_some_and(|c| c.is_ascii_alphanumeric()) {
                    self.advance();
                }
                let word = self.text_from(start);
                match word.as_str() {
                    "null" => Ok(Arg::Literal(Value::Null)),
                    "true" => Ok(Arg::Literal(Value::Bool(true))),
                    "false" => Ok(Arg::Literal(Value::Bool(false))),
                    "States" => {
                        self.pos = start;
                        Ok(Arg::Call(self.call(depth.saturating_add(1))?))
                    }
                    _ => Err(format!("unexpected argument '{word}'")),
                }
            }
            Some(c) => Err(format!("unexpected '{c}' at position {}", self.pos)),
            None => Err("an argument is missing".into()),
        }
    }
}
