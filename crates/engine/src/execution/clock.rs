//! Time on the simulated clock: a frame's clock moves on when it blocks (a Wait, a task's
//! duration, a retry's back-off), bounded by the execution's TimeoutSeconds and AWS's
//! one-year maximum duration; the scheduler (`Frames`) runs the frame earliest on it next.
//!
//! The clock never goes past [`MAX_CLOCK`] (the last millisecond of the year 9999, the latest
//! time an ISO-8601 date with four digits writes): a Wait of 9223372036854 seconds with
//! `Limits::none()` stops there, so `$$` times, the history and the trace all show the same
//! instant.

use super::*;

impl Execution {
    /// When the state machine's TimeoutSeconds runs out: counted from the execution's start,
    /// or from its latest redrive (AWS resets it then).
    fn timeout_deadline(&self) -> Option<Millis> {
        let start = self.redrives.attempt_start(self.options.start_time);
        self.root
            .timeout_seconds
            .map(|s| start.saturating_add(seconds_to_ms(s)))
    }

    /// When AWS's maximum execution duration (one year) runs out, if it comes before the
    /// state machine's TimeoutSeconds.
    fn quota_deadline(&self) -> Option<Millis> {
        let quota = self
            .options
            .limits
            .max_execution_seconds
            .map(|s| self.options.start_time.saturating_add(seconds_to_ms(s)))?;
        match self.timeout_deadline() {
            Some(timeout) if timeout <= quota => None,
            _ => Some(quota),
        }
    }

    /// When the execution times out: its TimeoutSeconds or AWS's one-year maximum.
    pub(super) fn deadline(&self) -> Option<Millis> {
        self.quota_deadline().or_else(|| self.timeout_deadline())
    }

    /// Moves the frame's clock to `until` (the frame then blocks until the scheduler gets
    /// there), or just past the deadline if that comes first: the execution times out before
    /// the frame runs again.
    pub(super) fn advance_clock(&self, frame: &mut Frame, until: Millis) {
        let until = until.min(MAX_CLOCK);
        frame.now = match self.deadline() {
            Some(deadline) if until > deadline => frame.now.max(deadline.saturating_add(1)),
            _ => frame.now.max(until),
        }
        .min(MAX_CLOCK);
    }

    /// The state machine's TimeoutSeconds: when the next frame to run is past it, the execution
    /// times out (at the deadline, after every event before it, whichever frame wrote it).
    pub(super) fn enforce_timeout(&mut self) {
        let Some(deadline) = self.deadline() else {
            return;
        };
        let past_quota = self.quota_deadline().is_some();
        let next = self.frames.next_time().unwrap_or(self.options.start_time);
        // A task waiting for the caller holds the clock until the caller steps it on.
        if self.status != ExecutionStatus::Running || next <= deadline || self.caller_blocks() {
            return;
        }
        // The states and iterations in progress are stopped at the deadline first (abort.rs).
        self.abort_execution(deadline);
        let last = self.history.last_id();
        let error = Some(names::TIMEOUT.to_string());
        // AWS: an execution that runs past the one-year maximum fails with States.Timeout; the
        // cause says which limit it was (a TimeoutSeconds timeout has none).
        let cause = past_quota.then(|| {
            format!(
                "The execution ran longer than the maximum execution duration of a Standard workflow, one year ({} seconds).",
                self.options.limits.max_execution_seconds.unwrap_or_default()
            )
        });
        let details = match &cause {
            Some(cause) => json!({"error": names::TIMEOUT, "cause": cause}),
            None => json!({"error": names::TIMEOUT}),
        };
        self.push_event(
            deadline,
            last,
            None,
            EventKind::ExecutionTimedOut,
            Some(("executionTimedOutEventDetails", details)),
        );
        self.status = ExecutionStatus::TimedOut { error, cause };
        self.frames.clear();
    }
}

/// The latest time of the simulated clock: 9999-12-31T23:59:59.999Z.
pub const MAX_CLOCK: Millis = 253_402_300_799_999;

/// Seconds as milliseconds, capped far beyond any clock a run reaches.
pub(super) fn seconds_to_ms(seconds: u64) -> Millis {
    Millis::try_from(seconds.saturating_mul(1000)).unwrap_or(Millis::MAX / 2)
}
