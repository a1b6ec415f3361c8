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
//!
//! A definition's calls are parsed when it is read ([`IntrinsicCall`], paths in their arguments
//! compiled too); a run only evaluates them. The text-taking [`evaluate`] and [`check`] parse
//! first. The text is read by `parse`; `evaluate` dispatches a call to its function and checks its
//! arguments; `format` holds States.Format's template language and `java_random` the seeded
//! generator of States.MathRandom.

use serde_json::Value;

use std::rc::Rc;

use crate::error::{names, StatesError};
use crate::memo::CompileMemo;
use crate::paths::Path;
use crate::template::EvalEnv;

use parse::{parse, parse_with};

mod evaluate;
mod format;
mod java_random;
mod parse;

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
    let call = parse(expr).map_err(|message| {
        StatesError::new(
            names::INTRINSIC_FAILURE,
            format!("Invalid intrinsic function call '{expr}' in the field '{field}': {message}"),
        )
    })?;
    call.evaluate(field, env)
}

/// An intrinsic function call of a definition, parsed when the definition is read: the run
/// only evaluates it. Keeps its text, which AWS's messages quote.
#[derive(Debug, Clone)]
pub struct IntrinsicCall {
    /// Shared: a definition repeats its calls, each parsed once per read
    /// ([`CompileMemo`](crate::memo::CompileMemo)).
    text: Rc<str>,
    call: Rc<Call>,
}

impl IntrinsicCall {
    /// Parses and checks a call (syntax, function name, argument count, nesting), with the
    /// message of what is wrong.
    pub fn parse(text: &str) -> Result<IntrinsicCall, String> {
        IntrinsicCall::parse_in(text, &mut CompileMemo::default())
    }

    /// [`IntrinsicCall::parse`], compiling the paths of its arguments through `memo`.
    pub fn parse_in(text: &str, memo: &mut CompileMemo) -> Result<IntrinsicCall, String> {
        Ok(IntrinsicCall {
            text: text.into(),
            call: Rc::new(parse_with(text, memo)?),
        })
    }

    pub(crate) fn shared_text(&self) -> Rc<str> {
        Rc::clone(&self.text)
    }

    /// The call as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Evaluates the call, naming `field` in the message of a path argument that finds
    /// nothing, as [`evaluate_field`] does.
    pub fn evaluate_field(&self, field: &str, env: &mut EvalEnv<'_>) -> Result<Value, StatesError> {
        self.call.evaluate(field, env)
    }
}

/// Two calls are the same when written the same.
impl PartialEq for IntrinsicCall {
    fn eq(&self, other: &IntrinsicCall) -> bool {
        self.text == other.text
    }
}

/// Checks the syntax of an intrinsic function call, its function name and argument count.
pub fn check(expr: &str) -> Result<(), String> {
    parse(expr).map(|_| ())
}

// The functions, their arities and the parsed form.

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
    /// `$...`, `$$...` or `$name...`.
    Path(Path),
    Call(Call),
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

    #[test]
    fn array_unique_keeps_first_of_equal_items_in_linear_time() {
        let input = json!({"arr": [
            {"a": 1, "b": 2}, {"b": 2, "a": 1}, 1, 1.0, 1, [1, {"x": null}], [1, {"x": null}],
            "1", null, null, {"a": 1, "b": 3}
        ]});
        assert_eq!(
            run("States.ArrayUnique($.arr)", &input),
            Ok(json!([{"a": 1, "b": 2}, 1, 1.0, [1, {"x": null}], "1", null, {"a": 1, "b": 3}]))
        );
        // 100,000 distinct items: quadratic would be 5e9 comparisons.
        let many = json!({"arr": (0..100_000).collect::<Vec<_>>()});
        let started = std::time::Instant::now();
        let unique = run("States.ArrayLength(States.ArrayUnique($.arr))", &many);
        assert_eq!(unique, Ok(json!(100_000)));
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
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
