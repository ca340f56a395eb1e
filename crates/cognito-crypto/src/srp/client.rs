//! The client's half of Cognito's SRP-6a: what amazon-cognito-identity-js and the SDKs'
//! helpers compute to answer `PASSWORD_VERIFIER`, for tests and load generators.
//!
//! It runs through the same step functions as the server side ([RFC 5054] §2.5 and
//! §2.6, Cognito's key derivation and claim signature), in the client's order:
//!
//! 1. [`ClientSession::new`] with the secret `a`; `SRP_A` = [`ClientSession::srp_a`]
//!    goes into `InitiateAuth`.
//! 2. From the challenge's `SALT`, `SRP_B`, `SECRET_BLOCK` and `USER_ID_FOR_SRP`,
//!    [`ClientSession::password_claim_signature`] computes `PASSWORD_CLAIM_SIGNATURE`
//!    for a `TIMESTAMP` ([`format_timestamp`](super::format_timestamp) of the client's
//!    clock).
//!
//! A sign-in costs the client three exponentiations in the 3072-bit group: `g^a`, `g^x`
//! and `S`, whose exponent `a + u*x` is about twice as long as the others.
//!
//! A remembered device, as amazon-cognito-identity-js runs it:
//!
//! 1. when a sign-in returns `NewDeviceMetadata`, the client makes a password
//!    ([`device_password`]) and a salt, and sends `ConfirmDevice` with
//!    [`device_secret_verifier_config`] (`AuthenticationHelper.generateHashDevice`);
//! 2. to sign in with the device (`CognitoUser.getDeviceResponse`), it answers
//!    `DEVICE_SRP_AUTH` with `SRP_A` and `DEVICE_PASSWORD_VERIFIER` with
//!    [`ClientSession::password_claim_signature`] of that password, for a [`Challenge`]
//!    whose `pool_name` is the device group key and `user_id_for_srp` the device key.
//!
//! [RFC 5054]: https://www.rfc-editor.org/rfc/rfc5054

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use num_bigint::BigUint;

use super::{
    check_server_public, client_premaster_secret, client_public, derive_session_key, pad,
    parse_hex, private_key, scrambler, verifier_from_private_key, Cognito, SrpError, Suite as _,
    BASE64_LENIENT,
};
use crate::password::identity_hash;
use crate::secret::Secret;

/// The `PASSWORD_VERIFIER` (or `DEVICE_PASSWORD_VERIFIER`) challenge parameters a client
/// signs, as the server sent them.
#[derive(Debug, Clone, Copy)]
pub struct Challenge<'a> {
    /// The pool name: the part of the pool id after `_`. For a device, its device group
    /// key.
    pub pool_name: &'a str,
    /// `USER_ID_FOR_SRP`. For a device, its device key.
    pub user_id_for_srp: &'a str,
    /// `SALT`, hex.
    pub salt: &'a str,
    /// `SRP_B`, hex.
    pub srp_b: &'a str,
    /// `SECRET_BLOCK`, base64.
    pub secret_block: &'a str,
}

/// One client sign-in: the secret `a` and the public `A = g^a % N`. `Debug` shows
/// neither.
#[derive(Clone)]
pub struct ClientSession {
    secret: Secret<BigUint>,
    public: BigUint,
}

impl std::fmt::Debug for ClientSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientSession").finish_non_exhaustive()
    }
}

impl ClientSession {
    /// Starts a sign-in with `a`, the client's random secret as big-endian bytes (RFC
    /// 5054 asks for at least 256 bits; the JavaScript library draws 128 bytes). One
    /// exponentiation.
    pub fn new(a: &[u8]) -> Self {
        let secret = BigUint::from_bytes_be(a);
        // RFC 5054 §2.6: A = g^a % N.
        let public = client_public(&Cognito, &secret);
        ClientSession {
            secret: Secret::new(secret),
            public,
        }
    }

    /// The `SRP_A` parameter: `A` in lower-case hex without leading zeros, as the
    /// JavaScript library sends it.
    pub fn srp_a(&self) -> String {
        self.public.to_str_radix(16)
    }

    /// `PASSWORD_CLAIM_SIGNATURE` (base64) of `password` for `challenge` at `timestamp`
    /// (sent as `TIMESTAMP`). Two exponentiations.
    pub fn password_claim_signature(
        &self,
        challenge: &Challenge<'_>,
        password: &str,
        timestamp: &str,
    ) -> Result<String, SrpError> {
        // 1. Read SALT and B; RFC 5054 §2.5.3: abort if B % N == 0.
        let salt = parse_hex(challenge.salt)
            .ok_or(SrpError::SaltNotHex)?
            .to_bytes_be();
        let server_public = parse_hex(challenge.srp_b).ok_or(SrpError::SrpBNotHex)?;
        check_server_public(&Cognito, &server_public)?;
        // 2. RFC 5054 §2.6: u = H(PAD(A) | PAD(B)), not zero.
        let u = scrambler(&Cognito, &self.public, &server_public)?;
        // 3. RFC 5054 §2.4: x = H(s | H(poolName | userId | ":" | password)).
        let identity = identity_hash(challenge.pool_name, challenge.user_id_for_srp, password);
        let x = private_key(&Cognito, &salt, &identity);
        // 4. RFC 5054 §2.6: S = (B - k*g^x) ^ (a + u*x) % N.
        let premaster =
            client_premaster_secret(&Cognito, &server_public, &x, self.secret.expose(), &u);
        // 5. Cognito: K = HKDF(pad(u), pad(S)).
        let key = derive_session_key(&premaster, &u)?;
        // 6. Cognito: HMAC(K, poolName | userIdForSrp | secretBlock | timestamp).
        let secret_block = BASE64_LENIENT
            .decode(challenge.secret_block)
            .map_err(|_| SrpError::SecretBlockNotBase64)?;
        let signature = key.password_claim_signature(
            challenge.pool_name,
            challenge.user_id_for_srp,
            &secret_block,
            timestamp,
        )?;
        Ok(STANDARD.encode(signature))
    }
}

/// How many random bytes amazon-cognito-identity-js draws for a device password
/// (`AuthenticationHelper.generateRandomString`).
pub const DEVICE_PASSWORD_RANDOM_BYTES: usize = 40;

/// The device password amazon-cognito-identity-js makes when it confirms a device:
/// standard base64 of 40 random bytes (56 characters). The client keeps it; the server
/// only ever sees the verifier.
pub fn device_password(random: &[u8; DEVICE_PASSWORD_RANDOM_BYTES]) -> Secret<String> {
    Secret::new(STANDARD.encode(random))
}

/// `ConfirmDevice`'s `DeviceSecretVerifierConfig` as a client sends it: both members
/// base64 of a number's two's-complement bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceSecretVerifierConfig {
    /// `PasswordVerifier`: `v = g^x % N`.
    pub password_verifier: String,
    /// `Salt`.
    pub salt: String,
}

/// `AuthenticationHelper.generateHashDevice` of amazon-cognito-identity-js, then the
/// base64 `CognitoUser` sends: the verifier of `password` for the device `device_key` in
/// the group `device_group_key`, with `salt` (the library draws 16 random bytes). One
/// exponentiation.
pub fn device_secret_verifier_config(
    device_group_key: &str,
    device_key: &str,
    password: &str,
    salt: &[u8],
) -> DeviceSecretVerifierConfig {
    // 1. H(deviceGroupKey | deviceKey | ":" | password), as the user's identity hash is
    //    H(poolName | userId | ":" | password).
    let identity = identity_hash(device_group_key, device_key, password);
    // 2. The salt as a number, written padHex (a 00 sign byte before a set top bit,
    //    leading zero bytes dropped): the bytes both hashed and sent.
    let salt_bytes = Cognito.salt_bytes(salt);
    // 3. RFC 5054 §2.4: x = H(s | identity), v = g^x % N.
    let x = private_key(&Cognito, &salt_bytes, &identity);
    let verifier = verifier_from_private_key(&Cognito, &x);
    // 4. Both sent as base64 of their padHex bytes.
    DeviceSecretVerifierConfig {
        password_verifier: STANDARD.encode(pad(&verifier)),
        salt: STANDARD.encode(salt_bytes),
    }
}
