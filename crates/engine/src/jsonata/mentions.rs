//! What an expression's text mentions, found once when it is parsed: the `$names` it writes
//! (workflow variables and AWS's functions are bound only when mentioned, since converting
//! every variable and the whole `$states` for each evaluation was most of its cost), the
//! fields of `$states` it reads, and whether it defines functions (whose calls the step
//! counter counts).

use jsonata_core::value::JValue;
use serde_json::{Map, Value};

use super::to_jvalue;

/// The fields of `$states` an expression can read on their own: binding only those spares
/// converting the context object.
const PLAIN_STATES_FIELDS: [&str; 3] = ["input", "result", "errorOutput"];

/// What one expression mentions.
#[derive(Debug, Clone, Default)]
pub(super) struct Mentions {
    /// Every name written after a `$` (`$x`, `$partition`, `$states`...), sorted, once each.
    names: Vec<Box<str>>,
    states: StatesUse,
    /// Whether the text may hold parts that charge the budget (see `charges`): the host
    /// functions they call are registered only then.
    pub(super) charges: bool,
}

/// How an expression reads `$states`.
#[derive(Debug, Clone, Default, PartialEq)]
enum StatesUse {
    #[default]
    Not,
    /// Only as `$states.input`, `$states.result` or `$states.errorOutput`: these fields.
    Fields(Vec<&'static str>),
    /// Any other way: the whole object, context included.
    Whole,
}

/// Whether `c` continues a `$name` (as the JSONata tokenizer reads names we bind).
fn continues_name(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

impl Mentions {
    /// Scans `body`, the text inside `{% ... %}`.
    pub(super) fn of(body: &str) -> Mentions {
        let mut names: Vec<Box<str>> = Vec::new();
        let mut states = StatesUse::Not;
        for (at, _) in body.match_indices('$') {
            let rest = body.get(at.saturating_add(1)..).unwrap_or("");
            let length = rest
                .char_indices()
                .find(|&(_, c)| !continues_name(c))
                .map_or(rest.len(), |(i, _)| i);
            let name = rest.get(..length).unwrap_or("");
            if name.is_empty() {
                continue;
            }
            if name == "states" {
                let after = rest.get(length..).unwrap_or("");
                let field = after.strip_prefix('.').and_then(|after| {
                    PLAIN_STATES_FIELDS.into_iter().find(|field| {
                        after
                            .strip_prefix(field)
                            .is_some_and(|tail| !tail.starts_with(continues_name))
                    })
                });
                states = match (states, field) {
                    (StatesUse::Whole, _) | (_, None) => StatesUse::Whole,
                    (StatesUse::Not, Some(field)) => StatesUse::Fields(vec![field]),
                    (StatesUse::Fields(mut fields), Some(field)) => {
                        if !fields.contains(&field) {
                            fields.push(field);
                        }
                        StatesUse::Fields(fields)
                    }
                };
            }
            names.push(name.into());
        }
        names.sort_unstable();
        names.dedup();
        Mentions {
            names,
            states,
            charges: super::charges::may_need_charges(body),
        }
    }

    /// Whether the expression writes `$name`. `body` answers for a name the scan cannot have
    /// collected (one with a character that ends a name for the scan).
    pub(super) fn mentions(&self, name: &str, body: &str) -> bool {
        if name.chars().all(continues_name) {
            self.names
                .binary_search_by(|known| known.as_ref().cmp(name))
                .is_ok()
        } else {
            let needle = format!("${name}");
            body.match_indices(&needle).any(|(at, _)| {
                body.get(at.saturating_add(needle.len())..)
                    .and_then(|rest| rest.chars().next())
                    .is_none_or(|c| !continues_name(c))
            })
        }
    }

    /// The `$states` binding the expression needs, from the state's `$states`: none, the
    /// fields it reads, or the whole object.
    pub(super) fn states_binding(&self, states: &Value) -> Option<JValue> {
        match &self.states {
            StatesUse::Not => None,
            StatesUse::Whole => Some(to_jvalue(states)),
            StatesUse::Fields(fields) => {
                let mut subset = Map::new();
                for field in fields {
                    if let Some(value) = states.get(*field) {
                        subset.insert((*field).to_string(), value.clone());
                    }
                }
                Some(JValue::from(Value::Object(subset)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn bound(text: &str, states: &Value) -> Option<Value> {
        Mentions::of(text)
            .states_binding(states)
            .map(|v| super::super::from_jvalue(&v, 0, &mut 0).expect("a JSON value"))
    }

    #[test]
    fn names_end_where_a_name_cannot_go_on() {
        let m = Mentions::of("$x + $xy.z & $$ & $partition(1, 2) & $é_1");
        assert!(m.mentions("x", ""));
        assert!(m.mentions("xy", ""));
        assert!(m.mentions("partition", ""));
        assert!(m.mentions("é_1", ""));
        assert!(!m.mentions("z", ""));
        assert!(!m.mentions("y", ""));
        assert!(!Mentions::of("$x + $y.z").charges);
        assert!(Mentions::of("function($a) { $a }").charges);
        assert!(Mentions::of("λ($a) { $a }").charges);
    }

    #[test]
    fn states_is_bound_as_little_as_the_expression_reads() {
        let states = json!({"input": 1, "result": 2, "context": {"big": true}});
        assert_eq!(bound("$x", &states), None);
        assert_eq!(
            bound("$states.input + $states.result + $states.input", &states),
            Some(json!({"input": 1, "result": 2}))
        );
        assert_eq!(
            bound("$states.input + $states.context.big", &states),
            Some(states.clone())
        );
        assert_eq!(bound("$states.inputs", &states), Some(states.clone()));
        assert_eq!(bound("$statesX", &states), None);
    }
}
