//! cognito-http
