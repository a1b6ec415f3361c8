//! The semantics of the simple state types: Pass, Choice, Wait, Succeed, Fail. Their data flow
//! in either query language goes through [`super::flow`].

use super::flow::{expression_text, OutputSpec, WorkTemplates};
use super::*;
use crate::choice::ChoiceRule;
use crate::definition::{ChoiceBranch, FailText, PathOrCall, QueryLanguage};
use std::cell::OnceCell;

impl Execution {
    pub(super) fn run_pass(
        &mut self,
        frame: &mut Frame,
        run: &mut StateRun,
        state: &State,
        pass: &PassState,
    ) -> Result<Outcome, StatesError> {
        let effective = self.effective_input(frame, run, state)?;
        // JSONata: the output is Output, or the input. JSONPath: the result is Result, or
        // Parameters over the effective input, or the effective input, then ResultPath.
        let result = if state.query_language == QueryLanguage::Jsonata {
            None
        } else if let Some(result) = &pass.result {
            Some(result.clone())
        } else {
            let parameters = pass.parameters.as_ref();
            let templates = WorkTemplates {
                parameters,
                arguments: None,
            };
            Some(self.work_input(frame, run, state, &effective, templates, None)?)
        };
        let spec = OutputSpec {
            result_path: Some(&pass.result_path),
            assign: state.assign.as_ref(),
            output: state.output.as_ref(),
            ..OutputSpec::default()
        };
        let (output, assigned) = self.state_output(frame, run, state, &effective, result, spec)?;
        Ok(Outcome::Exit { output, assigned })
    }

    pub(super) fn run_choice(
        &mut self,
        frame: &mut Frame,
        run: &mut StateRun,
        state: &State,
        choice_state: &ChoiceState,
    ) -> Result<Outcome, StatesError> {
        let effective = self.effective_input(frame, run, state)?;
        let mut matched: Option<(usize, &ChoiceBranch)> = None;
        for (index, branch) in choice_state.choices.iter().enumerate() {
            if self.rule_matches(frame, run, state, &branch.rule, &effective)? {
                matched = Some((index, branch));
                break;
            }
        }
        // A matched rule's Assign and Output take the place of the state's.
        let (rule, assign, output) = match matched {
            Some((index, branch)) => (
                Some(index),
                branch.assign.as_ref().or(state.assign.as_ref()),
                branch.output.as_ref().or(state.output.as_ref()),
            ),
            None => match &choice_state.default {
                Some(_) => (None, state.assign.as_ref(), state.output.as_ref()),
                None => {
                    return Err(StatesError::new(
                        names::NO_CHOICE_MATCHED,
                        format!(
                            "No Matches! An error occurred while executing the state '{}' (entered at the event id #{}).",
                            run.name, run.entered_event_id
                        ),
                    ))
                }
            },
        };
        let spec = OutputSpec {
            assign,
            output,
            ..OutputSpec::default()
        };
        let (output, assigned) = self.state_output(frame, run, state, &effective, None, spec)?;
        Ok(Outcome::Goto {
            rule,
            output,
            assigned,
        })
    }

    /// A Choice rule: a JSONata Condition, or JSONPath comparisons over the effective input
    /// and the workflow variables.
    fn rule_matches(
        &mut self,
        frame: &mut Frame,
        run: &StateRun,
        state: &State,
        rule: &ChoiceRule,
        effective: &Value,
    ) -> Result<bool, StatesError> {
        if let ChoiceRule::Condition(condition) = rule {
            let value = match condition.expression() {
                Some(expression) => {
                    let states = self.states_binding(frame, run, None, None, None);
                    self.jsonata_value(frame, run, expression, "Condition", &states)?
                }
                None => condition.source().clone(),
            };
            return match value {
                Value::Bool(b) => Ok(b),
                other => {
                    let text = condition
                        .source()
                        .as_str()
                        .map_or(String::new(), |t| expression_text(t).to_string());
                    let message = unexpected_type(&text, "Condition", "boolean", &other);
                    Err(self.evaluation_failed(frame, run, message, Some("Condition"), false))
                }
            };
        }
        if state.query_language == QueryLanguage::Jsonata {
            return Err(StatesError::new(
                names::QUERY_EVALUATION_ERROR,
                "A JSONata Choice rule must use Condition",
            ));
        }
        // Built on the first `$$` Variable only: it copies the execution's input.
        let context = OnceCell::new();
        let variables = &frame.variables;
        choice::evaluate_with(rule, &|path| {
            let context = if path.text().trim_start().starts_with("$$") {
                context.get_or_init(|| self.context(frame, run, None))
            } else {
                &Value::Null
            };
            path.query(effective, context, Some(variables))
        })
    }

    /// A Wait state: it blocks until its time, then is left (at its time, in a later action:
    /// other frames due before then run first).
    pub(super) fn run_wait(
        &mut self,
        frame: &mut Frame,
        run: &mut StateRun,
        state: &State,
        wait: &WaitState,
    ) -> Result<Outcome, StatesError> {
        if matches!(run.phase, Phase::Waiting) {
            run.phase = Phase::Entered;
        } else {
            let until = self.wait_until(frame, run, state, wait)?;
            if until > frame.now {
                self.advance_clock(frame, until);
                run.phase = Phase::Waiting;
                return Ok(Outcome::Block);
            }
        }
        let effective = self.effective_input(frame, run, state)?;
        let spec = OutputSpec {
            assign: state.assign.as_ref(),
            output: state.output.as_ref(),
            ..OutputSpec::default()
        };
        let (output, assigned) = self.state_output(frame, run, state, &effective, None, spec)?;
        Ok(Outcome::Exit { output, assigned })
    }

    /// When a Wait state's wait ends: its Seconds, Timestamp, or their Path or expression.
    fn wait_until(
        &mut self,
        frame: &mut Frame,
        run: &StateRun,
        state: &State,
        wait: &WaitState,
    ) -> Result<Millis, StatesError> {
        let effective = self.effective_input(frame, run, state)?;
        let context = self.context(frame, run, None);
        let jsonata_state = state.query_language == QueryLanguage::Jsonata;
        let until = match wait {
            WaitState::Seconds(_) | WaitState::SecondsExpression(_) => {
                let (value, text) = match wait {
                    WaitState::SecondsExpression(expression) => (
                        self.jsonata_number(frame, run, expression, "Seconds")?,
                        expression_text(expression.text()).to_string(),
                    ),
                    WaitState::Seconds(seconds) => (
                        seconds.clone(),
                        seconds
                            .as_str()
                            .map_or(String::new(), |t| expression_text(t).to_string()),
                    ),
                    _ => (Value::Null, String::new()),
                };
                match value.as_u64() {
                    Some(s) => frame.now.saturating_add(seconds_to_ms(s)),
                    None => {
                        let message = unexpected_type(&text, "Seconds", "integer", &value);
                        return Err(self.evaluation_failed(
                            frame,
                            run,
                            message,
                            Some("Seconds"),
                            true,
                        ));
                    }
                }
            }
            WaitState::SecondsPath(path) => {
                let value = path
                    .query(&effective, &context, Some(&frame.variables))
                    .map_err(|_| {
                        StatesError::runtime(format!(
                            "The SecondsPath parameter does not reference an input value: {path}"
                        ))
                    })?;
                let seconds = match &value {
                    Value::Number(n) if n.is_i64() || n.is_u64() => n.as_i64().unwrap_or(i64::MAX),
                    other => {
                        return Err(StatesError::runtime(format!(
                        "The SecondsPath parameter cannot be parsed as a long value: {path} == {}",
                        plain_text(other)
                    )))
                    }
                };
                if seconds < 0 {
                    return Err(StatesError::runtime(format!(
                        "The SecondsPath parameter references a negative value: {path} == {seconds}"
                    )));
                }
                frame
                    .now
                    .saturating_add(seconds_to_ms(seconds.unsigned_abs()))
            }
            WaitState::Timestamp(_) | WaitState::TimestampExpression(_) => {
                let value = match wait {
                    WaitState::TimestampExpression(expression) => {
                        self.jsonata_number(frame, run, expression, "Timestamp")?
                    }
                    WaitState::Timestamp(text) => Value::String(text.clone()),
                    _ => Value::Null,
                };
                match value.as_str().and_then(parse_aws_timestamp) {
                    Some(at) => at,
                    None if jsonata_state => {
                        let message = format!(
                            "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: {}",
                            plain_text(&value)
                        );
                        return Err(self.evaluation_failed(frame, run, message, Some("Timestamp"), true));
                    }
                    None => {
                        return Err(StatesError::runtime(format!(
                            "The Timestamp parameter does not reference a valid ISO-8601 extended offset date-time format string: {}",
                            plain_text(&value)
                        )))
                    }
                }
            }
            WaitState::TimestampPath(path) => {
                let value = path
                    .query(&effective, &context, Some(&frame.variables))
                    .map_err(|_| {
                        StatesError::runtime(format!(
                            "The TimestampPath parameter does not reference an input value: {path}"
                        ))
                    })?;
                value.as_str().and_then(parse_aws_timestamp).ok_or_else(|| {
                    StatesError::runtime(format!(
                        "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: {path} == {}",
                        plain_text(&value)
                    ))
                })?
            }
        };
        Ok(until)
    }

    pub(super) fn run_succeed(
        &mut self,
        frame: &mut Frame,
        run: &mut StateRun,
        state: &State,
    ) -> Result<Outcome, StatesError> {
        let effective = self.effective_input(frame, run, state)?;
        let spec = OutputSpec {
            assign: state.assign.as_ref(),
            output: state.output.as_ref(),
            ..OutputSpec::default()
        };
        let (output, assigned) = self.state_output(frame, run, state, &effective, None, spec)?;
        Ok(Outcome::EndBranch { output, assigned })
    }

    pub(super) fn run_fail(
        &mut self,
        frame: &mut Frame,
        run: &mut StateRun,
        fail: &FailState,
    ) -> Result<Outcome, StatesError> {
        let error = self.fail_field(
            frame,
            run,
            "Error",
            "ErrorPath",
            &fail.error,
            &fail.error_path,
        )?;
        let cause = self.fail_field(
            frame,
            run,
            "Cause",
            "CausePath",
            &fail.cause,
            &fail.cause_path,
        )?;
        Ok(Outcome::Fail(StatesError { error, cause }))
    }

    /// Fail's Error or Cause: a literal (in JSONata possibly an expression), or its `...Path`
    /// (a path or an intrinsic function) over the state's input.
    #[allow(clippy::too_many_arguments)]
    fn fail_field(
        &mut self,
        frame: &mut Frame,
        run: &StateRun,
        field: &str,
        path_field: &str,
        literal: &Option<FailText>,
        path: &Option<PathOrCall>,
    ) -> Result<Option<String>, StatesError> {
        match literal {
            Some(FailText::Expression(expression)) => {
                let states = self.states_binding(frame, run, None, None, None);
                let value = self.jsonata_value(frame, run, expression, field, &states)?;
                return Ok(Some(plain_text(&value)));
            }
            Some(FailText::Literal(text)) => return Ok(Some(text.clone())),
            None => {}
        }
        let Some(path) = path else { return Ok(None) };
        let context = self.context(frame, run, None);
        let value = match path {
            PathOrCall::Call(call) => {
                let mut env = EvalEnv {
                    input: &run.input,
                    context: &context,
                    rng: &mut self.rng,
                    variables: Some(&frame.variables),
                };
                call.evaluate_field(path_field, &mut env)?
            }
            PathOrCall::Path(path) => path.query(&run.input, &context, Some(&frame.variables)).map_err(|_| {
                StatesError::runtime(format!(
                    "The JSONPath '{path}' specified for the field '{path_field}' could not be found in the input '{}'",
                    run.input
                ))
            })?
        };
        Ok(Some(plain_text(&value)))
    }
}

/// AWS's cause for a JSONata value of the wrong type, e.g. for Items: `The JSONata expression
/// '$x' specified for the field 'Items' returned an unexpected result type. Expected 'array',
/// but was 'number' for value: 1`.
pub(super) fn unexpected_type(
    expression: &str,
    field: &str,
    expected: &str,
    value: &Value,
) -> String {
    format!(
        "The JSONata expression '{expression}' specified for the field '{field}' returned an unexpected result type. Expected '{expected}', but was '{}' for value: {}",
        json_type_name(value),
        paths::compact(value)
    )
}

/// JSONata's name of a value's type.
pub(super) fn json_type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}
