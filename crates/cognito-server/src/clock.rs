//! The real clocks: the wall clock that stamps requests and the monotonic one that times
//! them, and the [`MovableClock`] over the wall clock that the test API moves. Nothing
//! else in the workspace reads either.

use std::sync::{Mutex, PoisonError};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use cognito_core::Clock;
use cognito_http::{ClockControl, ClockReading, Stopwatch};
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

/// A clock that shows another clock's time (the wall clock's, by default) plus an offset,
/// or one instant while it is frozen: what requests are stamped with, moved by the test
/// API's `/_cognito/clock`.
pub struct MovableClock<C = SystemClock> {
    real: C,
    state: Mutex<Moved>,
}

/// How a [`MovableClock`] departs from the real time.
#[derive(Debug, Clone, Copy, Default)]
struct Moved {
    /// Added to the real time, in milliseconds.
    offset_millis: i64,
    /// The instant shown while frozen.
    frozen: Option<Timestamp>,
}

impl Default for MovableClock {
    fn default() -> Self {
        MovableClock::over(SystemClock)
    }
}

impl<C: Clock> MovableClock<C> {
    /// A clock showing `real`'s time until it is moved.
    pub fn over(real: C) -> Self {
        MovableClock {
            real,
            state: Mutex::new(Moved::default()),
        }
    }

    /// Changes the state under its lock; nothing in `f` can panic, so a poisoned lock's
    /// state is whole.
    fn change(&self, f: impl FnOnce(&mut Moved, Timestamp)) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let real = self.real.now();
        f(&mut state, real);
    }

    fn moved(&self) -> Moved {
        *self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl<C: Clock> Clock for MovableClock<C> {
    fn now(&self) -> Timestamp {
        let moved = self.moved();
        moved
            .frozen
            .unwrap_or_else(|| self.real.now().plus_millis(moved.offset_millis))
    }
}

impl<C: Clock> ClockControl for MovableClock<C> {
    fn reading(&self) -> ClockReading {
        let moved = self.moved();
        let real = self.real.now();
        let now = moved
            .frozen
            .unwrap_or_else(|| real.plus_millis(moved.offset_millis));
        ClockReading {
            now,
            offset_millis: now.millis().saturating_sub(real.millis()),
            frozen: moved.frozen.is_some(),
        }
    }

    fn advance(&self, millis: i64) {
        self.change(|m, _| {
            m.offset_millis = m.offset_millis.saturating_add(millis);
            m.frozen = m.frozen.map(|t| t.plus_millis(millis));
        });
    }

    fn set(&self, to: Timestamp) {
        self.change(|m, real| {
            m.offset_millis = to.millis().saturating_sub(real.millis());
            m.frozen = m.frozen.map(|_| to);
        });
    }

    fn freeze(&self, frozen: bool) {
        self.change(|m, real| {
            let shown = m
                .frozen
                .unwrap_or_else(|| real.plus_millis(m.offset_millis));
            m.offset_millis = shown.millis().saturating_sub(real.millis());
            m.frozen = frozen.then_some(shown);
        });
    }

    fn reset(&self) {
        self.change(|m, _| *m = Moved::default());
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

    /// A real clock the tests move by hand.
    struct Hand(std::sync::atomic::AtomicI64);

    impl Clock for Hand {
        fn now(&self) -> Timestamp {
            Timestamp::from_millis(self.0.load(std::sync::atomic::Ordering::Relaxed))
        }
    }

    impl Hand {
        fn tick(&self, millis: i64) {
            self.0
                .fetch_add(millis, std::sync::atomic::Ordering::Relaxed);
        }
    }

    fn reading(now: i64, offset_millis: i64, frozen: bool) -> ClockReading {
        ClockReading {
            now: Timestamp::from_millis(now),
            offset_millis,
            frozen,
        }
    }

    #[test]
    fn a_movable_clock_runs_with_the_real_one_plus_its_offset() {
        let clock = MovableClock::over(Hand(1_000_000.into()));
        assert_eq!(clock.reading(), reading(1_000_000, 0, false));
        clock.advance(3_600_000);
        assert_eq!(clock.now(), Timestamp::from_millis(4_600_000));
        clock.real.tick(5);
        assert_eq!(clock.reading(), reading(4_600_005, 3_600_000, false));
        clock.set(Timestamp::from_millis(10));
        assert_eq!(clock.reading(), reading(10, -999_995, false));
        clock.advance(-10);
        assert_eq!(clock.now(), Timestamp::from_millis(0));
        clock.reset();
        assert_eq!(clock.reading(), reading(1_000_005, 0, false));
    }

    #[test]
    fn a_frozen_clock_stays_where_it_is_moved() {
        let clock = MovableClock::over(Hand(1_000_000.into()));
        clock.advance(60_000);
        clock.freeze(true);
        clock.real.tick(30_000);
        assert_eq!(clock.reading(), reading(1_060_000, 30_000, true));
        clock.advance(1_000);
        clock.real.tick(30_000);
        assert_eq!(clock.now(), Timestamp::from_millis(1_061_000));
        clock.set(Timestamp::from_millis(5_000_000));
        assert_eq!(clock.reading(), reading(5_000_000, 3_940_000, true));
        // Released, it runs on from where it stood.
        clock.freeze(false);
        clock.real.tick(1);
        assert_eq!(clock.reading(), reading(5_000_001, 3_940_000, false));
        clock.freeze(true);
        clock.reset();
        assert_eq!(clock.reading(), reading(1_060_001, 0, false));
    }

    #[test]
    fn the_stopwatch_never_goes_back() {
        let stopwatch = SystemStopwatch::start();
        let a = stopwatch.micros();
        let b = stopwatch.micros();
        assert!(b >= a);
    }
}
