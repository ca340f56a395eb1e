//! Input validation driven by the generated schema.
//!
//! [`validate_input`] walks a request's JSON against its input shape and answers one of
//! two rejections, as Cognito does: a JSON type that does not fit the shape is a
//! serialization failure; broken constraints (`@required`, `@length`, `@pattern`,
//! `@range`, enum values) are collected and reported together as one
//! `InvalidParameterException` whose message reads
//! `2 validation errors detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null; ...`.
//!
//! [`decode`] is the fast path of the same rules: it decodes a request body's bytes
//! straight into the operation's typed input, checking the schema on the way, and
//! answers only an input valid beyond doubt ([`crate::Input::Body`]); any other body goes
//! through [`validate_input`], which words the rejection. [`accepts`] walks the bytes
//! the same way without decoding them: whether the input is valid beyond doubt.

use serde_json::{Map, Value};

use crate::schema::{Kind, ShapeDef, ShapeId};
use crate::{CognitoError, DispatchError, ErrorKind, Operation};

mod fast;
mod typed;

pub use fast::accepts;
pub use typed::decode;

/// Why an input was refused before reaching the service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    /// A value's JSON type does not fit its shape.
    WrongType {
        /// Where, as a validation path.
        path: String,
        /// What the shape expects.
        expected: &'static str,
    },
    /// Constraints are broken.
    Violations(Vec<Violation>),
}

/// One broken constraint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Where, e.g. `policies.passwordPolicy.minimumLength`.
    pub path: String,
    /// The offending value as messages print it; `None` for sensitive values.
    pub value: Option<String>,
    /// The constraint, e.g. `Member must not be null`.
    pub constraint: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.value {
            Some(v) => write!(f, "Value {v} at '{}'", self.path)?,
            None => write!(f, "Value at '{}'", self.path)?,
        }
        write!(f, " failed to satisfy constraint: {}", self.constraint)
    }
}

impl Rejection {
    /// The message clients see.
    pub fn message(&self) -> String {
        match self {
            Rejection::WrongType { path, expected } => {
                format!("Value at '{path}' is not of the expected type: expected {expected}")
            }
            Rejection::Violations(v) => {
                let parts: Vec<String> = v.iter().map(ToString::to_string).collect();
                let noun = if v.len() == 1 { "error" } else { "errors" };
                format!(
                    "{} validation {noun} detected: {}",
                    v.len(),
                    parts.join("; ")
                )
            }
        }
    }
}

impl From<Rejection> for DispatchError {
    fn from(r: Rejection) -> Self {
        match r {
            Rejection::WrongType { .. } => DispatchError::Serialization(r.message()),
            Rejection::Violations(_) => {
                CognitoError::new(ErrorKind::InvalidParameterException, r.message()).into()
            }
        }
    }
}

/// Validates the input of `op`.
pub fn validate_input(op: Operation, input: &Value) -> Result<(), Rejection> {
    match op.input_shape() {
        Some(shape) => validate(shape, input),
        None => Ok(()),
    }
}

/// Drops the `null` values of the input's maps, as a JSON protocol reads a dense map:
/// clients send `{"DEVICE_KEY": null}` for a parameter they do not have.
pub fn drop_null_map_values(op: Operation, input: &mut Value) {
    if let Some(shape) = op.input_shape() {
        drop_nulls(shape, input);
    }
}

fn drop_nulls(id: ShapeId, value: &mut Value) {
    let Some(def) = id.def() else {
        return;
    };
    match (&def.kind, value) {
        (Kind::Structure(members), Value::Object(map)) => {
            for m in *members {
                if let Some(v) = map.get_mut(m.name) {
                    drop_nulls(m.target, v);
                }
            }
        }
        (Kind::List(item), Value::Array(items)) => {
            for v in items {
                drop_nulls(*item, v);
            }
        }
        (Kind::Map(_, target), Value::Object(map)) => {
            map.retain(|_, v| !v.is_null());
            for v in map.values_mut() {
                drop_nulls(*target, v);
            }
        }
        _ => {}
    }
}

/// Validates `value` against `shape`.
pub fn validate(shape: ShapeId, value: &Value) -> Result<(), Rejection> {
    let mut v = Validator {
        violations: Vec::new(),
    };
    v.value(shape, value, Path::Root)?;
    if v.violations.is_empty() {
        Ok(())
    } else {
        Err(Rejection::Violations(v.violations))
    }
}

struct Validator {
    violations: Vec<Violation>,
}

/// Where a value sits in the input, as a chain of steps from the root; written out as
/// text (`userAttributes.2.member.name`) only when a message names it.
#[derive(Clone, Copy)]
enum Path<'a> {
    /// The input itself.
    Root,
    /// A structure member, by its validation name.
    Member(&'a Path<'a>, &'static str),
    /// The item of a list at this 0-based index (written 1-based, as `N.member`).
    Item(&'a Path<'a>, usize),
    /// The entry of a map with this key.
    Entry(&'a Path<'a>, &'a str),
}

impl Path<'_> {
    /// The path as messages write it; empty for the root.
    fn render(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        use std::fmt::Write as _;
        match self {
            Path::Root => {}
            Path::Member(parent, name) => {
                parent.write(out);
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(name);
            }
            Path::Item(parent, index) => {
                parent.write(out);
                let _ = write!(out, ".{}.member", index.saturating_add(1));
            }
            Path::Entry(parent, key) => {
                parent.write(out);
                out.push('.');
                out.push_str(key);
            }
        }
    }
}

impl Validator {
    /// Checks types (failing fast) and records constraint violations of `value` at `path`.
    fn value(&mut self, id: ShapeId, value: &Value, path: Path<'_>) -> Result<(), Rejection> {
        let Some(def) = id.def() else {
            return Ok(());
        };
        let wrong = |expected| {
            let path = path.render();
            Err(Rejection::WrongType {
                path: if path.is_empty() {
                    "input".into()
                } else {
                    path
                },
                expected,
            })
        };
        match (&def.kind, value) {
            (Kind::Structure(members), Value::Object(map)) => {
                for m in *members {
                    let member_path = Path::Member(&path, m.path);
                    match map.get(m.name) {
                        None | Some(Value::Null) if m.required => self.violations.push(Violation {
                            path: member_path.render(),
                            value: Some("null".into()),
                            constraint: "Member must not be null".into(),
                        }),
                        None | Some(Value::Null) => {}
                        Some(v) => self.value(m.target, v, member_path)?,
                    }
                }
            }
            (Kind::Structure(_), _) => return wrong("a structure"),
            (Kind::List(item), Value::Array(items)) => {
                self.constraints(def, value, path);
                self.items(*item, items, path)?;
            }
            (Kind::List(_), _) => return wrong("a list"),
            (Kind::Map(k, v), Value::Object(map)) => {
                self.constraints(def, value, path);
                self.entries(*k, *v, map, value, path)?;
            }
            (Kind::Map(..), _) => return wrong("a map"),
            (Kind::String | Kind::Enum(_), Value::String(_)) => self.constraints(def, value, path),
            (Kind::String | Kind::Enum(_), _) => return wrong("a string"),
            (Kind::Blob, Value::String(text)) => {
                use base64::Engine as _;
                let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(text) else {
                    return wrong("a base64 string");
                };
                // `@length` on a blob counts its bytes.
                if let Some((min, max)) = def.length {
                    let len = bytes.len() as u64;
                    if let Some(max) = max.filter(|m| len > *m) {
                        self.push(
                            path,
                            None,
                            format!("Member must have length less than or equal to {max}"),
                        );
                    }
                    if let Some(min) = min.filter(|m| len < *m) {
                        self.push(
                            path,
                            None,
                            format!("Member must have length greater than or equal to {min}"),
                        );
                    }
                }
            }
            (Kind::Blob, _) => return wrong("a base64 string"),
            (Kind::Integer, Value::Number(n))
                if n.as_i64().is_some_and(|i| i32::try_from(i).is_ok()) =>
            {
                self.constraints(def, value, path)
            }
            (Kind::Integer, _) => return wrong("a 32-bit integer"),
            (Kind::Long, Value::Number(n)) if n.is_i64() => self.constraints(def, value, path),
            (Kind::Long, _) => return wrong("a 64-bit integer"),
            (Kind::Boolean, Value::Bool(_)) => {}
            (Kind::Boolean, _) => return wrong("a boolean"),
            (Kind::Timestamp, Value::Number(_)) => {}
            (Kind::Timestamp, _) => return wrong("a timestamp in epoch seconds"),
            (Kind::Document, _) => {}
        }
        Ok(())
    }

    fn items(&mut self, item: ShapeId, items: &[Value], path: Path<'_>) -> Result<(), Rejection> {
        let simple = item
            .def()
            .is_some_and(|d| !matches!(d.kind, Kind::Structure(_)));
        let mut broken = Vec::new();
        for (i, v) in items.iter().enumerate() {
            let item_path = Path::Item(&path, i);
            if simple {
                self.type_check_only(item, v, item_path)?;
                broken.extend(item.def().map(|d| self.broken(d, v)).unwrap_or_default());
            } else {
                self.value(item, v, item_path)?;
            }
        }
        if !broken.is_empty() {
            broken.dedup();
            self.violations.push(Violation {
                path: path.render(),
                value: Some(render_quoted(&Value::Array(items.to_vec()), false)),
                constraint: format!("Member must satisfy constraint: [{}]", broken.join(", ")),
            });
        }
        Ok(())
    }

    fn entries(
        &mut self,
        key: ShapeId,
        value: ShapeId,
        map: &Map<String, Value>,
        whole: &Value,
        path: Path<'_>,
    ) -> Result<(), Rejection> {
        let simple = value
            .def()
            .is_some_and(|d| !matches!(d.kind, Kind::Structure(_)));
        let mut broken_keys = Vec::new();
        let mut broken_values = Vec::new();
        for (k, v) in map {
            if let Some(d) = key.def() {
                broken_keys.extend(self.broken_str(d, k));
            }
            let entry_path = Path::Entry(&path, k);
            if simple {
                self.type_check_only(value, v, entry_path)?;
                broken_values.extend(value.def().map(|d| self.broken(d, v)).unwrap_or_default());
            } else {
                self.value(value, v, entry_path)?;
            }
        }
        let sensitive = value.def().is_some_and(|d| d.sensitive);
        for (what, mut broken) in [("Map keys", broken_keys), ("Map value", broken_values)] {
            if !broken.is_empty() {
                broken.dedup();
                self.violations.push(Violation {
                    path: path.render(),
                    value: (!sensitive).then(|| render_quoted(whole, false)),
                    constraint: format!("{what} must satisfy constraint: [{}]", broken.join(", ")),
                });
            }
        }
        Ok(())
    }

    /// Type-checks a simple value without recording its violations.
    fn type_check_only(
        &mut self,
        id: ShapeId,
        value: &Value,
        path: Path<'_>,
    ) -> Result<(), Rejection> {
        let before = self.violations.len();
        let result = self.value(id, value, path);
        self.violations.truncate(before);
        result
    }

    fn push(&mut self, path: Path<'_>, value: Option<String>, constraint: String) {
        self.violations.push(Violation {
            path: path.render(),
            value,
            constraint,
        });
    }

    fn constraints(&mut self, def: &ShapeDef, value: &Value, path: Path<'_>) {
        for constraint in self.broken(def, value) {
            self.violations.push(Violation {
                path: path.render(),
                value: (!def.sensitive).then(|| render_quoted(value, false)),
                constraint,
            });
        }
    }

    /// The constraint texts a map key breaks.
    fn broken_str(&self, def: &ShapeDef, key: &str) -> Vec<String> {
        let mut out = Vec::new();
        check(def, Checked::Str(key), &mut out);
        out
    }

    /// The constraint texts `value` breaks, in Cognito's order: length, range, pattern, enum.
    fn broken(&self, def: &ShapeDef, value: &Value) -> Vec<String> {
        let mut out = Vec::new();
        let checked = match value {
            Value::String(s) => Checked::Str(s),
            Value::Array(a) => Checked::Items(a.len()),
            Value::Object(o) => Checked::Items(o.len()),
            Value::Number(n) => Checked::Number(n.as_i64()),
            _ => Checked::Other,
        };
        check(def, checked, &mut out);
        out
    }
}

/// Appends the constraint texts `value` breaks to `out`, in Cognito's order: length,
/// range, pattern, enum. Allocates nothing when it breaks none.
fn check(def: &ShapeDef, value: Checked<'_>, out: &mut Vec<String>) {
    if let Some((min, max)) = def.length {
        let len = match value {
            Checked::Str(s) => Some(s.chars().count() as u64),
            Checked::Items(n) => Some(n as u64),
            Checked::Number(_) | Checked::Other => None,
        };
        if let Some(len) = len {
            if let Some(max) = max.filter(|m| len > *m) {
                out.push(format!(
                    "Member must have length less than or equal to {max}"
                ));
            }
            if let Some(min) = min.filter(|m| len < *m) {
                out.push(format!(
                    "Member must have length greater than or equal to {min}"
                ));
            }
        }
    }
    if let (Some((min, max)), Checked::Number(Some(n))) = (def.range, value) {
        if let Some(max) = max.filter(|m| n > *m) {
            out.push(format!(
                "Member must have value less than or equal to {max}"
            ));
        }
        if let Some(min) = min.filter(|m| n < *m) {
            out.push(format!(
                "Member must have value greater than or equal to {min}"
            ));
        }
    }
    if let (Some(p), Checked::Str(s)) = (def.pattern, value) {
        if !p.matches(s) {
            out.push(format!(
                "Member must satisfy regular expression pattern: {}",
                p.source
            ));
        }
    }
    if let (Kind::Enum(values), Checked::Str(s)) = (&def.kind, value) {
        if !values.contains(&s) {
            out.push(format!(
                "Member must satisfy enum value set: [{}]",
                values.join(", ")
            ));
        }
    }
}

/// What the constraints of a value look at.
#[derive(Clone, Copy)]
enum Checked<'a> {
    /// A string: its length in Unicode scalar values, its pattern, its enum values.
    Str(&'a str),
    /// A list or map: how many items.
    Items(usize),
    /// A number: its value, when it is an integer.
    Number(Option<i64>),
    /// Anything else: no constraint applies.
    Other,
}

/// Renders a value the way Cognito's messages quote it: `'text'`, `'[a, b]'`, `'{k=v}'`.
fn render_quoted(value: &Value, nested: bool) -> String {
    let inner = match value {
        Value::String(s) => s.clone(),
        Value::Array(a) => {
            let items: Vec<String> = a.iter().map(|v| render_quoted(v, true)).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Object(o) => {
            let items: Vec<String> = o
                .iter()
                .map(|(k, v)| format!("{k}={}", render_quoted(v, true)))
                .collect();
            format!("{{{}}}", items.join(", "))
        }
        other => other.to_string(),
    };
    if nested {
        inner
    } else {
        format!("'{inner}'")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn message(op: Operation, input: Value) -> String {
        match validate_input(op, &input) {
            Err(r) => r.message(),
            Ok(()) => String::new(),
        }
    }

    #[test]
    fn every_pattern_compiles() {
        for p in &crate::schema::PATTERNS {
            assert!(p.is_valid(), "pattern {} does not compile", p.source);
        }
    }

    #[test]
    fn null_map_values_are_dropped() {
        let mut input = json!({
            "ClientId": "abc",
            "ChallengeName": "PASSWORD_VERIFIER",
            "ChallengeResponses": {"USERNAME": "ann", "DEVICE_KEY": null},
            "Session": null,
        });
        drop_null_map_values(Operation::RespondToAuthChallenge, &mut input);
        assert_eq!(
            input,
            json!({
                "ClientId": "abc",
                "ChallengeName": "PASSWORD_VERIFIER",
                "ChallengeResponses": {"USERNAME": "ann"},
                "Session": null,
            })
        );
        assert_eq!(message(Operation::RespondToAuthChallenge, input), "");
    }

    #[test]
    fn missing_required_member() {
        assert_eq!(
            message(Operation::DescribeUserPool, json!({})),
            "1 validation error detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null"
        );
    }

    #[test]
    fn several_violations_are_joined() {
        let m = message(
            Operation::DescribeUserPoolClient,
            json!({"UserPoolId": "bad pool"}),
        );
        assert!(m.starts_with("2 validation errors detected: "), "{m}");
        assert!(m.contains("Value 'bad pool' at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: "), "{m}");
        assert!(
            m.contains(
                "Value null at 'clientId' failed to satisfy constraint: Member must not be null"
            ),
            "{m}"
        );
    }

    #[test]
    fn length_counts_unicode_scalar_values() {
        let input = |name: String| json!({"UserPoolId": "us-east-1_abc", "Username": name});
        assert_eq!(message(Operation::AdminGetUser, input("é".repeat(128))), "");
        assert_eq!(
            message(Operation::AdminGetUser, input("é".repeat(129))),
            "1 validation error detected: Value at 'username' failed to satisfy constraint: Member must have length less than or equal to 128"
        );
    }

    #[test]
    fn nested_paths_and_ranges() {
        let m = message(
            Operation::CreateUserPool,
            json!({"PoolName": "p", "Policies": {"PasswordPolicy": {"MinimumLength": 4}}}),
        );
        assert_eq!(m, "1 validation error detected: Value '4' at 'policies.passwordPolicy.minimumLength' failed to satisfy constraint: Member must have value greater than or equal to 6");
    }

    #[test]
    fn enums_list_their_values() {
        let m = message(
            Operation::CreateUserPool,
            json!({"PoolName": "p", "MfaConfiguration": "SOMETIMES"}),
        );
        assert_eq!(m, "1 validation error detected: Value 'SOMETIMES' at 'mfaConfiguration' failed to satisfy constraint: Member must satisfy enum value set: [OFF, ON, OPTIONAL]");
    }

    #[test]
    fn list_items_are_numbered_from_one() {
        let m = message(
            Operation::AdminUpdateUserAttributes,
            json!({"UserPoolId": "us-east-1_abc", "Username": "u", "UserAttributes": [{"Name": "email", "Value": "a"}, {"Value": "b"}]}),
        );
        assert!(m.contains("Value null at 'userAttributes.2.member.name' failed to satisfy constraint: Member must not be null"), "{m}");
    }

    #[test]
    fn sensitive_values_are_not_echoed() {
        let m = message(
            Operation::SignUp,
            json!({"ClientId": "abc", "Username": "u", "Password": "has space\u{0}"}),
        );
        assert!(
            m.contains("Value at 'password' failed to satisfy constraint"),
            "{m}"
        );
        assert!(!m.contains("has space"), "{m}");
    }

    #[test]
    fn wrong_types_are_serialization_errors() {
        let r = validate_input(Operation::CreateUserPool, &json!({"PoolName": 5})).unwrap_err();
        assert!(matches!(r, Rejection::WrongType { ref path, .. } if path == "poolName"));
        let r = validate_input(Operation::CreateUserPool, &json!([])).unwrap_err();
        assert!(matches!(r, Rejection::WrongType { .. }));
    }

    #[test]
    fn blob_lengths_count_bytes() {
        use base64::Engine as _;
        let image = |n: usize| base64::engine::general_purpose::STANDARD.encode(vec![0u8; n]);
        let input = |n| json!({"UserPoolId": "us-east-1_abc", "ImageFile": image(n)});
        assert_eq!(message(Operation::SetUICustomization, input(131_072)), "");
        assert_eq!(
            message(Operation::SetUICustomization, input(131_073)),
            "1 validation error detected: Value at 'imageFile' failed to satisfy constraint: Member must have length less than or equal to 131072"
        );
        let bad = json!({"UserPoolId": "us-east-1_abc", "ImageFile": "not base64!"});
        assert!(matches!(
            validate_input(Operation::SetUICustomization, &bad),
            Err(Rejection::WrongType { .. })
        ));
    }

    #[test]
    fn custom_domains_may_have_dots() {
        let input = |domain: &str| json!({"UserPoolId": "us-east-1_abc", "Domain": domain});
        assert_eq!(
            message(Operation::CreateUserPoolDomain, input("auth.example.com")),
            ""
        );
        assert_eq!(
            message(Operation::CreateUserPoolDomain, input("my-prefix")),
            ""
        );
        let m = message(Operation::CreateUserPoolDomain, input("Bad_Domain"));
        assert!(m.contains("Member must satisfy regular expression pattern: ^[a-z0-9](?:[a-z0-9\\-]{0,61}[a-z0-9])?$"), "{m}");
    }

    #[test]
    fn trailing_lookbehind_is_enforced() {
        let p = crate::schema::PATTERNS
            .iter()
            .find(|p| p.source.contains("(?<!"))
            .expect("the S3 bucket pattern");
        assert!(p.matches("my-bucket"));
        assert!(!p.matches("my-bucket."));
    }
}
