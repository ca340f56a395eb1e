//! cognito-model
