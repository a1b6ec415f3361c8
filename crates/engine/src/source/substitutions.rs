//! `${Name}` placeholders in a definition, replaced as CloudFormation applies a state machine's
//! `DefinitionSubstitutions` (and SAM its own): each `${Name}` with a value given is replaced by
//! it. One left without a value is an error naming it, unless fake ARNs are asked for: then it
//! gets a plausible fake value after the field it is in or its name (a Lambda function ARN in
//! `FunctionName` or a Task's `Resource`, a state machine ARN in `StateMachineArn`...).

use std::collections::BTreeMap;

use serde_json::Value;

use super::SourceError;

/// The fake region and account of fake ARNs.
pub const FAKE_REGION: &str = "us-east-1";
pub const FAKE_ACCOUNT: &str = "123456789012";

/// The values of `${Name}` placeholders, and whether to make up the missing ones.
#[derive(Debug, Clone, Default)]
pub struct Substitutions {
    values: BTreeMap<String, String>,
    /// Give a plausible fake value to every placeholder without one, instead of an error.
    pub fake_arns: bool,
}

impl Substitutions {
    pub fn new() -> Self {
        Substitutions::default()
    }

    /// Sets (or replaces) the value of `${name}`.
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.values.insert(name.into(), value.into());
    }

    /// Sets every member of a JSON object (a substitutions file): strings as they are, numbers
    /// and booleans as their JSON text.
    pub fn insert_object(&mut self, object: &Value) -> Result<(), SourceError> {
        let Value::Object(map) = object else {
            return Err(SourceError::new(
                "substitutions must be an object of NAME: VALUE",
            ));
        };
        for (name, value) in map {
            let text = match value {
                Value::String(s) => s.clone(),
                Value::Number(_) | Value::Bool(_) => value.to_string(),
                _ => {
                    return Err(SourceError::new(format!(
                        "the substitution '{name}' must be a string, a number or a boolean"
                    )))
                }
            };
            self.insert(name.clone(), text);
        }
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Applies the substitutions to a definition's JSON text (as CloudFormation does, on the
    /// text: a placeholder may stand for a number).
    pub fn apply_to_text(&self, text: &str) -> Result<String, SourceError> {
        self.apply_to_text_noting_fakes(text).map(|(text, _)| text)
    }

    /// [`Substitutions::apply_to_text`], with the placeholders given a fake value and the value
    /// each got (in the order met, each name and value once).
    pub fn apply_to_text_noting_fakes(&self, text: &str) -> Result<(String, Faked), SourceError> {
        let mut applied = Applied::default();
        let out = replace_placeholders(text, |name, before| {
            self.value_of(name, field_before(before).as_deref(), &mut applied)
        });
        applied.check()?;
        Ok((out, applied.faked))
    }

    /// Applies the substitutions to every string (and member name) of a definition read from
    /// YAML. A string that is one placeholder whose value is a JSON number or boolean becomes
    /// that number or boolean, as it would in the text CloudFormation substitutes.
    pub fn apply_to_value(&self, value: &mut Value) -> Result<(), SourceError> {
        self.apply_to_value_noting_fakes(value).map(|_| ())
    }

    /// [`Substitutions::apply_to_value`], with the placeholders given a fake value and the value
    /// each got.
    pub fn apply_to_value_noting_fakes(&self, value: &mut Value) -> Result<Faked, SourceError> {
        let mut applied = Applied::default();
        self.walk(value, None, &mut applied);
        applied.check()?;
        Ok(applied.faked)
    }

    fn walk(&self, value: &mut Value, field: Option<&str>, applied: &mut Applied) {
        match value {
            Value::String(s) => {
                if !s.contains("${") {
                    return;
                }
                let whole = s.starts_with("${") && s.ends_with('}') && s.matches("${").count() == 1;
                let replaced = self.replace_in(s, field, applied);
                if whole && replaced != *s {
                    if let Ok(scalar @ (Value::Number(_) | Value::Bool(_))) =
                        serde_json::from_str::<Value>(&replaced)
                    {
                        *value = scalar;
                        return;
                    }
                }
                *s = replaced;
            }
            Value::Array(items) => {
                for item in items {
                    self.walk(item, field, applied);
                }
            }
            Value::Object(map) => {
                let old = std::mem::take(map);
                for (key, mut member) in old {
                    let key = if key.contains("${") {
                        self.replace_in(&key, None, applied)
                    } else {
                        key
                    };
                    self.walk(&mut member, Some(&key), applied);
                    map.insert(key, member);
                }
            }
            _ => {}
        }
    }

    fn replace_in(&self, text: &str, field: Option<&str>, applied: &mut Applied) -> String {
        replace_placeholders(text, |name, _| self.value_of(name, field, applied))
    }

    /// The value of `${name}` in the member `field`: the one given, else a fake (noted) when
    /// fakes are asked for, else none (noted as unresolved).
    fn value_of(&self, name: &str, field: Option<&str>, applied: &mut Applied) -> Option<String> {
        if let Some(value) = self.values.get(name) {
            return Some(value.clone());
        }
        if !self.fake_arns {
            applied.unresolved.push(name.to_string());
            return None;
        }
        let value = fake_value(name, field);
        if !applied.faked.iter().any(|(n, v)| n == name && *v == value) {
            applied.faked.push((name.to_string(), value.clone()));
        }
        Some(value)
    }
}

/// The placeholders given a fake value, each with the value it got.
pub type Faked = Vec<(String, String)>;

/// What applying the substitutions met: the placeholders without a value, and those faked.
#[derive(Default)]
struct Applied {
    unresolved: Vec<String>,
    faked: Faked,
}

impl Applied {
    fn check(&mut self) -> Result<(), SourceError> {
        let unresolved = &mut self.unresolved;
        if unresolved.is_empty() {
            return Ok(());
        }
        unresolved.sort();
        unresolved.dedup();
        let names: Vec<String> = unresolved.iter().map(|n| format!("${{{n}}}")).collect();
        Err(SourceError::new(format!(
            "unresolved definition substitution{} {}: give {} with --sub NAME=VALUE or --subs FILE, or use --fake-arns",
            if names.len() == 1 { "" } else { "s" },
            names.join(", "),
            if names.len() == 1 { "it a value" } else { "them values" },
        )))
    }
}

/// Replaces each `${Name}` of `text` by what `value_of(Name, text before it)` gives (kept as it
/// is for `None`). A name is letters, digits and `_ . : ! -`; any other `${` is text.
pub(crate) fn replace_placeholders(
    text: &str,
    mut value_of: impl FnMut(&str, &str) -> Option<String>,
) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let (before, from) = rest.split_at(start);
        out.push_str(before);
        let after_open = from.get(2..).unwrap_or("");
        let name_len = after_open
            .find(|c: char| !(c.is_ascii_alphanumeric() || "_.:!-".contains(c)))
            .unwrap_or(after_open.len());
        let (name, tail) = after_open.split_at(name_len);
        match tail.strip_prefix('}') {
            Some(after) if !name.is_empty() => {
                match value_of(name, &out) {
                    Some(value) => out.push_str(&value),
                    None => {
                        out.push_str("${");
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = after;
            }
            _ => {
                out.push_str("${");
                rest = after_open;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The member name a placeholder in JSON text is the value of: the last `"Name":` before it on
/// its line.
fn field_before(text: &str) -> Option<String> {
    let line = text.rsplit('\n').next().unwrap_or(text);
    let colon = line.rfind("\":")?;
    let (head, _) = line.split_at(colon);
    let open = head.rfind('"')?;
    let (_, name) = head.split_at(open.saturating_add(1));
    Some(name.to_string())
}

/// A plausible fake value for the placeholder `name` in the member `field`: after the field
/// when it says what it holds, else after the name; a Lambda function ARN when neither does
/// (the most common placeholder in AWS's SAM examples).
pub fn fake_value(name: &str, field: Option<&str>) -> String {
    let base = name.split('.').next().unwrap_or(name);
    let by_field = match field {
        Some("FunctionName" | "Resource") => Some("function"),
        Some("StateMachineArn") => Some("stateMachine"),
        Some("ActivityArn") => Some("activity"),
        Some("TopicArn") => Some("topic"),
        Some("QueueUrl") => Some("queue"),
        Some("TableName") => Some("table"),
        Some("Bucket") => Some("bucket"),
        Some("EventBusName") => Some("eventBus"),
        _ => None,
    };
    let lower = base.to_ascii_lowercase();
    let kind = by_field.unwrap_or(if lower.contains("statemachine") {
        "stateMachine"
    } else if lower.contains("activity") {
        "activity"
    } else if lower.contains("topic") {
        "topic"
    } else if lower.contains("queue") {
        "queue"
    } else if lower.contains("table") {
        "table"
    } else if lower.contains("bucket") {
        "bucket"
    } else {
        "function"
    });
    fake_of_kind(kind, base)
}

/// A fake value of a resource of `kind` named `name`.
pub fn fake_of_kind(kind: &str, name: &str) -> String {
    let (region, account) = (FAKE_REGION, FAKE_ACCOUNT);
    match kind {
        "stateMachine" => format!("arn:aws:states:{region}:{account}:stateMachine:{name}"),
        "activity" => format!("arn:aws:states:{region}:{account}:activity:{name}"),
        "topic" => format!("arn:aws:sns:{region}:{account}:{name}"),
        "queue" => format!("https://sqs.{region}.amazonaws.com/{account}/{name}"),
        "queueArn" => format!("arn:aws:sqs:{region}:{account}:{name}"),
        "table" => name.to_string(),
        "tableArn" => format!("arn:aws:dynamodb:{region}:{account}:table/{name}"),
        "bucket" => name.to_ascii_lowercase(),
        "bucketArn" => format!("arn:aws:s3:::{}", name.to_ascii_lowercase()),
        "eventBus" => name.to_string(),
        "eventBusArn" => format!("arn:aws:events:{region}:{account}:event-bus/{name}"),
        "role" => format!("arn:aws:iam::{account}:role/{name}"),
        _ => format!("arn:aws:lambda:{region}:{account}:function:{name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_placeholder_in_json_text_takes_its_fake_after_its_member() {
        let mut subs = Substitutions::new();
        subs.fake_arns = true;
        let text = r#"{"StateMachineArn": "${Child}", "QueueUrl": "${Q}", "Other": "${X}"}"#;
        assert_eq!(
            subs.apply_to_text(text).unwrap(),
            r#"{"StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:Child", "QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/Q", "Other": "arn:aws:lambda:us-east-1:123456789012:function:X"}"#
        );
    }

    #[test]
    fn text_without_placeholders_is_unchanged_and_an_unclosed_one_stays() {
        let subs = Substitutions::new();
        assert_eq!(
            subs.apply_to_text("{\"a\": \"$.b\"}").unwrap(),
            "{\"a\": \"$.b\"}"
        );
        assert_eq!(
            subs.apply_to_text("{\"a\": \"${b\"}").unwrap(),
            "{\"a\": \"${b\"}"
        );
    }

    #[test]
    fn a_value_given_wins_over_a_fake_and_a_later_insert_wins() {
        let mut subs = Substitutions::new();
        subs.fake_arns = true;
        subs.insert("F", "one");
        subs.insert("F", "two");
        let mut value = serde_json::json!({"${F}": ["${F}", {"FunctionName": "${G}"}]});
        subs.apply_to_value(&mut value).unwrap();
        assert_eq!(
            value,
            serde_json::json!({"two": ["two", {"FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:G"}]})
        );
    }

    #[test]
    fn the_fakes_given_are_noted_once_each_with_their_values() {
        let mut subs = Substitutions::new();
        subs.fake_arns = true;
        subs.insert("Given", "arn:given");
        let text = r#"{"Resource": "${F}", "Other": "${F}", "StateMachineArn": "${Child}", "X": "${Given}"}"#;
        let (_, faked) = subs.apply_to_text_noting_fakes(text).unwrap();
        assert_eq!(
            faked,
            [
                (
                    "F".to_string(),
                    "arn:aws:lambda:us-east-1:123456789012:function:F".to_string()
                ),
                (
                    "Child".to_string(),
                    "arn:aws:states:us-east-1:123456789012:stateMachine:Child".to_string()
                ),
            ]
        );
        let mut value = serde_json::json!({"TopicArn": "${T}", "Given": "${Given}"});
        let faked = subs.apply_to_value_noting_fakes(&mut value).unwrap();
        assert_eq!(
            faked,
            [(
                "T".to_string(),
                "arn:aws:sns:us-east-1:123456789012:T".to_string()
            )]
        );
        // Without fakes asked for, nothing is faked: the placeholders are unresolved.
        subs.fake_arns = false;
        assert!(subs.apply_to_text_noting_fakes(text).is_err());
    }
}
