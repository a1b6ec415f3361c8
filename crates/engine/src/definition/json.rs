//! A small JSON reader that keeps the position of every value and object key, so that each
//! diagnostic can name a line and column. It is strict RFC 8259 JSON (what AWS accepts: no
//! comments, no trailing commas), caps the nesting depth instead of overflowing the stack, and
//! converts to `serde_json::Value` for the parts of the model that stay JSON (templates, Result).

use bumpalo::Bump;
use serde_json::{Map, Number, Value};

/// Deepest nesting accepted. Real definitions stay far below; the cap keeps the recursive
/// reader (and everything that later walks the values) off the end of the stack, in the
/// browser too.
pub const MAX_DEPTH: usize = 128;

/// A 1-based line and column; the column counts characters, not bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

impl Pos {
    pub const START: Pos = Pos { line: 1, column: 1 };
}

/// A JSON value with the position of its first character. The tree lives in an arena
/// ([`parse`]'s `arena`): strings without escapes borrow the text, everything else is
/// allocated there, and it is all freed at once with the arena.
#[derive(Debug, Clone, PartialEq)]
pub struct Node<'a> {
    pub pos: Pos,
    pub kind: Kind<'a>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind<'a> {
    Null,
    Bool(bool),
    Number(Number),
    String(&'a str),
    Array(&'a [Node<'a>]),
    /// Members in text order, duplicates kept (lookups take the last, as serde_json does).
    Object(&'a [Member<'a>]),
}

/// One `"key": value` of an object.
#[derive(Debug, Clone, PartialEq)]
pub struct Member<'a> {
    pub key: &'a str,
    /// Position of the key's opening quote.
    pub key_pos: Pos,
    pub value: Node<'a>,
}

/// Why the text is not JSON, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub message: String,
    pub pos: Pos,
    /// JSON pointer of the innermost value being read when the error was found.
    pub pointer: String,
    /// The text is JSON so far but nested deeper than [`MAX_DEPTH`].
    pub too_deep: bool,
}

impl<'a> Node<'a> {
    /// The member `key` of an object (the last one when the key is repeated).
    pub fn get(&self, key: &str) -> Option<&Member<'a>> {
        match &self.kind {
            Kind::Object(members) => members.iter().rev().find(|m| m.key == key),
            _ => None,
        }
    }

    pub fn members(&self) -> &[Member<'a>] {
        match &self.kind {
            Kind::Object(members) => members,
            _ => &[],
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::String(s) => Some(s),
            _ => None,
        }
    }

    /// AWS's name for the JSON type, as used in "Expected value of type ..." messages.
    pub fn type_name(&self) -> &'static str {
        match &self.kind {
            Kind::Null => "Null",
            Kind::Bool(_) => "Boolean",
            Kind::Number(_) => "Number",
            Kind::String(_) => "String",
            Kind::Array(_) => "Array",
            Kind::Object(_) => "Object",
        }
    }

    /// The value as `serde_json::Value` (duplicate keys: the last wins, first position kept).
    pub fn to_value(&self) -> Value {
        match &self.kind {
            Kind::Null => Value::Null,
            Kind::Bool(b) => Value::Bool(*b),
            Kind::Number(n) => Value::Number(n.clone()),
            Kind::String(s) => Value::String(s.to_string()),
            Kind::Array(items) => Value::Array(items.iter().map(Node::to_value).collect()),
            Kind::Object(members) => {
                let mut map = Map::new();
                for m in members.iter() {
                    map.insert(m.key.to_string(), m.value.to_value());
                }
                Value::Object(map)
            }
        }
    }

    /// The position of the node that an RFC 6901 `pointer` (relative to this node) names: for
    /// an object member its key, for an array item its value. Where the pointer leads nowhere,
    /// the position of the deepest node it reached.
    pub fn position_of(&self, pointer: &str) -> Pos {
        let mut node = self;
        let mut pos = self.pos;
        if pointer.is_empty() {
            return pos;
        }
        for raw in pointer.split('/').skip(1) {
            let token = unescape_token(raw);
            let next = match &node.kind {
                Kind::Object(_) => node.get(&token).map(|m| (m.key_pos, &m.value)),
                Kind::Array(items) => token
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| items.get(i))
                    .map(|n| (n.pos, n)),
                _ => None,
            };
            match next {
                Some((p, n)) => {
                    pos = p;
                    node = n;
                }
                None => break,
            }
        }
        pos
    }
}

/// Escapes one reference token of a JSON pointer (RFC 6901: `~` as `~0`, `/` as `~1`).
pub fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

fn unescape_token(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// `base` followed by one more reference token.
pub fn child_pointer(base: &str, token: &str) -> String {
    // Called for every member of a definition, so built without `format!` and without the
    // escaping copies for the usual token that needs none.
    let mut pointer =
        String::with_capacity(base.len().saturating_add(token.len()).saturating_add(1));
    pointer.push_str(base);
    pointer.push('/');
    if token.contains(['~', '/']) {
        pointer.push_str(&escape_token(token));
    } else {
        pointer.push_str(token);
    }
    pointer
}

/// Reads `text` as one JSON value, allocating its nodes in `arena`.
pub fn parse<'a>(text: &'a str, arena: &'a Bump) -> Result<Node<'a>, SyntaxError> {
    let mut reader = Reader {
        arena,
        text,
        bytes: text.as_bytes(),
        index: 0,
        pos: Pos::START,
        members: Vec::new(),
        items: Vec::new(),
    };
    // A byte order mark is not content.
    if reader.peek_char() == Some('\u{feff}') {
        reader.bump();
    }
    reader.skip_whitespace();
    if reader.peek().is_none() {
        return Err(reader.error("the definition is empty"));
    }
    let node = reader.value(0)?;
    reader.skip_whitespace();
    match reader.peek_char() {
        None => Ok(node),
        Some(c) => Err(reader.error(&format!(
            "unexpected {} after the end of the JSON value",
            describe(c)
        ))),
    }
}

/// Reads the text byte by byte (JSON's structure is ASCII) and keeps the position in
/// characters. An error's pointer is built on the way out, each enclosing object member or
/// array item adding its token, so reading valid JSON keeps no path.
struct Reader<'a> {
    arena: &'a Bump,
    text: &'a str,
    bytes: &'a [u8],
    /// A byte offset, always at a character boundary.
    index: usize,
    pos: Pos,
    /// The members of the objects being read, innermost last; an object moves its own off the
    /// end into the arena when it closes. `items` does the same for arrays.
    members: Vec<Member<'a>>,
    items: Vec<Node<'a>>,
}

fn describe(c: char) -> String {
    if c.is_control() {
        format!("character U+{:04X}", u32::from(c))
    } else {
        format!("character '{c}'")
    }
}

/// UTF-8 continuation bytes do not start a character (nor a column).
fn starts_char(byte: u8) -> bool {
    byte & 0xC0 != 0x80
}

/// How many bytes at the start of `bytes` are plain string content (not `"`, `\` or a control
/// character), and how many of those are UTF-8 continuation bytes. Eight bytes at a time: a
/// definition's strings are a third of its text.
fn plain_run(bytes: &[u8]) -> (usize, usize) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH_BITS: u64 = 0x8080_8080_8080_8080;
    const QUOTES: u64 = 0x2222_2222_2222_2222;
    const BACKSLASHES: u64 = 0x5C5C_5C5C_5C5C_5C5C;
    const SPACES: u64 = 0x2020_2020_2020_2020;
    let continuation = |run: &[u8]| run.iter().filter(|&&b| !starts_char(b)).count();
    let mut plain = 0usize;
    let mut continuation_bytes = 0usize;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in chunks.by_ref() {
        let Ok(eight) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let word = u64::from_le_bytes(eight);
        // The classic test for a zero byte, (x - 0x01..) & !x & 0x80.., marks the first byte
        // that equals a quote or a backslash (xor makes it zero) or is below 0x20; bytes after
        // it may be marked falsely, so only the lowest mark counts.
        let quote = word ^ QUOTES;
        let backslash = word ^ BACKSLASHES;
        let marks = ((quote.wrapping_sub(ONES) & !quote)
            | (backslash.wrapping_sub(ONES) & !backslash)
            | (word.wrapping_sub(SPACES) & !word))
            & HIGH_BITS;
        if marks != 0 {
            let first = usize::try_from(marks.trailing_zeros() / 8).unwrap_or(0);
            let run = chunk.get(..first).unwrap_or_default();
            return (
                plain.saturating_add(first),
                continuation_bytes.saturating_add(continuation(run)),
            );
        }
        if word & HIGH_BITS != 0 {
            continuation_bytes = continuation_bytes.saturating_add(continuation(chunk));
        }
        plain = plain.saturating_add(8);
    }
    let tail = chunks.remainder();
    let end = tail
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        .unwrap_or(tail.len());
    let run = tail.get(..end).unwrap_or_default();
    (
        plain.saturating_add(end),
        continuation_bytes.saturating_add(continuation(run)),
    )
}

impl SyntaxError {
    /// The error as seen from the enclosing value: `token` leads to where it was found.
    fn inside(mut self, token: &str) -> Self {
        self.pointer.insert_str(0, &child_pointer("", token));
        self
    }
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.index).copied()
    }

    fn peek_char(&self) -> Option<char> {
        self.text.get(self.index..)?.chars().next()
    }

    /// Moves past one character.
    fn bump(&mut self) -> Option<char> {
        let c = self.peek_char()?;
        self.index = self.index.saturating_add(c.len_utf8());
        match c {
            '\n' => self.newline(),
            // A lone CR ends a line too; in CRLF the LF does it.
            '\r' if self.peek() != Some(b'\n') => self.newline(),
            _ => self.pos.column = self.pos.column.saturating_add(1),
        }
        Some(c)
    }

    /// Moves past an ASCII byte that is not a line break (what the caller has just peeked).
    fn bump_ascii(&mut self) {
        self.advance_ascii(1);
    }

    /// Moves past `count` ASCII bytes, none a line break.
    fn advance_ascii(&mut self, count: usize) {
        self.index = self.index.saturating_add(count);
        let columns = u32::try_from(count).unwrap_or(u32::MAX);
        self.pos.column = self.pos.column.saturating_add(columns);
    }

    fn newline(&mut self) {
        self.pos.line = self.pos.line.saturating_add(1);
        self.pos.column = 1;
    }

    fn error(&self, message: &str) -> SyntaxError {
        SyntaxError {
            message: message.to_string(),
            pos: self.pos,
            pointer: String::new(),
            too_deep: false,
        }
    }

    fn unexpected(&self, expected: &str) -> SyntaxError {
        match self.peek_char() {
            None => self.error(&format!("unexpected end of text, expected {expected}")),
            Some(c) => self.error(&format!("unexpected {}, expected {expected}", describe(c))),
        }
    }

    fn skip_whitespace(&mut self) {
        loop {
            // Indentation comes in runs: skipped as one.
            let run = self
                .bytes
                .get(self.index..)
                .unwrap_or_default()
                .iter()
                .take_while(|&&b| b == b' ' || b == b'\t')
                .count();
            self.advance_ascii(run);
            match self.peek() {
                Some(b'\n' | b'\r') => {
                    self.bump();
                }
                _ => break,
            }
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node<'a>, SyntaxError> {
        let pos = self.pos;
        let kind = match self.peek() {
            Some(b'{') => self.object(depth)?,
            Some(b'[') => self.array(depth)?,
            Some(b'"') => Kind::String(self.string()?),
            Some(b'-' | b'0'..=b'9') => Kind::Number(self.number()?),
            Some(b't') => self.literal("true", Kind::Bool(true))?,
            Some(b'f') => self.literal("false", Kind::Bool(false))?,
            Some(b'n') => self.literal("null", Kind::Null)?,
            _ => return Err(self.unexpected("a JSON value")),
        };
        Ok(Node { pos, kind })
    }

    fn literal(&mut self, word: &str, kind: Kind<'a>) -> Result<Kind<'a>, SyntaxError> {
        let start = self.pos;
        let invalid = || SyntaxError {
            message: format!("invalid literal, expected '{word}'"),
            pos: start,
            pointer: String::new(),
            too_deep: false,
        };
        for expected in word.bytes() {
            if self.peek() != Some(expected) {
                return Err(invalid());
            }
            self.bump_ascii();
        }
        // `truex` is one bad token, not `true` followed by garbage.
        if matches!(self.peek_char(), Some(c) if c.is_alphanumeric()) {
            return Err(invalid());
        }
        Ok(kind)
    }

    fn enter(&self, depth: usize) -> Result<usize, SyntaxError> {
        if depth >= MAX_DEPTH {
            Err(SyntaxError {
                too_deep: true,
                ..self.error(&format!(
                    "the JSON is nested more than {MAX_DEPTH} levels deep"
                ))
            })
        } else {
            Ok(depth.saturating_add(1))
        }
    }

    fn object(&mut self, depth: usize) -> Result<Kind<'a>, SyntaxError> {
        let depth = self.enter(depth)?;
        self.bump_ascii(); // '{'
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.bump_ascii();
            return Ok(Kind::Object(&[]));
        }
        let start = self.members.len();
        loop {
            self.skip_whitespace();
            if self.peek() != Some(b'"') {
                return Err(self.unexpected("a member name in double quotes"));
            }
            let key_pos = self.pos;
            let key = self.string()?;
            self.skip_whitespace();
            if self.peek() != Some(b':') {
                return Err(self.unexpected("':' after a member name"));
            }
            self.bump_ascii();
            self.skip_whitespace();
            let value = self.value(depth).map_err(|e| e.inside(key))?;
            self.members.push(Member {
                key,
                key_pos,
                value,
            });
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.bump_ascii(),
                Some(b'}') => {
                    self.bump_ascii();
                    let members = self.members.drain(start..);
                    return Ok(Kind::Object(self.arena.alloc_slice_fill_iter(members)));
                }
                _ => return Err(self.unexpected("',' or '}' after an object member")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Kind<'a>, SyntaxError> {
        let depth = self.enter(depth)?;
        self.bump_ascii(); // '['
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.bump_ascii();
            return Ok(Kind::Array(&[]));
        }
        let start = self.items.len();
        loop {
            self.skip_whitespace();
            let index = self.items.len().saturating_sub(start);
            let item = self
                .value(depth)
                .map_err(|e| e.inside(&index.to_string()))?;
            self.items.push(item);
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.bump_ascii(),
                Some(b']') => {
                    self.bump_ascii();
                    let items = self.items.drain(start..);
                    return Ok(Kind::Array(self.arena.alloc_slice_fill_iter(items)));
                }
                _ => return Err(self.unexpected("',' or ']' after an array item")),
            }
        }
    }

    fn string(&mut self) -> Result<&'a str, SyntaxError> {
        // After the opening quote. Most strings have no escape: they are borrowed as one slice.
        self.bump_ascii();
        let start = self.index;
        let rest = self.bytes.get(start..).unwrap_or_default();
        let (plain, continuation_bytes) = plain_run(rest);
        self.index = start.saturating_add(plain);
        let columns = u32::try_from(plain.saturating_sub(continuation_bytes)).unwrap_or(u32::MAX);
        self.pos.column = self.pos.column.saturating_add(columns);
        // The scan stopped at an ASCII byte or the end: a character boundary.
        let plain = self.text.get(start..self.index).unwrap_or_default();
        if self.peek() == Some(b'"') {
            self.bump_ascii();
            return Ok(plain);
        }
        let mut out = String::from(plain);
        loop {
            match self.peek_char() {
                None => return Err(self.error("unterminated string")),
                Some('"') => {
                    self.bump_ascii();
                    return Ok(self.arena.alloc_str(&out));
                }
                Some('\\') => {
                    self.bump_ascii();
                    out.push(self.escape()?);
                }
                Some(c) if u32::from(c) < 0x20 => {
                    return Err(self.error(&format!(
                        "unescaped control character U+{:04X} in a string",
                        u32::from(c)
                    )))
                }
                Some(c) => {
                    self.bump();
                    out.push(c);
                }
            }
        }
    }

    /// After a backslash.
    fn escape(&mut self) -> Result<char, SyntaxError> {
        let c = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.bump_ascii();
                return self.unicode_escape();
            }
            _ => return Err(self.unexpected("a valid escape sequence")),
        };
        self.bump_ascii();
        Ok(c)
    }

    /// After `\u`: four hex digits, and a second `\uXXXX` for a surrogate pair.
    fn unicode_escape(&mut self) -> Result<char, SyntaxError> {
        let first = self.hex4()?;
        if (0xD800..0xDC00).contains(&first) {
            if self.peek() == Some(b'\\')
                && self.bytes.get(self.index.saturating_add(1)) == Some(&b'u')
            {
                self.bump_ascii();
                self.bump_ascii();
                let second = self.hex4()?;
                if (0xDC00..0xE000).contains(&second) {
                    // Both halves were range-checked, so none of this saturates.
                    let high = first.saturating_sub(0xD800) << 10;
                    let low = second.saturating_sub(0xDC00);
                    let code = 0x10000u32.saturating_add(high).saturating_add(low);
                    return char::from_u32(code)
                        .ok_or_else(|| self.error("invalid unicode escape"));
                }
            }
            return Err(self.error("unpaired surrogate in a unicode escape"));
        }
        char::from_u32(first).ok_or_else(|| self.error("unpaired surrogate in a unicode escape"))
    }

    fn hex4(&mut self) -> Result<u32, SyntaxError> {
        let mut code = 0u32;
        for _ in 0..4 {
            let digit = self
                .peek()
                .and_then(|b| char::from(b).to_digit(16))
                .ok_or_else(|| self.unexpected("four hexadecimal digits after \\u"))?;
            self.bump_ascii();
            // At most four hex digits: the code stays below 0x10000.
            code = code.saturating_mul(16).saturating_add(digit);
        }
        Ok(code)
    }

    fn digits(&mut self) -> usize {
        let mut count = 0usize;
        while let Some(b'0'..=b'9') = self.peek() {
            self.bump_ascii();
            count = count.saturating_add(1);
        }
        count
    }

    fn number(&mut self) -> Result<Number, SyntaxError> {
        let start_pos = self.pos;
        let start = self.index;
        if self.peek() == Some(b'-') {
            self.bump_ascii();
        }
        match self.peek() {
            Some(b'0') => {
                self.bump_ascii();
                if matches!(self.peek(), Some(b'0'..=b'9')) {
                    return Err(self.error("leading zeros are not allowed in a number"));
                }
            }
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.unexpected("a digit")),
        }
        if self.peek() == Some(b'.') {
            self.bump_ascii();
            if self.digits() == 0 {
                return Err(self.unexpected("a digit after the decimal point"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.bump_ascii();
            if let Some(b'+' | b'-') = self.peek() {
                self.bump_ascii();
            }
            if self.digits() == 0 {
                return Err(self.unexpected("a digit in the exponent"));
            }
        }
        // Only ASCII was read, so the slice is at character boundaries.
        let text = self.text.get(start..self.index).unwrap_or_default();
        // A plain integer (most numbers in a definition) is read here; anything else by
        // serde_json below. Both give the same Number (serde_json reads `-0` as -0.0).
        if text.len() < 19 && !text.contains(['.', 'e', 'E']) && text != "-0" {
            if let Ok(n) = text.parse::<u64>() {
                return Ok(Number::from(n));
            }
            if let Ok(n) = text.parse::<i64>() {
                return Ok(Number::from(n));
            }
        }
        // serde_json turns the text into an integer or a double exactly as it would when
        // reading the whole document, so `0` and `0.0` stay distinct.
        serde_json::from_str::<Number>(text).map_err(|_| SyntaxError {
            message: format!("number out of range: {text}"),
            pos: start_pos,
            pointer: String::new(),
            too_deep: false,
        })
    }
}

/// A JSON value's type as a message names it: "a string", "an object", "null".
pub fn described_type(value: &serde_json::Value) -> &'static str {
    use serde_json::Value;
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`super::parse`] with an arena of its own (left to the end of the test process).
    fn parse(text: &str) -> Result<Node<'_>, SyntaxError> {
        super::parse(text, Box::leak(Box::new(Bump::new())))
    }

    #[test]
    fn positions_count_characters_and_lines() {
        let node = parse("{\n  \"é\": [1, \"x\"],\r\n  \"b\": null}").unwrap();
        assert_eq!(node.position_of("/é"), Pos { line: 2, column: 3 });
        assert_eq!(
            node.position_of("/é/1"),
            Pos {
                line: 2,
                column: 12
            }
        );
        assert_eq!(node.position_of("/b"), Pos { line: 3, column: 3 });
        assert_eq!(node.position_of("/missing"), Pos { line: 1, column: 1 });
    }

    #[test]
    fn errors_carry_position_and_pointer() {
        let err = parse("{\"a\": [1, 2,]}").unwrap_err();
        assert_eq!(
            err.pos,
            Pos {
                line: 1,
                column: 13
            }
        );
        assert_eq!(err.pointer, "/a/2");
        let err = parse("{\"a\": 01}").unwrap_err();
        assert!(err.message.contains("leading zeros"), "{}", err.message);
        assert!(parse("").is_err());
        assert!(parse("[1] x").is_err());
        assert!(parse("\"\\ud800\"").is_err());
        assert!(parse("tru").is_err());
        assert_eq!(parse("\"\\ud83d\\ude00\"").unwrap().to_value(), "😀");
    }

    #[test]
    fn strings_with_escapes_and_wide_characters_keep_columns() {
        // Columns count source characters: "é" and "😀" one each, `\u00e9` six.
        let text = "{\"é😀\\n\\u00e9x\": 1, \"a/b\": [true, tru]}";
        let err = parse(text).unwrap_err();
        assert_eq!(
            err.pos,
            Pos {
                line: 1,
                column: 34
            }
        );
        assert_eq!(err.pointer, "/a~1b/1");
        let node = parse("{\"é😀\\n\\u00e9x\": \"\\\"q\"}").unwrap();
        assert_eq!(node.to_value(), serde_json::json!({"é😀\néx": "\"q"}));
        assert_eq!(
            parse("\"a\u{1}\"").unwrap_err().message,
            "unescaped control character U+0001 in a string"
        );
    }

    #[test]
    fn depth_is_capped() {
        let deep = "[".repeat(100_000);
        let err = parse(&deep).unwrap_err();
        assert!(err.message.contains("nested"), "{}", err.message);
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse(&ok).is_ok());
    }

    #[test]
    fn plain_runs_stop_at_the_first_special_byte() {
        // Every length around the eight-byte steps, each stop byte at every place, and
        // multi-byte characters on both sides of a step.
        for text in [
            "",
            "a",
            "abcdefg",
            "abcdefgh",
            "abcdefghi",
            "ééééé",
            "a😀bcdefghé",
        ] {
            for stop in ["\"", "\\", "\n", "\u{1}", ""] {
                for at in 0..=text.chars().count() {
                    let split = text.char_indices().nth(at).map_or(text.len(), |(i, _)| i);
                    let input = format!("{}{stop}{}", &text[..split], &text[split..]);
                    let want_plain = if stop.is_empty() { input.len() } else { split };
                    let want_continuation = input.as_bytes()[..want_plain]
                        .iter()
                        .filter(|&&b| !starts_char(b))
                        .count();
                    assert_eq!(
                        plain_run(input.as_bytes()),
                        (want_plain, want_continuation),
                        "{input:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn integers_read_directly_equal_serde_jsons() {
        for text in [
            "0",
            "-0",
            "7",
            "-1",
            "123456789012345678",
            "-12345678901234567",
        ] {
            let ours = parse(text).unwrap().to_value();
            let serde: Value = serde_json::from_str(text).unwrap();
            assert_eq!(ours, serde, "{text}");
            assert_eq!(ours.to_string(), serde.to_string(), "{text}");
        }
    }

    #[test]
    fn numbers_keep_their_kind() {
        let v = parse("[0, 0.0, -1, 1e2, 18446744073709551616]")
            .unwrap()
            .to_value();
        assert_eq!(
            serde_json::to_string(&v).unwrap(),
            "[0,0.0,-1,100.0,1.8446744073709552e+19]"
        );
    }
}
