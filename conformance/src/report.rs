//! The list of known failures, the per-operation table and the verdict.
//!
//! `conformance/expected_failures.toml` maps case ids, or prefixes ending in `*`, to the
//! reason they fail. A run fails when a case fails that no entry covers, and when an
//! entry covers no failing case: a fixed gap must leave the list, so it only shrinks.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use super::{Group, Outcome};

/// Known failures: pattern → reason.
#[derive(Debug, Default)]
pub struct Expected {
    pub entries: BTreeMap<String, String>,
}

impl Expected {
    pub fn load(path: &Path) -> Result<Expected, String> {
        if !path.exists() {
            return Ok(Expected::default());
        }
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Expected::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    pub fn parse(text: &str) -> Result<Expected, String> {
        let table: toml::Table = text.parse().map_err(|e| format!("not TOML: {e}"))?;
        let mut entries = BTreeMap::new();
        for (key, value) in table {
            let reason = value
                .as_str()
                .filter(|r| !r.trim().is_empty())
                .ok_or_else(|| format!("{key}: the reason must be a non-empty string"))?;
            entries.insert(key, reason.to_string());
        }
        Ok(Expected { entries })
    }

    /// The entry covering case `id`.
    pub fn covering(&self, id: &str) -> Option<(&str, &str)> {
        self.entries
            .iter()
            .find(|(pattern, _)| covers(pattern, id))
            .map(|(p, r)| (p.as_str(), r.as_str()))
    }

    /// The file's text.
    pub fn render(&self) -> String {
        let mut out = String::from(
            "# Conformance cases known to fail, each with the reason.\n\
             # Keys are case ids, or prefixes ending in `*`. `cargo xtask conformance` fails when\n\
             # a listed entry no longer covers a failing case, so this list only shrinks.\n\n",
        );
        for (pattern, reason) in &self.entries {
            let _ = writeln!(out, "{} = {}", quote(pattern), quote(reason));
        }
        out
    }
}

fn quote(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// Whether `pattern` (an id, or a prefix ending in `*`) covers `id`.
pub fn covers(pattern: &str, id: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => id.starts_with(prefix),
        None => pattern == id,
    }
}

/// Counts for one table cell.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    passed: usize,
    total: usize,
}

impl Tally {
    fn add(&mut self, passed: bool) {
        self.total += 1;
        self.passed += usize::from(passed);
    }

    fn cell(self) -> String {
        format!("{}/{}", self.passed, self.total)
    }
}

/// What the run concluded.
pub struct Verdict {
    pub text: String,
    pub ok: bool,
}

/// Builds the report of a run over `operations` (every operation of the model).
pub fn report(
    operations: &[String],
    outcomes: &[Outcome],
    expected: &Expected,
    filtered: bool,
    verbose: bool,
) -> Verdict {
    let mut rows: BTreeMap<&str, [Tally; 3]> = operations
        .iter()
        .map(|o| (o.as_str(), [Tally::default(); 3]))
        .collect();
    let mut global = Tally::default();
    let mut unexpected = Vec::new();
    let mut known = Vec::new();
    let mut failing_ops: BTreeMap<&str, bool> = BTreeMap::new();
    for o in outcomes {
        let passed = o.result.is_ok();
        match &o.operation {
            Some(op) => {
                if let Some(row) = rows.get_mut(op.as_str()) {
                    let i = match o.group {
                        Group::Negative => 0,
                        Group::Protocol => 1,
                        Group::Positive => 2,
                    };
                    if let Some(t) = row.get_mut(i) {
                        t.add(passed);
                    }
                }
            }
            None => global.add(passed),
        }
        if let Err(why) = &o.result {
            let covered = expected.covering(&o.id);
            if let Some(op) = &o.operation {
                let entry = failing_ops.entry(op.as_str()).or_insert(false);
                *entry |= covered.is_none();
            }
            match covered {
                Some((_, reason)) => known.push((o.id.as_str(), why.as_str(), reason)),
                None => unexpected.push((o.id.as_str(), why.as_str())),
            }
        }
    }
    let stale: Vec<(&str, &str)> = expected
        .entries
        .iter()
        .filter(|(pattern, _)| {
            let covers_ran = outcomes.iter().any(|o| covers(pattern, &o.id));
            let covers_failure = outcomes
                .iter()
                .any(|o| o.result.is_err() && covers(pattern, &o.id));
            (covers_ran || !filtered) && !covers_failure
        })
        .map(|(p, r)| (p.as_str(), r.as_str()))
        .collect();

    let mut out = String::new();
    let width = operations
        .iter()
        .map(String::len)
        .max()
        .unwrap_or(10)
        .max(10);
    let _ = writeln!(
        out,
        "{:width$}  {:>10}  {:>9}  {:>9}  status",
        "operation", "negative", "protocol", "positive"
    );
    let mut fully = 0;
    for (op, [neg, proto, pos]) in &rows {
        let status = match failing_ops.get(op) {
            // Left out by `--only`.
            None if neg.total + proto.total + pos.total == 0 => continue,
            None => {
                // A filtered run may leave out a group; only whole operations count.
                if neg.total > 0 && proto.total > 0 && pos.total > 0 {
                    fully += 1;
                }
                "pass"
            }
            Some(false) => "known gaps",
            Some(true) => "FAIL",
        };
        let _ = writeln!(
            out,
            "{op:width$}  {:>10}  {:>9}  {:>9}  {status}",
            neg.cell(),
            proto.cell(),
            pos.cell()
        );
    }
    if global.total > 0 {
        let _ = writeln!(
            out,
            "{:width$}  {:>10}  {:>9}",
            "(protocol, once)",
            "",
            global.cell()
        );
    }
    if verbose && !known.is_empty() {
        let _ = writeln!(out, "\nknown failures:");
        for (id, why, reason) in &known {
            let _ = writeln!(out, "  {id} ({reason})\n    {}", indent(why));
        }
    }
    if !unexpected.is_empty() {
        let _ = writeln!(out, "\nunexpected failures:");
        for (id, why) in &unexpected {
            let _ = writeln!(out, "  {id}\n    {}", indent(why));
        }
    }
    if !stale.is_empty() {
        let _ = writeln!(
            out,
            "\nlisted in expected_failures.toml but passing (remove them):"
        );
        for (pattern, reason) in &stale {
            let _ = writeln!(out, "  {pattern} ({reason})");
        }
    }
    let passed = outcomes.iter().filter(|o| o.result.is_ok()).count();
    let _ = writeln!(
        out,
        "\noperations fully passing: {fully}/{}",
        operations.len()
    );
    let _ = writeln!(out, "cases: {passed}/{}", outcomes.len());
    if !unexpected.is_empty() || !stale.is_empty() {
        let _ = writeln!(
            out,
            "{} unexpected failures, {} stale entries",
            unexpected.len(),
            stale.len()
        );
    }
    Verdict {
        text: out,
        ok: unexpected.is_empty() && stale.is_empty(),
    }
}

fn indent(text: &str) -> String {
    text.replace('\n', "\n    ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(id: &str, group: Group, ok: bool) -> Outcome {
        Outcome {
            id: id.to_string(),
            operation: id.split('/').next().map(str::to_string),
            group,
            result: if ok { Ok(()) } else { Err("no".to_string()) },
        }
    }

    fn ops() -> Vec<String> {
        vec!["A".to_string(), "B".to_string()]
    }

    #[test]
    fn prefixes_cover_ids() {
        assert!(covers("ListUsers/positive/*", "ListUsers/positive/missing"));
        assert!(!covers(
            "ListUsers/positive/*",
            "ListUsersInGroup/positive/missing"
        ));
        assert!(covers("A/negative/X/missing", "A/negative/X/missing"));
    }

    #[test]
    fn listed_failures_pass_and_unlisted_ones_fail() {
        let expected = Expected::parse(r#""B/positive/*" = "not built""#).unwrap();
        let outcomes = [
            outcome("A/negative/X/missing", Group::Negative, true),
            outcome("A/protocol/malformed-json", Group::Protocol, true),
            outcome("A/positive/basic", Group::Positive, true),
            outcome("B/positive/missing", Group::Positive, false),
        ];
        let v = report(&ops(), &outcomes, &expected, false, false);
        assert!(v.ok, "{}", v.text);
        assert!(
            v.text.contains("operations fully passing: 1/2"),
            "{}",
            v.text
        );
        assert!(v.text.contains("cases: 3/4"), "{}", v.text);
        // A filtered run that leaves out a group counts no operation as whole.
        let v = report(&ops(), &outcomes[..1], &expected, true, false);
        assert!(
            v.text.contains("operations fully passing: 0/2"),
            "{}",
            v.text
        );

        let v = report(&ops(), &outcomes, &Expected::default(), false, false);
        assert!(!v.ok);
        assert!(
            v.text
                .contains("unexpected failures:\n  B/positive/missing"),
            "{}",
            v.text
        );
    }

    #[test]
    fn a_listed_case_that_passes_fails_the_run() {
        let expected = Expected::parse(r#""A/positive/basic" = "was broken""#).unwrap();
        let outcomes = [outcome("A/positive/basic", Group::Positive, true)];
        let v = report(&ops(), &outcomes, &expected, false, false);
        assert!(!v.ok);
        assert!(
            v.text
                .contains("but passing (remove them):\n  A/positive/basic"),
            "{}",
            v.text
        );
    }

    #[test]
    fn the_file_round_trips() {
        let mut e = Expected::default();
        e.entries.insert(
            "A/positive/*".into(),
            "operation not implemented yet".into(),
        );
        let again = Expected::parse(&e.render()).unwrap();
        assert_eq!(again.entries, e.entries);
    }
}
