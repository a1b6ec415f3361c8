//! A valid definition with every state type becomes the model the executor runs: fields in
//! place, AWS's defaults filled in, legacy spellings (Iterator, Map Parameters) mapped.

use serde_json::json;
use sfn_engine::choice::ChoiceRule;
use sfn_engine::definition::*;
use sfn_engine::jsonata::{Expression, JsonataValue};
use sfn_engine::parse_definition;
use sfn_engine::paths::Path;
use sfn_engine::template::Template;

/// A JSONata field's compiled form.
fn jv(value: serde_json::Value) -> JsonataValue {
    JsonataValue::new(value)
}

/// A path field's compiled form.
fn compiled_path(text: &str) -> Path {
    Path::parse(text).expect("a valid path")
}

fn all_states() -> StateMachine {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/definitions/valid/all_states.json"
    );
    let text = std::fs::read_to_string(path).expect("read definition");
    let (machine, diags) = parse_definition(&text).into_parts();
    assert!(diags.is_empty(), "{diags:#?}");
    machine.expect("model")
}

#[test]
fn machine_fields() {
    let m = all_states();
    assert_eq!(m.comment.as_deref(), Some("Every state type"));
    assert_eq!(m.start_at, "Pass");
    assert_eq!(m.timeout_seconds, Some(300));
    assert_eq!(m.query_language.as_deref(), Some("JSONPath"));
    let names: Vec<&str> = m.states.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "Pass",
            "Task",
            "Choice",
            "Wait",
            "Parallel",
            "Legacy Map",
            "Distributed Map",
            "Done",
            "Fail"
        ]
    );
    let types: Vec<&str> = m.states.values().map(State::type_name).collect();
    assert_eq!(
        types,
        ["Pass", "Task", "Choice", "Wait", "Parallel", "Map", "Map", "Succeed", "Fail"]
    );
    assert_eq!(m.states["Legacy Map"].pointer, "/States/Legacy Map");
}

#[test]
fn pass_keeps_result_and_paths() {
    let m = all_states();
    let s = &m.states["Pass"];
    assert_eq!(s.input_path, PathField::Null);
    assert_eq!(s.output_path, PathField::Default);
    assert_eq!(s.transition, Some(Transition::Next("Task".into())));
    let StateKind::Pass(p) = &s.kind else {
        panic!("not a Pass")
    };
    // 1.0 stays a double: AWS keeps a number's text.
    assert_eq!(serde_json::to_string(&p.result).unwrap(), r#"{"n":1.0}"#);
    assert_eq!(p.result_path, PathField::Path(compiled_path("$.pass")));
}

#[test]
fn task_retry_and_catch_with_aws_defaults() {
    let m = all_states();
    let s = &m.states["Task"];
    assert_eq!(s.output_path, PathField::Path(compiled_path("$.out")));
    let StateKind::Task(t) = &s.kind else {
        panic!("not a Task")
    };
    assert_eq!(t.resource, "arn:aws:states:::lambda:invoke");
    assert_eq!(
        t.parameters,
        Some(Template::new(
            json!({"FunctionName": "f", "Payload.$": "$"})
        ))
    );
    assert_eq!(
        t.result_selector,
        Some(Template::new(json!({"body.$": "$.Payload"})))
    );
    assert_eq!(t.result_path, PathField::Null);
    assert_eq!(
        t.timeout_seconds,
        Some(NumberField::Path(compiled_path("$.timeout")))
    );
    assert_eq!(t.heartbeat_seconds, Some(NumberField::Literal(json!(60))));
    assert_eq!(
        t.retry[0],
        Retrier {
            error_equals: vec!["States.Timeout".into()],
            interval_seconds: 1,
            max_attempts: 3,
            backoff_rate: 2.0,
            max_delay_seconds: None,
            jitter_strategy: JitterStrategy::None,
        }
    );
    assert_eq!(
        t.retry[1],
        Retrier {
            error_equals: vec!["States.ALL".into()],
            interval_seconds: 5,
            max_attempts: 0,
            backoff_rate: 1.5,
            max_delay_seconds: Some(30),
            jitter_strategy: JitterStrategy::Full,
        }
    );
    assert_eq!(
        t.catch,
        vec![
            Catcher {
                error_equals: vec!["Custom".into()],
                next: "Fail".into(),
                result_path: PathField::Default,
                assign: None,
                output: None,
            },
            Catcher {
                error_equals: vec!["States.ALL".into()],
                next: "Fail".into(),
                result_path: PathField::Path(compiled_path("$.error")),
                assign: None,
                output: None,
            },
        ]
    );
}

#[test]
fn choice_wait_fail() {
    let m = all_states();
    let StateKind::Choice(c) = &m.states["Choice"].kind else {
        panic!("not a Choice")
    };
    assert_eq!(m.states["Choice"].transition, None);
    assert_eq!(c.default.as_deref(), Some("Parallel"));
    assert_eq!(c.choices.len(), 1);
    assert_eq!(c.choices[0].next, "Wait");

    let StateKind::Wait(w) = &m.states["Wait"].kind else {
        panic!("not a Wait")
    };
    assert_eq!(w, &WaitState::Timestamp("2016-03-14T01:59:00Z".into()));

    let StateKind::Fail(f) = &m.states["Fail"].kind else {
        panic!("not a Fail")
    };
    assert_eq!(
        f,
        &FailState {
            error: None,
            error_path: Some(PathOrCall::Path(compiled_path("$.error.Error"))),
            cause: Some(FailText::Literal("it broke".into())),
            cause_path: None,
        }
    );
}

#[test]
fn parallel_branches_are_scopes() {
    let m = all_states();
    let StateKind::Parallel(p) = &m.states["Parallel"].kind else {
        panic!("not a Parallel")
    };
    assert_eq!(p.branches.len(), 2);
    assert_eq!(p.branches[0].start_at, "B1");
    assert_eq!(
        p.branches[0].states["B1"].pointer,
        "/States/Parallel/Branches/0/States/B1"
    );
    let StateKind::Wait(w) = &p.branches[0].states["B1"].kind else {
        panic!("not a Wait")
    };
    assert_eq!(w, &WaitState::SecondsPath(compiled_path("$.s")));
    assert_eq!(p.branches[1].states["B2"].type_name(), "Succeed");
}

#[test]
fn legacy_map_iterator_and_parameters() {
    let m = all_states();
    let StateKind::Map(map) = &m.states["Legacy Map"].kind else {
        panic!("not a Map")
    };
    assert_eq!(map.item_processor.start_at, "I");
    assert_eq!(map.processor_mode, ProcessorMode::Inline);
    assert_eq!(map.items_path, PathField::Path(compiled_path("$.items")));
    assert_eq!(
        map.item_selector,
        Some(Payload::Template(Template::new(
            json!({"item.$": "$$.Map.Item.Value"})
        )))
    );
    assert_eq!(map.max_concurrency, Some(NumberField::Literal(json!(2))));
}

#[test]
fn distributed_map_keeps_reader_and_numbers() {
    let m = all_states();
    let StateKind::Map(map) = &m.states["Distributed Map"].kind else {
        panic!("not a Map")
    };
    assert_eq!(map.processor_mode, ProcessorMode::Distributed);
    assert_eq!(map.execution_type.as_deref(), Some("EXPRESS"));
    assert_eq!(
        map.item_reader,
        Some(
            json!({"Resource": "arn:aws:states:::s3:getObject", "Parameters": {"Bucket": "b", "Key": "k"}})
        )
    );
    assert_eq!(
        map.max_concurrency,
        Some(NumberField::Path(compiled_path("$.concurrency")))
    );
    assert_eq!(
        map.tolerated_failure_percentage,
        Some(NumberField::Literal(json!(12.5)))
    );
    assert_eq!(
        map.tolerated_failure_count,
        Some(NumberField::Path(compiled_path("$.failures")))
    );
    assert_eq!(map.label.as_deref(), Some("dist"));
    assert_eq!(map.item_processor.states["D"].type_name(), "Pass");
}

#[test]
fn wait_seconds_keeps_the_literal() {
    let text = r#"{"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 0, "End": true}}}"#;
    let (m, diags) = parse_definition(text).into_parts();
    assert!(diags.is_empty(), "{diags:#?}");
    let m = m.expect("model");
    assert_eq!(m.states["W"].transition, Some(Transition::End));
    let StateKind::Wait(w) = &m.states["W"].kind else {
        panic!("not a Wait")
    };
    assert_eq!(w, &WaitState::Seconds(json!(0)));
}

fn valid(name: &str) -> StateMachine {
    let path = format!(
        "{}/tests/data/definitions/valid/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(path).expect("read definition");
    let (machine, diags) = parse_definition(&text).into_parts();
    assert!(diags.is_empty(), "{diags:#?}");
    machine.expect("model")
}

#[test]
fn jsonata_task_has_arguments_output_assign_and_computed_timeout() {
    let m = valid("jsonata.json");
    assert_eq!(m.query_language.as_deref(), Some("JSONata"));
    let s = &m.states["Call"];
    assert_eq!(s.query_language, QueryLanguage::Jsonata);
    assert_eq!(
        s.assign,
        Some(Payload::Jsonata(jv(
            json!({"total": "{% $states.result.Payload.total %}"})
        )))
    );
    assert_eq!(s.output, Some(jv(json!("{% $states.result.Payload %}"))));
    // JSONata states have no paths: the defaults stay.
    assert_eq!(s.input_path, PathField::Default);
    assert_eq!(s.output_path, PathField::Default);
    let StateKind::Task(t) = &s.kind else {
        panic!("not a Task")
    };
    assert_eq!(
        t.arguments,
        Some(jv(
            json!({"FunctionName": "f", "Payload": "{% $states.input %}"})
        ))
    );
    assert_eq!(t.parameters, None);
    assert_eq!(
        t.timeout_seconds,
        Some(NumberField::Expression(Expression::new(
            "{% $states.input.timeout %}"
        )))
    );
    assert_eq!(t.heartbeat_seconds, Some(NumberField::Literal(json!(5))));
    assert_eq!(
        t.catch,
        vec![Catcher {
            error_equals: vec!["States.ALL".into()],
            next: "Broken".into(),
            result_path: PathField::Default,
            assign: Some(Payload::Jsonata(jv(
                json!({"failure": "{% $states.errorOutput %}"})
            ))),
            output: Some(jv(json!({"failed": true}))),
        }]
    );
}

#[test]
fn jsonata_choice_rules_are_conditions_with_assign_and_output() {
    let m = valid("jsonata.json");
    let s = &m.states["Decide"];
    assert_eq!(
        s.assign,
        Some(Payload::Jsonata(jv(json!({"decided": "{% $now() %}"}))))
    );
    let StateKind::Choice(c) = &s.kind else {
        panic!("not a Choice")
    };
    assert_eq!(
        c.choices,
        vec![
            ChoiceBranch {
                rule: ChoiceRule::Condition(jv(json!("{% $total > 10 %}"))),
                next: "Each".into(),
                assign: Some(Payload::Jsonata(jv(json!({"big": true})))),
                output: Some(jv(json!("{% $states.input %}"))),
            },
            ChoiceBranch {
                rule: ChoiceRule::Condition(jv(json!(false))),
                next: "Pause".into(),
                assign: None,
                output: None,
            },
        ]
    );
    assert_eq!(c.default.as_deref(), Some("Pause"));
}

#[test]
fn jsonata_wait_map_parallel_and_fail() {
    let m = valid("jsonata.json");
    let wait = |name: &str| match &m.states[name].kind {
        StateKind::Wait(w) => w.clone(),
        _ => panic!("not a Wait"),
    };
    assert_eq!(
        wait("Pause"),
        WaitState::SecondsExpression(Expression::new("{% $total %}"))
    );
    assert_eq!(
        wait("Until"),
        WaitState::TimestampExpression(Expression::new("{% $states.input.at %}"))
    );

    let StateKind::Map(map) = &m.states["Each"].kind else {
        panic!("not a Map")
    };
    assert_eq!(map.items, Some(jv(json!("{% $states.input.items %}"))));
    assert_eq!(map.items_path, PathField::Default);
    assert_eq!(
        map.item_selector,
        Some(Payload::Jsonata(jv(
            json!({"value": "{% $states.context.Map.Item.Value %}", "fixed": 1})
        )))
    );
    assert_eq!(
        map.max_concurrency,
        Some(NumberField::Expression(Expression::new("{% $n %}")))
    );
    assert_eq!(
        map.tolerated_failure_count,
        Some(NumberField::Literal(json!(2)))
    );
    // Nested states take the top level's language.
    let inner = &map.item_processor.states["Double"];
    assert_eq!(inner.query_language, QueryLanguage::Jsonata);
    assert_eq!(
        inner.output,
        Some(jv(json!("{% $states.input.value * 2 %}")))
    );

    let StateKind::Map(literal) = &m.states["Literal"].kind else {
        panic!("not a Map")
    };
    assert_eq!(literal.items, Some(jv(json!([1, 2, 3]))));

    let StateKind::Parallel(p) = &m.states["Both"].kind else {
        panic!("not a Parallel")
    };
    assert_eq!(
        p.arguments,
        Some(jv(json!({"items": "{% $states.input %}"})))
    );
    assert_eq!(p.branches[0].states["Done"].output, Some(jv(json!(1))));

    let StateKind::Fail(f) = &m.states["Broken"].kind else {
        panic!("not a Fail")
    };
    assert_eq!(
        f.error.as_ref().map(FailText::text),
        Some("{% $failure.Error %}")
    );
    assert_eq!(f.cause.as_ref().map(FailText::text), Some("plain text"));
}

#[test]
fn jsonpath_assign_and_a_state_switching_to_jsonata() {
    let m = valid("variables_jsonpath.json");
    assert_eq!(m.query_language, None);
    let set = &m.states["Set"];
    assert_eq!(set.query_language, QueryLanguage::JsonPath);
    assert_eq!(
        set.assign,
        Some(Payload::Template(Template::new(json!({
            "fixed": {"a": 1},
            "fromInput.$": "$.a",
            "fromContext.$": "$$.Execution.Id",
            "fromVariable.$": "$fixed.a",
            "computed.$": "States.MathAdd($.n, 1)"
        }))))
    );
    let StateKind::Choice(c) = &m.states["Pick"].kind else {
        panic!("not a Choice")
    };
    assert_eq!(
        c.choices[0].assign,
        Some(Payload::Template(Template::new(json!({"picked.$": "$.a"}))))
    );
    assert_eq!(c.choices[0].output, None);
    let modern = &m.states["Modern"];
    assert_eq!(modern.query_language, QueryLanguage::Jsonata);
    assert_eq!(modern.output, Some(jv(json!("{% $fixed %}"))));
}
