//! Time on the simulated clock: a frame's clock moves on when it blocks (a Wait, a task's
//! duration, a retry's back-off), bounded by the execution's TimeoutSeconds; the scheduler
//! (`Frames`) runs the frame earliest on it next.

use super::*;

impl Execution {
    /// When the state machine's TimeoutSeconds runs out.
    pub(super) fn deadline(&self) -> Option<Millis> {
        self.root
            .timeout_seconds
            .map(|s| self.options.start_time.saturating_add(seconds_to_ms(s)))
    }

    /// Moves the frame's clock to `until` (the frame then blocks until the scheduler gets
    /// there), or just past the deadline if that comes first: the execution times out before
    /// the frame runs again.
    pub(super) fn advance_clock(&self, frame: &mut Frame, until: Millis) {
        frame.now = match self.deadline() {
            Some(deadline) if until > deadline => frame.now.max(deadline.saturating_add(1)),
            _ => frame.now.max(until),
        };
    }

    /// The state machine's TimeoutSeconds: when the next frame to run is past it, the execution
    /// times out (at the deadline, after every event before it, whichever frame wrote it).
    pub(super) fn enforce_timeout(&mut self) {
        let Some(deadline) = self.deadline() else {
            return;
        };
        let next = self.frames.next_time().unwrap_or(self.options.start_time);
        if self.status != ExecutionStatus::Running || next <= deadline {
            return;
        }
        // The states and iterations in progress are stopped at the deadline first (abort.rs).
        self.abort_execution(deadline);
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
