//! SRP-6a as Amazon Cognito user pools run it: the `USER_SRP_AUTH` flow and its
//! `PASSWORD_VERIFIER` challenge ([RFC 5054], [RFC 2945], [RFC 5869]), server side here
//! and client side in [`client`].
//!
//! Cognito runs SRP-6a over the 3072-bit group of RFC 5054 Appendix A with `g = 2` and
//! SHA-256, with these choices of its own, all as the client libraries
//! (amazon-cognito-identity-js, the AWS SDKs' helpers) compute them:
//!
//! - A number is hashed as its minimal two's-complement big-endian bytes (Java's
//!   `BigInteger.toByteArray()`, the JavaScript library's `padHex`): no leading zero
//!   byte except one when the top bit is set. This is not RFC 5054's `PAD()` to the
//!   length of `N`; [`pad`] computes it. So `k = H(pad(N) | pad(g))` hashes 386 bytes.
//! - `x = H(pad(salt) | H(poolName | userId | ":" | password))`, where the salt is read
//!   as a number from its hex. The inner hash is the stored
//!   [`PasswordHash::identity`](crate::password::PasswordHash), so the server never
//!   needs the password.
//! - The key is `K = HKDF-SHA256(salt = pad(u), IKM = pad(S), info = "Caldera Derived
//!   Key")`, its first 16 bytes (RFC 5869: one HMAC for extract, one for expand).
//! - Instead of RFC 2945's `M1`, the client proves it holds `K` with
//!   `PASSWORD_CLAIM_SIGNATURE = base64(HMAC-SHA256(K, poolName | userIdForSrp |
//!   SECRET_BLOCK | TIMESTAMP))`, where `SECRET_BLOCK` is the server's opaque block,
//!   base64-decoded, and `TIMESTAMP` is the client's clock as `Sat Jan 3 05:06:07 UTC
//!   2026` (the day of the month not padded). Cognito reads the timestamp as the Java
//!   pattern `EEE MMM d HH:mm:ss z yyyy` and signs its own rendering of the instant,
//!   so a zero-padded day or a wrong weekday fails the signature; [`parse_timestamp`]
//!   and [`format_timestamp`] do the same.
//!
//! The steps are written once, generically over the group, hash and padding (the
//! private `Suite` trait), so the RFC 5054 Appendix B vector (1024-bit group, SHA-1,
//! RFC padding) runs through the same functions as Cognito's suite.
//!
//! A caller's round trip:
//!
//! 1. once per user, [`verifier`] from the stored salt and identity hash;
//! 2. on `InitiateAuth` with `SRP_A`: [`ServerSession::new`] with 32 random bytes, then
//!    `SALT` = [`salt_hex`], `SRP_B` = [`ServerSession::srp_b`];
//! 3. on `RespondToAuthChallenge`: [`ServerSession::verify_password_claim`].
//!
//! A remembered device runs the same exchange (`DEVICE_SRP_AUTH`, then
//! `DEVICE_PASSWORD_VERIFIER`) against the verifier and salt it registered with
//! `ConfirmDevice`, with its device group key in place of the pool name and its device key
//! in place of `USER_ID_FOR_SRP`: [`Verifier::from_device_config`], [`DeviceVerifier`].
//!
//! [`client::ClientSession`] is the other half, for tests and load generators: it runs
//! through the same step functions.
//!
//! [RFC 5054]: https://www.rfc-editor.org/rfc/rfc5054
//! [RFC 2945]: https://www.rfc-editor.org/rfc/rfc2945
//! [RFC 5869]: https://www.rfc-editor.org/rfc/rfc5869

use std::sync::OnceLock;

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::{alphabet, Engine as _};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use num_bigint::BigUint;
use num_traits::Zero;
use sha2::digest::Digest;
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::secret::Secret;

pub mod client;

/// The HKDF `info` string of Cognito's session key.
pub const DERIVED_KEY_INFO: &[u8] = b"Caldera Derived Key";

/// The 3072-bit prime of RFC 5054 Appendix A (the same as RFC 3526's group 15).
const N_3072_HEX: &str = concat!(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74",
    "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437",
    "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED",
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05",
    "98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB",
    "9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B",
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718",
    "3995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33",
    "A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7",
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864",
    "D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E2",
    "08E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
);

/// The longest `SRP_A` accepted, in hex digits: `A < N` needs 768, and clients may add a
/// sign byte or a few leading zeros. Longer input is refused before any arithmetic.
const MAX_SRP_A_HEX_DIGITS: usize = 1024;

/// Why an SRP step failed. Each variant names the check.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SrpError {
    /// `SRP_A` is not a hexadecimal number (or is absurdly long).
    #[error("SRP_A is not a hexadecimal number")]
    SrpANotHex,
    /// RFC 5054 §2.5.4: `A % N == 0`, which would fix the premaster secret.
    #[error("SRP_A is zero modulo N")]
    ZeroA,
    /// RFC 5054 §2.5.3: `B % N == 0`.
    #[error("SRP_B is zero modulo N")]
    ZeroB,
    /// SRP-6a: the scrambling parameter `u = H(A | B)` is zero.
    #[error("the scrambling parameter u is zero")]
    ZeroU,
    /// HKDF or HMAC refused its key or output length (never for Cognito's sizes).
    #[error("key derivation refused its length")]
    KeyLength,
    /// `PASSWORD_CLAIM_SECRET_BLOCK` is not base64.
    #[error("PASSWORD_CLAIM_SECRET_BLOCK is not base64")]
    SecretBlockNotBase64,
    /// `SALT` (client side) is not a hexadecimal number.
    #[error("SALT is not a hexadecimal number")]
    SaltNotHex,
    /// `SRP_B` (client side) is not a hexadecimal number.
    #[error("SRP_B is not a hexadecimal number")]
    SrpBNotHex,
    /// `PASSWORD_CLAIM_SIGNATURE` is not base64.
    #[error("PASSWORD_CLAIM_SIGNATURE is not base64")]
    SignatureNotBase64,
    /// `TIMESTAMP` does not follow `EEE MMM d HH:mm:ss z yyyy`.
    #[error(transparent)]
    Timestamp(#[from] TimestampError),
    /// The claim signature differs from the one the server computed.
    #[error("PASSWORD_CLAIM_SIGNATURE does not match")]
    SignatureMismatch,
    /// `DeviceSecretVerifierConfig.PasswordVerifier` is not base64.
    #[error("PasswordVerifier is not base64")]
    PasswordVerifierNotBase64,
    /// `DeviceSecretVerifierConfig.PasswordVerifier` decodes to no bytes.
    #[error("PasswordVerifier is empty")]
    PasswordVerifierEmpty,
    /// `DeviceSecretVerifierConfig.PasswordVerifier` is not in `1..N`: zero (or a multiple
    /// of `N`) would let anyone answer for the device, and `g^x % N` is always below `N`.
    #[error("PasswordVerifier is not between 1 and N - 1")]
    PasswordVerifierOutOfRange,
    /// `DeviceSecretVerifierConfig.Salt` is not base64.
    #[error("Salt is not base64")]
    SaltNotBase64,
    /// `DeviceSecretVerifierConfig.Salt` decodes to no bytes.
    #[error("Salt is empty")]
    SaltEmpty,
}

/// Why a `TIMESTAMP` is not of the form `EEE MMM d HH:mm:ss z yyyy` in English.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TimestampError {
    /// Not six fields separated by single spaces.
    #[error("TIMESTAMP does not have six space-separated fields")]
    Fields,
    /// The first field is not an English weekday abbreviation.
    #[error("TIMESTAMP weekday is not one of Sun..Sat")]
    Weekday,
    /// The second field is not an English month abbreviation.
    #[error("TIMESTAMP month is not one of Jan..Dec")]
    Month,
    /// The day is not a day of that month.
    #[error("TIMESTAMP day is not a day of the month")]
    Day,
    /// The time is not `HH:mm:ss` within a day.
    #[error("TIMESTAMP time of day is not HH:mm:ss")]
    TimeOfDay,
    /// The zone is not `UTC` or `GMT`.
    #[error("TIMESTAMP zone is not UTC")]
    Zone,
    /// The year is not four digits.
    #[error("TIMESTAMP year is not four digits")]
    Year,
}

/// A group `(N, g)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Group {
    n: BigUint,
    g: BigUint,
}

impl Group {
    #[cfg(test)]
    pub(crate) fn new(n: BigUint, g: BigUint) -> Self {
        Group { n, g }
    }
}

/// RFC 5054 Appendix A's 3072-bit group, `g = 2`.
fn group_3072() -> &'static Group {
    static GROUP: OnceLock<Group> = OnceLock::new();
    GROUP.get_or_init(|| Group {
        // The constant is hex; the test `group_3072_is_rfc_5054s` checks it parses.
        n: BigUint::parse_bytes(N_3072_HEX.as_bytes(), 16).unwrap_or_default(),
        g: BigUint::from(2u32),
    })
}

/// The prime `N` of Cognito's group (RFC 5054 Appendix A, 3072 bits), for callers that
/// measure or check arithmetic in it.
pub fn modulus() -> &'static BigUint {
    &group_3072().n
}

/// The generator `g = 2` of Cognito's group.
pub fn generator() -> &'static BigUint {
    &group_3072().g
}

/// The parameters that differ between Cognito and RFC 5054's own test vector.
pub(crate) trait Suite {
    /// `H()`.
    type Hash: Digest;
    /// `(N, g)`.
    fn group(&self) -> &Group;
    /// How a number is written before it is hashed (`PAD()`).
    fn pad(&self, n: &BigUint) -> Vec<u8>;
    /// How the salt is written inside `x = H(s | ...)`.
    fn salt_bytes(&self, salt: &[u8]) -> Vec<u8>;
}

/// Cognito's suite: the 3072-bit group, SHA-256 and two's-complement padding.
pub(crate) struct Cognito;

impl Suite for Cognito {
    type Hash = Sha256;

    fn group(&self) -> &Group {
        group_3072()
    }

    fn pad(&self, n: &BigUint) -> Vec<u8> {
        pad(n)
    }

    fn salt_bytes(&self, salt: &[u8]) -> Vec<u8> {
        // The client reads SALT as a number, so leading zero bytes are not hashed.
        pad(&BigUint::from_bytes_be(salt))
    }
}

/// Cognito's `PAD()`: the minimal big-endian two's-complement bytes of a non-negative
/// number, as Java's `BigInteger.toByteArray()` writes it: no leading zero byte unless
/// the top bit of the next one is set; zero is one zero byte.
pub fn pad(n: &BigUint) -> Vec<u8> {
    let mut bytes = n.to_bytes_be();
    if bytes.first().is_some_and(|b| b & 0x80 != 0) {
        bytes.insert(0, 0);
    }
    bytes
}

/// `H(parts[0] | parts[1] | ...)` read as a big-endian number.
fn hash<S: Suite>(parts: &[&[u8]]) -> BigUint {
    let mut h = S::Hash::new();
    for part in parts {
        h.update(part);
    }
    BigUint::from_bytes_be(&h.finalize())
}

/// RFC 5054 §2.6: `k = H(N | PAD(g))` (with `N` written by the suite's `PAD`).
pub(crate) fn multiplier<S: Suite>(suite: &S) -> BigUint {
    let group = suite.group();
    hash::<S>(&[&suite.pad(&group.n), &suite.pad(&group.g)])
}

/// RFC 5054 §2.4 (after RFC 2945 §3): `x = H(s | H(I | ":" | P))`, where the inner hash
/// is `identity`.
pub(crate) fn private_key<S: Suite>(suite: &S, salt: &[u8], identity: &[u8]) -> BigUint {
    hash::<S>(&[&suite.salt_bytes(salt), identity])
}

/// RFC 5054 §2.4: `v = g^x % N`.
pub(crate) fn verifier_from_private_key<S: Suite>(suite: &S, x: &BigUint) -> BigUint {
    let group = suite.group();
    group.g.modpow(x, &group.n)
}

/// RFC 5054 §2.5.3 and §2.6: `B = (k*v + g^b) % N`; the client aborts on `B % N == 0`,
/// so the server checks it too.
pub(crate) fn server_public<S: Suite>(
    suite: &S,
    v: &BigUint,
    b: &BigUint,
) -> Result<BigUint, SrpError> {
    let group = suite.group();
    let k = multiplier(suite);
    let public_b = (k * v + group.g.modpow(b, &group.n)) % &group.n;
    if public_b.is_zero() {
        return Err(SrpError::ZeroB);
    }
    Ok(public_b)
}

/// RFC 5054 §2.5.4 and §2.6, the client's side: `A = g^a % N`.
pub(crate) fn client_public<S: Suite>(suite: &S, a: &BigUint) -> BigUint {
    let group = suite.group();
    group.g.modpow(a, &group.n)
}

/// RFC 5054 §2.5.3: "The client MUST abort authentication if B % N is zero."
pub(crate) fn check_server_public<S: Suite>(suite: &S, b: &BigUint) -> Result<(), SrpError> {
    if (b % &suite.group().n).is_zero() {
        return Err(SrpError::ZeroB);
    }
    Ok(())
}

/// RFC 5054 §2.5.4: "The server MUST abort the handshake ... if A % N = 0."
pub(crate) fn check_client_public<S: Suite>(suite: &S, a: &BigUint) -> Result<(), SrpError> {
    if (a % &suite.group().n).is_zero() {
        return Err(SrpError::ZeroA);
    }
    Ok(())
}

/// RFC 5054 §2.6: `u = H(PAD(A) | PAD(B))`; SRP-6a aborts when `u == 0`.
pub(crate) fn scrambler<S: Suite>(
    suite: &S,
    a: &BigUint,
    b: &BigUint,
) -> Result<BigUint, SrpError> {
    let u = hash::<S>(&[&suite.pad(a), &suite.pad(b)]);
    if u.is_zero() {
        return Err(SrpError::ZeroU);
    }
    Ok(u)
}

/// RFC 5054 §2.6, the server's side: `S = (A * v^u) ^ b % N`.
pub(crate) fn server_premaster_secret<S: Suite>(
    suite: &S,
    a: &BigUint,
    v: &BigUint,
    u: &BigUint,
    b: &BigUint,
) -> BigUint {
    let n = &suite.group().n;
    ((a % n) * v.modpow(u, n) % n).modpow(b, n)
}

/// RFC 5054 §2.6, the client's side: `S = (B - (k * g^x)) ^ (a + (u * x)) % N`, with
/// the subtraction done modulo `N` so that it stays non-negative.
pub(crate) fn client_premaster_secret<S: Suite>(
    suite: &S,
    b: &BigUint,
    x: &BigUint,
    a: &BigUint,
    u: &BigUint,
) -> BigUint {
    let group = suite.group();
    let n = &group.n;
    let kgx = multiplier(suite) * group.g.modpow(x, n) % n;
    let base = (b % n + n - kgx) % n;
    base.modpow(&(a + u * x), n)
}

/// Cognito's key: RFC 5869 HKDF-SHA256 with salt `pad(u)`, input `pad(S)` and info
/// "Caldera Derived Key", the first 16 bytes of the output (one expand block).
pub(crate) fn derive_session_key(premaster: &BigUint, u: &BigUint) -> Result<SessionKey, SrpError> {
    // RFC 5869 §2.2: PRK = HMAC-Hash(salt, IKM).
    let hkdf = Hkdf::<Sha256>::new(Some(&pad(u)), &pad(premaster));
    // RFC 5869 §2.3: T(1) = HMAC-Hash(PRK, info | 0x01); OKM = first L octets.
    let mut okm = [0u8; 16];
    hkdf.expand(DERIVED_KEY_INFO, &mut okm)
        .map_err(|_| SrpError::KeyLength)?;
    Ok(SessionKey(Secret::new(okm)))
}

/// Reads a hexadecimal number the way the clients' `BigInteger(hex, 16)` does, refusing
/// anything but hex digits.
pub(crate) fn parse_hex(text: &str) -> Option<BigUint> {
    if text.is_empty()
        || text.len() > MAX_SRP_A_HEX_DIGITS
        || !text.bytes().all(|c| c.is_ascii_hexdigit())
    {
        return None;
    }
    BigUint::parse_bytes(text.as_bytes(), 16)
}

/// Lower-case hex of `pad(n)`: even length, a `00` sign byte when the top bit is set.
/// Every client reads this the same way, whether it parses it as a number (the
/// JavaScript library, the Java and .NET helpers) or hashes the string as given (the
/// Python helpers).
fn pad_hex(n: &BigUint) -> String {
    let bytes = pad(n);
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(hex_digit(byte >> 4));
        out.push(hex_digit(byte & 0x0f));
    }
    out
}

fn hex_digit(nibble: u8) -> char {
    char::from_digit(u32::from(nibble), 16).unwrap_or('0')
}

/// The password verifier `v = g^x mod N`, computed once per user from the stored salt
/// and identity hash. Whoever holds it can run an offline dictionary attack, so its
/// `Debug` is redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct Verifier(BigUint);

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Verifier(<redacted>)")
    }
}

impl Verifier {
    /// The verifier as big-endian bytes, to cache it.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.0.to_bytes_be()
    }

    /// A verifier cached with [`Verifier::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Self {
        Verifier(BigUint::from_bytes_be(bytes))
    }

    /// Reads the `DeviceSecretVerifierConfig` that `ConfirmDevice` receives: the
    /// remembered device's verifier `v = g^x % N` and its salt, each base64 of a number's
    /// two's-complement bytes (amazon-cognito-identity-js `CognitoUser`, after
    /// `AuthenticationHelper.generateHashDevice`; see [`client::device_secret_verifier_config`]).
    ///
    /// The client computed `x = H(pad(salt) | H(deviceGroupKey | deviceKey | ":" |
    /// password))` with a random password it keeps; the server never learns it and keeps
    /// what this returns.
    pub fn from_device_config(
        password_verifier: &str,
        salt: &str,
    ) -> Result<DeviceVerifier, SrpError> {
        // 1. PasswordVerifier is base64 of at least one byte.
        let verifier_bytes = BASE64_LENIENT
            .decode(password_verifier)
            .map_err(|_| SrpError::PasswordVerifierNotBase64)?;
        if verifier_bytes.is_empty() {
            return Err(SrpError::PasswordVerifierEmpty);
        }
        // 2. RFC 5054 §2.4: v = g^x % N, so 0 < v < N. (With v = 0 the server's
        //    S = (A * v^u)^b is zero, which anyone can compute.)
        let verifier = BigUint::from_bytes_be(&verifier_bytes);
        if verifier.is_zero() || &verifier >= modulus() {
            return Err(SrpError::PasswordVerifierOutOfRange);
        }
        // 3. Salt is base64 of at least one byte; it is read as a number, like the user's
        //    salt (leading zero bytes are not hashed, see `salt_hex`).
        let salt = BASE64_LENIENT
            .decode(salt)
            .map_err(|_| SrpError::SaltNotBase64)?;
        if salt.is_empty() {
            return Err(SrpError::SaltEmpty);
        }
        Ok(DeviceVerifier {
            verifier: Verifier(verifier),
            salt,
        })
    }
}

/// A remembered device's SRP secret as the server keeps it, from `ConfirmDevice`'s
/// `DeviceSecretVerifierConfig` ([`Verifier::from_device_config`]).
///
/// A device signs in like a user (`DEVICE_SRP_AUTH`, answered `DEVICE_PASSWORD_VERIFIER`)
/// with the device group key in place of the pool name and the device key in place of
/// `USER_ID_FOR_SRP` (amazon-cognito-identity-js `CognitoUser.getDeviceResponse`):
///
/// 1. on `DEVICE_SRP_AUTH` with `SRP_A`: [`ServerSession::new`] with `verifier`, then
///    `SALT` = [`DeviceVerifier::salt_hex`], `SRP_B` = [`ServerSession::srp_b`];
/// 2. on `DEVICE_PASSWORD_VERIFIER`: [`ServerSession::verify_password_claim`] with a
///    [`PasswordClaim`] whose `pool_name` is the device group key and `user_id_for_srp`
///    the device key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceVerifier {
    /// `v`, as the device sent it.
    pub verifier: Verifier,
    /// The salt's bytes, as the device sent them (two's complement, so perhaps with a
    /// leading zero byte).
    pub salt: Vec<u8>,
}

impl DeviceVerifier {
    /// The `SALT` challenge parameter of `DEVICE_PASSWORD_VERIFIER`, as [`salt_hex`]
    /// writes it.
    pub fn salt_hex(&self) -> String {
        salt_hex(&self.salt)
    }
}

/// `v = g^x mod N` with `x = H(pad(salt) | identity)`, where `identity` is
/// [`PasswordHash::identity`](crate::password::PasswordHash), i.e.
/// `SHA-256(poolName | userIdForSrp | ":" | password)`. One 3072-bit exponentiation.
pub fn verifier(salt: &[u8], identity: &[u8; 32]) -> Verifier {
    let x = private_key(&Cognito, salt, identity);
    Verifier(verifier_from_private_key(&Cognito, &x))
}

/// The `SALT` challenge parameter: the salt as a number, in lower-case hex of its
/// two's-complement bytes (leading zero bytes dropped, `00` added before a set top bit).
/// Written this way, the clients that hash the string and those that parse the number
/// hash the same bytes as [`verifier`] does.
pub fn salt_hex(salt: &[u8]) -> String {
    pad_hex(&BigUint::from_bytes_be(salt))
}

/// The server's side of one `PASSWORD_VERIFIER` challenge: the client's `A`, the
/// server's secret `b` and public `B`. Keep it with the session between
/// `InitiateAuth` and `RespondToAuthChallenge`.
#[derive(Clone)]
pub struct ServerSession {
    client_public: BigUint,
    secret: Secret<BigUint>,
    server_public: BigUint,
}

impl std::fmt::Debug for ServerSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerSession").finish_non_exhaustive()
    }
}

impl ServerSession {
    /// Starts a challenge for `SRP_A` (hex, as the client sent it) against `verifier`,
    /// with `b` the server's random secret (RFC 5054 asks for at least 256 bits).
    pub fn new(verifier: &Verifier, srp_a: &str, b: &[u8; 32]) -> Result<Self, SrpError> {
        // 1. Read A.
        let client_public = parse_hex(srp_a).ok_or(SrpError::SrpANotHex)?;
        // 2. RFC 5054 §2.5.4: abort if A % N == 0.
        check_client_public(&Cognito, &client_public)?;
        // 3. RFC 5054 §2.5.3: B = k*v + g^b % N.
        let secret = BigUint::from_bytes_be(b);
        let server_public = server_public(&Cognito, &verifier.0, &secret)?;
        Ok(ServerSession {
            client_public,
            secret: Secret::new(secret),
            server_public,
        })
    }

    /// The `SRP_B` challenge parameter, in lower-case hex as [`salt_hex`] writes numbers.
    pub fn srp_b(&self) -> String {
        pad_hex(&self.server_public)
    }

    /// The session key `K` both sides derive: `u`, then `S`, then HKDF.
    pub fn session_key(&self, verifier: &Verifier) -> Result<SessionKey, SrpError> {
        // RFC 5054 §2.6: u = H(PAD(A) | PAD(B)), not zero.
        let u = scrambler(&Cognito, &self.client_public, &self.server_public)?;
        // RFC 5054 §2.6: S = (A * v^u) ^ b % N.
        let premaster = server_premaster_secret(
            &Cognito,
            &self.client_public,
            &verifier.0,
            &u,
            self.secret.expose(),
        );
        // Cognito: K = HKDF(pad(u), pad(S)).
        derive_session_key(&premaster, &u)
    }

    /// Checks a `PASSWORD_VERIFIER` answer: derives `K`, then
    /// [`SessionKey::verify_password_claim`].
    pub fn verify_password_claim(
        &self,
        verifier: &Verifier,
        claim: &PasswordClaim<'_>,
    ) -> Result<(), SrpError> {
        self.session_key(verifier)?.verify_password_claim(claim)
    }
}

/// What a client sends back to a `PASSWORD_VERIFIER` (or `DEVICE_PASSWORD_VERIFIER`)
/// challenge, with the names it signs.
#[derive(Debug, Clone, Copy)]
pub struct PasswordClaim<'a> {
    /// The pool name: the part of the pool id after `_`. For a device, its device group
    /// key.
    pub pool_name: &'a str,
    /// `USER_ID_FOR_SRP` as the server sent it (the user's internal username). For a
    /// device, its device key.
    pub user_id_for_srp: &'a str,
    /// `PASSWORD_CLAIM_SECRET_BLOCK`, base64, as sent.
    pub secret_block: &'a str,
    /// `TIMESTAMP`, as sent.
    pub timestamp: &'a str,
    /// `PASSWORD_CLAIM_SIGNATURE`, base64, as sent.
    pub signature: &'a str,
}

/// Cognito's 16-byte session key `K`.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionKey(Secret<[u8; 16]>);

impl std::fmt::Debug for SessionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionKey(<redacted>)")
    }
}

/// Base64 as Java's decoder reads it: padding optional.
pub(crate) const BASE64_LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

impl SessionKey {
    /// The key bytes.
    pub fn expose(&self) -> &[u8; 16] {
        self.0.expose()
    }

    /// `HMAC-SHA256(K, poolName | userIdForSrp | secretBlock | timestamp)`: the raw
    /// bytes behind `PASSWORD_CLAIM_SIGNATURE`.
    pub fn password_claim_signature(
        &self,
        pool_name: &str,
        user_id_for_srp: &str,
        secret_block: &[u8],
        timestamp: &str,
    ) -> Result<[u8; 32], SrpError> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.expose())
            .map_err(|_| SrpError::KeyLength)?;
        mac.update(pool_name.as_bytes());
        mac.update(user_id_for_srp.as_bytes());
        mac.update(secret_block);
        mac.update(timestamp.as_bytes());
        Ok(mac.finalize().into_bytes().into())
    }

    /// Checks a client's claim, in Cognito's order, each failure its own variant.
    /// Whether the secret block is the one the server issued, and whether the
    /// timestamp is close enough to now, are the caller's checks.
    pub fn verify_password_claim(&self, claim: &PasswordClaim<'_>) -> Result<(), SrpError> {
        // 1. The secret block is base64; its bytes are signed.
        let secret_block = BASE64_LENIENT
            .decode(claim.secret_block)
            .map_err(|_| SrpError::SecretBlockNotBase64)?;
        // 2. The timestamp reads as `EEE MMM d HH:mm:ss z yyyy`.
        let instant = parse_timestamp(claim.timestamp)?;
        // 3. The server signs its own rendering of that instant.
        let timestamp = format_timestamp(instant);
        let expected = self.password_claim_signature(
            claim.pool_name,
            claim.user_id_for_srp,
            &secret_block,
            &timestamp,
        )?;
        // 4. The signature is base64 and equals the expected one, in constant time.
        let signature = BASE64_LENIENT
            .decode(claim.signature)
            .map_err(|_| SrpError::SignatureNotBase64)?;
        if bool::from(signature.as_slice().ct_eq(&expected)) {
            Ok(())
        } else {
            Err(SrpError::SignatureMismatch)
        }
    }
}

const SECONDS_PER_DAY: i64 = 86_400;

/// `TIMESTAMP` as the clients write it, from epoch seconds: `Sat Jan 3 05:06:07 UTC 2026`
/// (English names, day of the month unpadded, time zero-padded, always UTC).
pub fn format_timestamp(epoch_secs: i64) -> String {
    let days = epoch_secs.div_euclid(SECONDS_PER_DAY);
    let secs = epoch_secs.rem_euclid(SECONDS_PER_DAY);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{} {} {} {:02}:{:02}:{:02} UTC {}",
        weekday_name(days),
        month_name(month),
        day,
        secs / 3600,
        secs / 60 % 60,
        secs % 60,
        year
    )
}

/// Reads a `TIMESTAMP` as Cognito does (`EEE MMM d HH:mm:ss z yyyy`, English, zone `UTC`
/// or `GMT`) into epoch seconds. Like Java's parser it accepts a zero-padded day and
/// does not check the weekday against the date; [`SessionKey::verify_password_claim`]
/// signs [`format_timestamp`] of the result, so either one then fails the signature.
pub fn parse_timestamp(text: &str) -> Result<i64, TimestampError> {
    let mut fields = text.split(' ');
    let (Some(weekday), Some(month), Some(day), Some(time), Some(zone), Some(year), None) = (
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
    ) else {
        return Err(TimestampError::Fields);
    };
    weekday_number(weekday).ok_or(TimestampError::Weekday)?;
    let month = month_number(month).ok_or(TimestampError::Month)?;
    let year = match year.len() {
        4 => small_number(year).ok_or(TimestampError::Year)?,
        _ => return Err(TimestampError::Year),
    };
    let day = small_number(day)
        .filter(|d| (1..=days_in_month(year, month)).contains(d))
        .ok_or(TimestampError::Day)?;
    let mut hms = time.split(':');
    let (Some(h), Some(m), Some(s), None) = (hms.next(), hms.next(), hms.next(), hms.next()) else {
        return Err(TimestampError::TimeOfDay);
    };
    let hours = small_number(h).filter(|h| *h < 24);
    let minutes = small_number(m).filter(|m| *m < 60);
    let seconds = small_number(s).filter(|s| *s < 60);
    let (Some(hours), Some(minutes), Some(seconds)) = (hours, minutes, seconds) else {
        return Err(TimestampError::TimeOfDay);
    };
    if zone != "UTC" && zone != "GMT" {
        return Err(TimestampError::Zone);
    }
    let days = days_from_civil(year, month, day);
    Ok(days * SECONDS_PER_DAY + hours * 3600 + minutes * 60 + seconds)
}

/// One to four ASCII digits (Java's `d`, `HH` and `yyyy` fields), as a number.
fn small_number(text: &str) -> Option<i64> {
    if text.is_empty() || text.len() > 4 || !text.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn weekday_name(days_since_epoch: i64) -> &'static str {
    // 1970-01-01 was a Thursday.
    match (days_since_epoch + 4).rem_euclid(7) {
        0 => "Sun",
        1 => "Mon",
        2 => "Tue",
        3 => "Wed",
        4 => "Thu",
        5 => "Fri",
        _ => "Sat",
    }
}

fn weekday_number(name: &str) -> Option<u8> {
    Some(match name {
        "Sun" => 0,
        "Mon" => 1,
        "Tue" => 2,
        "Wed" => 3,
        "Thu" => 4,
        "Fri" => 5,
        "Sat" => 6,
        _ => return None,
    })
}

fn month_name(month: i64) -> &'static str {
    match month {
        1 => "Jan",
        2 => "Feb",
        3 => "Mar",
        4 => "Apr",
        5 => "May",
        6 => "Jun",
        7 => "Jul",
        8 => "Aug",
        9 => "Sep",
        10 => "Oct",
        11 => "Nov",
        _ => "Dec",
    }
}

fn month_number(name: &str) -> Option<i64> {
    Some(match name {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    })
}

fn days_in_month(year: i64, month: i64) -> i64 {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (years counted from March, so
/// the leap day ends the year).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The inverse of [`days_from_civil`]: `(year, month, day)`.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests;
