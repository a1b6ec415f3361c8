//! Frames: the state machines an execution runs, each on its own simulated clock.
//!
//! The top-level state machine runs in the root frame; each Parallel branch and Map iteration
//! runs in a child frame, linked to the frame of its Parallel or Map state by [`FrameId`].
//! A frame carries everything its state machine needs to go on: its clock, the last event it
//! emitted (the next one's `previousEventId`), its variables and its next [`Action`].
//!
//! [`Frames`] holds the frames waiting to run and is the one place that decides which runs
//! next.

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
    pub(super) machine: Rc<StateMachine>,
    /// `$$.Map.Item` of a Map iteration.
    pub(super) map_item: Option<(usize, Rc<Value>)>,
    /// This frame's simulated clock: when its next event happens. A child's starts when its
    /// parent starts it; `Execution::advance_clock` moves it on.
    pub(super) now: Millis,
    /// The event the next event of this frame follows (`previousEventId`).
    pub(super) last_event: u64,
    /// False inside a distributed Map: its iterations are child executions with histories of
    /// their own, not events of this one.
    pub(super) recorded: bool,
    /// The state this frame is in, named in its events.
    pub(super) state: Option<Rc<str>>,
    /// The workflow variables this frame sees: its own and, read-only, its parents' as they
    /// were when it started (a Map iteration or Parallel branch cannot assign outer ones).
    pub(super) variables: Rc<Map<String, Value>>,
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

/// The frames waiting to run.
///
/// Today a stack: the frame pushed last runs next, so a branch or iteration runs to its end
/// before its Parallel or Map state goes on, and the next one starts. (A scheduler that runs
/// the frame earliest on its clock would replace this.)
#[derive(Default)]
pub(super) struct Frames {
    stack: Vec<Frame>,
    /// The id of the next frame made.
    next_id: u64,
}

impl Frames {
    /// An id for a new frame.
    pub(super) fn new_id(&mut self) -> FrameId {
        let id = FrameId(self.next_id);
        self.next_id = self.next_id.saturating_add(1);
        id
    }

    /// Puts a frame (back) among those waiting to run.
    pub(super) fn push(&mut self, frame: Frame) {
        self.stack.push(frame);
    }

    /// Takes out the frame that runs next.
    pub(super) fn take_next(&mut self) -> Option<Frame> {
        self.stack.pop()
    }

    /// Takes out the parent of `child`, to hand it the child's result; none for the root.
    pub(super) fn take_parent(&mut self, child: &Frame) -> Option<Frame> {
        let parent = child.parent?;
        // On a stack the parent is the top frame.
        let index = self.stack.iter().rposition(|frame| frame.id == parent)?;
        Some(self.stack.remove(index))
    }

    /// The root frame, if it is waiting to run.
    pub(super) fn root(&self) -> Option<&Frame> {
        self.stack.iter().find(|frame| frame.parent.is_none())
    }

    /// The latest clock among the frames waiting to run.
    pub(super) fn latest_now(&self) -> Option<Millis> {
        self.stack.iter().map(|frame| frame.now).max()
    }

    /// Drops every frame: the execution has ended.
    pub(super) fn clear(&mut self) {
        self.stack.clear();
    }
}
