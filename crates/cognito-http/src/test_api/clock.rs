//! `/_cognito/clock`: reads and moves the time every request is stamped with, so that
//! tests expire tokens, codes, sessions and lockouts without waiting. The clock itself
//! is the embedder's ([`ClockControl`]); this module reads requests and writes answers,
//! and converts RFC 3339 times.

use cognito_model::Timestamp;
use serde_json::{json, Value};

use super::{ok, string_member, Answer};
use crate::aws_json;
use crate::failure::{invalid_parameter as bad_request, Failure};
use crate::Sources;

/// A clock the test API can move: real time plus an offset, or frozen at one instant.
/// The embedder hands the same clock to [`Sources::clock`], so that every request sees
/// the moved time.
pub trait ClockControl: Send + Sync {
    /// The time now, and how it relates to the real time.
    fn reading(&self) -> ClockReading;
    /// Moves the time by `millis` (backwards when negative); a frozen clock stays frozen
    /// at the new time.
    fn advance(&self, millis: i64);
    /// Sets the time to `to`; a frozen clock stays frozen there, a running one runs on
    /// from it.
    fn set(&self, to: Timestamp);
    /// Stops the clock at the time it shows (`true`), or lets it run on from there.
    fn freeze(&self, frozen: bool);
    /// Returns to the real time, running.
    fn reset(&self);
}

/// What [`ClockControl::reading`] answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockReading {
    /// The time requests are stamped with now.
    pub now: Timestamp,
    /// How far that is from the real time, in milliseconds (ahead when positive).
    pub offset_millis: i64,
    /// Whether the clock is stopped.
    pub frozen: bool,
}

/// The clock the test API moves, or the answer that there is none.
fn control(sources: &Sources) -> Result<&dyn ClockControl, Failure> {
    sources
        .clock_control
        .as_deref()
        .ok_or_else(|| bad_request("This server's clock cannot be moved."))
}

/// `GET /_cognito/clock`.
pub(super) fn read(sources: &Sources) -> Answer {
    Ok(ok(reading(control(sources)?.reading())))
}

/// `POST /_cognito/clock` with `{"advance_seconds": N}` or `{"now": "<RFC 3339>" |
/// epoch seconds}`, and optionally `"frozen": true|false`.
pub(super) fn change(sources: &Sources, body: &[u8]) -> Answer {
    let clock = control(sources)?;
    let input = aws_json::parse_input(body)?;
    let advance = match input.get("advance_seconds") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            seconds(v).ok_or_else(|| bad_request("advance_seconds must be a number of seconds"))?,
        ),
    };
    let to = match input.get("now") {
        None | Some(Value::Null) => None,
        Some(Value::String(_)) => {
            let text = string_member(&input, "now")?;
            Some(parse_rfc3339(text).ok_or_else(|| {
                bad_request(format!(
                    "now must be an RFC 3339 time such as 2030-01-01T00:00:00Z, not {text:?}"
                ))
            })?)
        }
        Some(v) => Some(
            seconds(v)
                .map(Timestamp::from_millis)
                .ok_or_else(|| bad_request("now must be an RFC 3339 time or epoch seconds"))?,
        ),
    };
    let frozen = match input.get("frozen") {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => return Err(bad_request("frozen must be true or false")),
    };
    match (advance, to) {
        (Some(_), Some(_)) => {
            return Err(bad_request("Give advance_seconds or now, not both"));
        }
        (None, None) if frozen.is_none() => {
            return Err(bad_request("Give advance_seconds, now or frozen"));
        }
        (Some(millis), None) => clock.advance(millis),
        (None, Some(to)) => clock.set(to),
        (None, None) => {}
    }
    if let Some(frozen) = frozen {
        clock.freeze(frozen);
    }
    Ok(ok(reading(clock.reading())))
}

/// `POST /_cognito/clock/reset` or `DELETE /_cognito/clock`.
pub(super) fn reset(sources: &Sources) -> Answer {
    let clock = control(sources)?;
    clock.reset();
    Ok(ok(reading(clock.reading())))
}

/// A number of seconds (whole or not) as milliseconds, at most 10^11 seconds (some
/// 3,000 years) either way.
fn seconds(value: &Value) -> Option<i64> {
    const MAX_SECS: f64 = 1e11;
    let secs = value.as_f64()?;
    // The bound keeps the cast exact and the clock's arithmetic from overflowing.
    #[allow(clippy::cast_possible_truncation)]
    (secs.abs() <= MAX_SECS).then(|| (secs * 1000.0).round() as i64)
}

fn reading(r: ClockReading) -> Value {
    json!({
        "now": format_rfc3339(r.now),
        "epoch_seconds": r.now.secs(),
        "offset_seconds": r.offset_millis / 1000,
        "frozen": r.frozen,
    })
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day counted from 1970-01-01 (`civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `2030-01-02T03:04:05Z` (with `.123` when the time has milliseconds).
pub(super) fn format_rfc3339(t: Timestamp) -> String {
    let millis = t.millis();
    let secs = millis.div_euclid(1000);
    let (year, month, day) = civil_from_days(secs.div_euclid(86_400));
    let rest = secs.rem_euclid(86_400);
    let (h, m, s) = (rest / 3600, rest % 3600 / 60, rest % 60);
    match millis.rem_euclid(1000) {
        0 => format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}Z"),
        ms => format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}.{ms:03}Z"),
    }
}

/// An RFC 3339 date-time (`2030-01-02T03:04:05Z`, `t` or a space for `T`, fractions of
/// a second, `+hh:mm` or `-hh:mm` offsets).
pub(super) fn parse_rfc3339(text: &str) -> Option<Timestamp> {
    let b = text.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let digits = b.get(from..from + len)?;
        digits
            .iter()
            .all(u8::is_ascii_digit)
            .then(|| std::str::from_utf8(digits).ok()?.parse().ok())?
    };
    let sep = |at: usize, allowed: &[u8]| b.get(at).is_some_and(|c| allowed.contains(c));
    if !(sep(4, b"-") && sep(7, b"-") && sep(10, b"Tt ") && sep(13, b":") && sep(16, b":")) {
        return None;
    }
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let month_days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    let days_in_month = usize::try_from(month - 1)
        .ok()
        .and_then(|m| month_days.get(m))?;
    if day < 1 || day > *days_in_month || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut at = 19;
    let mut millis = 0;
    if sep(at, b".") {
        at += 1;
        let start = at;
        while b.get(at).is_some_and(u8::is_ascii_digit) {
            at += 1;
        }
        if at == start {
            return None;
        }
        let fraction = format!("{:0<3}", text.get(start..at)?);
        millis = fraction.get(..3)?.parse().ok()?;
    }
    let offset_secs = match b.get(at)? {
        b'Z' | b'z' if at + 1 == b.len() => 0,
        sign @ (b'+' | b'-') if at + 6 == b.len() && sep(at + 3, b":") => {
            let (h, m) = (num(at + 1, 2)?, num(at + 4, 2)?);
            if h > 23 || m > 59 {
                return None;
            }
            let secs = h * 3600 + m * 60;
            if *sign == b'-' {
                -secs
            } else {
                secs
            }
        }
        _ => return None,
    };
    let secs = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second
        - offset_secs;
    Some(Timestamp::from_millis(secs * 1000 + millis))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_round_trips() {
        for (text, secs) in [
            ("1970-01-01T00:00:00Z", 0),
            ("2026-01-01T00:00:00Z", 1_767_225_600),
            ("2000-02-29T12:00:00Z", 951_825_600),
            ("1969-12-31T23:59:59Z", -1),
        ] {
            let t = parse_rfc3339(text).unwrap();
            assert_eq!(t.secs(), secs, "{text}");
            assert_eq!(format_rfc3339(t), text);
        }
        let t = parse_rfc3339("2026-01-01t01:30:00.25+01:30").unwrap();
        assert_eq!(t.millis(), 1_767_225_600_250);
        assert_eq!(format_rfc3339(t), "2026-01-01T00:00:00.250Z");
        assert_eq!(
            parse_rfc3339("2026-01-01 00:00:00-02:00").unwrap().secs(),
            1_767_232_800
        );
    }

    #[test]
    fn malformed_times_are_refused() {
        for text in [
            "",
            "2026-01-01",
            "2026-01-01T00:00:00",
            "2026-13-01T00:00:00Z",
            "2025-02-29T00:00:00Z",
            "2026-01-01T24:00:00Z",
            "2026-01-01T00:00:00.Z",
            "2026-01-01T00:00:00+0100",
            "2026-01-01T00:00:00Zjunk",
            "2026/01/01T00:00:00Z",
            "２026-01-01T00:00:00Z",
        ] {
            assert_eq!(parse_rfc3339(text), None, "{text}");
        }
    }
}
