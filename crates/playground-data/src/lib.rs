//! The playground's plain data, which its page and its engine's Web Worker both use and which
//! needs neither the engine nor a browser: the [`protocol`] between them, [`history`] rows,
//! the state machine's [`display_graph`] and its [`layout`], [`share`] links, saved work
//! ([`storage`], on any key-value store), the [`examples`] menu, the nesting of Parallel branches and Map iterations ([`fanout`]), small text [`format`]s,
//! the run's [`playback`] clock and the [`workspace`]'s state machines.

pub mod display_graph;
pub mod examples;
pub mod fanout;
pub mod format;
pub mod history;
pub mod layout;
pub mod playback;
pub mod protocol;
pub mod share;
pub mod storage;
pub mod workspace;
