//! The rules user data must follow: attribute values against the pool's schema, and
//! passwords against the pool's password policy.

use cognito_model::shapes::{
    AttributeDataType, AttributeType, PasswordPolicyType, SchemaAttributeType, UserPoolType,
};
use cognito_model::{CognitoError, ErrorKind};

use crate::errors::invalid_parameter;
use crate::ids::Draw;

/// Characters Cognito counts as symbols in passwords.
const SYMBOLS: &str = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ";

/// Why attributes are being written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AttributeWrite {
    /// Creating a user: required attributes must be present.
    Create,
    /// Changing an existing user: immutable attributes cannot change.
    Update,
}

fn schema_error(name: &str, reason: &str) -> CognitoError {
    invalid_parameter(format!(
        "Attributes did not conform to the schema: {name}: {reason}"
    ))
}

/// Checks `attributes` against the pool's schema and answers them as (name, value) pairs.
pub(crate) fn check_attributes(
    pool: &UserPoolType,
    attributes: &[AttributeType],
    write: AttributeWrite,
) -> Result<Vec<(String, String)>, CognitoError> {
    let schema = pool.schema_attributes.as_deref().unwrap_or_default();
    let mut out: Vec<(String, String)> = Vec::with_capacity(attributes.len());
    for attr in attributes {
        let name = attr.name.as_str();
        let value = attr.value.clone().unwrap_or_default();
        let def = find(schema, name)
            .ok_or_else(|| schema_error(name, "Attribute does not exist in the schema."))?;
        if name == "sub" {
            return Err(invalid_parameter(
                "Cannot modify the non-mutable attribute sub",
            ));
        }
        if write == AttributeWrite::Update && def.mutable == Some(false) {
            return Err(invalid_parameter(format!(
                "Cannot modify the non-mutable attribute {name}"
            )));
        }
        let value = check_value(def, name, value)?;
        out.retain(|(n, _)| n != name);
        out.push((name.to_string(), value));
    }
    if write == AttributeWrite::Create {
        for def in schema {
            let Some(name) = def.name.as_deref() else {
                continue;
            };
            if def.required == Some(true)
                && name != "sub"
                && !out.iter().any(|(n, v)| n == name && !v.is_empty())
            {
                return Err(schema_error(name, "The attribute is required"));
            }
        }
    }
    Ok(out)
}

fn find<'s>(schema: &'s [SchemaAttributeType], name: &str) -> Option<&'s SchemaAttributeType> {
    schema.iter().find(|a| {
        a.name
            .as_deref()
            .is_some_and(|n| n == name || n.strip_prefix("dev:") == Some(name))
    })
}

/// A Boolean value as Cognito reads it, in any case: `Some("true")`, `Some("false")`, or
/// `None` for anything else.
fn boolean(value: &str) -> Option<&'static str> {
    if value.eq_ignore_ascii_case("true") {
        Some("true")
    } else if value.eq_ignore_ascii_case("false") {
        Some("false")
    } else {
        None
    }
}

/// Checks `value` against the attribute's definition and answers it as it is stored:
/// Booleans are kept as `true` or `false`, whatever case the request wrote them in.
fn check_value(
    def: &SchemaAttributeType,
    name: &str,
    value: String,
) -> Result<String, CognitoError> {
    match name {
        "email" if !value.is_empty() && !is_email(&value) => {
            return Err(invalid_parameter("Invalid email address format."))
        }
        "phone_number" if !value.is_empty() && !is_phone(&value) => {
            return Err(invalid_parameter("Invalid phone number format."))
        }
        "email_verified" | "phone_number_verified" => {
            return boolean(&value)
                .map(str::to_string)
                .ok_or_else(|| schema_error(name, "Attribute value must be 'true' or 'false'."))
        }
        _ => {}
    }
    match def.attribute_data_type {
        Some(AttributeDataType::Number) => {
            let n: f64 = value
                .parse()
                .map_err(|_| schema_error(name, "Number expected."))?;
            let c = def.number_attribute_constraints.clone().unwrap_or_default();
            let bound = |b: Option<String>| b.and_then(|b| b.parse::<f64>().ok());
            if bound(c.min_value).is_some_and(|m| n < m)
                || bound(c.max_value).is_some_and(|m| n > m)
            {
                return Err(schema_error(name, "Number is out of range."));
            }
        }
        Some(AttributeDataType::Boolean)
            if name.starts_with("custom:") || name.starts_with("dev:") =>
        {
            if let Some(b) = boolean(&value) {
                return Ok(b.to_string());
            }
            if value != "1" && value != "0" {
                return Err(schema_error(name, "Boolean expected."));
            }
        }
        Some(AttributeDataType::Datetime) => {
            if value.parse::<i64>().is_err() && value.len() < 8 {
                return Err(schema_error(name, "DateTime expected."));
            }
        }
        _ => {
            let c = def.string_attribute_constraints.clone().unwrap_or_default();
            let len = value.chars().count();
            let bound = |b: Option<String>| b.and_then(|b| b.parse::<usize>().ok());
            if let Some(max) = bound(c.max_length).filter(|m| len > *m) {
                return Err(schema_error(
                    name,
                    &format!("String must be no longer than {max} characters"),
                ));
            }
            if let Some(min) = bound(c.min_length).filter(|m| len < *m && len > 0) {
                return Err(schema_error(
                    name,
                    &format!("String must be at least {min} characters"),
                ));
            }
        }
    }
    Ok(value)
}

/// A plausible email address: one `@`, a non-empty local part, a dotted domain, no spaces.
pub(crate) fn is_email(v: &str) -> bool {
    let Some((local, domain)) = v.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.is_empty()
        && !local.contains('@')
        && !v.chars().any(char::is_whitespace)
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
}

/// E.164: `+` then 1 to 15 digits.
pub(crate) fn is_phone(v: &str) -> bool {
    v.strip_prefix('+')
        .is_some_and(|d| !d.is_empty() && d.len() <= 15 && d.chars().all(|c| c.is_ascii_digit()))
}

/// Checks `password` against `policy`.
pub(crate) fn check_password(
    policy: &PasswordPolicyType,
    password: &str,
) -> Result<(), CognitoError> {
    let fail = |reason: &str| {
        Err(CognitoError::new(
            ErrorKind::InvalidPasswordException,
            format!("Password did not conform with policy: {reason}"),
        ))
    };
    let min = usize::try_from(policy.minimum_length.unwrap_or(8)).unwrap_or(8);
    if password.chars().count() < min {
        return fail("Password not long enough");
    }
    if password.starts_with(' ') || password.ends_with(' ') {
        return fail("Password must not begin or end with a space");
    }
    if policy.require_lowercase && !password.chars().any(|c| c.is_lowercase()) {
        return fail("Password must have lowercase characters");
    }
    if policy.require_uppercase && !password.chars().any(|c| c.is_uppercase()) {
        return fail("Password must have uppercase characters");
    }
    if policy.require_numbers && !password.chars().any(|c| c.is_ascii_digit()) {
        return fail("Password must have numeric characters");
    }
    if policy.require_symbols && !password.chars().any(|c| SYMBOLS.contains(c) && c != ' ') {
        return fail("Password must have symbol characters");
    }
    Ok(())
}

/// A temporary password that satisfies `policy`.
pub(crate) fn temporary_password(policy: &PasswordPolicyType, draw: &mut Draw<'_>) -> String {
    let len = usize::try_from(policy.minimum_length.unwrap_or(8))
        .unwrap_or(8)
        .max(12);
    let mut out = String::with_capacity(len);
    out.push(draw.char_of(b"ABCDEFGHJKLMNPQRSTUVWXYZ"));
    out.push(draw.char_of(b"abcdefghijkmnopqrstuvwxyz"));
    out.push(draw.char_of(b"23456789"));
    out.push(draw.char_of(b"!#$%&*+-=?@^_"));
    for _ in 4..len {
        out.push(draw.char_of(b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::tests::SeqRandom;

    fn strict() -> PasswordPolicyType {
        PasswordPolicyType {
            minimum_length: Some(8),
            require_lowercase: true,
            require_uppercase: true,
            require_numbers: true,
            require_symbols: true,
            temporary_password_validity_days: 7,
            password_history_size: None,
        }
    }

    #[test]
    fn password_policy() {
        let p = strict();
        assert!(check_password(&p, "Passw0rd!").is_ok());
        for (bad, reason) in [
            ("Pa0!", "Password not long enough"),
            ("PASSW0RD!", "Password must have lowercase characters"),
            ("passw0rd!", "Password must have uppercase characters"),
            ("Password!", "Password must have numeric characters"),
            ("Passw0rdd", "Password must have symbol characters"),
        ] {
            let e = check_password(&p, bad).unwrap_err();
            assert_eq!(e.kind, ErrorKind::InvalidPasswordException);
            assert_eq!(
                e.message,
                format!("Password did not conform with policy: {reason}")
            );
        }
    }

    #[test]
    fn generated_temporary_passwords_pass_the_policy() {
        let r = SeqRandom::default();
        let mut draw = Draw::new(&r);
        for _ in 0..50 {
            let p = temporary_password(&strict(), &mut draw);
            assert!(check_password(&strict(), &p).is_ok(), "{p}");
        }
    }

    fn attribute(name: &str, value: &str) -> AttributeType {
        AttributeType {
            name: name.into(),
            value: Some(value.into()),
        }
    }

    #[test]
    fn booleans_are_read_in_any_case_and_kept_in_lower_case() {
        let pool = UserPoolType {
            schema_attributes: Some(
                crate::ops::attributes::pool_schema(&[SchemaAttributeType {
                    name: Some("vip".into()),
                    attribute_data_type: Some(AttributeDataType::Boolean),
                    ..Default::default()
                }])
                .unwrap(),
            ),
            ..Default::default()
        };
        let check = |name: &str, value: &str| {
            check_attributes(&pool, &[attribute(name, value)], AttributeWrite::Update)
        };
        for (name, sent, kept) in [
            ("email_verified", "true", "true"),
            ("email_verified", "True", "true"),
            ("email_verified", "TRUE", "true"),
            ("email_verified", "FALSE", "false"),
            ("phone_number_verified", "False", "false"),
            ("custom:vip", "tRuE", "true"),
            ("custom:vip", "FALSE", "false"),
        ] {
            assert_eq!(
                check(name, sent).unwrap(),
                vec![(name.to_string(), kept.to_string())],
                "{name}={sent}"
            );
        }
        for (name, sent, reason) in [
            (
                "email_verified",
                "yes",
                "Attribute value must be 'true' or 'false'.",
            ),
            (
                "phone_number_verified",
                "",
                "Attribute value must be 'true' or 'false'.",
            ),
            ("custom:vip", "maybe", "Boolean expected."),
        ] {
            let err = check(name, sent).unwrap_err();
            assert_eq!(err.kind, ErrorKind::InvalidParameterException);
            assert_eq!(
                err.message,
                format!("Attributes did not conform to the schema: {name}: {reason}")
            );
        }
    }

    #[test]
    fn a_user_created_with_a_capitalised_flag_is_verified() {
        use crate::testing::{create_pool, ctx, service};
        use cognito_model::shapes::{
            AdminCreateUserRequest, AdminGetUserRequest, MessageActionType,
        };

        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        svc.admin_create_user(
            &ctx(),
            AdminCreateUserRequest {
                user_pool_id: pool.clone(),
                username: "ana".into(),
                user_attributes: Some(vec![
                    attribute("email", "ana@example.com"),
                    attribute("email_verified", "True"),
                ]),
                message_action: Some(MessageActionType::Suppress),
                ..Default::default()
            },
        )
        .unwrap();
        let user = svc
            .admin_get_user(
                &ctx(),
                AdminGetUserRequest {
                    user_pool_id: pool.clone(),
                    username: "ana".into(),
                },
            )
            .unwrap();
        let verified = user
            .user_attributes
            .unwrap_or_default()
            .into_iter()
            .find(|a| a.name == "email_verified")
            .and_then(|a| a.value);
        assert_eq!(verified.as_deref(), Some("true"));
        let pool = svc.pool(&ctx(), &pool).unwrap();
        let pool = pool.read();
        let key = pool.user_key("ana");
        assert!(pool.users.get(&key).unwrap().is_verified("email"));
    }

    #[test]
    fn formats() {
        assert!(is_email("a.b+c@example.co.uk"));
        assert!(!is_email("no-at.example.com"));
        assert!(!is_email("a@b"));
        assert!(!is_email("a b@example.com"));
        assert!(is_phone("+14155550100"));
        assert!(!is_phone("4155550100"));
        assert!(!is_phone("+1 415"));
    }
}
