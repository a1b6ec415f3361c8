//! Emitting history events: every event of an execution is appended here, with the next id.
//!
//! A frame's event follows the frame's last one ([`Execution::emit`]); the few that AWS links
//! elsewhere (a Map's Succeeded and its Map Run's events, an iteration's events, the execution's
//! end) name the event they follow ([`Execution::push_event`]).

use super::*;

/// The events of one Map iteration.
#[derive(Debug, Clone, Copy)]
pub(super) enum IterationEvent {
    Started,
    Succeeded,
    Failed,
    Aborted,
}

impl IterationEvent {
    fn kind(self) -> EventKind {
        match self {
            IterationEvent::Started => EventKind::MapIterationStarted,
            IterationEvent::Succeeded => EventKind::MapIterationSucceeded,
            IterationEvent::Failed => EventKind::MapIterationFailed,
            IterationEvent::Aborted => EventKind::MapIterationAborted,
        }
    }

    fn details_key(self) -> &'static str {
        match self {
            IterationEvent::Started => "mapIterationStartedEventDetails",
            IterationEvent::Succeeded => "mapIterationSucceededEventDetails",
            IterationEvent::Failed => "mapIterationFailedEventDetails",
            IterationEvent::Aborted => "mapIterationAbortedEventDetails",
        }
    }
}

impl Execution {
    /// Emits an event of `frame`, linked to the frame's last event.
    pub(super) fn emit(
        &mut self,
        frame: &mut Frame,
        kind: EventKind,
        details: Option<(&str, Value)>,
    ) -> u64 {
        let details = details.map(|(key, value)| EventDetails::new(key, value));
        self.emit_event(frame, kind, details)
    }

    /// [`Execution::emit`] of an event whose details are built by [`EventDetails`] (the
    /// Entered and Exited events every state has).
    pub(super) fn emit_details(
        &mut self,
        frame: &mut Frame,
        kind: EventKind,
        details: EventDetails,
    ) -> u64 {
        self.emit_event(frame, kind, Some(details))
    }

    /// Appends `frame`'s event at its clock, linked to its last event, unless the frame is not
    /// recorded (a distributed Map's child run): then 0.
    pub(super) fn emit_event(
        &mut self,
        frame: &mut Frame,
        kind: EventKind,
        details: Option<EventDetails>,
    ) -> u64 {
        if !frame.recorded {
            return 0;
        }
        let id = self.record_event(HistoryEvent {
            id: 0,
            previous_event_id: frame.last_event,
            timestamp: frame.now,
            kind,
            details,
            state_name: frame.state.clone(),
        });
        frame.last_event = id;
        id
    }

    /// Appends an event of the state `state` (if any) linked to `previous_event_id`.
    pub(super) fn push_event(
        &mut self,
        timestamp: Millis,
        previous_event_id: u64,
        state: Option<&str>,
        kind: EventKind,
        details: Option<(&str, Value)>,
    ) -> u64 {
        self.record_event(HistoryEvent {
            id: 0,
            previous_event_id,
            timestamp,
            kind,
            details: details.map(|(key, value)| EventDetails::new(key, value)),
            state_name: state.map(Rc::from),
        })
    }

    /// A Map iteration's event (Started, Succeeded, Failed, Aborted) of the Map state `name`, linked to
    /// `previous_event_id` (not to the Map's frame: an iteration's events follow its own).
    pub(super) fn push_map_iteration(
        &mut self,
        timestamp: Millis,
        previous_event_id: u64,
        name: &Rc<str>,
        event: IterationEvent,
        index: usize,
    ) -> u64 {
        let name = Rc::clone(name);
        self.record_event(HistoryEvent {
            id: 0,
            previous_event_id,
            timestamp,
            kind: event.kind(),
            details: Some(EventDetails::map_iteration(
                event.details_key(),
                index as u64,
                Rc::clone(&name),
            )),
            state_name: Some(name),
        })
    }

    /// Appends `event` to the history being written (this execution's, or a Map Run child's:
    /// `map_run.rs`) with the next id, and returns the id.
    pub(super) fn record_event(&mut self, mut event: HistoryEvent) -> u64 {
        if let Some(slot) = self.sink {
            return self.record_child_event(slot, event, false);
        }
        let id = (self.history.len() as u64).saturating_add(1);
        event.id = id;
        self.history.push(event);
        id
    }
}
