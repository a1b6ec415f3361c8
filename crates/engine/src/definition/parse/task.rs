//! Task states.

use super::expressions::JsonataShape;
use super::fields::NumberCheck;
use super::{field, Builder, MAX_SECONDS};
use crate::definition::json::Node;
use crate::definition::model::{
    NumberField, PathField, Payload, QueryLanguage, StateKind, TaskState,
};
use crate::definition::validate::StateInfo;
use crate::template::Template;

impl<'r> Builder<'r> {
    pub(super) fn task(
        &mut self,
        node: &Node,
        ptr: &str,
        info: &mut StateInfo,
    ) -> Option<StateKind> {
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
                self.jsonata_field(node, ptr, "Credentials", JsonataShape::Object, &mut ok)
                    .map(Payload::Jsonata),
                PathField::Default,
            )
        } else {
            (
                self.checked_template(node, ptr, "Parameters", &mut ok),
                None,
                self.checked_template(node, ptr, "ResultSelector", &mut ok),
                self.checked_template(node, ptr, "Credentials", &mut ok)
                    .map(Payload::Template),
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
    pub(super) fn checked_template(
        &mut self,
        node: &Node,
        ptr: &str,
        key: &str,
        ok: &mut bool,
    ) -> Option<Template> {
        let value = self.opt_template(node, ptr, key);
        if node.get(key).is_some() && value.is_none() {
            *ok = false;
        }
        value
    }
}
