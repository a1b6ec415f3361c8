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
//! have Arguments, Output, Items and `{% ... %}` expressions instead. A field of the other
//! language is reported as such. `Assign` (variables) exists in both.
//!
//! Reading compiles: paths, payload templates, intrinsic calls, Choice rules and JSONata
//! expressions are parsed into the model (a problem is the field's diagnostic), each distinct
//! text once per read through the builder's [`CompileMemo`], which the fields repeating it
//! share. The executor then runs the model without parsing any text.
//!
//! One file per concern: the field readers every state shares (`fields`), JSONata
//! expressions and variables (`expressions`), `Retry` and `Catch` (`retry_catch`), and one
//! per state family; this one holds the entry point and the reading of a state machine and
//! of the fields common to all states.

mod choice;
mod expressions;
mod fail;
mod fanout;
mod fields;
mod pass_wait;
mod retry_catch;
mod task;

use std::cell::OnceCell;
use std::rc::Rc;

use indexmap::IndexMap;

use super::json::{self, child_pointer, Kind, Node, Pos};
use super::model::*;
use super::validate::{self, diagnostic, Scope, StateInfo, Target, VarScope};
use super::{Diagnostic, ParsedDefinition, Severity};
use crate::memo::CompileMemo;

const SCHEMA: &str = "SCHEMA_VALIDATION_FAILED";

/// Longest variable name AWS accepts, in characters.
pub const MAX_VARIABLE_NAME_CHARS: usize = 80;

/// State types that may carry `Assign` (AWS: Pass, Task, Map, Parallel, Choice, Wait).
const ASSIGN_TYPES: &[&str] = &["Pass", "Task", "Map", "Parallel", "Choice", "Wait"];

/// AWS's upper bound for TimeoutSeconds, HeartbeatSeconds, IntervalSeconds, MaxAttempts and
/// Wait's Seconds.
const MAX_SECONDS: u64 = 99_999_999;

/// The largest definition AWS's CreateStateMachine accepts, in bytes: its 1 MB quota (the
/// `definition` parameter's maximum length, 1048576).
pub const MAX_DEFINITION_BYTES: usize = 1_048_576;

const STATE_TYPES: &[&str] = &[
    "Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map",
];

/// Parses and validates `text`: the model when there is no error-severity diagnostic, and
/// every diagnostic found (warnings included) either way, sorted by position.
pub fn parse_definition(text: &str) -> ParsedDefinition {
    // Checked before anything is read, as AWS checks the request's length first.
    if text.len() > MAX_DEFINITION_BYTES {
        let d = diagnostic(
            Severity::Error,
            Pos::START,
            "",
            format!(
                "DEFINITION_TOO_LARGE: 1 validation error detected: Value at 'definition' failed to satisfy constraint: Member must have length less than or equal to {MAX_DEFINITION_BYTES} (the definition is larger than the 1 MB quota)"
            ),
        );
        return ParsedDefinition::new(None, vec![d]);
    }
    if text.trim().is_empty() {
        let d = diagnostic(
            Severity::Error,
            Pos::START,
            "",
            "MISSING_DESCRIPTION: Received a null or empty workflow input",
        );
        return ParsedDefinition::new(None, vec![d]);
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
            return ParsedDefinition::new(None, vec![d]);
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
        memo: CompileMemo::default(),
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
    ParsedDefinition::new(machine, diags)
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
    if validate::code_of(message).is_some() {
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
    /// The paths and intrinsic calls compiled so far, shared by the fields that repeat them.
    memo: CompileMemo,
}

/// What a JSONata expression may read of `$states` besides `input` and `context`.
#[derive(Clone, Copy, Default)]
struct StatesAccess {
    /// `$states.result`: the Assign and Output of Task, Parallel and Map states.
    result: bool,
    /// `$states.errorOutput`: the Assign and Output of a Catch.
    error_output: bool,
}

impl<'r> Builder<'r> {
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
}
