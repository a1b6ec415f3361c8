//! AWS Step Functions Local's mock file format: `MockedResponses` (responses by call
//! number) and `StateMachines` (the test cases, naming a response per state).

use std::collections::HashMap;

use serde_json::Value;

use super::{key, parse_response, type_name, MockError, MockResponse, Problems};

/// A `MockedResponses` key: a call number `"3"` or an inclusive range `"1-2"`.
fn parse_calls(text: &str) -> Option<(u64, u64)> {
    fn number(text: &str) -> Option<u64> {
        if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        text.parse().ok()
    }
    match text.split_once('-') {
        Some((first, last)) => Some((number(first)?, number(last)?)),
        None => number(text).map(|n| (n, n)),
    }
}

pub(super) type Entries = Vec<(u64, u64, MockResponse)>;

pub(super) fn parse_mocked_responses(
    value: &Value,
    problems: &mut Problems,
) -> HashMap<String, Entries> {
    let mut responses = HashMap::new();
    let Some(object) = value.as_object() else {
        problems.push(
            "MockedResponses",
            format!(
                "expected an object of mocked responses by name, not {}",
                type_name(value)
            ),
        );
        return responses;
    };
    for (name, calls) in object {
        let at = format!("MockedResponses.{}", key(name));
        let Some(calls) = calls.as_object() else {
            problems.push(
                &at,
                format!(
                    "expected an object of responses by call number (\"0\", \"1-2\"...), not {}",
                    type_name(calls)
                ),
            );
            continue;
        };
        if calls.is_empty() {
            problems.push(
                &at,
                "no responses (expected \"0\": {\"Return\": ...} or {\"Throw\": ...})",
            );
            continue;
        }
        let mut entries: Vec<(u64, u64, MockResponse, &str)> = Vec::new();
        let mut ok = true;
        for (calls_key, response) in calls {
            let key_at = format!("{at}.{}", key(calls_key));
            let range = match parse_calls(calls_key) {
                Some((first, last)) if first <= last => Some((first, last)),
                Some(_) => {
                    problems.push(&key_at, "the range ends before it starts");
                    None
                }
                None => {
                    problems.push(&key_at, "not a call number or range");
                    None
                }
            };
            let response = parse_response(response, &key_at, problems);
            match (range, response) {
                (Some((first, last)), Some(response)) => {
                    entries.push((first, last, response, calls_key))
                }
                _ => ok = false,
            }
        }
        if !ok {
            continue;
        }
        entries.sort_by_key(|(first, ..)| *first);
        // Every call from 0 up to the last must have exactly one response.
        let mut next = 0u64;
        for (first, last, _, calls_key) in &entries {
            if *first > next {
                problems.push(
                    &at,
                    if *first == next.saturating_add(1) {
                        format!("no response for call {next} (calls are numbered from 0, without gaps)")
                    } else {
                        format!(
                            "no response for calls {next} to {} (calls are numbered from 0, without gaps)",
                            // `first > next >= 0`, so this does not underflow.
                            first.saturating_sub(1)
                        )
                    },
                );
                ok = false;
            } else if *first < next {
                problems.push(
                    &format!("{at}.{}", key(calls_key)),
                    format!("call {first} already has a response (keys must not overlap)"),
                );
                ok = false;
            }
            next = next.max(last.saturating_add(1));
        }
        if ok {
            responses.insert(
                name.clone(),
                entries
                    .into_iter()
                    .map(|(first, last, response, _)| (first, last, response))
                    .collect(),
            );
        }
    }
    responses
}

/// One test case of `StateMachines`: the mocked response name of each state.
pub(super) struct TestCase {
    state_machine: String,
    name: String,
    pub(super) states: Vec<(String, String)>,
}

impl TestCase {
    pub(super) fn label(&self) -> String {
        format!("{}/{}", self.state_machine, self.name)
    }
}

pub(super) fn parse_state_machines(
    value: &Value,
    responses: &HashMap<String, Entries>,
    problems: &mut Problems,
) -> Vec<TestCase> {
    let mut cases = Vec::new();
    let Some(machines) = value.as_object() else {
        problems.push(
            "StateMachines",
            format!(
                "expected an object of state machines by name, not {}",
                type_name(value)
            ),
        );
        return cases;
    };
    for (machine, config) in machines {
        let at = format!("StateMachines.{}", key(machine));
        let Some(config) = config.as_object() else {
            problems.push(
                &at,
                format!(
                    "expected {{\"TestCases\": {{...}}}}, not {}",
                    type_name(config)
                ),
            );
            continue;
        };
        for name in config.keys() {
            if name != "TestCases" {
                problems.push(
                    &format!("{at}.{}", key(name)),
                    "not a field of a state machine's mocks (expected TestCases)",
                );
            }
        }
        let Some(test_cases) = config.get("TestCases") else {
            problems.push(&at, "needs TestCases");
            continue;
        };
        let cases_at = format!("{at}.TestCases");
        let Some(test_cases) = test_cases.as_object() else {
            problems.push(
                &cases_at,
                format!(
                    "expected an object of test cases by name, not {}",
                    type_name(test_cases)
                ),
            );
            continue;
        };
        for (case_name, states) in test_cases {
            let case_at = format!("{cases_at}.{}", key(case_name));
            let Some(states) = states.as_object() else {
                problems.push(
                    &case_at,
                    format!(
                        "expected an object of Task state names to mocked response names, not {}",
                        type_name(states)
                    ),
                );
                continue;
            };
            let mut case = TestCase {
                state_machine: machine.clone(),
                name: case_name.clone(),
                states: Vec::new(),
            };
            for (state, response) in states {
                let state_at = format!("{case_at}.{}", key(state));
                match response {
                    Value::String(response) if responses.contains_key(response) => {
                        case.states.push((state.clone(), response.clone()))
                    }
                    Value::String(response) => problems.push(
                        &state_at,
                        format!("the mocked response '{response}' is not in MockedResponses"),
                    ),
                    other => problems.push(
                        &state_at,
                        format!(
                            "expected the name of a mocked response, not {}",
                            type_name(other)
                        ),
                    ),
                }
            }
            cases.push(case);
        }
    }
    cases
}

/// Picks the test case to run: the one named, or the only one.
pub(super) fn select_test_case<'a>(
    cases: &'a [TestCase],
    wanted: Option<&str>,
) -> Result<Option<&'a TestCase>, MockError> {
    let labels = || {
        cases
            .iter()
            .map(TestCase::label)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let Some(wanted) = wanted else {
        return match cases {
            [] => Ok(None),
            [only] => Ok(Some(only)),
            _ => Err(MockError::new(format!(
                "The mock file has several test cases ({}); pick one",
                labels()
            ))),
        };
    };
    if cases.is_empty() {
        return Err(MockError::new(format!(
            "No test case '{wanted}': the mock file has no StateMachines test cases"
        )));
    }
    let by_name: Vec<&TestCase> = cases.iter().filter(|c| c.name == wanted).collect();
    match by_name.as_slice() {
        [only] => return Ok(Some(only)),
        [] => {}
        several => {
            let machines: Vec<&str> = several.iter().map(|c| c.state_machine.as_str()).collect();
            return Err(MockError::new(format!(
                "The test case '{wanted}' is defined for several state machines ({}); \
                 name it as '<state machine>/{wanted}'",
                machines.join(", ")
            )));
        }
    }
    cases
        .iter()
        .find(|c| c.label() == wanted)
        .map(Some)
        .ok_or_else(|| {
            MockError::new(format!(
                "No test case '{wanted}' in the mock file (test cases: {})",
                labels()
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_keys() {
        assert_eq!(parse_calls("0"), Some((0, 0)));
        assert_eq!(parse_calls("1-2"), Some((1, 2)));
        assert_eq!(parse_calls("2-1"), Some((2, 1)));
        for bad in [
            "",
            "-1",
            "1-",
            "a",
            "1-2-3",
            " 1",
            "+1",
            "1.0",
            "99999999999999999999",
        ] {
            assert_eq!(parse_calls(bad), None, "{bad}");
        }
    }
}
