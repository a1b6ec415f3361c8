//! Starting points for a new user: a mock for every Task resource of a definition that has
//! none, so that a run works at once, before any mock is written.
//!
//! [`starter_mocks`] returns the mock file (see [`crate::mocks`]) with one `Functions` rule
//! added per resource the definition calls that the file does not mock yet. Each rule has no
//! `when`, so it answers every call, and returns a value shaped like the service's success
//! response, so that a ResultSelector or a later state reading a well-known field finds it:
//!
//! | resource | key of the rule | returns |
//! | --- | --- | --- |
//! | `arn:aws:lambda:...:function:NAME` | `NAME` | `{"statusCode": 200, "body": "Hello from Lambda!"}` (what a new Lambda function returns) |
//! | `arn:aws:states:::lambda:invoke` with a literal `FunctionName` | the function's name | the same (the executor wraps it as `Payload`) |
//! | `lambda:invoke` with `FunctionName.$` or a `{% %}` FunctionName | the resource ARN | the same |
//! | `sns:publish`, `sqs:sendMessage`, `dynamodb:getItem`, `events:putEvents`, ... | the resource ARN | the main fields of the service's response (table `SERVICE_RESPONSES`) |
//! | anything else (other integrations, `aws-sdk:*`, activities) | the resource ARN | `{}` |
//!
//! A fixed value rather than an echo of the input: rules return fixed values, and a value
//! shaped like the real response teaches what the state will receive. Each rule carries a
//! `comment` saying how to change it.
//!
//! The existing file is never changed, only added to: its rules keep their order and come
//! first. A resource counts as mocked when a rule key would answer it (as
//! [`crate::mocks::MockSet`] matches keys: the exact resource ARN, the Lambda function's name,
//! or a `lambda:invoke` FunctionName as written), or when a test case of the file's
//! `StateMachines` mocks the Task state by name. A file that is not a JSON object, or whose
//! `Functions` is not an object, is returned unchanged: the mock editor shows its error.

use indexmap::IndexSet;
use serde_json::{json, Map, Value};

use crate::definition::model::{StateKind, StateMachine};
use crate::jsonata::JsonataValue;
use crate::mocks::{is_lambda_function_arn, is_lambda_invoke, lambda_function_name};
use crate::template::Template;

/// What a rule says, so the user knows what to edit.
const RULE_COMMENT: &str = "Starter mock added by the playground: it answers every call. \
    Edit \"return\", or add rules before it with \"when\" (a pattern the call's input must \
    match) and \"throw\" ({\"error\": ..., \"cause\": ...}) to raise an error.";

/// The value a new Lambda function returns (the console's default handler).
fn lambda_return() -> Value {
    json!({"statusCode": 200, "body": "Hello from Lambda!"})
}

/// Plausible responses of common service integrations, by `service:action` (suffixes such as
/// `.sync` and `.waitForTaskToken` removed): the fields a state machine usually reads.
const SERVICE_RESPONSES: &[(&str, &str)] = &[
    (
        "sns:publish",
        r#"{"MessageId": "00000000-0000-4000-8000-000000000001"}"#,
    ),
    (
        "sqs:sendMessage",
        r#"{"MessageId": "00000000-0000-4000-8000-000000000002", "MD5OfMessageBody": "d41d8cd98f00b204e9800998ecf8427e"}"#,
    ),
    ("dynamodb:getItem", r#"{"Item": {}}"#),
    ("dynamodb:putItem", r#"{}"#),
    ("dynamodb:updateItem", r#"{}"#),
    ("dynamodb:deleteItem", r#"{}"#),
    (
        "events:putEvents",
        r#"{"Entries": [{"EventId": "00000000-0000-4000-8000-000000000003"}], "FailedEntryCount": 0}"#,
    ),
    (
        "states:startExecution",
        r#"{"ExecutionArn": "arn:aws:states:us-east-1:123456789012:execution:Child:starter", "StartDate": 1700000000000}"#,
    ),
    (
        "http:invoke",
        r#"{"StatusCode": 200, "StatusText": "OK", "ResponseBody": {}}"#,
    ),
];

/// The mock file `existing_mock_file` (or a new one) with a starting rule for every Task
/// resource of `machine`, nested Parallel branches and Map processors included, that it does
/// not mock. See the module documentation for the rules added and what counts as mocked.
pub fn starter_mocks(machine: &StateMachine, existing_mock_file: Option<&Value>) -> Value {
    starter_mocks_in_workspace(machine, existing_mock_file, &[])
}

/// [`starter_mocks`] for a machine among others (`workspace`: the names of the state machines
/// a `states:startExecution` Task runs as a child execution instead of asking a mock), and
/// with no rule for what the user answers on the page: a `.waitForTaskToken` callback or an
/// Activity without a mock waits for its token to be answered.
pub fn starter_mocks_in_workspace(
    machine: &StateMachine,
    existing_mock_file: Option<&Value>,
    workspace: &[String],
) -> Value {
    let mut file = match existing_mock_file {
        Some(Value::Object(file)) => file.clone(),
        Some(other) => return other.clone(),
        None => Map::new(),
    };
    let existing_keys: Vec<String> = match file.get("Functions") {
        Some(Value::Object(functions)) => functions.keys().cloned().collect(),
        Some(_) => return Value::Object(file),
        None => Vec::new(),
    };
    let mocked_states = test_case_states(&file);

    let mut tasks = Vec::new();
    collect_tasks(machine, &mut tasks);

    let mut added = Map::new();
    for task in &tasks {
        if mocked_states.contains(task.state_name.as_str())
            || is_answered_by_the_user(&task.resource)
            || starts_a_workspace_machine(task, workspace)
        {
            continue;
        }
        let Some(key) = starter_key(task, &tasks, &existing_keys) else {
            continue;
        };
        if added.contains_key(&key) {
            continue;
        }
        let rule = json!({"comment": RULE_COMMENT, "return": starter_return(&task.resource)});
        added.insert(key, Value::Array(vec![rule]));
    }

    if added.is_empty() && existing_mock_file.is_some() {
        return Value::Object(file);
    }
    match file.get_mut("Functions") {
        Some(Value::Object(functions)) => functions.extend(added),
        _ => {
            file.insert("Functions".into(), Value::Object(added));
        }
    }
    Value::Object(file)
}

/// A Task state as the starter needs it.
struct Task {
    state_name: String,
    resource: String,
    /// The literal `FunctionName` of a `lambda:invoke` (`None` when given by a path or an
    /// expression, or absent).
    function_ref: Option<String>,
    /// The literal `StateMachineArn` of a `states:startExecution`.
    state_machine_arn: Option<String>,
}

/// A callback (`.waitForTaskToken`) or an Activity: without a mock, its token waits for an
/// answer (the page's user gives it), so no starter rule answers it.
fn is_answered_by_the_user(resource: &str) -> bool {
    resource.ends_with(".waitForTaskToken") || resource.contains(":activity:")
}

/// A `states:startExecution` of a state machine of the workspace, which runs it.
fn starts_a_workspace_machine(task: &Task, workspace: &[String]) -> bool {
    let Some(arn) = &task.state_machine_arn else {
        return false;
    };
    let starts = integration_action(&task.resource).as_deref() == Some("states:startExecution");
    // arn:aws:states:REGION:ACCOUNT:stateMachine:NAME[:VERSION or ALIAS]
    let name = arn.split(':').nth(6);
    starts && name.is_some_and(|name| workspace.iter().any(|m| m == name))
}

/// The Task states of a machine in definition order, descending into Parallel branches and
/// Map processors where they stand.
fn collect_tasks(machine: &StateMachine, tasks: &mut Vec<Task>) {
    for (name, state) in &machine.states {
        match &state.kind {
            StateKind::Task(task) => tasks.push(Task {
                state_name: name.clone(),
                resource: task.resource.clone(),
                function_ref: literal_function_name(fields(task)),
                state_machine_arn: fields(task)
                    .and_then(|f| f.get("StateMachineArn"))
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            }),
            StateKind::Parallel(parallel) => {
                for branch in &parallel.branches {
                    collect_tasks(branch, tasks);
                }
            }
            StateKind::Map(map) => collect_tasks(&map.item_processor, tasks),
            _ => {}
        }
    }
}

/// A Task's Parameters (JSONPath) or Arguments (JSONata) as written.
fn fields(task: &crate::definition::TaskState) -> Option<&Value> {
    task.parameters
        .as_ref()
        .map(Template::source)
        .or(task.arguments.as_ref().map(JsonataValue::source))
}

/// The `FunctionName` of Parameters (JSONPath) or Arguments (JSONata) when it is written as a
/// literal: not `FunctionName.$` (that is another key), nor a `{% ... %}` expression.
fn literal_function_name(fields: Option<&Value>) -> Option<String> {
    let name = fields?.get("FunctionName")?.as_str()?;
    let expression = name.starts_with("{%") && name.ends_with("%}");
    (!expression).then(|| name.to_string())
}

/// The Task state names that some test case of `StateMachines` mocks.
fn test_case_states(file: &Map<String, Value>) -> IndexSet<&str> {
    let mut states = IndexSet::new();
    let machines = file.get("StateMachines").and_then(Value::as_object);
    for machine in machines.into_iter().flat_map(Map::values) {
        let cases = machine.get("TestCases").and_then(Value::as_object);
        for case in cases.into_iter().flat_map(Map::values) {
            if let Some(case) = case.as_object() {
                states.extend(case.keys().map(String::as_str));
            }
        }
    }
    states
}

/// The key of the rule to add for `task`, or `None` when a key of the file already answers it
/// (or could: see the dynamic `lambda:invoke` case).
fn starter_key(task: &Task, tasks: &[Task], existing: &[String]) -> Option<String> {
    let has = |key: &str| existing.iter().any(|k| k == key);
    // A key equal to the resource answers every call of it, whatever the function.
    if has(&task.resource) {
        return None;
    }
    if is_lambda_function_arn(&task.resource) {
        let name = lambda_function_name(&task.resource)?;
        return (!has(name)).then(|| name.to_string());
    }
    if is_lambda_invoke(&task.resource) {
        if let Some(function_ref) = &task.function_ref {
            let name = lambda_function_name(function_ref)?;
            return (!has(function_ref) && !has(name)).then(|| name.to_string());
        }
        // The function is chosen at run time: only a key equal to the resource answers it for
        // sure. That key would also answer (and so hide) the calls of this resource that name
        // their function, so add it only when no such call and no function key exists.
        let named_call = tasks
            .iter()
            .any(|t| t.resource == task.resource && t.function_ref.is_some());
        let function_key = existing.iter().any(|k| could_name_a_function(k));
        return (!named_call && !function_key).then(|| task.resource.clone());
    }
    Some(task.resource.clone())
}

/// What a starter rule returns for a resource.
fn starter_return(resource: &str) -> Value {
    if is_lambda_function_arn(resource) || is_lambda_invoke(resource) {
        return lambda_return();
    }
    let action = integration_action(resource);
    SERVICE_RESPONSES
        .iter()
        .find(|(name, _)| Some(*name) == action.as_deref())
        .and_then(|(_, response)| serde_json::from_str(response).ok())
        .unwrap_or_else(|| Value::Object(Map::new()))
}

/// `service:action` of `arn:<partition>:states:::<service>:<action>[.suffix]`.
fn integration_action(resource: &str) -> Option<String> {
    let parts: Vec<&str> = resource.splitn(6, ':').collect();
    match parts.as_slice() {
        ["arn", _, "states", "", "", rest] => {
            let (service, action) = rest.split_once(':')?;
            let action = action.split(['.', ':']).next().unwrap_or(action);
            Some(format!("{service}:{action}"))
        }
        _ => None,
    }
}

/// Whether a rule key may answer a `lambda:invoke` whose FunctionName is only known at run
/// time: a function name, a partial ARN, or a Lambda function ARN (not another resource's ARN).
fn could_name_a_function(key: &str) -> bool {
    !key.starts_with("arn:") || is_lambda_function_arn(key)
}
