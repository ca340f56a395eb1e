//! Validation while decoding: [`decode`] reads a request body's bytes once, into the
//! operation's typed input, and checks the schema's rules on the way, where [`accepts`]
//! followed by a typed decode read them twice.
//!
//! It stands between `serde_json`'s deserializer and the generated type's `Deserialize`:
//! each value passes through a [`Value`] that knows its shape, checks what [`accepts`]
//! checks (JSON types, constraints by `super::check`, members given once, required
//! members present and not null, no base64 data) and hands the value on unchanged. Maps
//! of text (a sign-in's `AuthParameters`, `ChallengeResponses`) are read too, as the full
//! path reads them: an entry whose value is `null` is left out, a key given twice is left
//! to the full path. Whatever this pass is not sure of goes to the full path, which words
//! the rejection; the tests check that what it decodes is what the full path decodes.
//!
//! [`accepts`]: super::accepts

use std::borrow::Cow;
use std::fmt;

use serde::de::value::{BorrowedStrDeserializer, StrDeserializer, StringDeserializer};
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor,
};

use super::fast::{not_sure, satisfies};
use super::Checked;
use crate::schema::{Kind, MemberDef, ShapeDef, ShapeId};
use crate::Operation;

/// The input of `op` in `body` (a JSON object), decoded, when it is valid for sure;
/// `None` means "not known to be", and the caller validates the parsed value instead.
pub fn decode<T: DeserializeOwned>(op: Operation, body: &[u8]) -> Option<T> {
    let shape = op.input_shape()?;
    let mut json = serde_json::Deserializer::from_slice(body);
    let input = T::deserialize(Value {
        de: &mut json,
        shape,
    })
    .ok()?;
    json.end().ok()?;
    Some(input)
}

/// A value that must be valid for `shape`, on its way to the typed input.
struct Value<D> {
    de: D,
    shape: ShapeId,
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Value<D> {
    type Error = D::Error;

    /// What the shape says, whatever the typed input asks for.
    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
        let def = self.shape.def().ok_or_else(not_sure)?;
        match &def.kind {
            Kind::Structure(members) => self.de.deserialize_map(Structure { v, members }),
            Kind::List(item) => self.de.deserialize_seq(List {
                v,
                def,
                item: *item,
            }),
            Kind::String | Kind::Enum(_) => self.de.deserialize_str(Text {
                v,
                def,
                variant: false,
            }),
            Kind::Integer | Kind::Long => self.de.deserialize_any(Integer { v, def }),
            Kind::Boolean => self.de.deserialize_bool(Boolean(v)),
            Kind::Timestamp => self.de.deserialize_any(Number(v)),
            Kind::Document => self.de.deserialize_any(v),
            Kind::Map(key, value) => self.de.deserialize_map(Map {
                v,
                def,
                key: key.def().ok_or_else(not_sure)?,
                value: value.def().ok_or_else(not_sure)?,
            }),
            Kind::Blob => Err(not_sure()),
        }
    }

    /// A member's `null` was dealt with by [`MemberValue`]; an `Option` here holds a value.
    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
        v.visit_some(self)
    }

    /// An enum's value is its text, checked as the shape says.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, D::Error> {
        let def = self.shape.def().ok_or_else(not_sure)?;
        match def.kind {
            Kind::String | Kind::Enum(_) => self.de.deserialize_str(Text {
                v,
                def,
                variant: true,
            }),
            _ => Err(not_sure()),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
        self.de.deserialize_ignored_any(v)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct newtype_struct seq tuple tuple_struct map struct identifier
    }
}

/// A structure: the typed input reads its members through [`Members`].
struct Structure<V> {
    v: V,
    members: &'static [MemberDef],
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Structure<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a structure")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        if self.members.len() > 128 {
            return Err(not_sure());
        }
        self.v.visit_map(Members {
            map,
            members: self.members,
            given: 0,
            current: None,
        })
    }
}

/// A structure's members as the typed input reads them: each known member given once,
/// and, once the object ends, every required one given.
struct Members<A> {
    map: A,
    members: &'static [MemberDef],
    /// One bit per member: which were given.
    given: u128,
    /// The member whose value comes next, when it is a known one.
    current: Option<&'static MemberDef>,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Members<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        let Some(name) = self.map.next_key_seed(Name)? else {
            let all_required = self.members.iter().enumerate().all(|(i, m)| {
                let present = self.given & (1u128 << i) != 0;
                !m.required || present
            });
            return if all_required {
                Ok(None)
            } else {
                Err(not_sure())
            };
        };
        self.current = None;
        if let Some(index) = self.members.iter().position(|m| m.name == name) {
            // `index` < `members.len()` <= 128.
            let bit = 1u128 << index;
            if self.given & bit != 0 {
                return Err(not_sure());
            }
            self.given |= bit;
            self.current = self.members.get(index);
        }
        match name {
            Cow::Borrowed(name) => seed.deserialize(BorrowedStrDeserializer::new(name)),
            Cow::Owned(name) => seed.deserialize(StringDeserializer::new(name)),
        }
        .map(Some)
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, A::Error> {
        match self.current.take() {
            Some(member) => self.map.next_value_seed(MemberValue { seed, member }),
            // Unknown members are skipped, as the full path ignores them.
            None => self.map.next_value_seed(seed),
        }
    }
}

/// A member name as the body has it: borrowed unless it had escapes.
struct Name;

impl<'de> DeserializeSeed<'de> for Name {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Cow<'de, str>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Name {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_borrowed_str<E: de::Error>(self, name: &'de str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Borrowed(name))
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(name.to_owned()))
    }
}

/// A known member's value: `null` counts as absent (and is refused where the member is
/// required, as the full path reports it).
struct MemberValue<S> {
    seed: S,
    member: &'static MemberDef,
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for MemberValue<S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de, S: DeserializeSeed<'de>> Visitor<'de> for MemberValue<S> {
    type Value = S::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member's value")
    }

    fn visit_none<E: de::Error>(self) -> Result<S::Value, E> {
        if self.member.required {
            return Err(not_sure());
        }
        self.seed.deserialize(de::value::UnitDeserializer::new())
    }

    fn visit_unit<E: de::Error>(self) -> Result<S::Value, E> {
        self.visit_none()
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
        self.seed.deserialize(Value {
            de: d,
            shape: self.member.target,
        })
    }
}

/// A map of text to text: the typed input reads its entries through [`Entries`], and the
/// number of entries must be within bounds once it has read them all.
struct Map<V> {
    v: V,
    def: &'static ShapeDef,
    key: &'static ShapeDef,
    value: &'static ShapeDef,
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Map<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        let is_text = |def: &ShapeDef| matches!(def.kind, Kind::String | Kind::Enum(_));
        if !is_text(self.key) || !is_text(self.value) {
            return Err(not_sure());
        }
        let mut entries = Entries {
            map,
            key: self.key,
            value: self.value,
            seen: Vec::new(),
            kept: 0,
            next: None,
        };
        let value = self.v.visit_map(&mut entries)?;
        satisfies(self.def, Checked::Items(entries.kept))?;
        Ok(value)
    }
}

/// The most entries a map read in one pass may have: keys given twice are looked for
/// among all the keys before.
const MAX_ENTRIES: usize = 64;

/// A map's entries as the typed input reads them: valid keys and values, no key twice,
/// and no entry whose value is `null` (the full path reads a dense map).
struct Entries<'de, A> {
    map: A,
    key: &'static ShapeDef,
    value: &'static ShapeDef,
    /// Every key so far, those with `null` values included.
    seen: Vec<Cow<'de, str>>,
    /// How many entries the typed input got.
    kept: usize,
    /// The value of the entry whose key the typed input just read.
    next: Option<Cow<'de, str>>,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Entries<'de, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        loop {
            let Some(key) = self.map.next_key_seed(Name)? else {
                return Ok(None);
            };
            let value = self.map.next_value_seed(NullableText)?;
            if self.seen.len() >= MAX_ENTRIES || self.seen.contains(&key) {
                return Err(not_sure());
            }
            self.seen.push(key.clone());
            let Some(value) = value else {
                continue;
            };
            satisfies(self.key, Checked::Str(&key))?;
            satisfies(self.value, Checked::Str(&value))?;
            self.kept += 1;
            self.next = Some(value);
            return match key {
                Cow::Borrowed(key) => seed.deserialize(BorrowedStrDeserializer::new(key)),
                Cow::Owned(key) => seed.deserialize(StringDeserializer::new(key)),
            }
            .map(Some);
        }
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, A::Error> {
        match self.next.take().ok_or_else(not_sure)? {
            Cow::Borrowed(value) => seed.deserialize(BorrowedStrDeserializer::new(value)),
            Cow::Owned(value) => seed.deserialize(StringDeserializer::new(value)),
        }
    }
}

/// A map entry's value: text, or `null`.
struct NullableText;

impl<'de> DeserializeSeed<'de> for NullableText {
    type Value = Option<Cow<'de, str>>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for NullableText {
    type Value = Option<Cow<'de, str>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("text or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(Name).map(Some)
    }
}

/// A list: each item valid for the item shape, and the length within bounds once the
/// typed input has read them all.
struct List<V> {
    v: V,
    def: &'static ShapeDef,
    item: ShapeId,
}

impl<'de, V: Visitor<'de>> Visitor<'de> for List<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        let mut items = 0usize;
        let value = self.v.visit_seq(Items {
            seq,
            item: self.item,
            count: &mut items,
        })?;
        satisfies(self.def, Checked::Items(items))?;
        Ok(value)
    }
}

/// A list's items as the typed input reads them, counted.
struct Items<'c, A> {
    seq: A,
    item: ShapeId,
    count: &'c mut usize,
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for Items<'_, A> {
    type Error = A::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, A::Error> {
        let item = self.seq.next_element_seed(Item {
            seed,
            shape: self.item,
        })?;
        if item.is_some() {
            *self.count = self.count.saturating_add(1);
        }
        Ok(item)
    }

    fn size_hint(&self) -> Option<usize> {
        self.seq.size_hint()
    }
}

/// One item of a list.
struct Item<T> {
    seed: T,
    shape: ShapeId,
}

impl<'de, T: DeserializeSeed<'de>> DeserializeSeed<'de> for Item<T> {
    type Value = T::Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<T::Value, D::Error> {
        self.seed.deserialize(Value {
            de: d,
            shape: self.shape,
        })
    }
}

/// A string or enum value within its constraints, handed on as text, or as the variant
/// it names.
struct Text<V> {
    v: V,
    def: &'static ShapeDef,
    variant: bool,
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Text<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E: de::Error>(self, value: &'de str) -> Result<V::Value, E> {
        satisfies(self.def, Checked::Str(value))?;
        if self.variant {
            self.v.visit_enum(BorrowedStrDeserializer::new(value))
        } else {
            self.v.visit_borrowed_str(value)
        }
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<V::Value, E> {
        satisfies(self.def, Checked::Str(value))?;
        if self.variant {
            self.v.visit_enum(StrDeserializer::new(value))
        } else {
            self.v.visit_str(value)
        }
    }
}

/// A 32- or 64-bit integer (as the shape says) within its range: a JSON number without a
/// fraction or exponent, as the full path's `as_i64` reads it.
struct Integer<V> {
    v: V,
    def: &'static ShapeDef,
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Integer<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer")
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<V::Value, E> {
        let fits = match self.def.kind {
            Kind::Integer => i32::try_from(value).is_ok(),
            _ => true,
        };
        if !fits {
            return Err(not_sure());
        }
        satisfies(self.def, Checked::Number(Some(value)))?;
        self.v.visit_i64(value)
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<V::Value, E> {
        let value = i64::try_from(value).map_err(|_| not_sure())?;
        self.visit_i64(value)
    }
}

/// `true` or `false`.
struct Boolean<V>(V);

impl<'de, V: Visitor<'de>> Visitor<'de> for Boolean<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a boolean")
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<V::Value, E> {
        self.0.visit_bool(value)
    }
}

/// Any JSON number (timestamps are epoch seconds, with or without a fraction).
struct Number<V>(V);

impl<'de, V: Visitor<'de>> Visitor<'de> for Number<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number")
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<V::Value, E> {
        self.0.visit_i64(value)
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<V::Value, E> {
        self.0.visit_u64(value)
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<V::Value, E> {
        self.0.visit_f64(value)
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Debug;

    use super::*;
    use crate::shapes::*;
    use crate::validate::accepts;
    use crate::validate::fast::tests::cases;

    /// What the full path makes of `body`: parse, drop the `null`s of maps, validate,
    /// decode from the value.
    fn full_path<T: DeserializeOwned>(op: Operation, body: &str) -> Option<T> {
        let mut value = serde_json::from_str::<serde_json::Value>(body)
            .ok()
            .filter(serde_json::Value::is_object)?;
        crate::validate::drop_null_map_values(op, &mut value);
        crate::validate::validate_input(op, &value).ok()?;
        serde_json::from_value(value).ok()
    }

    /// What the one pass decodes, the full path decodes alike; and it decodes at least
    /// what the walk accepts and the plain decode reads.
    fn agrees<T: DeserializeOwned + PartialEq + Debug>(op: Operation, body: &str) {
        let one_pass = decode::<T>(op, body.as_bytes());
        if let Some(input) = &one_pass {
            assert_eq!(
                Some(input),
                full_path::<T>(op, body).as_ref(),
                "{op} {body}: decoded in one pass, not so by the full path"
            );
        }
        if accepts(op, body.as_bytes()) && serde_json::from_str::<T>(body).is_ok() {
            assert!(
                one_pass.is_some(),
                "{op} {body}: accepted by the walk, not decoded"
            );
        }
    }

    /// The one pass must decode these (`true`) or leave them to the full path (`false`).
    fn decodes<T: DeserializeOwned + PartialEq + Debug>(op: Operation, body: &str, fast: bool) {
        agrees::<T>(op, body);
        assert_eq!(
            decode::<T>(op, body.as_bytes()).is_some(),
            fast,
            "{op} {body}: one pass"
        );
    }

    #[test]
    fn maps_of_text_are_read_as_the_full_path_reads_them() {
        use Operation::*;
        for (op, body, fast) in [
            (
                InitiateAuth,
                r#"{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"abc","AuthParameters":{"USERNAME":"u","PASSWORD":"p"}}"#,
                true,
            ),
            (
                InitiateAuth,
                r#"{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"abc","AuthParameters":{"USERNAME":"u","DEVICE_KEY":null}}"#,
                true,
            ),
            (
                InitiateAuth,
                r#"{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"abc","AuthParameters":{}}"#,
                true,
            ),
            (
                InitiateAuth,
                r#"{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"abc","AuthParameters":{"U\u0053ERNAME":"\u0075"}}"#,
                true,
            ),
            (
                InitiateAuth,
                r#"{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"abc","AuthParameters":{"USERNAME":"u","USERNAME":"v"}}"#,
                false,
            ),
            (
                InitiateAuth,
                r#"{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"abc","AuthParameters":{"USERNAME":"u","USERNAME":null}}"#,
                false,
            ),
            (
                InitiateAuth,
                r#"{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"abc","AuthParameters":{"USERNAME":5}}"#,
                false,
            ),
            (
                InitiateAuth,
                r#"{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"abc","AuthParameters":{"USERNAME":["u"]}}"#,
                false,
            ),
            (
                InitiateAuth,
                r#"{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"abc","AuthParameters":["u"]}"#,
                false,
            ),
            (
                InitiateAuth,
                r#"{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"abc","AuthParameters":null}"#,
                true,
            ),
            (
                InitiateAuth,
                r#"{"AuthFlow":"NOPE","ClientId":"abc","AuthParameters":{"USERNAME":"u"}}"#,
                false,
            ),
            (
                RespondToAuthChallenge,
                r#"{"ClientId":"abc","ChallengeName":"SOFTWARE_TOKEN_MFA","Session":"AYABeEXAMPLEsessionEXAMPLE","ChallengeResponses":{"USERNAME":"u","SOFTWARE_TOKEN_MFA_CODE":"123456"}}"#,
                true,
            ),
            (
                RespondToAuthChallenge,
                r#"{"ClientId":"abc","ChallengeName":"PASSWORD_VERIFIER","ChallengeResponses":{"USERNAME":"ann","DEVICE_KEY":null},"Session":null}"#,
                true,
            ),
        ] {
            match op {
                InitiateAuth => decodes::<InitiateAuthRequest>(op, body, fast),
                _ => decodes::<RespondToAuthChallengeRequest>(op, body, fast),
            }
        }
        let many: String = (0..70)
            .map(|i| format!(r#""K{i}":"v""#))
            .collect::<Vec<_>>()
            .join(",");
        decodes::<InitiateAuthRequest>(
            InitiateAuth,
            &format!(
                r#"{{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"abc","AuthParameters":{{{many}}}}}"#
            ),
            false,
        );
    }

    #[test]
    fn decodes_what_the_walk_accepts() {
        use Operation::*;
        let mut cases = cases();
        cases.extend(
            [
                (AdminGetUser, r#"{"UserPoolId":"us-east-1_abc","Username":"\u00e9l\u00e8ve"}"#),
                (AdminGetUser, r#"{"Userna\u006de":"alice","UserPoolId":"us-east-1_abc"}"#),
                (AdminGetUser, r#"{"UserPoolId":"us-east-1_abc","Username":"alice","Username":"alice"}"#),
                (AdminGetUser, r#"{"UserPoolId":"us-east-1_abc","Username":""}"#),
                (
                    AdminCreateUser,
                    r#"{"UserPoolId":"us-east-1_abc","Username":"u1","UserAttributes":[]}"#,
                ),
                (
                    AdminCreateUser,
                    r#"{"UserPoolId":"us-east-1_abc","Username":"u1","UserAttributes":[null]}"#,
                ),
                (
                    AdminCreateUser,
                    r#"{"UserPoolId":"us-east-1_abc","Username":"u1","ForceAliasCreation":null}"#,
                ),
                (
                    AdminCreateUser,
                    r#"{"UserPoolId":"us-east-1_abc","Username":"u1","MessageAction":"RESEND","DesiredDeliveryMediums":[]}"#,
                ),
                (ListUsers, r#"{"UserPoolId":"us-east-1_abc","Filter":"email ^= \"a\"","Limit":0}"#),
                (ListUsers, r#"{"UserPoolId":"us-east-1_abc","AttributesToGet":["email","sub"]}"#),
                (
                    InitiateAuth,
                    r#"{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"abc","AuthParameters":{"USERNAME":"u","PASSWORD":"p"}}"#,
                ),
                (
                    CreateUserPool,
                    r#"{"PoolName":"p","MfaConfiguration":"OPTIONAL","Schema":[{"Name":"x","AttributeDataType":"String","Mutable":true}]}"#,
                ),
            ]
            .map(|(op, body)| (op, body.to_owned(), true)),
        );
        for (op, body, _) in cases {
            match op {
                AdminGetUser => agrees::<AdminGetUserRequest>(op, &body),
                AdminCreateUser => agrees::<AdminCreateUserRequest>(op, &body),
                ListUsers => agrees::<ListUsersRequest>(op, &body),
                CreateUserPool => agrees::<CreateUserPoolRequest>(op, &body),
                SetUICustomization => agrees::<SetUICustomizationRequest>(op, &body),
                DescribeUserPool => agrees::<DescribeUserPoolRequest>(op, &body),
                DescribeUserPoolClient => agrees::<DescribeUserPoolClientRequest>(op, &body),
                SignUp => agrees::<SignUpRequest>(op, &body),
                InitiateAuth => agrees::<InitiateAuthRequest>(op, &body),
                other => panic!("no input type for {other} in this test"),
            }
        }
    }

    #[test]
    fn plain_inputs_decode() {
        let input: Option<AdminCreateUserRequest> = decode(
            Operation::AdminCreateUser,
            br#"{"UserPoolId":"us-east-1_abc","Username":"u1","UserAttributes":[{"Name":"email","Value":"u1@example.com"}],"MessageAction":"SUPPRESS"}"#,
        );
        let input = input.unwrap();
        assert_eq!(input.username, "u1");
        assert_eq!(input.message_action, Some(MessageActionType::Suppress));
        assert_eq!(
            input.user_attributes.unwrap()[0].value.as_deref(),
            Some("u1@example.com")
        );
    }
}
