//! Stopping the branches and iterations still running when their Parallel or Map state fails,
//! and every state in progress when the execution times out or is stopped.
//!
//! AWS documents that when a branch or iteration fails, "the entire Parallel state is
//! considered to have failed and all its branches are stopped" and that iterations still
//! running end Aborted; its API has the events for it. Which events it writes, in which order,
//! is not recorded anywhere we could read: what follows is inferred (docs/research/
//! concurrency.md §1d) and kept in this one place. At the instant of the failure, for each
//! child still running, by branch or iteration index:
//!
//! 1. its state in progress gets its Aborted event: TaskStateAborted (also in a retry's
//!    back-off), WaitStateAborted, or for a Parallel or Map state first its own children's
//!    aborts (recursively), for a distributed Map then MapRunAborted (following its
//!    MapRunStarted), then ParallelStateAborted or MapStateAborted. Pass, Choice, Succeed
//!    and Fail states are never in progress across an instant, and AWS has no Aborted event
//!    for them;
//! 2. an inline Map's iteration then gets MapIterationAborted `{index, name}`.
//!
//! Each follows the child's own last event (its chain). An iteration started at this same
//! instant but not yet run has no event yet: it is dropped without one, as never started.
//! The failing state's own Failed events come after (`collect_child`, `emit_fanout_failed`).

use super::frame::FrameId;
use super::*;

impl Execution {
    /// Stops every state and iteration in progress at `now`, the whole execution's (its
    /// TimeoutSeconds runs out, or StopExecution): the same events as a sibling's failure
    /// writes, from the root frame down, before ExecutionTimedOut or ExecutionAborted
    /// (docs/research/concurrency.md §5: inferred, not recorded). Returns the root frame's last
    /// event, which the execution's own event follows; none if no frame was left.
    pub(super) fn abort_execution(&mut self, now: Millis) -> Option<u64> {
        let root = self.frames.take_root()?;
        let (last, resume) = self.abort_frame(root, now, None);
        // A redrive goes on from where the execution stopped (`redrive.rs`).
        self.redrives.root_stopped(resume);
        Some(last)
    }

    /// Stops every child of the frame `parent` still running, at `now`; `iterations` names the
    /// inline Map whose iterations they are (for MapIterationAborted), if they are. Returns
    /// where each stopped, by index, for a redrive.
    pub(super) fn abort_children(
        &mut self,
        parent: FrameId,
        now: Millis,
        iterations: Option<&Rc<str>>,
    ) -> Vec<(usize, Rc<redrive::Resume>)> {
        let mut children = self.frames.take_children(parent);
        children.sort_by_key(|child| child.index);
        let mut stopped = Vec::new();
        // Each child writes to its own history (a Map Run's child to its execution's).
        let sink = self.sink;
        for child in children {
            let index = child.index;
            if let (_, Some(resume)) = self.abort_frame(child, now, iterations) {
                stopped.push((index, resume));
            }
        }
        self.sink = sink;
        stopped
    }

    /// Stops one frame and its children; returns its last event, and where it stopped for a
    /// redrive.
    fn abort_frame(
        &mut self,
        mut frame: Frame,
        now: Millis,
        iteration_of: Option<&Rc<str>>,
    ) -> (u64, Option<Rc<redrive::Resume>>) {
        self.trace_child_aborted(&frame, now);
        self.sink = frame.child_execution;
        if frame.announce.is_some() {
            return (frame.last_event, None);
        }
        // A frame blocked until later stops now.
        frame.now = now;
        let mut aborted = None;
        let mut map_run = None;
        let mut children_stopped = Vec::new();
        if let Action::Run(run) = &frame.action {
            // A task waiting for its token: the token closes with it.
            if let Some(token) = callback::token_of(&run.phase) {
                self.callbacks.close(token);
            }
            if let Phase::Fanout(fanout) = &run.phase {
                let inner = fanout
                    .iteration_events(frame.recorded)
                    .then(|| Rc::clone(&run.name));
                children_stopped = self.abort_children(frame.id, now, inner.as_ref());
                map_run = fanout
                    .map_run_started()
                    .map(|id| (id, Rc::clone(&run.name)));
            }
            aborted = frame
                .machine
                .state_at(run.index)
                .and_then(|state| EventKind::state_aborted(state.state_type()));
        }
        // A distributed Map's run is stopped with it: MapRunAborted, then MapStateAborted (as
        // a failed run writes MapRunFailed, then MapStateFailed).
        if let (Some((run_started, name)), true) = (map_run, frame.recorded) {
            frame.last_event = self.push_event(
                now,
                run_started,
                Some(&name),
                EventKind::MapRunAborted,
                None,
            );
        }
        if let Some(kind) = aborted {
            self.emit(&mut frame, kind, None);
        }
        if let Some(map) = iteration_of {
            if frame.recorded {
                frame.last_event = self.push_map_iteration(
                    now,
                    frame.last_event,
                    map,
                    IterationEvent::Aborted,
                    frame.index,
                );
            }
        }
        // A Map Run's child execution stopped with its root frame: ExecutionAborted.
        self.abort_child_execution(&frame);
        let resume = self.abort_point(&frame, children_stopped);
        (frame.last_event, resume)
    }
}
