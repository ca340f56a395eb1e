//! cognito-core
