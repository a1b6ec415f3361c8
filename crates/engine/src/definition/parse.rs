//! Reading a definition from JSON text into the [model](super::model), collecting every
//! problem with its position.
//!
//! Reading never stops at the first problem: each field is checked on its own and a broken one
//! only leaves its part of the model out, so that one pass reports everything AWS's
//! CreateStateMachine would reject. Messages start with AWS's diagnostic code
//! (`SCHEMA_VALIDATION_FAILED`, `MISSING_TRANSITION_TARGET`...) and use its wording where it is
//! known.

use indexmap::IndexMap;
use serde_json::Value;

use super::json::{self, child_pointer, Kind, Node, Pos};
use super::model::*;
use super::validate::{self, diagnostic, Scope, StateInfo, Target};
use super::{Diagnostic, Severity};
use crate::choice::parse_rule;
use crate::error::names;
use crate::{intrinsics, paths, template};

const SCHEMA: &str = "SCHEMA_VALIDATION_FAILED";

/// Fields of the JSONata query language and of variables, which the playground cannot run yet.
const JSONATA_FIELDS: &[&str] = &["Assign", "Arguments", "Output", "Items", "Condition"];

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
    let root = match json::parse(text) {
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
    };
    let machine = builder.machine(&root, "", ScopeKind::Top);
    validate::check_scopes(&builder.scopes, &mut builder.diags);
    validate::check_labels(&builder.labels, &mut builder.diags);
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
    node: &'a Node,
    ptr: String,
}

impl<'a> Field<'a> {
    fn pos(&self) -> Pos {
        self.node.pos
    }
}

fn field<'a>(node: &'a Node, ptr: &str, key: &'a str) -> Option<Field<'a>> {
    node.get(key).map(|m| Field {
        key,
        node: &m.value,
        ptr: child_pointer(ptr, key),
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

struct Builder<'r> {
    root: &'r Node,
    diags: Vec<Diagnostic>,
    scopes: Vec<Scope>,
    /// Map `Label`s, unique in the whole machine.
    labels: Vec<Target>,
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
            &f.ptr,
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

    /// Reports every member of `node` not in `allowed`; JSONata and variable fields get a
    /// message saying they are not supported yet.
    fn check_fields(&mut self, node: &Node, ptr: &str, allowed: &[&str]) {
        let members = node.members();
        for (i, m) in members.iter().enumerate() {
            let key = m.key.as_str();
            if members.iter().skip(i + 1).any(|later| later.key == key) {
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
            if JSONATA_FIELDS.contains(&key) {
                self.error(
                    m.key_pos,
                    &pointer,
                    format!(
                        "UNSUPPORTED_FEATURE: Field '{key}' is not supported yet: JSONata and variables are not supported by this playground yet"
                    ),
                );
            } else {
                self.schema(
                    m.key_pos,
                    &pointer,
                    format!("Field '{key}' is not supported"),
                );
            }
        }
    }

    /// Checks that `node` is an object; `what` names it ("field 'Parameters'").
    fn object_node(&mut self, node: &Node, ptr: &str, what: &str) -> bool {
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
            pointer: f.ptr,
            pos: f.node.pos,
            field: key,
        };
        Some((name, target))
    }

    fn opt_template(&mut self, node: &Node, ptr: &str, key: &str) -> Option<Value> {
        let f = field(node, ptr, key)?;
        if !self.object_node(f.node, &f.ptr, &format!("field '{key}'")) {
            return None;
        }
        let value = f.node.to_value();
        let problems = template::check(&value);
        let ok = problems.is_empty();
        for (rel, message) in problems {
            let pointer = format!("{}{rel}", f.ptr);
            let pos = self.root.position_of(&pointer);
            self.error(pos, &pointer, with_code(&message));
        }
        self.no_dollar_warnings(f.node, &f.ptr);
        ok.then_some(value)
    }

    /// AWS's NO_DOLLAR warning: a template value that looks like a path or an intrinsic call
    /// under a key without `.$` is passed on as a plain string, which is rarely what was meant.
    fn no_dollar_warnings(&mut self, node: &Node, ptr: &str) {
        match &node.kind {
            Kind::Object(members) => {
                for m in members {
                    let pointer = child_pointer(ptr, &m.key);
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
                for m in members {
                    let pointer = child_pointer(ptr, &m.key);
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
            Kind::String(s) => {
                let ok = if reference {
                    self.reference_path(&f, s, key == "ItemsPath")
                } else {
                    self.json_path(&f, s)
                };
                if ok {
                    PathField::Path(s.clone())
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
        match paths::check_path(path) {
            Ok(()) => true,
            Err(e) => {
                self.schema(
                    f.pos(),
                    &f.ptr,
                    format!("Value is not a valid JSONPath: {e}"),
                );
                false
            }
        }
    }

    /// A reference path; `$$` (the context object) only where `context_ok`.
    fn reference_path(&mut self, f: &Field<'_>, path: &str, context_ok: bool) -> bool {
        if !context_ok && path.starts_with("$$") {
            self.schema(
                f.pos(),
                &f.ptr,
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
                    &f.ptr,
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
                        &f.ptr,
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
                self.schema(f.pos(), &f.ptr, format!("Minimum value is {min}"));
                None
            } else if u > max {
                self.schema(f.pos(), &f.ptr, format!("Maximum value is {max}"));
                None
            } else {
                Some(u)
            }
        } else if n.as_i64().is_some() {
            self.schema(f.pos(), &f.ptr, format!("Minimum value is {min}"));
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
            self.schema(f.pos(), &f.ptr, format!("Minimum value is {min:?}"));
            return None;
        }
        if let Some(max) = max {
            if x > max {
                self.schema(f.pos(), &f.ptr, format!("Maximum value is {max:?}"));
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

    /// `QueryLanguage`: `JSONPath` runs; `JSONata` is reported as not supported yet.
    fn query_language(&mut self, node: &Node, ptr: &str) -> Option<String> {
        let value = self.opt_string(node, ptr, "QueryLanguage")?;
        let f = field(node, ptr, "QueryLanguage")?;
        match value.as_str() {
            "JSONPath" => Some(value),
            "JSONata" => {
                self.error(
                    f.pos(),
                    &f.ptr,
                    "UNSUPPORTED_FEATURE: QueryLanguage 'JSONata' is not supported yet: JSONata and variables are not supported by this playground yet",
                );
                None
            }
            other => {
                self.schema(
                    f.pos(),
                    &f.ptr,
                    format!("Value '{other}' is not one of [JSONPath, JSONata]"),
                );
                None
            }
        }
    }

    // ----- scopes -----

    fn machine(&mut self, node: &Node, ptr: &str, kind: ScopeKind) -> Option<StateMachine> {
        if !matches!(node.kind, Kind::Object(_)) {
            let what = match kind {
                ScopeKind::Top => "the definition".to_string(),
                _ => format!("'{}'", ptr.rsplit('/').next().unwrap_or_default()),
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
            query_language = self.query_language(node, ptr);
            timeout_seconds = self.opt_uint(node, ptr, "TimeoutSeconds", 1, MAX_SECONDS);
            self.opt_string(node, ptr, "Version");
        }

        let mut scope = Scope {
            pointer: ptr.to_string(),
            pos: node.pos,
            start_at: start.as_ref().map(|(_, t)| t.clone()),
            states: Vec::new(),
        };
        let mut states = IndexMap::new();
        let mut complete = start.is_some();
        match field(node, ptr, "States") {
            None => {
                self.required(node, ptr, "States");
                complete = false;
            }
            Some(f) => match &f.node.kind {
                Kind::Object(members) => {
                    if members.is_empty() {
                        self.schema(f.pos(), &f.ptr, "'States' must contain at least one state");
                    }
                    for m in members {
                        let state_ptr = child_pointer(&f.ptr, &m.key);
                        let (state, info) = self.state(&m.key, m.key_pos, &m.value, &state_ptr);
                        scope.states.push(info);
                        match state {
                            Some(s) => {
                                states.insert(m.key.clone(), s);
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
                            pointer: f.ptr,
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
                .map(|f| (f.pos(), f.ptr))
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

        const IO: &[&str] = &["InputPath", "OutputPath"];
        const TRANSITION: &[&str] = &["Next", "End"];
        let specific: &[&str] = match t {
            "Pass" => &["Result", "ResultPath", "Parameters"],
            "Task" => &[
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
            "Choice" => &["Choices", "Default"],
            "Wait" => &["Seconds", "SecondsPath", "Timestamp", "TimestampPath"],
            "Succeed" => &[],
            "Fail" => &["Error", "ErrorPath", "Cause", "CausePath"],
            "Parallel" => &[
                "Branches",
                "Parameters",
                "ResultSelector",
                "ResultPath",
                "Retry",
                "Catch",
            ],
            _ => &[
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
        };
        let has_io = t != "Fail";
        let has_transition = !matches!(t, "Choice" | "Succeed" | "Fail");
        let mut allowed: Vec<&str> = vec!["Type", "Comment", "QueryLanguage"];
        if has_io {
            allowed.extend_from_slice(IO);
        }
        if has_transition {
            allowed.extend_from_slice(TRANSITION);
        }
        allowed.extend_from_slice(specific);
        self.check_fields(node, ptr, &allowed);

        let comment = self.opt_string(node, ptr, "Comment");
        self.query_language(node, ptr);
        let (input_path, output_path) = if has_io {
            (
                self.path_field(node, ptr, "InputPath", false),
                self.path_field(node, ptr, "OutputPath", false),
            )
        } else {
            (PathField::Default, PathField::Default)
        };

        let mut complete = true;
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
            "Pass" => self.pass(node, ptr),
            "Task" => self.task(node, ptr, &mut info),
            "Choice" => self.choice(node, ptr, &mut info),
            "Wait" => self.wait(node, ptr),
            "Succeed" => Some(StateKind::Succeed),
            "Fail" => self.fail(node, ptr),
            "Parallel" => self.parallel(node, ptr, &mut info),
            _ => self.map(node, ptr, &mut info),
        };
        let state = match kind {
            Some(kind) if complete => Some(State {
                name: name.to_string(),
                comment,
                input_path,
                output_path,
                transition,
                pointer: ptr.to_string(),
                // JSONata and variables are parsed by the JSONata issue's work; until then the
                // definition is rejected before these matter.
                query_language: QueryLanguage::JsonPath,
                assign: None,
                output: None,
                kind,
            }),
            _ => None,
        };
        (state, info)
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
        let mut ok = true;
        let parameters = self.opt_template(node, ptr, "Parameters");
        ok &= parameters.is_some() == node.get("Parameters").is_some();
        let result = node.get("Result").map(|m| m.value.to_value());
        if let Some(f) = field(node, ptr, "Result") {
            self.static_result_warnings(f.node, &f.ptr);
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
                    &f.ptr,
                    format!("INVALID_RESOURCE: Resource '{r}' is not a valid ARN"),
                );
                ok = false;
            }
        }
        let parameters = self.checked_template(node, ptr, "Parameters", &mut ok);
        let result_selector = self.checked_template(node, ptr, "ResultSelector", &mut ok);
        let credentials = self.checked_template(node, ptr, "Credentials", &mut ok);
        let result_path = self.path_field(node, ptr, "ResultPath", true);
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
                        &f.ptr,
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
            arguments: None,
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
                        self.schema(f.pos(), &f.ptr, "'Choices' must contain at least one rule");
                        ok = false;
                    }
                    for (i, item) in items.iter().enumerate() {
                        let item_ptr = child_pointer(&f.ptr, &i.to_string());
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
        // JSONata's `Condition` (and variables' `Assign`) replace the JSONPath rule; report them
        // here rather than let the rule parser call the rule malformed.
        let mut jsonata = false;
        for m in node.members() {
            if JSONATA_FIELDS.contains(&m.key.as_str()) {
                jsonata = true;
                self.error(
                    m.key_pos,
                    &child_pointer(ptr, &m.key),
                    format!(
                        "UNSUPPORTED_FEATURE: Field '{}' is not supported yet: JSONata and variables are not supported by this playground yet",
                        m.key
                    ),
                );
            }
        }
        if jsonata {
            return None;
        }
        let rule = match parse_rule(&node.to_value(), ptr, true) {
            Ok(rule) => Some(rule),
            Err(problems) => {
                self.absolute_problems(problems);
                None
            }
        };
        Some(ChoiceBranch {
            rule: rule?,
            next: next?,
            assign: None,
            output: None,
        })
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
                        &f.ptr,
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
        for (key, value) in [("Error", &error), ("Cause", &cause)] {
            if let (Some(v), Some(f)) = (value, field(node, ptr, key)) {
                if looks_dynamic(v) {
                    self.diags.push(diagnostic(
                        Severity::Warning,
                        f.pos(),
                        &f.ptr,
                        format!(
                            "NO_PATH: Field value looks like a path, but field name does not end with 'Path': '{key}' is used as written (use {key}Path)"
                        ),
                    ));
                }
            }
        }
        let error_path = self.path_or_intrinsic(node, ptr, "ErrorPath");
        let cause_path = self.path_or_intrinsic(node, ptr, "CausePath");
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

    fn parallel(&mut self, node: &Node, ptr: &str, info: &mut StateInfo) -> Option<StateKind> {
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
                            &f.ptr,
                            "'Branches' must contain at least one branch",
                        );
                        ok = false;
                    }
                    for (i, item) in items.iter().enumerate() {
                        let item_ptr = child_pointer(&f.ptr, &i.to_string());
                        match self.machine(item, &item_ptr, ScopeKind::Branch) {
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
        let parameters = self.checked_template(node, ptr, "Parameters", &mut ok);
        let result_selector = self.checked_template(node, ptr, "ResultSelector", &mut ok);
        let result_path = self.path_field(node, ptr, "ResultPath", true);
        let retry = self.retriers(node, ptr, &mut ok);
        let catch = self.catchers(node, ptr, info, &mut ok);
        ok.then_some(StateKind::Parallel(ParallelState {
            branches,
            parameters,
            arguments: None,
            result_selector,
            result_path,
            retry,
            catch,
        }))
    }

    fn map(&mut self, node: &Node, ptr: &str, info: &mut StateInfo) -> Option<StateKind> {
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
            item_processor = self.machine(f.node, &f.ptr, ScopeKind::ItemProcessor);
            if let Some(config) = field(f.node, &f.ptr, "ProcessorConfig") {
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

        let items_path = self.path_field(node, ptr, "ItemsPath", true);
        if let (Some(f), PathField::Default) = (field(node, ptr, "ItemsPath"), &items_path) {
            ok &= matches!(f.node.kind, Kind::Null);
        }
        let item_selector = match (node.get("ItemSelector"), node.get("Parameters")) {
            (Some(_), Some(_)) => {
                self.only_one(node, ptr, &["ItemSelector", "Parameters"]);
                ok = false;
                None
            }
            (_, Some(_)) => self.checked_template(node, ptr, "Parameters", &mut ok),
            _ => self.checked_template(node, ptr, "ItemSelector", &mut ok),
        };
        let result_selector = self.checked_template(node, ptr, "ResultSelector", &mut ok);
        let result_path = self.path_field(node, ptr, "ResultPath", true);
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
            if b.object_node(f.node, &f.ptr, &format!("field '{key}'")) {
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
                pointer: f.ptr,
                pos: f.node.pos,
                field: "Label",
            });
        }
        let retry = self.retriers(node, ptr, &mut ok);
        let catch = self.catchers(node, ptr, info, &mut ok);
        let item_processor = Box::new(item_processor?);
        ok.then_some(StateKind::Map(MapState {
            items: None,
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
    }

    fn processor_config(&mut self, f: &Field<'_>) -> Option<(ProcessorMode, Option<String>)> {
        if !self.object_node(f.node, &f.ptr, "field 'ProcessorConfig'") {
            return None;
        }
        self.check_fields(f.node, &f.ptr, &["Mode", "ExecutionType"]);
        let mut ok = true;
        let mode = match self.opt_string(f.node, &f.ptr, "Mode").as_deref() {
            None | Some("INLINE") => ProcessorMode::Inline,
            Some("DISTRIBUTED") => ProcessorMode::Distributed,
            Some(other) => {
                let m = field(f.node, &f.ptr, "Mode")?;
                self.schema(
                    m.pos(),
                    &m.ptr,
                    format!("Value '{other}' is not one of [INLINE, DISTRIBUTED]"),
                );
                return None;
            }
        };
        ok &= f.node.get("Mode").is_none()
            || f.node
                .get("Mode")
                .is_some_and(|m| m.value.as_str().is_some());
        let execution_type = self.opt_string(f.node, &f.ptr, "ExecutionType");
        if let Some(e) = &execution_type {
            if e != "STANDARD" && e != "EXPRESS" {
                let m = field(f.node, &f.ptr, "ExecutionType")?;
                self.schema(
                    m.pos(),
                    &m.ptr,
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
                &f.ptr,
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
                        &child_pointer(&f.ptr, &i.to_string()),
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
                &f.ptr,
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
            let item_ptr = child_pointer(&f.ptr, &i.to_string());
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
                if i + 1 != items.len() {
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
                                &jf.ptr,
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
            let item_ptr = child_pointer(&f.ptr, &i.to_string());
            if !self.object_node(item, &item_ptr, "an item of 'Catch'") {
                *ok = false;
                continue;
            }
            self.check_fields(
                item,
                &item_ptr,
                &["ErrorEquals", "Next", "ResultPath", "Comment"],
            );
            self.opt_string(item, &item_ptr, "Comment");
            let mut good = true;
            let errors = self.error_equals(item, &item_ptr);
            if let Some((_, true)) = &errors {
                if i + 1 != items.len() {
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
            let result_path = self.path_field(item, &item_ptr, "ResultPath", true);
            if let (Some(rp), PathField::Default) = (item.get("ResultPath"), &result_path) {
                good &= matches!(rp.value.kind, Kind::Null);
            }
            match (errors, next) {
                (Some((error_equals, _)), Some(next)) if good => out.push(Catcher {
                    error_equals,
                    next,
                    result_path,
                    assign: None,
                    output: None,
                }),
                _ => *ok = false,
            }
        }
        out
    }
}

#[derive(Clone, Copy)]
enum NumberCheck {
    Uint { min: u64, max: u64 },
    Percentage,
}
