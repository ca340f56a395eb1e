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
        if let Some(existing) = schema.iter_mut().find(|a| a.name.as_deref() == Some(name)) {
            customize_standard(existing, attr)?;
        } else {
            add_custom(&mut schema, attr)?;
        }
    }
    Ok(schema)
}

/// Applies a request's settings to a standard attribute.
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
    if let Some(m) = attr.mutable {
        existing.mutable = Some(m);
    }
    if let Some(r) = attr.required {
        existing.required = Some(r);
    }
    if let Some(c) = &attr.string_attribute_constraints {
        existing.string_attribute_constraints = Some(c.clone());
    }
    if let Some(c) = &attr.number_attribute_constraints {
        existing.number_attribute_constraints = Some(c.clone());
    }
    Ok(())
}

/// Adds a custom attribute to `schema`.
pub(crate) fn add_custom(
    schema: &mut Vec<SchemaAttributeType>,
    attr: &SchemaAttributeType,
) -> Result<(), CognitoError> {
    let base = attr.name.as_deref().unwrap_or_default();
    let base = base.strip_prefix("custom:").unwrap_or(base);
    if base.is_empty() || base.chars().count() > 20 {
        return Err(invalid_parameter(format!(
            "Custom attribute name {base} must be between 1 and 20 characters."
        )));
    }
    if attr.required == Some(true) {
        return Err(invalid_parameter(
            "Required custom attributes are not supported currently.",
        ));
    }
    let developer_only = attr.developer_only_attribute.unwrap_or(false);
    let name = if developer_only {
        format!("dev:custom:{base}")
    } else {
        format!("custom:{base}")
    };
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
    if schema.iter().any(|a| {
        a.name.as_deref().is_some_and(|n| {
            n == name || n.strip_prefix("dev:") == Some(name.as_str()) || n == format!("dev:{name}")
        })
    }) {
        return Err(invalid_parameter(format!(
            "Existing attribute already has name {name}."
        )));
    }
    let ty = attr
        .attribute_data_type
        .unwrap_or(AttributeDataType::String);
    let string_constraints = match ty {
        AttributeDataType::String => Some(check_bounds(
            attr.string_attribute_constraints
                .clone()
                .unwrap_or_default(),
            &name,
        )?),
        _ => None,
    };
    let number_constraints = match ty {
        AttributeDataType::Number => Some(check_number_bounds(
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
        let pool = self.pool(ctx, &input.user_pool_id)?;
        let mut pool = pool.write();
        let mut schema = pool.config.schema_attributes.clone().unwrap_or_default();
        for attr in &input.custom_attributes {
            add_custom(&mut schema, attr)?;
        }
        pool.config.schema_attributes = Some(schema);
        pool.config.last_modified_date = Some(ctx.now);
        Ok(AddCustomAttributesResponse {})
    }
}

fn parse_bound(value: Option<&str>, what: &str, name: &str) -> Result<Option<i64>, CognitoError> {
    value
        .map(|v| {
            v.parse::<i64>()
                .map_err(|_| invalid_parameter(format!("Invalid {what} {v} for attribute {name}.")))
        })
        .transpose()
}

fn check_bounds(
    c: StringAttributeConstraintsType,
    name: &str,
) -> Result<StringAttributeConstraintsType, CognitoError> {
    let min = parse_bound(c.min_length.as_deref(), "MinLength", name)?;
    let max = parse_bound(c.max_length.as_deref(), "MaxLength", name)?;
    if min.is_some_and(|m| !(0..=2048).contains(&m))
        || max.is_some_and(|m| !(0..=2048).contains(&m))
    {
        return Err(invalid_parameter(format!(
            "String attribute {name} length constraints must be between 0 and 2048."
        )));
    }
    if let (Some(min), Some(max)) = (min, max) {
        if min > max {
            return Err(invalid_parameter(format!(
                "MinLength must be less than or equal to MaxLength for attribute {name}."
            )));
        }
    }
    Ok(c)
}

fn check_number_bounds(
    c: NumberAttributeConstraintsType,
    name: &str,
) -> Result<NumberAttributeConstraintsType, CognitoError> {
    let min = parse_bound(c.min_value.as_deref(), "MinValue", name)?;
    let max = parse_bound(c.max_value.as_deref(), "MaxValue", name)?;
    if let (Some(min), Some(max)) = (min, max) {
        if min > max {
            return Err(invalid_parameter(format!(
                "MinValue must be less than or equal to MaxValue for attribute {name}."
            )));
        }
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn custom(name: &str) -> SchemaAttributeType {
        SchemaAttributeType {
            name: Some(name.into()),
            ..Default::default()
        }
    }

    #[test]
    fn standard_attributes_come_first_and_custom_ones_are_prefixed() {
        let schema = pool_schema(&[
            custom("team"),
            SchemaAttributeType {
                required: Some(true),
                ..custom("email")
            },
        ])
        .unwrap();
        assert_eq!(schema.first().and_then(|a| a.name.as_deref()), Some("sub"));
        let email = schema
            .iter()
            .find(|a| a.name.as_deref() == Some("email"))
            .unwrap();
        assert_eq!(email.required, Some(true));
        let team = schema.last().unwrap();
        assert_eq!(team.name.as_deref(), Some("custom:team"));
        assert_eq!(team.mutable, Some(true));
        assert_eq!(team.attribute_data_type, Some(AttributeDataType::String));
    }

    #[test]
    fn add_custom_attributes_extends_the_schema() {
        use crate::testing::{create_pool, ctx, ctx_at, service};
        use cognito_model::shapes::{DescribeUserPoolRequest, UserPoolType};
        use cognito_model::ErrorKind;

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
                ..custom("score")
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

        let err = add(vec![custom("team")]).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidParameterException);
        assert_eq!(
            err.message,
            "Existing attribute already has name custom:team."
        );
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

    #[test]
    fn rejects_required_custom_and_duplicates() {
        let required = SchemaAttributeType {
            required: Some(true),
            ..custom("x")
        };
        assert!(pool_schema(&[required]).is_err());
        assert!(pool_schema(&[custom("x"), custom("x")]).is_err());
        let bad_type = SchemaAttributeType {
            attribute_data_type: Some(AttributeDataType::Number),
            ..custom("email")
        };
        assert!(pool_schema(&[bad_type]).is_err());
    }
}
