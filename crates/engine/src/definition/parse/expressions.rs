//! JSONata `{% ... %}` expressions, `Assign` (variables) and `Output`.

use super::{field, uses_states_variable, Builder, MAX_VARIABLE_NAME_CHARS};
use crate::definition::json::{child_pointer, Kind, Node};
use crate::definition::model::{Payload, QueryLanguage};
use crate::definition::validate::Target;
use crate::jsonata::{self, JsonataValue};

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
    // ----- JSONata and variables -----

    /// True when `node[key]` is a `{% ... %}` string.
    pub(super) fn is_expression(&self, node: &Node, key: &str) -> bool {
        node.get(key)
            .and_then(|m| m.value.as_str())
            .is_some_and(jsonata::is_expression)
    }

    /// Checks every `{% ... %}` string in `node` (at any depth) with the JSONata parser.
    /// Returns false when one is invalid.
    pub(super) fn jsonata_expressions(&mut self, node: &Node, ptr: &str) -> bool {
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
                match self.memo.expression(s) {
                    Ok(_) => true,
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
    pub(super) fn jsonata_field(
        &mut self,
        node: &Node,
        ptr: &str,
        key: &str,
        shape: JsonataShape,
        ok: &mut bool,
    ) -> Option<JsonataValue> {
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
        Some(JsonataValue::new_in(f.node.to_value(), &mut self.memo))
    }

    /// `Assign` (both query languages): an object of variable names. In JSONata its values
    /// may hold `{% ... %}` expressions; in JSONPath a key ending in `.$` takes a path, a
    /// variable reference or an intrinsic call, as in a payload template.
    pub(super) fn assign(&mut self, node: &Node, ptr: &str, ok: &mut bool) -> Option<Payload> {
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
        let payload = match self.ql {
            QueryLanguage::Jsonata => {
                good &= self.jsonata_expressions(f.node, f.ptr());
                let value = JsonataValue::new_in(f.node.to_value(), &mut self.memo);
                Some(Payload::Jsonata(value))
            }
            QueryLanguage::JsonPath => {
                let template = self.compiled_template(f.node, f.ptr());
                good &= template.is_some();
                good &= self.no_states_in_jsonpath(f.node, f.ptr());
                self.no_dollar_warnings(f.node, f.ptr());
                template.map(Payload::Template)
            }
        };
        if !good {
            *ok = false;
            return None;
        }
        payload
    }

    /// `$states` exists only in JSONata states: a JSONPath template's `.$` value cannot read
    /// it.
    pub(super) fn no_states_in_jsonpath(&mut self, node: &Node, ptr: &str) -> bool {
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
    pub(super) fn output(&mut self, node: &Node, ptr: &str, ok: &mut bool) -> Option<JsonataValue> {
        if self.ql != QueryLanguage::Jsonata {
            return None;
        }
        self.jsonata_field(node, ptr, "Output", JsonataShape::Any, ok)
    }
}

/// What a JSONata field may hold besides `{% ... %}` expressions inside it.
#[derive(Clone, Copy)]
pub(super) enum JsonataShape {
    Any,
    Object,
    Array,
}
