//! The shape of a state machine as a graph for display: states as nodes (Parallel branches and
//! Map item processors nested inside their state), transitions as labelled edges. The UI lays
//! it out and draws it; what counts as a transition is ASL semantics, so it lives here.
//! (Stub: the graph helper fills this in.)
