//! A state's data flow in its query language, stage by stage, each recorded in its trace.
//!
//! - JSONPath: input → InputPath → Parameters → (the state's work) → ResultSelector →
//!   ResultPath → OutputPath.
//! - JSONata: input → Arguments → (the state's work) → Output, with `$states.input`,
//!   `$states.result`, `$states.errorOutput` and `$states.context` bound.
//!
//! In both, `Assign` is evaluated with the variables as they were when the state was entered;
//! the executor applies the assignments when the state is left.

use std::borrow::Cow;

use super::*;
use crate::definition::{Payload, QueryLanguage};
use crate::jsonata::{self, Expression, JsonataEnv, JsonataError, JsonataValue};
use crate::template::Template;

/// AWS's quota on one variable, and on all the variables one Assign sets.
const MAX_VARIABLE_BYTES: usize = 256 * 1024;
/// AWS's quota on all the variables of an execution.
const MAX_EXECUTION_VARIABLE_BYTES: usize = 10 * 1024 * 1024;

/// The variables a state's Assign set, in the order it gives them.
pub(super) type Assigned = Option<Map<String, Value>>;

/// What a state's work is given: Parameters (JSONPath) or Arguments (JSONata).
pub(super) struct WorkTemplates<'a> {
    pub parameters: Option<&'a Template>,
    pub arguments: Option<&'a JsonataValue>,
}

/// How a state turns its result into its output.
#[derive(Default)]
pub(super) struct OutputSpec<'a> {
    /// ResultSelector (JSONPath).
    pub result_selector: Option<&'a Template>,
    /// ResultPath (JSONPath); `Default` where the state has none.
    pub result_path: Option<&'a PathField>,
    /// Assign (both languages): the state's, or a matched Choice rule's, or a catcher's.
    pub assign: Option<&'a Payload>,
    /// Output (JSONata).
    pub output: Option<&'a JsonataValue>,
}

impl Execution {
    /// The frame's workflow variables, for JSONPath templates and paths.
    fn variables<'f>(&self, frame: &'f Frame) -> Option<&'f Map<String, Value>> {
        Some(&frame.variables)
    }

    /// The context object for an InputPath or OutputPath: built only when the path reads `$$`,
    /// since building it copies the execution's input and every state has both paths.
    fn context_for(&self, frame: &Frame, run: &StateRun, path: &PathField) -> Value {
        match path {
            PathField::Path(path) if path.text().trim_start().starts_with("$$") => {
                self.context(frame, run, None)
            }
            _ => Value::Null,
        }
    }

    /// JSONPath: the input after InputPath (recorded). JSONata: the state's raw input.
    /// Borrowed from the state's input when InputPath keeps all of it (the usual case).
    pub(super) fn effective_input<'r>(
        &mut self,
        frame: &Frame,
        run: &'r StateRun,
        state: &State,
    ) -> Result<Cow<'r, Value>, StatesError> {
        if state.query_language == QueryLanguage::Jsonata
            || matches!(state.input_path, PathField::Default)
        {
            if let Some(trace) = self.trace_of(run) {
                if state.query_language != QueryLanguage::Jsonata {
                    trace.after_input_path = Some(Value::clone(&run.input));
                }
            }
            return Ok(Cow::Borrowed(&*run.input));
        }
        let context = self.context_for(frame, run, &state.input_path);
        let value = dataflow::apply_input_path(
            &state.input_path,
            &run.input,
            &context,
            self.variables(frame),
        )?;
        if let Some(trace) = self.trace_of(run) {
            trace.after_input_path = Some(value.clone());
        }
        Ok(Cow::Owned(value))
    }

    /// What the state's work gets: JSONPath: `parameters` (Parameters) evaluated over the
    /// effective input; JSONata: `arguments` (Arguments) with `$states.input`. Without them,
    /// the effective input itself. Recorded as the trace's "after Parameters".
    pub(super) fn work_input(
        &mut self,
        frame: &mut Frame,
        run: &StateRun,
        state: &State,
        effective: &Value,
        templates: WorkTemplates<'_>,
        task_token: Option<&str>,
    ) -> Result<Value, StatesError> {
        let value = if state.query_language == QueryLanguage::Jsonata {
            match templates.arguments {
                Some(template) => {
                    let states = self.states_binding(frame, run, task_token, None, None);
                    self.jsonata_template(frame, run, template, "Arguments", &states)?
                }
                None => return Ok(effective.clone()),
            }
        } else {
            match templates.parameters {
                Some(template) => {
                    self.apply_template(frame, run, template, effective, task_token)?
                }
                None => return Ok(effective.clone()),
            }
        };
        if let Some(trace) = self.trace_of(run) {
            trace.after_parameters = Some(value.clone());
        }
        Ok(value)
    }

    /// A JSONPath payload template (Parameters, ResultSelector, ItemSelector, Credentials)
    /// over `input`, with the frame's variables.
    pub(super) fn apply_template(
        &mut self,
        frame: &Frame,
        run: &StateRun,
        template: &Template,
        input: &Value,
        task_token: Option<&str>,
    ) -> Result<Value, StatesError> {
        let context = if template.reads_context() {
            self.context(frame, run, task_token)
        } else {
            Value::Null
        };
        let mut env = EvalEnv {
            input,
            context: &context,
            rng: &mut self.rng,
            variables: Some(&frame.variables),
        };
        template.evaluate(&mut env)
    }

    /// The state's output and assignments. `result` is what its work produced (None for
    /// states without one: Choice, Wait, Succeed), `effective` its effective input.
    pub(super) fn state_output(
        &mut self,
        frame: &mut Frame,
        run: &StateRun,
        state: &State,
        effective: &Value,
        result: Option<Value>,
        spec: OutputSpec<'_>,
    ) -> Result<(Rc<Value>, Assigned), StatesError> {
        if let Some(result) = &result {
            if let Some(trace) = self.trace_of(run) {
                trace.result = Some(result.clone());
            }
        }
        if state.query_language == QueryLanguage::Jsonata {
            let states = self.states_binding(frame, run, None, result.as_ref(), None);
            let assigned = match spec.assign {
                Some(assign) => Some(self.jsonata_assign(frame, run, assign, &states)?),
                None => None,
            };
            let output = match (spec.output, result) {
                (Some(template), _) => {
                    self.jsonata_template(frame, run, template, "Output", &states)?
                }
                (None, Some(result)) => result,
                // The input passes through unchanged: shared, not copied.
                (None, None) => return Ok((Rc::clone(&run.input), assigned)),
            };
            self.check_payload(&run.name, &output)?;
            return Ok((Rc::new(output), assigned));
        }
        let passes_input_through = result.is_none()
            && matches!(state.output_path, PathField::Default)
            && std::ptr::eq(effective, &*run.input);
        if passes_input_through {
            let assigned = match spec.assign {
                Some(assign) => Some(self.jsonpath_assign(frame, run, assign, effective)?),
                None => None,
            };
            return Ok((Rc::clone(&run.input), assigned));
        }
        let context = self.context_for(frame, run, &state.output_path);
        let (assign_input, combined) = match result {
            Some(result) => {
                let selected = match spec.result_selector {
                    Some(template) => {
                        let selected = self.apply_template(frame, run, template, &result, None)?;
                        if let Some(trace) = self.trace_of(run) {
                            trace.after_result_selector = Some(selected.clone());
                        }
                        selected
                    }
                    None => result,
                };
                self.check_payload(&run.name, &selected)?;
                let result_path = spec.result_path.unwrap_or(&PathField::Default);
                // `$` in Assign is the result; copied only for an Assign.
                let assign_input = spec.assign.is_some().then(|| selected.clone());
                let combined = dataflow::apply_result_path(result_path, &run.input, selected)?;
                if let Some(trace) = self.trace_of(run) {
                    trace.after_result_path = Some(combined.clone());
                }
                (assign_input, combined)
            }
            None => (
                spec.assign.is_some().then(|| effective.clone()),
                effective.clone(),
            ),
        };
        // In JSONPath, `$` in Assign is the state's result (after ResultSelector), or its
        // effective input when it has no result.
        let assigned = match (spec.assign, assign_input) {
            (Some(assign), Some(selected)) => {
                Some(self.jsonpath_assign(frame, run, assign, &selected)?)
            }
            _ => None,
        };
        let output = dataflow::apply_output_path(
            &state.output_path,
            combined,
            &context,
            self.variables(frame),
        )?;
        Ok((Rc::new(output), assigned))
    }

    /// A catcher's output and assignments: JSONPath: the error output through the catcher's
    /// ResultPath; JSONata: the catcher's Output (the error output by default) with
    /// `$states.errorOutput` bound.
    pub(super) fn caught_output(
        &mut self,
        frame: &mut Frame,
        run: &StateRun,
        state: &State,
        catcher: &Catcher,
        error: &StatesError,
    ) -> Result<(Value, Assigned), StatesError> {
        let mut error_output = Map::new();
        if let Some(e) = &error.error {
            error_output.insert("Error".into(), json!(e));
        }
        if let Some(c) = &error.cause {
            error_output.insert("Cause".into(), json!(c));
        }
        let error_output = Value::Object(error_output);
        if state.query_language == QueryLanguage::Jsonata {
            let states = self.states_binding(frame, run, None, None, Some(&error_output));
            let assigned = match &catcher.assign {
                Some(assign) => Some(self.jsonata_assign(frame, run, assign, &states)?),
                None => None,
            };
            let output = match &catcher.output {
                Some(template) => self.jsonata_template(frame, run, template, "Output", &states)?,
                None => error_output,
            };
            return Ok((output, assigned));
        }
        let assigned = match &catcher.assign {
            Some(assign) => Some(self.jsonpath_assign(frame, run, assign, &error_output)?),
            None => None,
        };
        let output = dataflow::apply_result_path(&catcher.result_path, &run.input, error_output)?;
        Ok((output, assigned))
    }

    /// JSONPath Assign: a payload template over `dollar`, which must give an object.
    fn jsonpath_assign(
        &mut self,
        frame: &Frame,
        run: &StateRun,
        assign: &Payload,
        dollar: &Value,
    ) -> Result<Map<String, Value>, StatesError> {
        let assigned = match assign {
            Payload::Template(template) => {
                self.apply_template(frame, run, template, dollar, None)?
            }
            // Not met: a JSONPath state's Assign is compiled as a template.
            Payload::Jsonata(value) => {
                let template = Template::new(value.source().clone());
                self.apply_template(frame, run, &template, dollar, None)?
            }
        };
        match assigned {
            Value::Object(assigned) => self.check_assignment(frame, assigned),
            other => Err(StatesError::runtime(format!(
                "The Assign field must be an object, but was {}",
                paths::compact(&other)
            ))),
        }
    }

    /// JSONata Assign: every value (expressions anywhere inside) evaluated.
    fn jsonata_assign(
        &mut self,
        frame: &mut Frame,
        run: &StateRun,
        assign: &Payload,
        states: &Value,
    ) -> Result<Map<String, Value>, StatesError> {
        let assigned = match assign {
            Payload::Jsonata(value) => {
                self.jsonata_template(frame, run, value, "Assign", states)?
            }
            // Not met: a JSONata state's Assign is compiled as JSONata.
            Payload::Template(template) => {
                let value = JsonataValue::new(template.source().clone());
                self.jsonata_template(frame, run, &value, "Assign", states)?
            }
        };
        match assigned {
            Value::Object(assigned) => self.check_assignment(frame, assigned),
            other => Err(StatesError::new(
                names::QUERY_EVALUATION_ERROR,
                format!(
                    "The Assign field must be an object, but was {}",
                    paths::compact(&other)
                ),
            )),
        }
    }

    /// AWS's quotas on variables (when payload limits are on): 256 KiB for one variable and
    /// for one Assign, 10 MiB for all of an execution's variables.
    fn check_assignment(
        &self,
        frame: &Frame,
        assigned: Map<String, Value>,
    ) -> Result<Map<String, Value>, StatesError> {
        for (name, value) in &assigned {
            // Always checked, limits or not: a deeper value would overflow the stack.
            if crate::limits::nested_deeper_than(value, crate::limits::MAX_PAYLOAD_NESTING) {
                return Err(StatesError::runtime(format!(
                    "The variable '{name}' is nested more than {} levels deep.",
                    crate::limits::MAX_PAYLOAD_NESTING
                )));
            }
        }
        if self.options.limits.max_payload_bytes.is_none() {
            return Ok(assigned);
        }
        let limit = |what: String| Err(StatesError::new(names::DATA_LIMIT_EXCEEDED, what));
        let mut assign_total = 0usize;
        for (name, value) in &assigned {
            let size = payload_size(value);
            if size > MAX_VARIABLE_BYTES {
                return limit(format!(
                    "The variable '{name}' has a size of {size} bytes, over the maximum of {MAX_VARIABLE_BYTES} bytes for one variable."
                ));
            }
            assign_total = assign_total.saturating_add(size);
        }
        if assign_total > MAX_VARIABLE_BYTES {
            return limit(format!(
                "The Assign field sets {assign_total} bytes of variables, over the maximum of {MAX_VARIABLE_BYTES} bytes for one Assign."
            ));
        }
        let kept: usize = frame
            .variables
            .iter()
            .filter(|(name, _)| !assigned.contains_key(*name))
            .map(|(_, value)| payload_size(value))
            .sum();
        let total = kept.saturating_add(assign_total);
        if total > MAX_EXECUTION_VARIABLE_BYTES {
            return limit(format!(
                "The execution's variables would take {total} bytes, over the maximum of {MAX_EXECUTION_VARIABLE_BYTES} bytes."
            ));
        }
        Ok(assigned)
    }

    /// The `$states` object of a JSONata expression.
    pub(super) fn states_binding(
        &self,
        frame: &Frame,
        run: &StateRun,
        task_token: Option<&str>,
        result: Option<&Value>,
        error_output: Option<&Value>,
    ) -> Value {
        let mut states = Map::new();
        states.insert("input".into(), Value::clone(&run.input));
        states.insert("context".into(), self.context(frame, run, task_token));
        if let Some(result) = result {
            states.insert("result".into(), result.clone());
        }
        if let Some(error_output) = error_output {
            states.insert("errorOutput".into(), error_output.clone());
        }
        Value::Object(states)
    }

    /// A JSONata field's value: every string that is a `{% ... %}` expression, anywhere in
    /// `template`, replaced by its value. `location` names the field as AWS does in errors
    /// (`Output`, `Output/result`, `Assign/total`).
    pub(super) fn jsonata_template(
        &mut self,
        frame: &mut Frame,
        run: &StateRun,
        template: &JsonataValue,
        location: &str,
        states: &Value,
    ) -> Result<Value, StatesError> {
        template.evaluate_each(location, &mut |expression, location| {
            self.jsonata_value(frame, run, expression, location, states)
        })
    }

    /// One `{% ... %}` expression's value; a failure emits EvaluationFailed.
    pub(super) fn jsonata_value(
        &mut self,
        frame: &mut Frame,
        run: &StateRun,
        expression: &Expression,
        location: &str,
        states: &Value,
    ) -> Result<Value, StatesError> {
        let outcome = {
            let mut env = JsonataEnv {
                states,
                variables: &frame.variables,
                rng: &mut self.rng,
                now: frame.now,
                limits: self.options.limits.jsonata,
            };
            expression.evaluate(&mut env)
        };
        outcome.map_err(|error| {
            let expression = expression_text(expression.text());
            let message = match error {
                JsonataError::Undefined => format!(
                    "The JSONata expression '{expression}' specified for the field '{location}' returned nothing (undefined)."
                ),
                ref unsupported if unsupported.is_unsupported_result() => format!(
                    "The JSONata expression '{expression}' specified for the field '{location}' {}.",
                    jsonata::UNSUPPORTED_RESULT
                ),
                JsonataError::Evaluation(message) | JsonataError::Syntax(message) => format!(
                    "An error occurred while evaluating the JSONata expression '{expression}' specified for the field '{location}': {message}"
                ),
            };
            self.evaluation_failed(frame, run, message, Some(location), false)
        })
    }

    /// Emits EvaluationFailed and returns the States.QueryEvaluationError that fails the state.
    /// AWS links the event to the event before the state's Entered event, except for a value
    /// found unusable after its evaluation (`after_entered`), linked to the Entered event.
    pub(super) fn evaluation_failed(
        &mut self,
        frame: &mut Frame,
        run: &StateRun,
        message: String,
        location: Option<&str>,
        after_entered: bool,
    ) -> StatesError {
        let error = self.with_state_context(
            StatesError::new(names::QUERY_EVALUATION_ERROR, message),
            run,
        );
        if frame.recorded {
            let previous = if after_entered {
                run.entered_event_id
            } else {
                run.entered_after
            };
            let mut details = Map::new();
            details.insert("cause".into(), json!(error.cause));
            details.insert("error".into(), json!(error.error));
            if let Some(location) = location {
                details.insert("location".into(), json!(location));
            }
            details.insert("state".into(), json!(&*run.name));
            frame.last_event = self.push_event(
                frame.now,
                previous,
                Some(&run.name),
                EventKind::EvaluationFailed,
                Some(("evaluationFailedEventDetails", Value::Object(details))),
            );
        }
        error
    }

    /// A JSONata number field (TimeoutSeconds, MaxConcurrency...) given as an expression.
    pub(super) fn jsonata_number(
        &mut self,
        frame: &mut Frame,
        run: &StateRun,
        expression: &Expression,
        field: &str,
    ) -> Result<Value, StatesError> {
        let states = self.states_binding(frame, run, None, None, None);
        self.jsonata_value(frame, run, expression, field, &states)
    }
}

/// The expression inside `{% ... %}`, trimmed, as AWS quotes it in causes.
pub(super) fn expression_text(text: &str) -> &str {
    let trimmed = text.trim();
    trimmed
        .strip_prefix("{%")
        .and_then(|t| t.strip_suffix("%}"))
        .map_or(trimmed, str::trim)
}
