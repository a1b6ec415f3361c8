//! The intrinsic functions (`States.Format(...)` and the 17 others).
//!
//! A call is parsed into a small tree (string, number, boolean and null literals, paths,
//! nested calls), checked (function name, argument count, nesting depth), then evaluated
//! against an [`EvalEnv`]. Numbers keep their kind as AWS does: `States.MathAdd(1, 2)` is `3`,
//! never `3.0`.
//!
//! Runtime failures of the functions themselves (a wrong argument type, an index out of
//! range...) are `States.IntrinsicFailure`; a path argument that finds nothing is
//! `States.Runtime`, like any other path.

use base64::Engine as _;
use serde_json::{Map, Number, Value};

use crate::char_cursor::{impl_char_cursor, CharCursor};
use crate::error::{names, StatesError};
use crate::java_text;
use crate::parse_cache;
use crate::paths;
use crate::template::EvalEnv;

/// How deeply calls may nest (AWS: "up to 10 intrinsic functions within a field").
const MAX_NESTING: usize = 10;
/// The longest input Base64Encode, Base64Decode and Hash accept, in characters.
const MAX_TEXT: usize = 10_000;
/// The most items ArrayRange may produce.
const MAX_RANGE_ITEMS: usize = 1000;

/// True when `text` is an intrinsic function call rather than a path.
pub fn is_intrinsic(text: &str) -> bool {
    text.trim_start().starts_with("States.")
}

/// Evaluates an intrinsic function call such as `States.Format('{}', $.name)`.
pub fn evaluate(expr: &str, env: &mut EvalEnv<'_>) -> Result<Value, StatesError> {
    evaluate_field(expr, expr, env)
}

/// Like [`evaluate`], naming the field the call sits in (`greeting.$`, `CausePath`) in the
/// message of a path argument that finds nothing, as AWS does.
pub fn evaluate_field(
    expr: &str,
    field: &str,
    env: &mut EvalEnv<'_>,
) -> Result<Value, StatesError> {
    let call = parse_cache::get_or_parse(&PARSED, expr, parse).map_err(|message| {
        StatesError::new(
            names::INTRINSIC_FAILURE,
            format!("Invalid intrinsic function call '{expr}' in the field '{field}': {message}"),
        )
    })?;
    call.evaluate(field, env)
}

/// Checks the syntax of an intrinsic function call, its function name and argument count.
pub fn check(expr: &str) -> Result<(), String> {
    // Through the cache, as the run will read it.
    parse_cache::get_or_parse(&PARSED, expr, parse).map(|_| ())
}

// ---------------------------------------------------------------------------------------------
// The functions and their arities.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Function {
    Format,
    StringToJson,
    JsonToString,
    Array,
    ArrayPartition,
    ArrayContains,
    ArrayRange,
    ArrayGetItem,
    ArrayLength,
    ArrayUnique,
    Base64Encode,
    Base64Decode,
    Hash,
    JsonMerge,
    MathRandom,
    MathAdd,
    StringSplit,
    Uuid,
}

impl Function {
    fn from_name(name: &str) -> Option<Function> {
        Some(match name {
            "States.Format" => Function::Format,
            "States.StringToJson" => Function::StringToJson,
            "States.JsonToString" => Function::JsonToString,
            "States.Array" => Function::Array,
            "States.ArrayPartition" => Function::ArrayPartition,
            "States.ArrayContains" => Function::ArrayContains,
            "States.ArrayRange" => Function::ArrayRange,
            "States.ArrayGetItem" => Function::ArrayGetItem,
            "States.ArrayLength" => Function::ArrayLength,
            "States.ArrayUnique" => Function::ArrayUnique,
            "States.Base64Encode" => Function::Base64Encode,
            "States.Base64Decode" => Function::Base64Decode,
            "States.Hash" => Function::Hash,
            "States.JsonMerge" => Function::JsonMerge,
            "States.MathRandom" => Function::MathRandom,
            "States.MathAdd" => Function::MathAdd,
            "States.StringSplit" => Function::StringSplit,
            "States.UUID" => Function::Uuid,
            _ => return None,
        })
    }

    /// The accepted argument counts (inclusive); `None` for no upper bound.
    fn arity(self) -> (usize, Option<usize>) {
        match self {
            Function::Format => (1, None),
            Function::Array => (0, None),
            Function::StringToJson
            | Function::JsonToString
            | Function::ArrayLength
            | Function::ArrayUnique
            | Function::Base64Encode
            | Function::Base64Decode => (1, Some(1)),
            Function::ArrayPartition
            | Function::ArrayContains
            | Function::ArrayGetItem
            | Function::Hash
            | Function::MathAdd
            | Function::StringSplit => (2, Some(2)),
            Function::ArrayRange | Function::JsonMerge => (3, Some(3)),
            Function::MathRandom => (2, Some(3)),
            Function::Uuid => (0, Some(0)),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Parsing.

#[derive(Debug, Clone, PartialEq)]
struct Call {
    name: String,
    function: Function,
    args: Vec<Arg>,
}

#[derive(Debug, Clone, PartialEq)]
enum Arg {
    /// A quoted string: its value, and its text with escapes kept, which States.Format
    /// needs to tell an escaped `\{` from a placeholder.
    Str {
        value: String,
        raw: String,
    },
    /// A number, `true`, `false` or `null`.
    Literal(Value),
    /// `$...` or `$$...`.
    Path(String),
    Call(Call),
}

thread_local! {
    static PARSED: parse_cache::Cache<Call> = const { parse_cache::empty() };
}

fn parse(expr: &str) -> Result<Call, String> {
    let mut parser = Parser {
        chars: expr.chars().collect(),
        pos: 0,
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

struct Parser {
    chars: Vec<char>,
    pos: usize,
}

impl_char_cursor!(Parser);

impl Parser {
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
                let path = path.trim().to_string();
                paths::check_path(&path).map_err(|e| format!("invalid path '{path}': {e}"))?;
                Ok(Arg::Path(path))
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

// ---------------------------------------------------------------------------------------------
// Evaluation.

/// An evaluated argument; string literals keep their escaped text for States.Format.
struct Evaluated {
    value: Value,
    raw: Option<String>,
}

impl Call {
    fn evaluate(&self, field: &str, env: &mut EvalEnv<'_>) -> Result<Value, StatesError> {
        let mut args = Vec::with_capacity(self.args.len());
        for arg in &self.args {
            args.push(match arg {
                Arg::Str { value, raw } => Evaluated {
                    value: Value::String(value.clone()),
                    raw: Some(raw.clone()),
                },
                Arg::Literal(value) => Evaluated {
                    value: value.clone(),
                    raw: None,
                },
                Arg::Path(path) if paths::is_variable_path(path) => {
                    let value = paths::query_with_variables(path, env.input, env.context, env.variables)
                        .map_err(|e| {
                            StatesError::runtime(format!(
                                "The JSONPath '{path}' specified for the field '{field}' could not be found: {}",
                                e.message
                            ))
                        })?;
                    Evaluated { value, raw: None }
                }
                Arg::Path(path) => {
                    let value = paths::query(path, env.input, env.context).map_err(|_| {
                        let document = if path.starts_with("$$") {
                            env.context
                        } else {
                            env.input
                        };
                        StatesError::runtime(format!(
                            "The JSONPath '{path}' specified for the field '{field}' could not \
                             be found in the input '{}'",
                            java_text::compact(document)
                        ))
                    })?;
                    Evaluated { value, raw: None }
                }
                Arg::Call(call) => Evaluated {
                    value: call.evaluate(field, env)?,
                    raw: None,
                },
            });
        }
        let f = Failure { name: &self.name };
        // The parser enforced the arity; a missing argument is still an error, never a panic.
        let arg = |i: usize| -> Result<&Value, StatesError> {
            args.get(i)
                .map(|a| &a.value)
                .ok_or_else(|| f.fail(format!("The argument at index {i} is missing")))
        };
        match self.function {
            Function::Format => format(&f, &args),
            Function::StringToJson => {
                let text = f.string(arg(0)?, 0)?;
                if text.trim().is_empty() {
                    return Ok(Value::Null);
                }
                serde_json::from_str(text).map_err(|e| {
                    f.fail(format!(
                        "The argument at index 0 is not valid JSON text: {e}"
                    ))
                })
            }
            Function::JsonToString => Ok(Value::String(java_text::compact(arg(0)?))),
            Function::Array => Ok(Value::Array(args.into_iter().map(|a| a.value).collect())),
            Function::ArrayPartition => {
                let items = f.array(arg(0)?, 0)?;
                let size = f.integer(arg(1)?, 1)?;
                let size = usize::try_from(size)
                    .ok()
                    .filter(|s| *s > 0)
                    .ok_or_else(|| {
                        f.fail("The chunk size (argument at index 1) must be a positive integer")
                    })?;
                Ok(Value::Array(
                    items
                        .chunks(size)
                        .map(|chunk| Value::Array(chunk.to_vec()))
                        .collect(),
                ))
            }
            Function::ArrayContains => {
                let items = f.array(arg(0)?, 0)?;
                Ok(Value::Bool(items.contains(arg(1)?)))
            }
            Function::ArrayRange => {
                let start = f.integer(arg(0)?, 0)?;
                let end = f.integer(arg(1)?, 1)?;
                let step = f.integer(arg(2)?, 2)?;
                if step == 0 {
                    return Err(f.fail("The step (argument at index 2) must not be 0"));
                }
                let mut out = Vec::new();
                let mut current = start;
                while (step > 0 && current <= end) || (step < 0 && current >= end) {
                    if out.len() == MAX_RANGE_ITEMS {
                        return Err(f.fail(format!(
                            "The range would have more than {MAX_RANGE_ITEMS} items"
                        )));
                    }
                    out.push(Value::from(current));
                    match current.checked_add(step) {
                        Some(next) => current = next,
                        None => break,
                    }
                }
                Ok(Value::Array(out))
            }
            Function::ArrayGetItem => {
                let items = f.array(arg(0)?, 0)?;
                let index = f.integer(arg(1)?, 1)?;
                usize::try_from(index)
                    .ok()
                    .and_then(|i| items.get(i))
                    .cloned()
                    .ok_or_else(|| {
                        f.fail(format!(
                            "The index {index} (argument at index 1) is out of bounds for an \
                             array of {} items",
                            items.len()
                        ))
                    })
            }
            Function::ArrayLength => Ok(Value::from(f.array(arg(0)?, 0)?.len())),
            Function::ArrayUnique => {
                let items = f.array(arg(0)?, 0)?;
                let mut unique: Vec<Value> = Vec::with_capacity(items.len());
                for item in items {
                    if !unique.contains(item) {
                        unique.push(item.clone());
                    }
                }
                Ok(Value::Array(unique))
            }
            Function::Base64Encode => {
                let text = f.limited_string(arg(0)?, 0)?;
                Ok(Value::String(
                    base64::engine::general_purpose::STANDARD.encode(text.as_bytes()),
                ))
            }
            Function::Base64Decode => {
                let text = f.limited_string(arg(0)?, 0)?;
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(text.as_bytes())
                    .map_err(|e| {
                        f.fail(format!("The argument at index 0 is not valid Base64: {e}"))
                    })?;
                String::from_utf8(bytes).map(Value::String).map_err(|_| {
                    f.fail("The decoded data of the argument at index 0 is not UTF-8 text")
                })
            }
            Function::Hash => {
                let text = f.limited_string(arg(0)?, 0)?;
                let algorithm = f.string(arg(1)?, 1)?;
                hash(text, algorithm).ok_or_else(|| {
                    f.fail(format!(
                        "The hashing algorithm '{algorithm}' (argument at index 1) is not \
                         supported; use one of MD5, SHA-1, SHA-256, SHA-384, SHA-512"
                    ))
                })
            }
            Function::JsonMerge => {
                let left = f.object(arg(0)?, 0)?;
                let right = f.object(arg(1)?, 1)?;
                match arg(2)? {
                    Value::Bool(false) => {}
                    Value::Bool(true) => {
                        return Err(f.fail(
                            "Deep merge (argument at index 2 set to true) is not supported; \
                             it must be false",
                        ))
                    }
                    other => return Err(f.type_error(2, "a boolean", other)),
                }
                let mut merged: Map<String, Value> = left.clone();
                for (key, value) in right {
                    merged.insert(key.clone(), value.clone());
                }
                Ok(Value::Object(merged))
            }
            Function::MathRandom => {
                let start = f.integer(arg(0)?, 0)?;
                let end = f.integer(arg(1)?, 1)?;
                if end <= start {
                    return Err(f.fail(format!(
                        "The end {end} (argument at index 1) must be greater than the start \
                         {start}"
                    )));
                }
                let value = match args.get(2).map(|a| &a.value) {
                    Some(seed) => {
                        let seed = f.integer(seed, 2)?;
                        let span = end
                            .checked_sub(start)
                            .and_then(|s| i32::try_from(s).ok())
                            .ok_or_else(|| f.fail("The range is too large"))?;
                        start.saturating_add(i64::from(JavaRandom::new(seed).next_int(span)))
                    }
                    None => env.rng.range_inclusive(start, end.saturating_sub(1)),
                };
                Ok(Value::from(value))
            }
            Function::MathAdd => {
                let a = f.integer(arg(0)?, 0)?;
                let b = f.integer(arg(1)?, 1)?;
                a.checked_add(b)
                    .map(Value::from)
                    .ok_or_else(|| f.fail("The sum is out of range"))
            }
            Function::StringSplit => {
                let text = f.string(arg(0)?, 0)?;
                let delimiters = f.string(arg(1)?, 1)?;
                // Java's StringTokenizer: any delimiter character splits, empty tokens drop.
                Ok(Value::Array(
                    text.split(|c| delimiters.contains(c))
                        .filter(|token| !token.is_empty())
                        .map(|token| Value::String(token.to_string()))
                        .collect(),
                ))
            }
            Function::Uuid => Ok(Value::String(env.rng.uuid_v4())),
        }
    }
}

/// Builds the `States.IntrinsicFailure` errors of one call.
struct Failure<'a> {
    name: &'a str,
}

impl Failure<'_> {
    fn fail(&self, message: impl Into<String>) -> StatesError {
        StatesError::new(
            names::INTRINSIC_FAILURE,
            format!("Invalid arguments in {}: {}", self.name, message.into()),
        )
    }

    fn type_error(&self, index: usize, expected: &str, got: &Value) -> StatesError {
        self.fail(format!(
            "The argument at index {index} must be {expected}, but was {}",
            java_text::compact(got)
        ))
    }

    fn string<'v>(&self, value: &'v Value, index: usize) -> Result<&'v str, StatesError> {
        value
            .as_str()
            .ok_or_else(|| self.type_error(index, "a string", value))
    }

    fn limited_string<'v>(&self, value: &'v Value, index: usize) -> Result<&'v str, StatesError> {
        let text = self.string(value, index)?;
        if text.chars().count() > MAX_TEXT {
            return Err(self.fail(format!(
                "The argument at index {index} is longer than {MAX_TEXT} characters"
            )));
        }
        Ok(text)
    }

    fn array<'v>(&self, value: &'v Value, index: usize) -> Result<&'v [Value], StatesError> {
        value
            .as_array()
            .map(Vec::as_slice)
            .ok_or_else(|| self.type_error(index, "an array", value))
    }

    fn object<'v>(
        &self,
        value: &'v Value,
        index: usize,
    ) -> Result<&'v Map<String, Value>, StatesError> {
        value
            .as_object()
            .ok_or_else(|| self.type_error(index, "an object", value))
    }

    /// An integer argument. AWS accepts a fractional number and rounds it half up, as Java's
    /// `Math.round` does (`1.5` is `2`, `-1.5` is `-1`); the corpus records exactly that.
    fn integer(&self, value: &Value, index: usize) -> Result<i64, StatesError> {
        let Value::Number(n) = value else {
            return Err(self.type_error(index, "a number", value));
        };
        if let Some(i) = n.as_i64() {
            return Ok(i);
        }
        let rounded = n.as_f64().map(|f| (f + 0.5).floor());
        match rounded {
            Some(r) if r.is_finite() && r >= i64::MIN as f64 && r < i64::MAX as f64 => Ok(r as i64),
            _ => Err(self.fail(format!(
                "The argument at index {index} is out of range: {n}"
            ))),
        }
    }
}

/// States.Format: `{}` placeholders take the arguments in order; `\{`, `\}`, `\'` and `\\`
/// in a literal template stand for the character itself.
fn format(f: &Failure<'_>, args: &[Evaluated]) -> Result<Value, StatesError> {
    let Some((template, rest)) = args.split_first() else {
        return Err(f.fail("The template (argument at index 0) is missing"));
    };
    let text = f.string(&template.value, 0)?;
    let raw = template.raw.as_deref();
    let mut out = String::new();
    let mut used = 0usize;
    let mut chars = raw.unwrap_or(text).chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if raw.is_some() => match chars.next() {
                Some(next) if is_escapable(next) => out.push(next),
                Some(next) => {
                    out.push('\\');
                    out.push(next);
                }
                None => out.push('\\'),
            },
            '{' if chars.peek() == Some(&'}') => {
                chars.next();
                let Some(arg) = rest.get(used) else {
                    return Err(f.fail(format!(
                        "The template has more placeholders than the {} argument(s) given",
                        rest.len()
                    )));
                };
                out.push_str(&java_text::java_display(&arg.value));
                used = used.saturating_add(1);
            }
            c => out.push(c),
        }
    }
    if used != rest.len() {
        return Err(f.fail(format!(
            "The template has {used} placeholder(s) but {} argument(s) were given",
            rest.len()
        )));
    }
    Ok(Value::String(out))
}

/// The characters a backslash escapes in an intrinsic string literal.
fn is_escapable(c: char) -> bool {
    matches!(c, '\'' | '{' | '}' | '\\')
}

fn hash(text: &str, algorithm: &str) -> Option<Value> {
    use md5::Digest as _;
    let bytes = text.as_bytes();
    let digest: Vec<u8> = match algorithm {
        "MD5" => md5::Md5::digest(bytes).to_vec(),
        "SHA-1" => sha1::Sha1::digest(bytes).to_vec(),
        "SHA-256" => sha2::Sha256::digest(bytes).to_vec(),
        "SHA-384" => sha2::Sha384::digest(bytes).to_vec(),
        "SHA-512" => sha2::Sha512::digest(bytes).to_vec(),
        _ => return None,
    };
    Some(Value::String(
        digest.iter().map(|b| format!("{b:02x}")).collect(),
    ))
}

/// `java.util.Random`, so that a seeded `States.MathRandom` gives the same number on every
/// run (the seed's whole point).
struct JavaRandom {
    seed: i64,
}

impl JavaRandom {
    const MULTIPLIER: i64 = 0x5_DEEC_E66D;
    const MASK: i64 = (1 << 48) - 1;

    fn new(seed: i64) -> Self {
        JavaRandom {
            seed: (seed ^ Self::MULTIPLIER) & Self::MASK,
        }
    }

    fn next(&mut self, bits: u32) -> i32 {
        self.seed = (self.seed.wrapping_mul(Self::MULTIPLIER).wrapping_add(0xB)) & Self::MASK;
        (self.seed >> 48u32.saturating_sub(bits)) as i32
    }

    /// A value in `[0, bound)`; `bound` must be positive.
    fn next_int(&mut self, bound: i32) -> i32 {
        if bound <= 0 {
            return 0;
        }
        if bound & bound.wrapping_neg() == bound {
            // Java's `long` arithmetic wraps; with both factors below 2^31 it never needs to.
            return (i64::from(bound).wrapping_mul(i64::from(self.next(31))) >> 31) as i32;
        }
        loop {
            let bits = self.next(31);
            // `bound` is positive here, so the remainder always exists.
            let Some(value) = bits.checked_rem(bound) else {
                return 0;
            };
            if bits.wrapping_sub(value).wrapping_add(bound.wrapping_sub(1)) >= 0 {
                return value;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;
    use serde_json::json;

    fn run(expr: &str, input: &Value) -> Result<Value, StatesError> {
        let context = json!({"Execution": {"Name": "exec-1"}, "StateMachine": {"Name": "sm-a-b"}});
        let mut rng = Rng::new(1);
        let mut env = EvalEnv {
            variables: None,
            input,
            context: &context,
            rng: &mut rng,
        };
        evaluate(expr, &mut env)
    }

    /// (call, input, expected result).
    #[test]
    fn functions_compute_what_aws_computes() {
        let input = json!({
            "s": "a,b,,c", "n": 3, "f": 1.5, "arr": [1, 2, 2, "x", {"k": 1}],
            "obj": {"a": 1, "b": {"c": 2}}, "other": {"b": 3, "d": 4}, "nested": {"x": [1]}
        });
        let cases: Vec<(&str, Value)> = vec![
            ("States.Format('Hello {}!', 'you')", json!("Hello you!")),
            (
                "States.Format('{} + {} = {}', 1, 1.5, true)",
                json!("1 + 1.5 = true"),
            ),
            ("States.Format('{}', $.obj)", json!("{a=1, b={c=2}}")),
            ("States.Format('{}', $.arr)", json!("[1, 2, 2, x, {k=1}]")),
            ("States.Format('{}', null)", json!("null")),
            (
                "States.Format('\\{\\}{} it\\'s \\\\', 'x')",
                json!("{}x it's \\"),
            ),
            // A backslash before any other character is plain text.
            ("States.Format('a\\nb {}', 'x')", json!("a\\nb x")),
            ("States.Array('a\\nb', 'c\\'d')", json!(["a\\nb", "c'd"])),
            ("States.Format($.s)", json!("a,b,,c")),
            (
                "States.StringToJson('{\"a\": [1, 2.5]}')",
                json!({"a": [1, 2.5]}),
            ),
            ("States.StringToJson('  ')", Value::Null),
            (
                "States.JsonToString($.obj)",
                json!("{\"a\":1,\"b\":{\"c\":2}}"),
            ),
            ("States.Array()", json!([])),
            (
                "States.Array(1, 'a', $.n, null, States.Array())",
                json!([1, "a", 3, null, []]),
            ),
            (
                "States.ArrayPartition($.arr, 2)",
                json!([[1, 2], [2, "x"], [{"k": 1}]]),
            ),
            ("States.ArrayContains($.arr, $.nested.x[0])", json!(true)),
            ("States.ArrayContains($.arr, 1.0)", json!(false)),
            ("States.ArrayRange(1, 9, 2)", json!([1, 3, 5, 7, 9])),
            ("States.ArrayRange(5, 1, -2)", json!([5, 3, 1])),
            ("States.ArrayRange(1, 0, 1)", json!([])),
            ("States.ArrayGetItem($.arr, 3)", json!("x")),
            ("States.ArrayLength($.arr)", json!(5)),
            ("States.ArrayUnique($.arr)", json!([1, 2, "x", {"k": 1}])),
            (
                "States.Base64Encode('Data to encode')",
                json!("RGF0YSB0byBlbmNvZGU="),
            ),
            (
                "States.Base64Decode('RGF0YSB0byBlbmNvZGU=')",
                json!("Data to encode"),
            ),
            (
                "States.Hash('input data', 'MD5')",
                json!("812f45842bc6d66ee14572ce20db8e86"),
            ),
            (
                "States.Hash('input data', 'SHA-1')",
                json!("aaff4a450a104cd177d28d18d74485e8cae074b7"),
            ),
            (
                "States.Hash('input data', 'SHA-256')",
                json!("b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3"),
            ),
            (
                "States.JsonMerge($.obj, $.other, false)",
                json!({"a": 1, "b": 3, "d": 4}),
            ),
            ("States.MathAdd(1, 2)", json!(3)),
            ("States.MathAdd($.f, -1)", json!(1)),
            ("States.MathAdd(-2.5, 0)", json!(-2)),
            ("States.StringSplit($.s, ',')", json!(["a", "b", "c"])),
            ("States.StringSplit('a-b c', ' -')", json!(["a", "b", "c"])),
            (
                "States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), 0)",
                json!("sm"),
            ),
            ("States.Format('{}', $$.Execution.Name)", json!("exec-1")),
        ];
        for (expr, expected) in cases {
            assert_eq!(run(expr, &input), Ok(expected), "{expr}");
        }
    }

    #[test]
    fn sha256_of_known_text() {
        // Independent reference: SHA-256("abc").
        assert_eq!(
            run("States.Hash('abc', 'SHA-256')", &json!({})),
            Ok(json!(
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
            ))
        );
    }

    #[test]
    fn random_and_uuid_are_seeded() {
        let input = json!({});
        let a = run("States.MathRandom(1, 10)", &input);
        assert_eq!(a, run("States.MathRandom(1, 10)", &input));
        let v = a.ok().and_then(|v| v.as_i64()).unwrap_or(-1);
        assert!((1..10).contains(&v), "{v}");
        let seeded = run("States.MathRandom(0, 1000, 7)", &input);
        assert_eq!(seeded, run("States.MathRandom(0, 1000, 7)", &input));
        let uuid = run("States.UUID()", &input).ok();
        assert_eq!(
            uuid.as_ref().and_then(Value::as_str).map(str::len),
            Some(36)
        );
    }

    #[test]
    fn java_random_matches_java() {
        // Values printed by a JDK: new java.util.Random(seed).nextInt(bound).
        for (seed, bound, expected) in [
            (42, 100, 30),
            (0, 10, 0),
            (1, 1000, 985),
            (7, 1000, 236),
            (-5, 64, 17),
        ] {
            assert_eq!(
                JavaRandom::new(seed).next_int(bound),
                expected,
                "{seed} {bound}"
            );
        }
    }

    /// (call, input, error name, cause).
    #[test]
    fn failures_name_the_function_and_argument() {
        let cases = [
            (
                "States.ArrayLength($.a)",
                json!({"a": 1}),
                names::INTRINSIC_FAILURE,
                "Invalid arguments in States.ArrayLength: The argument at index 0 must be an \
                 array, but was 1",
            ),
            (
                "States.ArrayGetItem($.a, 5)",
                json!({"a": [1]}),
                names::INTRINSIC_FAILURE,
                "Invalid arguments in States.ArrayGetItem: The index 5 (argument at index 1) is \
                 out of bounds for an array of 1 items",
            ),
            (
                "States.Format('{}')",
                json!({}),
                names::INTRINSIC_FAILURE,
                "Invalid arguments in States.Format: The template has more placeholders than the \
                 0 argument(s) given",
            ),
            (
                "States.JsonMerge($.a, $.a, true)",
                json!({"a": {}}),
                names::INTRINSIC_FAILURE,
                "Invalid arguments in States.JsonMerge: Deep merge (argument at index 2 set to \
                 true) is not supported; it must be false",
            ),
            (
                "States.StringToJson($.nope)",
                json!({"a": 1}),
                names::RUNTIME,
                "The JSONPath '$.nope' specified for the field 'States.StringToJson($.nope)' \
                 could not be found in the input '{\"a\":1}'",
            ),
        ];
        for (expr, input, error, cause) in cases {
            assert_eq!(
                run(expr, &input),
                Err(StatesError::new(error, cause)),
                "{expr}"
            );
        }
    }

    #[test]
    fn syntax_checks() {
        for good in [
            "States.UUID()",
            "States.Format('a{}b', $.x)",
            "States.Array(1, -2.5, null, true, 'x', $$.Execution.Id, States.UUID())",
            "States.Format('it\\'s {}', $['a b'])",
        ] {
            assert_eq!(check(good), Ok(()), "{good}");
        }
        for bad in [
            "States.Nope()",
            "States.UUID(1)",
            "States.MathAdd(1)",
            "States.Format('x'",
            "States.Format('x) ",
            "States.Array(foo)",
            "States.Array(1) extra",
            "States.Array($.a[)",
        ] {
            assert!(check(bad).is_err(), "{bad}");
        }
        let deep = format!("{}1{}", "States.Array(".repeat(11), ")".repeat(11));
        assert!(check(&deep).is_err());
    }
}
