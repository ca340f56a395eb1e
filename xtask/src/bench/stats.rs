//! Measuring: the monotonic clock and latency percentiles.

use std::fmt;
use std::time::{Duration, Instant};

/// The monotonic clock.
// The server crates take time as a parameter; measuring it is what a load generator is for.
#[allow(clippy::disallowed_methods)]
pub fn now() -> Instant {
    Instant::now()
}

/// Latencies of one scenario, in nanoseconds: exact percentiles from a sorted vector.
#[derive(Debug, Clone, Default)]
pub struct Latencies {
    nanos: Vec<u64>,
    sorted: bool,
}

impl Latencies {
    /// Room for `capacity` samples, so that recording does not allocate.
    pub fn with_capacity(capacity: usize) -> Latencies {
        Latencies {
            nanos: Vec::with_capacity(capacity),
            sorted: true,
        }
    }

    /// Records one sample.
    pub fn record(&mut self, latency: Duration) {
        let nanos = u64::try_from(latency.as_nanos()).unwrap_or(u64::MAX);
        self.nanos.push(nanos);
        self.sorted = false;
    }

    /// Adds the samples of `other`.
    pub fn merge(&mut self, other: Latencies) {
        self.nanos.extend(other.nanos);
        self.sorted = false;
    }

    /// p50, p99 and max; `None` without samples.
    pub fn summary(&mut self) -> Option<Summary> {
        if !self.sorted {
            self.nanos.sort_unstable();
            self.sorted = true;
        }
        Some(Summary {
            p50: self.quantile(0.50)?,
            p99: self.quantile(0.99)?,
            max: self.nanos.last().copied().map(Duration::from_nanos)?,
        })
    }

    /// The smallest sample that `q` of all samples do not exceed (nearest rank).
    fn quantile(&self, q: f64) -> Option<Duration> {
        let n = self.nanos.len();
        let rank = (q * n as f64).ceil() as usize;
        let index = rank.clamp(1, n.max(1)) - 1;
        self.nanos.get(index).copied().map(Duration::from_nanos)
    }
}

/// Latency percentiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// Median.
    pub p50: Duration,
    /// 99th percentile.
    pub p99: Duration,
    /// Slowest.
    pub max: Duration,
}

/// A duration printed with a unit that suits it: `850 µs`, `1.23 ms`, `2.50 s`.
#[derive(Debug, Clone, Copy)]
pub struct Human(pub Duration);

impl fmt::Display for Human {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let nanos = self.0.as_nanos() as f64;
        let text = if nanos < 1_000.0 {
            format!("{nanos:.0} ns")
        } else if nanos < 10_000.0 {
            format!("{:.1} µs", nanos / 1e3)
        } else if nanos < 1_000_000.0 {
            format!("{:.0} µs", nanos / 1e3)
        } else if nanos < 1_000_000_000.0 {
            format!("{:.2} ms", nanos / 1e6)
        } else {
            format!("{:.2} s", nanos / 1e9)
        };
        f.pad(&text)
    }
}

/// A CPU time per request, with one decimal up to 100 µs (`16.4 µs`), where the
/// project's targets lie and a tenth of a microsecond is a change worth seeing; longer
/// times print as [`Human`].
#[derive(Debug, Clone, Copy)]
pub struct CpuTime(pub Duration);

impl fmt::Display for CpuTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let nanos = self.0.as_nanos() as f64;
        if (1_000.0..100_000.0).contains(&nanos) {
            f.pad(&format!("{:.1} µs", nanos / 1e3))
        } else {
            Human(self.0).fmt(f)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let mut l = Latencies::with_capacity(100);
        for i in (1..=100).rev() {
            l.record(Duration::from_micros(i));
        }
        let s = l.summary().unwrap();
        assert_eq!(s.p50, Duration::from_micros(50));
        assert_eq!(s.p99, Duration::from_micros(99));
        assert_eq!(s.max, Duration::from_micros(100));
        assert_eq!(Latencies::default().summary(), None);
    }

    #[test]
    fn human_durations() {
        let cases = [
            (Duration::from_nanos(420), "420 ns"),
            (Duration::from_nanos(8_460), "8.5 µs"),
            (Duration::from_micros(850), "850 µs"),
            (Duration::from_micros(1234), "1.23 ms"),
            (Duration::from_millis(2500), "2.50 s"),
        ];
        for (d, want) in cases {
            assert_eq!(Human(d).to_string(), want);
        }
    }

    #[test]
    fn cpu_times() {
        let cases = [
            (Duration::from_nanos(420), "420 ns"),
            (Duration::from_nanos(16_440), "16.4 µs"),
            (Duration::from_nanos(99_940), "99.9 µs"),
            (Duration::from_micros(966), "966 µs"),
            (Duration::from_micros(1310), "1.31 ms"),
        ];
        for (d, want) in cases {
            assert_eq!(CpuTime(d).to_string(), want);
        }
    }
}
