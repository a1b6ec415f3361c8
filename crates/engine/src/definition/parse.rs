//! Reading a definition from JSON text into the [model](super::model), collecting every
//! problem with its position.
//!
//! Reading never stops at the first problem: each field is checked on its own and a broken one
//! only leaves its part of the model out, so that one pass reports everything AWS's
//! CreateStateMachine would reject. Messages start with AWS's diagnostic code
//! (`SCHEMA_VALIDATION_FAILED`, `MISSING_TRANSITION_TARGET`...) and use its wording where it is
//! known.
//!
//! Each state is read in its query language (its own `QueryLanguage`, else the top level's):
//! JSONPath states have the `...Path` fields, Parameters and ResultSelector; JSONata states
//! have Arguments, Output, Items and `{% ... %}` expressions instead, each checked with
//! [`crate::jsonata::check`]. A field of the other language is reported as such. `Assign`
//! (variables) exists in both.

use std::cell::OnceCell;
use std::rc::Rc;

use indexmap::IndexMap;
use serde_json::Value;

use super::json::{self, child_pointer, Kind, Node, Pos};
use super::model::*;
use super::validate::{self, diagnostic, Scope, StateInfo, Target, VarScope};
use super::{Diagnostic, Severity};
use crate::choice::{parse_rule, ChoiceRule};
use crate::error::names;
use crate::{intrinsics, jsonata, paths, template};

const SCHEMA: &str = "SCHEMA_VALIDATION_FAILED";

/// Longest variable name AWS accepts, in characters.
pub const MAX_VARIABLE_NAME_CHARS: usize = 80;

/// State types that may carry `Assign` (AWS: Pass, Task, Map, Parallel, Choice, Wait).
const ASSIGN_TYPES: &[&str] = &["Pass", "Task", "Map", "Parallel", "Choice", "Wait"];

/// AWS's upper bound for TimeoutSeconds, HeartbeatSeconds, IntervalSeconds, MaxAttempts and
/// Wait's Seconds.
const MAX_SECONDS: u64 = 99_999_999;
/// Upper bound of a retrier's MaxDelaySeconds (one year and a day, exclusive).
const MAX_DELAY_SECONDS: u64 = 31_622_400;

const STATE_TYPES: &[&str] = &[
    "Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map",
];

/// Parses and validates `text`. Returns the model when there is no error-severity diagnostic,
/// and every diagnostic found (warnings included) either way, sorted by position.
pub fn parse_definition(text: &str) -> (Option<StateMachine>, Vec<Diagnostic>) {
    if text.trim().is_empty() {
        let d = diagnostic(
            Severity::Error,
            Pos::START,
            "",
            "MISSING_DESCRIPTION: Received a null or empty workflow input",
        );
        return (None, vec![d]);
    }
    // The definition's JSON tree, freed at once when the model is built.
    let arena = bumpalo::Bump::new();
    let root = match json::parse(text, &arena) {
        Ok(root) => root,
        Err(e) => {
            let d = diagnostic(
                Severity::Error,
                e.pos,
                &e.pointer,
                format!(
                    "{}: {}",
                    if e.too_deep {
                        "TOO_DEEPLY_NESTED"
                    } else {
                        "INVALID_JSON_DESCRIPTION"
                    },
                    e.message
                ),
            );
            return (None, vec![d]);
        }
    };
    let mut builder = Builder {
        root: &root,
        diags: Vec::new(),
        scopes: Vec::new(),
        labels: Vec::new(),
        top_ql: QueryLanguage::JsonPath,
        ql: QueryLanguage::JsonPath,
        states_access: StatesAccess::default(),
        var_scopes: vec![VarScope::default()],
        var_scope: 0,
    };
    let machine = builder.machine(&root, "", ScopeKind::Top);
    validate::check_scopes(&builder.scopes, &mut builder.diags);
    validate::check_labels(&builder.labels, &mut builder.diags);
    validate::check_variable_scopes(&builder.var_scopes, &mut builder.diags);
    let mut diags = builder.diags;
    diags.sort_by(|a, b| {
        (a.line, a.column, a.severity, &a.pointer, &a.message)
            .cmp(&(b.line, b.column, b.severity, &b.pointer, &b.message))
    });
    diags.dedup();
    let ok = !diags.iter().any(|d| d.severity == Severity::Error);
    (if ok { machine } else { None }, diags)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ScopeKind {
    Top,
    Branch,
    ItemProcessor,
}

/// A member of an object being read, with its pointer.
struct Field<'a> {
    key: &'a str,
    node: &'a Node<'a>,
    /// The pointer of the object the field is in.
    parent: &'a str,
    /// Built when first asked for: most fields are read without a problem to report.
    ptr: OnceCell<String>,
}

impl<'a> Field<'a> {
    fn pos(&self) -> Pos {
        self.node.pos
    }

    /// The field's JSON pointer.
    fn ptr(&self) -> &str {
        self.ptr
            .get_or_init(|| child_pointer(self.parent, self.key))
    }
}

fn field<'a>(node: &'a Node, ptr: &'a str, key: &'a str) -> Option<Field<'a>> {
    node.get(key).map(|m| Field {
        key,
        node: &m.value,
        parent: ptr,
        ptr: OnceCell::new(),
    })
}

/// Whether an object names a field more than once.
fn has_duplicate_keys(node: &Node) -> bool {
    let members = node.members();
    members.iter().enumerate().any(|(i, m)| {
        members
            .iter()
            .skip(i.saturating_add(1))
            .any(|later| later.key == m.key)
    })
}

/// Messages from other modules get AWS's code unless they carry one already.
fn with_code(message: &str) -> String {
    let code: String = message.chars().take_while(|c| *c != ':').collect();
    let has_code = !code.is_empty()
        && message.len() > code.len()
        && code.chars().all(|c| c.is_ascii_uppercase() || c == '_');
    if has_code {
        message.to_string()
    } else {
        format!("{SCHEMA}: {message}")
    }
}

/// A string that reads as a JSONPath, a context path or an intrinsic function call.
fn looks_dynamic(s: &str) -> bool {
    s == "$"
        || s == "$$"
        || s.starts_with("$.")
        || s.starts_with("$$.")
        || s.starts_with("$[")
        || (s.starts_with("States.") && s.contains('('))
}

/// The fields of a state type besides Type, Comment, QueryLanguage, the transition, the
/// input/output fields and Assign, in each query language.
fn state_fields(t: &str, ql: QueryLanguage) -> &'static [&'static str] {
    match (t, ql) {
        ("Pass", QueryLanguage::JsonPath) => &["Result", "ResultPath", "Parameters"],
        ("Pass", QueryLanguage::Jsonata) => &[],
        ("Task", QueryLanguage::JsonPath) => &[
            "Resource",
            "Parameters",
            "ResultSelector",
            "ResultPath",
            "Retry",
            "Catch",
            "TimeoutSeconds",
            "TimeoutSecondsPath",
            "HeartbeatSeconds",
            "HeartbeatSecondsPath",
            "Credentials",
        ],
        ("Task", QueryLanguage::Jsonata) => &[
            "Resource",
            "Arguments",
            "Retry",
            "Catch",
            "TimeoutSeconds",
            "HeartbeatSeconds",
            "Credentials",
        ],
        ("Choice", _) => &["Choices", "Default"],
        ("Wait", QueryLanguage::JsonPath) => {
            &["Seconds", "SecondsPath", "Timestamp", "TimestampPath"]
        }
        ("Wait", QueryLanguage::Jsonata) => &["Seconds", "Timestamp"],
        ("Fail", QueryLanguage::JsonPath) => &["Error", "ErrorPath", "Cause", "CausePath"],
        ("Fail", QueryLanguage::Jsonata) => &["Error", "Cause"],
        ("Parallel", QueryLanguage::JsonPath) => &[
            "Branches",
            "Parameters",
            "ResultSelector",
            "ResultPath",
            "Retry",
            "Catch",
        ],
        ("Parallel", QueryLanguage::Jsonata) => &["Branches", "Arguments", "Retry", "Catch"],
        ("Map", QueryLanguage::JsonPath) => &[
            "ItemProcessor",
            "Iterator",
            "ItemsPath",
            "ItemSelector",
            "Parameters",
            "ItemReader",
            "ItemBatcher",
            "ResultWriter",
            "MaxConcurrency",
            "MaxConcurrencyPath",
            "ToleratedFailurePercentage",
            "ToleratedFailurePercentagePath",
            "ToleratedFailureCount",
            "ToleratedFailureCountPath",
            "Label",
            "ResultSelector",
            "ResultPath",
            "Retry",
            "Catch",
        ],
        ("Map", QueryLanguage::Jsonata) => &[
            "ItemProcessor",
            "Iterator",
            "Items",
            "ItemSelector",
            "ItemReader",
            "ItemBatcher",
            "ResultWriter",
            "MaxConcurrency",
            "ToleratedFailurePercentage",
            "ToleratedFailureCount",
            "Label",
            "Retry",
            "Catch",
        ],
        // Succeed, and unknown types (reported before this is asked).
        _ => &[],
    }
}

/// What to use instead of a field of the other query language.
fn language_hint(key: &str, ql: QueryLanguage) -> &'static str {
    match (ql, key) {
        (QueryLanguage::Jsonata, "Parameters") => " (use Arguments, or ItemSelector in a Map)",
        (QueryLanguage::Jsonata, "InputPath") => " (read $states.input in Arguments or Output)",
        (QueryLanguage::Jsonata, "ResultSelector" | "ResultPath" | "OutputPath") => " (use Output)",
        (QueryLanguage::Jsonata, "ItemsPath") => " (use Items)",
        (QueryLanguage::Jsonata, "Result") => " (use Output)",
        (QueryLanguage::Jsonata, _) if key.ends_with("Path") => {
            " (give the field without 'Path' a JSONata expression '{% ... %}')"
        }
        (QueryLanguage::JsonPath, _) => " (set QueryLanguage to 'JSONata' to use it)",
        _ => "",
    }
}

/// AWS's rules for a variable name: a Unicode identifier (UAX #31: an ID_Start character,
/// then ID_Continue characters, approximated here as a letter, then letters, digits, `_`), at
/// most [`MAX_VARIABLE_NAME_CHARS`] characters, and not the reserved `states`.
fn check_variable_name(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return Err("A variable name cannot be empty".to_string());
    };
    if name == "states" {
        return Err(
            "The variable name 'states' is reserved: '$states' is set by Step Functions"
                .to_string(),
        );
    }
    if name.chars().count() > MAX_VARIABLE_NAME_CHARS {
        return Err(format!(
            "The variable name '{name}' is longer than {MAX_VARIABLE_NAME_CHARS} characters"
        ));
    }
    // `_` is ID_Continue but not ID_Start.
    let start_ok = first.is_alphabetic();
    let rest_ok = chars.all(|c| c.is_alphanumeric() || c == '_');
    if !(start_ok && rest_ok) {
        return Err(format!(
            "The variable name '{name}' is not valid: it must start with a letter and contain only letters, digits and '_' (a Unicode identifier)"
        ));
    }
    Ok(())
}

/// True when a JSONPath-state value reads the reserved `$states`, which only JSONata states
/// have.
fn uses_states_variable(path: &str) -> bool {
    let t = path.trim_start();
    t.strip_prefix("$states")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.') || rest.starts_with('['))
}

struct Builder<'r> {
    root: &'r Node<'r>,
    diags: Vec<Diagnostic>,
    scopes: Vec<Scope>,
    /// Map `Label`s, unique in the whole machine.
    labels: Vec<Target>,
    /// The top level's `QueryLanguage`: the default of every state.
    top_ql: QueryLanguage,
    /// The query language of the state being read.
    ql: QueryLanguage,
    /// Which of `$states.result` and `$states.errorOutput` the field being read may use.
    states_access: StatesAccess,
    /// The variables each scope assigns (the top level, each branch, each item processor).
    var_scopes: Vec<VarScope>,
    /// Index in `var_scopes` of the scope being read.
    var_scope: usize,
}

/// What a JSONata expression may read of `$states` besides `input` and `context`.
#[derive(Clone, Copy, Default)]
struct StatesAccess {
    /// `$states.result`: the Assign and Output of Task, Parallel and Map states.
    result: bool,
    /// `$states.errorOutput`: the Assign and Output of a Catch.
    error_output: bool,
}

/// True when the expression `text` reads `$states.<name>`.
fn reads_states_field(text: &str, name: &str) -> bool {
    let needle = format!("$states.{name}");
    text.match_indices(&needle).any(|(i, _)| {
        let rest = text
            .get(i.saturating_add(needle.len())..)
            .unwrap_or_default();
        !rest
            .chars()
            .next()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

impl<'r> Builder<'r> {
    fn error(&mut self, pos: Pos, pointer: &str, message: impl Into<String>) {
        self.diags
            .push(diagnostic(Severity::Error, pos, pointer, message));
    }

    fn schema(&mut self, pos: Pos, pointer: &str, message: impl std::fmt::Display) {
        self.error(pos, pointer, format!("{SCHEMA}: {message}"));
    }

    /// Problems reported by another module as (absolute pointer, message).
    fn absolute_problems(&mut self, problems: Vec<(String, String)>) {
        for (pointer, message) in problems {
            let pos = self.root.position_of(&pointer);
            self.error(pos, &pointer, with_code(&message));
        }
    }

    fn wrong_type(&mut self, f: &Field<'_>, expected: &str) {
        self.schema(
            f.pos(),
            f.ptr(),
            format!(
                "Expected value of type {expected} for field '{}', found {}",
                f.key,
                f.node.type_name()
            ),
        );
    }

    fn required(&mut self, node: &Node, ptr: &str, key: &str) {
        self.schema(node.pos, ptr, format!("These fields are required: [{key}]"));
    }

    fn only_one(&mut self, node: &Node, ptr: &str, keys: &[&str]) {
        self.schema(
            node.pos,
            ptr,
            format!(
                "There should only be one of the following fields: [{}]",
                keys.join(", ")
            ),
        );
    }

    /// Reports every member of `node` not in `allowed`.
    fn check_fields(&mut self, node: &Node, ptr: &str, allowed: &[&str]) {
        self.check_fields_in(node, ptr, allowed, None);
    }

    /// Reports every member of `node` not in `allowed`; those in `foreign.0` belong to the
    /// other query language and say so (`foreign.1` is the object's language).
    fn check_fields_in(
        &mut self,
        node: &Node,
        ptr: &str,
        allowed: &[&str],
        foreign: Option<(&[&str], QueryLanguage)>,
    ) {
        let members = node.members();
        for (i, m) in members.iter().enumerate() {
            let key = m.key;
            if members
                .iter()
                .skip(i.saturating_add(1))
                .any(|later| later.key == key)
            {
                // The JSON reader (like serde_json) keeps the last one; say so, as a repeated
                // `Next` or `Resource` is almost surely a mistake.
                self.diags.push(diagnostic(
                    Severity::Warning,
                    m.key_pos,
                    &child_pointer(ptr, key),
                    format!("DUPLICATE_FIELD: Field '{key}' is given more than once: the last one is used"),
                ));
            }
            if allowed.contains(&key) {
                continue;
            }
            let pointer = child_pointer(ptr, key);
            match foreign {
                Some((fields, ql)) if fields.contains(&key) => self.schema(
                    m.key_pos,
                    &pointer,
                    format!(
                        "Field '{key}' is not supported when QueryLanguage is '{}'{}",
                        ql.name(),
                        language_hint(key, ql)
                    ),
                ),
                _ => self.schema(
                    m.key_pos,
                    &pointer,
                    format!("Field '{key}' is not supported"),
                ),
            }
        }
    }

    /// Checks that `node` is an object; `what` names it ("field 'Parameters'").
    /// `what` names the value in the message ("field 'Parameters'"); it is only formatted for
    /// a problem.
    fn object_node(&mut self, node: &Node, ptr: &str, what: impl std::fmt::Display) -> bool {
        if matches!(node.kind, Kind::Object(_)) {
            return true;
        }
        self.schema(
            node.pos,
            ptr,
            format!(
                "Expected value of type Object for {what}, found {}",
                node.type_name()
            ),
        );
        false
    }

    fn opt_string(&mut self, node: &Node, ptr: &str, key: &str) -> Option<String> {
        let f = field(node, ptr, key)?;
        match f.node.as_str() {
            Some(s) => Some(s.to_string()),
            None => {
                self.wrong_type(&f, "String");
                None
            }
        }
    }

    fn req_string(&mut self, node: &Node, ptr: &str, key: &str) -> Option<String> {
        if node.get(key).is_none() {
            self.required(node, ptr, key);
            return None;
        }
        self.opt_string(node, ptr, key)
    }

    /// A target field (`Next`, `Default`, `StartAt`): a string, recorded for the graph checks.
    fn target(
        &mut self,
        node: &Node,
        ptr: &str,
        key: &'static str,
        required: bool,
    ) -> Option<(String, Target)> {
        let name = if required {
            self.req_string(node, ptr, key)?
        } else {
            self.opt_string(node, ptr, key)?
        };
        let f = field(node, ptr, key)?;
        let target = Target {
            name: name.clone(),
            pointer: f.ptr().to_string(),
            pos: f.node.pos,
            field: key,
        };
        Some((name, target))
    }

    fn opt_template(&mut self, node: &Node, ptr: &str, key: &str) -> Option<Value> {
        let f = field(node, ptr, key)?;
        if !self.object_node(f.node, f.ptr(), format_args!("field '{key}'")) {
            return None;
        }
        let value = f.node.to_value();
        let problems = template::check(&value);
        let mut ok = problems.is_empty();
        for (rel, message) in problems {
            let pointer = format!("{}{rel}", f.ptr());
            let pos = self.root.position_of(&pointer);
            self.error(pos, &pointer, with_code(&message));
        }
        ok &= self.no_states_in_jsonpath(f.node, f.ptr());
        self.no_dollar_warnings(f.node, f.ptr());
        ok.then_some(value)
    }

    /// AWS's NO_DOLLAR warning: a template value that looks like a path or an intrinsic call
    /// under a key without `.$` is passed on as a plain string, which is rarely what was meant.
    fn no_dollar_warnings(&mut self, node: &Node, ptr: &str) {
        match &node.kind {
            Kind::Object(members) => {
                for m in members.iter() {
                    let pointer = child_pointer(ptr, m.key);
                    if let Some(s) = m.value.as_str() {
                        if looks_dynamic(s) && !m.key.ends_with(".$") {
                            self.diags.push(diagnostic(
                                Severity::Warning,
                                m.key_pos,
                                &pointer,
                                format!(
                                    "NO_DOLLAR: The value of field '{}' looks like a JSONPath or an intrinsic function, but the field name does not end with '.$': it is passed on as a plain string",
                                    m.key
                                ),
                            ));
                        }
                    } else {
                        self.no_dollar_warnings(&m.value, &pointer);
                    }
                }
            }
            Kind::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.no_dollar_warnings(item, &child_pointer(ptr, &i.to_string()));
                }
            }
            _ => {}
        }
    }

    /// AWS's PASS_RESULT_IS_STATIC warning: a Pass state's Result is never evaluated, so a
    /// `.$` key in it stays as written.
    fn static_result_warnings(&mut self, node: &Node, ptr: &str) {
        match &node.kind {
            Kind::Object(members) => {
                for m in members.iter() {
                    let pointer = child_pointer(ptr, m.key);
                    // Only where the value reads as a path or a call: Result keys such as
                    // `"TestResult.$": "ConditionTrue"` are common and harmless.
                    if m.key.ends_with(".$") && m.value.as_str().is_some_and(looks_dynamic) {
                        self.diags.push(diagnostic(
                            Severity::Warning,
                            m.key_pos,
                            &pointer,
                            format!(
                                "PASS_RESULT_IS_STATIC: Attempt to use a path in the result of a pass state: '{}' is not evaluated (use Parameters)",
                                m.key
                            ),
                        ));
                    }
                    self.static_result_warnings(&m.value, &pointer);
                }
            }
            Kind::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.static_result_warnings(item, &child_pointer(ptr, &i.to_string()));
                }
            }
            _ => {}
        }
    }

    /// InputPath / OutputPath (`reference == false`), ResultPath and ItemsPath
    /// (`reference == true`; only ItemsPath may read the context object).
    fn path_field(&mut self, node: &Node, ptr: &str, key: &str, reference: bool) -> PathField {
        let Some(f) = field(node, ptr, key) else {
            return PathField::Default;
        };
        match &f.node.kind {
            Kind::Null => PathField::Null,
            Kind::String(s) if key == "ResultPath" && paths::is_variable_path(s) => {
                // AWS: "Variables cannot be used in ResultPath".
                self.schema(
                    f.pos(),
                    f.ptr(),
                    format!("Variables cannot be used in ResultPath: '{s}'"),
                );
                PathField::Default
            }
            Kind::String(s) => {
                let ok = if reference {
                    self.reference_path(&f, s, key == "ItemsPath")
                } else {
                    self.json_path(&f, s)
                };
                if ok {
                    PathField::Path(s.to_string())
                } else {
                    PathField::Default
                }
            }
            _ => {
                self.wrong_type(&f, "String");
                PathField::Default
            }
        }
    }

    fn json_path(&mut self, f: &Field<'_>, path: &str) -> bool {
        if !self.no_states_path(f, path) {
            return false;
        }
        match paths::check_path(path) {
            Ok(()) => true,
            Err(e) => {
                self.schema(
                    f.pos(),
                    f.ptr(),
                    format!("Value is not a valid JSONPath: {e}"),
                );
                false
            }
        }
    }

    /// `$states` is JSONata's: a path field of a JSONPath state cannot read it.
    fn no_states_path(&mut self, f: &Field<'_>, path: &str) -> bool {
        if !uses_states_variable(path) {
            return true;
        }
        self.schema(
            f.pos(),
            f.ptr(),
            format!(
                "The value of field '{}' reads '$states', which is only available when QueryLanguage is 'JSONata'",
                f.key
            ),
        );
        false
    }

    /// A reference path; `$$` (the context object) only where `context_ok`.
    fn reference_path(&mut self, f: &Field<'_>, path: &str, context_ok: bool) -> bool {
        if !self.no_states_path(f, path) {
            return false;
        }
        if !context_ok && path.starts_with("$$") {
            self.schema(
                f.pos(),
                f.ptr(),
                format!(
                    "Value is not a Reference Path: the context object ('$$') cannot be used in field '{}'",
                    f.key
                ),
            );
            return false;
        }
        match paths::check_reference_path(path) {
            Ok(()) => true,
            Err(e) => {
                self.schema(
                    f.pos(),
                    f.ptr(),
                    format!("Value is not a Reference Path: {e}"),
                );
                false
            }
        }
    }

    fn opt_reference_path(
        &mut self,
        node: &Node,
        ptr: &str,
        key: &str,
        context_ok: bool,
    ) -> Option<String> {
        let s = self.opt_string(node, ptr, key)?;
        let f = field(node, ptr, key)?;
        self.reference_path(&f, &s, context_ok).then_some(s)
    }

    /// ErrorPath / CausePath: a reference path or an intrinsic function call.
    fn path_or_intrinsic(&mut self, node: &Node, ptr: &str, key: &str) -> Option<String> {
        let s = self.opt_string(node, ptr, key)?;
        let f = field(node, ptr, key)?;
        if intrinsics::is_intrinsic(&s) {
            match intrinsics::check(&s) {
                Ok(()) => Some(s),
                Err(e) => {
                    self.schema(
                        f.pos(),
                        f.ptr(),
                        format!("Value is not a valid intrinsic function call: {e}"),
                    );
                    None
                }
            }
        } else {
            self.reference_path(&f, &s, true).then_some(s)
        }
    }

    fn opt_bool(&mut self, node: &Node, ptr: &str, key: &str) -> Option<bool> {
        let f = field(node, ptr, key)?;
        match f.node.kind {
            Kind::Bool(b) => Some(b),
            _ => {
                self.wrong_type(&f, "Boolean");
                None
            }
        }
    }

    /// An integer field in `min..=max`.
    fn opt_uint(&mut self, node: &Node, ptr: &str, key: &str, min: u64, max: u64) -> Option<u64> {
        let f = field(node, ptr, key)?;
        self.uint_value(&f, min, max)
    }

    fn uint_value(&mut self, f: &Field<'_>, min: u64, max: u64) -> Option<u64> {
        let Kind::Number(n) = &f.node.kind else {
            self.wrong_type(f, "Integer");
            return None;
        };
        if let Some(u) = n.as_u64() {
            if u < min {
                self.schema(f.pos(), f.ptr(), format!("Minimum value is {min}"));
                None
            } else if u > max {
                self.schema(f.pos(), f.ptr(), format!("Maximum value is {max}"));
                None
            } else {
                Some(u)
            }
        } else if n.as_i64().is_some() {
            self.schema(f.pos(), f.ptr(), format!("Minimum value is {min}"));
            None
        } else {
            self.wrong_type(f, "Integer");
            None
        }
    }

    /// A number field in `min..=max` (integer or not), written the AWS way (`1.0`).
    fn number_value(&mut self, f: &Field<'_>, min: f64, max: Option<f64>) -> Option<f64> {
        let Kind::Number(n) = &f.node.kind else {
            self.wrong_type(f, "Number");
            return None;
        };
        let x = n.as_f64()?;
        if x < min {
            self.schema(f.pos(), f.ptr(), format!("Minimum value is {min:?}"));
            return None;
        }
        if let Some(max) = max {
            if x > max {
                self.schema(f.pos(), f.ptr(), format!("Maximum value is {max:?}"));
                return None;
            }
        }
        Some(x)
    }

    /// A number given literally (`key`) or by a reference path (`path_key`), not both.
    fn number_field(
        &mut self,
        node: &Node,
        ptr: &str,
        key: &str,
        path_key: &str,
        check: NumberCheck,
        context_ok: bool,
    ) -> Option<NumberField> {
        match (field(node, ptr, key), field(node, ptr, path_key)) {
            (Some(_), Some(_)) => {
                self.only_one(node, ptr, &[key, path_key]);
                None
            }
            (Some(f), None) if self.ql == QueryLanguage::Jsonata && f.node.as_str().is_some() => {
                // In JSONata the number may be computed: `"{% ... %}"`.
                let text = f.node.as_str().unwrap_or_default();
                if !jsonata::is_expression(text) {
                    self.wrong_type(&f, "Integer or a JSONata expression string '{% ... %}'");
                    return None;
                }
                self.jsonata_expressions(f.node, f.ptr())
                    .then(|| NumberField::Expression(text.to_string()))
            }
            // The `...Path` form is JSONPath's; the field check reports it in a JSONata state.
            (None, Some(_)) if self.ql == QueryLanguage::Jsonata => None,
            (Some(f), None) => {
                let ok = match check {
                    NumberCheck::Uint { min, max } => self.uint_value(&f, min, max).is_some(),
                    NumberCheck::Percentage => self.number_value(&f, 0.0, Some(100.0)).is_some(),
                };
                ok.then(|| NumberField::Literal(f.node.to_value()))
            }
            (None, Some(_)) => self
                .opt_reference_path(node, ptr, path_key, context_ok)
                .map(NumberField::Path),
            (None, None) => None,
        }
    }

    /// `QueryLanguage`: `JSONPath` or `JSONata`.
    fn query_language(&mut self, node: &Node, ptr: &str) -> Option<QueryLanguage> {
        let value = self.opt_string(node, ptr, "QueryLanguage")?;
        let f = field(node, ptr, "QueryLanguage")?;
        match value.as_str() {
            "JSONPath" => Some(QueryLanguage::JsonPath),
            "JSONata" => Some(QueryLanguage::Jsonata),
            other => {
                self.schema(
                    f.pos(),
                    f.ptr(),
                    format!("Value '{other}' is not one of [JSONPath, JSONata]"),
                );
                None
            }
        }
    }

    // ----- JSONata and variables -----

    /// True when `node[key]` is a `{% ... %}` string.
    fn is_expression(&self, node: &Node, key: &str) -> bool {
        node.get(key)
            .and_then(|m| m.value.as_str())
            .is_some_and(jsonata::is_expression)
    }

    /// Checks every `{% ... %}` string in `node` (at any depth) with the JSONata parser.
    /// Returns false when one is invalid.
    fn jsonata_expressions(&mut self, node: &Node, ptr: &str) -> bool {
        match &node.kind {
            Kind::String(s) => {
                if !jsonata::is_expression(s) {
                    return true;
                }
                // AWS rejects these at creation rather than failing the execution.
                let access = self.states_access;
                for (name, allowed, where_) in [
                    (
                        "result",
                        access.result,
                        "the Assign and Output of Task, Parallel and Map states",
                    ),
                    (
                        "errorOutput",
                        access.error_output,
                        "the Assign and Output of a Catch",
                    ),
                ] {
                    if !allowed && reads_states_field(s, name) {
                        let message = if access.error_output {
                            format!("'$states.{name}' is not available in a Catch: the state failed (use '$states.errorOutput')")
                        } else {
                            format!("'$states.{name}' is only available in {where_}")
                        };
                        self.schema(node.pos, ptr, message);
                        return false;
                    }
                }
                match jsonata::check(s) {
                    Ok(()) => true,
                    Err(e) => {
                        self.schema(
                            node.pos,
                            ptr,
                            format!("The value is not a valid JSONata expression: {e}"),
                        );
                        false
                    }
                }
            }
            Kind::Array(items) => {
                let mut ok = true;
                for (i, item) in items.iter().enumerate() {
                    ok &= self.jsonata_expressions(item, &child_pointer(ptr, &i.to_string()));
                }
                ok
            }
            Kind::Object(members) => {
                let mut ok = true;
                for m in members.iter() {
                    ok &= self.jsonata_expressions(&m.value, &child_pointer(ptr, m.key));
                }
                ok
            }
            _ => true,
        }
    }

    /// A JSONata field that holds any JSON value with `{% ... %}` expressions in it
    /// (`Output`); `shape` limits it to an object or an expression string (`Arguments`,
    /// `ItemSelector`, `Credentials`) or an array or an expression string (`Items`).
    fn jsonata_field(
        &mut self,
        node: &Node,
        ptr: &str,
        key: &str,
        shape: JsonataShape,
        ok: &mut bool,
    ) -> Option<Value> {
        let f = field(node, ptr, key)?;
        let is_expr = f.node.as_str().is_some_and(jsonata::is_expression);
        let shape_ok = match shape {
            JsonataShape::Any => true,
            JsonataShape::Object => is_expr || matches!(f.node.kind, Kind::Object(_)),
            JsonataShape::Array => is_expr || matches!(f.node.kind, Kind::Array(_)),
        };
        if !shape_ok {
            let expected = match shape {
                JsonataShape::Array => "Array",
                _ => "Object",
            };
            self.schema(
                f.pos(),
                f.ptr(),
                format!(
                    "Expected value of type {expected} or a JSONata expression string '{{% ... %}}' for field '{key}', found {}",
                    f.node.type_name()
                ),
            );
            *ok = false;
            return None;
        }
        if !self.jsonata_expressions(f.node, f.ptr()) {
            *ok = false;
            return None;
        }
        Some(f.node.to_value())
    }

    /// `Assign` (both query languages): an object of variable names. In JSONata its values
    /// may hold `{% ... %}` expressions; in JSONPath a key ending in `.$` takes a path, a
    /// variable reference or an intrinsic call, as in a payload template.
    fn assign(&mut self, node: &Node, ptr: &str, ok: &mut bool) -> Option<Value> {
        let f = field(node, ptr, "Assign")?;
        if !self.object_node(f.node, f.ptr(), "field 'Assign'") {
            *ok = false;
            return None;
        }
        let mut good = true;
        for m in f.node.members() {
            let name = match self.ql {
                QueryLanguage::JsonPath => m.key.strip_suffix(".$").unwrap_or(m.key),
                QueryLanguage::Jsonata => m.key,
            };
            if let Err(e) = check_variable_name(name) {
                self.schema(m.key_pos, &child_pointer(f.ptr(), m.key), e);
                good = false;
            } else if let Some(scope) = self.var_scopes.get_mut(self.var_scope) {
                scope.assigned.push(Target {
                    name: name.to_string(),
                    pointer: child_pointer(f.ptr(), m.key),
                    pos: m.key_pos,
                    field: "Assign",
                });
            }
        }
        match self.ql {
            QueryLanguage::Jsonata => good &= self.jsonata_expressions(f.node, f.ptr()),
            QueryLanguage::JsonPath => {
                let value = f.node.to_value();
                let problems = template::check(&value);
                good &= problems.is_empty();
                for (rel, message) in problems {
                    let pointer = format!("{}{rel}", f.ptr());
                    let pos = self.root.position_of(&pointer);
                    self.error(pos, &pointer, with_code(&message));
                }
                good &= self.no_states_in_jsonpath(f.node, f.ptr());
                self.no_dollar_warnings(f.node, f.ptr());
            }
        }
        if !good {
            *ok = false;
            return None;
        }
        Some(f.node.to_value())
    }

    /// `$states` exists only in JSONata states: a JSONPath template's `.$` value cannot read
    /// it.
    fn no_states_in_jsonpath(&mut self, node: &Node, ptr: &str) -> bool {
        let mut ok = true;
        match &node.kind {
            Kind::Object(members) => {
                for m in members.iter() {
                    let pointer = child_pointer(ptr, m.key);
                    match m.value.as_str() {
                        Some(s) if m.key.ends_with(".$") && uses_states_variable(s) => {
                            self.schema(
                                m.key_pos,
                                &pointer,
                                format!(
                                    "The value for the field '{}' reads '$states', which is only available when QueryLanguage is 'JSONata'",
                                    m.key
                                ),
                            );
                            ok = false;
                        }
                        _ => ok &= self.no_states_in_jsonpath(&m.value, &pointer),
                    }
                }
            }
            Kind::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    ok &= self.no_states_in_jsonpath(item, &child_pointer(ptr, &i.to_string()));
                }
            }
            _ => {}
        }
        ok
    }

    /// `Output` (JSONata only; the field check reports it elsewhere).
    fn output(&mut self, node: &Node, ptr: &str, ok: &mut bool) -> Option<Value> {
        if self.ql != QueryLanguage::Jsonata {
            return None;
        }
        self.jsonata_field(node, ptr, "Output", JsonataShape::Any, ok)
    }

    // ----- scopes -----

    fn machine(&mut self, node: &Node, ptr: &str, kind: ScopeKind) -> Option<StateMachine> {
        if !matches!(node.kind, Kind::Object(_)) {
            let what = match kind {
                ScopeKind::Top => "the definition".to_string(),
                ScopeKind::Branch => "an item of 'Branches'".to_string(),
                ScopeKind::ItemProcessor => {
                    format!("'{}'", ptr.rsplit('/').next().unwrap_or_default())
                }
            };
            self.schema(
                node.pos,
                ptr,
                format!(
                    "Expected value of type Object for {what}, found {}",
                    node.type_name()
                ),
            );
            return None;
        }
        // Branches and item processors are variable scopes of their own, inside this one.
        let outer_var_scope = self.var_scope;
        if kind != ScopeKind::Top {
            self.var_scopes.push(VarScope {
                parent: Some(outer_var_scope),
                assigned: Vec::new(),
            });
            // The scope just pushed.
            self.var_scope = self.var_scopes.len().saturating_sub(1);
        }
        let allowed: &[&str] = match kind {
            ScopeKind::Top => &[
                "Comment",
                "StartAt",
                "States",
                "Version",
                "TimeoutSeconds",
                "QueryLanguage",
            ],
            ScopeKind::Branch => &["Comment", "StartAt", "States"],
            ScopeKind::ItemProcessor => &["Comment", "StartAt", "States", "ProcessorConfig"],
        };
        self.check_fields(node, ptr, allowed);

        let comment = self.opt_string(node, ptr, "Comment");
        let start = self.target(node, ptr, "StartAt", true);
        let mut query_language = None;
        let mut timeout_seconds = None;
        if kind == ScopeKind::Top {
            let ql = self.query_language(node, ptr);
            self.top_ql = ql.unwrap_or_default();
            query_language = ql.map(|q| q.name().to_string());
            timeout_seconds = self.opt_uint(node, ptr, "TimeoutSeconds", 1, MAX_SECONDS);
            self.opt_string(node, ptr, "Version");
        }

        let mut scope = Scope {
            pointer: ptr.to_string(),
            pos: node.pos,
            start_at: start.as_ref().map(|(_, t)| t.clone()),
            states: Vec::new(),
        };
        let mut states = IndexMap::default();
        let mut complete = start.is_some();
        match field(node, ptr, "States") {
            None => {
                self.required(node, ptr, "States");
                complete = false;
            }
            Some(f) => match &f.node.kind {
                Kind::Object(members) => {
                    if members.is_empty() {
                        self.schema(f.pos(), f.ptr(), "'States' must contain at least one state");
                    }
                    // Sized at once: a State is large, and growing the map moves them all.
                    states.reserve(members.len());
                    scope.states.reserve(members.len());
                    for m in members.iter() {
                        let state_ptr = child_pointer(f.ptr(), m.key);
                        let (state, info) = self.state(m.key, m.key_pos, &m.value, &state_ptr);
                        scope.states.push(info);
                        match state {
                            Some(s) => {
                                states.insert(m.key.to_string(), s);
                            }
                            None => complete = false,
                        }
                    }
                }
                _ => {
                    self.wrong_type(&f, "Object");
                    complete = false;
                }
            },
        }
        self.scopes.push(scope);
        self.var_scope = outer_var_scope;
        if !complete {
            return None;
        }
        Some(StateMachine {
            comment,
            start_at: start.map(|(name, _)| name).unwrap_or_default(),
            states,
            timeout_seconds,
            query_language,
        })
    }

    // ----- states -----

    /// Reads one state. Always returns its graph information, even when the state is broken.
    fn state(
        &mut self,
        name: &str,
        key_pos: Pos,
        node: &Node,
        ptr: &str,
    ) -> (Option<State>, StateInfo) {
        let mut info = StateInfo {
            name: name.to_string(),
            pointer: ptr.to_string(),
            pos: key_pos,
            targets: Vec::new(),
            // Until known otherwise: a broken state should not also cause MISSING_END_STATE.
            terminal: true,
        };
        if !matches!(node.kind, Kind::Object(_)) {
            self.schema(
                node.pos,
                ptr,
                format!(
                    "Expected value of type Object for state '{name}', found {}",
                    node.type_name()
                ),
            );
            return (None, info);
        }
        // Where the type is missing or unknown, the state's targets still count for the graph
        // checks, so that the states it leads to are not also called unreachable.
        let loose_targets = |info: &mut StateInfo| {
            for key in ["Next", "Default"] {
                if let Some(f) = field(node, ptr, key) {
                    if let Some(name) = f.node.as_str() {
                        info.targets.push(Target {
                            name: name.to_string(),
                            pointer: f.ptr().to_string(),
                            pos: f.node.pos,
                            field: key,
                        });
                    }
                }
            }
        };
        let Some(type_name) = self.req_string(node, ptr, "Type") else {
            loose_targets(&mut info);
            return (None, info);
        };
        if !STATE_TYPES.contains(&type_name.as_str()) {
            let f = field(node, ptr, "Type");
            let (pos, pointer) = f
                .map(|f| (f.pos(), f.ptr().to_string()))
                .unwrap_or((node.pos, ptr.to_string()));
            self.schema(
                pos,
                &pointer,
                format!(
                    "Value '{type_name}' is not a valid state type: expected one of [{}]",
                    STATE_TYPES.join(", ")
                ),
            );
            loose_targets(&mut info);
            return (None, info);
        }
        let t = type_name.as_str();

        // The state's language: its own, else the top level's. A state may switch to JSONata
        // under a JSONPath top level, not the other way round.
        let own_ql = self.query_language(node, ptr);
        if let (Some(QueryLanguage::JsonPath), QueryLanguage::Jsonata, Some(f)) =
            (own_ql, self.top_ql, field(node, ptr, "QueryLanguage"))
        {
            self.schema(
                f.pos(),
                f.ptr(),
                "A state cannot set QueryLanguage to 'JSONPath' when the state machine's QueryLanguage is 'JSONata'",
            );
        }
        let ql = own_ql.unwrap_or(self.top_ql);
        self.ql = ql;

        let has_io = t != "Fail";
        let has_transition = !matches!(t, "Choice" | "Succeed" | "Fail");
        self.check_state_fields(node, ptr, t, ql);

        let comment = self.opt_string(node, ptr, "Comment");
        let mut complete = true;
        self.states_access.result = matches!(t, "Task" | "Parallel" | "Map");
        let assign = if ASSIGN_TYPES.contains(&t) {
            self.assign(node, ptr, &mut complete)
        } else {
            None
        };
        let output = if has_io {
            self.output(node, ptr, &mut complete)
        } else {
            None
        };
        self.states_access = StatesAccess::default();
        let (input_path, output_path) = if has_io && ql == QueryLanguage::JsonPath {
            (
                self.path_field(node, ptr, "InputPath", false),
                self.path_field(node, ptr, "OutputPath", false),
            )
        } else {
            (PathField::Default, PathField::Default)
        };

        let transition = if has_transition {
            let t = self.transition(node, ptr, &mut info);
            complete &= t.is_some();
            t
        } else {
            None
        };
        // A broken Next/End counts as terminal: its own error says enough.
        info.terminal = match &transition {
            Some(Transition::End) => true,
            Some(Transition::Next(_)) => false,
            None => has_transition || matches!(t, "Succeed" | "Fail"),
        };

        let kind = match t {
            "Parallel" => self.parallel(node, ptr, &mut info),
            "Map" => self.map(node, ptr, &mut info),
            _ => self.leaf_kind(t, node, ptr, &mut info),
        };
        let state = match kind {
            Some(kind) if complete => Some(State {
                name: Rc::from(name),
                comment,
                input_path,
                output_path,
                transition,
                pointer: ptr.to_string(),
                query_language: ql,
                assign,
                output,
                kind: *kind,
            }),
            _ => None,
        };
        (state, info)
    }

    /// Reports the fields that a state of type `t` in language `ql` does not have. Kept out
    /// of [`Self::state`] so that its locals do not weigh on each level of nested
    /// Parallel and Map states (the recursion must fit a 1 MiB stack).
    #[inline(never)]
    fn check_state_fields(&mut self, node: &Node, ptr: &str, t: &str, ql: QueryLanguage) {
        let has_io = t != "Fail";
        let has_transition = !matches!(t, "Choice" | "Succeed" | "Fail");
        let allowed_in = |lang: QueryLanguage| -> Vec<&'static str> {
            // Room for the most any state type allows, so that it is allocated once.
            let mut allowed: Vec<&str> = Vec::with_capacity(32);
            allowed.extend_from_slice(&["Type", "Comment", "QueryLanguage"]);
            if has_io {
                allowed.extend_from_slice(match lang {
                    QueryLanguage::JsonPath => &["InputPath", "OutputPath"],
                    QueryLanguage::Jsonata => &["Output"],
                });
            }
            if has_transition {
                allowed.extend_from_slice(&["Next", "End"]);
            }
            if ASSIGN_TYPES.contains(&t) {
                allowed.push("Assign");
            }
            allowed.extend_from_slice(state_fields(t, lang));
            allowed
        };
        let allowed = allowed_in(ql);
        // The other query language's fields only name the problem with a field not allowed.
        if node.members().iter().all(|m| allowed.contains(&m.key)) && !has_duplicate_keys(node) {
            return;
        }
        let other = match ql {
            QueryLanguage::JsonPath => QueryLanguage::Jsonata,
            QueryLanguage::Jsonata => QueryLanguage::JsonPath,
        };
        let foreign: Vec<&str> = allowed_in(other)
            .into_iter()
            .filter(|k| !allowed.contains(k))
            .collect();
        self.check_fields_in(node, ptr, &allowed, Some((&foreign, ql)));
    }

    /// The kind of a state that holds no other states (boxed: see [`Self::parallel`]).
    #[inline(never)]
    fn leaf_kind(
        &mut self,
        t: &str,
        node: &Node,
        ptr: &str,
        info: &mut StateInfo,
    ) -> Option<Box<StateKind>> {
        let kind = match t {
            "Pass" => self.pass(node, ptr),
            "Task" => self.task(node, ptr, info),
            "Choice" => self.choice(node, ptr, info),
            "Wait" => self.wait(node, ptr),
            "Fail" => self.fail(node, ptr),
            _ => Some(StateKind::Succeed),
        };
        kind.map(Box::new)
    }

    /// Exactly one of `Next` and `End: true`.
    fn transition(&mut self, node: &Node, ptr: &str, info: &mut StateInfo) -> Option<Transition> {
        let end = self.opt_bool(node, ptr, "End");
        let next = self.target(node, ptr, "Next", false);
        let has_end_field = node.get("End").is_some();
        let has_next_field = node.get("Next").is_some();
        if let Some((_, target)) = &next {
            info.targets.push(target.clone());
        }
        match (end, next) {
            (Some(true), Some(_)) => {
                self.only_one(node, ptr, &["Next", "End"]);
                None
            }
            (Some(true), None) if !has_next_field => Some(Transition::End),
            (_, Some((name, _))) if end != Some(true) => Some(Transition::Next(name)),
            _ => {
                if !(has_next_field || has_end_field && end.is_none()) {
                    // Neither field, or `End: false` alone.
                    self.schema(
                        node.pos,
                        ptr,
                        "One of the following fields is required: [Next, End]".to_string(),
                    );
                }
                None
            }
        }
    }

    fn pass(&mut self, node: &Node, ptr: &str) -> Option<StateKind> {
        if self.ql == QueryLanguage::Jsonata {
            // Output and Assign are all a JSONata Pass state has; they are read with the state.
            return Some(StateKind::Pass(PassState::default()));
        }
        let mut ok = true;
        let parameters = self.opt_template(node, ptr, "Parameters");
        ok &= parameters.is_some() == node.get("Parameters").is_some();
        let result = node.get("Result").map(|m| m.value.to_value());
        if let Some(f) = field(node, ptr, "Result") {
            self.static_result_warnings(f.node, f.ptr());
        }
        let result_path = self.path_field(node, ptr, "ResultPath", true);
        ok.then_some(StateKind::Pass(PassState {
            result,
            parameters,
            result_path,
        }))
    }

    fn task(&mut self, node: &Node, ptr: &str, info: &mut StateInfo) -> Option<StateKind> {
        let mut ok = true;
        let resource = self.req_string(node, ptr, "Resource");
        if let (Some(r), Some(f)) = (&resource, field(node, ptr, "Resource")) {
            // An ARN: `arn:partition:service:region:account:resource...`.
            if !(r.starts_with("arn:") && r.split(':').count() >= 6) {
                self.error(
                    f.pos(),
                    f.ptr(),
                    format!("INVALID_RESOURCE: Resource '{r}' is not a valid ARN"),
                );
                ok = false;
            }
        }
        let jsonata = self.ql == QueryLanguage::Jsonata;
        let (parameters, arguments, result_selector, credentials, result_path) = if jsonata {
            (
                None,
                self.jsonata_field(node, ptr, "Arguments", JsonataShape::Object, &mut ok),
                None,
                self.jsonata_field(node, ptr, "Credentials", JsonataShape::Object, &mut ok),
                PathField::Default,
            )
        } else {
            (
                self.checked_template(node, ptr, "Parameters", &mut ok),
                None,
                self.checked_template(node, ptr, "ResultSelector", &mut ok),
                self.checked_template(node, ptr, "Credentials", &mut ok),
                self.path_field(node, ptr, "ResultPath", true),
            )
        };
        let seconds = NumberCheck::Uint {
            min: 1,
            max: MAX_SECONDS,
        };
        let timeout_seconds = self.number_field(
            node,
            ptr,
            "TimeoutSeconds",
            "TimeoutSecondsPath",
            seconds,
            true,
        );
        let heartbeat_seconds = self.number_field(
            node,
            ptr,
            "HeartbeatSeconds",
            "HeartbeatSecondsPath",
            seconds,
            true,
        );
        // The heartbeat must beat before the timeout: the given one, or AWS's default for a
        // Task (99999999 s) when there is neither TimeoutSeconds nor TimeoutSecondsPath.
        let timeout_literal = match (&timeout_seconds, node.get("TimeoutSecondsPath")) {
            (Some(NumberField::Literal(t)), _) => t.as_u64(),
            (None, None) if node.get("TimeoutSeconds").is_none() => Some(MAX_SECONDS),
            _ => None,
        };
        if let (Some(t), Some(NumberField::Literal(h))) = (timeout_literal, &heartbeat_seconds) {
            if h.as_u64().is_some_and(|h| h >= t) {
                if let Some(f) = field(node, ptr, "HeartbeatSeconds") {
                    self.schema(
                        f.pos(),
                        f.ptr(),
                        format!("HeartbeatSeconds must be smaller than TimeoutSeconds ({t})"),
                    );
                    ok = false;
                }
            }
        }
        ok &= node.get("TimeoutSeconds").is_none() && node.get("TimeoutSecondsPath").is_none()
            || timeout_seconds.is_some();
        ok &= node.get("HeartbeatSeconds").is_none() && node.get("HeartbeatSecondsPath").is_none()
            || heartbeat_seconds.is_some();
        let retry = self.retriers(node, ptr, &mut ok);
        let catch = self.catchers(node, ptr, info, &mut ok);
        let resource = resource?;
        ok.then_some(StateKind::Task(TaskState {
            resource,
            parameters,
            arguments,
            result_selector,
            result_path,
            retry,
            catch,
            timeout_seconds,
            heartbeat_seconds,
            credentials,
        }))
    }

    /// An optional template; clears `ok` when present but invalid.
    fn checked_template(
        &mut self,
        node: &Node,
        ptr: &str,
        key: &str,
        ok: &mut bool,
    ) -> Option<Value> {
        let value = self.opt_template(node, ptr, key);
        if node.get(key).is_some() && value.is_none() {
            *ok = false;
        }
        value
    }

    fn choice(&mut self, node: &Node, ptr: &str, info: &mut StateInfo) -> Option<StateKind> {
        let mut ok = true;
        let default = self.target(node, ptr, "Default", false).map(|(name, t)| {
            info.targets.push(t);
            name
        });
        ok &= node.get("Default").is_none() || default.is_some();
        let mut choices = Vec::new();
        match field(node, ptr, "Choices") {
            None => {
                self.required(node, ptr, "Choices");
                ok = false;
            }
            Some(f) => match &f.node.kind {
                Kind::Array(items) => {
                    if items.is_empty() {
                        self.schema(f.pos(), f.ptr(), "'Choices' must contain at least one rule");
                        ok = false;
                    }
                    for (i, item) in items.iter().enumerate() {
                        let item_ptr = child_pointer(f.ptr(), &i.to_string());
                        match self.choice_branch(item, &item_ptr, info) {
                            Some(b) => choices.push(b),
                            None => ok = false,
                        }
                    }
                }
                _ => {
                    self.wrong_type(&f, "Array");
                    ok = false;
                }
            },
        }
        ok.then_some(StateKind::Choice(ChoiceState { choices, default }))
    }

    fn choice_branch(
        &mut self,
        node: &Node,
        ptr: &str,
        info: &mut StateInfo,
    ) -> Option<ChoiceBranch> {
        if !self.object_node(node, ptr, "an item of 'Choices'") {
            return None;
        }
        // A missing `Next` is the rule parser's to report.
        let next = self.target(node, ptr, "Next", false).map(|(name, t)| {
            info.targets.push(t);
            name
        });
        let mut ok = true;
        let assign = self.assign(node, ptr, &mut ok);
        let output = self.output(node, ptr, &mut ok);
        let rule = match self.ql {
            QueryLanguage::Jsonata => self.condition_rule(node, ptr),
            QueryLanguage::JsonPath => {
                // JSONata's fields in a JSONPath rule: say which language they need rather
                // than let the rule parser call the rule malformed.
                let mut foreign = false;
                for m in node.members() {
                    if matches!(m.key, "Condition" | "Output") {
                        foreign = true;
                        self.schema(
                            m.key_pos,
                            &child_pointer(ptr, m.key),
                            format!(
                                "Field '{}' is not supported when QueryLanguage is 'JSONPath'{}",
                                m.key,
                                language_hint(m.key, QueryLanguage::JsonPath)
                            ),
                        );
                    }
                }
                if foreign {
                    return None;
                }
                match parse_rule(node, ptr, true) {
                    Ok(rule) => Some(rule),
                    Err(problems) => {
                        self.absolute_problems(problems);
                        None
                    }
                }
            }
        };
        if !ok {
            return None;
        }
        Some(ChoiceBranch {
            rule: rule?,
            next: next?,
            assign,
            output,
        })
    }

    /// A JSONata Choice rule: `Condition` (a boolean or a `{% ... %}` expression), `Next`,
    /// and optionally `Comment`, `Assign` and `Output`; none of JSONPath's operators.
    fn condition_rule(&mut self, node: &Node, ptr: &str) -> Option<ChoiceRule> {
        let mut ok = true;
        for m in node.members() {
            let key = m.key;
            if matches!(key, "Condition" | "Next" | "Comment" | "Assign" | "Output") {
                continue;
            }
            self.schema(
                m.key_pos,
                &child_pointer(ptr, key),
                format!(
                    "Field '{key}' is not supported in a Choice rule when QueryLanguage is 'JSONata' (use Condition)"
                ),
            );
            ok = false;
        }
        if node.get("Next").is_none() {
            self.required(node, ptr, "Next");
            ok = false;
        }
        self.opt_string(node, ptr, "Comment");
        let Some(f) = field(node, ptr, "Condition") else {
            self.required(node, ptr, "Condition");
            return None;
        };
        let is_expr = f.node.as_str().is_some_and(jsonata::is_expression);
        if !(is_expr || matches!(f.node.kind, Kind::Bool(_))) {
            self.wrong_type(&f, "Boolean or a JSONata expression string '{% ... %}'");
            return None;
        }
        ok &= self.jsonata_expressions(f.node, f.ptr());
        ok.then(|| ChoiceRule::Condition(f.node.to_value()))
    }

    fn wait(&mut self, node: &Node, ptr: &str) -> Option<StateKind> {
        const FORMS: [&str; 4] = ["Seconds", "SecondsPath", "Timestamp", "TimestampPath"];
        let present: Vec<&str> = FORMS
            .iter()
            .copied()
            .filter(|k| node.get(k).is_some())
            .collect();
        match present.as_slice() {
            [] => {
                self.schema(
                    node.pos,
                    ptr,
                    format!(
                        "One of the following fields is required: [{}]",
                        FORMS.join(", ")
                    ),
                );
                None
            }
            ["Seconds"]
                if self.ql == QueryLanguage::Jsonata && self.is_expression(node, "Seconds") =>
            {
                let f = field(node, ptr, "Seconds")?;
                self.jsonata_expressions(f.node, f.ptr())
                    .then(|| StateKind::Wait(WaitState::Seconds(f.node.to_value())))
            }
            ["Timestamp"]
                if self.ql == QueryLanguage::Jsonata && self.is_expression(node, "Timestamp") =>
            {
                let f = field(node, ptr, "Timestamp")?;
                let text = f.node.as_str()?.to_string();
                self.jsonata_expressions(f.node, f.ptr())
                    .then_some(StateKind::Wait(WaitState::Timestamp(text)))
            }
            ["Seconds"] => {
                let f = field(node, ptr, "Seconds")?;
                self.uint_value(&f, 0, MAX_SECONDS)?;
                Some(StateKind::Wait(WaitState::Seconds(f.node.to_value())))
            }
            ["SecondsPath"] => self
                .opt_reference_path(node, ptr, "SecondsPath", true)
                .map(|p| StateKind::Wait(WaitState::SecondsPath(p))),
            ["Timestamp"] => {
                let s = self.opt_string(node, ptr, "Timestamp")?;
                let f = field(node, ptr, "Timestamp")?;
                if chrono::DateTime::parse_from_rfc3339(&s).is_err() {
                    self.schema(
                        f.pos(),
                        f.ptr(),
                        format!("Value '{s}' is not a valid RFC3339 timestamp"),
                    );
                    return None;
                }
                Some(StateKind::Wait(WaitState::Timestamp(s)))
            }
            ["TimestampPath"] => self
                .opt_reference_path(node, ptr, "TimestampPath", true)
                .map(|p| StateKind::Wait(WaitState::TimestampPath(p))),
            _ => {
                self.only_one(node, ptr, &present);
                None
            }
        }
    }

    fn fail(&mut self, node: &Node, ptr: &str) -> Option<StateKind> {
        let mut ok = true;
        for pair in [["Error", "ErrorPath"], ["Cause", "CausePath"]] {
            if pair.iter().all(|k| node.get(k).is_some()) {
                self.only_one(node, ptr, &pair);
                ok = false;
            }
        }
        let error = self.opt_string(node, ptr, "Error");
        let cause = self.opt_string(node, ptr, "Cause");
        let jsonata = self.ql == QueryLanguage::Jsonata;
        for (key, value) in [("Error", &error), ("Cause", &cause)] {
            if let (Some(v), Some(f)) = (value, field(node, ptr, key)) {
                if jsonata {
                    ok &= self.jsonata_expressions(f.node, f.ptr());
                } else if looks_dynamic(v) {
                    self.diags.push(diagnostic(
                        Severity::Warning,
                        f.pos(),
                        f.ptr(),
                        format!(
                            "NO_PATH: Field value looks like a path, but field name does not end with 'Path': '{key}' is used as written (use {key}Path)"
                        ),
                    ));
                }
            }
        }
        let (error_path, cause_path) = if jsonata {
            // JSONPath's fields: the field check reports them.
            (None, None)
        } else {
            (
                self.path_or_intrinsic(node, ptr, "ErrorPath"),
                self.path_or_intrinsic(node, ptr, "CausePath"),
            )
        };
        for (key, got) in [
            ("Error", error.is_some()),
            ("Cause", cause.is_some()),
            ("ErrorPath", error_path.is_some()),
            ("CausePath", cause_path.is_some()),
        ] {
            ok &= got || node.get(key).is_none();
        }
        ok.then_some(StateKind::Fail(FailState {
            error,
            error_path,
            cause,
            cause_path,
        }))
    }

    // Parallel and Map recurse (state -> parallel/map -> machine -> state): only small
    // frames may be live across the recursion, so that nesting as deep as the JSON depth cap
    // allows fits a 1 MiB stack in a debug build. The recursive part of each is its own small
    // function, the rest runs after it returns, and kinds travel boxed.

    fn parallel(&mut self, node: &Node, ptr: &str, info: &mut StateInfo) -> Option<Box<StateKind>> {
        let (branches, ok) = self.parallel_branches(node, ptr);
        self.parallel_rest(node, ptr, info, branches, ok)
    }

    fn parallel_branches(&mut self, node: &Node, ptr: &str) -> (Vec<StateMachine>, bool) {
        let ql = self.ql;
        let mut ok = true;
        let mut branches = Vec::new();
        match field(node, ptr, "Branches") {
            None => {
                self.required(node, ptr, "Branches");
                ok = false;
            }
            Some(f) => match &f.node.kind {
                Kind::Array(items) => {
                    if items.is_empty() {
                        self.schema(
                            f.pos(),
                            f.ptr(),
                            "'Branches' must contain at least one branch",
                        );
                        ok = false;
                    }
                    for (i, item) in items.iter().enumerate() {
                        let item_ptr = child_pointer(f.ptr(), &i.to_string());
                        let branch = self.machine(item, &item_ptr, ScopeKind::Branch);
                        // The branch's states set their own language; this state's is back.
                        self.ql = ql;
                        match branch {
                            Some(b) => branches.push(b),
                            None => ok = false,
                        }
                    }
                }
                _ => {
                    self.wrong_type(&f, "Array");
                    ok = false;
                }
            },
        }
        (branches, ok)
    }

    #[inline(never)]
    fn parallel_rest(
        &mut self,
        node: &Node,
        ptr: &str,
        info: &mut StateInfo,
        branches: Vec<StateMachine>,
        mut ok: bool,
    ) -> Option<Box<StateKind>> {
        let (parameters, arguments, result_selector, result_path) = match self.ql {
            QueryLanguage::JsonPath => (
                self.checked_template(node, ptr, "Parameters", &mut ok),
                None,
                self.checked_template(node, ptr, "ResultSelector", &mut ok),
                self.path_field(node, ptr, "ResultPath", true),
            ),
            QueryLanguage::Jsonata => (
                None,
                self.jsonata_field(node, ptr, "Arguments", JsonataShape::Object, &mut ok),
                None,
                PathField::Default,
            ),
        };
        let retry = self.retriers(node, ptr, &mut ok);
        let catch = self.catchers(node, ptr, info, &mut ok);
        ok.then(|| {
            Box::new(StateKind::Parallel(ParallelState {
                branches,
                parameters,
                arguments,
                result_selector,
                result_path,
                retry,
                catch,
            }))
        })
    }

    fn map(&mut self, node: &Node, ptr: &str, info: &mut StateInfo) -> Option<Box<StateKind>> {
        let processor = self.map_processor(node, ptr);
        self.map_rest(node, ptr, info, processor)
    }

    /// The item processor (or Iterator) of a Map, its mode and execution type, and whether
    /// all of it is valid.
    fn map_processor(&mut self, node: &Node, ptr: &str) -> MapProcessor {
        let ql = self.ql;
        let mut ok = true;
        let processor_key = match (node.get("ItemProcessor"), node.get("Iterator")) {
            (Some(_), Some(_)) => {
                self.only_one(node, ptr, &["ItemProcessor", "Iterator"]);
                ok = false;
                // Still read the ItemProcessor, to report its problems too.
                Some("ItemProcessor")
            }
            (Some(_), None) => Some("ItemProcessor"),
            (None, Some(_)) => Some("Iterator"),
            (None, None) => {
                self.required(node, ptr, "ItemProcessor");
                None
            }
        };
        let mut processor_mode = ProcessorMode::Inline;
        let mut execution_type = None;
        let mut item_processor = None;
        if let Some(f) = processor_key.and_then(|k| field(node, ptr, k)) {
            item_processor = self.machine(f.node, f.ptr(), ScopeKind::ItemProcessor);
            // The processor's states set their own language; this state's is back.
            self.ql = ql;
            if let Some(config) = field(f.node, f.ptr(), "ProcessorConfig") {
                match self.processor_config(&config) {
                    Some((mode, exec)) => {
                        processor_mode = mode;
                        execution_type = exec;
                    }
                    None => ok = false,
                }
            }
        }
        ok &= item_processor.is_some();
        MapProcessor {
            item_processor: item_processor.map(Box::new),
            processor_mode,
            execution_type,
            ok,
        }
    }

    #[inline(never)]
    fn map_rest(
        &mut self,
        node: &Node,
        ptr: &str,
        info: &mut StateInfo,
        processor: MapProcessor,
    ) -> Option<Box<StateKind>> {
        let ql = self.ql;
        let MapProcessor {
            item_processor,
            processor_mode,
            execution_type,
            mut ok,
        } = processor;
        let mut items_path = PathField::Default;
        let mut items = None;
        let item_selector;
        let mut result_selector = None;
        let mut result_path = PathField::Default;
        if ql == QueryLanguage::Jsonata {
            items = self.jsonata_field(node, ptr, "Items", JsonataShape::Array, &mut ok);
            item_selector =
                self.jsonata_field(node, ptr, "ItemSelector", JsonataShape::Object, &mut ok);
        } else {
            items_path = self.path_field(node, ptr, "ItemsPath", true);
            if let (Some(f), PathField::Default) = (field(node, ptr, "ItemsPath"), &items_path) {
                ok &= matches!(f.node.kind, Kind::Null);
            }
            item_selector = match (node.get("ItemSelector"), node.get("Parameters")) {
                (Some(_), Some(_)) => {
                    self.only_one(node, ptr, &["ItemSelector", "Parameters"]);
                    ok = false;
                    None
                }
                (_, Some(_)) => self.checked_template(node, ptr, "Parameters", &mut ok),
                _ => self.checked_template(node, ptr, "ItemSelector", &mut ok),
            };
            result_selector = self.checked_template(node, ptr, "ResultSelector", &mut ok);
            result_path = self.path_field(node, ptr, "ResultPath", true);
        }
        let count = NumberCheck::Uint {
            min: 0,
            max: u64::from(u32::MAX >> 1),
        };
        let max_concurrency = self.number_field(
            node,
            ptr,
            "MaxConcurrency",
            "MaxConcurrencyPath",
            count,
            false,
        );
        let tolerated_failure_percentage = self.number_field(
            node,
            ptr,
            "ToleratedFailurePercentage",
            "ToleratedFailurePercentagePath",
            NumberCheck::Percentage,
            false,
        );
        let tolerated_failure_count = self.number_field(
            node,
            ptr,
            "ToleratedFailureCount",
            "ToleratedFailureCountPath",
            count,
            false,
        );
        for (key, path_key, got) in [
            (
                "MaxConcurrency",
                "MaxConcurrencyPath",
                max_concurrency.is_some(),
            ),
            (
                "ToleratedFailurePercentage",
                "ToleratedFailurePercentagePath",
                tolerated_failure_percentage.is_some(),
            ),
            (
                "ToleratedFailureCount",
                "ToleratedFailureCountPath",
                tolerated_failure_count.is_some(),
            ),
        ] {
            ok &= got || (node.get(key).is_none() && node.get(path_key).is_none());
        }
        let mut raw_object = |b: &mut Self, key: &str| -> Option<Value> {
            let f = field(node, ptr, key)?;
            if b.object_node(f.node, f.ptr(), format_args!("field '{key}'")) {
                Some(f.node.to_value())
            } else {
                ok = false;
                None
            }
        };
        let item_reader = raw_object(self, "ItemReader");
        let item_batcher = raw_object(self, "ItemBatcher");
        let result_writer = raw_object(self, "ResultWriter");
        let label = self.opt_string(node, ptr, "Label");
        ok &= label.is_some() || node.get("Label").is_none();
        if let (Some(l), Some(f)) = (&label, field(node, ptr, "Label")) {
            self.labels.push(Target {
                name: l.clone(),
                pointer: f.ptr().to_string(),
                pos: f.node.pos,
                field: "Label",
            });
        }
        let retry = self.retriers(node, ptr, &mut ok);
        let catch = self.catchers(node, ptr, info, &mut ok);
        let item_processor = item_processor?;
        ok.then(|| {
            Box::new(StateKind::Map(MapState {
                items,
                item_processor,
                processor_mode,
                execution_type,
                items_path,
                item_selector,
                result_selector,
                result_path,
                max_concurrency,
                tolerated_failure_percentage,
                tolerated_failure_count,
                item_reader,
                item_batcher,
                result_writer,
                label,
                retry,
                catch,
            }))
        })
    }

    fn processor_config(&mut self, f: &Field<'_>) -> Option<(ProcessorMode, Option<String>)> {
        if !self.object_node(f.node, f.ptr(), "field 'ProcessorConfig'") {
            return None;
        }
        self.check_fields(f.node, f.ptr(), &["Mode", "ExecutionType"]);
        let mut ok = true;
        let mode = match self.opt_string(f.node, f.ptr(), "Mode").as_deref() {
            None | Some("INLINE") => ProcessorMode::Inline,
            Some("DISTRIBUTED") => ProcessorMode::Distributed,
            Some(other) => {
                let m = field(f.node, f.ptr(), "Mode")?;
                self.schema(
                    m.pos(),
                    m.ptr(),
                    format!("Value '{other}' is not one of [INLINE, DISTRIBUTED]"),
                );
                return None;
            }
        };
        ok &= f.node.get("Mode").is_none()
            || f.node
                .get("Mode")
                .is_some_and(|m| m.value.as_str().is_some());
        let execution_type = self.opt_string(f.node, f.ptr(), "ExecutionType");
        if let Some(e) = &execution_type {
            if e != "STANDARD" && e != "EXPRESS" {
                let m = field(f.node, f.ptr(), "ExecutionType")?;
                self.schema(
                    m.pos(),
                    m.ptr(),
                    format!("Value '{e}' is not one of [STANDARD, EXPRESS]"),
                );
                ok = false;
            }
        }
        ok &= execution_type.is_some() || f.node.get("ExecutionType").is_none();
        ok.then_some((mode, execution_type))
    }

    // ----- Retry and Catch -----

    /// `ErrorEquals` of a retrier or catcher: a non-empty list of error names, with
    /// `States.ALL` alone. Returns the names and whether `States.ALL` is among them.
    fn error_equals(&mut self, node: &Node, ptr: &str) -> Option<(Vec<String>, bool)> {
        let Some(f) = field(node, ptr, "ErrorEquals") else {
            self.required(node, ptr, "ErrorEquals");
            return None;
        };
        let Kind::Array(items) = &f.node.kind else {
            self.wrong_type(&f, "Array");
            return None;
        };
        if items.is_empty() {
            self.schema(
                f.pos(),
                f.ptr(),
                "'ErrorEquals' must contain at least one error name",
            );
            return None;
        }
        let mut names_out = Vec::new();
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            match item.as_str() {
                Some(s) => names_out.push(s.to_string()),
                None => {
                    self.schema(
                        item.pos,
                        &child_pointer(f.ptr(), &i.to_string()),
                        format!(
                            "Expected value of type String in 'ErrorEquals', found {}",
                            item.type_name()
                        ),
                    );
                    ok = false;
                }
            }
        }
        let has_all = names_out.iter().any(|n| n == names::ALL);
        if has_all && items.len() > 1 {
            self.schema(
                f.pos(),
                f.ptr(),
                "'States.ALL' must appear alone in 'ErrorEquals'",
            );
            ok = false;
        }
        ok.then_some((names_out, has_all))
    }

    fn retriers(&mut self, node: &Node, ptr: &str, ok: &mut bool) -> Vec<Retrier> {
        let mut out = Vec::new();
        let Some(f) = field(node, ptr, "Retry") else {
            return out;
        };
        let Kind::Array(items) = &f.node.kind else {
            self.wrong_type(&f, "Array");
            *ok = false;
            return out;
        };
        for (i, item) in items.iter().enumerate() {
            let item_ptr = child_pointer(f.ptr(), &i.to_string());
            if !self.object_node(item, &item_ptr, "an item of 'Retry'") {
                *ok = false;
                continue;
            }
            self.check_fields(
                item,
                &item_ptr,
                &[
                    "ErrorEquals",
                    "IntervalSeconds",
                    "MaxAttempts",
                    "BackoffRate",
                    "MaxDelaySeconds",
                    "JitterStrategy",
                    "Comment",
                ],
            );
            self.opt_string(item, &item_ptr, "Comment");
            let mut good = true;
            let errors = self.error_equals(item, &item_ptr);
            if let Some((_, true)) = &errors {
                if i.saturating_add(1) != items.len() {
                    self.schema(
                        item.pos,
                        &item_ptr,
                        "A Retrier with 'States.ALL' in 'ErrorEquals' must be the last one",
                    );
                    good = false;
                }
            }
            let mut r = Retrier::default();
            let mut int = |b: &mut Self, key: &str, min: u64, max: u64, slot: &mut u64| {
                if item.get(key).is_some() {
                    match b.opt_uint(item, &item_ptr, key, min, max) {
                        Some(v) => *slot = v,
                        None => good = false,
                    }
                }
            };
            int(
                self,
                "IntervalSeconds",
                1,
                MAX_SECONDS,
                &mut r.interval_seconds,
            );
            int(self, "MaxAttempts", 0, MAX_SECONDS, &mut r.max_attempts);
            let mut delay = 0;
            int(self, "MaxDelaySeconds", 1, MAX_DELAY_SECONDS, &mut delay);
            if item.get("MaxDelaySeconds").is_some() && delay > 0 {
                r.max_delay_seconds = Some(delay);
            }
            if let Some(bf) = field(item, &item_ptr, "BackoffRate") {
                match self.number_value(&bf, 1.0, None) {
                    Some(x) => r.backoff_rate = x,
                    None => good = false,
                }
            }
            if let Some(j) = self.opt_string(item, &item_ptr, "JitterStrategy") {
                match j.as_str() {
                    "FULL" => r.jitter_strategy = JitterStrategy::Full,
                    "NONE" => r.jitter_strategy = JitterStrategy::None,
                    other => {
                        if let Some(jf) = field(item, &item_ptr, "JitterStrategy") {
                            self.schema(
                                jf.pos(),
                                jf.ptr(),
                                format!("Value '{other}' is not one of [FULL, NONE]"),
                            );
                        }
                        good = false;
                    }
                }
            } else if item.get("JitterStrategy").is_some() {
                good = false;
            }
            match errors {
                Some((names_list, _)) if good => {
                    r.error_equals = names_list;
                    out.push(r);
                }
                _ => *ok = false,
            }
        }
        out
    }

    fn catchers(
        &mut self,
        node: &Node,
        ptr: &str,
        info: &mut StateInfo,
        ok: &mut bool,
    ) -> Vec<Catcher> {
        let mut out = Vec::new();
        let Some(f) = field(node, ptr, "Catch") else {
            return out;
        };
        let Kind::Array(items) = &f.node.kind else {
            self.wrong_type(&f, "Array");
            *ok = false;
            return out;
        };
        for (i, item) in items.iter().enumerate() {
            let item_ptr = child_pointer(f.ptr(), &i.to_string());
            if !self.object_node(item, &item_ptr, "an item of 'Catch'") {
                *ok = false;
                continue;
            }
            let (allowed, foreign): (&[&str], &[&str]) = match self.ql {
                QueryLanguage::JsonPath => (
                    &["ErrorEquals", "Next", "ResultPath", "Comment", "Assign"],
                    &["Output"],
                ),
                QueryLanguage::Jsonata => (
                    &["ErrorEquals", "Next", "Output", "Comment", "Assign"],
                    &["ResultPath"],
                ),
            };
            self.check_fields_in(item, &item_ptr, allowed, Some((foreign, self.ql)));
            self.opt_string(item, &item_ptr, "Comment");
            let mut good = true;
            let errors = self.error_equals(item, &item_ptr);
            if let Some((_, true)) = &errors {
                if i.saturating_add(1) != items.len() {
                    self.schema(
                        item.pos,
                        &item_ptr,
                        "A Catcher with 'States.ALL' in 'ErrorEquals' must be the last one",
                    );
                    good = false;
                }
            }
            let next = self.target(item, &item_ptr, "Next", true).map(|(name, t)| {
                info.targets.push(t);
                name
            });
            let result_path = if self.ql == QueryLanguage::JsonPath {
                let result_path = self.path_field(item, &item_ptr, "ResultPath", true);
                if let (Some(rp), PathField::Default) = (item.get("ResultPath"), &result_path) {
                    good &= matches!(rp.value.kind, Kind::Null);
                }
                result_path
            } else {
                PathField::Default
            };
            self.states_access.error_output = true;
            let recorded = self
                .var_scopes
                .get(self.var_scope)
                .map(|s| s.assigned.len());
            let assign = self.assign(item, &item_ptr, &mut good);
            // A Catch's Assign is left out of the scope rule: AWS accepts a Catch of a
            // Parallel assigning a name that its branch assigns too (a corpus case).
            if let (Some(n), Some(scope)) = (recorded, self.var_scopes.get_mut(self.var_scope)) {
                scope.assigned.truncate(n);
            }
            let output = self.output(item, &item_ptr, &mut good);
            self.states_access = StatesAccess::default();
            match (errors, next) {
                (Some((error_equals, _)), Some(next)) if good => out.push(Catcher {
                    error_equals,
                    next,
                    result_path,
                    assign,
                    output,
                }),
                _ => *ok = false,
            }
        }
        out
    }
}

/// A Map's item processor as read, before the rest of the Map.
struct MapProcessor {
    item_processor: Option<Box<StateMachine>>,
    processor_mode: ProcessorMode,
    execution_type: Option<String>,
    ok: bool,
}

/// What a JSONata field may hold besides `{% ... %}` expressions inside it.
#[derive(Clone, Copy)]
enum JsonataShape {
    Any,
    Object,
    Array,
}

#[derive(Clone, Copy)]
enum NumberCheck {
    Uint { min: u64, max: u64 },
    Percentage,
}
