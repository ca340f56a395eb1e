//! Deterministic time and randomness for the tests of this crate.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use cognito_core::{Clock, Random};
use cognito_model::Timestamp;

use crate::{Sources, Stopwatch};

/// Always 2026-01-01T00:00:00Z.
pub(crate) struct FixedClock;

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_secs(1_767_225_600)
    }
}

/// Bytes and ticks from a counter: request ids differ and are predictable.
#[derive(Default)]
pub(crate) struct Counter(AtomicU64);

impl Random for Counter {
    fn fill(&self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let n = self.0.fetch_add(1, Ordering::Relaxed).to_be_bytes();
            chunk.copy_from_slice(&n[..chunk.len()]);
        }
    }
}

impl Stopwatch for Counter {
    fn micros(&self) -> u64 {
        self.0.fetch_add(7, Ordering::Relaxed)
    }
}

/// A fixed clock and counters.
pub(crate) fn sources() -> Sources {
    Sources {
        clock: Arc::new(FixedClock),
        random: Arc::new(Counter::default()),
        stopwatch: Arc::new(Counter::default()),
        clock_control: None,
    }
}
