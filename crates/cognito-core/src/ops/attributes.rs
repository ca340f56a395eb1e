//! The attribute schema of a pool: the standard attributes every pool has, and the
//! `custom:` (and developer-only `dev:custom:`) attributes a pool adds, at creation or
//! later with `AddCustomAttributes`. A pool holds at most 50 custom attributes.

use cognito_model::shapes::{
    AddCustomAttributesRequest, AddCustomAttributesResponse, AttributeDataType,
    NumberAttributeConstraintsType, SchemaAttributeType, StringAttributeConstraintsType,
};
use cognito_model::CognitoError;

use crate::errors::invalid_parameter;
use crate::{Cognito, RequestContext};

/// How many custom attributes a pool can hold.
const MAX_CUSTOM: usize = 50;

/// Minimum and maximum length of a standard string attribute.
type Bounds = Option<(u32, u32)>;

/// The standard attributes in Cognito's order, with their types and string length bounds.
const STANDARD: &[(&str, AttributeDataType, Bounds)] = &[
    ("sub", AttributeDataType::String, Some((1, 2048))),
    ("name", AttributeDataType::String, Some((0, 2048))),
    ("given_name", AttributeDataType::String, Some((0, 2048))),
    ("family_name", AttributeDataType::String, Some((0, 2048))),
    ("middle_name", AttributeDataType::String, Some((0, 2048))),
    ("nickname", AttributeDataType::String, Some((0, 2048))),
    (
        "preferred_username",
        AttributeDataType::String,
        Some((0, 2048)),
    ),
    ("profile", AttributeDataType::String, Some((0, 2048))),
    ("picture", AttributeDataType::String, Some((0, 2048))),
    ("website", AttributeDataType::String, Some((0, 2048))),
    ("email", AttributeDataType::String, Some((0, 2048))),
    ("email_verified", AttributeDataType::Boolean, None),
    ("gender", AttributeDataType::String, Some((0, 2048))),
    ("birthdate", AttributeDataType::String, Some((10, 10))),
    ("zoneinfo", AttributeDataType::String, Some((0, 2048))),
    ("locale", AttributeDataType::String, Some((0, 2048))),
    ("phone_number", AttributeDataType::String, Some((0, 2048))),
    ("phone_number_verified", AttributeDataType::Boolean, None),
    ("address", AttributeDataType::String, Some((0, 2048))),
    ("updated_at", AttributeDataType::Number, None),
    ("identities", AttributeDataType::String, None),
];

fn standard_attribute(
    name: &str,
    ty: AttributeDataType,
    len: Option<(u32, u32)>,
) -> SchemaAttributeType {
    SchemaAttributeType {
        name: Some(name.to_string()),
        attribute_data_type: Some(ty),
        developer_only_attribute: Some(false),
        mutable: Some(name != "sub"),
        required: Some(name == "sub"),
        string_attribute_constraints: match (ty, len) {
            (AttributeDataType::String, Some((min, max))) => Some(StringAttributeConstraintsType {
                min_length: Some(min.to_string()),
                max_length: Some(max.to_string()),
            }),
            (AttributeDataType::String, None) => Some(StringAttributeConstraintsType::default()),
            _ => None,
        },
        number_attribute_constraints: (ty == AttributeDataType::Number).then(|| {
            NumberAttributeConstraintsType {
                min_value: Some("0".into()),
                max_value: None,
            }
        }),
    }
}

/// Attributes every user may carry that a schema cannot configure: Cognito takes a schema
/// entry with one of these names for a custom attribute of that name.
const BUILT_IN: &[&str] = &["email_verified", "phone_number_verified"];

/// The schema of a new pool: the standard attributes, changed and extended by `requested`.
pub(crate) fn pool_schema(
    requested: &[SchemaAttributeType],
) -> Result<Vec<SchemaAttributeType>, CognitoError> {
    let mut schema: Vec<SchemaAttributeType> = STANDARD
        .iter()
        .map(|(n, t, l)| standard_attribute(n, *t, *l))
        .collect();
    for attr in requested {
        let name = attr
            .name
            .as_deref()
            .ok_or_else(|| invalid_parameter("Schema attribute name is required."))?;
        let standard = schema
            .iter_mut()
            .find(|a| a.name.as_deref() == Some(name) && !BUILT_IN.contains(&name));
        if let Some(existing) = standard {
            customize_standard(existing, attr)?;
        } else {
            add_custom(&mut schema, attr)?;
        }
    }
    Ok(schema)
}

/// Applies a request's settings to a standard attribute. A standard attribute keeps its
/// type, so a request may leave `AttributeDataType` out; constraints are checked as a
/// custom attribute's are, and those of another type than the attribute's are ignored.
fn customize_standard(
    existing: &mut SchemaAttributeType,
    attr: &SchemaAttributeType,
) -> Result<(), CognitoError> {
    let name = existing.name.clone().unwrap_or_default();
    if attr
        .attribute_data_type
        .is_some_and(|t| Some(t) != existing.attribute_data_type)
    {
        return Err(invalid_parameter(format!(
            "You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute {name}"
        )));
    }
    if attr.developer_only_attribute == Some(true) {
        return Err(invalid_parameter(format!(
            "You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute {name}"
        )));
    }
    if name == "sub" && (attr.mutable == Some(true) || attr.required == Some(false)) {
        return Err(invalid_parameter(
            "You can not change the schema of attribute sub.",
        ));
    }
    let string_constraints = match (
        &attr.string_attribute_constraints,
        existing.attribute_data_type,
    ) {
        (Some(c), Some(AttributeDataType::String)) => {
            Some(check_string_constraints(c.clone(), &name)?)
        }
        _ => None,
    };
    let number_constraints = match (
        &attr.number_attribute_constraints,
        existing.attribute_data_type,
    ) {
        (Some(c), Some(AttributeDataType::Number)) => {
            Some(check_number_constraints(c.clone(), &name)?)
        }
        _ => None,
    };
    if let Some(m) = attr.mutable {
        existing.mutable = Some(m);
    }
    if let Some(r) = attr.required {
        existing.required = Some(r);
    }
    if let Some(c) = string_constraints {
        existing.string_attribute_constraints = Some(c);
    }
    if let Some(c) = number_constraints {
        existing.number_attribute_constraints = Some(c);
    }
    Ok(())
}

/// Adds a custom attribute to `schema`. Cognito prefixes the name as given: a request
/// naming `custom:x` makes `custom:custom:x`.
pub(crate) fn add_custom(
    schema: &mut Vec<SchemaAttributeType>,
    attr: &SchemaAttributeType,
) -> Result<(), CognitoError> {
    let base = attr.name.as_deref().unwrap_or_default();
    if base.is_empty() || base.chars().count() > 20 {
        return Err(invalid_parameter(format!(
            "Custom attribute name {base} must be between 1 and 20 characters."
        )));
    }
    let developer_only = attr.developer_only_attribute.unwrap_or(false);
    let name = if developer_only {
        format!("dev:custom:{base}")
    } else {
        format!("custom:{base}")
    };
    // `custom:x` and `dev:custom:x` are one name: the second is the first, hidden from apps.
    let plain = format!("custom:{base}");
    if schema.iter().any(|a| {
        a.name
            .as_deref()
            .is_some_and(|n| n.strip_prefix("dev:").unwrap_or(n) == plain)
    }) {
        return Err(invalid_parameter(format!(
            "{plain}: Existing attribute already has name {name}."
        )));
    }
    let ty = attr.attribute_data_type.ok_or_else(|| {
        invalid_parameter(
            "Invalid AttributeDataType input, consider using the provided AttributeDataType enum.",
        )
    })?;
    if attr.required == Some(true) {
        return Err(invalid_parameter(
            "Required custom attributes are not supported currently.",
        ));
    }
    let customs = schema
        .iter()
        .filter(|a| {
            a.name
                .as_deref()
                .is_some_and(|n| n.starts_with("custom:") || n.starts_with("dev:custom:"))
        })
        .count();
    if customs >= MAX_CUSTOM {
        return Err(invalid_parameter(format!(
            "A user pool can have at most {MAX_CUSTOM} custom attributes."
        )));
    }
    let string_constraints = match ty {
        AttributeDataType::String => Some(check_string_constraints(
            attr.string_attribute_constraints
                .clone()
                .unwrap_or_default(),
            &name,
        )?),
        _ => None,
    };
    let number_constraints = match ty {
        AttributeDataType::Number => Some(check_number_constraints(
            attr.number_attribute_constraints
                .clone()
                .unwrap_or_default(),
            &name,
        )?),
        _ => None,
    };
    schema.push(SchemaAttributeType {
        name: Some(name),
        attribute_data_type: Some(ty),
        developer_only_attribute: Some(developer_only),
        mutable: Some(attr.mutable.unwrap_or(true)),
        required: Some(false),
        string_attribute_constraints: string_constraints,
        number_attribute_constraints: number_constraints,
    });
    Ok(())
}

impl Cognito {
    pub(crate) fn add_custom_attributes(
        &self,
        ctx: &RequestContext,
        input: AddCustomAttributesRequest,
    ) -> Result<AddCustomAttributesResponse, CognitoError> {
        self.store.update(&input.user_pool_id, |pool| {
            let mut schema = pool.config.schema_attributes.clone().unwrap_or_default();
            for attr in &input.custom_attributes {
                add_custom(&mut schema, attr)?;
            }
            pool.config.schema_attributes = Some(schema);
            pool.config.last_modified_date = Some(ctx.now);
            Ok(AddCustomAttributesResponse {})
        })
    }
}

/// The longest string any attribute may be given as its maximum (or minimum) length.
const MAX_STRING_LENGTH: i64 = 2048;

/// One bound of a constraint: absent, or a whole number (`what` names the constraint in
/// the error, as `StringAttributeConstraints` or `NumberAttributeConstraints`).
fn parse_bound(value: Option<&str>, what: &str, name: &str) -> Result<Option<i64>, CognitoError> {
    value
        .map(|v| {
            v.parse::<i64>().map_err(|_| {
                invalid_parameter(format!("Invalid {what} for schema attribute {name}"))
            })
        })
        .transpose()
}

/// Checks a string attribute's length constraints: whole numbers from 0 to 2048, the
/// minimum no greater than the maximum. The same rules hold for standard and custom
/// attributes.
fn check_string_constraints(
    c: StringAttributeConstraintsType,
    name: &str,
) -> Result<StringAttributeConstraintsType, CognitoError> {
    const WHAT: &str = "StringAttributeConstraints";
    let min = parse_bound(c.min_length.as_deref(), WHAT, name)?;
    let max = parse_bound(c.max_length.as_deref(), WHAT, name)?;
    if min.is_some_and(|m| m < 0) || max.is_some_and(|m| m < 0) {
        return Err(invalid_parameter(format!(
            "Invalid {WHAT} for schema attribute {name}"
        )));
    }
    if min.is_some_and(|m| m > MAX_STRING_LENGTH) || max.is_some_and(|m| m > MAX_STRING_LENGTH) {
        return Err(invalid_parameter(format!(
            "user.{name}: String attributes cannot have a length of more than {MAX_STRING_LENGTH}"
        )));
    }
    if let (Some(min), Some(max)) = (min, max) {
        if min > max {
            return Err(invalid_parameter(format!(
                "user.{name}: Max length cannot be less than min length."
            )));
        }
    }
    Ok(c)
}

/// Checks a number attribute's value constraints: whole numbers, the minimum no greater
/// than the maximum.
fn check_number_constraints(
    c: NumberAttributeConstraintsType,
    name: &str,
) -> Result<NumberAttributeConstraintsType, CognitoError> {
    const WHAT: &str = "NumberAttributeConstraints";
    let min = parse_bound(c.min_value.as_deref(), WHAT, name)?;
    let max = parse_bound(c.max_value.as_deref(), WHAT, name)?;
    if let (Some(min), Some(max)) = (min, max) {
        if min > max {
            return Err(invalid_parameter(format!(
                "user.{name}: Max value cannot be less than min value."
            )));
        }
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cognito_model::ErrorKind;

    /// A schema entry naming `name` and nothing else, as requests name standard attributes.
    fn named(name: &str) -> SchemaAttributeType {
        SchemaAttributeType {
            name: Some(name.into()),
            ..Default::default()
        }
    }

    /// A custom String attribute, as requests add them.
    fn custom(name: &str) -> SchemaAttributeType {
        SchemaAttributeType {
            attribute_data_type: Some(AttributeDataType::String),
            ..named(name)
        }
    }

    fn strings(name: &str, min: Option<&str>, max: Option<&str>) -> SchemaAttributeType {
        SchemaAttributeType {
            attribute_data_type: Some(AttributeDataType::String),
            string_attribute_constraints: Some(StringAttributeConstraintsType {
                min_length: min.map(Into::into),
                max_length: max.map(Into::into),
            }),
            ..named(name)
        }
    }

    fn numbers(name: &str, min: Option<&str>, max: Option<&str>) -> SchemaAttributeType {
        SchemaAttributeType {
            attribute_data_type: Some(AttributeDataType::Number),
            number_attribute_constraints: Some(NumberAttributeConstraintsType {
                min_value: min.map(Into::into),
                max_value: max.map(Into::into),
            }),
            ..named(name)
        }
    }

    fn attribute<'s>(schema: &'s [SchemaAttributeType], name: &str) -> &'s SchemaAttributeType {
        schema
            .iter()
            .find(|a| a.name.as_deref() == Some(name))
            .unwrap()
    }

    #[test]
    fn standard_attributes_come_first_and_custom_ones_are_prefixed() {
        let schema = pool_schema(&[
            custom("team"),
            SchemaAttributeType {
                required: Some(true),
                ..named("email")
            },
        ])
        .unwrap();
        assert_eq!(schema.first().and_then(|a| a.name.as_deref()), Some("sub"));
        let email = attribute(&schema, "email");
        assert_eq!(email.required, Some(true));
        // A standard attribute named without a type keeps its own.
        assert_eq!(email.attribute_data_type, Some(AttributeDataType::String));
        let team = schema.last().unwrap();
        assert_eq!(team.name.as_deref(), Some("custom:team"));
        assert_eq!(team.mutable, Some(true));
        assert_eq!(team.attribute_data_type, Some(AttributeDataType::String));
    }

    #[test]
    fn custom_names_are_prefixed_as_given() {
        let schema = pool_schema(&[custom("custom:team")]).unwrap();
        assert_eq!(
            schema.last().and_then(|a| a.name.as_deref()),
            Some("custom:custom:team")
        );
        // The built-in verification flags are not configurable: a schema naming one adds
        // a custom attribute of that name.
        let schema = pool_schema(&[SchemaAttributeType {
            attribute_data_type: Some(AttributeDataType::Boolean),
            ..named("email_verified")
        }])
        .unwrap();
        assert_eq!(
            schema.last().and_then(|a| a.name.as_deref()),
            Some("custom:email_verified")
        );
        assert_eq!(attribute(&schema, "email_verified").mutable, Some(true));
    }

    /// Checks that `pool_schema(requested)` fails with `InvalidParameterException` and
    /// `message`.
    fn check_rejected(requested: &[SchemaAttributeType], message: &str) {
        let err = pool_schema(requested).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidParameterException, "{message}");
        assert_eq!(err.message, message);
    }

    #[test]
    fn schema_rejections() {
        let cases: Vec<(Vec<SchemaAttributeType>, &str)> = vec![
            (
                vec![named("team")],
                "Invalid AttributeDataType input, consider using the provided AttributeDataType enum.",
            ),
            (
                vec![SchemaAttributeType {
                    required: Some(true),
                    ..named("email_verified")
                }],
                "Invalid AttributeDataType input, consider using the provided AttributeDataType enum.",
            ),
            (
                vec![SchemaAttributeType {
                    required: Some(true),
                    ..custom("x")
                }],
                "Required custom attributes are not supported currently.",
            ),
            (
                vec![custom("x"), custom("x")],
                "custom:x: Existing attribute already has name custom:x.",
            ),
            (
                vec![SchemaAttributeType {
                    attribute_data_type: Some(AttributeDataType::Number),
                    ..named("email")
                }],
                "You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute email",
            ),
            // Standard attributes' constraints are held to the rules custom ones are.
            (
                vec![strings("email", Some("invalid_value"), None)],
                "Invalid StringAttributeConstraints for schema attribute email",
            ),
            (
                vec![strings("email", None, Some("invalid_value"))],
                "Invalid StringAttributeConstraints for schema attribute email",
            ),
            (
                vec![strings("email", Some("-1"), None)],
                "Invalid StringAttributeConstraints for schema attribute email",
            ),
            (
                vec![strings("email", Some("2049"), None)],
                "user.email: String attributes cannot have a length of more than 2048",
            ),
            (
                vec![strings("email", None, Some("2049"))],
                "user.email: String attributes cannot have a length of more than 2048",
            ),
            (
                vec![strings("email", Some("2"), Some("1"))],
                "user.email: Max length cannot be less than min length.",
            ),
            (
                vec![numbers("updated_at", None, Some("invalid_value"))],
                "Invalid NumberAttributeConstraints for schema attribute updated_at",
            ),
            (
                vec![numbers("updated_at", Some("invalid_value"), None)],
                "Invalid NumberAttributeConstraints for schema attribute updated_at",
            ),
            (
                vec![numbers("updated_at", Some("2"), Some("1"))],
                "user.updated_at: Max value cannot be less than min value.",
            ),
            // A standard attribute named without a type has its constraints checked too.
            (
                vec![SchemaAttributeType {
                    attribute_data_type: None,
                    ..strings("name", None, Some("2049"))
                }],
                "user.name: String attributes cannot have a length of more than 2048",
            ),
            (
                vec![strings("team", None, Some("2049"))],
                "user.custom:team: String attributes cannot have a length of more than 2048",
            ),
            (
                vec![strings("team", Some("x"), None)],
                "Invalid StringAttributeConstraints for schema attribute custom:team",
            ),
            (
                vec![strings("team", Some("9"), Some("3"))],
                "user.custom:team: Max length cannot be less than min length.",
            ),
            (
                vec![SchemaAttributeType {
                    developer_only_attribute: Some(true),
                    ..numbers("score", Some("9"), Some("3"))
                }],
                "user.dev:custom:score: Max value cannot be less than min value.",
            ),
        ];
        for (requested, message) in cases {
            check_rejected(&requested, message);
        }
    }

    #[test]
    fn standard_constraints_within_bounds_are_kept() {
        let schema = pool_schema(&[
            strings("email", Some("5"), Some("2048")),
            SchemaAttributeType {
                attribute_data_type: None,
                ..numbers("updated_at", Some("10"), Some("20"))
            },
            // Constraints of another type than the attribute's are ignored.
            SchemaAttributeType {
                attribute_data_type: None,
                ..numbers("name", Some("1"), Some("2"))
            },
        ])
        .unwrap();
        let email = attribute(&schema, "email");
        assert_eq!(
            email.string_attribute_constraints,
            Some(StringAttributeConstraintsType {
                min_length: Some("5".into()),
                max_length: Some("2048".into()),
            })
        );
        let updated = attribute(&schema, "updated_at");
        assert_eq!(
            updated.number_attribute_constraints,
            Some(NumberAttributeConstraintsType {
                min_value: Some("10".into()),
                max_value: Some("20".into()),
            })
        );
        let name = attribute(&schema, "name");
        assert_eq!(name.number_attribute_constraints, None);
        assert_eq!(
            name.string_attribute_constraints,
            Some(StringAttributeConstraintsType {
                min_length: Some("0".into()),
                max_length: Some("2048".into()),
            })
        );
    }

    #[test]
    fn add_custom_attributes_extends_the_schema() {
        use crate::testing::{create_pool, ctx, ctx_at, service};
        use cognito_model::shapes::{DescribeUserPoolRequest, UserPoolType};

        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        let add = |attrs: Vec<SchemaAttributeType>| {
            svc.add_custom_attributes(
                &ctx_at(1_700_000_100),
                AddCustomAttributesRequest {
                    user_pool_id: pool.clone(),
                    custom_attributes: attrs,
                },
            )
        };
        let describe = || -> UserPoolType {
            svc.describe_user_pool(
                &ctx(),
                DescribeUserPoolRequest {
                    user_pool_id: pool.clone(),
                },
            )
            .unwrap()
            .user_pool
            .unwrap()
        };
        let standard = describe().schema_attributes.unwrap().len();
        add(vec![
            custom("team"),
            SchemaAttributeType {
                attribute_data_type: Some(AttributeDataType::Number),
                developer_only_attribute: Some(true),
                ..named("score")
            },
        ])
        .unwrap();
        let described = describe();
        let schema = described.schema_attributes.unwrap();
        assert_eq!(schema.len(), standard + 2);
        let names: Vec<&str> = schema.iter().filter_map(|a| a.name.as_deref()).collect();
        assert!(names.contains(&"custom:team"));
        assert!(names.contains(&"dev:custom:score"));
        assert_eq!(
            described.last_modified_date,
            Some(ctx_at(1_700_000_100).now)
        );

        for (attr, message) in [
            (
                custom("team"),
                "custom:team: Existing attribute already has name custom:team.",
            ),
            (
                SchemaAttributeType {
                    developer_only_attribute: Some(true),
                    ..custom("team")
                },
                "custom:team: Existing attribute already has name dev:custom:team.",
            ),
            (
                custom("score"),
                "custom:score: Existing attribute already has name custom:score.",
            ),
            (
                named("untyped"),
                "Invalid AttributeDataType input, consider using the provided AttributeDataType enum.",
            ),
            (
                strings("long", None, Some("4096")),
                "user.custom:long: String attributes cannot have a length of more than 2048",
            ),
        ] {
            let err = add(vec![attr]).unwrap_err();
            assert_eq!(err.kind, ErrorKind::InvalidParameterException);
            assert_eq!(err.message, message);
        }
        // A failing request adds nothing.
        let err = add(vec![custom("fresh"), custom("team")]).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidParameterException);
        assert_eq!(describe().schema_attributes.unwrap().len(), standard + 2);

        for i in 0..48 {
            add(vec![custom(&format!("a{i}"))]).unwrap();
        }
        let err = add(vec![custom("one_too_many")]).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidParameterException);
        assert_eq!(
            err.message,
            "A user pool can have at most 50 custom attributes."
        );

        let err = svc
            .add_custom_attributes(
                &ctx(),
                AddCustomAttributesRequest {
                    user_pool_id: "us-east-1_nothere12".into(),
                    custom_attributes: vec![custom("x")],
                },
            )
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::ResourceNotFoundException);
    }
}
