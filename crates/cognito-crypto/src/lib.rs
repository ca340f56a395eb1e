//! cognito-crypto
