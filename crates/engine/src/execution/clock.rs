//! Time on the simulated clock: each frame's clock moves on by itself (a Wait, a task's
//! duration, a retry's back-off), bounded by the execution's TimeoutSeconds.

use super::*;

impl Execution {
    /// When the state machine's TimeoutSeconds runs out.
    pub(super) fn deadline(&self) -> Option<Millis> {
        self.root
            .timeout_seconds
            .map(|s| self.options.start_time.saturating_add(seconds_to_ms(s)))
    }

    /// Moves the frame's clock to `until`, or to the deadline if that comes first (then false).
    pub(super) fn advance_clock(&self, frame: &mut Frame, until: Millis) -> bool {
        match self.deadline() {
            Some(deadline) if until > deadline => {
                frame.now = frame.now.max(deadline.saturating_add(1));
                false
            }
            _ => {
                frame.now = frame.now.max(until);
                true
            }
        }
    }

    /// The state machine's TimeoutSeconds: past it the execution times out.
    pub(super) fn enforce_timeout(&mut self) {
        let Some(deadline) = self.deadline() else {
            return;
        };
        let latest = self.frames.latest_now().unwrap_or(self.options.start_time);
        if self.status != ExecutionStatus::Running || latest <= deadline {
            return;
        }
        let last = self.history.last().map(|e| e.id).unwrap_or(0);
        let error = Some(names::TIMEOUT.to_string());
        let details = json!({"error": names::TIMEOUT});
        self.push_event(
            deadline,
            last,
            None,
            EventKind::ExecutionTimedOut,
            Some(("executionTimedOutEventDetails", details)),
        );
        self.status = ExecutionStatus::TimedOut { error, cause: None };
        self.frames.clear();
    }
}

/// Seconds as milliseconds, capped far beyond any clock a run reaches.
pub(super) fn seconds_to_ms(seconds: u64) -> Millis {
    Millis::try_from(seconds.saturating_mul(1000)).unwrap_or(Millis::MAX / 2)
}
