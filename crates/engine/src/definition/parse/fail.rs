//! Fail states. (Succeed states have no field of their own: they are read with the
//! state's common fields, in the module above.)

use super::{field, looks_dynamic, Builder};
use crate::definition::json::Node;
use crate::definition::model::{FailState, FailText, QueryLanguage, StateKind};
use crate::definition::validate::diagnostic;
use crate::definition::Severity;
use crate::jsonata::{self, Expression};

impl<'r> Builder<'r> {
    pub(super) fn fail(&mut self, node: &Node, ptr: &str) -> Option<StateKind> {
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
        // In JSONata a `{% ... %}` Error or Cause is computed; otherwise it is the text.
        let mut text = |value: Option<String>| {
            value.map(|text| {
                if jsonata && jsonata::is_expression(&text) {
                    let expression = self.memo.expression(&text);
                    FailText::Expression(expression.unwrap_or_else(|_| Expression::new(&text)))
                } else {
                    FailText::Literal(text)
                }
            })
        };
        ok.then(|| {
            StateKind::Fail(FailState {
                error: text(error),
                error_path,
                cause: text(cause),
                cause_path,
            })
        })
    }
}
