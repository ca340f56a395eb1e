//! The attribute schema of a pool: the standard attributes every pool has, and the
//! `custom:` (and developer-only `dev:custom:`) attributes a pool adds.

use cognito_model::shapes::{
    AttributeDataType, NumberAttributeConstraintsType, SchemaAttributeType,
    StringAttributeConstraintsType,
};
use cognito_model::CognitoError;

use crate::errors::invalid_parameter;

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
