//! Comparing JSON values the way a test framework shows it: equality (numbers by value, so
//! `1` equals `1.0` as AWS's JSON does), subsets, and a line diff of the two pretty-printed.

use serde_json::Value;

/// Whether two values are equal, numbers compared by value.
pub fn json_equal(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::Number(a), Value::Number(b)) => match (a.as_f64(), b.as_f64()) {
            (Some(x), Some(y)) => x == y,
            _ => a == b,
        },
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| json_equal(x, y))
        }
        (Value::Object(a), Value::Object(b)) => {
            a.len() == b.len()
                && a.iter()
                    .all(|(key, x)| b.get(key).is_some_and(|y| json_equal(x, y)))
        }
        _ => expected == actual,
    }
}

/// Where `actual` does not contain `expected`: an object must have at least the expected
/// fields (each containing the expected value), an array the same number of items (each
/// containing the expected one), anything else be equal. Each mismatch is a line naming its
/// place with a JSONPath (`$.order.items[0].sku`).
pub fn subset_mismatches(expected: &Value, actual: &Value) -> Vec<String> {
    let mut mismatches = Vec::new();
    walk_subset("$", expected, actual, &mut mismatches);
    mismatches
}

/// The most mismatches a subset comparison lists.
const MAX_MISMATCHES: usize = 20;

fn walk_subset(at: &str, expected: &Value, actual: &Value, out: &mut Vec<String>) {
    if out.len() >= MAX_MISMATCHES {
        return;
    }
    match (expected, actual) {
        (Value::Object(want), Value::Object(have)) => {
            for (key, value) in want {
                let place = member_path(at, key);
                match have.get(key) {
                    Some(found) => walk_subset(&place, value, found, out),
                    None => out.push(format!("{place}: missing (expected {})", short(value))),
                }
            }
        }
        (Value::Array(want), Value::Array(have)) => {
            if want.len() != have.len() {
                out.push(format!(
                    "{at}: expected {} items, got {}",
                    want.len(),
                    have.len()
                ));
                return;
            }
            for (index, (value, found)) in want.iter().zip(have).enumerate() {
                walk_subset(&format!("{at}[{index}]"), value, found, out);
            }
        }
        _ if json_equal(expected, actual) => {}
        _ => out.push(format!(
            "{at}: expected {}, got {}",
            short(expected),
            short(actual)
        )),
    }
}

fn member_path(at: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !key.starts_with(|c: char| c.is_ascii_digit());
    if plain {
        format!("{at}.{key}")
    } else {
        format!("{at}[{}]", Value::String(key.to_string()))
    }
}

/// A value on one line, cut short when long.
pub fn short(value: &Value) -> String {
    const MAX: usize = 120;
    let text = value.to_string();
    if text.chars().count() <= MAX {
        text
    } else {
        let cut: String = text.chars().take(MAX).collect();
        format!("{cut}…")
    }
}

/// The value pretty-printed, as the diff shows it.
pub fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
}

/// A line diff of two texts, in unified style: `-` lines only in the expected, `+` lines only
/// in the actual, with up to [`CONTEXT`] unchanged lines around each change.
pub fn line_diff(expected: &str, actual: &str) -> String {
    let old: Vec<&str> = expected.lines().collect();
    let new: Vec<&str> = actual.lines().collect();
    let ops = diff_ops(&old, &new);
    render(&ops)
}

/// Unchanged lines shown around a change.
const CONTEXT: usize = 3;

/// Past this many cells (lines × lines), the diff shows both texts whole instead of
/// aligning them: the alignment's table would cost too much.
const MAX_TABLE_CELLS: usize = 4_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op<'a> {
    Same(&'a str),
    Removed(&'a str),
    Added(&'a str),
}

fn diff_ops<'a>(old: &[&'a str], new: &[&'a str]) -> Vec<Op<'a>> {
    // Common head and tail first: most diffs of JSON differ in a few lines.
    let head = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let old_rest = old.get(head..).unwrap_or_default();
    let new_rest = new.get(head..).unwrap_or_default();
    let tail = old_rest
        .iter()
        .rev()
        .zip(new_rest.iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let old_mid = old_rest.get(..old_rest.len() - tail).unwrap_or_default();
    let new_mid = new_rest.get(..new_rest.len() - tail).unwrap_or_default();

    let mut ops: Vec<Op<'a>> = old.iter().take(head).map(|line| Op::Same(line)).collect();
    if old_mid.len().saturating_mul(new_mid.len()) > MAX_TABLE_CELLS {
        ops.extend(old_mid.iter().map(|line| Op::Removed(line)));
        ops.extend(new_mid.iter().map(|line| Op::Added(line)));
    } else {
        ops.extend(lcs_ops(old_mid, new_mid));
    }
    ops.extend(
        old_rest
            .iter()
            .skip(old_rest.len() - tail)
            .map(|line| Op::Same(line)),
    );
    ops
}

/// The longest common subsequence's table, then a walk through it.
fn lcs_ops<'a>(old: &[&'a str], new: &[&'a str]) -> Vec<Op<'a>> {
    let (n, m) = (old.len(), new.len());
    let width = m + 1;
    // lengths[i * width + j]: the LCS of old[i..] and new[j..].
    let mut lengths = vec![0u32; (n + 1) * width];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            let value = if old.get(i) == new.get(j) {
                lengths.get((i + 1) * width + j + 1).copied().unwrap_or(0) + 1
            } else {
                let down = lengths.get((i + 1) * width + j).copied().unwrap_or(0);
                let right = lengths.get(i * width + j + 1).copied().unwrap_or(0);
                down.max(right)
            };
            if let Some(cell) = lengths.get_mut(i * width + j) {
                *cell = value;
            }
        }
    }
    let at = |i: usize, j: usize| lengths.get(i * width + j).copied().unwrap_or(0);
    let mut ops = Vec::with_capacity(n + m);
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        match (old.get(i), new.get(j)) {
            (Some(a), Some(b)) if a == b => {
                ops.push(Op::Same(a));
                i += 1;
                j += 1;
            }
            (Some(a), Some(_)) if at(i + 1, j) >= at(i, j + 1) => {
                ops.push(Op::Removed(a));
                i += 1;
            }
            (_, Some(b)) => {
                ops.push(Op::Added(b));
                j += 1;
            }
            (Some(a), None) => {
                ops.push(Op::Removed(a));
                i += 1;
            }
            (None, None) => break,
        }
    }
    ops
}

fn render(ops: &[Op<'_>]) -> String {
    let changed: Vec<usize> = ops
        .iter()
        .enumerate()
        .filter(|(_, op)| !matches!(op, Op::Same(_)))
        .map(|(index, _)| index)
        .collect();
    let shown = |index: usize| {
        changed
            .iter()
            .any(|&c| index + CONTEXT >= c && index <= c + CONTEXT)
    };
    let mut out = String::new();
    let mut skipped = false;
    for (index, op) in ops.iter().enumerate() {
        if !shown(index) {
            skipped = true;
            continue;
        }
        if skipped {
            out.push_str("  …\n");
            skipped = false;
        }
        let (mark, line) = match op {
            Op::Same(line) => (' ', line),
            Op::Removed(line) => ('-', line),
            Op::Added(line) => ('+', line),
        };
        out.push(mark);
        out.push(' ');
        out.push_str(line);
        out.push('\n');
    }
    if skipped {
        out.push_str("  …\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_are_equal_by_value() {
        assert!(json_equal(&json!({"a": [1]}), &json!({"a": [1.0]})));
        assert!(!json_equal(&json!({"a": 1}), &json!({"a": 1, "b": 2})));
    }

    #[test]
    fn a_subset_names_each_place_that_differs() {
        let expected = json!({"order": {"id": 7, "items": [{"sku": "A"}]}, "ok": true});
        let actual = json!({"order": {"id": 8, "items": [{"sku": "A", "n": 1}]}, "extra": 1});
        assert_eq!(
            subset_mismatches(&expected, &actual),
            vec![
                "$.order.id: expected 7, got 8".to_string(),
                "$.ok: missing (expected true)".to_string(),
            ]
        );
        assert!(subset_mismatches(&json!({"order": {"id": 8}}), &actual).is_empty());
    }

    #[test]
    fn the_line_diff_marks_removed_and_added_lines_with_context() {
        let expected = pretty(&json!({"a": 1, "b": 2, "c": 3, "d": 4, "e": 5, "f": 6, "g": 7}));
        let actual = pretty(&json!({"a": 1, "b": 2, "c": 3, "d": 40, "e": 5, "f": 6, "g": 7}));
        assert_eq!(
            line_diff(&expected, &actual),
            "  …\n    \"a\": 1,\n    \"b\": 2,\n    \"c\": 3,\n-   \"d\": 4,\n+   \"d\": 40,\n    \"e\": 5,\n    \"f\": 6,\n    \"g\": 7\n  …\n"
        );
    }
}
