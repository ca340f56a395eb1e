//! Codes sent to users, shared by every family that sends one: where a code goes (the
//! channel, the attribute and its masked value), replacing a user's pending code, and
//! checking the code a user sends back.

use crate::messages::Channel;
use crate::state::users::{CodePurpose, PendingCode, User};
use crate::store::PoolState;
use crate::RequestContext;
use cognito_model::shapes::*;
use cognito_model::{CognitoError, ErrorKind};

/// Where a code goes: the channel, the attribute and its value.
pub(crate) struct Target {
    pub(crate) channel: Channel,
    pub(crate) attribute: &'static str,
    pub(crate) destination: String,
}

impl Target {
    pub(crate) fn details(&self) -> CodeDeliveryDetailsType {
        delivery(
            self.channel,
            self.attribute,
            &mask(self.channel, &self.destination),
        )
    }
}

pub(crate) fn code_mismatch() -> CognitoError {
    CognitoError::new(
        ErrorKind::CodeMismatchException,
        "Invalid verification code provided, please try again.",
    )
}

pub(crate) fn expired_code() -> CognitoError {
    CognitoError::new(
        ErrorKind::ExpiredCodeException,
        "Invalid code provided, please request a code again.",
    )
}

/// Checks `sent` against the user's pending code for `purpose`: none pending, or one past
/// its expiry, is `ExpiredCodeException`; a different code is `CodeMismatchException`.
pub(crate) fn check_code(
    user: &User,
    purpose: CodePurpose,
    sent: &str,
    ctx: &RequestContext,
) -> Result<(), CognitoError> {
    use subtle::ConstantTimeEq;
    let Some(pending) = user.codes.iter().find(|c| c.purpose == purpose) else {
        return Err(expired_code());
    };
    if !bool::from(pending.code.expose().as_bytes().ct_eq(sent.as_bytes())) {
        return Err(code_mismatch());
    }
    if pending.expires <= ctx.now {
        return Err(expired_code());
    }
    Ok(())
}

/// Keeps `code` as the user's only pending code for its purpose.
pub(crate) fn replace_code(
    pool: &mut PoolState,
    key: &str,
    code: PendingCode,
    ctx: &RequestContext,
) {
    pool.users.update(key, |u| {
        u.codes.retain(|c| c.purpose != code.purpose);
        u.codes.push(code);
        u.modified = ctx.now;
    });
}

/// Where a sign-up confirmation code goes: the phone number when the pool verifies phone
/// numbers and the user has one (Cognito verifies only the phone when it could do both),
/// else the email address when the pool verifies those.
pub(crate) fn sign_up_target(pool: &PoolState, user: &User) -> Option<Target> {
    let auto = pool
        .config
        .auto_verified_attributes
        .as_deref()
        .unwrap_or_default();
    let candidates = [
        (
            VerifiedAttributeType::PhoneNumber,
            Channel::Sms,
            "phone_number",
        ),
        (VerifiedAttributeType::Email, Channel::Email, "email"),
    ];
    candidates
        .into_iter()
        .find_map(|(verified, channel, attribute)| {
            if !auto.contains(&verified) {
                return None;
            }
            let destination = user.attribute(attribute).filter(|v| !v.is_empty())?;
            Some(Target {
                channel,
                attribute,
                destination: destination.to_string(),
            })
        })
}

/// Where a password reset code goes: the verified contact the pool's recovery setting
/// ranks first (a channel the user takes MFA codes on does not count), or, without a
/// setting, the verified phone number before the verified email address.
pub(crate) fn recovery_target(pool: &PoolState, user: &User) -> Option<Target> {
    let verified = |attribute: &'static str, channel: Channel| {
        let value = user.attribute(attribute).filter(|v| !v.is_empty())?;
        user.is_verified(attribute).then(|| Target {
            channel,
            attribute,
            destination: value.to_string(),
        })
    };
    let mut mechanisms: Vec<RecoveryOptionType> = pool
        .config
        .account_recovery_setting
        .as_ref()
        .and_then(|s| s.recovery_mechanisms.clone())
        .unwrap_or_default();
    if mechanisms.is_empty() {
        return verified("phone_number", Channel::Sms)
            .or_else(|| verified("email", Channel::Email));
    }
    mechanisms.sort_by_key(|m| m.priority);
    mechanisms.iter().find_map(|m| match m.name {
        RecoveryOptionNameType::AdminOnly => None,
        RecoveryOptionNameType::VerifiedEmail if !user.mfa.email => {
            verified("email", Channel::Email)
        }
        RecoveryOptionNameType::VerifiedPhoneNumber if !user.mfa.sms => {
            verified("phone_number", Channel::Sms)
        }
        _ => None,
    })
}

pub(crate) fn delivery(
    channel: Channel,
    attribute: &str,
    destination: &str,
) -> CodeDeliveryDetailsType {
    CodeDeliveryDetailsType {
        attribute_name: Some(attribute.to_string()),
        delivery_medium: Some(match channel {
            Channel::Email => DeliveryMediumType::Email,
            Channel::Sms => DeliveryMediumType::Sms,
        }),
        destination: Some(destination.to_string()),
    }
}

/// A destination as delivery details show it: `a***@e***` for an email address, `+`
/// then a `*` per digit but the last four for a phone number.
pub(crate) fn mask(channel: Channel, destination: &str) -> String {
    match channel {
        Channel::Email => {
            let (local, domain) = destination.rsplit_once('@').unwrap_or((destination, ""));
            let first = |s: &str| s.chars().next().map(String::from).unwrap_or_default();
            format!("{}***@{}***", first(local), first(domain))
        }
        Channel::Sms => {
            let digits: Vec<char> = destination.chars().filter(char::is_ascii_digit).collect();
            let hidden = digits.len().saturating_sub(4);
            let shown: String = digits.iter().skip(hidden).collect();
            format!("+{}{shown}", "*".repeat(hidden))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks() {
        assert_eq!(mask(Channel::Email, "alice@example.com"), "a***@e***");
        assert_eq!(mask(Channel::Sms, "+14155550100"), "+*******0100");
        assert_eq!(mask(Channel::Sms, "+4915123456789"), "+*********6789");
        assert_eq!(mask(Channel::Sms, "+123"), "+123");
    }
}
