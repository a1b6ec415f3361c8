//! Every expression language of a definition (JSONPath and its filters, intrinsic functions,
//! JSONata, Choice rules) has a nesting limit checked when the definition is read. For each
//! form of nesting, the deepest definition still accepted is found, then run to its end on a
//! 1 MiB stack (a browser's wasm default) in whatever build the tests run in, with the JSONata
//! evaluation depth of a wasm build: what passes validation never overflows the stack when
//! evaluated.

use serde_json::json;
use sfn_engine::{parse_definition, Execution, ExecutionOptions, MockSet};

/// A definition whose one Pass state has `field` set to `value`, in `language`.
fn pass(language: &str, field: &str, value: &str) -> String {
    json!({
        "QueryLanguage": language,
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", field: value, "End": true}}
    })
    .to_string()
}

fn jsonata(expression: String) -> String {
    pass("JSONata", "Output", &format!("{{% {expression} %}}"))
}

fn nested(open: &str, middle: &str, close: &str, levels: usize) -> String {
    format!("{}{middle}{}", open.repeat(levels), close.repeat(levels))
}

/// Choice rules nested `levels` deep in `Not`.
fn choice_nots(levels: usize) -> String {
    let mut rule = json!({"Variable": "$.x", "IsPresent": true});
    for _ in 0..levels {
        rule = json!({"Not": rule});
    }
    let mut top = rule;
    top["Next"] = json!("B");
    json!({
        "StartAt": "A",
        "States": {
            "A": {"Type": "Choice", "Choices": [top], "Default": "B"},
            "B": {"Type": "Succeed"}
        }
    })
    .to_string()
}

type Make = fn(usize) -> String;

/// `sfn_engine::jsonata::DEFAULT_MAX_DEPTH` in a wasm build.
const WASM_JSONATA_MAX_DEPTH: usize = 200;

const FORMS: &[(&str, Make)] = &[
    ("JSONPath filter parentheses", |n| {
        pass(
            "JSONPath",
            "InputPath",
            &format!("$.a[?({})]", nested("(", "@.x", ")", n)),
        )
    }),
    ("JSONPath filter negations", |n| {
        pass(
            "JSONPath",
            "InputPath",
            &format!("$.a[?({}@.x)]", "!".repeat(n)),
        )
    }),
    ("JSONPath nested filters", |n| {
        pass(
            "JSONPath",
            "InputPath",
            &format!("${}", nested("[?(@.a", "", ")]", n)),
        )
    }),
    ("JSONPath filter && chain", |n| {
        let terms = vec!["@.x==1"; n].join(" && ");
        pass("JSONPath", "InputPath", &format!("$.a[?({terms})]"))
    }),
    ("JSONPath filter || chain", |n| {
        let terms = vec!["@.x==1"; n].join(" || ");
        pass("JSONPath", "InputPath", &format!("$.a[?({terms})]"))
    }),
    ("intrinsic calls", |n| {
        let call = nested("States.JsonToString(", "$", ")", n);
        json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Parameters": {"x.$": call}, "End": true}}})
            .to_string()
    }),
    ("JSONata parentheses", |n| jsonata(nested("(", "1", ")", n))),
    ("JSONata arrays", |n| jsonata(nested("[", "1", "]", n))),
    ("JSONata objects", |n| jsonata(nested("{'a':", "1", "}", n))),
    ("JSONata negations", |n| {
        jsonata(format!("{}1", "-".repeat(n)))
    }),
    ("JSONata sums", |n| jsonata(vec!["1"; n].join("+"))),
    ("JSONata calls", |n| {
        jsonata(nested("$string(", "1", ")", n))
    }),
    ("JSONata conditions", |n| {
        jsonata(format!("{}1{}", "true ? ".repeat(n), " : 2".repeat(n)))
    }),
    ("JSONata blocks", |n| jsonata(nested("(1;", "2", ")", n))),
    ("JSONata lambdas", |n| {
        jsonata(format!(
            "{}1{}",
            "function($x){".repeat(n),
            "}(1)".repeat(n)
        ))
    }),
    ("JSONata arrays in a lambda", |n| {
        jsonata(format!("function($x){{{}}}(1)", nested("[", "$x", "]", n)))
    }),
    ("JSONata objects in a lambda", |n| {
        jsonata(format!(
            "function($x){{{}}}(1)",
            nested("{'a':", "$x", "}", n)
        ))
    }),
    ("JSONata parentheses around a lambda", |n| {
        jsonata(nested("(", "function($x){$x}(1)", ")", n))
    }),
    ("JSONata blocks around a lambda", |n| {
        jsonata(nested("(1;", "function($x){$x}(1)", ")", n))
    }),
    ("JSONata paths", |n| {
        jsonata(format!("$states.input{}", ".a".repeat(n)))
    }),
    ("JSONata predicates", |n| {
        jsonata(format!("[1]{}", "[true]".repeat(n)))
    }),
    ("Choice rules", choice_nots),
];

/// The deepest accepted nesting up to `cap` (by doubling, then halving), or `cap`.
fn deepest_accepted(make: Make, cap: usize) -> usize {
    let accepted = |n: usize| parse_definition(&make(n)).is_accepted();
    let mut low = 1;
    if !accepted(low) {
        return 0;
    }
    let mut high = 2;
    while high < cap && accepted(high) {
        low = high;
        high = high.saturating_mul(2);
    }
    if high >= cap && accepted(cap) {
        return cap;
    }
    while high - low > 1 {
        let mid = low + (high - low) / 2;
        if accepted(mid) {
            low = mid;
        } else {
            high = mid;
        }
    }
    low
}

#[test]
fn deepest_accepted_expressions_run_on_a_small_stack() {
    let input = json!({"a": [{"x": 1, "a": 1}], "x": 1});
    for (name, make) in FORMS {
        let levels = deepest_accepted(*make, 20_000);
        let definition = make(levels);
        let input = input.clone();
        let status = std::thread::Builder::new()
            .stack_size(1 << 20)
            .spawn(move || {
                let machine = parse_definition(&definition)
                    .into_machine()
                    .expect("accepted");
                let mut options = ExecutionOptions::default();
                // JSONata's evaluation depth is bounded where it runs, for the stack there:
                // here the bound of wasm, whose stack is this small.
                options.limits.jsonata.max_depth = WASM_JSONATA_MAX_DEPTH;
                let mut execution = Execution::new(machine, input, MockSet::default(), options);
                format!("{:?}", execution.run())
            })
            .expect("spawn")
            .join()
            .unwrap_or_else(|_| panic!("{name}: {levels} levels overflowed or panicked"));
        eprintln!("{name}: {levels} levels accepted, ran: {status:.80}");
    }
}
