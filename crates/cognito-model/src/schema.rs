//! The constraint schema of the model's shapes: what the validator walks.
//!
//! The tables themselves are generated (`generated/schema.rs`); this module defines their
//! types and re-exports them.

use std::sync::OnceLock;

use regex::Regex;

pub use crate::generated::schema::*;

/// Index of a shape in [`SHAPES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ShapeId(pub usize);

impl ShapeId {
    /// The shape's definition.
    pub fn def(self) -> Option<&'static ShapeDef> {
        SHAPES.get(self.0)
    }
}

/// One shape and its constraints.
#[derive(Debug)]
pub struct ShapeDef {
    /// The Smithy shape name.
    pub name: &'static str,
    /// What the shape is.
    pub kind: Kind,
    /// `@length`: min and max (Unicode scalar values for strings, items for collections).
    pub length: Option<(Option<u64>, Option<u64>)>,
    /// `@range`.
    pub range: Option<(Option<i64>, Option<i64>)>,
    /// `@pattern`.
    pub pattern: Option<&'static Pattern>,
    /// `@sensitive`: values are never echoed.
    pub sensitive: bool,
}

/// The type of a shape.
#[derive(Debug)]
pub enum Kind {
    /// A structure and its members.
    Structure(&'static [MemberDef]),
    /// A list of the given shape.
    List(ShapeId),
    /// A map from the first shape to the second.
    Map(ShapeId, ShapeId),
    /// A string enum and its values.
    Enum(&'static [&'static str]),
    /// A string.
    String,
    /// A 32-bit integer.
    Integer,
    /// A 64-bit integer.
    Long,
    /// A boolean.
    Boolean,
    /// Epoch seconds.
    Timestamp,
    /// Base64 data.
    Blob,
    /// Any JSON.
    Document,
}

/// A structure member.
#[derive(Debug)]
pub struct MemberDef {
    /// The wire name.
    pub name: &'static str,
    /// The name used in validation messages (first letter lower-cased).
    pub path: &'static str,
    /// The target shape.
    pub target: ShapeId,
    /// `@required`.
    pub required: bool,
}

/// A `@pattern`, compiled on first use.
#[derive(Debug)]
pub struct Pattern {
    /// The pattern as the model writes it (and as messages quote it).
    pub source: &'static str,
    rust: &'static str,
    /// For a trailing negative look-behind: the values must not end with this.
    not_ending: Option<&'static str>,
    compiled: OnceLock<Option<Compiled>>,
}

/// A pattern ready to match: the regular expressions, and for the plain shapes most
/// patterns have, a matcher of ASCII values that needs no regex engine.
#[derive(Debug)]
struct Compiled {
    main: Regex,
    tail: Option<Regex>,
    ascii: Option<AsciiMatcher>,
}

impl Pattern {
    /// A pattern from its model source, its `regex` translation and an optional
    /// forbidden ending.
    pub const fn new(
        source: &'static str,
        rust: &'static str,
        not_ending: Option<&'static str>,
    ) -> Self {
        Pattern {
            source,
            rust,
            not_ending,
            compiled: OnceLock::new(),
        }
    }

    fn compiled(&self) -> Option<&Compiled> {
        self.compiled
            .get_or_init(|| {
                let main = Regex::new(self.rust).ok()?;
                let tail = match self.not_ending {
                    Some(x) => Some(Regex::new(&format!("(?:{x})$")).ok()?),
                    None => None,
                };
                let ascii = match self.not_ending {
                    None => AsciiMatcher::new(self.rust),
                    Some(_) => None,
                };
                Some(Compiled { main, tail, ascii })
            })
            .as_ref()
    }

    /// Whether `value` satisfies the pattern (searched, not anchored, as in ECMA-262).
    pub fn matches(&self, value: &str) -> bool {
        match self.compiled() {
            Some(Compiled {
                ascii: Some(ascii), ..
            }) if value.is_ascii() => ascii.matches(value.as_bytes()),
            Some(Compiled { main, tail, .. }) => {
                main.is_match(value) && !tail.as_ref().is_some_and(|t| t.is_match(value))
            }
            // Every pattern compiles (a test checks); never reject input over a bug here.
            None => true,
        }
    }

    /// Whether the pattern compiles.
    pub fn is_valid(&self) -> bool {
        self.compiled().is_some()
    }
}

/// How many times an item of an [`AsciiMatcher`] repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Repeat {
    /// Exactly once.
    One,
    /// Any number of times, none included.
    Any,
}

/// A pattern of the form `^a b+ c* ...$`, where each item is one character or one
/// bracketed class, turned into a table of ASCII transitions: matching reads one entry
/// per byte of the value.
///
/// Each item's characters are found by asking the pattern's own regex, once per ASCII
/// character, so the table agrees with the regex by construction; what it cannot read
/// (groups, alternatives, counted repetitions, `.`, escapes other than punctuation, an
/// unanchored pattern) leaves the pattern to the regex alone.
#[derive(Debug)]
struct AsciiMatcher {
    /// Per state, the next state for each ASCII byte; state 0 matches nothing more, and
    /// matching starts in state 1.
    next: Vec<[u8; 128]>,
    /// Per state, whether a value ending there matches.
    accepts: Vec<bool>,
}

/// The most states an [`AsciiMatcher`] may have.
const MAX_STATES: usize = 64;

impl AsciiMatcher {
    /// The matcher of `rust` (a pattern in `regex` syntax), when it has the plain form.
    fn new(rust: &str) -> Option<Self> {
        let items = Items::parse(rust)?;
        // Each state of the table is a set of the items the value may be at.
        let mut sets: Vec<u64> = vec![0, items.closure(1)];
        let mut next: Vec<[u8; 128]> = Vec::new();
        let mut at = 1;
        next.push([0; 128]);
        while let Some(&set) = sets.get(at) {
            let mut row = [0u8; 128];
            for (b, slot) in (0u8..128).zip(row.iter_mut()) {
                let to = items.step(set, b);
                let id = match sets.iter().position(|&s| s == to) {
                    Some(id) => id,
                    None if sets.len() < MAX_STATES => {
                        sets.push(to);
                        sets.len() - 1
                    }
                    None => return None,
                };
                *slot = u8::try_from(id).ok()?;
            }
            next.push(row);
            at += 1;
        }
        let accepts = sets.iter().map(|&set| items.accepts(set)).collect();
        Some(AsciiMatcher { next, accepts })
    }

    /// Whether the whole of `value` (ASCII) matches.
    fn matches(&self, value: &[u8]) -> bool {
        let mut state = 1usize;
        for &b in value {
            state = self
                .next
                .get(state)
                .and_then(|row| row.get(usize::from(b)))
                .map_or(0, |&s| usize::from(s));
        }
        self.accepts.get(state).copied().unwrap_or(false)
    }
}

/// The items of a plain pattern, each a set of ASCII characters (as bits) and how many
/// times it repeats: `X+` is kept as `X` then `X*`. At most 62 items.
struct Items(Vec<(u128, Repeat)>);

impl Items {
    fn parse(rust: &str) -> Option<Self> {
        let body = rust.strip_prefix('^')?.strip_suffix('$')?;
        if body.ends_with('\\') {
            return None;
        }
        let bytes = body.as_bytes();
        let mut items = Vec::new();
        let mut at = 0;
        while at < bytes.len() {
            let end = atom_end(bytes, at)?;
            let set = ascii_set(body.get(at..end)?)?;
            at = end;
            match bytes.get(at) {
                Some(b'+') => {
                    items.push((set, Repeat::One));
                    items.push((set, Repeat::Any));
                    at += 1;
                }
                Some(b'*') => {
                    items.push((set, Repeat::Any));
                    at += 1;
                }
                Some(b'?' | b'{') => return None,
                _ => items.push((set, Repeat::One)),
            }
        }
        (items.len() <= 62).then_some(Items(items))
    }

    /// The items reachable after byte `b` from the items in `set` (one bit per item; the
    /// bit after the last item means the pattern is complete).
    fn step(&self, set: u64, b: u8) -> u64 {
        let mut next = 0u64;
        for (i, &(chars, repeat)) in self.0.iter().enumerate() {
            if set & (1 << i) == 0 || chars & (1u128 << (b & 0x7f)) == 0 {
                continue;
            }
            next |= match repeat {
                Repeat::One => 1 << (i + 1),
                Repeat::Any => 1 << i,
            };
        }
        self.closure(next)
    }

    /// `set` with every item that the `Any` items in it may be skipped to.
    fn closure(&self, mut set: u64) -> u64 {
        for (i, &(_, repeat)) in self.0.iter().enumerate() {
            if repeat == Repeat::Any && set & (1 << i) != 0 {
                set |= 1 << (i + 1);
            }
        }
        set
    }

    /// Whether a value whose items are `set` is complete.
    fn accepts(&self, set: u64) -> bool {
        set & (1 << self.0.len()) != 0
    }
}

/// Where the item starting at `at` ends: after one character, an escaped punctuation
/// character, or a bracketed class (nested brackets and escapes included).
fn atom_end(bytes: &[u8], at: usize) -> Option<usize> {
    match bytes.get(at)? {
        b'[' => {
            let mut depth = 0usize;
            let mut i = at;
            while let Some(&b) = bytes.get(i) {
                match b {
                    b'\\' => i += 1,
                    b'[' => depth += 1,
                    b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            None
        }
        b'\\' => bytes
            .get(at + 1)
            .filter(|b| b.is_ascii_punctuation())
            .map(|_| at + 2),
        b'(' | b')' | b'|' | b'.' | b'+' | b'*' | b'?' | b'{' | b'}' | b'^' | b'$' | b']' => None,
        b if b.is_ascii() => Some(at + 1),
        _ => None,
    }
}

/// The ASCII characters that `atom` (one item of a pattern) matches, as bits.
fn ascii_set(atom: &str) -> Option<u128> {
    let one = Regex::new(&format!("^(?:{atom})$")).ok()?;
    let mut set = 0u128;
    let mut buf = [0u8; 4];
    for c in 0u8..128 {
        if one.is_match(char::from(c).encode_utf8(&mut buf)) {
            set |= 1 << c;
        }
    }
    Some(set)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The values a pattern is tried on: every ASCII string of up to two characters, and
    /// longer ones made of the characters around its own literal parts.
    fn samples(pattern: &Pattern) -> Vec<String> {
        let ascii: Vec<char> = (0u8..128).map(char::from).collect();
        let mut out: Vec<String> = vec![String::new()];
        for &a in &ascii {
            out.push(a.to_string());
            for &b in &ascii {
                out.push([a, b].iter().collect());
            }
        }
        let mut seeds: Vec<char> = pattern.source.chars().filter(char::is_ascii).collect();
        seeds.extend(['a', 'Z', '0', '9', '_', '-', ' ', '@', '.', '\n']);
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        for len in 3..40 {
            for _ in 0..200 {
                let s: String = (0..len)
                    .map(|_| {
                        state ^= state << 13;
                        state ^= state >> 7;
                        state ^= state << 17;
                        seeds[(state % seeds.len() as u64) as usize]
                    })
                    .collect();
                out.push(s);
            }
        }
        out.extend(
            [
                "us-east-1_AbCdEf123",
                "us-east-1_",
                "_abc",
                "user@example.com",
                "a@b",
                "@",
                "user0",
                "eu-west-1_0123456789abcdef",
            ]
            .map(String::from),
        );
        out
    }

    #[test]
    fn the_ascii_matcher_agrees_with_the_regex() {
        let mut fast = 0;
        for pattern in &PATTERNS {
            let Some(compiled) = pattern.compiled() else {
                panic!("{} does not compile", pattern.source);
            };
            let Some(ascii) = &compiled.ascii else {
                continue;
            };
            fast += 1;
            for value in samples(pattern) {
                let regex = compiled.main.is_match(&value)
                    && !compiled.tail.as_ref().is_some_and(|t| t.is_match(&value));
                assert_eq!(
                    ascii.matches(value.as_bytes()),
                    regex,
                    "{} on {value:?}",
                    pattern.source
                );
            }
        }
        // The patterns on every request (pool ids, usernames, client ids) are among them.
        assert!(fast >= 20, "only {fast} patterns have an ASCII matcher");
    }

    #[test]
    fn usual_values() {
        let pool_id = Pattern::new(
            "^[\\w-]+_[0-9a-zA-Z]+$",
            "^[[0-9A-Za-z_]\\-]+_[0-9a-zA-Z]+$",
            None,
        );
        for (value, ok) in [
            ("us-east-1_AbCdEf123", true),
            ("us_east_1_abc", true),
            ("us-east-1_", false),
            ("_abc", false),
            ("us-east-1_ab-c", false),
            ("us-east-1_ÀbC", false),
        ] {
            assert_eq!(pool_id.matches(value), ok, "{value}");
        }
        let Some(compiled) = pool_id.compiled() else {
            panic!("does not compile");
        };
        assert!(compiled.ascii.is_some());
    }
}
