//! JSONata as AWS Step Functions runs it: expressions in `{% ... %}`, the `$states` binding,
//! workflow variables, and AWS's own functions.
//!
//! The evaluator is the `jsonata-core` crate (pinned: it matched jsonata-js 2.0.6, the version
//! AWS implements, on the probes we ran). This module adapts it:
//!
//! - **Values.** `serde_json::Value` in, `serde_json::Value` out. JSONata numbers are doubles,
//!   as on AWS (a JavaScript engine): an integral result comes out as a JSON integer (`3`, not
//!   `3.0`), anything else as a float; `-0` comes out as `0`.
//! - **Bindings.** `$states` is `env.states`; every workflow variable is `$name`. The
//!   expression's context (`$`) is undefined: on AWS a JSONata expression reads its data
//!   through `$states`, never through `$`.
//! - **AWS's functions.** `$partition`, `$range`, `$hash`, `$random([seed])`, `$uuid`, `$parse`
//!   are added; `$now()` and `$millis()` read the simulated clock; `$random` and `$uuid` (and
//!   `$shuffle`) draw from the run's seeded generator so a run replays; `$eval` fails as a
//!   function that does not exist.
//! - **Runaway expressions.** Recursion deeper than [`JsonataLimits::max_depth`] fails; every
//!   call of a user-defined function (including each pass of a tail-call loop, which no depth
//!   limit sees) counts against [`JsonataLimits::max_steps`]; sequences (ranges included) are
//!   capped at [`JsonataLimits::max_sequence_length`]. None of this reads a clock, so it works
//!   the same in wasm, where `Instant` panics.
//! - **Compile, then run.** A definition's and a mock file's expressions are parsed when
//!   they are read ([`Expression`], [`JsonataValue`], in `compiled`); a run only evaluates
//!   them, within the execution's [`JsonataLimits`] (passed in [`JsonataEnv::limits`]). The
//!   text-taking [`evaluate`] and [`check`] parse first, for callers outside a definition.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use jsonata_core::ast::AstNode;
use jsonata_core::evaluator::{Context, Evaluator, EvaluatorError, EvaluatorOptions};
use jsonata_core::parser;
use jsonata_core::value::JValue;
use serde_json::{Map, Number, Value};

pub use compiled::{Expression, JsonataValue, Member};
use mentions::Mentions;

mod charges;
mod compiled;
mod mentions;
use crate::rng::Rng;
use crate::time::{format_iso, Millis};

/// What an expression is evaluated against.
pub struct JsonataEnv<'a> {
    /// The `$states` object: `input`, `context`, and where available `result` and
    /// `errorOutput`.
    pub states: &'a Value,
    /// The workflow variables in scope (`$name`).
    pub variables: &'a Map<String, Value>,
    /// Seeds `$random()` and `$uuid()`.
    pub rng: &'a mut Rng,
    /// The simulated clock, for `$now()` and `$millis()`.
    pub now: Millis,
    /// The runaway bounds, from the execution's [`Limits`](crate::limits::Limits).
    pub limits: JsonataLimits,
}

/// Why an expression gave no value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonataError {
    /// The expression is not valid JSONata (the message says where and why).
    Syntax(String),
    /// Evaluation failed (the message is the evaluator's). A result JSON cannot hold (a
    /// function) is reported here with the message [`UNSUPPORTED_RESULT`]; see
    /// [`JsonataError::is_unsupported_result`].
    Evaluation(String),
    /// The expression evaluated to nothing (JSONata's `undefined`).
    Undefined,
}

/// The message of the [`JsonataError::Evaluation`] for a result JSON cannot hold (a function,
/// anywhere in the value). AWS's cause for a field then reads: "The JSONata expression
/// '<expr>' specified for the field '<field>' returned an unsupported result type."
pub const UNSUPPORTED_RESULT: &str = "returned an unsupported result type";

impl JsonataError {
    /// True for a result JSON cannot hold (AWS: "... returned an unsupported result type.").
    pub fn is_unsupported_result(&self) -> bool {
        matches!(self, JsonataError::Evaluation(m) if m == UNSUPPORTED_RESULT)
    }
}

impl std::fmt::Display for JsonataError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JsonataError::Syntax(m) | JsonataError::Evaluation(m) => f.write_str(m),
            JsonataError::Undefined => f.write_str("returned nothing (undefined)"),
        }
    }
}

/// Bounds that stop runaway expressions with an error instead of a hang or a stack overflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonataLimits {
    /// Nesting of the evaluation (jsonata-js's `stack` option). Each non-tail recursive call
    /// of a user function takes a few levels.
    pub max_depth: usize,
    /// Calls of user-defined functions (each pass of a tail-call loop included) in one
    /// evaluation.
    pub max_steps: u64,
    /// Length of any sequence the evaluator builds (`[1..n]`, `$map`, paths, `$range`).
    pub max_sequence_length: usize,
}

impl Default for JsonataLimits {
    fn default() -> Self {
        JsonataLimits {
            max_depth: DEFAULT_MAX_DEPTH,
            // About a second of work natively.
            max_steps: 1_000_000,
            // jsonata-js's own bound for the range operator is 1e7; a million keeps a runaway
            // range well inside a browser tab's memory, and is far above what fits in a
            // 256 KB payload.
            max_sequence_length: 1_000_000,
        }
    }
}

/// The default evaluation depth. Natively about 200 nested calls of a user function. In wasm
/// the evaluator's frames live on the JavaScript engine's native stack (about 1 MB in V8),
/// which nothing can grow: measured in Node with the release build, a recursion through
/// `$map` traps ("Maximum call stack size exceeded") past a depth of 300, so wasm stops at
/// 200 (about 40 nested calls). A host with a bigger stack can raise it in the execution's
/// [`Limits::jsonata`](crate::limits::Limits::jsonata).
#[cfg(not(target_arch = "wasm32"))]
pub const DEFAULT_MAX_DEPTH: usize = 1000;
#[cfg(target_arch = "wasm32")]
pub const DEFAULT_MAX_DEPTH: usize = 200;

/// The most items `$range` returns (the same bound as `States.ArrayRange`).
pub const MAX_RANGE_ITEMS: usize = 1000;

/// Hash algorithms `$hash` accepts, as AWS names them.
const HASH_ALGORITHMS: [&str; 5] = ["MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512"];

/// True when `text` is a JSONata expression: `{%` ... `%}` around it, with nothing outside
/// (AWS takes `" {% states.input %} "`, with its spaces, as a plain string).
pub fn is_expression(text: &str) -> bool {
    text.starts_with("{%") && text.ends_with("%}") && text.len() >= 4
}

/// The expression inside `{% ... %}`, trimmed (AWS quotes it this way in its causes:
/// "The JSONata expression '$doesNotExist' specified for the field ..."). `None` when `text`
/// is not an expression.
pub fn expression_body(text: &str) -> Option<&str> {
    if !is_expression(text) {
        return None;
    }
    text.strip_prefix("{%")?.strip_suffix("%}").map(str::trim)
}

/// Evaluates the expression inside `{% ... %}` (`text` is the whole string), within
/// `env.limits`.
pub fn evaluate(text: &str, env: &mut JsonataEnv<'_>) -> Result<Value, JsonataError> {
    let limits = env.limits;
    evaluate_with_limits(text, env, &limits)
}

/// [`evaluate`] with explicit runaway bounds (instead of `env.limits`).
pub fn evaluate_with_limits(
    text: &str,
    env: &mut JsonataEnv<'_>,
    limits: &JsonataLimits,
) -> Result<Value, JsonataError> {
    Expression::new(text).evaluate_with_limits(env, limits)
}

/// Why `text` cannot be evaluated: it is not a `{% ... %}` expression.
fn not_enclosed(text: &str) -> JsonataError {
    JsonataError::Syntax(format!(
        "a JSONata expression must be enclosed in '{{%' and '%}}': {text}"
    ))
}

/// Evaluates `ast`, parsed from `body` (the text inside `{% ... %}`), which mentions what
/// `mentions` says.
fn evaluate_parsed(
    body: &str,
    ast: &AstNode,
    mentions: &Mentions,
    env: &mut JsonataEnv<'_>,
    limits: &JsonataLimits,
) -> Result<Value, JsonataError> {
    // Host functions must be 'static, so the generator moves into a shared cell for the
    // evaluation and its advanced state is written back afterwards.
    let rng = Rc::new(RefCell::new(env.rng.clone()));
    let steps = Rc::new(Cell::new(0u64));
    let options = EvaluatorOptions {
        max_stack_depth: Some(limits.max_depth),
        max_sequence_length: Some(limits.max_sequence_length),
        ..EvaluatorOptions::default()
    };
    // JSONata reaches a variable or a function only by writing its name, so only the names
    // the expression mentions are bound: converting every variable and the whole `$states`
    // (with its context object) for each evaluation was most of its cost.
    let mut context = Context::new();
    if let Some(states) = mentions.states_binding(env.states) {
        context.bind("states".to_string(), states);
    }
    for (name, value) in env.variables {
        if mentions.mentions(name, body) {
            context.bind(name.clone(), to_jvalue(value));
        }
    }
    let mut evaluator = Evaluator::with_options(context, options);
    register_functions(
        &mut evaluator,
        mentions,
        &rng,
        &steps,
        limits.max_steps,
        env.now,
    )
    .map_err(|e| JsonataError::Evaluation(e.message().to_string()))?;
    let result = evaluator.evaluate(ast, &JValue::Undefined);
    *env.rng = rng.borrow().clone();
    let value = result.map_err(|e| JsonataError::Evaluation(e.message().to_string()))?;
    from_jvalue(&value, 0, &mut 0)
}

/// Checks the syntax of the expression inside `{% ... %}` (`text` is the whole string).
pub fn check(text: &str) -> Result<(), String> {
    let body = expression_body(text)
        .ok_or_else(|| "a JSONata expression must be enclosed in '{%' and '%}'".to_string())?;
    parse_body(body).map(|_| ()).map_err(|e| e.to_string())
}

/// Parses the text inside `{% ... %}` and makes its costly parts charge the budget
/// ([`charges`]).
fn parse_body(body: &str) -> Result<AstNode, JsonataError> {
    if body.is_empty() {
        return Err(JsonataError::Syntax(
            "the JSONata expression is empty".into(),
        ));
    }
    let ast = parser::parse(body).map_err(|e| JsonataError::Syntax(e.to_string()))?;
    // Most expressions have nothing to charge and skip the AST walk.
    if charges::may_need_charges(body) {
        stacker::maybe_grow(SERDE_WALK_STACK, SERDE_WALK_STACK, || {
            charges::instrument(ast)
        })
    } else {
        Ok(ast)
    }
}

/// The stack the walk over an expression's serde form (`charges::instrument`) runs on: it
/// recurses once per level of that form (several per node, with large frames in a debug
/// build), which the parser's own bound on nesting does not cover, so it runs on a stack of
/// its own, as jsonata-core's parser does, unless the one left is as big.
#[cfg(not(target_arch = "wasm32"))]
const SERDE_WALK_STACK: usize = 32 << 20;
#[cfg(target_arch = "wasm32")]
const SERDE_WALK_STACK: usize = 16 << 20;

fn fail(message: impl Into<String>) -> EvaluatorError {
    EvaluatorError::EvaluationError(message.into())
}

/// Registers AWS's functions and the step counter, those the expression can call.
fn register_functions(
    ev: &mut Evaluator,
    mentions: &Mentions,
    rng: &Rc<RefCell<Rng>>,
    steps: &Rc<Cell<u64>>,
    max_steps: u64,
    now: Millis,
) -> Result<(), EvaluatorError> {
    let counter = Rc::clone(steps);
    // The tick starts every user function and filters every descendant step (`charges`).
    if mentions.charges {
        ev.register_fn_override(charges::TICK, move |args: &[JValue]| {
            charges::tick(args)?;
            let n = counter.get().saturating_add(1);
            counter.set(n);
            if n > max_steps {
                return Err(fail(format!(
                    "U1001: Stack overflow error: the expression made more than {max_steps} function calls. Check for non-terminating recursive function"
                )));
            }
            Ok(JValue::Bool(true))
        })?;
        ev.register_fn_override(charges::CHECK, charges::charge_call)?;
        ev.register_fn_override(charges::RANGE, charges::range_end)?;
    }

    // AWS leaves `$eval` out: calling it fails as calling any name that is not a function
    // does (the evaluator's own wording for `$nosuch()`).
    if mentions.mentions("eval", "") {
        ev.register_fn_override("eval", |_: &[JValue]| {
            Err(fail("T1006: Attempted to invoke a non-function: $eval"))
        })?;
    }
    if mentions.mentions("partition", "") {
        ev.register_fn_override("partition", |args: &[JValue]| partition(args))?;
    }
    if mentions.mentions("range", "") {
        ev.register_fn_override("range", |args: &[JValue]| range(args))?;
    }
    if mentions.mentions("hash", "") {
        ev.register_fn_override("hash", |args: &[JValue]| hash(args))?;
    }
    if mentions.mentions("parse", "") {
        ev.register_fn_override("parse", |args: &[JValue]| parse_json(args))?;
    }
    if mentions.mentions("random", "") {
        let r = Rc::clone(rng);
        ev.register_fn_override("random", move |args: &[JValue]| match args.first() {
            None | Some(JValue::Undefined) => Ok(JValue::Number(r.borrow_mut().next_f64())),
            Some(seed) => Ok(JValue::Number(seeded_random(seed)?)),
        })?;
    }
    if mentions.mentions("uuid", "") {
        let r = Rc::clone(rng);
        ev.register_fn_override("uuid", move |_: &[JValue]| {
            Ok(JValue::from(r.borrow_mut().uuid_v4()))
        })?;
    }
    if mentions.mentions("shuffle", "") {
        let r = Rc::clone(rng);
        ev.register_fn_override("shuffle", move |args: &[JValue]| {
            shuffle(args, &mut r.borrow_mut())
        })?;
    }
    if mentions.mentions("millis", "") {
        ev.register_fn_override("millis", move |_: &[JValue]| Ok(JValue::from(now)))?;
    }
    if mentions.mentions("now", "") {
        ev.register_fn_override("now", move |args: &[JValue]| now_fn(args, now))?;
    }
    Ok(())
}

/// The items of an array argument (a single value counts as a one-item array, as JSONata's
/// own array functions have it).
fn items_of(value: &JValue) -> Vec<JValue> {
    match value {
        JValue::Array(items) => items.iter().cloned().collect(),
        JValue::Undefined => Vec::new(),
        other => vec![other.clone()],
    }
}

/// A number argument that must be an integer.
fn integer_arg(args: &[JValue], index: usize, function: &str) -> Result<i64, EvaluatorError> {
    match args.get(index) {
        Some(JValue::Number(n)) if n.fract() == 0.0 && n.abs() < 9.007_199_254_740_992e15 => {
            Ok(*n as i64)
        }
        Some(JValue::Number(n)) => Err(fail(format!(
            "{function}: argument {} must be an integer, but was {n}",
            index.saturating_add(1)
        ))),
        _ => Err(fail(format!(
            "{function}: argument {} must be a number",
            index.saturating_add(1)
        ))),
    }
}

/// `$partition(array, size)`: the array cut into chunks of `size` items (the last may be
/// shorter), like `States.ArrayPartition`.
fn partition(args: &[JValue]) -> Result<JValue, EvaluatorError> {
    let items = match args.first() {
        Some(JValue::Array(items)) => items.iter().cloned().collect::<Vec<_>>(),
        _ => return Err(fail("$partition: argument 1 must be an array")),
    };
    let size = integer_arg(args, 1, "$partition")?;
    let size = usize::try_from(size)
        .ok()
        .filter(|s| *s > 0)
        .ok_or_else(|| {
            fail("$partition: argument 2 (the chunk size) must be a positive integer")
        })?;
    let chunks = items
        .chunks(size)
        .map(|chunk| JValue::array(chunk.to_vec()))
        .collect();
    Ok(JValue::array(chunks))
}

/// `$range(start, end, step)`: `start`, `start + step`, ... up to and including `end`, like
/// `States.ArrayRange`. The result is a sequence, so a single number comes out bare (AWS
/// returns `1` for `$range(1, 9, 9)`).
fn range(args: &[JValue]) -> Result<JValue, EvaluatorError> {
    let start = integer_arg(args, 0, "$range")?;
    let end = integer_arg(args, 1, "$range")?;
    let step = integer_arg(args, 2, "$range")?;
    // Both bounds fit 53 bits, so in i128 nothing here comes near overflowing.
    let span = i128::from(end)
        .saturating_sub(i128::from(start))
        .checked_div(i128::from(step))
        .ok_or_else(|| fail("$range: argument 3 (the step) must not be 0"))?;
    if span < 0 {
        return Ok(JValue::sequence(Vec::new()));
    }
    let count = span.saturating_add(1);
    if count > MAX_RANGE_ITEMS as i128 {
        return Err(fail(format!(
            "$range: the range would have {count} items, more than the {MAX_RANGE_ITEMS} allowed"
        )));
    }
    // Every item lies between `start` and `end`, so it fits an i64.
    let items = (0..count)
        .filter_map(|i| {
            let item = i128::from(start).saturating_add(i.saturating_mul(i128::from(step)));
            i64::try_from(item).ok()
        })
        .map(JValue::from)
        .collect();
    Ok(JValue::sequence(items))
}

/// `$hash(value, algorithm)`: the hex digest of a string's UTF-8 bytes.
fn hash(args: &[JValue]) -> Result<JValue, EvaluatorError> {
    use sha2::Digest;
    let data = match args.first() {
        Some(JValue::String(s)) => s.clone(),
        _ => return Err(fail("$hash: argument 1 must be a string")),
    };
    let algorithm = match args.get(1) {
        Some(JValue::String(s)) => s.clone(),
        _ => return Err(fail("$hash: argument 2 must be a string")),
    };
    let bytes = data.as_bytes();
    let digest: Vec<u8> = match &*algorithm {
        "MD5" => md5::Md5::digest(bytes).to_vec(),
        "SHA-1" => sha1::Sha1::digest(bytes).to_vec(),
        "SHA-256" => sha2::Sha256::digest(bytes).to_vec(),
        "SHA-384" => sha2::Sha384::digest(bytes).to_vec(),
        "SHA-512" => sha2::Sha512::digest(bytes).to_vec(),
        other => {
            return Err(fail(format!(
                "$hash: unsupported algorithm '{other}'; use one of {}",
                HASH_ALGORITHMS.join(", ")
            )))
        }
    };
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    Ok(JValue::from(hex))
}

/// `$parse(text)`: the JSON value a string holds.
fn parse_json(args: &[JValue]) -> Result<JValue, EvaluatorError> {
    let text = match args.first() {
        Some(JValue::String(s)) => s.clone(),
        _ => return Err(fail("$parse: argument 1 must be a string")),
    };
    let value: Value = serde_json::from_str(&text)
        .map_err(|e| fail(format!("$parse: the string is not valid JSON: {e}")))?;
    Ok(to_jvalue(&value))
}

/// `$random(seed)`: the same number for the same seed.
fn seeded_random(seed: &JValue) -> Result<f64, EvaluatorError> {
    let bits = match seed {
        JValue::Number(n) if n.fract() == 0.0 => (*n as i64) as u64,
        JValue::Number(n) => n.to_bits(),
        _ => return Err(fail("$random: the seed must be a number")),
    };
    Ok(Rng::new(bits).next_f64())
}

/// `$shuffle(array)` from the run's generator (Fisher-Yates), so a run replays.
fn shuffle(args: &[JValue], rng: &mut Rng) -> Result<JValue, EvaluatorError> {
    let mut items = match args.first() {
        None | Some(JValue::Undefined) => return Ok(JValue::Undefined),
        Some(value) => items_of(value),
    };
    for i in (1..items.len()).rev() {
        let j = rng.range_inclusive(0, i as i64);
        let j = usize::try_from(j).unwrap_or(0).min(i);
        items.swap(i, j);
    }
    Ok(JValue::array(items))
}

/// `$now([picture [, timezone]])` at the simulated time: without arguments AWS's ISO form
/// with milliseconds; with them, what `$fromMillis` makes of the same instant.
fn now_fn(args: &[JValue], now: Millis) -> Result<JValue, EvaluatorError> {
    if args.iter().all(JValue::is_undefined) {
        return Ok(JValue::from(format_iso(now)));
    }
    let ast = parser::parse("$fromMillis($m, $p, $t)").map_err(|e| fail(e.to_string()))?;
    let mut context = Context::new();
    context.bind("m".into(), JValue::from(now));
    context.bind(
        "p".into(),
        args.first().cloned().unwrap_or(JValue::Undefined),
    );
    context.bind(
        "t".into(),
        args.get(1).cloned().unwrap_or(JValue::Undefined),
    );
    Evaluator::with_context(context).evaluate(&ast, &JValue::Undefined)
}

/// A JSON value as the evaluator's value.
fn to_jvalue(value: &Value) -> JValue {
    JValue::from(value.clone())
}

/// Nesting beyond which a result is refused rather than converted (recursion here is bounded
/// by it; the evaluator's depth limit keeps real results far below).
const MAX_RESULT_NESTING: usize = 1000;

/// The evaluator's value as JSON: integral numbers as integers, functions refused, undefined
/// members of objects and arrays dropped (as JSON.stringify does).
///
/// `bytes` counts about the size of the JSON built so far: the evaluator shares values (a
/// sequence of a hundred thousand times `$states.input` is small), their JSON is not, so the
/// conversion stops once it is past the budget's size bound.
fn from_jvalue(value: &JValue, depth: usize, bytes: &mut usize) -> Result<Value, JsonataError> {
    if depth > MAX_RESULT_NESTING {
        return Err(JsonataError::Evaluation(
            "the result is nested too deeply".into(),
        ));
    }
    let grown = |bytes: &mut usize, more: usize| {
        *bytes = bytes.saturating_add(more);
        crate::budget::check_size(*bytes)
            .and_then(|()| crate::budget::charge_bytes(more))
            .map_err(|e| JsonataError::Evaluation(e.message()))
    };
    Ok(match value {
        JValue::Undefined => return Err(JsonataError::Undefined),
        JValue::Null => Value::Null,
        JValue::Bool(b) => Value::Bool(*b),
        JValue::Number(n) => number(*n)?,
        JValue::String(s) => {
            grown(bytes, s.len())?;
            Value::String(s.to_string())
        }
        JValue::Array(items) => {
            grown(bytes, items.len().saturating_add(2))?;
            let mut out = Vec::with_capacity(items.len());
            for item in items.iter() {
                match from_jvalue(item, depth.saturating_add(1), bytes) {
                    Ok(v) => out.push(v),
                    Err(JsonataError::Undefined) => {}
                    Err(e) => return Err(e),
                }
            }
            Value::Array(out)
        }
        JValue::Object(map) => {
            grown(bytes, map.len().saturating_mul(4).saturating_add(2))?;
            let mut out = Map::new();
            for (key, item) in map.iter() {
                grown(bytes, key.len())?;
                match from_jvalue(item, depth.saturating_add(1), bytes) {
                    Ok(v) => {
                        out.insert(key.clone(), v);
                    }
                    Err(JsonataError::Undefined) => {}
                    Err(e) => return Err(e),
                }
            }
            Value::Object(out)
        }
        JValue::Lambda(_) | JValue::Builtin { .. } | JValue::Regex { .. } => {
            return Err(JsonataError::Evaluation(UNSUPPORTED_RESULT.to_string()))
        }
    })
}

/// A double as JSON the way JavaScript prints it: integral values as integers.
fn number(n: f64) -> Result<Value, JsonataError> {
    if !n.is_finite() {
        return Err(JsonataError::Evaluation(
            "D1001: Number out of range".to_string(),
        ));
    }
    // Below 2^63 an integral double converts exactly; `-0.0` becomes `0`.
    if n.fract() == 0.0 && n.abs() < 9.223_372_036_854_775e18 {
        return Ok(Value::Number(Number::from(n as i64)));
    }
    Number::from_f64(n)
        .map(Value::Number)
        .ok_or_else(|| JsonataError::Evaluation("D1001: Number out of range".to_string()))
}
