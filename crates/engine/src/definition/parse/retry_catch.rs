//! `Retry` and `Catch`, of Task, Parallel and Map states.

use super::{field, Builder, StatesAccess, MAX_SECONDS};
use crate::definition::json::{child_pointer, Kind, Node};
use crate::definition::model::{Catcher, JitterStrategy, PathField, QueryLanguage, Retrier};
use crate::definition::validate::StateInfo;
use crate::error::names;

/// Upper bound of a retrier's MaxDelaySeconds (one year and a day, exclusive).
const MAX_DELAY_SECONDS: u64 = 31_622_400;

impl<'r> Builder<'r> {
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

    pub(super) fn retriers(&mut self, node: &Node, ptr: &str, ok: &mut bool) -> Vec<Retrier> {
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

    pub(super) fn catchers(
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
