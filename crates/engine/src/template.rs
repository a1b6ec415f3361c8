//! Payload templates: Parameters, ResultSelector, ItemSelector, Credentials, JSONPath Assign.
//! Keys ending in `.$` take their value from a path, the context object, a variable or an
//! intrinsic function.
//!
//! A definition's templates are checked ([`check`]) and compiled ([`Template`]) when it is
//! read: each `.$` field already holds its compiled path or intrinsic call, and whether the
//! template reads the context object is known. A run only evaluates them. The text-taking
//! [`evaluate`] compiles first, for callers outside a definition.

use serde_json::{Map, Value};

use crate::budget::{self, Exhausted};
use crate::definition::json::child_pointer;
use crate::error::StatesError;
use crate::intrinsics::{self, IntrinsicCall};
use crate::java_text;
use crate::memo::CompileMemo;
use crate::paths::Path;
use crate::rng::Rng;

/// What a template, a path or an intrinsic function is evaluated against.
pub struct EvalEnv<'a> {
    /// The value `$` refers to.
    pub input: &'a Value,
    /// The context object, what `$$` refers to.
    pub context: &'a Value,
    /// Randomness for States.UUID and States.MathRandom, seeded by the execution.
    pub rng: &'a mut Rng,
    /// The workflow variables in scope (`$name` paths); `None` where variables cannot be used.
    pub variables: Option<&'a Map<String, Value>>,
}

/// A payload template of a definition (Parameters, ResultSelector, ItemSelector, Credentials),
/// compiled when the definition is read: each `.$` field is already a path, a context path, a
/// variable path or an intrinsic call, with its output key, and whether the template reads the
/// context object is known. Keeps its source, which the model's readers show.
#[derive(Debug, Clone)]
pub struct Template {
    /// Boxed: a model holds many optional templates, and is built recursively on the stack.
    compiled: Box<Compiled>,
}

#[derive(Debug, Clone)]
struct Compiled {
    source: Value,
    root: Node,
    reads_context: bool,
}

/// A part of a compiled template.
#[derive(Debug, Clone)]
enum Node {
    /// A value without `.$` fields anywhere: copied as it is.
    Constant(Value),
    /// An object with a `.$` field somewhere: its output keys and values, in order.
    Object(Vec<(String, Node)>),
    Array(Vec<Node>),
    /// The value of a `.$` field, whose key (with its `.$`) the messages quote.
    Dynamic {
        key: String,
        value: Dynamic,
    },
}

/// What a `.$` field reads.
#[derive(Debug, Clone)]
enum Dynamic {
    /// A path over the input (`$...`).
    Input(Path),
    /// A path over the context object (`$$...`).
    Context(Path),
    /// A workflow variable (`$name...`).
    Variable(Path),
    Call(IntrinsicCall),
    /// A value that does not compile (validation rejects it in a definition; the text-taking
    /// [`evaluate`] meets it): evaluated from the value, to fail as AWS does at run time.
    Unchecked(Value),
}

impl Template {
    /// Checks and compiles `template` in one pass: the template, or (JSON pointer relative to
    /// the template, message) for each `.$` value that is not a valid path or intrinsic call.
    pub fn compile(template: Value) -> Result<Template, Vec<(String, String)>> {
        Template::compile_in(template, &mut CompileMemo::default())
    }

    /// [`Template::compile`], compiling paths and calls through `memo`.
    pub fn compile_in(
        template: Value,
        memo: &mut CompileMemo,
    ) -> Result<Template, Vec<(String, String)>> {
        let mut problems = Vec::new();
        let root = compile_checked(&template, "", &mut problems, memo);
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Template {
            compiled: Box::new(Compiled {
                root,
                reads_context: source_reads_context(&template),
                source: template,
            }),
        })
    }

    /// Compiles `template` without checking it: a `.$` value that does not compile fails when
    /// evaluated, as AWS fails at run time.
    pub fn new(template: Value) -> Template {
        Template {
            compiled: Box::new(Compiled {
                root: compile(&template),
                reads_context: source_reads_context(&template),
                source: template,
            }),
        }
    }

    /// The template as written.
    pub fn source(&self) -> &Value {
        &self.compiled.source
    }

    /// Whether evaluating the template can read the context object (`$$`, directly or in an
    /// intrinsic's arguments). Building the context copies the execution's input, so callers
    /// skip it for the many templates that never read it.
    pub fn reads_context(&self) -> bool {
        self.compiled.reads_context
    }

    /// Evaluates the template. Errors carry AWS's cause text without the
    /// "An error occurred while executing the state ..." prefix, which the executor adds.
    pub fn evaluate(&self, env: &mut EvalEnv<'_>) -> Result<Value, StatesError> {
        self.compiled.root.evaluate(env, &mut 0)
    }
}

/// Two templates are the same when written the same.
impl PartialEq for Template {
    fn eq(&self, other: &Template) -> bool {
        self.source() == other.source()
    }
}

fn compile(template: &Value) -> Node {
    if !has_dynamic_field(template) {
        return Node::Constant(template.clone());
    }
    match template {
        Value::Object(map) => Node::Object(
            map.iter()
                .map(|(key, value)| match key.strip_suffix(".$") {
                    Some(name) => (
                        name.to_string(),
                        Node::Dynamic {
                            key: key.clone(),
                            value: compile_dynamic(value),
                        },
                    ),
                    None => (key.clone(), compile(value)),
                })
                .collect(),
        ),
        Value::Array(items) => Node::Array(items.iter().map(compile).collect()),
        other => Node::Constant(other.clone()),
    }
}

fn has_dynamic_field(template: &Value) -> bool {
    match template {
        Value::Object(map) => map
            .iter()
            .any(|(key, value)| key.ends_with(".$") || has_dynamic_field(value)),
        Value::Array(items) => items.iter().any(has_dynamic_field),
        _ => false,
    }
}

fn compile_dynamic(value: &Value) -> Dynamic {
    let unchecked = || Dynamic::Unchecked(value.clone());
    let Some(text) = value.as_str() else {
        return unchecked();
    };
    if intrinsics::is_intrinsic(text) {
        return IntrinsicCall::parse(text).map_or_else(|_| unchecked(), Dynamic::Call);
    }
    Path::parse(text).map_or_else(|_| unchecked(), |path| classify(text, path))
}

/// What a compiled `.$` path reads.
fn classify(text: &str, path: Path) -> Dynamic {
    if path.is_variable() {
        Dynamic::Variable(path)
    } else if text.trim_start().starts_with("$$") {
        Dynamic::Context(path)
    } else {
        Dynamic::Input(path)
    }
}

impl Node {
    /// The node's value; `bytes` counts the size of the values the template's `.$` fields
    /// gave so far (its constants are the definition's, bounded by it), so that a template
    /// that copies a big input many times stops as soon as it is too big.
    fn evaluate(&self, env: &mut EvalEnv<'_>, bytes: &mut usize) -> Result<Value, StatesError> {
        match self {
            Node::Constant(value) => Ok(value.clone()),
            Node::Object(fields) => {
                let mut out = Map::with_capacity(fields.len());
                for (name, node) in fields {
                    out.insert(name.clone(), node.evaluate(env, bytes)?);
                }
                Ok(Value::Object(out))
            }
            Node::Array(items) => items
                .iter()
                .map(|item| item.evaluate(env, bytes))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array),
            Node::Dynamic { key, value } => {
                let value = value.evaluate(key, env)?;
                budget::add_size(bytes, &value).map_err(Exhausted::error)?;
                Ok(value)
            }
        }
    }
}

impl Dynamic {
    /// The value of the `.$` field `key`.
    fn evaluate(&self, key: &str, env: &mut EvalEnv<'_>) -> Result<Value, StatesError> {
        match self {
            Dynamic::Call(call) => call.evaluate_field(key, env),
            Dynamic::Variable(path) => {
                path.query(env.input, env.context, env.variables)
                    .map_err(|e| {
                        StatesError::runtime(format!(
                            "The JSONPath '{path}' specified for the field '{key}' could not be found: {}",
                            e.message
                        ))
                    })
            }
            Dynamic::Input(path) | Dynamic::Context(path) => {
                let context_path = matches!(self, Dynamic::Context(_));
                if !context_path && env.input.is_null() {
                    return Err(null_input());
                }
                let document = if context_path { env.context } else { env.input };
                path.query(env.input, env.context, None)
                    .map_err(|_| not_found(path.text(), key, document))
            }
            Dynamic::Unchecked(value) => evaluate_unchecked(key, value, env),
        }
    }
}

/// Evaluates `template` as written (compiling it first): for callers outside a definition.
pub fn evaluate(template: &Value, env: &mut EvalEnv<'_>) -> Result<Value, StatesError> {
    compile(template).evaluate(env, &mut 0)
}

/// Whether evaluating `template` can read the context object (see [`Template::reads_context`]).
pub fn reads_context(template: &Value) -> bool {
    source_reads_context(template)
}

fn source_reads_context(template: &Value) -> bool {
    match template {
        Value::Object(map) => map.iter().any(|(key, value)| {
            if key.ends_with(".$") {
                value.as_str().is_some_and(|text| text.contains("$$"))
            } else {
                source_reads_context(value)
            }
        }),
        Value::Array(items) => items.iter().any(source_reads_context),
        _ => false,
    }
}

/// What AWS answers for a `$` path over a null input (e.g. after a Lambda returned nothing
/// and OutputPath picked it).
fn null_input() -> StatesError {
    StatesError::runtime("Unable to apply Path transformation to null or empty input.")
}

fn not_found(text: &str, key: &str, document: &Value) -> StatesError {
    StatesError::runtime(format!(
        "The JSONPath '{text}' specified for the field '{key}' could not be found in the \
         input '{}'",
        java_text::compact(document)
    ))
}

/// The value of a `.$` field that did not compile, read from its text as AWS reads it at run
/// time: a value that is not text, an intrinsic call or a path that does not parse.
fn evaluate_unchecked(
    key: &str,
    value: &Value,
    env: &mut EvalEnv<'_>,
) -> Result<Value, StatesError> {
    let Some(text) = value.as_str() else {
        return Err(StatesError::runtime(format!(
            "The value for the field '{key}' must be a STRING that contains a JSONPath, but was \
             {}",
            java_text::compact(value)
        )));
    };
    if intrinsics::is_intrinsic(text) {
        return intrinsics::evaluate_field(text, key, env);
    }
    let context_path = text.trim_start().starts_with("$$");
    if !context_path && env.input.is_null() {
        return Err(null_input());
    }
    let document = if context_path { env.context } else { env.input };
    // The path does not parse, so it finds nothing.
    Err(not_found(text, key, document))
}

/// Checks a template's `.$` values (paths and intrinsic calls). Returns (JSON pointer relative
/// to the template, message) for each problem.
pub fn check(template: &Value) -> Vec<(String, String)> {
    let mut problems = Vec::new();
    compile_checked(template, "", &mut problems, &mut CompileMemo::default());
    problems
}

/// Compiles `template` and reports each `.$` value that does not compile at its pointer. A
/// field's pointer is built only for a problem, or to go into an object or array.
fn compile_checked(
    template: &Value,
    pointer: &str,
    problems: &mut Vec<(String, String)>,
    memo: &mut CompileMemo,
) -> Node {
    if !has_dynamic_field(template) {
        return Node::Constant(template.clone());
    }
    let inner =
        |value: &Value, key: &str, problems: &mut Vec<(String, String)>, memo: &mut CompileMemo| {
            if has_dynamic_field(value) {
                compile_checked(value, &child_pointer(pointer, key), problems, memo)
            } else {
                Node::Constant(value.clone())
            }
        };
    match template {
        Value::Object(map) => Node::Object(
            map.iter()
                .map(|(key, value)| match key.strip_suffix(".$") {
                    Some(name) => {
                        let value =
                            compile_dynamic_checked(key, value, memo).unwrap_or_else(|message| {
                                problems.push((child_pointer(pointer, key), message));
                                Dynamic::Unchecked(value.clone())
                            });
                        let key = key.clone();
                        (name.to_string(), Node::Dynamic { key, value })
                    }
                    None => (key.clone(), inner(value, key, problems, memo)),
                })
                .collect(),
        ),
        Value::Array(items) => Node::Array(
            items
                .iter()
                .enumerate()
                .map(|(index, item)| inner(item, &index.to_string(), problems, memo))
                .collect(),
        ),
        other => Node::Constant(other.clone()),
    }
}

/// A `.$` value compiled, or AWS's validation message for it, followed by what is wrong.
fn compile_dynamic_checked(
    key: &str,
    value: &Value,
    memo: &mut CompileMemo,
) -> Result<Dynamic, String> {
    let invalid = |detail: String| {
        format!(
            "The value for the field '{key}' must be a valid JSONPath or a valid intrinsic \
             function call ({detail})"
        )
    };
    let Some(text) = value.as_str() else {
        return Err(invalid(format!("found {}", kind(value))));
    };
    if intrinsics::is_intrinsic(text) {
        return memo.call(text).map(Dynamic::Call).map_err(invalid);
    }
    if !text.trim_start().starts_with('$') {
        return Err(invalid("it must start with '$' or 'States.'".into()));
    }
    memo.path(text)
        .map(|path| classify(text, path))
        .map_err(invalid)
}

use crate::definition::json::described_type as kind;

/// RFC 6901 escaping of one pointer token.
#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(template: &Value, input: &Value) -> Result<Value, StatesError> {
        let context = json!({"Execution": {"Id": "arn:exec"}, "Map": {"Item": {"Index": 2}}});
        let mut rng = Rng::new(5);
        let mut env = EvalEnv {
            variables: None,
            input,
            context: &context,
            rng: &mut rng,
        };
        evaluate(template, &mut env)
    }

    /// (template, input, expected output).
    #[test]
    fn templates_copy_and_evaluate() {
        let input = json!({"a": {"b": [1, 2]}, "name": "x"});
        let cases = [
            (
                json!({"k": "v", "n": [1, {"x": null}]}),
                json!({"k": "v", "n": [1, {"x": null}]}),
            ),
            (json!({"v.$": "$.a.b[1]"}), json!({"v": 2})),
            (json!({"all.$": "$"}), json!({"all": input.clone()})),
            (
                json!({"id.$": "$$.Execution.Id"}),
                json!({"id": "arn:exec"}),
            ),
            (json!({"i.$": "$$.Map.Item.Index"}), json!({"i": 2})),
            (json!({"list.$": "$.a.b[*]"}), json!({"list": [1, 2]})),
            (
                json!({"g.$": "States.Format('hi {}', $.name)"}),
                json!({"g": "hi x"}),
            ),
            (
                json!({"deep": [{"x.$": "$.name"}]}),
                json!({"deep": [{"x": "x"}]}),
            ),
            (json!("plain"), json!("plain")),
        ];
        for (template, expected) in cases {
            assert_eq!(run(&template, &input), Ok(expected), "{template}");
        }
    }

    #[test]
    fn missing_paths_use_aws_wording() {
        let input = json!({"int-literal": 0});
        assert_eq!(
            run(&json!({"value.$": "$.no_such_jsonpath"}), &input),
            Err(StatesError::runtime(
                "The JSONPath '$.no_such_jsonpath' specified for the field 'value.$' could not \
                 be found in the input '{\"int-literal\":0}'"
            ))
        );
        assert_eq!(
            run(&json!({"Input.$": "$"}), &Value::Null),
            Err(StatesError::runtime(
                "Unable to apply Path transformation to null or empty input."
            ))
        );
    }

    #[test]
    fn check_reports_bad_dynamic_values_by_pointer() {
        let template = json!({
            "ok.$": "$.a",
            "fine": {"also.$": "States.UUID()"},
            "num.$": 3,
            "nested": [{"bad.$": "$.a["}],
            "fn.$": "States.Nope(1)",
            "word.$": "hello",
            "a/b.$": "$$.x y"
        });
        let pointers: Vec<String> = check(&template).into_iter().map(|(p, _)| p).collect();
        assert_eq!(
            pointers,
            ["/num.$", "/nested/0/bad.$", "/fn.$", "/word.$", "/a~1b.$"]
        );
    }
}
