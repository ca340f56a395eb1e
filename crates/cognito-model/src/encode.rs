//! Answers as compact JSON, byte for byte what `serde_json::to_writer` writes, but cheaper
//! on the shapes answers have: member names and plain strings are copied whole once a
//! word-at-a-time scan finds nothing to escape, where `serde_json` looks each byte up and
//! writes quotes, separators and text in separate small writes.
//!
//! Only what the generated types and `serde_json::Value` use is written here; anything
//! else (byte arrays, 128-bit integers, enum variants with data, map keys that are not
//! strings) is [`Unsupported`], and [`to_vec`]'s caller encodes the whole answer with
//! `serde_json` instead. Strings that need escaping and floating-point numbers are
//! written by `serde_json` itself.

use std::fmt;

use serde::ser::{self, Serialize};

/// The value holds something this encoder leaves to `serde_json`.
#[derive(Debug)]
pub(crate) struct Unsupported;

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not encoded here")
    }
}

impl std::error::Error for Unsupported {}

impl ser::Error for Unsupported {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Unsupported
    }
}

/// Appends `value` as JSON to `out`. On [`Unsupported`], `out` holds a partial answer.
pub(crate) fn to_vec<T: Serialize + ?Sized>(
    value: &T,
    out: &mut Vec<u8>,
) -> Result<(), Unsupported> {
    value.serialize(&mut Writer { out })
}

struct Writer<'a> {
    out: &'a mut Vec<u8>,
}

impl Writer<'_> {
    fn str(&mut self, value: &str) -> Result<(), Unsupported> {
        if is_plain(value.as_bytes()) {
            self.out.reserve(value.len() + 2);
            self.out.push(b'"');
            self.out.extend_from_slice(value.as_bytes());
            self.out.push(b'"');
            Ok(())
        } else {
            serde_json::to_writer(&mut *self.out, value).map_err(|_| Unsupported)
        }
    }

    fn unsigned(&mut self, mut value: u64) {
        let mut digits = [0u8; 20];
        let mut at = digits.len();
        loop {
            at -= 1;
            if let Some(slot) = digits.get_mut(at) {
                // `value % 10` is a single digit.
                *slot = b'0' + (value % 10) as u8;
            }
            value /= 10;
            if value == 0 || at == 0 {
                break;
            }
        }
        self.out
            .extend_from_slice(digits.get(at..).unwrap_or_default());
    }

    fn signed(&mut self, value: i64) {
        if value < 0 {
            self.out.push(b'-');
        }
        self.unsigned(value.unsigned_abs());
    }

    fn float<F: Serialize>(&mut self, value: F) -> Result<(), Unsupported> {
        serde_json::to_writer(&mut *self.out, &value).map_err(|_| Unsupported)
    }
}

/// Whether `bytes` need no escaping in a JSON string: no control character, quote or
/// backslash (everything else, UTF-8 included, is written as it is).
///
/// Looks at eight bytes at a time; the last word overlaps the one before it, and a value
/// shorter than a word is padded with spaces, so that no byte is looked at alone.
fn is_plain(bytes: &[u8]) -> bool {
    let mut words = bytes.chunks_exact(8);
    let mut plain = true;
    for word in words.by_ref() {
        plain &= word_is_plain(word);
    }
    let rest = words.remainder();
    if !rest.is_empty() {
        let last = match bytes.len().checked_sub(8) {
            Some(start) => bytes.get(start..).unwrap_or_default(),
            None => rest,
        };
        let mut padded = [b' '; 8];
        padded
            .iter_mut()
            .zip(last)
            .for_each(|(slot, &byte)| *slot = byte);
        plain &= word_is_plain(&padded);
    }
    plain
}

/// [`is_plain`] of one word of eight bytes.
fn word_is_plain(word: &[u8]) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    let mut b = [0u8; 8];
    b.copy_from_slice(word);
    let v = u64::from_ne_bytes(b);
    // Whether any byte of `v` is below `n` (exact as a whole, whatever the borrows).
    let below = |v: u64, n: u64| v.wrapping_sub(ONES * n) & !v & HIGHS != 0;
    let quote = v ^ (ONES * u64::from(b'"'));
    let backslash = v ^ (ONES * u64::from(b'\\'));
    !(below(v, 0x20) || below(quote, 1) || below(backslash, 1))
}

/// A sequence, map or structure being written: whether a member was written yet.
struct Compound<'a, 'b> {
    writer: &'b mut Writer<'a>,
    first: bool,
}

impl Compound<'_, '_> {
    fn separate(&mut self) {
        if self.first {
            self.first = false;
        } else {
            self.writer.out.push(b',');
        }
    }
}

impl<'a, 'b> ser::Serializer for &'b mut Writer<'a> {
    type Ok = ();
    type Error = Unsupported;
    type SerializeSeq = Compound<'a, 'b>;
    type SerializeTuple = Compound<'a, 'b>;
    type SerializeTupleStruct = Compound<'a, 'b>;
    type SerializeTupleVariant = ser::Impossible<(), Unsupported>;
    type SerializeMap = Compound<'a, 'b>;
    type SerializeStruct = Compound<'a, 'b>;
    type SerializeStructVariant = ser::Impossible<(), Unsupported>;

    fn serialize_bool(self, v: bool) -> Result<(), Unsupported> {
        self.out
            .extend_from_slice(if v { b"true" } else { b"false" });
        Ok(())
    }

    fn serialize_i8(self, v: i8) -> Result<(), Unsupported> {
        self.signed(v.into());
        Ok(())
    }

    fn serialize_i16(self, v: i16) -> Result<(), Unsupported> {
        self.signed(v.into());
        Ok(())
    }

    fn serialize_i32(self, v: i32) -> Result<(), Unsupported> {
        self.signed(v.into());
        Ok(())
    }

    fn serialize_i64(self, v: i64) -> Result<(), Unsupported> {
        self.signed(v);
        Ok(())
    }

    fn serialize_u8(self, v: u8) -> Result<(), Unsupported> {
        self.unsigned(v.into());
        Ok(())
    }

    fn serialize_u16(self, v: u16) -> Result<(), Unsupported> {
        self.unsigned(v.into());
        Ok(())
    }

    fn serialize_u32(self, v: u32) -> Result<(), Unsupported> {
        self.unsigned(v.into());
        Ok(())
    }

    fn serialize_u64(self, v: u64) -> Result<(), Unsupported> {
        self.unsigned(v);
        Ok(())
    }

    fn serialize_f32(self, v: f32) -> Result<(), Unsupported> {
        self.float(v)
    }

    fn serialize_f64(self, v: f64) -> Result<(), Unsupported> {
        self.float(v)
    }

    fn serialize_char(self, v: char) -> Result<(), Unsupported> {
        self.str(v.encode_utf8(&mut [0u8; 4]))
    }

    fn serialize_str(self, v: &str) -> Result<(), Unsupported> {
        self.str(v)
    }

    fn serialize_bytes(self, _: &[u8]) -> Result<(), Unsupported> {
        Err(Unsupported)
    }

    fn serialize_none(self) -> Result<(), Unsupported> {
        self.serialize_unit()
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Unsupported> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), Unsupported> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }

    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Unsupported> {
        self.serialize_unit()
    }

    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), Unsupported> {
        self.str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Unsupported> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), Unsupported> {
        Err(Unsupported)
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Compound<'a, 'b>, Unsupported> {
        self.out.push(b'[');
        Ok(Compound {
            writer: self,
            first: true,
        })
    }

    fn serialize_tuple(self, len: usize) -> Result<Compound<'a, 'b>, Unsupported> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(
        self,
        _: &'static str,
        len: usize,
    ) -> Result<Compound<'a, 'b>, Unsupported> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Unsupported> {
        Err(Unsupported)
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Compound<'a, 'b>, Unsupported> {
        self.out.push(b'{');
        Ok(Compound {
            writer: self,
            first: true,
        })
    }

    fn serialize_struct(
        self,
        name: &'static str,
        _: usize,
    ) -> Result<Compound<'a, 'b>, Unsupported> {
        // `serde_json`'s own private structures (a number kept as text) are its to write.
        if name.starts_with('$') {
            return Err(Unsupported);
        }
        // The brace is written with the first member, or by `end`.
        Ok(Compound {
            writer: self,
            first: true,
        })
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Unsupported> {
        Err(Unsupported)
    }
}

impl ser::SerializeSeq for Compound<'_, '_> {
    type Ok = ();
    type Error = Unsupported;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unsupported> {
        self.separate();
        value.serialize(&mut *self.writer)
    }

    fn end(self) -> Result<(), Unsupported> {
        self.writer.out.push(b']');
        Ok(())
    }
}

impl ser::SerializeTuple for Compound<'_, '_> {
    type Ok = ();
    type Error = Unsupported;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unsupported> {
        ser::SerializeSeq::serialize_element(self, value)
    }

    fn end(self) -> Result<(), Unsupported> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleStruct for Compound<'_, '_> {
    type Ok = ();
    type Error = Unsupported;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unsupported> {
        ser::SerializeSeq::serialize_element(self, value)
    }

    fn end(self) -> Result<(), Unsupported> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeMap for Compound<'_, '_> {
    type Ok = ();
    type Error = Unsupported;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Unsupported> {
        self.separate();
        let start = self.writer.out.len();
        key.serialize(&mut *self.writer)?;
        // `serde_json` writes string keys as they are and quotes other kinds; only the
        // first are written here.
        if self.writer.out.get(start) == Some(&b'"') {
            Ok(())
        } else {
            Err(Unsupported)
        }
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unsupported> {
        self.writer.out.push(b':');
        value.serialize(&mut *self.writer)
    }

    fn end(self) -> Result<(), Unsupported> {
        self.writer.out.push(b'}');
        Ok(())
    }
}

impl ser::SerializeStruct for Compound<'_, '_> {
    type Ok = ();
    type Error = Unsupported;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Unsupported> {
        // Member names are written as they are: the generated types' names are the
        // model's member names, identifiers that need no escaping (a test checks every
        // one), and no other type that reaches here is a structure.
        let out = &mut *self.writer.out;
        out.reserve(key.len() + 4);
        out.extend_from_slice(if self.first { b"{\"" } else { b",\"" });
        self.first = false;
        out.extend_from_slice(key.as_bytes());
        out.extend_from_slice(b"\":");
        value.serialize(&mut *self.writer)
    }

    fn end(self) -> Result<(), Unsupported> {
        self.writer
            .out
            .extend_from_slice(if self.first { b"{}" } else { b"}" });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;
    use crate::shapes::*;
    use crate::Timestamp;

    /// Encodes `value` both ways and checks the bytes are the same.
    fn same<T: Serialize>(value: &T) {
        let expected = serde_json::to_vec(value).unwrap();
        let mut out = Vec::new();
        to_vec(value, &mut out).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&out),
            String::from_utf8_lossy(&expected)
        );
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        for s in [
            "",
            "plain",
            "exactly8",
            "sixteen bytes ok",
            "quote\"d",
            "back\\slash",
            "tab\tand\nnewline\r",
            "\u{0}\u{1}\u{1f}\u{7f}",
            "ünïcödé and emoji 🦀",
            "a long plain string of more than sixteen bytes, several words",
            "a long string whose escape comes late ........................\"",
            "</script>",
            "\u{2028}\u{2029}",
        ] {
            same(&s);
            same(&json!({ s: s }));
        }
    }

    /// The names [`ser::SerializeStruct::serialize_field`] writes without escaping.
    #[test]
    fn member_names_need_no_escaping() {
        for shape in crate::schema::SHAPES.iter() {
            if let crate::schema::Kind::Structure(members) = &shape.kind {
                for member in *members {
                    assert!(
                        !member.name.is_empty()
                            && member
                                .name
                                .bytes()
                                .all(|b| b.is_ascii_alphanumeric() || b == b'_'),
                        "{}.{}",
                        shape.name,
                        member.name
                    );
                }
            }
        }
    }

    #[test]
    fn numbers_and_values() {
        for v in [
            json!(null),
            json!(true),
            json!(false),
            json!(0),
            json!(-1),
            json!(i64::MIN),
            json!(i64::MAX),
            json!(u64::MAX),
            json!(1.5),
            json!(-0.0),
            json!(1e300),
            json!(1_700_000_000.123),
            json!([]),
            json!({}),
            json!([1, [2, [3, {}]], {"a": [], "b": {"c": null}}]),
        ] {
            same(&v);
        }
        same(&f64::NAN);
        same(&Timestamp::from_millis(1_700_000_000_000));
        same(&Timestamp::from_millis(1_700_000_000_123));
    }

    /// Random JSON values (a fixed sequence) encode as `serde_json` encodes them.
    #[test]
    fn random_values() {
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        fn value(next: &mut dyn FnMut() -> u64, depth: u32) -> Value {
            let pieces = [
                "a",
                "é",
                "\"",
                "\\",
                "\n",
                "\u{1}",
                "word",
                "🦀",
                " ",
                "0123456789",
            ];
            let text = |next: &mut dyn FnMut() -> u64| -> String {
                (0..next() % 12)
                    .map(|_| pieces[(next() % pieces.len() as u64) as usize])
                    .collect()
            };
            match next() % if depth > 3 { 6 } else { 8 } {
                0 => Value::Null,
                1 => Value::Bool(next() % 2 == 0),
                2 => json!(next() as i64),
                3 => json!(next()),
                4 => json!(f64::from_bits(next() >> 2)),
                5 => Value::String(text(next)),
                6 => Value::Array((0..next() % 5).map(|_| value(next, depth + 1)).collect()),
                _ => Value::Object(
                    (0..next() % 5)
                        .map(|_| (text(next), value(next, depth + 1)))
                        .collect(),
                ),
            }
        }
        for _ in 0..2_000 {
            same(&value(&mut next, 0));
        }
    }

    #[test]
    fn answers() {
        let user = UserType {
            username: Some("user12345".into()),
            attributes: Some(vec![
                AttributeType {
                    name: "sub".into(),
                    value: Some("0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9".into()),
                },
                AttributeType {
                    name: "email".into(),
                    value: Some("user12345@example.com".into()),
                },
            ]),
            user_create_date: Some(Timestamp::from_millis(1_700_000_000_123)),
            user_last_modified_date: Some(Timestamp::from_millis(1_700_000_000_000)),
            enabled: true,
            user_status: Some(UserStatusType::ForceChangePassword),
            mfa_options: Some(vec![MFAOptionType {
                delivery_medium: Some(DeliveryMediumType::Sms),
                attribute_name: Some("phone_number".into()),
            }]),
        };
        same(&AdminCreateUserResponse {
            user: Some(user.clone()),
        });
        same(&AdminCreateUserResponse::default());
        same(&ListUsersResponse {
            users: Some(vec![user.clone(), user]),
            pagination_token: Some("dXNlcjE=".into()),
        });
        same(&AdminGetUserResponse {
            username: "user\"quoted\"".into(),
            preferred_mfa_setting: Some("SOFTWARE_TOKEN_MFA".into()),
            user_mfa_setting_list: Some(vec!["SOFTWARE_TOKEN_MFA".into()]),
            ..AdminGetUserResponse::default()
        });
        same(&InitiateAuthResponse {
            challenge_name: Some(ChallengeNameType::SoftwareTokenMfa),
            session: Some("session".into()),
            challenge_parameters: Some(
                [("USER_ID_FOR_SRP".to_string(), "user0".to_string())]
                    .into_iter()
                    .collect(),
            ),
            ..InitiateAuthResponse::default()
        });
        same(&DescribeUserPoolResponse::default());
    }
}
