//! AWS's service quotas that change behaviour, on by default and switchable, and the bounds
//! on runaway JSONata expressions.

use crate::budget::{Budget, DEFAULT_MAX_EVAL_STEPS};
use crate::jsonata::JsonataLimits;

/// The quotas an execution enforces. `None` turns one off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Events in one execution's history: 25,000 on AWS; the execution fails past it.
    pub max_history_events: Option<usize>,
    /// Bytes of one payload (input, output, result): 256 KiB on AWS
    /// (`States.DataLimitExceeded`).
    pub max_payload_bytes: Option<usize>,
    /// How long a Standard workflow's execution may run on its clock, in seconds: one year
    /// on AWS; past it the execution times out (`States.Timeout`), as past its TimeoutSeconds.
    pub max_execution_seconds: Option<u64>,
    /// What stops a runaway JSONata expression (not an AWS quota: always on, also with
    /// [`Limits::none`]).
    pub jsonata: JsonataLimits,
    /// The evaluation steps one execution may take ([`crate::budget`]; not an AWS quota:
    /// always on, also with [`Limits::none`]).
    pub max_eval_steps: u64,
    /// The bytes of JSON a value being built may reach ([`crate::budget`]); `None`: four
    /// times the payload quota, or 4 MiB without it.
    pub max_value_bytes: Option<usize>,
}

pub const AWS_MAX_HISTORY_EVENTS: usize = 25_000;
pub const AWS_MAX_PAYLOAD_BYTES: usize = 256 * 1024;
/// One year (365 days), in seconds.
pub const AWS_MAX_EXECUTION_SECONDS: u64 = 365 * 24 * 60 * 60;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_history_events: Some(AWS_MAX_HISTORY_EVENTS),
            max_payload_bytes: Some(AWS_MAX_PAYLOAD_BYTES),
            max_execution_seconds: Some(AWS_MAX_EXECUTION_SECONDS),
            jsonata: JsonataLimits::default(),
            max_eval_steps: DEFAULT_MAX_EVAL_STEPS,
            max_value_bytes: None,
        }
    }
}

impl Limits {
    /// The execution's resource budget under these limits.
    pub fn budget(&self) -> Budget {
        let mut budget = Budget::new(self.max_eval_steps, self.max_payload_bytes);
        if let Some(bytes) = self.max_value_bytes {
            budget.max_value_bytes = bytes;
        }
        budget
    }

    /// No limits: for long simulations and benchmarks.
    pub fn none() -> Self {
        Limits {
            max_history_events: None,
            max_payload_bytes: None,
            max_execution_seconds: None,
            jsonata: JsonataLimits::default(),
            max_eval_steps: DEFAULT_MAX_EVAL_STEPS,
            max_value_bytes: None,
        }
    }
}

/// The deepest nesting of arrays and objects a payload may have. Not an AWS quota but a
/// guard that is always on: values are copied, compared, printed and dropped recursively, so
/// a loop that wraps its input a level deeper each pass would otherwise overflow the stack.
/// Inputs, definitions and mock files are parsed with a depth cap of 128; only values built
/// at run time get deeper, and they stop here.
pub const MAX_PAYLOAD_NESTING: usize = 1000;

/// Whether `value` has arrays or objects nested more than `max` levels deep (a scalar is at
/// level 0, `[1]` at level 1). Walks without recursion, and stops at the first level too deep.
/// Checked on every state's output, so the usual flat value is answered without allocating.
pub fn nested_deeper_than(value: &serde_json::Value, max: usize) -> bool {
    use serde_json::Value;

    enum Children<'a> {
        Array(std::slice::Iter<'a, Value>),
        Object(serde_json::map::Values<'a>),
    }
    impl<'a> Iterator for Children<'a> {
        type Item = &'a Value;
        fn next(&mut self) -> Option<&'a Value> {
            match self {
                Children::Array(items) => items.next(),
                Children::Object(values) => values.next(),
            }
        }
    }
    fn children(value: &Value) -> Option<Children<'_>> {
        match value {
            Value::Array(items) => Some(Children::Array(items.iter())),
            Value::Object(map) => Some(Children::Object(map.values())),
            _ => None,
        }
    }

    let Some(top) = children(value) else {
        return false;
    };
    if max == 0 {
        return true;
    }
    // One level whose members are all scalars: deep enough for any max of at least 1.
    if children(value).is_some_and(|mut members| members.all(|m| children(m).is_none())) {
        return false;
    }
    let mut stack = vec![top];
    while !stack.is_empty() {
        if stack.len() > max {
            return true;
        }
        let next = stack.last_mut().and_then(Iterator::next);
        match next {
            Some(child) => {
                if let Some(iter) = children(child) {
                    stack.push(iter);
                }
            }
            None => {
                stack.pop();
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nesting_is_measured_without_recursion() {
        assert!(!nested_deeper_than(&json!(1), 0));
        assert!(nested_deeper_than(&json!([]), 0));
        assert!(!nested_deeper_than(&json!([1, {"a": [2]}]), 3));
        assert!(nested_deeper_than(&json!([1, {"a": [2]}]), 2));
        // Flat values (no container inside) are one level deep.
        assert!(!nested_deeper_than(&json!({"a": 1, "b": "x"}), 1));
        assert!(nested_deeper_than(&json!({"a": 1, "b": "x"}), 0));
        assert!(nested_deeper_than(&json!({"a": 1, "b": []}), 1));
        assert!(!nested_deeper_than(&json!({"a": 1, "b": []}), 2));
        let mut deep = json!(0);
        for _ in 0..MAX_PAYLOAD_NESTING {
            deep = json!([deep]);
        }
        assert!(!nested_deeper_than(&deep, MAX_PAYLOAD_NESTING));
        assert!(nested_deeper_than(&json!({"x": deep}), MAX_PAYLOAD_NESTING));
    }
}
