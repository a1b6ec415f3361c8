//! A small backtracking regular-expression engine for the `=~` filter operator, covering the
//! Java syntax JSONPath filters use in practice: literals, `.`, classes (`[a-z]`, `[^0-9]`,
//! `\d \w \s` and their negations), anchors, groups (`(...)`, `(?:...)`), alternation and the
//! quantifiers `* + ? {n} {n,} {n,m}` (greedy or lazy), with the flags `i`, `s` and `m`. Like
//! Java's `Matcher.matches()`, a pattern must match the whole string. Matching is bounded (in
//! steps and depth) so a hostile pattern or a long text cannot hang or overflow the stack; past
//! the bounds the match fails.

use std::cell::Cell;

use crate::char_cursor::{impl_char_cursor, CharCursor};

const MAX_STEPS: u64 = 200_000;
const MAX_DEPTH: usize = 1_000;

#[derive(Debug, Clone, PartialEq)]
pub struct Regex {
    alternatives: Vec<Vec<Node>>,
    case_insensitive: bool,
    dot_all: bool,
    multiline: bool,
}

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Char(char),
    Any,
    Class(Class),
    Start,
    End,
    Group(Vec<Vec<Node>>),
    Repeat {
        node: Box<Node>,
        min: u32,
        max: Option<u32>,
        greedy: bool,
    },
}

#[derive(Debug, Clone, PartialEq)]
struct Class {
    negated: bool,
    items: Vec<ClassItem>,
}

#[derive(Debug, Clone, PartialEq)]
enum ClassItem {
    Range(char, char),
    /// `\d`, `\w`, `\s`; `true` for the negated forms `\D`, `\W`, `\S`.
    Digit(bool),
    Word(bool),
    Space(bool),
}

impl Regex {
    pub fn new(pattern: &str, flags: &str) -> Result<Regex, String> {
        let mut parser = Parser {
            chars: pattern.chars().collect(),
            pos: 0,
            depth: 0,
        };
        let alternatives = parser.alternatives()?;
        if parser.pos < parser.chars.len() {
            return Err(format!(
                "Unmatched ')' in regular expression /{pattern}/ at {}",
                parser.pos
            ));
        }
        let mut regex = Regex {
            alternatives,
            case_insensitive: false,
            dot_all: false,
            multiline: false,
        };
        for flag in flags.chars() {
            match flag {
                'i' => regex.case_insensitive = true,
                's' => regex.dot_all = true,
                'm' => regex.multiline = true,
                'u' | 'x' | 'd' | 'c' | 'U' => {}
                _ => return Err(format!("Unknown regular expression flag '{flag}'")),
            }
        }
        Ok(regex)
    }

    /// Whether the whole of `text` matches.
    pub fn matches(&self, text: &str) -> bool {
        let matcher = Matcher {
            regex: self,
            text: text.chars().collect(),
            steps: Cell::new(0),
            depth: Cell::new(0),
        };
        let len = matcher.text.len();
        matcher.alternatives(&self.alternatives, 0, &mut |end| end == len)
    }
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
    depth: usize,
}

impl_char_cursor!(Parser);

impl Parser {
    fn alternatives(&mut self) -> Result<Vec<Vec<Node>>, String> {
        self.depth = self.depth.saturating_add(1);
        if self.depth > 50 {
            return Err("Regular expression nests too deeply".into());
        }
        let mut alternatives = vec![self.sequence()?];
        while self.peek() == Some('|') {
            self.advance();
            alternatives.push(self.sequence()?);
        }
        self.depth = self.depth.saturating_sub(1);
        Ok(alternatives)
    }

    fn sequence(&mut self) -> Result<Vec<Node>, String> {
        let mut nodes = Vec::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            let atom = self.atom()?;
            nodes.push(self.quantified(atom)?);
        }
        Ok(nodes)
    }

    fn atom(&mut self) -> Result<Node, String> {
        let Some(c) = self.peek() else {
            return Err("Unexpected end of regular expression".into());
        };
        self.advance();
        Ok(match c {
            '(' => {
                if self.peek() == Some('?') {
                    if self.peek_at(1) == Some(':') {
                        self.advance_by(2);
                    } else {
                        return Err(
                            "Only (?:...) groups are supported in regular expressions".into()
                        );
                    }
                }
                let inner = self.alternatives()?;
                if self.peek() != Some(')') {
                    return Err("Unclosed group in regular expression".into());
                }
                self.advance();
                Node::Group(inner)
            }
            '[' => Node::Class(self.class()?),
            '.' => Node::Any,
            '^' => Node::Start,
            '$' => Node::End,
            '\\' => self.escape()?,
            '*' | '+' | '?' | '{' => {
                return Err(format!(
                    "Dangling meta character '{c}' in regular expression"
                ))
            }
            c => Node::Char(c),
        })
    }

    fn escape(&mut self) -> Result<Node, String> {
        let Some(c) = self.peek() else {
            return Err("Regular expression ends with '\\'".into());
        };
        self.advance();
        let class = |item| {
            Node::Class(Class {
                negated: false,
                items: vec![item],
            })
        };
        Ok(match c {
            'd' => class(ClassItem::Digit(false)),
            'D' => class(ClassItem::Digit(true)),
            'w' => class(ClassItem::Word(false)),
            'W' => class(ClassItem::Word(true)),
            's' => class(ClassItem::Space(false)),
            'S' => class(ClassItem::Space(true)),
            other => Node::Char(escaped_char(other)),
        })
    }

    fn class(&mut self) -> Result<Class, String> {
        let negated = self.peek() == Some('^');
        if negated {
            self.advance();
        }
        let mut items = Vec::new();
        let mut first = true;
        loop {
            let Some(c) = self.peek() else {
                return Err("Unclosed character class in regular expression".into());
            };
            self.advance();
            if c == ']' && !first {
                break;
            }
            first = false;
            let low = if c == '\\' {
                let Some(e) = self.peek() else {
                    return Err("Unclosed character class in regular expression".into());
                };
                self.advance();
                match e {
                    'd' | 'D' => {
                        items.push(ClassItem::Digit(e == 'D'));
                        continue;
                    }
                    'w' | 'W' => {
                        items.push(ClassItem::Word(e == 'W'));
                        continue;
                    }
                    's' | 'S' => {
                        items.push(ClassItem::Space(e == 'S'));
                        continue;
                    }
                    other => escaped_char(other),
                }
            } else {
                c
            };
            let is_range = self.peek() == Some('-') && self.peek_at(1).is_some_and(|n| n != ']');
            if is_range {
                self.advance();
                let Some(mut high) = self.peek() else {
                    return Err("Unclosed character class in regular expression".into());
                };
                self.advance();
                if high == '\\' {
                    let Some(e) = self.peek() else {
                        return Err("Unclosed character class in regular expression".into());
                    };
                    self.advance();
                    high = escaped_char(e);
                }
                if high < low {
                    return Err(format!("Illegal character range {low}-{high}"));
                }
                items.push(ClassItem::Range(low, high));
            } else {
                items.push(ClassItem::Range(low, low));
            }
        }
        Ok(Class { negated, items })
    }

    fn quantified(&mut self, atom: Node) -> Result<Node, String> {
        let (min, max) = match self.peek() {
            Some('*') => (0, None),
            Some('+') => (1, None),
            Some('?') => (0, Some(1)),
            Some('{') => {
                let rest = self.chars.get(self.pos..).unwrap_or_default();
                let close = rest
                    .iter()
                    .position(|c| *c == '}')
                    .ok_or("Unclosed counted repetition in regular expression")?;
                // The cursor is on the `{`, so `close` is at least 1.
                let body: String = rest.get(1..close).unwrap_or_default().iter().collect();
                let number = |t: &str| {
                    t.trim()
                        .parse::<u32>()
                        .map_err(|_| format!("Illegal repetition {{{body}}}"))
                };
                let bounds = match body.split_once(',') {
                    None => {
                        let n = number(&body)?;
                        (n, Some(n))
                    }
                    Some((low, "")) => (number(low)?, None),
                    Some((low, high)) => (number(low)?, Some(number(high)?)),
                };
                // Leave the cursor on the closing brace; the common step below passes it.
                self.advance_by(close);
                bounds
            }
            _ => return Ok(atom),
        };
        self.advance();
        if max.is_some_and(|max| max < min) {
            return Err("Illegal repetition range in regular expression".into());
        }
        let mut greedy = true;
        match self.peek() {
            Some('?') => {
                greedy = false;
                self.advance();
            }
            Some('+') => self.advance(),
            _ => {}
        }
        Ok(Node::Repeat {
            node: Box::new(atom),
            min,
            max,
            greedy,
        })
    }
}

fn escaped_char(c: char) -> char {
    match c {
        'n' => '\n',
        't' => '\t',
        'r' => '\r',
        'f' => '\u{c}',
        other => other,
    }
}

struct Matcher<'r> {
    regex: &'r Regex,
    text: Vec<char>,
    steps: Cell<u64>,
    depth: Cell<usize>,
}

type Next<'k> = &'k mut dyn FnMut(usize) -> bool;

impl Matcher<'_> {
    /// Counts a step and a level; false once a bound is passed (the match then fails).
    fn enter(&self) -> bool {
        self.steps.set(self.steps.get().saturating_add(1));
        self.depth.set(self.depth.get().saturating_add(1));
        self.steps.get() <= MAX_STEPS && self.depth.get() <= MAX_DEPTH
    }

    fn leave(&self) {
        self.depth.set(self.depth.get().saturating_sub(1));
    }

    fn alternatives(&self, alternatives: &[Vec<Node>], pos: usize, next: Next<'_>) -> bool {
        alternatives
            .iter()
            .any(|sequence| self.sequence(sequence, pos, next))
    }

    fn sequence(&self, nodes: &[Node], pos: usize, next: Next<'_>) -> bool {
        let Some((node, rest)) = nodes.split_first() else {
            return next(pos);
        };
        if !self.enter() {
            self.leave();
            return false;
        }
        let matched = self.node(node, pos, &mut |p| self.sequence(rest, p, next));
        self.leave();
        matched
    }

    fn char_at(&self, pos: usize) -> Option<char> {
        self.text.get(pos).copied()
    }

    fn same(&self, a: char, b: char) -> bool {
        a == b || (self.regex.case_insensitive && a.to_lowercase().eq(b.to_lowercase()))
    }

    fn in_class(&self, class: &Class, c: char) -> bool {
        let hit = class.items.iter().any(|item| match item {
            ClassItem::Range(low, high) => {
                (*low..=*high).contains(&c)
                    || (self.regex.case_insensitive
                        && c.to_lowercase()
                            .chain(c.to_uppercase())
                            .any(|v| (*low..=*high).contains(&v)))
            }
            ClassItem::Digit(neg) => c.is_ascii_digit() != *neg,
            ClassItem::Word(neg) => (c.is_ascii_alphanumeric() || c == '_') != *neg,
            ClassItem::Space(neg) => {
                matches!(c, ' ' | '\t' | '\n' | '\u{b}' | '\u{c}' | '\r') != *neg
            }
        });
        hit != class.negated
    }

    fn node(&self, node: &Node, pos: usize, next: Next<'_>) -> bool {
        match node {
            Node::Char(expected) => match self.char_at(pos) {
                Some(c) if self.same(c, *expected) => next(pos.saturating_add(1)),
                _ => false,
            },
            Node::Any => match self.char_at(pos) {
                Some(c) if self.regex.dot_all || !matches!(c, '\n' | '\r') => {
                    next(pos.saturating_add(1))
                }
                _ => false,
            },
            Node::Class(class) => match self.char_at(pos) {
                Some(c) if self.in_class(class, c) => next(pos.saturating_add(1)),
                _ => false,
            },
            Node::Start => {
                let at_start = pos == 0
                    || (self.regex.multiline && self.char_at(pos.wrapping_sub(1)) == Some('\n'));
                at_start && next(pos)
            }
            Node::End => {
                let at_end = pos == self.text.len()
                    || (self.regex.multiline && self.char_at(pos) == Some('\n'));
                at_end && next(pos)
            }
            Node::Group(alternatives) => self.alternatives(alternatives, pos, next),
            Node::Repeat {
                node,
                min,
                max,
                greedy,
            } => self.repeat(node, *min, *max, *greedy, 0, pos, next),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn repeat(
        &self,
        node: &Node,
        min: u32,
        max: Option<u32>,
        greedy: bool,
        count: u32,
        pos: usize,
        next: Next<'_>,
    ) -> bool {
        if !self.enter() {
            self.leave();
            return false;
        }
        let matched = if count < min {
            self.node(node, pos, &mut |p| {
                self.repeat(node, min, max, greedy, count.saturating_add(1), p, next)
            })
        } else {
            let can_more = max.is_none_or(|max| count < max);
            if greedy {
                // An iteration that consumes nothing would loop forever: it stops here.
                let more = can_more
                    && self.node(node, pos, &mut |p| {
                        p != pos
                            && self.repeat(node, min, max, greedy, count.saturating_add(1), p, next)
                    });
                more || next(pos)
            } else {
                next(pos)
                    || (can_more
                        && self.node(node, pos, &mut |p| {
                            p != pos
                                && self.repeat(
                                    node,
                                    min,
                                    max,
                                    greedy,
                                    count.saturating_add(1),
                                    p,
                                    next,
                                )
                        }))
            }
        };
        self.leave();
        matched
    }
}

#[cfg(test)]
mod tests {
    use super::Regex;

    /// (pattern, flags, text, matches).
    #[test]
    fn full_matches_like_java() {
        let cases = [
            ("abc", "", "abc", true),
            ("abc", "", "abcd", false),
            ("a.c", "", "abc", true),
            (".*Bob.*", "", "I am Bob!", true),
            ("^bob$", "i", "BOB", true),
            ("bob", "", "BOB", false),
            ("[a-c]+\\d{2,3}", "", "abca123", true),
            ("[a-c]+\\d{2,3}", "", "abca1234", false),
            ("[^0-9]*", "", "abc", true),
            ("[^0-9]*", "", "ab1", false),
            ("(foo|bar)baz", "", "barbaz", true),
            ("(?:ab)+", "", "ababab", true),
            ("a.*?b", "", "aXbYb", true),
            ("\\w+@\\w+\\.com", "", "me@site.com", true),
            ("\\s*x\\s*", "", "  x ", true),
            ("a{3}", "", "aaa", true),
            ("a{3}", "", "aa", false),
            ("colou?r", "", "color", true),
            ("[\\]a]+", "", "]a]", true),
            (
                "(a*)*b",
                "",
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac",
                false,
            ),
        ];
        for (pattern, flags, text, expected) in cases {
            let regex = Regex::new(pattern, flags).expect("valid pattern");
            assert_eq!(
                regex.matches(text),
                expected,
                "/{pattern}/{flags} on {text:?}"
            );
        }
    }

    #[test]
    fn bad_patterns_are_rejected() {
        for pattern in [
            "(a", "a)", "[a", "*a", "a{2", "a{3,1}", "(?=a)", "[z-a]", "a\\",
        ] {
            assert!(Regex::new(pattern, "").is_err(), "{pattern}");
        }
        assert!(Regex::new("a", "q").is_err());
    }

    #[test]
    fn long_texts_fail_instead_of_overflowing() {
        // Past the depth bound the match fails rather than overflowing the stack, even on
        // a 1 MiB stack (a browser's wasm default).
        let worker = std::thread::Builder::new()
            .stack_size(1 << 20)
            .spawn(|| {
                let regex = Regex::new("(a|b)*c?", "").expect("valid pattern");
                (
                    regex.matches(&"a".repeat(100_000)),
                    regex.matches(&"ab".repeat(200)),
                )
            })
            .expect("spawn");
        assert_eq!(worker.join().ok(), Some((false, true)));
    }
}
