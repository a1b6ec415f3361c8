//! What a JSONata expression's costly parts charge to the execution's budget
//! ([`crate::budget`]). The evaluator (the `jsonata-core` crate) has no hook per step, so the
//! parsed expression is rewritten, once when it is parsed, to call host functions before its
//! costly parts:
//!
//! - every user function's body starts with a call of [`TICK`] given the function's
//!   arguments: one step, and a string or array argument past the size bound stops (a string
//!   doubled in a recursion, an array grown by `$append` in `$reduce`);
//! - a call of a built-in whose work grows with its arguments (`$distinct`, `$append`,
//!   `$merge`, `$pad`, `$formatInteger`, `$replace`, `$reduce`, `$join`...) and string
//!   concatenation (`&`) first evaluate their arguments into block variables, hand them to
//!   [`CHECK`], which charges their cost and refuses a result that would be too big, then
//!   call the built-in with them (each argument is evaluated once, as before);
//! - a range's end goes through [`RANGE`], which charges its length;
//! - a descendant step (`**`) gets a filter that charges each node it finds.
//!
//! An expression without any of these is left as it is (most of them: paths, arithmetic,
//! comparisons), so the usual evaluation pays nothing.

use jsonata_core::ast::AstNode;
use jsonata_core::evaluator::EvaluatorError;
use jsonata_core::value::JValue;
use serde_json::{json, Value};

use super::{fail, JsonataError};
use crate::budget::{self, Exhausted};

/// The host function each user function starts with.
pub(super) const TICK: &str = "__sfnStep";
/// The host function that charges a costly built-in's or a concatenation's arguments.
pub(super) const CHECK: &str = "__sfnCharge";
/// The host function a range's end goes through.
pub(super) const RANGE: &str = "__sfnRange";

/// Built-ins whose work or result grows with their arguments, charged by [`charge_call`]:
/// those that build, and those that go through an array or a string (an aggregate called
/// again and again over a big array would otherwise run uncharged: `$sum($a)` in a loop).
const COSTLY: [&str; 33] = [
    "distinct",
    "append",
    "merge",
    "pad",
    "formatInteger",
    "replace",
    "reduce",
    "join",
    "string",
    "sort",
    "split",
    "sum",
    "max",
    "min",
    "average",
    "count",
    "keys",
    "lookup",
    "each",
    "map",
    "filter",
    "single",
    "sift",
    "zip",
    "reverse",
    "shuffle",
    "spread",
    "contains",
    "match",
    "substringBefore",
    "substringAfter",
    "uppercase",
    "lowercase",
];

/// The steps of copying one member into a merged object: measured natively, several times
/// a JSONPath step.
const COSTLY_ITEM: u64 = 8;

/// The steps of one item of a range (see [`range_end`]).
const RANGE_ITEM: u64 = 16;

/// The prefix of the block variables that hold a charged call's arguments.
const ARG: &str = "__sfnArg";

/// Nesting the serde walk follows before giving up (the parser's own nesting is far lower in
/// any expression a definition can hold).
const MAX_AST_NESTING: usize = 2000;

/// Whether the text of an expression can hold anything [`instrument`] rewrites: when not, the
/// tree is left as it is without walking it.
pub(super) fn may_need_charges(body: &str) -> bool {
    body.contains("function")
        || body.contains('λ')
        || body.contains('&')
        || body.contains("..")
        || body.contains("**")
        || COSTLY.iter().any(|name| body.contains(name))
}

/// Rewrites `ast` as the module doc says.
pub(super) fn instrument(ast: AstNode) -> Result<AstNode, JsonataError> {
    let internal = |what: &str| JsonataError::Evaluation(format!("internal error: {what}"));
    let mut tree = serde_json::to_value(&ast).map_err(|e| internal(&e.to_string()))?;
    let mut changed = false;
    rewrite(&mut tree, 0, &mut changed)?;
    if !changed {
        return Ok(ast);
    }
    serde_json::from_value(tree).map_err(|e| internal(&e.to_string()))
}

fn too_deep() -> JsonataError {
    JsonataError::Syntax("the JSONata expression is nested too deeply".into())
}

fn call(name: &str, args: Vec<Value>) -> Value {
    json!({ "Function": { "name": name, "args": args, "is_builtin": true } })
}

fn variable(name: &str) -> Value {
    json!({ "Variable": name })
}

/// `($a0 := x; $a1 := y; $__sfnCharge("what", $a0, $a1); <then($a0, $a1)>)`.
fn charged_block(what: &str, args: Vec<Value>, then: impl FnOnce(Vec<Value>) -> Value) -> Value {
    let names: Vec<String> = (0..args.len()).map(|i| format!("{ARG}{i}")).collect();
    let mut block: Vec<Value> = names
        .iter()
        .zip(args)
        .map(|(name, arg)| {
            json!({ "Binary": { "op": "ColonEqual", "lhs": variable(name), "rhs": arg } })
        })
        .collect();
    let held: Vec<Value> = names.iter().map(|name| variable(name)).collect();
    let mut check_args = vec![json!({ "String": what })];
    check_args.extend(held.iter().cloned());
    block.push(call(CHECK, check_args));
    block.push(then(held));
    json!({ "Block": block })
}

fn rewrite(node: &mut Value, depth: usize, changed: &mut bool) -> Result<(), JsonataError> {
    if depth > MAX_AST_NESTING {
        return Err(too_deep());
    }
    let deeper = depth.saturating_add(1);
    desugar_chain(node);
    match node {
        Value::Array(items) => {
            for item in items {
                rewrite(item, deeper, changed)?;
            }
            return Ok(());
        }
        Value::Object(map) => {
            for child in map.values_mut() {
                rewrite(child, deeper, changed)?;
            }
        }
        _ => return Ok(()),
    }
    // The children are rewritten; now the node itself.
    let replacement = match node.as_object() {
        Some(map) => {
            if let Some(lambda) = map.get("Lambda") {
                let params: Vec<Value> = lambda
                    .get("params")
                    .and_then(Value::as_array)
                    .map(|p| p.iter().filter_map(Value::as_str).map(variable).collect())
                    .unwrap_or_default();
                let mut lambda = lambda.clone();
                if let Some(body) = lambda.get_mut("body") {
                    let original = body.take();
                    *body = json!({ "Block": [call(TICK, params), original] });
                }
                Some(json!({ "Lambda": lambda }))
            } else if let Some(function) = map.get("Function") {
                let name = function.get("name").and_then(Value::as_str).unwrap_or("");
                let args = function.get("args").and_then(Value::as_array);
                match args {
                    Some(args)
                        if COSTLY.contains(&name)
                            && !args.is_empty()
                            && !args.iter().any(is_placeholder) =>
                    {
                        let name = name.to_string();
                        Some(charged_block(&name.clone(), args.clone(), |held| {
                            call(&name, held)
                        }))
                    }
                    _ => None,
                }
            } else if let Some(binary) = map.get("Binary") {
                let op = binary.get("op").and_then(Value::as_str).unwrap_or("");
                let lhs = binary.get("lhs").cloned().unwrap_or(Value::Null);
                let rhs = binary.get("rhs").cloned().unwrap_or(Value::Null);
                match op {
                    "Concatenate" => Some(charged_block("&", vec![lhs, rhs], |held| {
                        let mut held = held.into_iter();
                        json!({ "Binary": {
                            "op": "Concatenate",
                            "lhs": held.next().unwrap_or(Value::Null),
                            "rhs": held.next().unwrap_or(Value::Null),
                        } })
                    })),
                    // The start is evaluated twice: ranges start at a literal or a variable.
                    "Range" => Some(json!({ "Binary": {
                        "op": "Range",
                        "lhs": lhs.clone(),
                        "rhs": call(RANGE, vec![lhs, rhs]),
                    } })),
                    _ => None,
                }
            } else if let Some(Value::Array(steps)) = map.get("Path").and_then(|p| p.get("steps")) {
                let mut steps = steps.clone();
                let mut any = false;
                for step in &mut steps {
                    if step.get("node").and_then(Value::as_str) == Some("Descendant") {
                        if let Some(Value::Array(stages)) = step.get_mut("stages") {
                            stages.insert(0, json!({ "Filter": call(TICK, Vec::new()) }));
                            any = true;
                        }
                    }
                }
                any.then(|| {
                    let mut path = map.get("Path").cloned().unwrap_or(Value::Null);
                    if let Some(slot) = path.get_mut("steps") {
                        *slot = Value::Array(steps);
                    }
                    json!({ "Path": path })
                })
            } else {
                None
            }
        }
        None => None,
    };
    if let Some(replacement) = replacement {
        *node = replacement;
        *changed = true;
    }
    Ok(())
}

/// A partial application's `?`: such a call makes a function and must stay a call.
fn is_placeholder(arg: &Value) -> bool {
    arg.as_str() == Some("Placeholder")
}

/// `x ~> $f(a)` calls `$f(x, a)`: when `$f` is a costly built-in, the chain is written as
/// that call, so that the call can be charged (a chain's right side must stay a function).
fn desugar_chain(node: &mut Value) {
    let Some(binary) = node.get("Binary") else {
        return;
    };
    if binary.get("op").and_then(Value::as_str) != Some("ChainPipe") {
        return;
    }
    let (Some(lhs), Some(function)) = (binary.get("lhs"), binary.pointer("/rhs/Function")) else {
        return;
    };
    let name = function.get("name").and_then(Value::as_str).unwrap_or("");
    let Some(args) = function.get("args").and_then(Value::as_array) else {
        return;
    };
    if !COSTLY.contains(&name) || args.iter().any(is_placeholder) {
        return;
    }
    let mut all = vec![lhs.clone()];
    all.extend(args.iter().cloned());
    *node = call(name, all);
}

fn over(what: Exhausted) -> EvaluatorError {
    fail(format!("U1001: {}", what.message()))
}

/// The shallow size of a value, in bytes or items: a string's length, an array's or an
/// object's member count (what the cost of a call grows with).
fn shallow(value: &JValue) -> usize {
    match value {
        JValue::String(s) => s.len(),
        JValue::Array(items) => items.len(),
        JValue::Object(map) => map.len(),
        _ => 0,
    }
}

/// The tick at the start of a user function: one step, and no argument past the size bound.
pub(super) fn tick(args: &[JValue]) -> Result<(), EvaluatorError> {
    budget::charge(1).map_err(over)?;
    for arg in args {
        if let JValue::String(s) = arg {
            budget::check_size(s.len()).map_err(over)?;
        }
    }
    Ok(())
}

/// A range's end, charged the range's length.
pub(super) fn range_end(args: &[JValue]) -> Result<JValue, EvaluatorError> {
    let end = args.get(1).cloned().unwrap_or(JValue::Undefined);
    if let (Some(JValue::Number(start)), JValue::Number(stop)) = (args.first(), &end) {
        let length = (stop - start).max(0.0);
        // Past jsonata's own bound (1e7) the evaluator refuses the range without building it.
        if length > 1e7 {
            return Ok(end);
        }
        // A float to integer `as` saturates; the sequence bound refuses what is too long.
        // An item of a range costs several steps' time (a value in a sequence), and stays
        // in memory (about 40 bytes) while the expression runs: at 16 steps an item, the
        // budget holds at most some 6 million of them, about 250 MB.
        budget::charge((length as u64).saturating_mul(RANGE_ITEM)).map_err(over)?;
    }
    Ok(end)
}

/// Charges a costly built-in's call (`args`: its name, then its arguments) before it runs,
/// and refuses one whose result would be past the size bound.
pub(super) fn charge_call(args: &[JValue]) -> Result<JValue, EvaluatorError> {
    let name = match args.first() {
        Some(JValue::String(s)) => s.to_string(),
        _ => String::new(),
    };
    let rest = args.get(1..).unwrap_or_default();
    let arg = |i: usize| rest.get(i).unwrap_or(&JValue::Undefined);
    let number = |i: usize| match arg(i) {
        JValue::Number(n) => Some(*n),
        _ => None,
    };
    let steps: usize = match name.as_str() {
        // Compares each item with those kept: quadratic.
        "distinct" => {
            let n = shallow(arg(0));
            n.saturating_mul(n) / 8
        }
        "pad" => {
            let width = number(1).map_or(0.0, f64::abs);
            let width = if width > 1e15 {
                usize::MAX
            } else {
                width as usize
            };
            let fill = shallow(arg(2)).max(1);
            budget::check_size(width.saturating_mul(fill)).map_err(over)?;
            width / budget::BYTES_PER_STEP
        }
        "formatInteger" => {
            let picture = match arg(1) {
                JValue::String(s) => s.to_string(),
                _ => String::new(),
            };
            let value = number(0).map_or(0.0, f64::abs);
            // Roman numerals write an M for every thousand.
            if picture.contains(['I', 'i']) {
                let letters = if value > 1e15 {
                    usize::MAX
                } else {
                    (value / 1000.0) as usize
                };
                budget::check_size(letters).map_err(over)?;
                letters / budget::BYTES_PER_STEP
            } else {
                1
            }
        }
        "replace" => {
            let text = shallow(arg(0));
            if let (JValue::String(text), JValue::String(pattern), JValue::String(with)) =
                (arg(0), arg(1), arg(2))
            {
                if !pattern.is_empty() {
                    let mut count = text.matches(&**pattern).count();
                    if let Some(limit) = number(3) {
                        count = count.min(if limit < 0.0 { 0 } else { limit as usize });
                    }
                    let size = text.len().saturating_add(count.saturating_mul(with.len()));
                    budget::check_size(size).map_err(over)?;
                    budget::charge_bytes(size).map_err(over)?;
                }
            }
            text / budget::BYTES_PER_STEP
        }
        "&" => {
            let size = shallow(arg(0)).saturating_add(shallow(arg(1)));
            if matches!(arg(0), JValue::String(_)) || matches!(arg(1), JValue::String(_)) {
                budget::check_size(size).map_err(over)?;
            }
            size / budget::BYTES_PER_STEP
        }
        "join" => {
            let items = match arg(0) {
                JValue::Array(items) => items.iter().map(shallow).sum::<usize>(),
                other => shallow(other),
            };
            let separators = shallow(arg(0)).saturating_mul(shallow(arg(1)));
            let size = items.saturating_add(separators);
            budget::check_size(size).map_err(over)?;
            size / budget::BYTES_PER_STEP
        }
        // Copies every member (a key and a value) into a new object.
        "merge" => match arg(0) {
            JValue::Array(items) => items.iter().map(shallow).sum::<usize>(),
            other => shallow(other),
        }
        .saturating_mul(COSTLY_ITEM as usize),
        "sort" => {
            let n = shallow(arg(0));
            n.saturating_mul(usize::BITS.saturating_sub(n.leading_zeros()) as usize)
        }
        // append, reduce, string, split, the aggregates and the others that go through an
        // array or a string: linear in what they are given.
        _ => rest.iter().map(shallow).sum(),
    };
    budget::charge(u64::try_from(steps).unwrap_or(u64::MAX).saturating_add(1)).map_err(over)?;
    Ok(JValue::Undefined)
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Map, Value};

    use crate::jsonata::{evaluate, JsonataEnv, JsonataLimits};
    use crate::rng::Rng;

    fn eval(expression: &str) -> Value {
        let states = json!({"input": {"items": ["p", "q", "p"]}});
        let mut rng = Rng::new(0);
        let mut env = JsonataEnv {
            states: &states,
            variables: &Map::new(),
            rng: &mut rng,
            now: 0,
            limits: JsonataLimits::default(),
        };
        evaluate(&format!("{{% {expression} %}}"), &mut env)
            .unwrap_or_else(|e| panic!("{expression}: {e}"))
    }

    #[test]
    fn charged_expressions_give_what_they_gave() {
        let cases = [
            (r#""hello" ~> $pad(8, "-")"#, json!("hello---")),
            (r#"$pad(?, 6)("ab")"#, json!("ab    ")),
            (r#""a" & "b" & 1 & true"#, json!("ab1true")),
            ("[1..3]", json!([1, 2, 3])),
            (
                "$reduce([1,2,3], function($a, $b) { $a & $b }, \"x\")",
                json!("x123"),
            ),
            (r#"{"a": {"b": 1, "c": [{"d": 2}]}}.**.d"#, json!(2)),
            (r#"$replace("abcb", "b", "yy", 1)"#, json!("ayycb")),
            ("$states.input.items ~> $distinct() ~> $count()", json!(2)),
            ("[[1], [2]] ~> $reduce($append)", json!([1, 2])),
            ("$merge([{\"a\": 1}, {\"b\": 2}])", json!({"a": 1, "b": 2})),
            (r#"$formatInteger(1999, "I")"#, json!("MCMXCIX")),
        ];
        for (expression, expected) in cases {
            assert_eq!(eval(expression), expected, "{expression}");
        }
    }
}
