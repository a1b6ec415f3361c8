//! Pass and Wait states.

use super::{field, Builder, MAX_SECONDS};
use crate::definition::json::Node;
use crate::definition::model::{PassState, QueryLanguage, StateKind, WaitState};

impl<'r> Builder<'r> {
    pub(super) fn pass(&mut self, node: &Node, ptr: &str) -> Option<StateKind> {
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

    pub(super) fn wait(&mut self, node: &Node, ptr: &str) -> Option<StateKind> {
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
                let text = f.node.as_str()?;
                self.jsonata_expressions(f.node, f.ptr()).then(|| {
                    StateKind::Wait(WaitState::SecondsExpression(self.compiled_expression(text)))
                })
            }
            ["Timestamp"]
                if self.ql == QueryLanguage::Jsonata && self.is_expression(node, "Timestamp") =>
            {
                let f = field(node, ptr, "Timestamp")?;
                let text = f.node.as_str()?;
                self.jsonata_expressions(f.node, f.ptr()).then(|| {
                    StateKind::Wait(WaitState::TimestampExpression(
                        self.compiled_expression(text),
                    ))
                })
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
}
