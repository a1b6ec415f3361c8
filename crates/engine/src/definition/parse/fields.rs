//! The field readers every state shares: reporting a problem, strings, state names
//! (targets), templates, JSONPath fields, booleans, numbers and `QueryLanguage`.

use super::{
    field, language_hint, looks_dynamic, uses_states_variable, with_code, Builder, Field, SCHEMA,
};
use crate::definition::json::{child_pointer, Kind, Node, Pos};
use crate::definition::model::{NumberField, PathField, PathOrCall, QueryLanguage};
use crate::definition::validate::{diagnostic, Target};
use crate::definition::Severity;
use crate::jsonata::Expression;
use crate::paths::{self, Path};
use crate::template::Template;
use crate::{intrinsics, jsonata};

impl<'r> Builder<'r> {
    pub(super) fn error(&mut self, pos: Pos, pointer: &str, message: impl Into<String>) {
        self.diags
            .push(diagnostic(Severity::Error, pos, pointer, message));
    }

    pub(super) fn schema(&mut self, pos: Pos, pointer: &str, message: impl std::fmt::Display) {
        self.error(pos, pointer, format!("{SCHEMA}: {message}"));
    }

    /// Problems reported by another module as (absolute pointer, message).
    pub(super) fn absolute_problems(&mut self, problems: Vec<(String, String)>) {
        for (pointer, message) in problems {
            let pos = self.root.position_of(&pointer);
            self.error(pos, &pointer, with_code(&message));
        }
    }

    pub(super) fn wrong_type(&mut self, f: &Field<'_>, expected: &str) {
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

    pub(super) fn required(&mut self, node: &Node, ptr: &str, key: &str) {
        self.schema(node.pos, ptr, format!("These fields are required: [{key}]"));
    }

    pub(super) fn only_one(&mut self, node: &Node, ptr: &str, keys: &[&str]) {
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
    pub(super) fn check_fields(&mut self, node: &Node, ptr: &str, allowed: &[&str]) {
        self.check_fields_in(node, ptr, allowed, None);
    }

    /// Reports every member of `node` not in `allowed`; those in `foreign.0` belong to the
    /// other query language and say so (`foreign.1` is the object's language).
    pub(super) fn check_fields_in(
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
    pub(super) fn object_node(
        &mut self,
        node: &Node,
        ptr: &str,
        what: impl std::fmt::Display,
    ) -> bool {
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

    pub(super) fn opt_string(&mut self, node: &Node, ptr: &str, key: &str) -> Option<String> {
        let f = field(node, ptr, key)?;
        match f.node.as_str() {
            Some(s) => Some(s.to_string()),
            None => {
                self.wrong_type(&f, "String");
                None
            }
        }
    }

    pub(super) fn req_string(&mut self, node: &Node, ptr: &str, key: &str) -> Option<String> {
        if node.get(key).is_none() {
            self.required(node, ptr, key);
            return None;
        }
        self.opt_string(node, ptr, key)
    }

    /// A target field (`Next`, `Default`, `StartAt`): a string, recorded for the graph checks.
    pub(super) fn target(
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

    pub(super) fn opt_template(&mut self, node: &Node, ptr: &str, key: &str) -> Option<Template> {
        let f = field(node, ptr, key)?;
        if !self.object_node(f.node, f.ptr(), format_args!("field '{key}'")) {
            return None;
        }
        let compiled = self.compiled_template(f.node, f.ptr());
        let ok = self.no_states_in_jsonpath(f.node, f.ptr());
        self.no_dollar_warnings(f.node, f.ptr());
        compiled.filter(|_| ok)
    }

    /// A `{% ... %}` text that validation has checked, compiled.
    pub(super) fn compiled_expression(&mut self, text: &str) -> Expression {
        self.memo
            .expression(text)
            .unwrap_or_else(|_| Expression::new(text))
    }

    /// The template `node` holds, compiled, or its problems reported.
    pub(super) fn compiled_template(&mut self, node: &Node, ptr: &str) -> Option<Template> {
        match Template::compile_in(node.to_value(), &mut self.memo) {
            Ok(template) => Some(template),
            Err(problems) => {
                for (rel, message) in problems {
                    let pointer = format!("{ptr}{rel}");
                    let pos = self.root.position_of(&pointer);
                    self.error(pos, &pointer, with_code(&message));
                }
                None
            }
        }
    }

    /// AWS's NO_DOLLAR warning: a template value that looks like a path or an intrinsic call
    /// under a key without `.$` is passed on as a plain string, which is rarely what was meant.
    pub(super) fn no_dollar_warnings(&mut self, node: &Node, ptr: &str) {
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
    pub(super) fn static_result_warnings(&mut self, node: &Node, ptr: &str) {
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
    pub(super) fn path_field(
        &mut self,
        node: &Node,
        ptr: &str,
        key: &str,
        reference: bool,
    ) -> PathField {
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
                let path = if reference {
                    self.reference_path(&f, s, key == "ItemsPath")
                } else {
                    self.json_path(&f, s)
                };
                path.map_or(PathField::Default, PathField::Path)
            }
            _ => {
                self.wrong_type(&f, "String");
                PathField::Default
            }
        }
    }

    fn json_path(&mut self, f: &Field<'_>, path: &str) -> Option<Path> {
        if !self.no_states_path(f, path) {
            return None;
        }
        match self.memo.path(path) {
            Ok(path) => Some(path),
            Err(e) => {
                self.schema(
                    f.pos(),
                    f.ptr(),
                    format!("Value is not a valid JSONPath: {e}"),
                );
                None
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
    fn reference_path(&mut self, f: &Field<'_>, path: &str, context_ok: bool) -> Option<Path> {
        if !self.no_states_path(f, path) {
            return None;
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
            return None;
        }
        match self.memo.reference_path(path) {
            Ok(path) => Some(path),
            Err(e) => {
                self.schema(
                    f.pos(),
                    f.ptr(),
                    format!("Value is not a Reference Path: {e}"),
                );
                None
            }
        }
    }

    pub(super) fn opt_reference_path(
        &mut self,
        node: &Node,
        ptr: &str,
        key: &str,
        context_ok: bool,
    ) -> Option<Path> {
        let s = self.opt_string(node, ptr, key)?;
        let f = field(node, ptr, key)?;
        self.reference_path(&f, &s, context_ok)
    }

    /// ErrorPath / CausePath: a reference path or an intrinsic function call.
    pub(super) fn path_or_intrinsic(
        &mut self,
        node: &Node,
        ptr: &str,
        key: &str,
    ) -> Option<PathOrCall> {
        let s = self.opt_string(node, ptr, key)?;
        let f = field(node, ptr, key)?;
        if intrinsics::is_intrinsic(&s) {
            match self.memo.call(&s) {
                Ok(call) => Some(PathOrCall::Call(call)),
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
            self.reference_path(&f, &s, true).map(PathOrCall::Path)
        }
    }

    pub(super) fn opt_bool(&mut self, node: &Node, ptr: &str, key: &str) -> Option<bool> {
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
    pub(super) fn opt_uint(
        &mut self,
        node: &Node,
        ptr: &str,
        key: &str,
        min: u64,
        max: u64,
    ) -> Option<u64> {
        let f = field(node, ptr, key)?;
        self.uint_value(&f, min, max)
    }

    pub(super) fn uint_value(&mut self, f: &Field<'_>, min: u64, max: u64) -> Option<u64> {
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
    pub(super) fn number_value(
        &mut self,
        f: &Field<'_>,
        min: f64,
        max: Option<f64>,
    ) -> Option<f64> {
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
    pub(super) fn number_field(
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
                    .then(|| NumberField::Expression(self.compiled_expression(text)))
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
    pub(super) fn query_language(&mut self, node: &Node, ptr: &str) -> Option<QueryLanguage> {
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
}

#[derive(Clone, Copy)]
pub(super) enum NumberCheck {
    Uint { min: u64, max: u64 },
    Percentage,
}
