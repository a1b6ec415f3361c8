//! The playground's plain data, which its page and its engine's Web Worker both use and which
//! needs neither the engine nor a browser: [`share`] links, saved work ([`storage`], on any
//! key-value store), the [`examples`] menu, small text [`format`]s, the run's [`playback`] clock and the state machine's
//! [`display_graph`] types.

pub mod display_graph;
pub mod examples;
pub mod format;
pub mod playback;
pub mod share;
pub mod storage;
