//! Checks a JSON value against a shape of the model.
//!
//! One walker serves two purposes. For generated *inputs* it predicts the violations a
//! Cognito-compatible server must report, grouped the way Cognito groups them: items of
//! a list of simple values are reported once at the list's path, keys and values of a
//! map once each at the map's path. For *outputs* it is the strict shape check of
//! positive cases: unknown members, `null`s, wrong JSON types and every constraint are
//! reported one by one.

use std::fmt;

use base64::Engine;
use serde_json::Value;

use super::schema::{message_name, Schema};
use crate::smithy::{Kind, Shape};

/// Which side of an operation a value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Input,
    Output,
}

/// What is wrong at a path.
#[derive(Debug, Clone, PartialEq)]
pub enum Broken {
    /// A required member is absent or `null`.
    Missing,
    LengthMin(u64),
    LengthMax(u64),
    RangeMin(f64),
    RangeMax(f64),
    Pattern,
    Enum,
    /// Some items of a list of simple values break their constraints.
    Items,
    /// Some keys of a map break their constraints.
    MapKeys,
    /// Some values of a map break their constraints.
    MapValues,
    /// The JSON type does not fit the shape.
    Type(&'static str),
    /// A member the structure does not declare.
    Unknown,
    /// An optional member serialized as `null`.
    Null,
    /// A timestamp too large to be in epoch seconds.
    NotSeconds,
}

/// One broken constraint.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    /// The path as validation messages print it, e.g. `policies.passwordPolicy.minimumLength`.
    pub path: String,
    pub broken: Broken,
}

impl Violation {
    /// The text a validation message must contain for this violation.
    pub fn message_fragment(&self) -> String {
        let at = format!("at '{}' failed to satisfy constraint: ", self.path);
        match &self.broken {
            Broken::Missing => format!("Value null {at}Member must not be null"),
            Broken::LengthMin(n) => {
                format!("{at}Member must have length greater than or equal to {n}")
            }
            Broken::LengthMax(n) => {
                format!("{at}Member must have length less than or equal to {n}")
            }
            Broken::RangeMin(n) => {
                format!(
                    "{at}Member must have value greater than or equal to {}",
                    number(*n)
                )
            }
            Broken::RangeMax(n) => {
                format!(
                    "{at}Member must have value less than or equal to {}",
                    number(*n)
                )
            }
            Broken::Pattern => format!("{at}Member must satisfy regular expression pattern: "),
            Broken::Enum => format!("{at}Member must satisfy enum value set: ["),
            _ => at,
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.path.is_empty() {
            "<input>"
        } else {
            &self.path
        };
        match &self.broken {
            Broken::Missing => write!(f, "{path}: required member missing"),
            Broken::LengthMin(n) => write!(f, "{path}: length below {n}"),
            Broken::LengthMax(n) => write!(f, "{path}: length above {n}"),
            Broken::RangeMin(n) => write!(f, "{path}: value below {}", number(*n)),
            Broken::RangeMax(n) => write!(f, "{path}: value above {}", number(*n)),
            Broken::Pattern => write!(f, "{path}: does not match its pattern"),
            Broken::Enum => write!(f, "{path}: not an enum value"),
            Broken::Items => write!(f, "{path}: items break their constraints"),
            Broken::MapKeys => write!(f, "{path}: keys break their constraints"),
            Broken::MapValues => write!(f, "{path}: values break their constraints"),
            Broken::Type(t) => write!(f, "{path}: expected {t}"),
            Broken::Unknown => write!(f, "{path}: member not in the model"),
            Broken::Null => write!(f, "{path}: serialized as null"),
            Broken::NotSeconds => write!(f, "{path}: timestamp is not in epoch seconds"),
        }
    }
}

/// A bound as messages print it: `6`, not `6.0`.
fn number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

/// Every violation of `value` against the shape named `shape`.
pub fn check(schema: &Schema, shape: &str, value: &Value, mode: Mode) -> Vec<Violation> {
    let mut walk = Walk {
        schema,
        mode,
        out: Vec::new(),
    };
    walk.value(shape, value, "");
    walk.out
}

/// Checks an operation's output; `None` is the `Unit` output, which must be `{}`.
pub fn check_output(schema: &Schema, shape: Option<&str>, value: &Value) -> Vec<Violation> {
    match shape {
        Some(shape) => check(schema, shape, value, Mode::Output),
        None => match value.as_object() {
            Some(o) => o
                .keys()
                .map(|k| Violation {
                    path: k.clone(),
                    broken: Broken::Unknown,
                })
                .collect(),
            None => vec![Violation {
                path: String::new(),
                broken: Broken::Type("an empty object"),
            }],
        },
    }
}

/// String shapes whose constraints Cognito's own answers do not keep, with the reason.
/// Output checks skip their length and pattern; inputs are checked as usual.
const OUTPUT_EXEMPT: &[(&str, &str)] = &[
    (
        "CompletionMessageType",
        "import jobs report how they ended in a sentence, with the spaces and punctuation \
         that the word-only pattern refuses",
    ),
    (
        "CustomAttributeNameType",
        "answers name standard attributes such as `phone_number_verified` (21 characters) \
         and custom ones with their `custom:` prefix",
    ),
    (
        "DomainType",
        "custom domains and CloudFront distributions are full host names \
         (`auth.example.com`), which the single-label pattern refuses",
    ),
];

/// Epoch seconds beyond this are taken for milliseconds (the year 5138).
const MAX_EPOCH_SECONDS: f64 = 1e11;

struct Walk<'a> {
    schema: &'a Schema,
    mode: Mode,
    out: Vec<Violation>,
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

impl Walk<'_> {
    fn push(&mut self, path: &str, broken: Broken) {
        self.out.push(Violation {
            path: path.to_string(),
            broken,
        });
    }

    fn value(&mut self, name: &str, value: &Value, path: &str) {
        let Some(shape) = self.schema.model.shape(name) else {
            self.push(path, Broken::Type("a shape the model defines"));
            return;
        };
        match &shape.kind {
            Kind::Structure(members) => {
                let Some(object) = value.as_object() else {
                    return self.push(path, Broken::Type("an object"));
                };
                for m in members {
                    let member_path = join(path, &message_name(&m.name));
                    match object.get(&m.name) {
                        None | Some(Value::Null) if m.required => {
                            self.push(&member_path, Broken::Missing)
                        }
                        Some(Value::Null) if self.mode == Mode::Output => {
                            self.push(&member_path, Broken::Null)
                        }
                        None | Some(Value::Null) => {}
                        Some(v) => self.value(&m.target, v, &member_path),
                    }
                }
                for key in object.keys() {
                    if !members.iter().any(|m| &m.name == key) {
                        self.push(&join(path, key), Broken::Unknown);
                    }
                }
            }
            Kind::List(item) => {
                let Some(items) = value.as_array() else {
                    return self.push(path, Broken::Type("an array"));
                };
                self.length(shape, items.len(), path);
                let simple = !self.is_structure(item);
                for (i, v) in items.iter().enumerate() {
                    let item_path = format!("{path}.{}.member", i + 1);
                    if simple && self.mode == Mode::Input {
                        if self.nested_breaks(item, v, &item_path) {
                            self.push(path, Broken::Items);
                            break;
                        }
                    } else {
                        self.value(item, v, &item_path);
                    }
                }
            }
            Kind::Map(key, val) => {
                let Some(entries) = value.as_object() else {
                    return self.push(path, Broken::Type("an object"));
                };
                self.length(shape, entries.len(), path);
                let simple = !self.is_structure(val);
                let (mut keys_broken, mut values_broken) = (false, false);
                for (k, v) in entries {
                    let entry_path = format!("{path}.{k}");
                    let key_value = Value::String(k.clone());
                    if self.mode == Mode::Input {
                        keys_broken |= self.nested_breaks(key, &key_value, &entry_path);
                    } else {
                        self.value(key, &key_value, &entry_path);
                    }
                    if self.mode == Mode::Input && simple {
                        values_broken |= self.nested_breaks(val, v, &entry_path);
                    } else {
                        self.value(val, v, &entry_path);
                    }
                }
                if keys_broken {
                    self.push(path, Broken::MapKeys);
                }
                if values_broken {
                    self.push(path, Broken::MapValues);
                }
            }
            Kind::Enum(values) => {
                let Some(s) = value.as_str() else {
                    return self.push(path, Broken::Type("a string"));
                };
                if !values.iter().any(|(_, v)| v == s) {
                    self.push(path, Broken::Enum);
                }
            }
            Kind::String => {
                let Some(s) = value.as_str() else {
                    return self.push(path, Broken::Type("a string"));
                };
                let exempt = OUTPUT_EXEMPT.iter().any(|(name, _)| *name == shape.name);
                if self.mode == Mode::Output && exempt {
                    return;
                }
                self.length(shape, s.chars().count(), path);
                if let Some(p) = self.schema.pattern(&shape.name) {
                    if !p.matches(s) {
                        self.push(path, Broken::Pattern);
                    }
                }
            }
            Kind::Integer | Kind::Long => {
                let n = value.as_i64();
                let fits = match shape.kind {
                    Kind::Integer => n.is_some_and(|n| i32::try_from(n).is_ok()),
                    _ => n.is_some(),
                };
                match n {
                    Some(n) if fits => self.range(shape, n as f64, path),
                    _ => self.push(path, Broken::Type("an integer")),
                }
            }
            Kind::Boolean => {
                if !value.is_boolean() {
                    self.push(path, Broken::Type("a boolean"));
                }
            }
            Kind::Timestamp => match value.as_f64() {
                Some(t) if self.mode == Mode::Output && !(0.0..MAX_EPOCH_SECONDS).contains(&t) => {
                    self.push(path, Broken::NotSeconds)
                }
                Some(_) => {}
                None => self.push(path, Broken::Type("a number of epoch seconds")),
            },
            Kind::Blob => {
                let decoded = value
                    .as_str()
                    .and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok());
                match decoded {
                    Some(bytes) => self.length(shape, bytes.len(), path),
                    None => self.push(path, Broken::Type("a base64 string")),
                }
            }
            Kind::Document => {}
        }
    }

    fn is_structure(&self, name: &str) -> bool {
        self.schema
            .model
            .shape(name)
            .is_some_and(|s| matches!(s.kind, Kind::Structure(_)))
    }

    /// Whether `value` breaks anything, without recording what.
    fn nested_breaks(&mut self, shape: &str, value: &Value, path: &str) -> bool {
        let before = self.out.len();
        self.value(shape, value, path);
        let broken = self.out.len() > before;
        self.out.truncate(before);
        broken
    }

    fn length(&mut self, shape: &Shape, len: usize, path: &str) {
        let Some((min, max)) = shape.constraints.length else {
            return;
        };
        let len = len as u64;
        if let Some(max) = max.filter(|m| len > *m) {
            self.push(path, Broken::LengthMax(max));
        }
        if let Some(min) = min.filter(|m| len < *m) {
            self.push(path, Broken::LengthMin(min));
        }
    }

    fn range(&mut self, shape: &Shape, n: f64, path: &str) {
        let Some((min, max)) = shape.constraints.range else {
            return;
        };
        if let Some(max) = max.filter(|m| n > *m) {
            self.push(path, Broken::RangeMax(max));
        }
        if let Some(min) = min.filter(|m| n < *m) {
            self.push(path, Broken::RangeMin(min));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::tests::schema;
    use serde_json::json;

    fn output(shape: &str, value: Value) -> Vec<String> {
        check(schema(), shape, &value, Mode::Output)
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    fn client(extra: (&str, Value)) -> Value {
        let mut c = json!({
            "UserPoolClient": {
                "UserPoolId": "us-east-1_Abcdef123",
                "ClientName": "app",
                "ClientId": "abcdefghij0123456789klmnop",
                "CreationDate": 1767225600,
                "RefreshTokenValidity": 30,
                "ExplicitAuthFlows": ["ALLOW_REFRESH_TOKEN_AUTH"],
            }
        });
        c["UserPoolClient"][extra.0] = extra.1;
        c
    }

    #[test]
    fn a_valid_output_passes() {
        let ok = client(("EnableTokenRevocation", json!(true)));
        assert_eq!(
            output("DescribeUserPoolClientResponse", ok),
            Vec::<String>::new()
        );
    }

    #[test]
    fn output_rejects_missing_required_members() {
        let v = output(
            "CreateUserPoolResponse",
            json!({"UserPool": {"Id": "us-east-1_Abc"}}),
        );
        assert!(v.is_empty(), "{v:?}");
        let v = output(
            "ListUserPoolsResponse",
            json!({"UserPools": [{"Name": "p"}]}),
        );
        assert!(v.is_empty(), "{v:?}");
        let v = output(
            "AdminCreateUserResponse",
            json!({"User": {"Attributes": [{}]}}),
        );
        assert_eq!(
            v,
            ["user.attributes.1.member.name: required member missing"]
        );
    }

    #[test]
    fn output_rejects_unknown_members_nulls_and_wrong_types() {
        let v = output(
            "DescribeUserPoolClientResponse",
            client(("Surprise", json!(1))),
        );
        assert_eq!(v, ["userPoolClient.Surprise: member not in the model"]);
        let v = output(
            "DescribeUserPoolClientResponse",
            client(("ClientSecret", Value::Null)),
        );
        assert_eq!(v, ["userPoolClient.clientSecret: serialized as null"]);
        let v = output(
            "DescribeUserPoolClientResponse",
            client(("RefreshTokenValidity", json!("30"))),
        );
        assert_eq!(
            v,
            ["userPoolClient.refreshTokenValidity: expected an integer"]
        );
        let v = output(
            "DescribeUserPoolClientResponse",
            client(("CreationDate", json!("2026-01-01"))),
        );
        assert_eq!(
            v,
            ["userPoolClient.creationDate: expected a number of epoch seconds"]
        );
        let v = output(
            "DescribeUserPoolClientResponse",
            client(("CreationDate", json!(1767225600000u64))),
        );
        assert_eq!(
            v,
            ["userPoolClient.creationDate: timestamp is not in epoch seconds"]
        );
    }

    #[test]
    fn output_rejects_bad_enum_values_and_constraints() {
        let v = output(
            "DescribeUserPoolClientResponse",
            client(("ExplicitAuthFlows", json!(["ALLOW_EVERYTHING"]))),
        );
        assert_eq!(
            v,
            ["userPoolClient.explicitAuthFlows.1.member: not an enum value"]
        );
        let v = output(
            "DescribeUserPoolClientResponse",
            client(("RefreshTokenValidity", json!(-1))),
        );
        assert_eq!(v, ["userPoolClient.refreshTokenValidity: value below 0"]);
        let v = output(
            "DescribeUserPoolClientResponse",
            client(("ClientId", json!("has space"))),
        );
        assert_eq!(v, ["userPoolClient.clientId: does not match its pattern"]);
    }

    #[test]
    fn standard_attribute_names_may_exceed_the_custom_name_limit_in_outputs() {
        let pool = json!({"UserPool": {"SchemaAttributes": [{"Name": "phone_number_verified"}]}});
        assert!(output("DescribeUserPoolResponse", pool).is_empty());
        for (name, _) in OUTPUT_EXEMPT {
            assert!(schema().shape(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn unit_output_must_be_an_empty_object() {
        assert!(check_output(schema(), None, &json!({})).is_empty());
        assert_eq!(check_output(schema(), None, &json!({"a": 1})).len(), 1);
    }

    #[test]
    fn input_groups_simple_list_items_and_map_entries() {
        let v = check(
            schema(),
            "UntagResourceRequest",
            &json!({"ResourceArn": "arn:aws:cognito-idp:us-east-1:123456789012:userpool/x_y", "TagKeys": ["", ""]}),
            Mode::Input,
        );
        assert_eq!(
            v,
            [Violation {
                path: "tagKeys".into(),
                broken: Broken::Items
            }]
        );
        let v = check(
            schema(),
            "TagResourceRequest",
            &json!({"ResourceArn": "arn:aws:cognito-idp:us-east-1:123456789012:userpool/x_y", "Tags": {"": "x".repeat(300)}}),
            Mode::Input,
        );
        assert_eq!(
            v,
            [
                Violation {
                    path: "tags".into(),
                    broken: Broken::MapKeys
                },
                Violation {
                    path: "tags".into(),
                    broken: Broken::MapValues
                }
            ]
        );
    }

    #[test]
    fn input_treats_null_as_absent() {
        let v = check(
            schema(),
            "DescribeUserPoolRequest",
            &json!({"UserPoolId": null}),
            Mode::Input,
        );
        assert_eq!(
            v,
            [Violation {
                path: "userPoolId".into(),
                broken: Broken::Missing
            }]
        );
        assert_eq!(
            v[0].message_fragment(),
            "Value null at 'userPoolId' failed to satisfy constraint: Member must not be null"
        );
    }
}
