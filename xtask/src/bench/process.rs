//! What `/proc` tells about a process: its resident memory and the CPU time it used.
//!
//! The harness watches the server it started, or the one named by `--server-pid`, and
//! itself. CPU time per request is steadier than throughput on a machine that other work
//! shares, so the report gives both.

use std::time::Duration;

/// Clock ticks per second of `/proc/<pid>/stat` (`USER_HZ`, 100 on Linux).
const TICKS_PER_SECOND: u64 = 100;

/// A process on this machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Process {
    /// The process with this id.
    Pid(u32),
    /// The load generator itself.
    Own,
}

impl Process {
    fn proc_dir(self) -> String {
        match self {
            Process::Pid(pid) => format!("/proc/{pid}"),
            Process::Own => "/proc/self".to_string(),
        }
    }

    /// Resident memory now and at its peak, from `/proc/<pid>/status`.
    pub fn memory(self) -> Result<Memory, String> {
        let path = format!("{}/status", self.proc_dir());
        let status =
            std::fs::read_to_string(&path).map_err(|e| format!("cannot read {path}: {e}"))?;
        let field = |name: &str| -> Result<u64, String> {
            status
                .lines()
                .find_map(|line| line.strip_prefix(name))
                .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
                .map(|kib: u64| kib * 1024)
                .ok_or_else(|| format!("no {name} in {path}"))
        };
        Ok(Memory {
            rss: field("VmRSS:")?,
            peak: field("VmHWM:")?,
        })
    }

    /// User and system CPU time of all its threads so far, from `/proc/<pid>/stat`
    /// (10 ms resolution).
    pub fn cpu(self) -> Result<Duration, String> {
        let path = format!("{}/stat", self.proc_dir());
        let stat =
            std::fs::read_to_string(&path).map_err(|e| format!("cannot read {path}: {e}"))?;
        parse_cpu(&stat).ok_or_else(|| format!("cannot parse {path}"))
    }
}

/// `utime + stime` of a `stat` line. The command name, in parentheses, may hold spaces,
/// so fields are counted from the last `)`: state is field 3, utime 14 and stime 15.
fn parse_cpu(stat: &str) -> Option<Duration> {
    let (_, rest) = stat.rsplit_once(')')?;
    let mut fields = rest.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    let ticks = utime.checked_add(stime)?;
    Some(Duration::from_millis(
        ticks.checked_mul(1000)? / TICKS_PER_SECOND,
    ))
}

/// The load averages over 1, 5 and 15 minutes, from `/proc/loadavg`: other work on the
/// machine shows there.
pub fn load_average() -> Option<String> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    let fields: Vec<&str> = text.split_whitespace().take(3).collect();
    (fields.len() == 3).then(|| fields.join(" "))
}

/// Resident set sizes, in bytes.
#[derive(Debug, Clone, Copy)]
pub struct Memory {
    /// `VmRSS`.
    pub rss: u64,
    /// `VmHWM`, the peak.
    pub peak: u64,
}

/// CPU time used by two processes over a span.
#[derive(Debug, Clone, Copy)]
pub struct CpuMeter {
    server: Option<(Process, Duration)>,
    own: Option<Duration>,
}

/// What a [`CpuMeter`] measured.
#[derive(Debug, Clone, Copy, Default)]
pub struct CpuUse {
    /// CPU time of the server, when it is watched.
    pub server: Option<Duration>,
    /// CPU time of the load generator.
    pub own: Option<Duration>,
}

impl CpuMeter {
    /// Starts measuring the generator and, if given, the server.
    pub fn start(server: Option<Process>) -> CpuMeter {
        CpuMeter {
            server: server.and_then(|p| p.cpu().ok().map(|t| (p, t))),
            own: Process::Own.cpu().ok(),
        }
    }

    /// CPU time used since [`CpuMeter::start`].
    pub fn stop(self) -> CpuUse {
        CpuUse {
            server: self
                .server
                .and_then(|(p, before)| Some(p.cpu().ok()?.saturating_sub(before))),
            own: self
                .own
                .and_then(|before| Some(Process::Own.cpu().ok()?.saturating_sub(before))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_from_stat() {
        let stat = "4242 (cognito server) S 1 4242 4242 0 -1 4194560 1033 0 0 0 \
                    250 75 0 0 20 0 3 0 1234 0 0";
        assert_eq!(parse_cpu(stat), Some(Duration::from_millis(3250)));
        assert_eq!(parse_cpu("garbage"), None);
    }

    #[test]
    fn reads_its_own_process() {
        assert!(Process::Own.memory().unwrap().rss > 0);
        assert!(Process::Own.cpu().is_ok());
    }
}
