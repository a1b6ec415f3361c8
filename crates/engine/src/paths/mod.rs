//! JSONPath in AWS's dialect (Jayway's), reference paths, and writing at a reference path.
//!
//! AWS evaluates JSONPath with Jayway JsonPath, so this module follows Jayway's semantics and
//! wording rather than RFC 9535: a *definite* path (only single names and single indexes)
//! gives one value or fails with Jayway's message (`No results for path: $['a']`, `Missing
//! property in path $['a']`); any other path gives a list, possibly empty. A multi-name
//! bracket at the end of a path (`$['a','b']`) merges the named members into one object, as
//! Jayway does. The messages here are Jayway's; callers wrap them in AWS's sentences
//! (`Invalid path '$.x' : ...`).
//!
//! A path's text is compiled once (`parse`, the filter language in `filter`) into a
//! `JsonPath`, which `evaluate` reads values with and `write` writes a ResultPath with. A
//! definition's paths are compiled when it is read, into [`Path`]s (the compiled form and its
//! text); a run only evaluates them. The text-taking functions ([`query`], [`set_at`]...)
//! compile first, for callers outside a definition.

use std::rc::Rc;

use serde_json::{Map, Value};

/// How Java prints values, which Jayway's messages quote; kept here too for this module's
/// callers, which print the values they query.
pub use crate::java_text::{compact, java_display, java_number};
pub use write::set_at;

use filter::Filter;

mod evaluate;
mod filter;
mod parse;
mod write;

/// Why a path could not be evaluated against a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathError {
    /// AWS's wording of the problem, e.g. `No results for path: $['foo']`.
    pub message: String,
}

impl PathError {
    fn new(message: impl Into<String>) -> Self {
        PathError {
            message: message.into(),
        }
    }
}

/// Evaluates `path` (`$...` against `input`, `$$...` against `context`). A definite path gives
/// its value; an indefinite one (wildcards, filters, slices, unions, deep scan) a list.
pub fn query(path: &str, input: &Value, context: &Value) -> Result<Value, PathError> {
    query_with_variables(path, input, context, None)
}

/// Like [`query`], also resolving workflow variable references (`$name`, `$name.a[0]`)
/// against `variables`. Without variables such a path fails with a message naming it.
pub fn query_with_variables(
    path: &str,
    input: &Value,
    context: &Value,
    variables: Option<&Map<String, Value>>,
) -> Result<Value, PathError> {
    let compiled = JsonPath::parse(path).map_err(PathError::new)?;
    evaluate_compiled(&compiled, path, input, context, variables)
}

/// Evaluates `compiled`, whose text is `path`, from the root it names.
fn evaluate_compiled(
    compiled: &JsonPath,
    path: &str,
    input: &Value,
    context: &Value,
    variables: Option<&Map<String, Value>>,
) -> Result<Value, PathError> {
    let root = match &compiled.root {
        Root::Input => input,
        Root::Context => context,
        Root::Variable(name) => match variables {
            None => {
                return Err(PathError::new(format!(
                    "The variable reference '{}' cannot be evaluated: workflow variables are \
                     not supported here",
                    path.trim()
                )))
            }
            Some(variables) => variables
                .get(name)
                .ok_or_else(|| PathError::new(format!("The variable '${name}' is not defined")))?,
        },
    };
    compiled.evaluate(root)
}

/// Whether `path` reads a workflow variable (`$name...`) rather than `$` or `$$`.
pub fn is_variable_path(path: &str) -> bool {
    // Only `$` and a letter or `_` can start one: most paths are told apart without parsing.
    let names_variable = path
        .trim()
        .strip_prefix('$')
        .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_'));
    names_variable
        && JsonPath::parse(path).is_ok_and(|compiled| matches!(compiled.root, Root::Variable(_)))
}

/// Checks the syntax of a JSONPath (InputPath, OutputPath, ItemsPath, a template's `.$` value).
pub fn check_path(path: &str) -> Result<(), String> {
    JsonPath::parse(path).map(|_| ())
}

const NOT_SINGLE_NODE: &str = "A reference path must name a single node: no wildcards, \
                               filters, slices, unions or deep scans";

/// Checks a reference path: a JSONPath naming a single node (ResultPath, Choice Variable,
/// `...Path` fields).
pub fn check_reference_path(path: &str) -> Result<(), String> {
    JsonPath::parse(path)?.check_reference()
}

/// True when `path` is definite: it can only name a single node (no wildcard, deep scan,
/// filter, slice or union), so evaluating it gives a value rather than a list.
pub fn is_definite(path: &str) -> Result<bool, String> {
    Ok(JsonPath::parse(path)?.is_definite())
}

/// A JSONPath or reference path of a definition, compiled when the definition is read: the
/// run only evaluates it. Keeps its text, which AWS's messages quote and the graph shows.
#[derive(Debug, Clone)]
pub struct Path {
    /// Shared: a definition repeats its paths, each compiled once per read
    /// ([`CompileMemo`](crate::memo::CompileMemo)). Behind a pointer, too: a model holds many
    /// optional paths, and is built recursively on the stack.
    text: Rc<str>,
    compiled: Rc<JsonPath>,
}

impl Path {
    /// Compiles a JSONPath (`$...`, `$$...` or `$name...`), with the syntax error's message.
    pub fn parse(text: &str) -> Result<Path, String> {
        Ok(Path {
            text: text.into(),
            compiled: Rc::new(JsonPath::parse(text)?),
        })
    }

    /// Compiles a reference path: a JSONPath naming a single node.
    pub fn parse_reference(text: &str) -> Result<Path, String> {
        let path = Path::parse(text)?;
        path.compiled.check_reference()?;
        Ok(path)
    }

    /// The path as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    pub(crate) fn shared_text(&self) -> Rc<str> {
        Rc::clone(&self.text)
    }

    /// Why the path is not a reference path (naming a single node), if it is not.
    pub fn check_reference(&self) -> Result<(), String> {
        self.compiled.check_reference()
    }

    /// Whether the path reads a workflow variable (`$name...`) rather than `$` or `$$`.
    pub fn is_variable(&self) -> bool {
        matches!(self.compiled.root, Root::Variable(_))
    }

    /// True when the path can only name a single node, so evaluating it gives a value rather
    /// than a list.
    pub fn is_definite(&self) -> bool {
        self.compiled.is_definite()
    }

    /// Evaluates the path as [`query_with_variables`] does.
    pub fn query(
        &self,
        input: &Value,
        context: &Value,
        variables: Option<&Map<String, Value>>,
    ) -> Result<Value, PathError> {
        evaluate_compiled(&self.compiled, &self.text, input, context, variables)
    }

    /// Writes `value` into `target` at this reference path, as [`set_at`] does.
    pub fn set_at(&self, target: Value, value: Value) -> Result<Value, PathError> {
        write::set_at_compiled(target, &self.text, &self.compiled, value)
    }
}

/// Two paths are the same when written the same.
impl PartialEq for Path {
    fn eq(&self, other: &Path) -> bool {
        self.text == other.text
    }
}

impl std::fmt::Display for Path {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

// ---------------------------------------------------------------------------------------------
// The compiled form.

#[derive(Debug, Clone, PartialEq)]
enum Segment {
    /// `.a`, `['a']`, or `['a','b']`.
    Property(Vec<String>),
    /// `.*` or `[*]`.
    Wildcard,
    /// `[0]`, `[-1]` or `[0,2]`.
    Index(Vec<i64>),
    /// `[from:to]`, either bound optional (Jayway has no step).
    Slice(Option<i64>, Option<i64>),
    /// `[?(...)]`.
    Filter(Box<Filter>),
    /// `..`: the next segment applies at every depth.
    Scan,
}

/// A function at the end of a path (`.length()`), applied to what the path before it gives.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Function {
    Length,
    Min,
    Max,
    Avg,
    Sum,
    Stddev,
    Keys,
}

/// Where a path starts.
#[derive(Debug, Clone, PartialEq)]
enum Root {
    /// `$`: the state's input (or effective input).
    Input,
    /// `$$`: the context object.
    Context,
    /// `$name`: a workflow variable.
    Variable(String),
}

#[derive(Debug, Clone, PartialEq)]
struct JsonPath {
    /// What the path starts from.
    root: Root,
    segments: Vec<Segment>,
    function: Option<Function>,
}

impl JsonPath {
    fn segment_definite(&self, index: usize) -> bool {
        match self.segments.get(index) {
            Some(Segment::Property(names)) => {
                names.len() == 1 || index.saturating_add(1) == self.segments.len()
            }
            Some(Segment::Index(indexes)) => indexes.len() == 1,
            _ => false,
        }
    }

    fn is_definite(&self) -> bool {
        (0..self.segments.len()).all(|i| self.segment_definite(i))
    }

    /// Why the path is not a reference path, if it is not.
    fn check_reference(&self) -> Result<(), String> {
        if self.function.is_some() {
            return Err("A reference path cannot call a function".into());
        }
        let single = |segment: &Segment| match segment {
            Segment::Property(names) => names.len() == 1,
            Segment::Index(indexes) => indexes.len() == 1,
            _ => false,
        };
        if self.segments.iter().all(single) {
            Ok(())
        } else {
            Err(NOT_SINGLE_NODE.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc() -> Value {
        json!({
            "a": {"b": {"c": 1}, "list": [1, 2, 3, 4]},
            "detail-type": "Scheduled Event",
            "detail\\\"x": "quoted",
            "items": [
                {"name": "x", "price": 5, "tags": ["t1"]},
                {"name": "y", "price": 15},
                {"name": "z", "price": 25, "flag": null}
            ],
            "n": null,
            "s": "text"
        })
    }

    /// (path, expected value) for paths that succeed against `doc()`.
    #[test]
    fn queries_give_jayways_results() {
        let cases: Vec<(&str, Value)> = vec![
            ("$", doc()),
            ("$.a.b.c", json!(1)),
            ("$['a']['b']", json!({"c": 1})),
            ("$[\"a\"].b", json!({"c": 1})),
            ("$.detail-type", json!("Scheduled Event")),
            ("$.a.list[0]", json!(1)),
            ("$.a.list[-1]", json!(4)),
            ("$.a.list[*]", json!([1, 2, 3, 4])),
            ("$.a.list[0:2]", json!([1, 2])),
            ("$.a.list[-2:]", json!([3, 4])),
            ("$.a.list[:-3]", json!([1])),
            ("$.a.list[1:]", json!([2, 3, 4])),
            ("$.a.list[0,2]", json!([1, 3])),
            ("$.a.list[7:9]", json!([])),
            ("$.items[*].name", json!(["x", "y", "z"])),
            ("$.items[?(@.price > 10)].name", json!(["y", "z"])),
            (
                "$.items[?(@.price >= 15 && @.name != 'z')].name",
                json!(["y"]),
            ),
            (
                "$.items[?(@.price < 10 || @.name == \"z\")].name",
                json!(["x", "z"]),
            ),
            ("$.items[?(@.tags)].name", json!(["x"])),
            ("$.items[?(@.flag)].name", json!(["z"])),
            ("$.items[?(!@.tags)].name", json!(["y", "z"])),
            ("$.items[?(@.name in ['x','z'])].price", json!([5, 25])),
            ("$.items[?(@.price == 5.0)].name", json!(["x"])),
            ("$.items[?(@.price > $.a.b.c)].name", json!(["x", "y", "z"])),
            ("$.items[?(@.name =~ /[XY]/i)].price", json!([5, 15])),
            ("$.items[?(@.name =~ /x.+/)].price", json!([])),
            (
                "$.items[0]['name','price']",
                json!({"name": "x", "price": 5}),
            ),
            ("$..c", json!([1])),
            ("$..price", json!([5, 15, 25])),
            ("$..name", json!(["x", "y", "z"])),
            ("$.a.*", json!([{"c": 1}, [1, 2, 3, 4]])),
            ("$.items[1:].name", json!(["y", "z"])),
            ("$.items[*].missing", json!([])),
            // Indefinite paths are lenient: nothing to find is an empty list (corpus).
            ("$.nothing[*]", json!([])),
            ("$.nothing.deeper[1:]", json!([])),
            ("$.s[*]", json!([])),
            ("$['detail\\\"x']", json!("quoted")),
            ("$.n", Value::Null),
            ("$.a.list.length()", json!(4)),
            ("$.items.length()", json!(3)),
            ("$..price.sum()", json!(45.0)),
            ("$.a.list.max()", json!(4.0)),
        ];
        for (path, expected) in cases {
            let got = query(path, &doc(), &Value::Null);
            assert_eq!(got, Ok(expected), "{path}");
        }
    }

    /// (path, Jayway's message) for definite paths that fail against `doc()`.
    #[test]
    fn missing_definite_paths_fail_with_jayways_wording() {
        let cases = [
            ("$.nope", "No results for path: $['nope']"),
            ("$.a.nope", "No results for path: $['a']['nope']"),
            ("$.no.such.path", "Missing property in path $['no']"),
            ("$.a.nope.deeper", "Missing property in path $['a']['nope']"),
            ("$.a.list[10]", "No results for path: $['a']['list'][10]"),
            ("$.n[0]", "The path $['n'] is null"),
            (
                "$.s[0]",
                "Filter: [0] can only be applied to arrays. Current context is: text",
            ),
            (
                "$.s.x",
                "Expected to find an object with property ['x'] in path $['s'] but found \
                 'java.lang.String'. This is not a json object according to the JsonProvider: \
                 'com.jayway.jsonpath.spi.json.JsonSmartJsonProvider'.",
            ),
        ];
        for (path, message) in cases {
            let got = query(path, &doc(), &Value::Null);
            assert_eq!(got, Err(PathError::new(message)), "{path}");
        }
    }

    #[test]
    fn context_paths_read_the_context_object() {
        let context = json!({"Execution": {"Id": "arn:x"}});
        assert_eq!(
            query("$$.Execution.Id", &json!({}), &context),
            Ok(json!("arn:x"))
        );
        assert_eq!(
            query("$$.Execution.Nope", &json!({}), &context),
            Err(PathError::new(
                "No results for path: $['Execution']['Nope']"
            ))
        );
    }

    #[test]
    fn variable_paths_read_variables() {
        let mut variables = Map::new();
        variables.insert("answer".into(), json!({"v": [1, 2]}));
        let run = |p: &str| query_with_variables(p, &json!({}), &json!({}), Some(&variables));
        assert_eq!(run("$answer"), Ok(json!({"v": [1, 2]})));
        assert_eq!(run("$answer.v[1]"), Ok(json!(2)));
        assert_eq!(run("$answer.v[*]"), Ok(json!([1, 2])));
        assert_eq!(
            run("$nope"),
            Err(PathError::new("The variable '$nope' is not defined"))
        );
        assert!(query("$answer", &json!({}), &json!({})).is_err());
        assert!(is_variable_path("$answer.v"));
        assert!(!is_variable_path("$.answer"));
        assert!(set_at(json!({}), "$answer.x", json!(1)).is_err());
    }

    #[test]
    fn syntax_checks() {
        for good in [
            "$",
            "$.a",
            "$$.Map.Item.Value",
            "$.a[0]",
            "$['a b']",
            "$.a[?(@.x == 'y')]",
            "$..a",
            "$.a.length()",
            "$theAnswer",
            "$constant_obj.in_obj[0]",
        ] {
            assert_eq!(check_path(good), Ok(()), "{good}");
        }
        for bad in [
            "",
            "a.b",
            "$.",
            "$..",
            "$.a[",
            "$.a[x]",
            "$.a b",
            "$.a[?(@.x ==)]",
            "$.f(1)",
            "$.a[1:2:3]",
            "$.a[?(@.x =~ /(y/)]",
        ] {
            assert!(check_path(bad).is_err(), "{bad}");
        }
        // Hostile nesting is refused, not a stack overflow.
        let parens = format!("$.a[?({}@.x{})]", "(".repeat(5000), ")".repeat(5000));
        assert!(check_path(&parens).is_err());
        let nots = format!("$.a[?({}@.x)]", "!".repeat(5000));
        assert!(check_path(&nots).is_err());
        let filters = format!("${}{}", "[?(@".repeat(2000), ")]".repeat(2000));
        assert!(check_path(&filters).is_err());
        assert_eq!(check_path("$.a[?(@.b[?(@.c[?(@.d)])])]"), Ok(()));
        for good in ["$", "$.a.b", "$['a'][0]", "$$.Execution.Input"] {
            assert_eq!(check_reference_path(good), Ok(()), "{good}");
        }
        for bad in [
            "$.a[*]",
            "$..a",
            "$.a[?(@.x)]",
            "$.a[0:1]",
            "$.a[0,1]",
            "$['a','b']",
        ] {
            assert!(check_reference_path(bad).is_err(), "{bad}");
        }
    }
}
