//! AWS's service quotas that change behaviour, on by default and switchable.

/// The quotas an execution enforces. `None` turns one off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Events in one execution's history: 25,000 on AWS; the execution fails past it.
    pub max_history_events: Option<usize>,
    /// Bytes of one payload (input, output, result): 256 KiB on AWS
    /// (`States.DataLimitExceeded`).
    pub max_payload_bytes: Option<usize>,
}

pub const AWS_MAX_HISTORY_EVENTS: usize = 25_000;
pub const AWS_MAX_PAYLOAD_BYTES: usize = 256 * 1024;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_history_events: Some(AWS_MAX_HISTORY_EVENTS),
            max_payload_bytes: Some(AWS_MAX_PAYLOAD_BYTES),
        }
    }
}

impl Limits {
    /// No limits: for long simulations and benchmarks.
    pub fn none() -> Self {
        Limits {
            max_history_events: None,
            max_payload_bytes: None,
        }
    }
}
