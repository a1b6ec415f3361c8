//! States.Format's template: `{}` placeholders and backslash escapes.

use serde_json::Value;

use crate::error::StatesError;
use crate::java_text;

use super::evaluate::{Evaluated, Failure};

/// States.Format: `{}` placeholders take the arguments in order; `\{`, `\}`, `\'` and `\\`
/// in a literal template stand for the character itself.
pub(super) fn format(f: &Failure<'_>, args: &[Evaluated]) -> Result<Value, StatesError> {
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
pub(super) fn is_escapable(c: char) -> bool {
    matches!(c, '\'' | '{' | '}' | '\\')
}
