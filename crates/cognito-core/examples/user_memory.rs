//! Memory per user: creates users as `cargo xtask bench`'s AdminCreateUser scenario does
//! (`user{i}` with the email `user{i}@example.com`, invitation suppressed) and reports
//! the process's resident memory before and after, from `/proc/self/statm`.
//!
//! ```text
//! cargo run --release -p cognito-core --example user_memory [-- USERS]
//! ```

use cognito_core::{Cognito, Random, RequestContext};
use cognito_model::shapes::{
    AdminCreateUserRequest, AttributeType, CreateUserPoolRequest, MessageActionType,
};
use cognito_model::{CognitoIdentityProvider, Timestamp};

/// A xorshift generator: the measurement needs no real randomness.
struct Xorshift(std::sync::atomic::AtomicU64);

impl Random for Xorshift {
    fn fill(&self, buf: &mut [u8]) {
        use std::sync::atomic::Ordering;
        let mut x = self.0.load(Ordering::Relaxed);
        for b in buf.iter_mut() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            *b = x.to_le_bytes().first().copied().unwrap_or_default();
        }
        self.0.store(x, Ordering::Relaxed);
    }
}

/// Resident memory in bytes.
fn rss() -> Result<u64, String> {
    let statm = std::fs::read_to_string("/proc/self/statm").map_err(|e| e.to_string())?;
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .ok_or("unreadable /proc/self/statm")?;
    Ok(pages * 4096)
}

fn main() -> Result<(), String> {
    let users: u64 = match std::env::args().nth(1) {
        Some(n) => n.parse().map_err(|_| format!("not a number: {n}"))?,
        None => 100_000,
    };
    let svc = Cognito::in_memory(Box::new(Xorshift(0x9E37_79B9_7F4A_7C15.into())));
    let ctx = RequestContext {
        region: "us-east-1".into(),
        account_id: "123456789012".into(),
        now: Timestamp::from_secs(1_700_000_000),
        aws_sdk_version: None,
    };
    let pool = svc
        .create_user_pool(
            &ctx,
            CreateUserPoolRequest {
                pool_name: "memory".into(),
                ..Default::default()
            },
        )
        .map_err(|e| format!("{e:?}"))?
        .user_pool
        .and_then(|p| p.id)
        .ok_or("no pool id")?;
    let before = rss()?;
    for i in 0..users {
        svc.admin_create_user(
            &ctx,
            AdminCreateUserRequest {
                user_pool_id: pool.clone(),
                username: format!("user{i}"),
                user_attributes: Some(vec![AttributeType {
                    name: "email".into(),
                    value: Some(format!("user{i}@example.com")),
                }]),
                message_action: Some(MessageActionType::Suppress),
                ..Default::default()
            },
        )
        .map_err(|e| format!("{e:?}"))?;
    }
    let after = rss()?;
    let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
    println!(
        "{users} users: RSS {:.1} MiB before, {:.1} MiB after, {:.0} bytes per user",
        mib(before),
        mib(after),
        (after - before) as f64 / users.max(1) as f64
    );
    Ok(())
}
