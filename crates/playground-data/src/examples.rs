//! The examples menu: ready-made definitions, mock files and inputs a user loads in one click.
//!
//! The data lives in `src/examples/<id>/`: `definition.asl.json`, `mocks.json` (the engine's
//! mock file format), `inputs/<scenario>.json`, and `expected.json`, the outcome each scenario
//! documents. `crates/engine/tests/scaffold_examples.rs` runs every scenario through the
//! engine and checks it against `expected.json`, so the descriptions below stay true.
//!
//! To add an example: add its directory, then an entry to [`EXAMPLES`] (the unit test
//! `every_directory_is_listed` fails until both agree).

/// One input of an example, with what it shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scenario {
    /// Stable id, the input's file stem: used in saved work (`storage::SavedWork::scenario`).
    pub id: &'static str,
    /// Short label for a button, e.g. `429 Too Many Requests`.
    pub label: &'static str,
    /// What happens, in a sentence or two.
    pub description: &'static str,
    /// The input's JSON text, as the input editor shows it.
    pub input: &'static str,
}

/// One example of the menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Example {
    /// Stable id, the directory's name: used in saved work (`storage::SavedWork::example`).
    pub id: &'static str,
    pub title: &'static str,
    /// What it demonstrates.
    pub description: &'static str,
    /// The definition's JSON text.
    pub definition: &'static str,
    /// The mock file's JSON text.
    pub mocks: &'static str,
    /// Its inputs; the first is loaded with the example.
    pub scenarios: &'static [Scenario],
    /// The name of the state machine run (empty: [`crate::workspace::DEFAULT_MACHINE_NAME`]).
    pub name: &'static str,
    /// The workspace's other state machines, (name, definition JSON text), e.g. the child a
    /// Task starts.
    pub machines: &'static [(&'static str, &'static str)],
    /// The Tests editor's test file (docs/TESTING.md; empty: none).
    pub tests: &'static str,
}

impl Example {
    /// The scenario with this id.
    pub fn scenario(&self, id: &str) -> Option<&'static Scenario> {
        self.scenarios.iter().find(|s| s.id == id)
    }

    /// The scenario loaded with the example (the first); `None` only for an example without
    /// inputs, which the tests forbid.
    pub fn default_scenario(&self) -> Option<&'static Scenario> {
        self.scenarios.first()
    }
}

macro_rules! file {
    ($example:literal, $file:literal) => {
        include_str!(concat!("examples/", $example, "/", $file))
    };
}

macro_rules! scenario {
    ($example:literal, $id:literal, $label:literal, $description:literal) => {
        Scenario {
            id: $id,
            label: $label,
            description: $description,
            input: include_str!(concat!("examples/", $example, "/inputs/", $id, ".json")),
        }
    };
}

/// The seed tutorial, the first example and the one a new user starts with.
const TUTORIAL: Example = Example {
    id: "tutorial",
    title: "Error handling: Retry and Catch (tutorial)",
    description: "The Step Functions error-handling tutorial: a mock API Lambda function \
        fails in different ways depending on the status code in the input, and the state \
        machine retries, waits, or fails with the right cause.",
    definition: file!("tutorial", "definition.asl.json"),
    mocks: file!("tutorial", "mocks.json"),
    name: "",
    machines: &[],
    tests: file!("tutorial", "tests.json"),
    scenarios: &[
        scenario!(
            "tutorial",
            "200",
            "200 OK",
            "Call API returns \"200 OK\"; the OK state replaces it with its Result. \
             SUCCEEDED with \"The request has succeeded.\""
        ),
        scenario!(
            "tutorial",
            "503",
            "503 Server Unavailable",
            "ServerUnavailableException is not retried; the second catcher sends it to \
             Server Unavailable. FAILED: \"The server is currently unable to handle the \
             request.\""
        ),
        scenario!(
            "tutorial",
            "429",
            "429 Too Many Requests",
            "TooManyRequestsException is retried after 1 s and 2 s and fails three times; \
             the first catcher waits 1 s, changes the input to 200 and calls the API again. \
             SUCCEEDED after 4 s of waiting."
        ),
        scenario!(
            "tutorial",
            "500",
            "500 (anything else)",
            "UnknownException is caught by States.ALL. FAILED with error \"An error of \
             unknown type occurred\" and cause \"Unknown error!\""
        ),
    ],
};

/// The examples, in menu order: the seed tutorial first.
pub static EXAMPLES: &[Example] = &[
    TUTORIAL,
    Example {
        id: "map",
        title: "Map: process every item of a list",
        description: "A Map state checks the stock of each item of an order, two at a time, \
            shaping each item with ItemSelector and the Map context ($$.Map.Item); a Catch on \
            the Map rejects the order when an item is out of stock.",
        definition: file!("map", "definition.asl.json"),
        mocks: file!("map", "mocks.json"),
        name: "",
        machines: &[],
        tests: "",
        scenarios: &[
            scenario!(
                "map",
                "in-stock",
                "All in stock",
                "Three items, at most two checked at a time (the mock checks take 0 s, 2 s and \
                 1 s). SUCCEEDED after 2 s with a summary of the three lines."
            ),
            scenario!(
                "map",
                "out-of-stock",
                "An item out of stock",
                "CheckStock throws OutOfStock for SOFA-9; the iteration fails, so does the Map, \
                 and its catcher goes to Reject Order. FAILED with error OrderRejected."
            ),
            scenario!(
                "map",
                "empty",
                "No items",
                "An empty list runs no iteration. SUCCEEDED with a line count of 0."
            ),
        ],
    },
    Example {
        id: "parallel",
        title: "Parallel: run branches at the same time",
        description: "A Parallel state charges the card (lambda:invoke, retried on gateway \
            timeouts) while it reserves the stock; ResultSelector names the branches' results, \
            and a Catch cancels the order when a branch fails.",
        definition: file!("parallel", "definition.asl.json"),
        mocks: file!("parallel", "mocks.json"),
        name: "",
        machines: &[],
        tests: "",
        scenarios: &[
            scenario!(
                "parallel",
                "success",
                "Both succeed",
                "The charge takes 1.5 s and the reservation 1 s, side by side. SUCCEEDED after \
                 1.5 s with the payment and the reservation."
            ),
            scenario!(
                "parallel",
                "declined",
                "Card declined",
                "ChargeCard throws CardDeclined, which fails the branch and the Parallel state; \
                 the catcher goes to Cancel Order. SUCCEEDED with status \"cancelled\"."
            ),
            scenario!(
                "parallel",
                "gateway-timeout",
                "Gateway keeps timing out",
                "Each charge attempt takes 3 s and throws PaymentGatewayTimeout; it is retried \
                 after 2 s and 4 s, then caught. SUCCEEDED after 15 s with status \"cancelled\"."
            ),
        ],
    },
    Example {
        id: "choice",
        title: "Choice: route by the input",
        description: "A Choice state routes a support ticket with JSONPath rules (Not and \
            IsPresent, And with StringEquals and NumericGreaterThanEquals, Or with \
            StringMatches) and a Default; one route publishes to SNS.",
        definition: file!("choice", "definition.asl.json"),
        mocks: file!("choice", "mocks.json"),
        name: "",
        machines: &[],
        tests: "",
        scenarios: &[
            scenario!(
                "choice",
                "gold-urgent",
                "Gold customer, severity 4",
                "The And rule matches: Page On-Call publishes to SNS (mocked). SUCCEEDED with \
                 the on-call queue and the message id."
            ),
            scenario!(
                "choice",
                "refund",
                "Refund request",
                "The subject matches *refund*: the Or rule sends it to the billing queue."
            ),
            scenario!(
                "choice",
                "question",
                "Plain question",
                "A gold customer, but severity 1 and no billing words: the Default, the \
                 general queue."
            ),
            scenario!(
                "choice",
                "no-subject",
                "No subject",
                "The first rule (Not IsPresent) matches. FAILED with error InvalidTicket."
            ),
        ],
    },
    Example {
        id: "jsonata",
        title: "JSONata: expressions and variables",
        description: "The same kind of work in the JSONata query language (\"QueryLanguage\": \
            \"JSONata\"): Arguments and Output shape the data with {% %} expressions, Assign \
            keeps prices and totals in variables, a Choice Condition decides the shipping, and \
            a catcher passes the Lambda error's message on to a Fail state's Cause. The mock \
            uses a JSONata condition and cause too.",
        definition: file!("jsonata", "definition.asl.json"),
        mocks: file!("jsonata", "mocks.json"),
        name: "",
        machines: &[],
        tests: "",
        scenarios: &[
            scenario!(
                "jsonata",
                "free-shipping",
                "Free shipping",
                "Two books and a lamp come to 60, so the Condition ($subtotal >= 50) ships for \
                 free. SUCCEEDED with a total of 60."
            ),
            scenario!(
                "jsonata",
                "standard-shipping",
                "Standard shipping",
                "Two mugs come to 16.5: the Default adds 4.99 of shipping. SUCCEEDED with a \
                 total of 21.49."
            ),
            scenario!(
                "jsonata",
                "unknown-item",
                "Unknown item",
                "PriceList throws ItemNotFound for SOFA-9; the catcher assigns the error \
                 message, and Unknown Item fails with it. FAILED: \"No price for SOFA-9\"."
            ),
        ],
    },
    Example {
        id: "distributed-map",
        title: "Distributed Map: a CSV in S3, batches, results to S3",
        description: "A Distributed Map reads orders from a CSV file in the mocked S3 (the mock \
            file's S3 section), prices them two at a time (ItemBatcher), each batch a child \
            execution with its own history, tolerates a third of the batches failing and writes \
            its results back to S3 (ResultWriter): see the S3 written tab and the child \
            executions menu above the history.",
        definition: file!("distributed-map", "definition.asl.json"),
        mocks: file!("distributed-map", "mocks.json"),
        name: "",
        machines: &[],
        tests: "",
        scenarios: &[
            scenario!(
                "distributed-map",
                "orders",
                "Six orders",
                "Six rows in three batches of two, two at a time. SUCCEEDED; the Map Run writes \
                 manifest.json and SUCCEEDED_0.json under priced/."
            ),
            scenario!(
                "distributed-map",
                "a-bad-order",
                "A bad order",
                "Order 1004 has a negative quantity: its batch fails, one of three (33%), within \
                 the 34% tolerated. SUCCEEDED; the Map Run writes FAILED_0.json too."
            ),
        ],
    },
    Example {
        id: "callback",
        title: "Callback: an approval with a task token",
        description: "Request Approval sends its task token to a (mocked) SQS queue and waits \
            (.waitForTaskToken) until someone answers it, with a heartbeat and a timeout on the \
            simulated clock. The mock answers small orders after 2 hours; you answer large ones \
            in the panel above the inspector: Send success, Send failure or Heartbeat.",
        definition: file!("callback", "definition.asl.json"),
        mocks: file!("callback", "mocks.json"),
        name: "",
        machines: &[],
        tests: "",
        scenarios: &[
            scenario!(
                "callback",
                "large-order",
                "Large order: you answer",
                "No mock answers an order of 24,000: the run waits for your answer (its \
                 heartbeat timeout fires after an hour if none comes)."
            ),
            scenario!(
                "callback",
                "small-order",
                "Small order",
                "The approvals service (the mock) sends heartbeats and approves after 2 hours. \
                 SUCCEEDED, approved by approvals-service."
            ),
        ],
    },
    Example {
        id: "child-execution",
        title: "Child execution: startExecution.sync:2",
        description: "PlaceOrder starts ChargePayment, the workspace's second state machine \
            (its tab above the editor), as a child execution and waits for it: .sync:2 gives \
            the child's output as JSON. Open the child's own history from the parent's event.",
        definition: file!("child-execution", "definition.asl.json"),
        mocks: file!("child-execution", "mocks.json"),
        name: "PlaceOrder",
        machines: &[(
            "ChargePayment",
            file!("child-execution", "machines/ChargePayment.asl.json"),
        )],
        tests: "",
        scenarios: &[
            scenario!(
                "child-execution",
                "paid",
                "Card charged",
                "The child charges 120 in 2 s. SUCCEEDED, shipped with the child's payment id."
            ),
            scenario!(
                "child-execution",
                "declined",
                "Card declined",
                "The child fails with CardDeclined, which fails the parent's task \
                 (States.TaskFailed); the catcher goes to Payment Failed."
            ),
        ],
    },
    Example {
        id: "redrive",
        title: "Redrive: fix a failure and go on",
        description: "Reserve Stock succeeds, then Charge Card fails: the payment service is \
            down. Remove the throw rule of ChargeCard in the Mocks tab and press Redrive: the \
            execution goes on from Charge Card (ExecutionRedriven), without reserving the stock \
            again.",
        definition: file!("redrive", "definition.asl.json"),
        mocks: file!("redrive", "mocks.json"),
        name: "",
        machines: &[],
        tests: "",
        scenarios: &[scenario!(
            "redrive",
            "service-down",
            "Payment service down",
            "Charge Card throws ServiceUnavailable, is retried once after 2 s, and fails. \
             FAILED; fix the mock, then Redrive."
        )],
    },
];

/// The example with this id.
pub fn find(id: &str) -> Option<&'static Example> {
    EXAMPLES.iter().find(|e| e.id == id)
}

/// The example whose definition is exactly `definition` (the scenarios' inputs apply to it).
pub fn with_definition(definition: &str) -> Option<&'static Example> {
    EXAMPLES.iter().find(|e| e.definition == definition)
}

/// The example that is exactly this work (its definition and its mock file; the input may be
/// any): otherwise the work is the user's own.
pub fn matching(definition: &str, mocks: &str) -> Option<&'static Example> {
    with_definition(definition).filter(|e| e.mocks == mocks)
}

/// The example loaded for a new user: the tutorial.
pub fn default_example() -> &'static Example {
    &TUTORIAL
}

#[cfg(test)]
mod tests {

    #[test]
    fn an_example_is_matched_by_its_texts_only() {
        let tutorial = default_example();
        assert_eq!(
            matching(tutorial.definition, tutorial.mocks).map(|e| e.id),
            Some(tutorial.id)
        );
        assert!(
            matching(tutorial.definition, "{}").is_none(),
            "edited mocks"
        );
        assert_eq!(
            with_definition(tutorial.definition).map(|e| e.id),
            Some(tutorial.id)
        );
        let edited = tutorial.definition.replacen('{', "{ ", 1);
        assert!(with_definition(&edited).is_none());
    }

    use super::*;
    use std::collections::BTreeSet;
    use std::path::Path;

    fn examples_dir() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("src/examples")
    }

    #[test]
    fn every_directory_is_listed() {
        let dirs: BTreeSet<String> = std::fs::read_dir(examples_dir())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_dir())
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        let listed: BTreeSet<String> = EXAMPLES.iter().map(|e| e.id.to_string()).collect();
        assert_eq!(dirs, listed);
        for example in EXAMPLES {
            let inputs: BTreeSet<String> =
                std::fs::read_dir(examples_dir().join(example.id).join("inputs"))
                    .unwrap()
                    .map(|e| {
                        e.unwrap()
                            .path()
                            .file_stem()
                            .unwrap()
                            .to_string_lossy()
                            .into_owned()
                    })
                    .collect();
            let listed: BTreeSet<String> =
                example.scenarios.iter().map(|s| s.id.to_string()).collect();
            assert_eq!(inputs, listed, "{}", example.id);
        }
    }

    #[test]
    fn ids_are_unique_and_texts_are_json() {
        let ids: BTreeSet<&str> = EXAMPLES.iter().map(|e| e.id).collect();
        assert_eq!(ids.len(), EXAMPLES.len());
        for example in EXAMPLES {
            assert!(!example.scenarios.is_empty(), "{}", example.id);
            let scenario_ids: BTreeSet<&str> = example.scenarios.iter().map(|s| s.id).collect();
            assert_eq!(
                scenario_ids.len(),
                example.scenarios.len(),
                "{}",
                example.id
            );
            for text in [example.definition, example.mocks]
                .into_iter()
                .chain(example.scenarios.iter().map(|s| s.input))
            {
                assert!(
                    serde_json::from_str::<serde_json::Value>(text).is_ok(),
                    "{}: {text}",
                    example.id
                );
            }
        }
    }

    /// The tutorial's test file on the page is `sfn-play test`'s (examples/tutorial), but for
    /// what the page has no file for and what its mocks change: no `mocks` (the Mocks editor's
    /// are the suite's), and the durations of mocks that answer at once instead of in 0.5 s.
    #[test]
    fn the_tutorials_tests_are_the_clis_but_for_the_mocks_and_durations() {
        let cli_file = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../examples/tutorial/tutorial.test.json");
        let mut cli: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(cli_file).unwrap()).unwrap();
        let mut page: serde_json::Value = serde_json::from_str(TUTORIAL.tests).unwrap();
        assert_eq!(
            cli.as_object_mut().unwrap().remove("mocks"),
            Some(serde_json::json!("mocks.json"))
        );
        let durations = |suite: &mut serde_json::Value| -> Vec<(String, serde_json::Value)> {
            let cases = suite["cases"].as_array_mut().unwrap();
            cases
                .iter_mut()
                .filter_map(|case| {
                    let name = case["name"].as_str().unwrap().to_owned();
                    let duration = case["expect"]
                        .as_object_mut()
                        .unwrap()
                        .remove("durationSeconds")?;
                    Some((name, duration))
                })
                .collect()
        };
        let cli_durations = durations(&mut cli);
        let page_durations = durations(&mut page);
        assert_eq!(cli, page);
        // The mocked API takes 0.5 s a call on the CLI: one call on 200, four on 429.
        let names: Vec<&str> = cli_durations.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            page_durations
                .iter()
                .map(|(n, _)| n.as_str())
                .collect::<Vec<_>>()
        );
        let calls = [1.0, 4.0];
        for (((_, cli), (_, page)), calls) in cli_durations.iter().zip(&page_durations).zip(calls) {
            assert_eq!(cli.as_f64().unwrap(), page.as_f64().unwrap() + 0.5 * calls);
        }
    }

    #[test]
    fn the_tutorial_comes_first_with_its_four_scenarios() {
        assert_eq!(EXAMPLES[0].id, "tutorial");
        assert_eq!(default_example().id, "tutorial");
        let ids: Vec<&str> = EXAMPLES[0].scenarios.iter().map(|s| s.id).collect();
        assert_eq!(ids, ["200", "503", "429", "500"]);
        let input_429 = find("tutorial")
            .and_then(|e| e.scenario("429"))
            .and_then(|s| serde_json::from_str::<serde_json::Value>(s.input).ok());
        assert_eq!(input_429, Some(serde_json::json!({"statuscode": "429"})));
        assert_eq!(find("jsonata").map(|e| e.id), Some("jsonata"));
        assert_eq!(find("no-such-example"), None);
        assert_eq!(
            find("map").and_then(|e| e.default_scenario()).map(|s| s.id),
            Some("in-stock")
        );
    }
}
