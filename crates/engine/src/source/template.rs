//! State machines inside CloudFormation and SAM templates: an `AWS::StepFunctions::StateMachine`
//! (`Definition`, `DefinitionString`, `DefinitionSubstitutions`) or an
//! `AWS::Serverless::StateMachine` (`Definition`, `DefinitionUri`, `DefinitionSubstitutions`).
//! The intrinsic functions a definition is written with (`Fn::Sub`, `Fn::Join`, `Ref`,
//! `Fn::GetAtt`, as CDK writes them in `cdk.out/*.template.json` too) are evaluated, other
//! resources' ARNs and names being plausible fakes named after their logical ids.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::substitutions::{fake_of_kind, replace_placeholders, FAKE_ACCOUNT, FAKE_REGION};
use super::SourceError;

const STEP_FUNCTIONS: &str = "AWS::StepFunctions::StateMachine";
const SERVERLESS: &str = "AWS::Serverless::StateMachine";

/// A state machine of a template.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateStateMachine {
    pub logical_id: String,
    pub definition: TemplateDefinition,
    /// Its `DefinitionSubstitutions`, evaluated.
    pub substitutions: BTreeMap<String, String>,
}

/// Where a template's state machine has its definition.
#[derive(Debug, Clone, PartialEq)]
pub enum TemplateDefinition {
    /// `Definition`: the definition as an object, at this JSON pointer of the template.
    Object { value: Value, pointer: String },
    /// `DefinitionString`, evaluated to the definition's JSON text; the property is at this
    /// JSON pointer of the template.
    Text { text: String, pointer: String },
    /// SAM's `DefinitionUri` as a local path, relative to the template (the caller reads it).
    Uri(String),
}

/// The logical ids of the state machines of `template`, in its order (none when it has no
/// Resources object).
pub fn state_machine_ids(template: &Value) -> Vec<String> {
    let Some(resources) = template.get("Resources").and_then(Value::as_object) else {
        return Vec::new();
    };
    resources
        .iter()
        .filter(|(_, resource)| is_state_machine(resource))
        .map(|(id, _)| id.clone())
        .collect()
}

fn is_state_machine(resource: &Value) -> bool {
    matches!(
        resource.get("Type").and_then(Value::as_str),
        Some(STEP_FUNCTIONS | SERVERLESS)
    )
}

/// The state machine `logical_id` of `template`, or its only state machine.
pub fn find_state_machine(
    template: &Value,
    logical_id: Option<&str>,
) -> Result<TemplateStateMachine, SourceError> {
    let resources = template
        .get("Resources")
        .and_then(Value::as_object)
        .ok_or_else(|| SourceError::new("the template has no Resources object"))?;
    let (id, resource) = match logical_id {
        Some(id) => {
            let resource = resources
                .get(id)
                .ok_or_else(|| SourceError::new(format!("the template has no resource '{id}'")))?;
            if !is_state_machine(resource) {
                let kind = resource
                    .get("Type")
                    .and_then(Value::as_str)
                    .unwrap_or("no Type");
                return Err(SourceError::new(format!(
                    "the resource '{id}' is not a state machine ({kind}; expected {STEP_FUNCTIONS} or {SERVERLESS})"
                )));
            }
            (id.to_string(), resource)
        }
        None => {
            let machines: Vec<(&String, &Value)> = resources
                .iter()
                .filter(|(_, r)| is_state_machine(r))
                .collect();
            match machines.as_slice() {
                [(id, resource)] => ((*id).clone(), *resource),
                [] => return Err(SourceError::new("the template has no state machine")),
                many => {
                    let ids: Vec<&str> = many.iter().map(|(id, _)| id.as_str()).collect();
                    return Err(SourceError::new(format!(
                        "the template has {} state machines ({}): choose one with --logical-id",
                        ids.len(),
                        ids.join(", ")
                    )));
                }
            }
        }
    };
    let empty = Map::new();
    let properties = resource
        .get("Properties")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let context = Context { template };
    let pointer = format!("/Resources/{}/Properties", escape(&id));
    let definition = if let Some(value) = properties.get("Definition") {
        TemplateDefinition::Object {
            value: context.evaluate_within(value)?,
            pointer: format!("{pointer}/Definition"),
        }
    } else if let Some(value) = properties.get("DefinitionString") {
        TemplateDefinition::Text {
            text: context.evaluate_to_string(value, "DefinitionString")?,
            pointer: format!("{pointer}/DefinitionString"),
        }
    } else if let Some(uri) = properties.get("DefinitionUri") {
        match uri {
            Value::String(path) => TemplateDefinition::Uri(path.clone()),
            _ => {
                return Err(SourceError::new(format!(
                "'{id}': a DefinitionUri in S3 (Bucket, Key) is not read: give a local file path"
            )))
            }
        }
    } else if properties.contains_key("DefinitionS3Location") {
        return Err(SourceError::new(format!(
            "'{id}': DefinitionS3Location is not read: use Definition, DefinitionString or a local DefinitionUri"
        )));
    } else {
        return Err(SourceError::new(format!(
            "'{id}' has no Definition, DefinitionString or DefinitionUri"
        )));
    };
    let mut substitutions = BTreeMap::new();
    if let Some(subs) = properties.get("DefinitionSubstitutions") {
        let subs = subs.as_object().ok_or_else(|| {
            SourceError::new(format!("'{id}': DefinitionSubstitutions must be an object"))
        })?;
        for (name, value) in subs {
            let text = match context.evaluate(value)? {
                Value::String(s) => s,
                other @ (Value::Number(_) | Value::Bool(_)) => other.to_string(),
                _ => {
                    return Err(SourceError::new(format!(
                        "'{id}': the DefinitionSubstitutions '{name}' must be a string, a number or a boolean"
                    )))
                }
            };
            substitutions.insert(name.clone(), text);
        }
    }
    Ok(TemplateStateMachine {
        logical_id: id,
        definition,
        substitutions,
    })
}

/// RFC 6901 escaping of one pointer segment.
pub(crate) fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

struct Context<'a> {
    template: &'a Value,
}

impl Context<'_> {
    fn resource_type(&self, id: &str) -> Option<&str> {
        self.template
            .get("Resources")?
            .get(id)?
            .get("Type")?
            .as_str()
    }

    /// Evaluates the intrinsic functions anywhere inside `value`.
    fn evaluate_within(&self, value: &Value) -> Result<Value, SourceError> {
        if is_intrinsic(value) {
            return self.evaluate(value);
        }
        match value {
            Value::Array(items) => items.iter().map(|v| self.evaluate_within(v)).collect(),
            Value::Object(map) => {
                let mut out = Map::new();
                for (key, member) in map {
                    out.insert(key.clone(), self.evaluate_within(member)?);
                }
                Ok(Value::Object(out))
            }
            _ => Ok(value.clone()),
        }
    }

    fn evaluate_to_string(&self, value: &Value, what: &str) -> Result<String, SourceError> {
        match self.evaluate(value)? {
            Value::String(s) => Ok(s),
            _ => Err(SourceError::new(format!("{what} must be a string"))),
        }
    }

    /// The value of an intrinsic function call (or `value` itself when it is not one).
    fn evaluate(&self, value: &Value) -> Result<Value, SourceError> {
        let Some((name, argument)) = intrinsic(value) else {
            return Ok(value.clone());
        };
        match name {
            "Ref" => {
                let target = argument
                    .as_str()
                    .ok_or_else(|| SourceError::new("Ref takes a logical id"))?;
                Ok(Value::String(self.reference(target)))
            }
            "Fn::GetAtt" => {
                let (target, attribute) = match argument {
                    Value::String(s) => s.split_once('.').unwrap_or((s.as_str(), "Arn")),
                    Value::Array(parts) => match parts.as_slice() {
                        [Value::String(t), Value::String(a)] => (t.as_str(), a.as_str()),
                        _ => return Err(SourceError::new("Fn::GetAtt takes [LogicalId, Attribute]")),
                    },
                    _ => return Err(SourceError::new("Fn::GetAtt takes [LogicalId, Attribute]")),
                };
                Ok(Value::String(self.attribute(target, attribute)))
            }
            "Fn::Join" => {
                let (separator, items) = match argument {
                    Value::Array(parts) => match parts.as_slice() {
                        [Value::String(sep), Value::Array(items)] => (sep.as_str(), items),
                        _ => return Err(SourceError::new("Fn::Join takes [separator, [values]]")),
                    },
                    _ => return Err(SourceError::new("Fn::Join takes [separator, [values]]")),
                };
                let texts = items
                    .iter()
                    .map(|item| self.evaluate_to_string(item, "each value of Fn::Join"))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Value::String(texts.join(separator)))
            }
            "Fn::Sub" => {
                let (text, variables) = match argument {
                    Value::String(s) => (s.as_str(), None),
                    Value::Array(parts) => match parts.as_slice() {
                        [Value::String(s), Value::Object(vars)] => (s.as_str(), Some(vars)),
                        _ => return Err(SourceError::new("Fn::Sub takes a string or [string, {variables}]")),
                    },
                    _ => return Err(SourceError::new("Fn::Sub takes a string or [string, {variables}]")),
                };
                self.substitute(text, variables).map(Value::String)
            }
            other => Err(SourceError::new(format!(
                "the intrinsic function {other} is not evaluated (only Ref, Fn::GetAtt, Fn::Join and Fn::Sub are)"
            ))),
        }
    }

    /// `Fn::Sub`: `${Var}` from `variables`, a pseudo parameter, a parameter, a resource's
    /// `Ref` or `${Id.Attribute}`; `${!Text}` is the literal `${Text}`. A name the template does
    /// not know stays `${Name}`, for the DefinitionSubstitutions (and their checks) after.
    fn substitute(
        &self,
        text: &str,
        variables: Option<&Map<String, Value>>,
    ) -> Result<String, SourceError> {
        let mut error = None;
        let out = replace_placeholders(text, |name, _| {
            if let Some(literal) = name.strip_prefix('!') {
                return Some(format!("${{{literal}}}"));
            }
            if let Some(value) = variables.and_then(|vars| vars.get(name)) {
                return match self.evaluate_to_string(value, "a Fn::Sub variable") {
                    Ok(text) => Some(text),
                    Err(e) => {
                        error = Some(e);
                        None
                    }
                };
            }
            self.known(name)
        });
        match error {
            Some(e) => Err(e),
            None => Ok(out),
        }
    }

    /// The value of `${name}` in a `Fn::Sub` when the template knows it.
    fn known(&self, name: &str) -> Option<String> {
        if let Some(value) = pseudo_parameter(name) {
            return Some(value);
        }
        if let Some((target, attribute)) = name.split_once('.') {
            return self
                .resource_type(target)
                .map(|_| self.attribute(target, attribute));
        }
        if self
            .template
            .get("Parameters")
            .and_then(|p| p.get(name))
            .is_some()
            || self.resource_type(name).is_some()
        {
            return Some(self.reference(name));
        }
        None
    }

    /// `Ref`: a parameter's default (else a fake after its name), a resource's `Ref` value.
    fn reference(&self, target: &str) -> String {
        if let Some(value) = pseudo_parameter(target) {
            return value;
        }
        if let Some(parameter) = self.template.get("Parameters").and_then(|p| p.get(target)) {
            return match parameter.get("Default") {
                Some(Value::String(s)) => s.clone(),
                Some(other @ (Value::Number(_) | Value::Bool(_))) => other.to_string(),
                _ => super::substitutions::fake_value(target, None),
            };
        }
        let kind = match self.resource_type(target).unwrap_or("") {
            "AWS::Lambda::Function" | "AWS::Serverless::Function" => return target.to_string(),
            STEP_FUNCTIONS | SERVERLESS => "stateMachine",
            "AWS::StepFunctions::Activity" => "activity",
            "AWS::SNS::Topic" => "topic",
            "AWS::SQS::Queue" => "queue",
            "AWS::DynamoDB::Table" | "AWS::Serverless::SimpleTable" => "table",
            "AWS::S3::Bucket" => "bucket",
            "AWS::Events::EventBus" => "eventBus",
            _ => return target.to_string(),
        };
        fake_of_kind(kind, target)
    }

    /// `Fn::GetAtt`: the ARN (or name) of a resource, fake, named after its logical id.
    fn attribute(&self, target: &str, attribute: &str) -> String {
        let resource_type = self.resource_type(target).unwrap_or("");
        let kind = match (resource_type, attribute) {
            ("AWS::Lambda::Function" | "AWS::Serverless::Function", _) => "function",
            (STEP_FUNCTIONS | SERVERLESS, "Name") => return target.to_string(),
            (STEP_FUNCTIONS | SERVERLESS, _) => "stateMachine",
            ("AWS::StepFunctions::Activity", "Name") => return target.to_string(),
            ("AWS::StepFunctions::Activity", _) => "activity",
            ("AWS::SNS::Topic", "TopicName") => return target.to_string(),
            ("AWS::SNS::Topic", _) => "topic",
            ("AWS::SQS::Queue", "QueueUrl") => "queue",
            ("AWS::SQS::Queue", "QueueName") => return target.to_string(),
            ("AWS::SQS::Queue", _) => "queueArn",
            ("AWS::DynamoDB::Table" | "AWS::Serverless::SimpleTable", _) => "tableArn",
            ("AWS::S3::Bucket", _) => "bucketArn",
            ("AWS::Events::EventBus", "Name") => return target.to_string(),
            ("AWS::Events::EventBus", _) => "eventBusArn",
            ("AWS::IAM::Role", _) => "role",
            _ => return super::substitutions::fake_value(target, None),
        };
        fake_of_kind(kind, target)
    }
}

fn pseudo_parameter(name: &str) -> Option<String> {
    let value = match name {
        "AWS::Region" => FAKE_REGION,
        "AWS::AccountId" => FAKE_ACCOUNT,
        "AWS::Partition" => "aws",
        "AWS::URLSuffix" => "amazonaws.com",
        "AWS::StackName" => "sfn-play",
        "AWS::StackId" => {
            return Some(format!(
                "arn:aws:cloudformation:{FAKE_REGION}:{FAKE_ACCOUNT}:stack/sfn-play/00000000-0000-0000-0000-000000000000"
            ))
        }
        "AWS::NoValue" => "",
        _ => return None,
    };
    Some(value.to_string())
}

/// The function name and argument of an intrinsic function call `{"Fn::X": argument}`.
fn intrinsic(value: &Value) -> Option<(&str, &Value)> {
    let map = value.as_object()?;
    if map.len() != 1 {
        return None;
    }
    let (name, argument) = map.iter().next()?;
    (name == "Ref" || name.starts_with("Fn::")).then_some((name.as_str(), argument))
}

fn is_intrinsic(value: &Value) -> bool {
    intrinsic(value).is_some()
}
