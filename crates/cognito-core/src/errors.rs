//! Constructors for the modeled errors the handlers answer, worded as Cognito words them.

use cognito_model::shapes::{UserPoolTierType, UserPoolType};
use cognito_model::{CognitoError, ErrorKind};

/// `InvalidParameterException` with `message`.
pub(crate) fn invalid_parameter(message: impl Into<String>) -> CognitoError {
    CognitoError::new(ErrorKind::InvalidParameterException, message)
}

/// `ResourceNotFoundException` with `message`.
pub(crate) fn not_found(message: impl Into<String>) -> CognitoError {
    CognitoError::new(ErrorKind::ResourceNotFoundException, message)
}

/// `LimitExceededException` with `message`.
pub(crate) fn limit_exceeded(message: impl Into<String>) -> CognitoError {
    CognitoError::new(ErrorKind::LimitExceededException, message)
}

/// `NotAuthorizedException` with `message`.
pub(crate) fn not_authorized(message: impl Into<String>) -> CognitoError {
    CognitoError::new(ErrorKind::NotAuthorizedException, message)
}

/// The answer to a wrong password, and to anything that must not tell it apart from one.
pub(crate) fn incorrect() -> CognitoError {
    not_authorized("Incorrect username or password.")
}

/// The answer for a pool id that names no pool.
pub(crate) fn pool_not_found(pool_id: &str) -> CognitoError {
    not_found(format!("User pool {pool_id} does not exist."))
}

/// The answer for a client id that names no client of the pool.
pub(crate) fn client_not_found(client_id: &str) -> CognitoError {
    not_found(format!("User pool client {client_id} does not exist."))
}

/// Answers `FeatureUnavailableInTierException` unless the pool's feature plan is `min` or
/// higher (a pool without a recorded plan is on Essentials, the default).
pub(crate) fn require_tier(
    config: &UserPoolType,
    min: UserPoolTierType,
    feature: &str,
) -> Result<(), CognitoError> {
    let rank = |t: UserPoolTierType| match t {
        UserPoolTierType::Lite => 0,
        UserPoolTierType::Essentials => 1,
        UserPoolTierType::Plus => 2,
    };
    let tier = config
        .user_pool_tier
        .unwrap_or(UserPoolTierType::Essentials);
    if rank(tier) < rank(min) {
        return Err(CognitoError::new(
            ErrorKind::FeatureUnavailableInTierException,
            format!(
                "The following features need to be disabled for the {} pricing tier configured: {feature}",
                tier.as_str()
            ),
        ));
    }
    Ok(())
}
