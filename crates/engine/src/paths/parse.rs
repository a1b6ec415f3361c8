//! Reading a JSONPath's text into its compiled form.

use crate::char_cursor::{impl_char_cursor, CharCursor};

use super::filter::parse_filter;
use super::{Function, JsonPath, Root, Segment};

impl JsonPath {
    pub(super) fn parse(text: &str) -> Result<JsonPath, String> {
        Self::parse_nested(text, 0)
    }

    /// Parses a path found at filter nesting level `depth`.
    pub(super) fn parse_nested(text: &str, depth: usize) -> Result<JsonPath, String> {
        let trimmed = text.trim();
        let (root, rest) = if let Some(rest) = trimmed.strip_prefix("$$") {
            (Root::Context, rest)
        } else if let Some(rest) = trimmed.strip_prefix('$') {
            // `$name` is a workflow variable: a letter or `_`, then letters, digits or `_`.
            if rest.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
                let end = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len());
                let (name, after) = rest.split_at(end);
                (Root::Variable(name.to_string()), after)
            } else {
                (Root::Input, rest)
            }
        } else {
            return Err(format!("Path must start with '$': {text}"));
        };
        // `rest` is a suffix of `trimmed`, so this is where it starts.
        let mut parser = Parser::new(rest, trimmed.len().saturating_sub(rest.len()), depth);
        let (segments, function) = parser.segments()?;
        Ok(JsonPath {
            root,
            segments,
            function,
        })
    }

    pub(super) fn parse_relative(text: &str, depth: usize) -> Result<JsonPath, String> {
        let rest = text
            .strip_prefix('@')
            .ok_or_else(|| format!("Path must start with '@': {text}"))?;
        let mut parser = Parser::new(rest, 1, depth);
        let (segments, function) = parser.segments()?;
        Ok(JsonPath {
            root: Root::Input,
            segments,
            function,
        })
    }
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
    /// Where `chars` starts in the original text, for positions in messages.
    offset: usize,
    /// How many filters enclose this path.
    depth: usize,
}

impl_char_cursor!(Parser);

impl Parser {
    fn new(text: &str, offset: usize, depth: usize) -> Self {
        Parser {
            chars: text.chars().collect(),
            pos: 0,
            offset,
            depth,
        }
    }

    fn error_here(&self) -> String {
        format!(
            "Could not parse token starting at position {}",
            self.pos.saturating_add(self.offset)
        )
    }

    fn segments(&mut self) -> Result<(Vec<Segment>, Option<Function>), String> {
        let mut segments = Vec::new();
        while let Some(c) = self.peek() {
            match c {
                '.' if self.peek_at(1) == Some('.') => {
                    self.advance_by(2);
                    segments.push(Segment::Scan);
                    match self.peek() {
                        None => return Err("Path must not end with a '.' or '..'".into()),
                        Some('[') => segments.push(self.bracket()?),
                        Some('*') => {
                            self.advance();
                            segments.push(Segment::Wildcard);
                        }
                        Some(_) => match self.name()? {
                            NameOrFunction::Name(name) => {
                                segments.push(Segment::Property(vec![name]))
                            }
                            NameOrFunction::Function(_) => {
                                return Err("A function cannot follow a deep scan".into())
                            }
                        },
                    }
                }
                '.' => {
                    self.advance();
                    match self.peek() {
                        None => return Err("Path must not end with a '.' or '..'".into()),
                        Some('*') => {
                            self.advance();
                            segments.push(Segment::Wildcard);
                        }
                        Some('[') | Some(' ') => return Err(self.error_here()),
                        Some(_) => match self.name()? {
                            NameOrFunction::Name(name) => {
                                segments.push(Segment::Property(vec![name]))
                            }
                            NameOrFunction::Function(function) => {
                                if self.peek().is_some() {
                                    return Err(format!(
                                        "A function must be the last step of a path, at \
                                         position {}",
                                        self.pos.saturating_add(self.offset)
                                    ));
                                }
                                return Ok((segments, Some(function)));
                            }
                        },
                    }
                }
                '[' => segments.push(self.bracket()?),
                _ => return Err(self.error_here()),
            }
        }
        Ok((segments, None))
    }

    /// A name after `.`: up to the next `.`, `[`, `(` or space. A `(` makes it a function.
    fn name(&mut self) -> Result<NameOrFunction, String> {
        let start = self.pos;
        while let Some(c) = self.peek() {
            if matches!(c, '.' | '[' | '(' | ' ') {
                break;
            }
            self.advance();
        }
        let name = self.text_from(start);
        if name.is_empty() {
            return Err(self.error_here());
        }
        if self.peek() == Some('(') {
            self.advance();
            self.skip_spaces();
            if self.peek() != Some(')') {
                return Err(format!("Function {name}() takes no arguments here"));
            }
            self.advance();
            let function = match name.as_str() {
                "length" | "size" => Function::Length,
                "min" => Function::Min,
                "max" => Function::Max,
                "avg" => Function::Avg,
                "sum" => Function::Sum,
                "stddev" => Function::Stddev,
                "keys" => Function::Keys,
                _ => return Err(format!("Function with name: {name} does not exist.")),
            };
            return Ok(NameOrFunction::Function(function));
        }
        Ok(NameOrFunction::Name(name))
    }

    fn bracket(&mut self) -> Result<Segment, String> {
        let open = self.pos;
        self.advance();
        self.skip_spaces();
        match self.peek() {
            Some('?') => {
                self.advance();
                self.skip_spaces();
                if self.peek() != Some('(') {
                    return Err(self.error_here());
                }
                let body_start = self.pos.saturating_add(1);
                let close = matching_paren(&self.chars, self.pos).ok_or_else(|| {
                    format!(
                        "Filter starting at position {} is not closed",
                        open.saturating_add(self.offset)
                    )
                })?;
                // `close` is past the `(` at the cursor, so the body range is never reversed.
                let body: String = self
                    .chars
                    .get(body_start..close)
                    .unwrap_or_default()
                    .iter()
                    .collect();
                self.pos = close.saturating_add(1);
                self.expect_close()?;
                Ok(Segment::Filter(Box::new(parse_filter(
                    &body,
                    self.depth.saturating_add(1),
                )?)))
            }
            Some('*') => {
                self.advance();
                self.expect_close()?;
                Ok(Segment::Wildcard)
            }
            Some('\'' | '"') => {
                let mut names = Vec::new();
                loop {
                    self.skip_spaces();
                    let Some(q @ ('\'' | '"')) = self.peek() else {
                        return Err(self.error_here());
                    };
                    self.advance();
                    names.push(self.quoted(q)?);
                    self.skip_spaces();
                    match self.peek() {
                        Some(',') => self.advance(),
                        Some(']') => {
                            self.advance();
                            break;
                        }
                        _ => return Err(self.error_here()),
                    }
                }
                Ok(Segment::Property(names))
            }
            _ => {
                let start = self.pos;
                while self.peek().is_some_and(|c| c != ']') {
                    self.advance();
                }
                if self.peek() != Some(']') {
                    return Err(format!(
                        "Bracket at position {} is not closed",
                        open.saturating_add(self.offset)
                    ));
                }
                let body = self.text_from(start);
                self.advance();
                let body = body.trim();
                let bad = || format!("Could not parse array index or slice [{body}]");
                if body.is_empty() {
                    return Err(bad());
                }
                let bound = |text: &str| -> Result<Option<i64>, String> {
                    let text = text.trim();
                    if text.is_empty() {
                        Ok(None)
                    } else {
                        text.parse::<i64>().map(Some).map_err(|_| bad())
                    }
                };
                if let Some((from, to)) = body.split_once(':') {
                    // Jayway has no step: `[a:b:c]` is an error.
                    if to.contains(':') {
                        return Err(bad());
                    }
                    Ok(Segment::Slice(bound(from)?, bound(to)?))
                } else {
                    let indexes = body
                        .split(',')
                        .map(|part| bound(part)?.ok_or_else(bad))
                        .collect::<Result<Vec<i64>, String>>()?;
                    Ok(Segment::Index(indexes))
                }
            }
        }
    }

    fn expect_close(&mut self) -> Result<(), String> {
        self.skip_spaces();
        if self.peek() == Some(']') {
            self.advance();
            Ok(())
        } else {
            Err(self.error_here())
        }
    }

    /// The rest of a quoted name whose opening quote was consumed. A backslash keeps the next
    /// character from closing the name but stays in it: AWS reads `$['a\"b']` as the member
    /// `a\"b` (the corpus records this), unlike newer Jayway versions which unescape.
    fn quoted(&mut self, quote: char) -> Result<String, String> {
        let mut out = String::new();
        loop {
            match self.peek() {
                None => return Err("Property name is not closed with a quote".into()),
                Some('\\') => {
                    self.advance();
                    out.push('\\');
                    match self.peek() {
                        Some(c) => {
                            out.push(c);
                            self.advance();
                        }
                        None => return Err("Property name is not closed with a quote".into()),
                    }
                }
                Some(c) if c == quote => {
                    self.advance();
                    return Ok(out);
                }
                Some(c) => {
                    out.push(c);
                    self.advance();
                }
            }
        }
    }
}

enum NameOrFunction {
    Name(String),
    Function(Function),
}

/// The index of the `)` matching the `(` at `open`, skipping quoted strings and regexes.
fn matching_paren(chars: &[char], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = open;
    let mut quote: Option<char> = None;
    while let Some(&c) = chars.get(i) {
        match quote {
            Some(q) => {
                if c == '\\' {
                    i = i.saturating_add(1);
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                '\'' | '"' => quote = Some(c),
                '(' => depth = depth.saturating_add(1),
                ')' => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        return Some(i);
                    }
                }
                _ => {}
            },
        }
        i = i.saturating_add(1);
    }
    None
}
