//! The floor: the cryptography a sign-in cannot avoid, timed in this process, one
//! operation at a time, on the machine that serves the sign-ins.
//!
//! - [`rs256`]: one RS256 signature of a token-sized claims set (an emulator signs two
//!   per sign-in: the access and the ID token);
//! - [`modexp`]: one exponentiation in SRP's 3072-bit group with a 256-bit exponent (the
//!   server does three per SRP sign-in: `g^b`, `v^u` and `(A·v^u)^b`);
//! - [`srp_client`]: what the generator computes for one SRP sign-in (`A`, then the
//!   claim signature: three exponentiations, one with a 512-bit exponent).

use std::time::Duration;

use cognito_crypto::jwt::SigningKey;
use cognito_crypto::password::identity_hash;
use cognito_crypto::srp::client::{Challenge, ClientSession};
use cognito_crypto::srp::{self, ServerSession};
use num_bigint::BigUint;
use serde_json::{json, Map};

use super::process::CpuMeter;
use super::report::Row;
use super::stats::{now, Latencies};

/// Times `iterations` runs of `operation` (after one untimed run) into a row without
/// connections: per-op latency percentiles, ops per second and CPU per op.
fn time<T>(
    name: &str,
    iterations: u64,
    mut prepare: impl FnMut(u64) -> T,
    mut operation: impl FnMut(T) -> Result<(), String>,
) -> Result<Row, String> {
    operation(prepare(u64::MAX))?;
    let mut latencies = Latencies::with_capacity(usize::try_from(iterations).unwrap_or(0));
    let mut busy = Duration::ZERO;
    let cpu = CpuMeter::start(None);
    for i in 0..iterations {
        let input = prepare(i);
        let started = now();
        operation(input)?;
        let took = started.elapsed();
        latencies.record(took);
        busy += took;
    }
    let cpu = cpu.stop();
    let throughput = iterations as f64 / busy.as_secs_f64().max(1e-9);
    Ok(Row {
        name: name.to_owned(),
        concurrency: None,
        requests: iterations,
        errors: 0,
        throughput,
        latency: latencies.summary(),
        server_cpu: None,
        own_cpu: cpu
            .own
            .map(|t| t / u32::try_from(iterations.max(1)).unwrap_or(u32::MAX)),
        first_error: None,
        note: None,
    })
}

/// One RS256 signature of an ID-token-sized claims set, with an RSA-2048 key made once.
pub fn rs256(name: &str, iterations: u64) -> Result<Row, String> {
    let key = SigningKey::generate(&mut rand::rngs::OsRng)
        .map_err(|e| format!("cannot generate a key: {e}"))?;
    let claims = json!({
        "sub": "0c9a5f7e-3b1d-4e26-8f4a-1d2c3b4a5f6e",
        "email_verified": true,
        "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123",
        "cognito:username": "user12345",
        "origin_jti": "4d2f7c1e-9b8a-4c3d-8e7f-6a5b4c3d2e1f",
        "aud": "3n4b5c6d7e8f9g0h1i2j3k4l5m",
        "event_id": "7e6d5c4b-3a29-4817-9f0e-1d2c3b4a5968",
        "token_use": "id",
        "auth_time": 1_767_416_767,
        "exp": 1_767_420_367,
        "iat": 1_767_416_767,
        "jti": "a1b2c3d4-e5f6-4789-8abc-def012345678",
        "email": "user12345@example.com",
    });
    let header = Map::new();
    time(
        name,
        iterations,
        |_| (),
        |()| {
            key.sign(&header, &claims)
                .map(drop)
                .map_err(|e| format!("cannot sign: {e}"))
        },
    )
}

/// One `base^e mod N` in the 3072-bit group with a random 256-bit `e` and a full-size
/// base, as each of the server's SRP exponentiations is.
pub fn modexp(name: &str, iterations: u64) -> Result<Row, String> {
    let n = srp::modulus();
    let base = srp::generator().modpow(&BigUint::from_bytes_be(&[0xa7; 48]), n);
    time(
        name,
        iterations,
        |_| BigUint::from_bytes_be(&rand::random::<[u8; 32]>()),
        |exponent| {
            std::hint::black_box(base.modpow(&exponent, n));
            Ok(())
        },
    )
}

/// The generator's part of one SRP sign-in: `ClientSession::new` (`A`) and the claim
/// signature for a challenge a server session answered.
pub fn srp_client(name: &str, iterations: u64) -> Result<Row, String> {
    let (pool_name, user, password) = ("AbCdEf123", "user1", "Bench-Passw0rd!");
    let salt = [0x5a; 16];
    let verifier = srp::verifier(&salt, &identity_hash(pool_name, user, password));
    let first = ClientSession::new(&[0x11; 32]);
    let server = ServerSession::new(&verifier, &first.srp_a(), &[0x22; 32])
        .map_err(|e| format!("server session: {e}"))?;
    let (salt, srp_b) = (srp::salt_hex(&salt), server.srp_b());
    let challenge = Challenge {
        pool_name,
        user_id_for_srp: user,
        salt: &salt,
        srp_b: &srp_b,
        secret_block: "AQIDBAUGBwgJCgsMDQ4PEA==",
    };
    let timestamp = srp::format_timestamp(1_767_416_767);
    time(
        name,
        iterations,
        |_| rand::random::<[u8; 32]>(),
        |a| {
            let client = ClientSession::new(&a);
            std::hint::black_box(client.srp_a());
            client
                .password_claim_signature(&challenge, password, &timestamp)
                .map(drop)
                .map_err(|e| format!("SRP client: {e}"))
        },
    )
}
