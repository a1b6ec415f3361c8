//! Frames: the state machines an execution runs, and the scheduler that runs them on one
//! simulated clock.
//!
//! The top-level state machine runs in the root frame; each Parallel branch and Map iteration
//! runs in a child frame, linked to the frame of its Parallel or Map state by [`FrameId`].
//! A frame carries everything its state machine needs to go on: its clock, the last event it
//! emitted (the next one's `previousEventId`), its variables and its next [`Action`].
//!
//! [`Frames`] holds the frames and is the one place that decides which runs next: the
//! scheduler, which runs the frame earliest on the simulated clock.

use std::collections::BTreeMap;
use std::rc::Rc;

use serde_json::{Map, Value};

use super::StateRun;
use crate::definition::StateMachine;
use crate::error::StatesError;
use crate::time::Millis;

/// A frame's identity, unique within its execution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct FrameId(u64);

/// One running state machine: the top level (the root frame), a Parallel branch or a Map
/// iteration.
pub(super) struct Frame {
    pub(super) id: FrameId,
    /// The frame of the Parallel or Map state that started this one; none for the root.
    pub(super) parent: Option<FrameId>,
    /// The branch's or iteration's index among its siblings (0 for the root).
    pub(super) index: usize,
    /// The Map state whose MapIterationStarted event this iteration emits when it first runs
    /// (then none).
    pub(super) announce: Option<Rc<str>>,
    pub(super) machine: Rc<StateMachine>,
    /// `$$.Map.Item` of a Map iteration.
    pub(super) map_item: Option<(usize, Rc<Value>)>,
    /// This frame's simulated clock: when it runs next. A child's starts when its parent
    /// starts it; `Execution::advance_clock` moves it on when the frame blocks.
    pub(super) now: Millis,
    /// The event the next event of this frame follows (`previousEventId`).
    pub(super) last_event: u64,
    /// False inside a distributed Map's child executions that keep no history (past the
    /// bound in `map_run.rs`): their events are recorded nowhere.
    pub(super) recorded: bool,
    /// The child execution (its index in `Execution::child_executions`) whose history this
    /// frame's events go to; none for this execution's own history (`map_run.rs`).
    pub(super) child_execution: Option<usize>,
    /// The state this frame is in, named in its events.
    pub(super) state: Option<Rc<str>>,
    /// This branch's or iteration's entry in `Execution::child_traces`, when traces are
    /// recorded.
    pub(super) child_trace: Option<usize>,
    /// The workflow variables this frame sees: its own and, read-only, its parents' as they
    /// were when it started (a Map iteration or Parallel branch cannot assign outer ones).
    pub(super) variables: Rc<Map<String, Value>>,
    /// Where the frame stopped, and on a redrive where its children go on from.
    pub(super) redrive: super::redrive::FrameRedrive,
    pub(super) action: Action,
}

/// What a frame does when it runs next.
pub(super) enum Action {
    /// Enter the state at this index of the frame's machine's states.
    Enter {
        state: usize,
        input: Rc<Value>,
    },
    Run(Box<StateRun>),
    /// The frame has ended with this output (shared with its last state's Exited event) or
    /// error.
    Done(Result<Rc<Value>, StatesError>),
    /// What a frame holds while its action is being carried out.
    Vacant,
}

/// The action that enters the state `name` of `machine`, or fails if there is none (validation
/// makes sure there always is).
pub(super) fn enter_action(machine: &StateMachine, name: &str, input: Rc<Value>) -> Action {
    match machine.states.get_index_of(name) {
        Some(state) => Action::Enter { state, input },
        None => Action::Done(Err(StatesError::runtime(format!(
            "The state '{name}' does not exist"
        )))),
    }
}

/// A frame's place in line among those ready to run: its clock first, then the order in which
/// it got in line.
type Place = (Millis, u64);

/// The frames of a run, and the one place that decides which runs next: the scheduler.
///
/// A frame is either ready to run (at its clock, `Frame::now`) or waiting for its children (a
/// Parallel or Map state whose branches or iterations run). The next frame to run is the ready
/// one earliest on the clock, so every history comes out in time order. Frames due at the
/// same instant run in the order they got in line, which makes a run deterministic:
///
/// - a frame that goes on at the same instant keeps its place, so it runs until it blocks (a
///   Wait, a task's duration, a retry's back-off) or ends, before any other frame due then;
/// - a frame that blocks gets in line again at the time it wakes up;
/// - the branches or iterations a Parallel or Map state starts get in line in index order, so
///   at the same instant branch 0 runs until it blocks, then branch 1, and so on;
/// - a Parallel or Map state whose last child ended (or one failed) gets in line at that
///   instant, and so does an iteration started in the slot another one freed.
///
/// AWS's recorded histories do not fix the order of events of concurrent branches at one
/// instant (its own order varies from run to run); this one reproduces every recorded history,
/// which are all sequential (docs/research/concurrency.md §4b).
#[derive(Default)]
pub(super) struct Frames {
    /// The frame taken out last when it goes on at the same instant: it stays first in line.
    /// (Most actions leave their frame where it was; this spares them the queue.)
    running: Option<(Place, Frame)>,
    /// The frames ready to run, earliest first: their places in `slots`. (The queue holds
    /// indices, not frames, so that keeping it in order never moves a frame.)
    ready: BTreeMap<Place, usize>,
    /// The ready frames, each with its place in line; free slots are reused.
    slots: Vec<Option<(Place, Frame)>>,
    free: Vec<usize>,
    /// Parallel and Map frames waiting for their branches or iterations.
    waiting: Vec<Frame>,
    /// The frame taken out last, and the place it had.
    taken: Option<(FrameId, Place)>,
    /// The id of the next frame made.
    next_id: u64,
    /// The next place in line at any instant.
    next_in_line: u64,
}

impl Frames {
    /// An id for a new frame.
    pub(super) fn new_id(&mut self) -> FrameId {
        let id = FrameId(self.next_id);
        self.next_id = self.next_id.saturating_add(1);
        id
    }

    /// Puts a frame (back) in line, to run at its clock. The frame taken out last keeps its
    /// place if its clock has not moved: it runs on.
    pub(super) fn push(&mut self, frame: Frame) {
        if let Some((id, place)) = self.taken {
            if id == frame.id && place.0 == frame.now && self.running.is_none() {
                self.running = Some((place, frame));
                return;
            }
        }
        let place = (frame.now, self.next_in_line);
        self.next_in_line = self.next_in_line.saturating_add(1);
        let slot = match self.free.pop() {
            Some(slot) => {
                if let Some(free) = self.slots.get_mut(slot) {
                    *free = Some((place, frame));
                }
                slot
            }
            None => {
                self.slots.push(Some((place, frame)));
                self.slots.len().saturating_sub(1)
            }
        };
        self.ready.insert(place, slot);
    }

    /// Takes the ready frame out of `slot`.
    fn take_slot(&mut self, slot: usize) -> Option<(Place, Frame)> {
        let taken = self.slots.get_mut(slot)?.take();
        if taken.is_some() {
            self.free.push(slot);
        }
        taken
    }

    /// Puts aside a Parallel or Map frame until its children are done (see `take_parent`).
    pub(super) fn wait(&mut self, frame: Frame) {
        self.waiting.push(frame);
    }

    /// Takes out the frame that runs next: the ready one earliest on the clock.
    pub(super) fn take_next(&mut self) -> Option<Frame> {
        let (place, frame) = match self.running.take() {
            Some(running) => running,
            None => {
                let (_, slot) = self.ready.pop_first()?;
                self.take_slot(slot)?
            }
        };
        self.taken = Some((frame.id, place));
        Some(frame)
    }

    /// The frame that runs next, and when: the ready one earliest on the clock.
    pub(super) fn peek_next(&self) -> Option<(Millis, FrameId)> {
        match &self.running {
            Some(((now, _), frame)) => Some((*now, frame.id)),
            None => {
                let ((now, _), slot) = self.ready.first_key_value()?;
                let (_, frame) = self.slots.get(*slot)?.as_ref()?;
                Some((*now, frame.id))
            }
        }
    }

    /// Takes out the ready frame `id` (to run it at another time: a task's token answered).
    pub(super) fn take(&mut self, id: FrameId) -> Option<Frame> {
        // Put back, it gets in line anew (it does not run on as the frame taken last would).
        if self.taken.is_some_and(|(taken, _)| taken == id) {
            self.taken = None;
        }
        self.take_all(|frame| frame.id == id).pop()
    }

    /// When the next frame runs: the earliest clock among the ready frames.
    pub(super) fn next_time(&self) -> Option<Millis> {
        match (&self.running, self.ready.first_key_value()) {
            (Some(((now, _), _)), _) => Some(*now),
            (None, Some(((now, _), _))) => Some(*now),
            (None, None) => None,
        }
    }

    /// Takes out the waiting parent of `child`, to hand it the child's result; none for the
    /// root.
    pub(super) fn take_parent(&mut self, child: &Frame) -> Option<Frame> {
        let parent = child.parent?;
        let index = self.waiting.iter().rposition(|frame| frame.id == parent)?;
        Some(self.waiting.swap_remove(index))
    }

    /// Takes out every child of `parent` (ready or waiting), to stop them.
    pub(super) fn take_children(&mut self, parent: FrameId) -> Vec<Frame> {
        self.take_all(|frame| frame.parent == Some(parent))
    }

    /// Takes out the root frame (ready or waiting), to stop the execution.
    pub(super) fn take_root(&mut self) -> Option<Frame> {
        self.take_all(|frame| frame.parent.is_none()).pop()
    }

    /// Takes out every frame `is_child` picks, wherever it is (running, ready or waiting).
    fn take_all(&mut self, is_child: impl Fn(&Frame) -> bool) -> Vec<Frame> {
        let mut children = Vec::new();
        if self
            .running
            .as_ref()
            .is_some_and(|(_, frame)| is_child(frame))
        {
            children.extend(self.running.take().map(|(_, frame)| frame));
        }
        let slots: Vec<usize> = self
            .slots
            .iter()
            .enumerate()
            .filter(|(_, slot)| slot.as_ref().is_some_and(|(_, frame)| is_child(frame)))
            .map(|(index, _)| index)
            .collect();
        for slot in slots {
            if let Some((place, frame)) = self.take_slot(slot) {
                self.ready.remove(&place);
                children.push(frame);
            }
        }
        let mut index = 0;
        while index < self.waiting.len() {
            if self.waiting.get(index).is_some_and(&is_child) {
                children.push(self.waiting.swap_remove(index));
            } else {
                index = index.saturating_add(1);
            }
        }
        children
    }

    /// Drops every frame: the execution has ended.
    pub(super) fn clear(&mut self) {
        self.running = None;
        self.ready.clear();
        self.slots.clear();
        self.free.clear();
        self.waiting.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn machine() -> Rc<StateMachine> {
        let text = r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}"#;
        Rc::new(crate::parse_definition(text).into_machine().expect("valid"))
    }

    fn frame(frames: &mut Frames, parent: Option<FrameId>, index: usize, now: Millis) -> Frame {
        let machine = machine();
        Frame {
            id: frames.new_id(),
            parent,
            index,
            announce: None,
            action: enter_action(&machine, "P", Rc::new(Value::Null)),
            machine,
            map_item: None,
            now,
            last_event: 0,
            recorded: true,
            child_execution: None,
            state: None,
            child_trace: None,
            variables: Rc::new(Map::new()),
            redrive: Default::default(),
        }
    }

    fn order(frames: &mut Frames) -> Vec<usize> {
        std::iter::from_fn(|| frames.take_next().map(|f| f.index)).collect()
    }

    #[test]
    fn earliest_first_then_in_line_order() {
        let mut frames = Frames::default();
        for (index, now) in [(0, 5), (1, 1), (2, 5), (3, 1)] {
            let f = frame(&mut frames, None, index, now);
            frames.push(f);
        }
        assert_eq!(frames.next_time(), Some(1));
        assert_eq!(order(&mut frames), [1, 3, 0, 2]);
        assert_eq!(frames.next_time(), None);
    }

    #[test]
    fn a_frame_going_on_at_the_same_instant_keeps_its_place() {
        let mut frames = Frames::default();
        for index in 0..2 {
            let f = frame(&mut frames, None, index, 0);
            frames.push(f);
        }
        let first = frames.take_next().expect("a frame");
        assert_eq!(first.index, 0);
        frames.push(first);
        let again = frames.take_next().expect("a frame");
        assert_eq!(again.index, 0, "it runs on before frame 1");
        let mut blocked = again;
        blocked.now = 1;
        frames.push(blocked);
        assert_eq!(order(&mut frames), [1, 0]);
    }

    #[test]
    fn children_are_taken_out_wherever_they_are() {
        let mut frames = Frames::default();
        let parent = frame(&mut frames, None, 0, 0);
        let parent_id = parent.id;
        frames.wait(parent);
        for (index, now) in [(0, 3), (1, 0), (2, 7)] {
            let f = frame(&mut frames, Some(parent_id), index, now);
            frames.push(f);
        }
        let other = frame(&mut frames, None, 9, 2);
        frames.push(other);
        let running = frames.take_next().expect("a frame");
        assert_eq!(running.index, 1);
        frames.push(running);
        let mut children: Vec<usize> = frames
            .take_children(parent_id)
            .iter()
            .map(|f| f.index)
            .collect();
        children.sort_unstable();
        assert_eq!(children, [0, 1, 2]);
        assert_eq!(order(&mut frames), [9]);
        assert!(
            frames.take_root().is_some(),
            "the waiting parent is still there"
        );
    }
}
