//! The identity of an execution (names and ARNs) and the context object (`$$`) built from it.

use serde_json::{json, Map, Value};

/// Names and ARNs an execution runs under; what `$$.Execution`, `$$.StateMachine` and the
/// `ExecutionStarted` event show. The conformance cases set them to AWS's recorded values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecutionIdentity {
    pub account: String,
    pub region: String,
    pub state_machine_name: String,
    pub state_machine_arn: String,
    /// `STANDARD` or `EXPRESS`.
    pub state_machine_type: String,
    pub execution_name: String,
    pub execution_arn: String,
    pub role_arn: String,
}

impl Default for ExecutionIdentity {
    fn default() -> Self {
        Self::new("123456789012", "us-east-1", "MyStateMachine", "playground")
    }
}

impl ExecutionIdentity {
    /// An identity with ARNs derived from the account, region and names.
    pub fn new(
        account: &str,
        region: &str,
        state_machine_name: &str,
        execution_name: &str,
    ) -> Self {
        ExecutionIdentity {
            account: account.into(),
            region: region.into(),
            state_machine_name: state_machine_name.into(),
            state_machine_arn: format!(
                "arn:aws:states:{region}:{account}:stateMachine:{state_machine_name}"
            ),
            state_machine_type: "STANDARD".into(),
            execution_name: execution_name.into(),
            execution_arn: format!(
                "arn:aws:states:{region}:{account}:execution:{state_machine_name}:{execution_name}"
            ),
            role_arn: format!("arn:aws:iam::{account}:role/StepFunctionsPlaygroundRole"),
        }
    }
}

/// The parts of `$$` that change as the execution moves.
pub struct ContextState<'a> {
    pub execution_input: &'a Value,
    pub execution_start_time: &'a str,
    pub state_name: &'a str,
    pub state_entered_time: &'a str,
    /// `$$.State.RetryCount`: AWS shows it to Task states only (`None` elsewhere).
    pub retry_count: Option<u64>,
    /// `$$.Map.Item` inside a Map iteration: its index and value.
    pub map_item: Option<(usize, &'a Value)>,
    /// `$$.Task.Token` for `.waitForTaskToken` tasks.
    pub task_token: Option<&'a str>,
}

/// Builds the context object as AWS shows it.
pub fn context_object(identity: &ExecutionIdentity, state: &ContextState<'_>) -> Value {
    let mut execution = Map::new();
    execution.insert("Id".into(), json!(identity.execution_arn));
    execution.insert("Input".into(), state.execution_input.clone());
    execution.insert("Name".into(), json!(identity.execution_name));
    execution.insert("RoleArn".into(), json!(identity.role_arn));
    execution.insert("StartTime".into(), json!(state.execution_start_time));
    let mut state_object = Map::new();
    state_object.insert("Name".into(), json!(state.state_name));
    state_object.insert("EnteredTime".into(), json!(state.state_entered_time));
    // AWS's recordings show State.RetryCount to Task states only, and Execution.RedriveCount
    // to every state but Tasks.
    match state.retry_count {
        Some(count) => {
            state_object.insert("RetryCount".into(), json!(count));
        }
        None => {
            execution.insert("RedriveCount".into(), json!(0));
        }
    }
    let mut context = Map::new();
    context.insert("Execution".into(), Value::Object(execution));
    context.insert(
        "StateMachine".into(),
        json!({
            "Id": identity.state_machine_arn,
            "Name": identity.state_machine_name,
        }),
    );
    context.insert("State".into(), Value::Object(state_object));
    if let Some(token) = state.task_token {
        context.insert("Task".into(), json!({ "Token": token }));
    }
    if let Some((index, value)) = state.map_item {
        context.insert(
            "Map".into(),
            json!({ "Item": { "Index": index, "Value": value } }),
        );
    }
    Value::Object(context)
}

/// Merges `overlay` into `context`: an object merges into an object field by field, anything
/// else replaces what was there. So a context given in part keeps the engine's other fields.
pub fn merge_context(context: &mut Value, overlay: &Map<String, Value>) {
    let Value::Object(target) = context else {
        *context = Value::Object(overlay.clone());
        return;
    };
    for (key, value) in overlay {
        match (target.get_mut(key), value) {
            (Some(existing @ Value::Object(_)), Value::Object(inner)) => {
                merge_context(existing, inner)
            }
            _ => {
                target.insert(key.clone(), value.clone());
            }
        }
    }
}
