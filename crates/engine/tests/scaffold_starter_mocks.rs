//! `scaffold::starter_mocks`: one table of cases (a definition, the mock file the user has,
//! the file expected back), one runner; then the promise itself: with the starter mocks, a
//! definition runs at once.

use serde_json::{json, Value};
use sfn_engine::execution::ExecutionStatus;
use sfn_engine::scaffold::starter_mocks;
use sfn_engine::{parse_definition, Execution, ExecutionOptions, MockSet, StateMachine};

/// The comment every starter rule carries.
const COMMENT: &str = "Starter mock added by the playground: it answers every call. Edit \
    \"return\", or add rules before it with \"when\" (a pattern the call's input must match) \
    and \"throw\" ({\"error\": ..., \"cause\": ...}) to raise an error.";

fn lambda_rule() -> Value {
    json!([{"comment": COMMENT, "return": {"statusCode": 200, "body": "Hello from Lambda!"}}])
}

fn rule(value: Value) -> Value {
    json!([{"comment": COMMENT, "return": value}])
}

fn machine(definition: &Value) -> StateMachine {
    let (machine, diagnostics) = parse_definition(&definition.to_string()).into_parts();
    machine.unwrap_or_else(|| panic!("{diagnostics:?}"))
}

/// A one-Task definition.
fn task(resource: &str, parameters: Option<Value>) -> Value {
    let mut state = json!({"Type": "Task", "Resource": resource, "End": true});
    if let Some(parameters) = parameters {
        state["Parameters"] = parameters;
    }
    json!({"StartAt": "T", "States": {"T": state}})
}

/// `definition` with its `Work` activity a Pass state: the starter leaves activities to the
/// user, so they would wait for an answer.
fn without_activity(mut definition: Value) -> Value {
    definition["States"]["Work"] = json!({"Type": "Pass", "End": true});
    definition
}

const LAMBDA: &str = "arn:aws:lambda:us-east-1:123456789012:function:MockAPIFunction";
const INVOKE: &str = "arn:aws:states:::lambda:invoke";

/// A definition with Tasks at the top, in a Parallel branch and in a Map processor, covering
/// the resource kinds the starter knows.
fn nested() -> Value {
    json!({
        "StartAt": "Fetch",
        "States": {
            "Fetch": {"Type": "Task", "Resource": LAMBDA, "ResultPath": "$.fetched", "Next": "Both"},
            "Both": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "Invoke", "States": {"Invoke": {
                        "Type": "Task", "Resource": INVOKE,
                        "Parameters": {"FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:Scorer:prod", "Payload.$": "$"},
                        "End": true}}},
                    {"StartAt": "Notify", "States": {"Notify": {
                        "Type": "Task", "Resource": "arn:aws:states:::sns:publish",
                        "Parameters": {"TopicArn": "arn:aws:sns:us-east-1:123456789012:t", "Message": "hi"},
                        "End": true}}}
                ],
                "ResultPath": "$.both",
                "Next": "Each"
            },
            "Each": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemProcessor": {"StartAt": "Load", "States": {
                    "Load": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem",
                             "Parameters": {"TableName": "t", "Key": {"id": {"S": "1"}}}, "Next": "Child"},
                    "Child": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2",
                              "Parameters": {"StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:C"}, "Next": "Sdk"},
                    "Sdk": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:listBuckets", "Parameters": {}, "Next": "Again"},
                    "Again": {"Type": "Task", "Resource": LAMBDA, "End": true}
                }},
                "ResultPath": "$.loaded",
                "Next": "Work"
            },
            "Work": {"Type": "Task", "Resource": "arn:aws:states:us-east-1:123456789012:activity:Review", "End": true}
        }
    })
}

fn tutorial_mocks() -> Value {
    json!({"Functions": {"MockAPIFunction": [
        {"when": {"statuscode": "200"}, "return": "200 OK"},
        {"throw": {"error": "UnknownException", "cause": "Unknown error"}}
    ]}})
}

struct Case {
    name: &'static str,
    definition: Value,
    existing: Option<Value>,
    expected: Value,
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "no mock file: a Lambda function ARN gets a rule under its function name",
            definition: task(LAMBDA, None),
            existing: None,
            expected: json!({"Functions": {"MockAPIFunction": lambda_rule()}}),
        },
        Case {
            name: "no Task: an empty Functions object shows where rules go",
            definition: json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}),
            existing: None,
            expected: json!({"Functions": {}}),
        },
        Case {
            name: "no Task and a file: the file comes back as it is",
            definition: json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}),
            existing: Some(json!({"StateMachines": {}, "MockedResponses": {}})),
            expected: json!({"StateMachines": {}, "MockedResponses": {}}),
        },
        Case {
            name: "every kind of resource, nested in Parallel and Map, in definition order, once each",
            definition: nested(),
            existing: None,
            expected: json!({"Functions": {
                "MockAPIFunction": lambda_rule(),
                "Scorer": lambda_rule(),
                "arn:aws:states:::sns:publish": rule(json!({"MessageId": "00000000-0000-4000-8000-000000000001"})),
                "arn:aws:states:::dynamodb:getItem": rule(json!({"Item": {}})),
                "arn:aws:states:::states:startExecution.sync:2": rule(json!({
                    "ExecutionArn": "arn:aws:states:us-east-1:123456789012:execution:Child:starter",
                    "StartDate": 1_700_000_000_000_u64})),
                "arn:aws:states:::aws-sdk:s3:listBuckets": rule(json!({}))
            }}),
        },
        Case {
            name: "mocked functions are left alone, their rules untouched and first",
            definition: nested(),
            existing: Some(json!({"Functions": {
                "Scorer": [{"return": 7, "durationSeconds": 2}],
                "arn:aws:states:::sns:publish": [{"throw": {"error": "SNS.Down"}}]
            }})),
            expected: json!({"Functions": {
                "Scorer": [{"return": 7, "durationSeconds": 2}],
                "arn:aws:states:::sns:publish": [{"throw": {"error": "SNS.Down"}}],
                "MockAPIFunction": lambda_rule(),
                "arn:aws:states:::dynamodb:getItem": rule(json!({"Item": {}})),
                "arn:aws:states:::states:startExecution.sync:2": rule(json!({
                    "ExecutionArn": "arn:aws:states:us-east-1:123456789012:execution:Child:starter",
                    "StartDate": 1_700_000_000_000_u64})),
                "arn:aws:states:::aws-sdk:s3:listBuckets": rule(json!({}))
            }}),
        },
        Case {
            name: "a fully mocked definition changes nothing",
            definition: task(LAMBDA, None),
            existing: Some(tutorial_mocks()),
            expected: tutorial_mocks(),
        },
        Case {
            name: "a key naming the Lambda resource exactly mocks it",
            definition: task(LAMBDA, None),
            existing: Some(json!({"Functions": {LAMBDA: [{"return": 1}]}})),
            expected: json!({"Functions": {LAMBDA: [{"return": 1}]}}),
        },
        Case {
            name: "a key with another qualifier does not mock it (the engine matches ARNs exactly)",
            definition: task(LAMBDA, None),
            existing: Some(json!({"Functions": {format!("{LAMBDA}:prod"): [{"return": 1}]}})),
            expected: json!({"Functions": {
                format!("{LAMBDA}:prod"): [{"return": 1}],
                "MockAPIFunction": lambda_rule()
            }}),
        },
        Case {
            name: "lambda:invoke with a partial ARN FunctionName: keyed by the bare name",
            definition: task(INVOKE, Some(json!({"FunctionName": "123456789012:function:Scorer:prod"}))),
            existing: None,
            expected: json!({"Functions": {"Scorer": lambda_rule()}}),
        },
        Case {
            name: "lambda:invoke mocked by its FunctionName as written",
            definition: task(INVOKE, Some(json!({"FunctionName": "Scorer:prod"}))),
            existing: Some(json!({"Functions": {"Scorer:prod": [{"return": 1}]}})),
            expected: json!({"Functions": {"Scorer:prod": [{"return": 1}]}}),
        },
        Case {
            name: "lambda:invoke mocked by a key equal to its resource",
            definition: task(INVOKE, Some(json!({"FunctionName": "Scorer"}))),
            existing: Some(json!({"Functions": {INVOKE: [{"return": 1}]}})),
            expected: json!({"Functions": {INVOKE: [{"return": 1}]}}),
        },
        Case {
            name: "lambda:invoke choosing its function at run time: keyed by the resource",
            definition: task(INVOKE, Some(json!({"FunctionName.$": "$.fn", "Payload.$": "$"}))),
            existing: None,
            expected: json!({"Functions": {INVOKE: lambda_rule()}}),
        },
        Case {
            name: "JSONata Arguments: a literal FunctionName is keyed by its name",
            definition: json!({"QueryLanguage": "JSONata", "StartAt": "T", "States": {"T": {
                "Type": "Task", "Resource": INVOKE,
                "Arguments": {"FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:Scorer", "Payload": "{% $states.input %}"},
                "End": true}}}),
            existing: None,
            expected: json!({"Functions": {"Scorer": lambda_rule()}}),
        },
        Case {
            name: "JSONata Arguments: a FunctionName expression is keyed by the resource",
            definition: json!({"QueryLanguage": "JSONata", "StartAt": "T", "States": {"T": {
                "Type": "Task", "Resource": INVOKE,
                "Arguments": {"FunctionName": "{% $states.input.fn %}", "Payload": {}},
                "End": true}}}),
            existing: None,
            expected: json!({"Functions": {INVOKE: lambda_rule()}}),
        },
        Case {
            name: "a run-time FunctionName beside a named one: no resource key, it would hide the named rule",
            definition: json!({"StartAt": "A", "States": {
                "A": {"Type": "Task", "Resource": INVOKE, "Parameters": {"FunctionName": "Named"}, "Next": "B"},
                "B": {"Type": "Task", "Resource": INVOKE, "Parameters": {"FunctionName.$": "$.fn"}, "End": true}
            }}),
            existing: None,
            expected: json!({"Functions": {"Named": lambda_rule()}}),
        },
        Case {
            name: "a run-time FunctionName with function keys in the file: they may answer it, left alone",
            definition: task(INVOKE, Some(json!({"FunctionName.$": "$.fn"}))),
            existing: Some(json!({"Functions": {"Scorer": [{"return": 1}]}})),
            expected: json!({"Functions": {"Scorer": [{"return": 1}]}}),
        },
        Case {
            name: "a run-time FunctionName beside keys of other services: keyed by the resource",
            definition: task(INVOKE, Some(json!({"FunctionName.$": "$.fn"}))),
            existing: Some(json!({"Functions": {"arn:aws:states:::sns:publish": [{"return": 1}]}})),
            expected: json!({"Functions": {
                "arn:aws:states:::sns:publish": [{"return": 1}],
                INVOKE: lambda_rule()
            }}),
        },
        Case {
            name: "a state mocked by a Step Functions Local test case gets no rule",
            definition: json!({"StartAt": "A", "States": {
                "A": {"Type": "Task", "Resource": LAMBDA, "Next": "B"},
                "B": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
                      "Parameters": {"QueueUrl": "q", "MessageBody": "m"}, "End": true}
            }}),
            existing: Some(json!({
                "StateMachines": {"M": {"TestCases": {"Happy": {"A": "Ok"}}}},
                "MockedResponses": {"Ok": {"0": {"Return": 1}}}
            })),
            expected: json!({
                "StateMachines": {"M": {"TestCases": {"Happy": {"A": "Ok"}}}},
                "MockedResponses": {"Ok": {"0": {"Return": 1}}},
                "Functions": {"arn:aws:states:::sqs:sendMessage": rule(json!({
                    "MessageId": "00000000-0000-4000-8000-000000000002",
                    "MD5OfMessageBody": "d41d8cd98f00b204e9800998ecf8427e"}))}
            }),
        },
        Case {
            name: "a file that is not an object comes back unchanged",
            definition: task(LAMBDA, None),
            existing: Some(json!(["not", "a", "mock", "file"])),
            expected: json!(["not", "a", "mock", "file"]),
        },
        Case {
            name: "a Functions that is not an object comes back unchanged",
            definition: task(LAMBDA, None),
            existing: Some(json!({"Functions": []})),
            expected: json!({"Functions": []}),
        },
        Case {
            name: "a callback and an activity get no rule: without a mock, the user answers their token",
            definition: json!({"StartAt": "A", "States": {
                "A": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                      "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}}, "Next": "B"},
                "B": {"Type": "Task", "Resource": "arn:aws:states:::events:putEvents",
                      "Parameters": {"Entries": []}, "Next": "C"},
                "C": {"Type": "Task", "Resource": "arn:aws:states:us-east-1:123456789012:activity:Review", "End": true}
            }}),
            existing: None,
            expected: json!({"Functions": {
                "arn:aws:states:::events:putEvents": rule(json!({
                    "Entries": [{"EventId": "00000000-0000-4000-8000-000000000003"}],
                    "FailedEntryCount": 0}))
            }}),
        },
    ]
}

#[test]
fn starter_mocks_cases() {
    let mut failures = Vec::new();
    for case in cases() {
        let got = starter_mocks(&machine(&case.definition), case.existing.as_ref());
        // Compared as text: key order matters to the user reading the file.
        let (got_text, expected_text) = (got.to_string(), case.expected.to_string());
        if got_text != expected_text {
            failures.push(format!(
                "{}:\n  got      {got_text}\n  expected {expected_text}",
                case.name
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every file the starter makes (or extends) is one the engine reads.
#[test]
fn starter_files_are_valid_mock_files() {
    for case in cases() {
        if case.name.contains("unchanged") {
            continue;
        }
        let file = starter_mocks(&machine(&case.definition), case.existing.as_ref());
        let text = serde_json::to_string_pretty(&file).unwrap();
        let has_cases = file["StateMachines"]
            .as_object()
            .is_some_and(|m| !m.is_empty());
        let test_case = has_cases.then_some("Happy");
        if let Err(e) = MockSet::from_json_text(&text, test_case) {
            panic!("{}: {e}\n{text}", case.name);
        }
    }
}

/// The point of it all: with no mock written, the definitions run to the end.
#[test]
fn with_starter_mocks_a_definition_runs_at_once() {
    let runs = [
        ("one Lambda", task(LAMBDA, None), json!({})),
        (
            "the tutorial",
            serde_json::from_str::<Value>(include_str!(
                "../../playground-data/src/examples/tutorial/definition.asl.json"
            ))
            .unwrap(),
            json!({"statuscode": "429"}),
        ),
        (
            "nested, but for its activity",
            without_activity(nested()),
            json!({"items": [1, 2]}),
        ),
        (
            "run-time FunctionName",
            task(
                INVOKE,
                Some(json!({"FunctionName.$": "$.fn", "Payload.$": "$"})),
            ),
            json!({"fn": "AnyFunction"}),
        ),
    ];
    for (name, definition, input) in runs {
        let machine = machine(&definition);
        let file = starter_mocks(&machine, None);
        let mocks = MockSet::from_json_text(&file.to_string(), None).unwrap();
        let mut execution = Execution::new(machine, input, mocks, ExecutionOptions::default());
        let status = execution.run().clone();
        assert!(
            matches!(status, ExecutionStatus::Succeeded { .. }),
            "{name}: {status:?}"
        );
    }
}

/// A `states:startExecution` of a state machine of the workspace runs it: no rule for it;
/// one of a machine elsewhere is mocked as before.
#[test]
fn a_child_of_the_workspace_gets_no_starter_rule() {
    let start = |machine: &str| {
        json!({"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2",
               "Parameters": {"StateMachineArn": format!("arn:aws:states:us-east-1:123456789012:stateMachine:{machine}")}})
    };
    let mut first = start("ChargePayment");
    first["Next"] = json!("B");
    let mut second = start("Elsewhere");
    second["Resource"] = json!("arn:aws:states:::states:startExecution");
    second["End"] = json!(true);
    let definition = json!({"StartAt": "A", "States": {"A": first, "B": second}});
    let got = sfn_engine::scaffold::starter_mocks_in_workspace(
        &machine(&definition),
        None,
        &["ChargePayment".to_owned()],
    );
    let keys: Vec<&String> = got["Functions"].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["arn:aws:states:::states:startExecution"]);
}
