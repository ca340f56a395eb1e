//! Time-based one-time passwords as Cognito's software token MFA runs them: TOTP
//! ([RFC 6238]) over HOTP ([RFC 4226]), with the secret written in base32 ([`base32`],
//! [RFC 4648]).
//!
//! Cognito uses RFC 6238's defaults, the ones an authenticator app assumes for an
//! `otpauth://totp/...?secret=...` URI without further parameters: `T0 = 0`, a 30-second
//! step, HMAC-SHA-1 and 6 digits (the model's `SoftwareTokenMFAUserCodeType` is six
//! digits). Its own choices:
//!
//! - `AssociateSoftwareToken`'s `SecretCode` is the key in unpadded upper-case base32.
//!   Real secret codes are 52 characters long (developers report it of the codes
//!   Amplify's `Auth.setupTOTP` returns, in the Stack Overflow question "Shorter manual
//!   setup code for AWS Amplify Cognito TOTP setup"), i.e. a 32-byte key:
//!   [`SECRET_BYTES`], [`TotpKey::generate`]. The model only says at least 16 characters
//!   of `[A-Za-z0-9]`.
//! - A code is accepted for a short while after its step ends: AWS answered so in
//!   aws-amplify/amplify-js#3873, citing RFC 6238 §5.2, without saying for how long.
//!   Cognito does not publish its window. This module accepts the current step, one step
//!   before it (the network delay §5.2 allows, "at most one time step") and one after it
//!   (a client clock running ahead, §6): [`SKEW_STEPS`].
//!
//! RFC 6238 §5.2 also says a verifier "MUST NOT accept the second attempt of the OTP
//! after the successful validation has been issued for the first OTP". The caller keeps
//! the step of the last code accepted; [`TotpKey::verify`] takes it and answers the
//! step it accepted.
//!
//! Time comes in as epoch seconds, the key's randomness as bytes from the caller.
//!
//! [RFC 6238]: https://www.rfc-editor.org/rfc/rfc6238
//! [RFC 4226]: https://www.rfc-editor.org/rfc/rfc4226
//! [RFC 4648]: https://www.rfc-editor.org/rfc/rfc4648

use hmac::{Hmac, Mac};
use sha1::Sha1;
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};

use crate::secret::Secret;

pub mod base32;

pub use base32::Base32Error;

/// RFC 6238 §4.1 `T0`: the Unix time steps are counted from.
pub const T0: i64 = 0;

/// RFC 6238 §4.1 `X`: the time step, in seconds (§5.2 recommends 30).
pub const STEP_SECONDS: i64 = 30;

/// RFC 4226 §5.3 `Digit`: the length of a code.
pub const DIGITS: u32 = 6;

/// How many steps before and after the current one a code may come from: RFC 6238 §5.2
/// allows "at most one time step" of network delay, §6 a bounded drift of the client's
/// clock. Cognito does not publish its window; see the module documentation.
pub const SKEW_STEPS: u64 = 1;

/// The length of the key behind an `AssociateSoftwareToken` `SecretCode`, in bytes: its
/// base32 is 52 characters, as Cognito's are.
pub const SECRET_BYTES: usize = 32;

/// RFC 4226 §4 R6: "The length of the shared secret MUST be at least 128 bits."
pub const MIN_KEY_BYTES: usize = 16;

/// Why a TOTP step failed. Each variant names the check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TotpError {
    /// The secret code is not unpadded upper-case base32.
    #[error(transparent)]
    SecretCode(#[from] Base32Error),
    /// RFC 4226 §4 R6: the key is shorter than 128 bits.
    #[error("the TOTP key is shorter than 128 bits")]
    KeyTooShort,
    /// HMAC refused the key (never for HMAC-SHA-1, which takes any length).
    #[error("HMAC refused the key")]
    KeyLength,
    /// RFC 6238 §4.2: the time is before `T0`, so it has no step.
    #[error("the time is before T0")]
    BeforeT0,
    /// The code is not six ASCII digits.
    #[error("the code is not six digits")]
    CodeNotSixDigits,
    /// The code is not the code of any step in the window.
    #[error("the code does not match")]
    CodeMismatch,
    /// RFC 6238 §5.2: the code is that of a step at or before the last one accepted.
    #[error("the code was already used")]
    CodeReused,
}

/// A TOTP shared secret (RFC 4226 `K`). `Debug` does not show it.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpKey(Secret<Vec<u8>>);

impl std::fmt::Debug for TotpKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpKey(<redacted>)")
    }
}

impl TotpKey {
    /// A key of these bytes, at least 128 bits long (RFC 4226 §4 R6).
    pub fn new(key: &[u8]) -> Result<Self, TotpError> {
        if key.len() < MIN_KEY_BYTES {
            return Err(TotpError::KeyTooShort);
        }
        Ok(TotpKey(Secret::new(key.to_vec())))
    }

    /// The key `AssociateSoftwareToken` makes, from the caller's random bytes.
    pub fn generate(random: &[u8; SECRET_BYTES]) -> Self {
        TotpKey(Secret::new(random.to_vec()))
    }

    /// The key behind a `SecretCode` ([`TotpKey::secret_code`]).
    pub fn from_secret_code(secret_code: &str) -> Result<Self, TotpError> {
        Self::new(&base32::decode(secret_code)?)
    }

    /// `AssociateSoftwareToken`'s `SecretCode`: the key in unpadded upper-case base32
    /// (52 characters for a [`TotpKey::generate`]d key).
    pub fn secret_code(&self) -> Secret<String> {
        Secret::new(base32::encode(self.expose()))
    }

    /// The key bytes.
    pub fn expose(&self) -> &[u8] {
        self.0.expose()
    }

    /// RFC 4226 §5.3: the 6-digit HOTP value of `counter`.
    pub fn hotp(&self, counter: u64) -> Result<Secret<String>, TotpError> {
        hotp(self.expose(), counter, DIGITS).map(Secret::new)
    }

    /// RFC 6238 §4.2: the 6-digit TOTP value at `epoch_secs`, i.e. the HOTP value of its
    /// [`time_step`].
    pub fn totp(&self, epoch_secs: i64) -> Result<Secret<String>, TotpError> {
        self.hotp(time_step(epoch_secs)?)
    }

    /// Checks a code at `epoch_secs` and answers the step whose code it is, for the caller
    /// to keep as `last_used_step` of the next call.
    ///
    /// The code may be that of the current step or of [`SKEW_STEPS`] steps before or
    /// after (RFC 6238 §5.2). Steps at or before `last_used_step` are not accepted again
    /// ([`TotpError::CodeReused`] when the code is only theirs). Every step of the window
    /// is computed and compared, in constant time, whatever matches.
    pub fn verify(
        &self,
        code: &str,
        epoch_secs: i64,
        last_used_step: Option<u64>,
    ) -> Result<u64, TotpError> {
        // 1. A code is six ASCII digits (SoftwareTokenMFAUserCodeType).
        if code.len() != DIGITS as usize || !code.bytes().all(|c| c.is_ascii_digit()) {
            return Err(TotpError::CodeNotSixDigits);
        }
        // 2. RFC 6238 §4.2: the current step T.
        let current = time_step(epoch_secs)?;
        // 3. RFC 6238 §5.2: the window, current step first, so that it wins a tie.
        let mut matched = Choice::from(0);
        let mut reused = Choice::from(0);
        let mut step = 0u64;
        for candidate in window(current) {
            let expected = hotp(self.expose(), candidate, DIGITS)?;
            let equal = expected.as_bytes().ct_eq(code.as_bytes());
            // 4. RFC 6238 §5.2: never a step at or before the last one accepted.
            let fresh = Choice::from(u8::from(last_used_step.is_none_or(|last| candidate > last)));
            let accept = equal & fresh & !matched;
            step = u64::conditional_select(&step, &candidate, accept);
            matched |= accept;
            reused |= equal & !fresh;
        }
        if bool::from(matched) {
            Ok(step)
        } else if bool::from(reused) {
            Err(TotpError::CodeReused)
        } else {
            Err(TotpError::CodeMismatch)
        }
    }
}

/// RFC 6238 §4.2: `T = floor((Current Unix time - T0) / X)`, refusing times before `T0`.
pub fn time_step(epoch_secs: i64) -> Result<u64, TotpError> {
    let since_t0 = epoch_secs.checked_sub(T0).ok_or(TotpError::BeforeT0)?;
    u64::try_from(since_t0.div_euclid(STEP_SECONDS)).map_err(|_| TotpError::BeforeT0)
}

/// RFC 6238 §5.2: the steps whose codes are accepted at step `current`: `current`, then
/// up to [`SKEW_STEPS`] before it, then up to as many after it (none below zero or past
/// `u64::MAX`).
fn window(current: u64) -> impl Iterator<Item = u64> {
    let before = (1..=SKEW_STEPS).filter_map(move |k| current.checked_sub(k));
    let after = (1..=SKEW_STEPS).filter_map(move |k| current.checked_add(k));
    std::iter::once(current).chain(before).chain(after)
}

/// RFC 4226 §5.3, with the number of digits as a parameter (RFC 6238's Appendix B lists
/// 8-digit codes): the three steps, then the decimal written out with leading zeros.
pub(crate) fn hotp(key: &[u8], counter: u64, digits: u32) -> Result<String, TotpError> {
    // Step 1: HS = HMAC-SHA-1(K, C).
    let hs = hmac_sha1(key, counter)?;
    // Step 2: Sbits = DT(HS).
    let sbits = dynamic_truncation(&hs);
    // Step 3: D = Snum mod 10^Digit.
    let d = reduce(sbits, digits);
    Ok(format!("{d:0width$}", width = digits as usize))
}

/// RFC 4226 §5.3 Step 1: `HS = HMAC-SHA-1(K, C)`, where `C` is the 8-byte big-endian
/// counter (§5.1).
pub(crate) fn hmac_sha1(key: &[u8], counter: u64) -> Result<[u8; 20], TotpError> {
    let mut mac = <Hmac<Sha1> as Mac>::new_from_slice(key).map_err(|_| TotpError::KeyLength)?;
    mac.update(&counter.to_be_bytes());
    Ok(mac.finalize().into_bytes().into())
}

/// RFC 4226 §5.3 Step 2, `DT(String)`: `OffsetBits` is the low 4 bits of `String[19]`,
/// `P = String[OffSet]..String[OffSet+3]`, and the result is the last 31 bits of `P`.
pub(crate) fn dynamic_truncation(hs: &[u8; 20]) -> u32 {
    let [.., last] = *hs;
    let offset = usize::from(last & 0x0f);
    // OffSet <= 15, so OffSet+3 <= 18 is always within the 20 bytes.
    let p = hs
        .iter()
        .skip(offset)
        .take(4)
        .fold(0u32, |acc, byte| (acc << 8) | u32::from(*byte));
    p & 0x7fff_ffff
}

/// RFC 4226 §5.3 Step 3: `Snum mod 10^Digit` (`Snum` is below `2^31`, so ten digits or
/// more leave it whole).
pub(crate) fn reduce(snum: u32, digits: u32) -> u32 {
    10u32
        .checked_pow(digits)
        .map_or(snum, |modulus| snum % modulus)
}

#[cfg(test)]
mod tests;
