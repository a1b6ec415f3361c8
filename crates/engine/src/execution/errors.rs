//! A state's errors: Retry, Catch, or the end of its frame; and the Failed events of a Map or
//! Parallel state failed by a branch or iteration.

use super::*;

impl Execution {
    /// Adds AWS's "An error occurred while executing the state ..." prefix to the errors the
    /// engine raises itself while processing a state's data.
    pub(super) fn with_state_context(&self, mut error: StatesError, run: &StateRun) -> StatesError {
        let engine_raised = matches!(
            error.error.as_deref(),
            Some(names::RUNTIME)
                | Some(names::QUERY_EVALUATION_ERROR)
                | Some(names::INTRINSIC_FAILURE)
        );
        if engine_raised {
            if let Some(cause) = &error.cause {
                if !cause.starts_with("An error occurred while executing the state") {
                    error.cause = Some(format!(
                        "An error occurred while executing the state '{}' (entered at the event id #{}). {}",
                        run.name, run.entered_event_id, cause
                    ));
                }
            }
        }
        error
    }

    pub(super) fn handle_error(
        &mut self,
        mut frame: Frame,
        mut run: Box<StateRun>,
        state: &State,
        error: StatesError,
        fanout_failed: Option<Option<u64>>,
    ) {
        let (retriers, catchers, result_path_ok) = match &state.kind {
            StateKind::Task(t) => (&t.retry[..], &t.catch[..], true),
            StateKind::Parallel(p) => (&p.retry[..], &p.catch[..], true),
            StateKind::Map(m) => (&m.retry[..], &m.catch[..], true),
            _ => (&[][..], &[][..], false),
        };
        if result_path_ok {
            if let Some((index, retrier)) = retriers
                .iter()
                .enumerate()
                .find(|(_, r)| error_matches(&r.error_equals, &error))
            {
                let attempts = run.retry_attempts.get(index).copied().unwrap_or(0);
                if attempts < retrier.max_attempts {
                    let delay_ms = self.retry_delay(retrier, attempts);
                    if let Some(slot) = run.retry_attempts.get_mut(index) {
                        *slot = slot.saturating_add(1);
                    }
                    run.retry_count = run.retry_count.saturating_add(1);
                    if let Some(trace) = self.trace_of(&run) {
                        trace.errors.push(TracedError {
                            error,
                            event_id: frame.last_event,
                            handled_by: ErrorHandling::Retry {
                                retrier_index: index,
                                attempt: attempts.saturating_add(1),
                                delay_ms,
                            },
                        });
                    }
                    run.phase = Phase::Retry { delay_ms };
                    frame.action = Action::Run(run);
                    self.frames.push(frame);
                    return;
                }
            }
            self.emit_fanout_failed(&mut frame, state, fanout_failed);
            if let Some((index, catcher)) = catchers
                .iter()
                .enumerate()
                .find(|(_, c)| error_matches(&c.error_equals, &error))
            {
                if let Some(trace) = self.trace_of(&run) {
                    trace.errors.push(TracedError {
                        error: error.clone(),
                        event_id: frame.last_event,
                        handled_by: ErrorHandling::Catch {
                            catcher_index: index,
                            next: catcher.next.clone(),
                        },
                    });
                }
                match self.caught_output(&mut frame, &run, state, catcher, &error) {
                    Ok((output, assigned)) => {
                        self.leave(
                            frame,
                            &run,
                            state,
                            Rc::new(output),
                            assigned,
                            Some(&catcher.next),
                        );
                    }
                    Err(e) => {
                        let e = self.with_state_context(e, &run);
                        frame.redrive.stopped = self.stop_point(&frame, &run, &e);
                        frame.action = Action::Done(Err(e));
                        self.frames.push(frame);
                    }
                }
                return;
            }
        }
        if let Some(trace) = self.trace_of(&run) {
            trace.errors.push(TracedError {
                error: error.clone(),
                event_id: frame.last_event,
                handled_by: ErrorHandling::Unhandled,
            });
        }
        // A redrive goes on from this state (`redrive.rs`).
        frame.redrive.stopped = self.stop_point(&frame, &run, &error);
        frame.action = Action::Done(Err(error));
        self.frames.push(frame);
    }

    /// The Failed event of a Map or Parallel state whose error no retrier takes (AWS emits
    /// none before a retry), after MapRunFailed for a distributed Map.
    pub(super) fn emit_fanout_failed(
        &mut self,
        frame: &mut Frame,
        state: &State,
        fanout_failed: Option<Option<u64>>,
    ) {
        let Some(map_run_event) = fanout_failed else {
            return;
        };
        if let Some(run_started) = map_run_event {
            frame.last_event = self.push_event(
                frame.now,
                run_started,
                Some(&state.name),
                EventKind::MapRunFailed,
                None,
            );
        }
        if let Some(failed) = EventKind::state_failed(state.state_type()) {
            self.emit(frame, failed, None);
        }
    }

    /// IntervalSeconds × BackoffRate^attempt, capped by MaxDelaySeconds, with full jitter when
    /// asked: a random delay between 0 and that.
    pub(super) fn retry_delay(&mut self, retrier: &Retrier, attempts: u64) -> Millis {
        let exponent = i32::try_from(attempts).unwrap_or(i32::MAX);
        let mut seconds = retrier.interval_seconds as f64 * retrier.backoff_rate.powi(exponent);
        if let Some(max) = retrier.max_delay_seconds {
            seconds = seconds.min(max as f64);
        }
        if retrier.jitter_strategy == JitterStrategy::Full {
            seconds *= self.rng.next_f64();
        }
        // Cap at a year so a runaway back-off cannot overflow the clock.
        (seconds.clamp(0.0, 31_536_000.0) * 1000.0).round() as Millis
    }
}

/// Whether an error matches a retrier's or catcher's ErrorEquals. States.Runtime never
/// matches: AWS neither retries nor catches it, even when named. `States.ALL` matches every
/// other error; `States.TaskFailed` every error a task raised except States.Timeout.
fn error_matches(error_equals: &[String], error: &StatesError) -> bool {
    let name = error.name();
    if name == names::RUNTIME {
        return false;
    }
    error_equals.iter().any(|candidate| {
        candidate == name
            || candidate == names::ALL
            || (candidate == names::TASK_FAILED
                && name != names::TIMEOUT
                && !name.starts_with("States."))
    })
}
