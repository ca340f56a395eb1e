//! The real clocks: the wall clock that stamps requests and the monotonic one that times
//! them. Nothing else in the workspace reads either.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use cognito_core::Clock;
use cognito_http::Stopwatch;
use cognito_model::Timestamp;

/// The system's wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    // The one reading of the wall clock in the workspace; everything else gets `now` from here.
    #[allow(clippy::disallowed_methods)]
    fn now(&self) -> Timestamp {
        let millis = match SystemTime::now().duration_since(UNIX_EPOCH) {
            Ok(since) => i64::try_from(since.as_millis()).unwrap_or(i64::MAX),
            // A clock set before 1970: count backwards.
            Err(e) => i64::try_from(e.duration().as_millis()).map_or(i64::MIN, |m| -m),
        };
        Timestamp::from_millis(millis)
    }
}

/// The system's monotonic clock, counted from when the stopwatch started.
#[derive(Debug, Clone, Copy)]
pub struct SystemStopwatch {
    origin: Instant,
}

impl SystemStopwatch {
    /// A stopwatch started now.
    // The monotonic clock is read only here and in `micros`, to time requests for the log.
    #[allow(clippy::disallowed_methods)]
    pub fn start() -> Self {
        SystemStopwatch {
            origin: Instant::now(),
        }
    }
}

impl Stopwatch for SystemStopwatch {
    #[allow(clippy::disallowed_methods)]
    fn micros(&self) -> u64 {
        let elapsed = Instant::now().saturating_duration_since(self.origin);
        u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wall_clock_is_after_2025() {
        assert!(SystemClock.now() > Timestamp::from_secs(1_735_689_600));
    }

    #[test]
    fn the_stopwatch_never_goes_back() {
        let stopwatch = SystemStopwatch::start();
        let a = stopwatch.micros();
        let b = stopwatch.micros();
        assert!(b >= a);
    }
}
