//! The fast path of validation: [`accepts`] walks a request body's bytes against the
//! input shape, as `serde` deserializes them, and builds nothing.
//!
//! It answers one question: would [`super::validate_input`] accept the JSON value of
//! this body? `true` only when it surely would; whenever the answer would take more than
//! the bytes (a broken constraint, whose message quotes values; a wrong type; a member
//! given twice, which the JSON value would keep once; a map, whose repeated keys the value
//! would merge; base64 data), it says `false`, and the caller takes the full path:
//! parse, [`super::validate_input`], decode. So the rules live in one place
//! (`super::check` and the schema), and what this walk accepts is a subset of what the
//! full path accepts, which the tests check case by case.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::{check, Checked};
use crate::schema::{Kind, MemberDef, ShapeDef, ShapeId};
use crate::Operation;

/// Whether the input of `op` in `body` (a JSON object) is valid for sure: `false` means
/// "not known to be", and the caller validates the parsed value instead.
pub fn accepts(op: Operation, body: &[u8]) -> bool {
    let Some(shape) = op.input_shape() else {
        return false;
    };
    let mut json = serde_json::Deserializer::from_slice(body);
    Shape(shape).deserialize(&mut json).is_ok() && json.end().is_ok()
}

/// Why the walk stopped; never shown to anyone.
#[derive(Debug)]
struct NotSure;

impl fmt::Display for NotSure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not known to be valid")
    }
}

pub(super) fn not_sure<E: de::Error>() -> E {
    E::custom(NotSure)
}

/// The value at hand must be valid for this shape.
#[derive(Clone, Copy)]
struct Shape(ShapeId);

impl<'de> DeserializeSeed<'de> for Shape {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        let def = self.0.def().ok_or_else(not_sure)?;
        match &def.kind {
            Kind::Structure(members) => d.deserialize_map(Structure { members }),
            Kind::List(item) => d.deserialize_seq(List { def, item: *item }),
            Kind::String | Kind::Enum(_) => d.deserialize_str(Text { def }),
            Kind::Integer | Kind::Long => d.deserialize_any(Integer { def }),
            Kind::Boolean => d.deserialize_bool(Boolean),
            Kind::Timestamp => d.deserialize_any(Number),
            Kind::Document => d.deserialize_ignored_any(IgnoredAny).map(drop),
            Kind::Map(..) | Kind::Blob => Err(not_sure()),
        }
    }
}

/// A structure: a JSON object whose known members are valid, each given once, with every
/// required one present and not null. Unknown members are skipped, as the full path
/// ignores them.
struct Structure {
    members: &'static [MemberDef],
}

impl<'de> Visitor<'de> for Structure {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a structure")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        // One bit per member: which were given.
        if self.members.len() > 128 {
            return Err(not_sure());
        }
        let mut given = 0u128;
        while let Some(index) = map.next_key_seed(MemberName {
            members: self.members,
        })? {
            let Some((index, member)) = index.and_then(|i| Some((i, self.members.get(i)?))) else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            // `index` < `members.len()` <= 128.
            let bit = 1u128 << index;
            if given & bit != 0 {
                return Err(not_sure());
            }
            given |= bit;
            map.next_value_seed(Member(member))?;
        }
        let all_required = self.members.iter().enumerate().all(|(i, m)| {
            let present = given & (1u128 << i) != 0;
            !m.required || present
        });
        if all_required {
            Ok(())
        } else {
            Err(not_sure())
        }
    }
}

/// A member's value: `null` counts as absent (and is refused where the member is
/// required, as the full path reports it).
struct Member(&'static MemberDef);

impl<'de> DeserializeSeed<'de> for Member {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_option(Optional(self.0))
    }
}

struct Optional(&'static MemberDef);

impl<'de> Visitor<'de> for Optional {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member's value")
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        if self.0.required {
            Err(not_sure())
        } else {
            Ok(())
        }
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.visit_none()
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        Shape(self.0.target).deserialize(d)
    }
}

/// A member name: the index of the member it names, `None` for an unknown one.
struct MemberName {
    members: &'static [MemberDef],
}

impl<'de> DeserializeSeed<'de> for MemberName {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<usize>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for MemberName {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<Option<usize>, E> {
        Ok(self.members.iter().position(|m| m.name == name))
    }
}

/// A list: its items valid, and its length within bounds.
struct List {
    def: &'static ShapeDef,
    item: ShapeId,
}

impl<'de> Visitor<'de> for List {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut items = 0usize;
        while seq.next_element_seed(Shape(self.item))?.is_some() {
            items = items.saturating_add(1);
        }
        satisfies(self.def, Checked::Items(items))
    }
}

/// A string or enum value within its constraints.
struct Text {
    def: &'static ShapeDef,
}

impl<'de> Visitor<'de> for Text {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<(), E> {
        satisfies(self.def, Checked::Str(value))
    }
}

/// A 32- or 64-bit integer (as the shape says) within its range: a JSON number without a
/// fraction or exponent, as the full path's `as_i64` reads it.
struct Integer {
    def: &'static ShapeDef,
}

impl Integer {
    fn fits(&self, value: i64) -> bool {
        match self.def.kind {
            Kind::Integer => i32::try_from(value).is_ok(),
            _ => true,
        }
    }
}

impl<'de> Visitor<'de> for Integer {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer")
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<(), E> {
        if self.fits(value) {
            satisfies(self.def, Checked::Number(Some(value)))
        } else {
            Err(not_sure())
        }
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<(), E> {
        let value = i64::try_from(value).map_err(|_| not_sure())?;
        self.visit_i64(value)
    }
}

/// `true` or `false`.
struct Boolean;

impl<'de> Visitor<'de> for Boolean {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a boolean")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
}

/// Any JSON number (timestamps are epoch seconds, with or without a fraction).
struct Number;

impl<'de> Visitor<'de> for Number {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number")
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
}

/// Whether `value` breaks none of `def`'s constraints, by the full path's own check.
pub(super) fn satisfies<E: de::Error>(def: &ShapeDef, value: Checked<'_>) -> Result<(), E> {
    let mut broken = Vec::new();
    check(def, value, &mut broken);
    if broken.is_empty() {
        Ok(())
    } else {
        Err(not_sure())
    }
}

#[cfg(test)]
pub(super) mod tests {
    use serde_json::json;

    use super::*;
    use crate::validate::validate_input;

    /// `body` for `op`: what the walk says, checked against the full path. The walk may
    /// only accept what the full path accepts, and must accept the plain valid inputs
    /// (`fast`), or it saves nothing.
    fn check(op: Operation, body: &str, fast: bool) {
        let accepted = accepts(op, body.as_bytes());
        let full = serde_json::from_str::<serde_json::Value>(body)
            .ok()
            .filter(serde_json::Value::is_object)
            .is_some_and(|value| validate_input(op, &value).is_ok());
        assert_eq!(accepted, fast, "{op} {body}: the walk");
        if accepted {
            assert!(
                full,
                "{op} {body}: accepted by the walk, refused by the full path"
            );
        }
    }

    #[test]
    fn the_walk_accepts_only_what_validation_accepts() {
        for (op, body, fast) in cases() {
            check(op, &body, fast);
        }
    }

    /// Bodies, and whether the walk must accept them.
    pub(in crate::validate) fn cases() -> Vec<(Operation, String, bool)> {
        use Operation::*;
        let long_name = format!(
            r#"{{"UserPoolId":"us-east-1_abc","Username":"{}"}}"#,
            "é".repeat(129)
        );
        let cases: Vec<(Operation, String, bool)> = vec![
            (AdminGetUser, r#"{"UserPoolId":"us-east-1_abc","Username":"alice"}"#.into(), true),
            (AdminGetUser, r#" { "Username" : "alice" , "UserPoolId" : "us-east-1_abc" } "#.into(), true),
            (AdminGetUser, r#"{"UserPoolId":"us-east-1_abc","Username":"al\u0069ce","Other":[1,{"x":null}]}"#.into(), true),
            (AdminGetUser, r#"{"UserPoolId":"us-east-1_abc"}"#.into(), false),
            (AdminGetUser, r#"{"UserPoolId":"us-east-1_abc","Username":null}"#.into(), false),
            (AdminGetUser, r#"{"UserPoolId":"bad pool","Username":"alice"}"#.into(), false),
            (AdminGetUser, r#"{"UserPoolId":"us-east-1_abc","Username":5}"#.into(), false),
            (AdminGetUser, r#"{"UserPoolId":"us-east-1_abc","Username":"a","Username":"b"}"#.into(), false),
            (AdminGetUser, r#"["us-east-1_abc","alice"]"#.into(), false),
            (AdminGetUser, r#"{"UserPoolId":"us-east-1_abc","Username":"alice"} x"#.into(), false),
            (AdminGetUser, "".into(), false),
            (AdminGetUser, "{".into(), false),
            (AdminGetUser, long_name, false),
            (
                AdminCreateUser,
                r#"{"UserPoolId":"us-east-1_abc","Username":"u1","UserAttributes":[{"Name":"email","Value":"u1@example.com"}],"MessageAction":"SUPPRESS","ForceAliasCreation":false}"#.into(),
                true,
            ),
            (
                AdminCreateUser,
                r#"{"UserPoolId":"us-east-1_abc","Username":"u1","MessageAction":null,"TemporaryPassword":null}"#.into(),
                true,
            ),
            (
                AdminCreateUser,
                r#"{"UserPoolId":"us-east-1_abc","Username":"u1","MessageAction":"SOMETIMES"}"#.into(),
                false,
            ),
            (
                AdminCreateUser,
                r#"{"UserPoolId":"us-east-1_abc","Username":"u1","UserAttributes":[{"Value":"x"}]}"#.into(),
                false,
            ),
            (
                AdminCreateUser,
                r#"{"UserPoolId":"us-east-1_abc","Username":"u1","UserAttributes":[["email","x"]]}"#.into(),
                false,
            ),
            (
                AdminCreateUser,
                r#"{"UserPoolId":"us-east-1_abc","Username":"u1","UserAttributes":{"Name":"email"}}"#.into(),
                false,
            ),
            (
                AdminCreateUser,
                r#"{"UserPoolId":"us-east-1_abc","Username":"u1","ClientMetadata":{"a":"b"}}"#.into(),
                false,
            ),
            (
                AdminCreateUser,
                r#"{"UserPoolId":"us-east-1_abc","Username":"u1","DesiredDeliveryMediums":["EMAIL","SMS"]}"#.into(),
                true,
            ),
            (
                AdminCreateUser,
                r#"{"UserPoolId":"us-east-1_abc","Username":"u1","DesiredDeliveryMediums":["PIGEON"]}"#.into(),
                false,
            ),
            (ListUsers, r#"{"UserPoolId":"us-east-1_abc","Limit":60}"#.into(), true),
            (ListUsers, r#"{"UserPoolId":"us-east-1_abc","Limit":61}"#.into(), false),
            (ListUsers, r#"{"UserPoolId":"us-east-1_abc","Limit":6.0}"#.into(), false),
            (ListUsers, r#"{"UserPoolId":"us-east-1_abc","Limit":1e1}"#.into(), false),
            (ListUsers, r#"{"UserPoolId":"us-east-1_abc","Limit":-1}"#.into(), false),
            (ListUsers, r#"{"UserPoolId":"us-east-1_abc","Limit":4294967296}"#.into(), false),
            (ListUsers, r#"{"UserPoolId":"us-east-1_abc","Limit":"6"}"#.into(), false),
            (
                CreateUserPool,
                r#"{"PoolName":"p","Policies":{"PasswordPolicy":{"MinimumLength":8,"RequireNumbers":true}}}"#.into(),
                true,
            ),
            (
                CreateUserPool,
                r#"{"PoolName":"p","Policies":{"PasswordPolicy":{"MinimumLength":4}}}"#.into(),
                false,
            ),
            (
                CreateUserPool,
                r#"{"PoolName":"p","Policies":{"PasswordPolicy":{"RequireNumbers":"yes"}}}"#.into(),
                false,
            ),
            (
                CreateUserPool,
                r#"{"PoolName":"p","Policies":{"PasswordPolicy":{"RequireNumbers":null}}}"#.into(),
                true,
            ),
            (
                SetUICustomization,
                r#"{"UserPoolId":"us-east-1_abc","ImageFile":"aGk="}"#.into(),
                false,
            ),
        ];
        let mut cases = cases;
        // And what the validation module's own tests refuse, the walk refuses too.
        for (op, input) in [
            (Operation::DescribeUserPool, json!({})),
            (
                Operation::DescribeUserPoolClient,
                json!({"UserPoolId": "bad pool"}),
            ),
            (
                Operation::SignUp,
                json!({"ClientId": "abc", "Username": "u", "Password": "has space\u{0}"}),
            ),
            (Operation::CreateUserPool, json!({"PoolName": 5})),
            (
                Operation::CreateUserPool,
                json!({"PoolName": "p", "MfaConfiguration": "SOMETIMES"}),
            ),
        ] {
            cases.push((op, input.to_string(), false));
        }
        cases
    }
}
