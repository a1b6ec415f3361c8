//! The execution's resource budget: evaluation steps that every costly operation draws on,
//! and the size a value may reach while it is built, so that no input, however hostile, runs
//! for minutes or takes gigabytes.
//!
//! - **Steps.** JSONPath evaluation (each segment applied to each node, deep scans and filters
//!   included), intrinsic functions (per item or per 64 bytes they process), Choice rules (per
//!   rule), JSONata (each call of a user function, and the costly built-ins per item or
//!   character they are given) and the JSONata of mock rules all charge one counter per
//!   execution. When it runs out, the state fails with `States.Runtime` (which no Retry or
//!   Catch takes, as on AWS), naming the state and the budget: the execution ends FAILED.
//! - **Size.** A value is measured as it is built, without serializing it ([`json_size`]
//!   counts the bytes of its compact JSON text, exactly what the payload quota measures):
//!   a template's fields, a JSONPath's results, an intrinsic's text, a JSONata result, a
//!   Map's collected results. A value that grows past [`Budget::max_value_bytes`] stops with
//!   `States.DataLimitExceeded` before it is built any further.
//!
//! The counter is the execution's, made current for the thread while the execution advances
//! ([`install`]): the evaluators charge it without a parameter in each of their signatures,
//! and the engine runs one execution at a time on a thread (the page's worker and the CLI
//! alike). Outside an execution (validation, unit tests) nothing is charged against a bound.
//!
//! ## Defaults
//!
//! - [`DEFAULT_MAX_EVAL_STEPS`], 100 million steps per execution. A step is one node a path
//!   visits (plus one per 64 bytes of the path's text Jayway's messages keep), one rule, one
//!   call, or 64 bytes copied or scanned; the costlier JSONata items (a range's, a merged
//!   object's) count 8. Measured natively in release, the hostile cases of
//!   `tests/bad-inputs/budget/` spend it in 0.5 to 1.5 s. What legitimate work takes
//!   (measured): the benchmarks' loop of 100,000 iterations 200,000 steps, their Map of 10,000
//!   items none (plain paths are looked up directly), a `$..y` deep scan of a 285 KB input
//!   of 4,000 objects 24,000. So the budget allows some 4,000 deep scans of a payload at the
//!   quota in one execution; a history of 25,000 events has room for 12,500 states, so a
//!   machine that deep-scanned a full payload in every one of them would need
//!   `sfn-play run --max-eval-steps N`, which raises it (the page uses the default).
//! - The size bound is four times the payload quota (1 MiB with AWS's 256 KiB): a value being
//!   built may grow past the quota before a later stage cuts it down (a JSONPath result that a
//!   template then picks from), but not far: at four times the quota it can no longer become a
//!   payload. With the quotas off (`--no-limits`) it is [`MAX_VALUE_BYTES_WITHOUT_QUOTA`]
//!   (4 MiB of JSON text): in memory a value takes up to some seventy times its text (a
//!   `{"a":{...}}` level of 6 bytes is an object, its map and a key, a few hundred bytes; a
//!   deep scan's results share nothing), measured at 1.1 GB for 16 MiB and 570 MB for 8 MiB,
//!   so 4 MiB keeps a value being built under about 300 MB at worst. `sfn-play run
//!   --max-value-bytes N` changes it.

use std::cell::Cell;

use serde_json::Value;

use crate::error::{names, StatesError};

/// Evaluation steps one execution may take, by default (see the module doc).
pub const DEFAULT_MAX_EVAL_STEPS: u64 = 100_000_000;

/// The size bound of a value being built when AWS's payload quota is off.
pub const MAX_VALUE_BYTES_WITHOUT_QUOTA: usize = 4 << 20;

/// How many times the payload quota a value being built may reach.
const QUOTA_FACTOR: usize = 4;

/// The bytes one step of copying stands for.
pub const BYTES_PER_STEP: usize = 64;

/// The cause of the [`StatesError`] a value that grew too big gives, before the executor
/// names the state in it.
pub const OVERSIZE_CAUSE: &str =
    "A value being built exceeded the maximum number of bytes service limit.";

/// An execution's budget: its bounds and what is left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// The steps the execution may take in all.
    pub max_steps: u64,
    /// The bytes of compact JSON one value may reach while it is built.
    pub max_value_bytes: usize,
}

impl Budget {
    /// The budget of an execution with `max_steps` steps and a payload quota of
    /// `max_payload_bytes` (`None`: the quotas are off).
    pub fn new(max_steps: u64, max_payload_bytes: Option<usize>) -> Budget {
        Budget {
            max_steps,
            max_value_bytes: max_payload_bytes.map_or(MAX_VALUE_BYTES_WITHOUT_QUOTA, |q| {
                q.saturating_mul(QUOTA_FACTOR)
            }),
        }
    }
}

/// What ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Exhausted {
    /// The evaluation steps.
    Steps = 0,
    /// A value grew past the size bound.
    Size = 1,
}

impl Exhausted {
    /// The message of an evaluator's error for it (the executor replaces that error by the
    /// execution's, see [`state_error`]).
    pub fn message(self) -> String {
        match self {
            Exhausted::Steps => format!(
                "the execution's evaluation budget ({} steps) ran out",
                max_steps()
            ),
            Exhausted::Size => OVERSIZE_CAUSE.to_string(),
        }
    }

    /// The error the state fails with (before the executor names the state).
    pub fn error(self) -> StatesError {
        match self {
            Exhausted::Steps => StatesError::runtime(self.message()),
            Exhausted::Size => StatesError::new(names::DATA_LIMIT_EXCEEDED, OVERSIZE_CAUSE),
        }
    }
}

thread_local! {
    /// The current execution's meter; unbounded outside one.
    static CURRENT: Cell<Meter> = const {
        Cell::new(Meter {
            budget: Budget { max_steps: u64::MAX, max_value_bytes: usize::MAX },
            left: u64::MAX,
            spent: NOTHING_SPENT,
        })
    };
}

/// Takes `steps` from the current execution's budget.
#[inline]
pub fn charge(steps: u64) -> Result<(), Exhausted> {
    CURRENT.with(|current| {
        let mut meter = current.get();
        if meter.left >= steps {
            meter.left = meter.left.wrapping_sub(steps);
            current.set(meter);
            Ok(())
        } else {
            meter.left = 0;
            meter.spent = Exhausted::Steps as u8;
            current.set(meter);
            Err(Exhausted::Steps)
        }
    })
}

/// Takes the steps of copying or scanning `bytes` bytes.
#[inline]
pub fn charge_bytes(bytes: usize) -> Result<(), Exhausted> {
    charge(u64::try_from(bytes / BYTES_PER_STEP).unwrap_or(u64::MAX))
}

/// The size bound of a value being built, for the current execution.
#[inline]
pub fn max_value_bytes() -> usize {
    CURRENT.with(|current| current.get().budget.max_value_bytes)
}

fn max_steps() -> u64 {
    CURRENT.with(|current| current.get().budget.max_steps)
}

fn set_spent(spent: Option<Exhausted>) {
    CURRENT.with(|current| {
        let mut meter = current.get();
        meter.spent = spent.map_or(NOTHING_SPENT, |what| what as u8);
        current.set(meter);
    });
}

/// Fails when `bytes` (the size a value being built has reached) is past the size bound.
#[inline]
pub fn check_size(bytes: usize) -> Result<(), Exhausted> {
    if bytes > max_value_bytes() {
        set_spent(Some(Exhausted::Size));
        Err(Exhausted::Size)
    } else {
        Ok(())
    }
}

/// Adds `value`'s size to `total` (the size of what is being built so far) and fails when
/// the sum is past the size bound; measuring stops there, so a huge value is not walked
/// whole. Charges the steps of the walk.
pub fn add_size(total: &mut usize, value: &Value) -> Result<(), Exhausted> {
    // One read of the meter: this runs for every value a template or a path makes.
    let mut meter = CURRENT.with(Cell::get);
    let room = meter.budget.max_value_bytes.saturating_sub(*total);
    let size = json_size_within(value, room.saturating_add(1));
    *total = total.saturating_add(size);
    if size > room {
        meter.spent = SIZE_SPENT;
        CURRENT.with(|current| current.set(meter));
        return Err(Exhausted::Size);
    }
    if size >= BYTES_PER_STEP {
        return charge_bytes(size);
    }
    Ok(())
}

/// What ran out in the current execution, if anything did.
pub fn exhausted() -> Option<Exhausted> {
    match CURRENT.with(|current| current.get().spent) {
        STEPS_SPENT => Some(Exhausted::Steps),
        SIZE_SPENT => Some(Exhausted::Size),
        _ => None,
    }
}

/// An execution's meter: its budget, the steps it has left and what ran out.
#[derive(Debug, Clone, Copy)]
pub struct Meter {
    budget: Budget,
    left: u64,
    /// What ran out, as a plain byte ([`Exhausted`] as `u8`, or [`NOTHING_SPENT`]): the meter
    /// is copied in and out of the thread at every step of the execution, and plain data
    /// copies in a few instructions.
    spent: u8,
}

const NOTHING_SPENT: u8 = u8::MAX;
const STEPS_SPENT: u8 = Exhausted::Steps as u8;
const SIZE_SPENT: u8 = Exhausted::Size as u8;

impl Meter {
    pub fn new(budget: Budget) -> Meter {
        Meter {
            budget,
            left: budget.max_steps,
            spent: NOTHING_SPENT,
        }
    }

    /// The steps taken so far.
    pub fn used(&self) -> u64 {
        self.budget.max_steps.saturating_sub(self.left)
    }
}

/// The thread's current meter.
pub fn current() -> Meter {
    CURRENT.with(Cell::get)
}

/// Makes `meter` the thread's current one and returns the one it replaces (to put back,
/// with what was spent read back the same way, when the execution stops advancing).
pub fn install(meter: Meter) -> Meter {
    CURRENT.with(|current| current.replace(meter))
}

/// The error a state's failure becomes when the budget ran out during it: the steps, as
/// `States.Runtime` naming the state and the budget (every later failure too: nothing is
/// left); a value too big, as AWS's `States.DataLimitExceeded` for the state's result.
/// `None`: the state's own error stands.
pub fn state_error(state: &str) -> Option<StatesError> {
    match exhausted()? {
        Exhausted::Steps => {
            let limit = max_steps();
            Some(StatesError::runtime(format!(
                "The execution ran out of its evaluation budget ({limit} steps) in the state \
                 '{state}': its paths, expressions, functions or rules did more work than any \
                 state machine within AWS's quotas needs (sfn-play run --max-eval-steps N \
                 raises it)."
            )))
        }
        Exhausted::Size => {
            // Taken: a state that catches it by name goes on with a clean meter.
            set_spent(None);
            Some(StatesError::new(
                names::DATA_LIMIT_EXCEEDED,
                format!(
                    "The state/task '{state}' returned a result with a size exceeding the \
                     maximum number of bytes service limit."
                ),
            ))
        }
    }
}

/// The bytes of `value`'s compact JSON text (as `serde_json::to_string` writes it), counted
/// without writing it.
pub fn json_size(value: &Value) -> usize {
    json_size_within(value, usize::MAX)
}

/// [`json_size`], but it stops counting once past `bound`: the answer is then some number
/// over `bound`. Walks without recursion.
pub fn json_size_within(value: &Value, bound: usize) -> usize {
    // Scalars and containers of scalars (most values a state makes) are counted without the
    // walk's stack.
    if let Some(size) = scalar_size(value) {
        return size;
    }
    let flat = |members: &mut dyn Iterator<Item = &Value>, mut size: usize| {
        for member in members {
            size = size.saturating_add(scalar_size(member)?).saturating_add(1);
        }
        Some(size.saturating_add(1))
    };
    let shallow = match value {
        Value::Array(items) => flat(&mut items.iter(), 1),
        Value::Object(map) => flat(
            &mut map.values(),
            map.keys().fold(1usize, |size, key| {
                size.saturating_add(string_size(key)).saturating_add(1)
            }),
        ),
        _ => None,
    };
    if let Some(size) = shallow {
        // One comma fewer than members (none for an empty container).
        let members = match value {
            Value::Array(items) => items.len(),
            Value::Object(map) => map.len(),
            _ => 0,
        };
        return size.saturating_sub(usize::from(members > 0));
    }
    let mut total = 0usize;
    let mut stack: Vec<&Value> = vec![value];
    while let Some(node) = stack.pop() {
        if total > bound {
            break;
        }
        let size = match node {
            Value::Null => 4,
            Value::Bool(true) => 4,
            Value::Bool(false) => 5,
            Value::Number(n) => number_size(n),
            Value::String(s) => string_size(s),
            Value::Array(items) => {
                stack.extend(items.iter().rev());
                // The brackets and the commas.
                2usize.saturating_add(items.len().saturating_sub(1))
            }
            Value::Object(map) => {
                let mut size = 2usize.saturating_add(map.len().saturating_sub(1));
                for (key, member) in map.iter().rev() {
                    // The key, its colon.
                    size = size.saturating_add(string_size(key)).saturating_add(1);
                    stack.push(member);
                }
                size
            }
        };
        total = total.saturating_add(size);
    }
    total
}

/// The size of a scalar; `None` for an array or an object.
fn scalar_size(value: &Value) -> Option<usize> {
    Some(match value {
        Value::Null | Value::Bool(true) => 4,
        Value::Bool(false) => 5,
        Value::Number(n) => number_size(n),
        Value::String(s) => string_size(s),
        Value::Array(_) | Value::Object(_) => return None,
    })
}

/// The bytes of a JSON string literal: its quotes and its escapes.
fn string_size(text: &str) -> usize {
    let mut size = text.len().saturating_add(2);
    for &byte in text.as_bytes() {
        match byte {
            b'"' | b'\\' | b'\n' | b'\r' | b'\t' | 0x08 | 0x0c => size = size.saturating_add(1),
            0..=0x1f => size = size.saturating_add(5),
            _ => {}
        }
    }
    size
}

fn number_size(number: &serde_json::Number) -> usize {
    if let Some(n) = number.as_u64() {
        return digits(n);
    }
    if let Some(n) = number.as_i64() {
        return digits(n.unsigned_abs()).saturating_add(1);
    }
    struct Count(usize);
    impl std::fmt::Write for Count {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            self.0 = self.0.saturating_add(s.len());
            Ok(())
        }
    }
    let mut count = Count(0);
    let _ = std::fmt::write(&mut count, format_args!("{number}"));
    count.0
}

fn digits(n: u64) -> usize {
    n.checked_ilog10()
        .map_or(1, |d| (d as usize).saturating_add(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sizes_are_those_of_the_compact_text() {
        let values = [
            json!(null),
            json!(true),
            json!(false),
            json!(0),
            json!(-7),
            json!(u64::MAX),
            json!(i64::MIN),
            json!(1.5),
            json!(-2.5e-300),
            json!(1e300),
            json!(""),
            json!("a\"b\\c\n\u{1}\u{1f}é\u{7f}"),
            json!([]),
            json!({}),
            json!([1, [2, {"x\"": null}], "s"]),
            json!({"a": {"b": [true, false]}, "c": "d"}),
        ];
        for value in values {
            let text = serde_json::to_string(&value).unwrap();
            assert_eq!(json_size(&value), text.len(), "{text}");
        }
        let big = json!([[1, 2, 3], [4, 5, 6]]);
        assert!(json_size_within(&big, 3) > 3);
    }

    #[test]
    fn a_meter_is_current_while_installed() {
        let meter = Meter::new(Budget::new(10, Some(100)));
        let previous = install(meter);
        assert_eq!(charge(4), Ok(()));
        assert_eq!(max_value_bytes(), 400);
        let mut total = 0;
        assert_eq!(
            add_size(&mut total, &json!("x".repeat(500))),
            Err(Exhausted::Size)
        );
        assert!(total > 400);
        let meter = install(previous);
        assert_eq!(meter.used(), 4);
        assert_eq!(exhausted(), None);
        let previous = install(meter);
        assert_eq!(exhausted(), Some(Exhausted::Size));
        assert_eq!(charge(7), Err(Exhausted::Steps));
        assert_eq!(exhausted(), Some(Exhausted::Steps));
        install(previous);
        assert_eq!(charge(u64::MAX / 2), Ok(()));
    }
}
