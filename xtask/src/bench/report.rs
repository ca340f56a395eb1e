//! The results: rows of the table, facts about the server process, and the project's
//! targets checked against them. Tables are printed as Markdown, so that a run can be
//! pasted into `docs/performance.md` as it is.

use std::fmt::Write as _;
use std::time::Duration;

use super::load::Outcome;
use super::process::Memory;
use super::stats::{CpuTime, Human, Summary};

/// One line of the results table.
#[derive(Debug, Clone)]
pub struct Row {
    /// The scenario's name.
    pub name: String,
    /// Connections in use; `None` for measurements that do not go over the network.
    pub concurrency: Option<usize>,
    /// Requests (or iterations) measured.
    pub requests: u64,
    /// How many of them failed.
    pub errors: u64,
    /// Per second.
    pub throughput: f64,
    /// Latency percentiles.
    pub latency: Option<Summary>,
    /// CPU time of the server per request, when it is watched.
    pub server_cpu: Option<Duration>,
    /// CPU time of the load generator per request.
    pub own_cpu: Option<Duration>,
    /// The first failure.
    pub first_error: Option<String>,
    /// A remark printed under the table.
    pub note: Option<String>,
}

impl Row {
    /// The row of a load run.
    pub fn from_outcome(name: &str, concurrency: usize, mut outcome: Outcome) -> Row {
        Row {
            name: name.to_owned(),
            concurrency: Some(concurrency),
            requests: outcome.requests,
            errors: outcome.errors,
            throughput: outcome.throughput(),
            latency: outcome.latencies.summary(),
            server_cpu: outcome.cpu.server.map(|t| per(t, outcome.requests)),
            own_cpu: outcome.cpu.own.map(|t| per(t, outcome.requests)),
            first_error: outcome.first_error.take(),
            note: None,
        }
    }

    /// The share of failed requests.
    pub fn error_rate(&self) -> f64 {
        self.errors as f64 / self.requests.max(1) as f64
    }
}

/// `total` divided among `requests`.
fn per(total: Duration, requests: u64) -> Duration {
    let nanos = total.as_nanos() / u128::from(requests.max(1));
    Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
}

/// What was observed of the server process (only when the harness started it).
#[derive(Debug, Clone, Default)]
pub struct ServerFacts {
    /// Cold starts: spawning to the first answer, one per start.
    pub cold_starts: Vec<Duration>,
    /// Memory right after the start.
    pub idle: Option<Memory>,
    /// Memory once the pool is filled.
    pub loaded: Option<Memory>,
    /// Memory at the end of the run.
    pub end: Option<Memory>,
}

impl ServerFacts {
    /// The median cold start.
    pub fn cold_start(&self) -> Option<Duration> {
        let mut starts = self.cold_starts.clone();
        starts.sort_unstable();
        starts.get(starts.len().saturating_sub(1) / 2).copied()
    }
}

/// The whole report as Markdown.
pub fn render(rows: &[Row], facts: Option<&ServerFacts>, users: u64) -> String {
    let mut out = String::new();
    let header = [
        "scenario",
        "connections",
        "requests",
        "errors",
        "req/s",
        "p50",
        "p99",
        "max",
        "server CPU/req",
        "bench CPU/req",
    ];
    let lines: Vec<[String; 10]> = rows
        .iter()
        .map(|row| {
            let (p50, p99, max) = match row.latency {
                Some(s) => (
                    Human(s.p50).to_string(),
                    Human(s.p99).to_string(),
                    Human(s.max).to_string(),
                ),
                None => ("-".into(), "-".into(), "-".into()),
            };
            [
                row.name.clone(),
                row.concurrency.map_or("-".into(), |c| c.to_string()),
                grouped(row.requests),
                grouped(row.errors),
                grouped(row.throughput.round() as u64),
                p50,
                p99,
                max,
                row.server_cpu
                    .map_or("-".into(), |t| CpuTime(t).to_string()),
                row.own_cpu.map_or("-".into(), |t| CpuTime(t).to_string()),
            ]
        })
        .collect();
    table(&mut out, &header, &lines);

    let notes: Vec<String> = rows
        .iter()
        .filter_map(|row| row.note.as_ref().map(|n| format!("{}: {n}", row.name)))
        .chain(rows.iter().filter_map(|row| {
            row.first_error
                .as_ref()
                .map(|e| format!("{}: first error: {e}", row.name))
        }))
        .chain(floor_notes(rows))
        .chain(totp_note(rows))
        .collect();
    if !notes.is_empty() {
        out.push('\n');
        for note in notes {
            let _ = writeln!(out, "- {note}");
        }
    }

    if let Some(facts) = facts {
        out.push('\n');
        let mut lines = Vec::new();
        if let Some(median) = facts.cold_start() {
            let all: Vec<String> = facts
                .cold_starts
                .iter()
                .map(|d| Human(*d).to_string())
                .collect();
            lines.push([
                "cold start (median)".to_string(),
                format!("{} ({})", Human(median), all.join(", ")),
            ]);
        }
        let memory = [
            ("RSS idle", facts.idle.map(|m| m.rss)),
            (
                &*format!("RSS with {} users", grouped(users)),
                facts.loaded.map(|m| m.rss),
            ),
            ("RSS at the end", facts.end.map(|m| m.rss)),
            ("peak RSS", facts.end.map(|m| m.peak)),
        ];
        for (name, bytes) in memory {
            if let Some(bytes) = bytes {
                lines.push([name.to_string(), mebibytes(bytes)]);
            }
        }
        table(&mut out, &["server", "measured"], &lines);
    }
    out
}

/// What the measured cryptography implies for a sign-in: a `USER_PASSWORD_AUTH` sign-in
/// signs two tokens (RS256), an SRP sign-in also does three exponentiations. Each floor
/// is compared with the server CPU time per sign-in, when both were measured.
fn floor_notes(rows: &[Row]) -> Vec<String> {
    let median = |name: &str| {
        rows.iter()
            .find(|r| r.name == name)
            .and_then(|r| r.latency)
            .map(|s| s.p50)
    };
    let (Some(sign), Some(modexp)) = (median("RS256 sign"), median("modexp 3072")) else {
        return Vec::new();
    };
    let flows = [
        ("USER_PASSWORD_AUTH", "2 RS256", sign * 2),
        ("USER_SRP_AUTH", "3 modexp + 2 RS256", modexp * 3 + sign * 2),
        ("SOFTWARE_TOKEN_MFA", "2 RS256", sign * 2),
    ];
    flows
        .into_iter()
        .map(|(name, what, floor)| {
            let measured = rows
                .iter()
                .filter(|r| r.name == name)
                .find_map(|r| r.server_cpu);
            match measured {
                Some(cpu) => format!(
                    "{name}: floor {what} = {}; server CPU/sign-in {} is {:.2}× the floor \
                     ({} above it)",
                    Human(floor),
                    Human(cpu),
                    cpu.as_secs_f64() / floor.as_secs_f64().max(1e-12),
                    Human(cpu.saturating_sub(floor))
                ),
                None => format!("{name}: floor {what} = {}", Human(floor)),
            }
        })
        .collect()
}

/// How much more server CPU a TOTP sign-in (two requests) costs than a password sign-in
/// (one), when both were measured: the share above 1.
fn totp_overhead(rows: &[Row]) -> Option<(Duration, Duration, f64)> {
    let cpu = |name: &str| rows.iter().find(|r| r.name == name)?.server_cpu;
    let (password, totp) = (cpu("USER_PASSWORD_AUTH")?, cpu("SOFTWARE_TOKEN_MFA")?);
    let overhead = totp.as_secs_f64() / password.as_secs_f64().max(1e-12) - 1.0;
    Some((password, totp, overhead))
}

/// The TOTP sign-in against the password sign-in.
fn totp_note(rows: &[Row]) -> Option<String> {
    let (password, totp, overhead) = totp_overhead(rows)?;
    Some(format!(
        "SOFTWARE_TOKEN_MFA: server CPU/sign-in {} against {} for USER_PASSWORD_AUTH: \
         {:+.1}%",
        Human(totp),
        Human(password),
        overhead * 100.0
    ))
}

/// A project target and whether the run met it.
#[derive(Debug, Clone)]
pub struct Verdict {
    /// What is aimed at.
    pub target: String,
    /// What was measured.
    pub measured: String,
    /// Whether it is met.
    pub met: bool,
}

/// This emulator's targets, for those the run measured.
pub fn verdicts(rows: &[Row], facts: Option<&ServerFacts>, users: u64) -> Vec<Verdict> {
    let mut out = Vec::new();
    let loaded = |name: &str| {
        rows.iter()
            .filter(|r| r.name == name && r.concurrency != Some(1))
            .max_by_key(|r| r.concurrency)
            .or_else(|| rows.iter().find(|r| r.name == name))
    };
    let throughput = [("AdminCreateUser", 45_000.0), ("AdminGetUser", 60_000.0)];
    for (name, target) in throughput {
        if let Some(row) = loaded(name) {
            out.push(Verdict {
                target: format!("{name} ≥ {}/s", grouped(target as u64)),
                measured: format!("{}/s", grouped(row.throughput.round() as u64)),
                met: row.throughput >= target && row.errors == 0,
            });
        }
    }
    if let Some((password, totp, overhead)) = totp_overhead(rows) {
        out.push(Verdict {
            target: "TOTP sign-in ≤ USER_PASSWORD_AUTH + 5% server CPU".to_string(),
            measured: format!(
                "{} vs {} ({:+.1}%)",
                Human(totp),
                Human(password),
                overhead * 100.0
            ),
            met: overhead <= 0.05,
        });
    }
    let serial_filter = rows
        .iter()
        .find(|r| r.name == "ListUsers filter" && r.concurrency == Some(1));
    if let Some(summary) = serial_filter.and_then(|r| r.latency) {
        out.push(Verdict {
            target: format!(
                "ListUsers filter on {} users, p50 < 1 ms (one connection)",
                grouped(users)
            ),
            measured: Human(summary.p50).to_string(),
            met: summary.p50 < Duration::from_millis(1),
        });
    }
    if let Some(facts) = facts {
        if let Some(memory) = facts.loaded {
            out.push(Verdict {
                target: format!("RSS with {} users < 200 MB", grouped(users)),
                measured: mebibytes(memory.rss),
                met: memory.rss < 200 * 1024 * 1024,
            });
        }
        if let Some(memory) = facts.idle {
            out.push(Verdict {
                target: "RSS idle < 10 MB".to_string(),
                measured: mebibytes(memory.rss),
                met: memory.rss < 10 * 1024 * 1024,
            });
        }
        if let Some(cold) = facts.cold_start() {
            out.push(Verdict {
                target: "cold start < 20 ms".to_string(),
                measured: Human(cold).to_string(),
                met: cold < Duration::from_millis(20),
            });
        }
    }
    out
}

/// The verdicts as Markdown.
pub fn render_verdicts(verdicts: &[Verdict]) -> String {
    let lines: Vec<[String; 3]> = verdicts
        .iter()
        .map(|v| {
            [
                v.target.clone(),
                v.measured.clone(),
                if v.met { "met" } else { "missed" }.to_string(),
            ]
        })
        .collect();
    let mut out = String::new();
    table(&mut out, &["target", "measured", ""], &lines);
    out
}

/// A Markdown table with aligned columns; the first column is left-aligned, the others
/// right-aligned.
fn table<const N: usize>(out: &mut String, header: &[&str; N], lines: &[[String; N]]) {
    let mut widths = header.map(|h| h.chars().count());
    for line in lines {
        for (width, cell) in widths.iter_mut().zip(line) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let cells = |out: &mut String, cells: &mut dyn Iterator<Item = &str>| {
        for (i, (cell, width)) in cells.zip(widths).enumerate() {
            if i == 0 {
                let _ = write!(out, "| {cell:<width$} ");
            } else {
                let _ = write!(out, "| {cell:>width$} ");
            }
        }
        out.push_str("|\n");
    };
    cells(out, &mut header.iter().copied());
    for (i, width) in widths.iter().enumerate() {
        let dashes = "-".repeat(*width);
        if i == 0 {
            let _ = write!(out, "|-{dashes}-");
        } else {
            let _ = write!(out, "|-{dashes}:");
        }
    }
    out.push_str("|\n");
    for line in lines {
        cells(out, &mut line.iter().map(String::as_str));
    }
}

/// `1234567` as `1,234,567`.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Bytes as mebibytes with one decimal.
fn mebibytes(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_digits() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1,000");
        assert_eq!(grouped(1234567), "1,234,567");
    }

    #[test]
    fn aligned_markdown() {
        let mut out = String::new();
        table(
            &mut out,
            &["a", "bb"],
            &[["long".into(), "1".into()], ["x".into(), "22".into()]],
        );
        assert_eq!(
            out,
            "| a    | bb |\n|------|---:|\n| long |  1 |\n| x    | 22 |\n"
        );
    }
}
