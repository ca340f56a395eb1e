//! The operations, one module per family named after it; each handler is named after
//! its operation (`admin_create_user` in [`users`], `initiate_auth` in [`auth`], ...).
//!
//! Boundary: handlers reach state only through the [`Store`](crate::store::Store) and the
//! mechanisms below them (codes, rules, time); nothing below `ops` imports from it.

pub(crate) mod account;
pub(crate) mod attributes;
pub mod auth;
pub(crate) mod branding;
pub(crate) mod cimd;
pub mod client_tokens;
pub(crate) mod clients;
pub(crate) mod devices;
pub(crate) mod domains;
pub mod federation;
pub(crate) mod groups;
pub(crate) mod identity_providers;
pub(crate) mod import_jobs;
pub(crate) mod limits;
pub(crate) mod log_delivery;
pub(crate) mod mfa;
pub(crate) mod mfa_config;
pub(crate) mod passkeys;
pub(crate) mod pools;
pub(crate) mod recovery;
pub(crate) mod replicas;
pub(crate) mod resource_servers;
pub(crate) mod risk;
pub(crate) mod self_service;
pub(crate) mod session_config;
pub(crate) mod sign_up_triggers;
pub(crate) mod tags;
pub(crate) mod terms;
pub mod test_api;
pub mod users;
