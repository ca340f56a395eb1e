//! Reading a request body into a JSON value with bounded memory, for the validator's full
//! path (the one that words rejections).
//!
//! A value is built only for what validation reads: guided by the operation's input
//! shape, members the shape does not name are skipped as they are parsed (no tree is
//! built for them), and a value whose JSON type does not fit its shape keeps its type
//! but not its contents (an array where a string belongs becomes `[]`: the rejection
//! names the place and the expected type, never the contents). What is built is bounded
//! too: nesting deeper than [`MAX_DEPTH`] and more than [`MAX_VALUES`] values are
//! refused, so one request's tree stays within a few MiB whatever its body holds.
//!
//! Boundary: JSON and the model's schema only; the wording of refusals on the wire is
//! the caller's.

use std::cell::Cell;
use std::fmt;

use cognito_model::schema::{Kind, ShapeId};
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// The deepest nesting of arrays and objects accepted. No input shape of the model
/// nests as deep (a test computes the deepest), so only documents could need more.
pub(crate) const MAX_DEPTH: usize = 64;

/// The most values (each array, object, string, number, boolean and null counts one)
/// built for one body. Inputs the model describes need a few hundred at most.
pub(crate) const MAX_VALUES: usize = 20_000;

/// Why a body was not read into a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// Not JSON: the parser's explanation.
    Malformed(String),
    /// Arrays and objects nested deeper than [`MAX_DEPTH`].
    TooDeep,
    /// More than [`MAX_VALUES`] values in what validation reads.
    TooManyValues,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Malformed(detail) => f.write_str(detail),
            Refusal::TooDeep => write!(
                f,
                "arrays and objects are nested deeper than {MAX_DEPTH} levels"
            ),
            Refusal::TooManyValues => write!(
                f,
                "the members of the input hold more than {MAX_VALUES} values"
            ),
        }
    }
}

/// The JSON value in `body`, built for validation against `shape` (every value built
/// when `shape` is `None`), within the limits above.
pub(crate) fn parse(body: &[u8], shape: Option<ShapeId>) -> Result<Value, Refusal> {
    let limits = Limits {
        values_left: Cell::new(MAX_VALUES),
        tripped: Cell::new(None),
    };
    let mut json = serde_json::Deserializer::from_slice(body);
    let built = Build {
        shape,
        depth: 0,
        limits: &limits,
    }
    .deserialize(&mut json)
    .and_then(|value| json.end().map(|()| value));
    built.map_err(|e| {
        limits
            .tripped
            .take()
            .unwrap_or_else(|| Refusal::Malformed(e.to_string()))
    })
}

/// What one parse may still build, and the limit it ran into.
struct Limits {
    values_left: Cell<usize>,
    tripped: Cell<Option<Refusal>>,
}

impl Limits {
    /// Counts one value built.
    fn count<E: de::Error>(&self) -> Result<(), E> {
        match self.values_left.get().checked_sub(1) {
            Some(left) => {
                self.values_left.set(left);
                Ok(())
            }
            None => Err(self.trip(Refusal::TooManyValues)),
        }
    }

    /// Refuses an array or object opened at `depth` past [`MAX_DEPTH`].
    fn within_depth<E: de::Error>(&self, depth: usize) -> Result<(), E> {
        if depth >= MAX_DEPTH {
            return Err(self.trip(Refusal::TooDeep));
        }
        Ok(())
    }

    fn trip<E: de::Error>(&self, refusal: Refusal) -> E {
        let error = E::custom(&refusal);
        self.tripped.set(Some(refusal));
        error
    }
}

/// Builds the value at `depth` for `shape` (`None`: build everything).
#[derive(Clone, Copy)]
struct Build<'a> {
    shape: Option<ShapeId>,
    depth: usize,
    limits: &'a Limits,
}

impl<'a> Build<'a> {
    /// What the shape is, `None` when everything is built.
    fn kind(&self) -> Option<&'static Kind> {
        self.shape.and_then(ShapeId::def).map(|def| &def.kind)
    }

    /// The builder of a value one level down, for `shape`.
    fn child(&self, shape: Option<ShapeId>) -> Build<'a> {
        Build {
            shape,
            depth: self.depth + 1,
            limits: self.limits,
        }
    }

    fn skip(&self) -> Skip<'a> {
        Skip {
            depth: self.depth + 1,
            limits: self.limits,
        }
    }
}

impl<'de> DeserializeSeed<'de> for Build<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Build<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Value, E> {
        self.limits.count()?;
        Ok(Value::Bool(b))
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Value, E> {
        self.limits.count()?;
        Ok(Value::Number(n.into()))
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Value, E> {
        self.limits.count()?;
        Ok(Value::Number(n.into()))
    }

    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Value, E> {
        self.limits.count()?;
        Ok(serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Value, E> {
        self.limits.count()?;
        Ok(Value::String(s.to_owned()))
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<Value, E> {
        self.limits.count()?;
        Ok(Value::String(s))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        self.limits.count()?;
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        self.limits.within_depth(self.depth)?;
        self.limits.count()?;
        let item = match self.kind() {
            None | Some(Kind::Document) => None,
            Some(Kind::List(item)) => Some(*item),
            // The wrong type: the rejection needs no contents.
            Some(_) => {
                while seq.next_element_seed(self.skip())?.is_some() {}
                return Ok(Value::Array(Vec::new()));
            }
        };
        let mut items = Vec::new();
        while let Some(value) = seq.next_element_seed(self.child(item))? {
            items.push(value);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        self.limits.within_depth(self.depth)?;
        self.limits.count()?;
        let mut object = Map::new();
        match self.kind() {
            Some(Kind::Structure(members)) => {
                while let Some(key) = map.next_key::<String>()? {
                    match members.iter().find(|m| m.name == key) {
                        Some(member) => {
                            let value = map.next_value_seed(self.child(Some(member.target)))?;
                            object.insert(key, value);
                        }
                        None => map.next_value_seed(self.skip())?,
                    }
                }
            }
            Some(Kind::Map(_, target)) => {
                while let Some(key) = map.next_key::<String>()? {
                    self.limits.count()?;
                    let value = map.next_value_seed(self.child(Some(*target)))?;
                    object.insert(key, value);
                }
            }
            None | Some(Kind::Document) => {
                while let Some(key) = map.next_key::<String>()? {
                    let value = map.next_value_seed(self.child(None))?;
                    object.insert(key, value);
                }
            }
            // The wrong type: the rejection needs no contents.
            Some(_) => {
                while map.next_key::<IgnoredAny>()?.is_some() {
                    map.next_value_seed(self.skip())?;
                }
            }
        }
        Ok(Value::Object(object))
    }
}

/// Reads past a value at `depth` without building anything, within [`MAX_DEPTH`].
#[derive(Clone, Copy)]
struct Skip<'a> {
    depth: usize,
    limits: &'a Limits,
}

impl<'de> DeserializeSeed<'de> for Skip<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        // Not `deserialize_ignored_any`: serde_json would skip the value whole, its
        // nesting unchecked.
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Skip<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.limits.within_depth(self.depth)?;
        let inner = Skip {
            depth: self.depth + 1,
            ..self
        };
        while seq.next_element_seed(inner)?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.limits.within_depth(self.depth)?;
        let inner = Skip {
            depth: self.depth + 1,
            ..self
        };
        while map.next_key::<IgnoredAny>()?.is_some() {
            map.next_value_seed(inner)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use cognito_model::Operation;
    use serde_json::json;

    use super::*;

    fn list_users() -> Option<ShapeId> {
        Operation::ListUsers.input_shape()
    }

    /// Nested arrays `depth` levels deep.
    fn nested(depth: usize) -> String {
        format!("{}{}", "[".repeat(depth), "]".repeat(depth))
    }

    #[test]
    fn values_are_built_for_what_validation_reads() {
        let cases = [
            // Members the shape names are kept, as they are.
            (
                r#"{"UserPoolId":"p","Limit":5,"AttributesToGet":["email"],"Filter":null}"#,
                json!({"UserPoolId":"p","Limit":5,"AttributesToGet":["email"],"Filter":null}),
            ),
            // Others are skipped, whatever they hold.
            (
                r#"{"UserPoolId":"p","Other":[[1,{"a":[]}],{"b":"c"}],"More":1}"#,
                json!({"UserPoolId":"p"}),
            ),
            // A wrong JSON type keeps its type, not its contents.
            (
                r#"{"UserPoolId":[["x"],{"y":1}],"Limit":{"a":[1]},"AttributesToGet":[["email"],"name"]}"#,
                json!({"UserPoolId":[],"Limit":{},"AttributesToGet":[[],"name"]}),
            ),
            // Scalars of the wrong type are kept: they are small.
            (
                r#"{"UserPoolId":1.5,"AttributesToGet":"email"}"#,
                json!({"UserPoolId":1.5,"AttributesToGet":"email"}),
            ),
        ];
        for (body, expected) in cases {
            assert_eq!(parse(body.as_bytes(), list_users()), Ok(expected), "{body}");
        }
        // Without a shape, everything is built.
        let body = r#"{"a":[[1,{"b":null}],true],"c":"d"}"#;
        assert_eq!(
            parse(body.as_bytes(), None),
            Ok(serde_json::from_str::<Value>(body).unwrap())
        );
        // Maps keep every entry, each value built for the map's value shape.
        let body = r#"{"UserPoolId":"p","Username":"u","ClientMetadata":{"k":"v","l":["x"]}}"#;
        assert_eq!(
            parse(body.as_bytes(), Operation::AdminGetUser.input_shape()),
            Ok(json!({"UserPoolId":"p","Username":"u"})),
            "AdminGetUser has no ClientMetadata"
        );
        assert_eq!(
            parse(body.as_bytes(), Operation::AdminConfirmSignUp.input_shape()),
            Ok(json!({"UserPoolId":"p","Username":"u","ClientMetadata":{"k":"v","l":[]}}))
        );
    }

    #[test]
    fn nesting_is_bounded_where_values_are_built_and_where_they_are_skipped() {
        let within = format!(r#"{{"a":{}}}"#, nested(MAX_DEPTH - 1));
        assert!(parse(within.as_bytes(), None).is_ok());
        let too_deep = format!(r#"{{"a":{}}}"#, nested(MAX_DEPTH));
        assert_eq!(parse(too_deep.as_bytes(), None), Err(Refusal::TooDeep));
        // Skipped members and values of the wrong type are held to the same depth.
        for member in ["Unmodelled", "UserPoolId", "AttributesToGet"] {
            let body = format!(r#"{{"{member}":{}}}"#, nested(MAX_DEPTH));
            assert_eq!(
                parse(body.as_bytes(), list_users()),
                Err(Refusal::TooDeep),
                "{member}"
            );
        }
        // Deeper than serde_json's own limit, too.
        let body = format!(r#"{{"a":{}}}"#, nested(10_000));
        assert_eq!(parse(body.as_bytes(), None), Err(Refusal::TooDeep));
    }

    #[test]
    fn values_built_are_bounded_and_values_skipped_are_not_counted() {
        let many = |n: usize| vec!["[]"; n].join(",");
        let body = format!(r#"{{"a":[{}]}}"#, many(MAX_VALUES - 2));
        assert_eq!(
            parse(body.as_bytes(), None).map(|v| v["a"].as_array().map(Vec::len)),
            Ok(Some(MAX_VALUES - 2))
        );
        let body = format!(r#"{{"a":[{}]}}"#, many(MAX_VALUES - 1));
        assert_eq!(parse(body.as_bytes(), None), Err(Refusal::TooManyValues));
        // Items of the wrong type count once each, their contents not at all.
        let body = format!(r#"{{"AttributesToGet":[{}]}}"#, many(MAX_VALUES));
        assert_eq!(
            parse(body.as_bytes(), list_users()),
            Err(Refusal::TooManyValues)
        );
        let body = format!(r#"{{"Unmodelled":[{}]}}"#, many(10 * MAX_VALUES));
        assert_eq!(parse(body.as_bytes(), list_users()), Ok(json!({})));
    }

    #[test]
    fn malformed_bodies_are_explained() {
        for body in ["{", r#"{"a":1} x"#, "", r#"{"a":tru}"#] {
            assert!(
                matches!(parse(body.as_bytes(), None), Err(Refusal::Malformed(_))),
                "{body}"
            );
        }
    }

    /// The deepest nesting an input of the model can have, documents aside.
    fn deepest(shape: ShapeId, seen: &mut Vec<usize>) -> usize {
        let Some(def) = shape.def() else { return 0 };
        if seen.contains(&shape.0) {
            // A recursive shape: no input of the model is one.
            return usize::MAX;
        }
        seen.push(shape.0);
        let below = match &def.kind {
            Kind::Structure(members) => members
                .iter()
                .map(|m| deepest(m.target, seen))
                .max()
                .map_or(1, |d| d.saturating_add(1)),
            Kind::List(item) => deepest(*item, seen).saturating_add(1),
            Kind::Map(_, value) => deepest(*value, seen).saturating_add(1),
            _ => 0,
        };
        seen.pop();
        below
    }

    #[test]
    fn the_depth_limit_leaves_room_for_every_input_of_the_model() {
        let deepest = Operation::ALL
            .iter()
            .filter_map(|op| op.input_shape())
            .map(|shape| deepest(shape, &mut Vec::new()))
            .max()
            .unwrap();
        assert!(deepest < MAX_DEPTH / 4, "{deepest}");
    }
}
