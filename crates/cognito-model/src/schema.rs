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
    compiled: OnceLock<Option<(Regex, Option<Regex>)>>,
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

    fn compiled(&self) -> Option<&(Regex, Option<Regex>)> {
        self.compiled
            .get_or_init(|| {
                let main = Regex::new(self.rust).ok()?;
                let tail = match self.not_ending {
                    Some(x) => Some(Regex::new(&format!("(?:{x})$")).ok()?),
                    None => None,
                };
                Some((main, tail))
            })
            .as_ref()
    }

    /// Whether `value` satisfies the pattern (searched, not anchored, as in ECMA-262).
    pub fn matches(&self, value: &str) -> bool {
        match self.compiled() {
            Some((main, tail)) => {
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
