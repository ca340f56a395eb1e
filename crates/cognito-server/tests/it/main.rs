//! Integration tests: the server started in-process on `127.0.0.1:0` with [`run`], spoken
//! to over real HTTP connections.
//!
//! [`run`]: cognito_server::run

// Helpers outside `#[test]` functions fail loudly too: this whole crate is a test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod api;
mod browser;
mod federation;
mod functions;
mod https;
mod lifecycle;
mod oauth2;
mod oauth2_code;
mod self_service;
mod sign_in;
mod support;
mod test_control;
