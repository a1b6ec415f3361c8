//! Mock sets: the seed tutorial's mock in our `Functions` format, AWS Step Functions Local's
//! mock configuration format (the example of AWS's documentation, "Configuration file for
//! mocked service integrations"), and conformance-case mocks.
//! Malformed files, with the exact message of each, are in the catalogue of bad inputs
//! (`tests/bad-inputs/mocks/` at the repository's root).

use std::path::PathBuf;

use serde_json::{json, Value};
use sfn_engine::mocks::{MockOutcome, MockResponse, MockSet, TaskCall};

const TUTORIAL_ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:MockAPIFunction";
const LAMBDA_INVOKE: &str = "arn:aws:states:::lambda:invoke";

fn data(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/mocks")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

fn call<'a>(state_name: &'a str, resource: &'a str, input: &'a Value) -> TaskCall<'a> {
    TaskCall {
        state_name,
        resource,
        input,
    }
}

fn throw(error: &str, cause: &str) -> MockResponse {
    MockResponse::Throw {
        error: error.into(),
        cause: cause.into(),
    }
}

/// A Lambda error's cause, parsed, with its generated request id checked and dropped.
fn lambda_cause(outcome: &MockOutcome) -> (String, Value) {
    let MockResponse::Throw { error, cause } = &outcome.response else {
        panic!("expected a Throw, got {outcome:?}");
    };
    let mut parsed: Value = serde_json::from_str(cause).expect("a JSON cause");
    let id = parsed["requestId"]
        .as_str()
        .expect("a requestId")
        .to_string();
    assert_eq!(id.len(), 36, "a UUID-shaped requestId: {id}");
    parsed.as_object_mut().map(|o| o.remove("requestId"));
    (error.clone(), parsed)
}

#[test]
fn the_tutorial_mock_answers_like_the_tutorials_lambda() {
    let mut mocks = MockSet::from_json_text(&data("tutorial.mocks.json"), None).expect("reads");
    assert!(!mocks.is_empty());
    let table = [
        (
            json!({"statuscode": "429"}),
            Some(("TooManyRequestsException", "429 Too Many Requests")),
        ),
        (
            json!({"statuscode": "503"}),
            Some(("ServerUnavailableException", "503 Server Unavailable")),
        ),
        (
            json!({"statuscode": "500"}),
            Some(("UnknownException", "Unknown error")),
        ),
        (json!({}), Some(("UnknownException", "Unknown error"))),
        (json!({"statuscode": "200"}), None),
        // Extra keys do not stop a pattern from matching.
        (json!({"statuscode": "200", "retry": 1}), None),
    ];
    for (input, expected) in table {
        let outcome = mocks
            .respond(&call("Call API", TUTORIAL_ARN, &input))
            .unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(outcome.duration_ms, 0);
        match expected {
            None => assert_eq!(
                outcome.response,
                MockResponse::FunctionReturn(json!("200 OK")),
                "{input}"
            ),
            Some((error, message)) => {
                let (got_error, cause) = lambda_cause(&outcome);
                assert_eq!(got_error, error, "{input}");
                assert_eq!(
                    cause,
                    json!({"errorMessage": message, "errorType": error, "stackTrace": []}),
                    "{input}"
                );
            }
        }
    }
    assert_eq!(mocks.call_count("Call API"), 6);
}

#[test]
fn lambda_error_causes_have_the_recorded_shapes() {
    let mut mocks = MockSet::from_json_text(&data("tutorial.mocks.json"), None).expect("reads");
    // The corpus records `", "` separators for a Lambda ARN resource...
    let input = json!({"statuscode": "429"});
    let outcome = mocks
        .respond(&call("Call API", TUTORIAL_ARN, &input))
        .unwrap();
    let MockResponse::Throw { cause, .. } = outcome.response else {
        panic!("a Throw")
    };
    assert!(
        cause.starts_with(
            r#"{"errorMessage": "429 Too Many Requests", "errorType": "TooManyRequestsException", "requestId": ""#
        ),
        "{cause}"
    );
    assert!(cause.ends_with(r#"", "stackTrace": []}"#), "{cause}");
    // ...and compact JSON for lambda:invoke.
    let params = json!({"FunctionName": TUTORIAL_ARN, "Payload": {"statuscode": "429"}});
    let outcome = mocks
        .respond(&call("Invoke", LAMBDA_INVOKE, &params))
        .unwrap();
    let MockResponse::Throw { cause, .. } = outcome.response else {
        panic!("a Throw")
    };
    assert!(
        cause.starts_with(
            r#"{"errorMessage":"429 Too Many Requests","errorType":"TooManyRequestsException","requestId":""#
        ),
        "{cause}"
    );
    // The same state and call number give the same request id, so runs replay.
    let again = MockSet::from_json_text(&data("tutorial.mocks.json"), None)
        .unwrap()
        .respond(&call("Call API", TUTORIAL_ARN, &input))
        .unwrap();
    let first = MockSet::from_json_text(&data("tutorial.mocks.json"), None)
        .unwrap()
        .respond(&call("Call API", TUTORIAL_ARN, &input))
        .unwrap();
    assert_eq!(again, first);
}

#[test]
fn functions_match_by_name_arn_or_lambda_invoke_function_name() {
    let mocks = MockSet::from_json_text(&data("tutorial.mocks.json"), None).expect("reads");
    let payload = json!({"statuscode": "200"});
    let ok = MockResponse::FunctionReturn(json!("200 OK"));
    let resources = [
        TUTORIAL_ARN,
        "arn:aws:lambda:eu-west-1:999999999999:function:MockAPIFunction:prod",
    ];
    for resource in resources {
        let outcome = mocks
            .clone()
            .respond(&call("S", resource, &payload))
            .unwrap();
        assert_eq!(outcome.response, ok, "{resource}");
    }
    let names = [
        "MockAPIFunction",
        "MockAPIFunction:$LATEST",
        "123456789012:function:MockAPIFunction",
        TUTORIAL_ARN,
    ];
    for name in names {
        let params = json!({"FunctionName": name, "Payload": payload});
        for resource in [
            LAMBDA_INVOKE,
            "arn:aws:states:::lambda:invoke.waitForTaskToken",
        ] {
            let outcome = mocks
                .clone()
                .respond(&call("S", resource, &params))
                .unwrap();
            assert_eq!(outcome.response, ok, "{name} via {resource}");
        }
    }
    // Another function, and a call of lambda:invoke without a FunctionName, have no mock.
    let other = json!({"FunctionName": "OtherFunction", "Payload": payload});
    let no_name = json!({"Payload": payload});
    for (resource, input) in [
        (
            "arn:aws:lambda:us-east-1:123456789012:function:OtherFunction",
            &payload,
        ),
        (LAMBDA_INVOKE, &other),
        (LAMBDA_INVOKE, &no_name),
    ] {
        let error = mocks
            .clone()
            .respond(&call("S", resource, input))
            .unwrap_err();
        assert_eq!(
            error.message,
            format!("No mock for the Task state 'S' (resource '{resource}')")
        );
    }
}

#[test]
fn a_full_arn_key_only_matches_that_arn() {
    let file = json!({"Functions": {
        TUTORIAL_ARN: [{"return": "by arn"}],
        "MockAPIFunction": [{"return": "by name"}]
    }})
    .to_string();
    let mocks = MockSet::from_json_text(&file, None).unwrap();
    let input = json!({});
    let answer = |resource: &str, input: &Value| {
        mocks
            .clone()
            .respond(&call("S", resource, input))
            .unwrap()
            .response
    };
    assert_eq!(
        answer(TUTORIAL_ARN, &input),
        MockResponse::FunctionReturn(json!("by arn"))
    );
    let other_region = "arn:aws:lambda:eu-west-1:123456789012:function:MockAPIFunction";
    assert_eq!(
        answer(other_region, &input),
        MockResponse::FunctionReturn(json!("by name"))
    );
    let by_arn = json!({"FunctionName": TUTORIAL_ARN});
    assert_eq!(
        answer(LAMBDA_INVOKE, &by_arn),
        MockResponse::FunctionReturn(json!("by arn"))
    );
    let by_name = json!({"FunctionName": "MockAPIFunction"});
    assert_eq!(
        answer(LAMBDA_INVOKE, &by_name),
        MockResponse::FunctionReturn(json!("by name"))
    );
}

#[test]
fn when_patterns_match_recursively_and_numbers_by_value() {
    let file = json!({"Functions": {"F": [
        {"when": {"order": {"total": 10, "items": [1, 2]}}, "return": "nested"},
        {"when": "plain", "return": "string input"},
        {"when": {"flag": null}, "return": "null"}
    ]}})
    .to_string();
    let mocks = MockSet::from_json_text(&file, None).unwrap();
    let table = [
        (
            json!({"order": {"total": 10.0, "items": [1, 2.0], "id": "x"}}),
            Some("nested"),
        ),
        (json!({"order": {"total": 10, "items": [1, 2, 3]}}), None),
        (json!({"order": {"total": "10", "items": [1, 2]}}), None),
        (json!("plain"), Some("string input")),
        (json!({"flag": null}), Some("null")),
        (json!({}), None),
    ];
    for (input, expected) in table {
        let got = mocks.clone().respond(&call("S", "F", &input));
        match expected {
            Some(answer) => assert_eq!(
                got.unwrap().response,
                MockResponse::FunctionReturn(json!(answer)),
                "{input}"
            ),
            None => assert_eq!(
                got.unwrap_err().message,
                format!("No rule of Functions.F matches the input of the Task state 'S': {input}"),
            ),
        }
    }
}

#[test]
fn step_functions_local_test_cases() {
    let text = data("sfn_local_example.json");
    let lambda_ok = MockResponse::Return(json!({
        "StatusCode": 200, "Payload": {"StatusCode": 200, "body": "Hello from Lambda!"}
    }));
    let params = json!({"FunctionName": "HelloFunction", "Payload": {}});

    let mut retry = MockSet::from_json_text(&text, Some("RetryPath")).unwrap();
    let expected = [
        throw(
            "Lambda.ResourceNotReadyException",
            "Lambda resource is not ready.",
        ),
        throw("Lambda.TimeoutException", "Lambda timed out."),
        throw("Lambda.TimeoutException", "Lambda timed out."),
        lambda_ok.clone(),
    ];
    for (number, response) in expected.into_iter().enumerate() {
        let outcome = retry
            .respond(&call("LambdaState", LAMBDA_INVOKE, &params))
            .unwrap();
        assert_eq!(
            outcome,
            MockOutcome {
                response,
                duration_ms: 0,
                heartbeats_ms: Vec::new(),
            },
            "call {number}"
        );
    }
    assert_eq!(
        retry
            .respond(&call("LambdaState", LAMBDA_INVOKE, &params))
            .unwrap_err()
            .message,
        "The mock of the Task state 'LambdaState' (MockedResponses.MockedLambdaRetry) has no \
         response for call 4: it answers calls 0 to 3 (calls are counted from 0, retries included)"
    );

    assert_eq!(
        MockSet::test_case_names(&text).unwrap(),
        [
            "LambdaSQSIntegration/HappyPath",
            "LambdaSQSIntegration/RetryPath",
            "LambdaSQSIntegration/HybridPath"
        ]
    );
    assert_eq!(
        MockSet::from_json_text(&text, None).unwrap_err().message,
        "The mock file has several test cases (LambdaSQSIntegration/HappyPath, \
         LambdaSQSIntegration/RetryPath, LambdaSQSIntegration/HybridPath); pick one"
    );

    // The test case named with its state machine gives the same set.
    let mut named = MockSet::from_json_text(&text, Some("LambdaSQSIntegration/HappyPath")).unwrap();
    let outcome = named
        .respond(&call("LambdaState", LAMBDA_INVOKE, &params))
        .unwrap();
    assert_eq!(outcome.response, lambda_ok);

    // A test case takes priority over Functions rules for the states it names; other states
    // fall back to the rules.
    let mut hybrid = MockSet::from_json_text(&text, Some("HybridPath")).unwrap();
    let sqs = "arn:aws:states:::sqs:sendMessage";
    let outcome = hybrid.respond(&call("SQSState", sqs, &json!({}))).unwrap();
    assert_eq!(
        outcome.response,
        MockResponse::FunctionReturn(json!({"MessageId": "from-functions"}))
    );
    let mut happy = MockSet::from_json_text(&text, Some("HappyPath")).unwrap();
    let outcome = happy.respond(&call("SQSState", sqs, &json!({}))).unwrap();
    assert_eq!(
        outcome.response,
        MockResponse::Return(json!({
            "MD5OfMessageBody": "3bcb6e8e-7h85-4375-b0bc-1a59812c6e51",
            "MessageId": "3bcb6e8e-8b51-4375-b0bc-1a59812c6e51"
        }))
    );
    let error = happy
        .respond(&call("SQSState", sqs, &json!({})))
        .unwrap_err();
    assert!(error
        .message
        .contains("has no response for call 1: it answers call 0 only"));

    // Rules for a state no test case names, with a simulated duration.
    let ada = json!({"FunctionName": "HelloFunction", "Payload": {"name": "Ada"}});
    let outcome = hybrid.respond(&call("Greet", LAMBDA_INVOKE, &ada)).unwrap();
    assert_eq!(
        outcome,
        MockOutcome {
            response: MockResponse::FunctionReturn(json!({"greeting": "Hello, Ada"})),
            duration_ms: 1500,
            heartbeats_ms: Vec::new(),
        }
    );
}

#[test]
fn conformance_mocks_answer_in_call_order() {
    let mocks = json!({
        "Call API": [
            {"Throw": {"Error": "TooManyRequestsException", "Cause": "slow down"}},
            {"Return": {"Payload": "200 OK", "StatusCode": 200}}
        ],
        "Other": []
    });
    let mut set = MockSet::from_conformance(&mocks).unwrap();
    let input = json!({});
    let resource = LAMBDA_INVOKE;
    assert_eq!(
        set.respond(&call("Call API", resource, &input))
            .unwrap()
            .response,
        throw("TooManyRequestsException", "slow down")
    );
    assert_eq!(
        set.respond(&call("Call API", resource, &input))
            .unwrap()
            .response,
        MockResponse::Return(json!({"Payload": "200 OK", "StatusCode": 200}))
    );
    assert_eq!(
        set.respond(&call("Call API", resource, &input))
            .unwrap_err()
            .message,
        "The mock of the Task state 'Call API' (mocks.\"Call API\") has no response for call 2: \
         it answers calls 0 to 1 (calls are counted from 0, retries included)"
    );
    assert!(set
        .respond(&call("Other", resource, &input))
        .unwrap_err()
        .message
        .contains("has no response for call 0: it answers no call"));
    assert_eq!(
        set.respond(&call("Unknown", resource, &input))
            .unwrap_err()
            .message,
        format!("No mock for the Task state 'Unknown' (resource '{resource}')")
    );
    set.reset_calls();
    assert_eq!(set.call_count("Call API"), 0);

    assert!(MockSet::from_conformance(&json!({})).unwrap().is_empty());
    let bad = [
        (
            json!([]),
            "mocks: expected an object of Task state names to lists of responses, not an array",
        ),
        (
            json!({"S": {"Return": 1}}),
            "mocks.S: expected a list of responses, not an object",
        ),
        (
            json!({"S": [{"Return": 1}, {"Throw": {"Cause": "c"}}]}),
            "mocks.S[1].Throw: needs Error, the error name",
        ),
    ];
    for (mocks, message) in bad {
        assert_eq!(
            MockSet::from_conformance(&mocks).unwrap_err().message,
            message
        );
    }
}

#[test]
fn an_empty_file_mocks_nothing() {
    let mut set = MockSet::from_json_text("{}", None).unwrap();
    assert!(set.is_empty());
    let input = json!({});
    assert_eq!(
        set.respond(&call("Call API", TUTORIAL_ARN, &input))
            .unwrap_err()
            .message,
        format!("No mock for the Task state 'Call API' (resource '{TUTORIAL_ARN}')")
    );
}
