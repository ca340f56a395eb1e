//! Values made from the model: valid ones that satisfy every constraint of a shape, and
//! for each constraint one value that breaks it.
//!
//! A valid string is the first of a short list of realistic candidates (a pool id, a
//! client id, an ARN, a URL, ...) or of strings sampled from the pattern itself that
//! fits the pattern and the length. A shape for which nothing fits is an error of the
//! harness, reported loudly rather than skipped.

use base64::Engine;
use regex_syntax::hir::{Class, Hir, HirKind};
use serde_json::{json, Map, Value};

use super::schema::Schema;
use crate::smithy::{Kind, Shape};

/// Realistic strings, tried in order before sampled ones.
const CANDIDATES: &[&str] = &[
    "us-east-1_Abcdef123",
    "abcdefghij0123456789klmnop",
    "arn:aws:iam::123456789012:role/test",
    "https://example.com/cb",
    "6f1c2a3e-4b5d-4e6f-8a9b-0c1d2e3f4a5b",
    "test@example.com",
    "a",
    "A1b2C3d4",
    "Passw0rd!",
    "123456",
    "example",
];

/// Characters that break most patterns, most telling first.
const BAD_CHARS: &[char] = &[' ', '!', '\t', 'é', '#', '"', '\\', '\u{7f}', '~', '.'];

/// A timestamp inputs use: 2026-01-01T00:00:00Z.
const TIMESTAMP: i64 = 1_767_225_600;

/// Repetition counts the sampler tries.
const REPS: &[u32] = &[1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 64];

/// One kind of constraint violation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Violate {
    LengthMin,
    LengthMax,
    Pattern,
    RangeMin,
    RangeMax,
    Enum,
}

impl Violate {
    /// The suffix of case ids.
    pub fn id(self) -> &'static str {
        match self {
            Violate::LengthMin => "length-min",
            Violate::LengthMax => "length-max",
            Violate::Pattern => "pattern",
            Violate::RangeMin => "range-min",
            Violate::RangeMax => "range-max",
            Violate::Enum => "enum",
        }
    }
}

/// The valid value of the shape named `name`: required members only, recursively.
pub fn valid(schema: &Schema, name: &str) -> Result<Value, String> {
    let mut stack = Vec::new();
    value(schema, name, &mut stack)
}

fn value(schema: &Schema, name: &str, stack: &mut Vec<String>) -> Result<Value, String> {
    let shape = schema.shape(name)?;
    if stack.iter().any(|s| s == name) {
        return Err(format!("shape {name} is recursive"));
    }
    stack.push(name.to_string());
    let v = match &shape.kind {
        Kind::Structure(members) => {
            let mut object = Map::new();
            for m in members.iter().filter(|m| m.required) {
                object.insert(m.name.clone(), value(schema, &m.target, stack)?);
            }
            Value::Object(object)
        }
        Kind::List(item) => {
            let item = value(schema, item, stack)?;
            Value::Array(vec![item; collection_size(shape)])
        }
        Kind::Map(key, val) => {
            let keys = distinct_strings(schema, key, collection_size(shape))
                .ok_or_else(|| format!("no distinct keys for map {name}"))?;
            let val = value(schema, val, stack)?;
            Value::Object(keys.into_iter().map(|k| (k, val.clone())).collect())
        }
        Kind::Enum(values) => values
            .first()
            .map(|(_, v)| json!(v))
            .ok_or_else(|| format!("enum {name} has no values"))?,
        Kind::String => json!(string(schema, shape)?),
        Kind::Integer | Kind::Long => json!(integer(shape)),
        Kind::Boolean => json!(false),
        Kind::Timestamp => json!(TIMESTAMP),
        Kind::Blob => json!(blob(blob_size(shape))),
        Kind::Document => json!({}),
    };
    stack.pop();
    Ok(v)
}

/// Items in a valid list or map: at least one, within the length constraint.
fn collection_size(shape: &Shape) -> usize {
    let (min, max) = shape.constraints.length.unwrap_or((None, None));
    let n = min.unwrap_or(0).max(1);
    max.map_or(n, |m| n.min(m)) as usize
}

fn blob_size(shape: &Shape) -> usize {
    let (min, max) = shape.constraints.length.unwrap_or((None, None));
    let n = min.unwrap_or(0).max(1);
    max.map_or(n, |m| n.min(m)) as usize
}

fn blob(len: usize) -> String {
    base64::engine::general_purpose::STANDARD.encode(vec![b'a'; len])
}

/// 1, moved into the shape's range.
fn integer(shape: &Shape) -> i64 {
    let (min, max) = shape.constraints.range.unwrap_or((None, None));
    let mut n = 1.0f64;
    if let Some(min) = min {
        n = n.max(min);
    }
    if let Some(max) = max {
        n = n.min(max);
    }
    n as i64
}

fn length_ok(shape: &Shape, s: &str) -> bool {
    let Some((min, max)) = shape.constraints.length else {
        return true;
    };
    let len = s.chars().count() as u64;
    min.is_none_or(|m| len >= m) && max.is_none_or(|m| len <= m)
}

fn pattern_ok(schema: &Schema, shape: &Shape, s: &str) -> bool {
    schema.pattern(&shape.name).is_none_or(|p| p.matches(s))
}

/// The valid string of a string shape.
pub fn string(schema: &Schema, shape: &Shape) -> Result<String, String> {
    candidates(schema, shape, 4)
        .find(|s| length_ok(shape, s) && pattern_ok(schema, shape, s))
        .ok_or_else(|| {
            format!(
                "no candidate string fits shape {} (pattern {:?}, length {:?}); add one to CANDIDATES",
                shape.name, shape.constraints.pattern, shape.constraints.length
            )
        })
}

/// Candidate strings for `shape`, in order of preference, made as they are asked for.
fn candidates<'a>(
    schema: &'a Schema,
    shape: &'a Shape,
    choices: usize,
) -> impl Iterator<Item = String> + 'a {
    let min = shape.constraints.length.and_then(|l| l.0).unwrap_or(0) as usize;
    let hir = schema.pattern(&shape.name).and_then(|p| p.hir.as_ref());
    let plain: Vec<String> = match &hir {
        None => std::iter::once("a".repeat(min.max(1)))
            .chain((0..choices).map(move |i| pad(&format!("key{i}"), min)))
            .collect(),
        Some(_) => CANDIDATES.iter().map(|s| s.to_string()).collect(),
    };
    let reps: Vec<u32> = REPS.iter().copied().chain([min as u32]).collect();
    let sampled = hir.into_iter().flat_map(move |hir| {
        let reps = reps.clone();
        (0..choices).flat_map(move |choice| {
            reps.clone().into_iter().map(move |r| {
                let mut s = String::new();
                sample(hir, r, choice, &mut s);
                s
            })
        })
    });
    plain.into_iter().chain(sampled)
}

fn pad(s: &str, min: usize) -> String {
    let len = s.chars().count();
    if len >= min {
        s.to_string()
    } else {
        format!("{s}{}", "a".repeat(min - len))
    }
}

/// `n` distinct valid values of the string or enum shape named `name`, if there are that many.
pub fn distinct_strings(schema: &Schema, name: &str, n: usize) -> Option<Vec<String>> {
    let shape = schema.model.shape(name)?;
    let mut out: Vec<String> = Vec::new();
    let mut add = |s: String| {
        if out.len() < n && !out.contains(&s) {
            out.push(s);
        }
    };
    match &shape.kind {
        Kind::Enum(values) => values.iter().for_each(|(_, v)| add(v.clone())),
        Kind::String => candidates(schema, shape, n + 4)
            .filter(|s| length_ok(shape, s) && pattern_ok(schema, shape, s))
            .for_each(add),
        _ => return None,
    }
    (out.len() == n).then_some(out)
}

/// Appends to `out` a string the pattern `hir` matches, repeating unbounded parts `reps`
/// times and taking the `choice`-th alternative and class member where there is one.
fn sample(hir: &Hir, reps: u32, choice: usize, out: &mut String) {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(lit) => out.push_str(&String::from_utf8_lossy(&lit.0)),
        HirKind::Class(class) => {
            if let Some(c) = pick(class, choice) {
                out.push(c);
            }
        }
        HirKind::Repetition(rep) => {
            let n = match rep.max {
                Some(max) => reps.clamp(rep.min, max.max(rep.min)),
                None => reps.max(rep.min),
            };
            // Sampling is deterministic: sample once, repeat the piece.
            let mut piece = String::new();
            sample(&rep.sub, reps, choice, &mut piece);
            out.push_str(&piece.repeat(n as usize));
        }
        HirKind::Capture(cap) => sample(&cap.sub, reps, choice, out),
        HirKind::Concat(parts) => {
            for p in parts {
                sample(p, reps, choice, out);
            }
        }
        HirKind::Alternation(alts) => {
            if let Some(alt) = alts.get(choice % alts.len().max(1)) {
                sample(alt, reps, choice, out);
            }
        }
    }
}

/// The `choice`-th pleasant character of a class, or its first character.
fn pick(class: &Class, choice: usize) -> Option<char> {
    const PLEASANT: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let contains = |c: char| match class {
        Class::Unicode(u) => u.ranges().iter().any(|r| r.start() <= c && c <= r.end()),
        Class::Bytes(b) => {
            c.is_ascii()
                && b.ranges()
                    .iter()
                    .any(|r| r.start() <= c as u8 && c as u8 <= r.end())
        }
    };
    let pleasant: Vec<char> = PLEASANT.chars().filter(|c| contains(*c)).collect();
    if !pleasant.is_empty() {
        return pleasant.get(choice % pleasant.len()).copied();
    }
    match class {
        Class::Unicode(u) => u.ranges().first().map(|r| r.start()),
        Class::Bytes(b) => b.ranges().first().map(|r| char::from(r.start())),
    }
}

/// For each constraint of the shape named `name`, a value breaking it; constraints that
/// cannot be broken on their own (a pattern that matches everything) are left out.
pub fn violations(schema: &Schema, name: &str) -> Result<Vec<(Violate, Value)>, String> {
    let shape = schema.shape(name)?;
    let (min, max) = shape.constraints.length.unwrap_or((None, None));
    let too_short = min.filter(|m| *m >= 1).map(|m| (m - 1) as usize);
    let too_long = max.map(|m| (m + 1) as usize);
    let mut out = Vec::new();
    match &shape.kind {
        Kind::Enum(values) => {
            let bad = "NOT_A_VALUE";
            if !values.iter().any(|(_, v)| v == bad) {
                out.push((Violate::Enum, json!(bad)));
            }
        }
        Kind::String => {
            let good = string(schema, shape)?;
            if let Some(n) = too_short {
                out.push((
                    Violate::LengthMin,
                    json!(short_string(schema, shape, &good, n)),
                ));
            }
            if let Some(n) = too_long {
                out.push((
                    Violate::LengthMax,
                    json!(long_string(schema, shape, &good, n)),
                ));
            }
            if let Some(bad) = mismatching_string(schema, shape, &good) {
                out.push((Violate::Pattern, json!(bad)));
            }
        }
        Kind::Blob => {
            if let Some(n) = too_short {
                out.push((Violate::LengthMin, json!(blob(n))));
            }
            if let Some(n) = too_long {
                out.push((Violate::LengthMax, json!(blob(n))));
            }
        }
        Kind::List(item) => {
            let item = valid(schema, item)?;
            if let Some(n) = too_short {
                out.push((Violate::LengthMin, Value::Array(vec![item.clone(); n])));
            }
            if let Some(n) = too_long {
                out.push((Violate::LengthMax, Value::Array(vec![item; n])));
            }
        }
        Kind::Map(key, val) => {
            let val = valid(schema, val)?;
            let map = |n: usize| {
                distinct_strings(schema, key, n)
                    .map(|keys| Value::Object(keys.into_iter().map(|k| (k, val.clone())).collect()))
            };
            if let Some(m) = too_short.and_then(map) {
                out.push((Violate::LengthMin, m));
            }
            if let Some(m) = too_long.and_then(map) {
                out.push((Violate::LengthMax, m));
            }
        }
        Kind::Integer | Kind::Long => {
            let (lo, hi) = match shape.kind {
                Kind::Integer => (i32::MIN as f64, i32::MAX as f64),
                _ => (i64::MIN as f64, i64::MAX as f64),
            };
            let (min, max) = shape.constraints.range.unwrap_or((None, None));
            if let Some(m) = min.filter(|m| m - 1.0 >= lo) {
                out.push((Violate::RangeMin, json!((m - 1.0) as i64)));
            }
            if let Some(m) = max.filter(|m| m + 1.0 <= hi) {
                out.push((Violate::RangeMax, json!((m + 1.0) as i64)));
            }
        }
        Kind::Structure(_) | Kind::Boolean | Kind::Timestamp | Kind::Document => {}
    }
    Ok(out)
}

/// The first of `options` that still matches the pattern, else the first.
fn prefer_matching(schema: &Schema, shape: &Shape, options: Vec<String>) -> String {
    options
        .iter()
        .find(|s| pattern_ok(schema, shape, s))
        .or(options.first())
        .cloned()
        .unwrap_or_default()
}

/// A string of at most `n` characters, matching the pattern if any such string is found.
fn short_string(schema: &Schema, shape: &Shape, good: &str, n: usize) -> String {
    let mut options: Vec<String> = vec![good.chars().take(n).collect()];
    options.extend(candidates(schema, shape, 4).filter(|s| s.chars().count() <= n));
    options.push("a".repeat(n));
    prefer_matching(schema, shape, options)
}

/// A string of at least `n` characters, matching the pattern if any such string is found.
fn long_string(schema: &Schema, shape: &Shape, good: &str, n: usize) -> String {
    let mut options = Vec::new();
    if let Some(hir) = schema.pattern(&shape.name).and_then(|p| p.hir.as_ref()) {
        let mut s = String::new();
        sample(hir, n as u32, 0, &mut s);
        if s.chars().count() >= n {
            options.push(s);
        }
    }
    let missing = n.saturating_sub(good.chars().count());
    options.push(format!("{good}{}", "a".repeat(missing)));
    options.push(format!("{}{good}", "a".repeat(missing)));
    options.push("a".repeat(n));
    prefer_matching(schema, shape, options)
}

/// A string of valid length that the pattern rejects, if there is one to find.
fn mismatching_string(schema: &Schema, shape: &Shape, good: &str) -> Option<String> {
    schema.pattern(&shape.name)?;
    let len = good.chars().count();
    let mut options = Vec::new();
    for &c in BAD_CHARS {
        let keep: String = good.chars().take(len.saturating_sub(1)).collect();
        options.push(format!("{keep}{c}"));
        let rest: String = good.chars().skip(1).collect();
        options.push(format!("{c}{rest}"));
    }
    for &c in BAD_CHARS {
        options.push(c.to_string().repeat(len.max(1)));
    }
    options
        .into_iter()
        .find(|s| length_ok(shape, s) && !pattern_ok(schema, shape, s))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::tests::schema;
    use crate::validate::{check, Broken, Mode};

    #[test]
    fn every_input_has_a_valid_baseline() {
        let s = schema();
        for op in s.operations() {
            let Some(input) = &op.input else { continue };
            let v = valid(s, input).unwrap();
            let broken = check(s, input, &v, Mode::Input);
            assert!(broken.is_empty(), "{}: {v} breaks {broken:?}", op.name);
        }
    }

    #[test]
    fn every_string_shape_has_a_valid_value() {
        let s = schema();
        for shape in s.model.shapes.values() {
            if matches!(shape.kind, Kind::String) {
                let v = string(s, shape).unwrap();
                let broken = check(s, &shape.name, &json!(v), Mode::Input);
                assert!(broken.is_empty(), "{}: {v:?} breaks {broken:?}", shape.name);
            }
        }
    }

    #[test]
    fn realistic_candidates_come_first() {
        let s = schema();
        let id = |n: &str| string(s, s.shape(n).unwrap()).unwrap();
        assert_eq!(id("UserPoolIdType"), "us-east-1_Abcdef123");
        assert_eq!(id("ClientIdType"), "abcdefghij0123456789klmnop");
        assert_eq!(id("ArnType"), "arn:aws:iam::123456789012:role/test");
        assert_eq!(id("SmsVerificationMessageType"), "{####}");
    }

    #[test]
    fn each_violation_breaks_its_own_constraint() {
        let s = schema();
        for shape in s.model.shapes.values() {
            for (kind, v) in violations(s, &shape.name).unwrap() {
                let broken: Vec<Broken> = check(s, &shape.name, &v, Mode::Input)
                    .into_iter()
                    .map(|v| v.broken)
                    .collect();
                let expected = |b: &Broken| match kind {
                    Violate::LengthMin => matches!(b, Broken::LengthMin(_)),
                    Violate::LengthMax => matches!(b, Broken::LengthMax(_)),
                    Violate::Pattern => matches!(b, Broken::Pattern),
                    Violate::RangeMin => matches!(b, Broken::RangeMin(_)),
                    Violate::RangeMax => matches!(b, Broken::RangeMax(_)),
                    Violate::Enum => matches!(b, Broken::Enum),
                };
                assert!(
                    broken.iter().any(expected),
                    "{} {kind:?}: {broken:?}",
                    shape.name
                );
                // Only a too-short or too-long string may also miss its pattern.
                let others: Vec<_> = broken.iter().filter(|b| !expected(b)).collect();
                assert!(
                    others.is_empty() || (others == [&Broken::Pattern] && kind != Violate::Pattern),
                    "{} {kind:?}: {broken:?}",
                    shape.name
                );
            }
        }
    }

    #[test]
    fn a_pattern_matching_everything_is_not_violated() {
        let s = schema();
        let v = violations(s, "SmsInviteMessageType").unwrap();
        assert!(v.iter().all(|(k, _)| *k != Violate::Pattern), "{v:?}");
    }
}
