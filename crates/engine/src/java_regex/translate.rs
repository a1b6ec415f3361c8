//! Reads a Java regular expression (`java.util.regex.Pattern` syntax) and writes the pattern
//! with the same meaning in the `regex` crate's syntax, resolving Java's defaults as it goes:
//! `\d \w \s \b` and the POSIX classes are ASCII-only unless the `U` flag is set, `i` folds only
//! ASCII letters unless `u` (or `U`) is set, `.` stops at every Java line terminator. Literal
//! characters are written as `\x{..}` escapes, so nothing in the output is read as syntax by
//! accident. What has no linear-time equivalent (backreferences, lookaround, atomic groups,
//! possessive quantifiers) is refused with the construct's name and index.

use crate::char_cursor::{impl_char_cursor, CharCursor};

/// How deeply groups may nest: deeper patterns are refused rather than risking the stack.
const MAX_GROUP_NESTING: usize = 50;

/// Java's match flags, as letters in `/.../flags` and in inline groups `(?i)`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(super) struct Flags {
    /// `i`: letters match either case (ASCII letters only, unless `unicode_case`).
    pub(super) case_insensitive: bool,
    /// `u`: `i` folds every letter, not only ASCII ones.
    pub(super) unicode_case: bool,
    /// `m`: `^` and `$` match at line terminators too.
    pub(super) multiline: bool,
    /// `s`: `.` matches line terminators too.
    pub(super) dot_all: bool,
    /// `d`: only `\n` ends a line (for `.`, `^` and `$`).
    pub(super) unix_lines: bool,
    /// `x`: whitespace and `#` comments in the pattern are ignored.
    pub(super) comments: bool,
    /// `U`: `\d \w \s \b` and the POSIX classes are Unicode's (and `i` folds every letter).
    pub(super) unicode_classes: bool,
}

impl Flags {
    /// Sets (`on`) or clears the flag of a letter; `false` for a letter that is no flag.
    pub(super) fn set(&mut self, letter: char, on: bool) -> bool {
        let flag = match letter {
            'i' => &mut self.case_insensitive,
            'u' => &mut self.unicode_case,
            'm' => &mut self.multiline,
            's' => &mut self.dot_all,
            'd' => &mut self.unix_lines,
            'x' => &mut self.comments,
            'U' => &mut self.unicode_classes,
            _ => return false,
        };
        *flag = on;
        true
    }

    fn unicode_folding(self) -> bool {
        self.unicode_case || self.unicode_classes
    }
}

/// The `regex` crate's pattern for a Java `pattern` under `flags`.
pub(super) fn translate(pattern: &str, flags: Flags) -> Result<String, String> {
    let mut translator = Translator {
        chars: pattern.chars().collect(),
        pos: 0,
        depth: 0,
        flags,
    };
    let out = translator.alternatives()?;
    if translator.pos < translator.chars.len() {
        return Err(format!("Unmatched ')' at index {}", translator.pos));
    }
    Ok(out)
}

struct Translator {
    chars: Vec<char>,
    pos: usize,
    depth: usize,
    flags: Flags,
}

impl_char_cursor!(Translator);

/// One element of a character class.
enum ClassItem {
    /// A single character, which may start a range.
    Char(char),
    /// A class (`\d`, `\p{L}`, `[a-z]`), in the output syntax, usable inside brackets.
    Set(String),
}

impl Translator {
    fn at(&self, what: &str) -> String {
        format!("{what} at index {}", self.pos)
    }

    /// An error for a construct that has no linear-time match.
    fn unsupported(&self, construct: &str) -> String {
        self.at(&format!(
            "{construct} is not supported (it cannot be matched in linear time)"
        ))
    }

    /// Skips whitespace and `#` comments when the `x` flag is on.
    fn skip_comments(&mut self) {
        if !self.flags.comments {
            return;
        }
        while let Some(c) = self.peek() {
            if is_java_space(c) {
                self.advance();
            } else if c == '#' {
                while self.peek().is_some_and(|c| !is_line_terminator(c)) {
                    self.advance();
                }
            } else {
                break;
            }
        }
    }

    fn alternatives(&mut self) -> Result<String, String> {
        self.depth = self.depth.saturating_add(1);
        if self.depth > MAX_GROUP_NESTING {
            return Err(self.at(&format!("Groups nest more than {MAX_GROUP_NESTING} deep")));
        }
        // An inline flag `(?i)` lasts to the end of the group it is in.
        let saved = self.flags;
        let mut out = self.sequence()?;
        while self.peek() == Some('|') {
            self.advance();
            out.push('|');
            out.push_str(&self.sequence()?);
        }
        self.flags = saved;
        self.depth = self.depth.saturating_sub(1);
        Ok(out)
    }

    fn sequence(&mut self) -> Result<String, String> {
        let mut out = String::new();
        loop {
            self.skip_comments();
            match self.peek() {
                None | Some('|' | ')') => break,
                Some(_) => {}
            }
            let Some(atom) = self.atom()? else {
                continue;
            };
            self.skip_comments();
            out.push_str(&self.quantified(atom)?);
        }
        Ok(out)
    }

    /// The next atom, or `None` for an inline flag group `(?i)`, which matches nothing.
    fn atom(&mut self) -> Result<Option<String>, String> {
        let Some(c) = self.peek() else {
            return Err(self.at("Unexpected end of pattern"));
        };
        let atom = match c {
            '(' => return self.group(),
            '[' => {
                self.advance();
                let class = self.class()?;
                if self.flags.case_insensitive && self.flags.unicode_folding() {
                    format!("(?i:{class})")
                } else {
                    class
                }
            }
            '.' => {
                self.advance();
                if self.flags.dot_all {
                    "(?s:.)".to_string()
                } else if self.flags.unix_lines {
                    r"[^\n]".to_string()
                } else {
                    r"[^\n\r\x{85}\x{2028}\x{2029}]".to_string()
                }
            }
            '^' => {
                self.advance();
                self.line_anchor('^', r"\A")
            }
            '$' => {
                self.advance();
                // Without `m`, Java's `$` also matches before a final line terminator; a
                // whole-string match only differs when the pattern goes on to match it.
                self.line_anchor('$', r"\z")
            }
            '\\' => {
                self.advance();
                self.escape()?
            }
            '*' | '+' | '?' => {
                return Err(self.at(&format!("Dangling meta character '{c}'")));
            }
            '{' => return Err(self.at("Illegal repetition")),
            c => {
                self.advance();
                self.literal(c)
            }
        };
        Ok(Some(atom))
    }

    fn line_anchor(&self, anchor: char, whole_text: &str) -> String {
        match (self.flags.multiline, self.flags.unix_lines) {
            (false, _) => whole_text.to_string(),
            (true, true) => format!("(?m:{anchor})"),
            (true, false) => format!("(?mR:{anchor})"),
        }
    }

    /// A group, the cursor on its `(`.
    fn group(&mut self) -> Result<Option<String>, String> {
        let start = self.pos;
        self.advance();
        if self.peek() == Some('?') {
            self.advance();
            match (self.peek(), self.peek_at(1)) {
                (Some(':'), _) => self.advance(),
                (Some('='), _) | (Some('!'), _) => {
                    self.pos = start;
                    return Err(self.unsupported("Lookahead (?=...) or (?!...)"));
                }
                (Some('<'), Some('=' | '!')) => {
                    self.pos = start;
                    return Err(self.unsupported("Lookbehind (?<=...) or (?<!...)"));
                }
                (Some('>'), _) => {
                    self.pos = start;
                    return Err(self.unsupported("An atomic group (?>...)"));
                }
                (Some('<'), _) => {
                    // A named group: only whether it matches matters here, not what it holds.
                    self.advance();
                    while self.peek().is_some_and(|c| c.is_ascii_alphanumeric()) {
                        self.advance();
                    }
                    if self.peek() != Some('>') {
                        return Err(self.at("Named group is missing its '>'"));
                    }
                    self.advance();
                }
                _ => {
                    let mut on = true;
                    let mut flags = self.flags;
                    loop {
                        match self.peek() {
                            Some(')') => {
                                self.advance();
                                self.flags = flags;
                                return Ok(None);
                            }
                            Some(':') => {
                                self.advance();
                                let outer = self.flags;
                                self.flags = flags;
                                let inner = self.group_body()?;
                                self.flags = outer;
                                return Ok(Some(inner));
                            }
                            Some('-') if on => on = false,
                            Some(letter) if flags.set(letter, on) => {}
                            _ => return Err(self.at("Unknown inline modifier")),
                        }
                        self.advance();
                    }
                }
            }
        }
        self.group_body().map(Some)
    }

    /// The alternatives of a group up to and past its `)`.
    fn group_body(&mut self) -> Result<String, String> {
        let inner = self.alternatives()?;
        if self.peek() != Some(')') {
            return Err(self.at("Unclosed group"));
        }
        self.advance();
        Ok(format!("(?:{inner})"))
    }

    fn quantified(&mut self, atom: String) -> Result<String, String> {
        let (min, max) = match self.peek() {
            Some('*') => (0, None),
            Some('+') => (1, None),
            Some('?') => (0, Some(1)),
            Some('{') => {
                self.advance();
                let min = self.number()?;
                let max = if self.peek() == Some(',') {
                    self.advance();
                    if self.peek() == Some('}') {
                        None
                    } else {
                        Some(self.number()?)
                    }
                } else {
                    Some(min)
                };
                if self.peek() != Some('}') {
                    return Err(self.at("Unclosed counted closure"));
                }
                if max.is_some_and(|max| max < min) {
                    return Err(self.at("Illegal repetition range"));
                }
                (min, max)
            }
            _ => return Ok(atom),
        };
        self.advance();
        match self.peek() {
            // Lazy or greedy, a whole-string match has the same outcome.
            Some('?') => self.advance(),
            Some('+') => return Err(self.unsupported("A possessive quantifier (*+, ++, ?+, {n}+)")),
            _ => {}
        }
        let bounds = match max {
            Some(max) if max == min => format!("{{{min}}}"),
            Some(max) => format!("{{{min},{max}}}"),
            None => format!("{{{min},}}"),
        };
        Ok(format!("(?:{atom}){bounds}"))
    }

    fn number(&mut self) -> Result<u32, String> {
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.advance();
        }
        self.text_from(start)
            .parse()
            .map_err(|_| self.at("Illegal repetition"))
    }

    /// A literal character, under `i` matching its other case too.
    fn literal(&self, c: char) -> String {
        if !self.flags.case_insensitive || !c.is_alphabetic() {
            return escaped(c);
        }
        if self.flags.unicode_folding() {
            return format!("(?i:{})", escaped(c));
        }
        if c.is_ascii_alphabetic() {
            let (lower, upper) = (c.to_ascii_lowercase(), c.to_ascii_uppercase());
            return format!("[{lower}{upper}]");
        }
        escaped(c)
    }

    /// The atom of an escape outside a class, the cursor past the `\`.
    fn escape(&mut self) -> Result<String, String> {
        let Some(c) = self.peek() else {
            return Err(self.at("The pattern ends with '\\'"));
        };
        match c {
            'b' | 'B' => {
                self.advance();
                if self.peek() == Some('{') {
                    return Err(self.unsupported("A grapheme boundary \\b{g}"));
                }
                // Java's `\b` agrees with its `\w`: ASCII unless `U`.
                Ok(match (self.flags.unicode_classes, c) {
                    (true, 'b') => r"\b",
                    (true, _) => r"\B",
                    (false, 'b') => r"(?-u:\b)",
                    (false, _) => r"(?-u:\B)",
                }
                .to_string())
            }
            // A whole-string match starts where the previous match ended (`\G`) and Java's `\Z`
            // differs from `\z` only before a final line terminator, as `$` does.
            'A' | 'G' => {
                self.advance();
                Ok(r"\A".to_string())
            }
            'z' | 'Z' => {
                self.advance();
                Ok(r"\z".to_string())
            }
            'Q' => {
                self.advance();
                let mut out = String::from("(?:");
                while let Some(c) = self.peek() {
                    if c == '\\' && self.peek_at(1) == Some('E') {
                        self.advance_by(2);
                        break;
                    }
                    out.push_str(&self.literal(c));
                    self.advance();
                }
                out.push(')');
                Ok(out)
            }
            '1'..='9' | 'k' => {
                self.pos = self.pos.saturating_sub(1);
                Err(self.unsupported(&format!("A backreference \\{c}")))
            }
            'R' | 'X' | 'N' => {
                self.pos = self.pos.saturating_sub(1);
                Err(self.at(&format!("\\{c} is not supported")))
            }
            _ => match self.class_escape()? {
                ClassItem::Char(c) => Ok(self.literal(c)),
                ClassItem::Set(set) => Ok(format!("[{set}]")),
            },
        }
    }

    /// An escape that means one character or a class (valid inside brackets too), the
    /// cursor on the character after the `\`.
    fn class_escape(&mut self) -> Result<ClassItem, String> {
        let Some(c) = self.peek() else {
            return Err(self.at("Unclosed character class"));
        };
        self.advance();
        let unicode = self.flags.unicode_classes;
        let set = |ascii: &str, unicode_set: &str, negated: bool| {
            let set = if unicode { unicode_set } else { ascii };
            ClassItem::Set(if negated {
                format!("[^{set}]")
            } else {
                set.to_string()
            })
        };
        Ok(match c {
            'd' | 'D' => set("0-9", r"\p{Nd}", c == 'D'),
            'w' | 'W' => set("0-9A-Za-z_", r"\w", c == 'W'),
            's' | 'S' => set(r"\t\n\x0B\f\r ", r"\s", c == 'S'),
            'h' | 'H' => {
                let horizontal =
                    r" \t\x{A0}\x{1680}\x{180e}\x{2000}-\x{200a}\x{202f}\x{205f}\x{3000}";
                ClassItem::Set(if c == 'H' {
                    format!("[^{horizontal}]")
                } else {
                    horizontal.to_string()
                })
            }
            'v' | 'V' => {
                let vertical = r"\n\x0B\f\r\x{85}\x{2028}\x{2029}";
                ClassItem::Set(if c == 'V' {
                    format!("[^{vertical}]")
                } else {
                    vertical.to_string()
                })
            }
            'p' | 'P' => ClassItem::Set(self.property(c == 'P')?),
            't' => ClassItem::Char('\t'),
            'n' => ClassItem::Char('\n'),
            'r' => ClassItem::Char('\r'),
            'f' => ClassItem::Char('\u{c}'),
            'a' => ClassItem::Char('\u{7}'),
            'e' => ClassItem::Char('\u{1b}'),
            '0' => {
                // Up to three octal digits, the first of three at most 3.
                let mut value = 0u32;
                let mut digits = 0u8;
                while let Some(d) = self.peek().and_then(|d| d.to_digit(8)) {
                    let next = value.saturating_mul(8).saturating_add(d);
                    if digits == 3 || next > 0o377 {
                        break;
                    }
                    value = next;
                    digits = digits.saturating_add(1);
                    self.advance();
                }
                if digits == 0 {
                    return Err(self.at("Illegal octal escape sequence"));
                }
                ClassItem::Char(char::from_u32(value).unwrap_or_default())
            }
            'x' => {
                let code = if self.peek() == Some('{') {
                    self.advance();
                    let code = self.hex_digits(usize::MAX)?;
                    if self.peek() != Some('}') {
                        return Err(self.at("Unclosed hexadecimal escape sequence"));
                    }
                    self.advance();
                    code
                } else {
                    self.exact_hex(2)?
                };
                ClassItem::Char(
                    char::from_u32(code)
                        .ok_or_else(|| self.at("Hexadecimal codepoint is too big"))?,
                )
            }
            'u' => {
                let code = self.exact_hex(4)?;
                ClassItem::Char(
                    char::from_u32(code)
                        .ok_or_else(|| self.at("A lone surrogate \\u escape is not supported"))?,
                )
            }
            'c' => {
                let Some(control) = self.peek() else {
                    return Err(self.at("Illegal control escape sequence"));
                };
                self.advance();
                ClassItem::Char(char::from_u32(u32::from(control) ^ 64).unwrap_or_default())
            }
            c if c.is_ascii_alphanumeric() => {
                // The index of the backslash.
                self.pos = self.pos.saturating_sub(2);
                return Err(self.at(&format!("Illegal/unsupported escape sequence \\{c}")));
            }
            c => ClassItem::Char(c),
        })
    }

    fn hex_digits(&mut self, most: usize) -> Result<u32, String> {
        let mut value = 0u32;
        let mut digits = 0usize;
        while let Some(d) = self.peek().and_then(|d| d.to_digit(16)) {
            if digits == most {
                break;
            }
            value = value
                .checked_mul(16)
                .and_then(|v| v.checked_add(d))
                .ok_or_else(|| self.at("Hexadecimal codepoint is too big"))?;
            digits = digits.saturating_add(1);
            self.advance();
        }
        if digits == 0 {
            return Err(self.at("Illegal hexadecimal escape sequence"));
        }
        Ok(value)
    }

    fn exact_hex(&mut self, count: usize) -> Result<u32, String> {
        let start = self.pos;
        let value = self.hex_digits(count)?;
        if self.pos.saturating_sub(start) != count {
            return Err(self.at("Illegal hexadecimal escape sequence"));
        }
        Ok(value)
    }

    /// `\p{Name}` or `\pL` (the cursor after the `p`), as a class body.
    fn property(&mut self, negated: bool) -> Result<String, String> {
        let name = if self.peek() == Some('{') {
            self.advance();
            let start = self.pos;
            while self.peek().is_some_and(|c| c != '}') {
                self.advance();
            }
            if self.peek() != Some('}') {
                return Err(self.at("Unclosed character family"));
            }
            let name = self.text_from(start);
            self.advance();
            name
        } else {
            let Some(c) = self.peek() else {
                return Err(self.at("Illegal character family"));
            };
            self.advance();
            c.to_string()
        };
        let set = property_set(&name, self.flags.unicode_classes)
            .ok_or_else(|| self.at(&format!("Unknown or unsupported character property {name}")))?;
        Ok(if negated { format!("[^{set}]") } else { set })
    }

    /// A class after its `[`, up to and past its `]`, as a bracketed class.
    fn class(&mut self) -> Result<String, String> {
        self.depth = self.depth.saturating_add(1);
        if self.depth > MAX_GROUP_NESTING {
            return Err(self.at("Character classes nest too deeply"));
        }
        let negated = self.peek() == Some('^');
        if negated {
            self.advance();
        }
        let mut operands: Vec<String> = Vec::new();
        let mut body = String::new();
        let mut first = true;
        loop {
            self.skip_comments();
            let Some(c) = self.peek() else {
                return Err(self.at("Unclosed character class"));
            };
            match c {
                ']' if !first => {
                    self.advance();
                    break;
                }
                '&' if self.peek_at(1) == Some('&') => {
                    self.advance_by(2);
                    operands.push(std::mem::take(&mut body));
                }
                '[' => {
                    self.advance();
                    body.push_str(&self.class()?);
                }
                _ => {
                    let item = self.class_item()?;
                    self.class_range(item, &mut body)?;
                }
            }
            first = false;
        }
        operands.push(body);
        self.depth = self.depth.saturating_sub(1);
        // An empty operand (`[a&&]`) stands for no restriction in Java; the output writes
        // each operand as a bracketed class, with the empty ones left out.
        let kept: Vec<String> = operands
            .into_iter()
            .filter(|o| !o.is_empty())
            .map(|o| format!("[{o}]"))
            .collect();
        let inner = if kept.is_empty() {
            // Nothing in the class: it matches no character.
            r"[^\x{0}-\x{10FFFF}]".to_string()
        } else {
            kept.join("&&")
        };
        Ok(if negated {
            format!("[^{inner}]")
        } else {
            format!("[{inner}]")
        })
    }

    fn class_item(&mut self) -> Result<ClassItem, String> {
        let Some(c) = self.peek() else {
            return Err(self.at("Unclosed character class"));
        };
        self.advance();
        if c == '\\' {
            if self.peek() == Some('Q') {
                return Err(self.at("\\Q...\\E in a character class is not supported"));
            }
            return self.class_escape();
        }
        Ok(ClassItem::Char(c))
    }

    /// Adds `item` to a class body, as the start of a range when a `-` follows.
    fn class_range(&mut self, item: ClassItem, body: &mut String) -> Result<(), String> {
        let low = match item {
            ClassItem::Set(set) => {
                body.push_str(&set);
                return Ok(());
            }
            ClassItem::Char(low) => low,
        };
        let is_range =
            self.peek() == Some('-') && self.peek_at(1).is_some_and(|c| c != ']' && c != '[');
        let high = if is_range {
            self.advance();
            match self.class_item()? {
                ClassItem::Char(high) => high,
                ClassItem::Set(_) => return Err(self.at("Illegal character range")),
            }
        } else {
            low
        };
        if high < low {
            return Err(self.at(&format!("Illegal character range {low}-{high}")));
        }
        body.push_str(&escaped(low));
        if high != low {
            body.push('-');
            body.push_str(&escaped(high));
        }
        if self.flags.case_insensitive && !self.flags.unicode_folding() {
            // ASCII-only folding: the range's ASCII letters in the other case.
            for (from, to, to_lower) in [('a', 'z', false), ('A', 'Z', true)] {
                let (l, h) = (low.max(from), high.min(to));
                if l <= h {
                    let swap = |c: char| {
                        if to_lower {
                            c.to_ascii_lowercase()
                        } else {
                            c.to_ascii_uppercase()
                        }
                    };
                    body.push_str(&format!("{}-{}", swap(l), swap(h)));
                }
            }
        }
        Ok(())
    }
}

/// The class body of a Java character property: the POSIX classes (ASCII unless `unicode`),
/// Java's `java...` methods as their Unicode equivalents, and general categories, scripts
/// (`IsLatin`) and binary properties (`IsAlphabetic`), which the `regex` crate knows by the same
/// names. Blocks (`InGreek`) are not supported.
fn property_set(name: &str, unicode: bool) -> Option<String> {
    let posix = |ascii: &str, unicode_set: &str| {
        Some(if unicode { unicode_set } else { ascii }.to_string())
    };
    match name {
        "Lower" => posix("a-z", r"\p{Lowercase}"),
        "Upper" => posix("A-Z", r"\p{Uppercase}"),
        "ASCII" => Some(r"\x{0}-\x{7F}".to_string()),
        "Alpha" => posix("A-Za-z", r"\p{Alphabetic}"),
        "Digit" => posix("0-9", r"\p{Nd}"),
        "Alnum" => posix("0-9A-Za-z", r"\p{Alphabetic}\p{Nd}"),
        "Punct" => posix(r"!-/:-@\[-`{-~", r"\p{P}"),
        "Graph" => posix(r"!-~", r"[^\s\p{Cc}\p{Cn}\p{Cs}]"),
        "Print" => posix(r" -~", r"[^\p{Cc}\p{Cn}\p{Cs}]"),
        "Blank" => posix(r" \t", r"\p{Zs}\t"),
        "Cntrl" => posix(r"\x{0}-\x{1F}\x{7F}", r"\p{Cc}"),
        "XDigit" => posix("0-9A-Fa-f", r"\p{Nd}\p{Hex_Digit}"),
        "Space" => posix(r"\t\n\x0B\f\r ", r"\s"),
        "javaLowerCase" => Some(r"\p{Lowercase}".to_string()),
        "javaUpperCase" => Some(r"\p{Uppercase}".to_string()),
        "javaWhitespace" => Some(r"\s".to_string()),
        _ => {
            if name.starts_with("In") || name.contains(['\\', '{', '}', '[', ']']) {
                return None;
            }
            let bare = name.strip_prefix("Is").unwrap_or(name);
            let set = format!(r"\p{{{bare}}}");
            // Only names the `regex` crate knows; the caller reports the others.
            regex_syntax::parse(&set).ok().map(|_| set)
        }
    }
}

/// `c` in a form no parser mistakes for syntax: ASCII letters and digits as they are, every
/// other character as a `\x{..}` escape.
fn escaped(c: char) -> String {
    if c.is_ascii_alphanumeric() {
        c.to_string()
    } else {
        format!(r"\x{{{:X}}}", u32::from(c))
    }
}

/// Java's whitespace for the `x` flag: `[ \t\n\x0B\f\r]`.
fn is_java_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\u{b}' | '\u{c}' | '\r')
}

fn is_line_terminator(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}')
}
