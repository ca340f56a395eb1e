//! Authenticator data (§6.1) and the attested credential data in it (§6.5.1).
//!
//! ```text
//! rpIdHash (32) | flags (1) | signCount (4, big-endian)
//!   | [AT] aaguid (16) | credentialIdLength (2, big-endian) | credentialId | credentialPublicKey (COSE_Key, CBOR)
//!   | [ED] extensions (a CBOR map)
//! ```

use ciborium::Value;

use super::WebAuthnError;

/// The flags byte (§6.1, "flags").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Flags(pub(super) u8);

impl Flags {
    /// Bit 0, UP: User Present.
    pub(super) const UP: u8 = 1 << 0;
    /// Bit 2, UV: User Verified.
    pub(super) const UV: u8 = 1 << 2;
    /// Bit 3, BE: Backup Eligibility.
    pub(super) const BE: u8 = 1 << 3;
    /// Bit 4, BS: Backup State.
    pub(super) const BS: u8 = 1 << 4;
    /// Bit 6, AT: attested credential data included.
    pub(super) const AT: u8 = 1 << 6;
    /// Bit 7, ED: extension data included.
    pub(super) const ED: u8 = 1 << 7;

    fn has(self, bit: u8) -> bool {
        self.0 & bit == bit
    }

    pub(super) fn user_present(self) -> bool {
        self.has(Self::UP)
    }

    pub(super) fn user_verified(self) -> bool {
        self.has(Self::UV)
    }

    pub(super) fn backup_eligible(self) -> bool {
        self.has(Self::BE)
    }

    pub(super) fn backed_up(self) -> bool {
        self.has(Self::BS)
    }
}

/// Attested credential data (§6.5.1).
#[derive(Debug)]
pub(super) struct AttestedCredentialData<'a> {
    pub(super) aaguid: [u8; 16],
    pub(super) credential_id: &'a [u8],
    /// The `credentialPublicKey`, exactly the bytes of its CBOR item.
    pub(super) public_key: &'a [u8],
}

/// Parsed authenticator data, borrowing the bytes it was read from.
#[derive(Debug)]
pub(super) struct AuthenticatorData<'a> {
    pub(super) rp_id_hash: &'a [u8],
    pub(super) flags: Flags,
    pub(super) sign_count: u32,
    pub(super) attested: Option<AttestedCredentialData<'a>>,
}

/// Splits `n` bytes off the front of `rest`.
fn take<'a>(rest: &mut &'a [u8], n: usize, what: &'static str) -> Result<&'a [u8], WebAuthnError> {
    let (head, tail) = rest
        .split_at_checked(n)
        .ok_or(WebAuthnError::AuthenticatorData(what))?;
    *rest = tail;
    Ok(head)
}

/// Splits one CBOR data item off the front of `rest`.
fn take_cbor<'a>(rest: &mut &'a [u8], what: &'static str) -> Result<&'a [u8], WebAuthnError> {
    let start = *rest;
    let mut reader = start;
    ciborium::de::from_reader::<Value, _>(&mut reader)
        .map_err(|_| WebAuthnError::AuthenticatorData(what))?;
    let used = start.len() - reader.len();
    take(rest, used, what)
}

impl<'a> AuthenticatorData<'a> {
    /// §6.1: reads the fixed 37 bytes, then the attested credential data if AT is set,
    /// then the extensions if ED is set; nothing may follow.
    pub(super) fn parse(bytes: &'a [u8]) -> Result<Self, WebAuthnError> {
        let mut rest = bytes;
        let rp_id_hash = take(&mut rest, 32, "shorter than 37 bytes")?;
        let flags = Flags(
            take(&mut rest, 1, "shorter than 37 bytes")?
                .first()
                .copied()
                .unwrap_or_default(),
        );
        let count = take(&mut rest, 4, "shorter than 37 bytes")?;
        let sign_count = u32::from_be_bytes(
            count
                .try_into()
                .map_err(|_| WebAuthnError::AuthenticatorData("shorter than 37 bytes"))?,
        );
        let attested = if flags.has(Flags::AT) {
            Some(attested_credential_data(&mut rest)?)
        } else {
            None
        };
        if flags.has(Flags::ED) {
            let extensions = take_cbor(&mut rest, "the extensions are not CBOR")?;
            // §6.1: "extensions ... a CBOR map". Their outputs are ignored (§7.1 step 28,
            // §7.2 step 23).
            if !matches!(
                ciborium::de::from_reader::<Value, _>(extensions),
                Ok(Value::Map(_))
            ) {
                return Err(WebAuthnError::AuthenticatorData(
                    "the extensions are not a map",
                ));
            }
        }
        if !rest.is_empty() {
            return Err(WebAuthnError::AuthenticatorData(
                "bytes follow its last member",
            ));
        }
        Ok(AuthenticatorData {
            rp_id_hash,
            flags,
            sign_count,
            attested,
        })
    }
}

/// §6.5.1: `aaguid`, `credentialIdLength`, `credentialId`, `credentialPublicKey`.
fn attested_credential_data<'a>(
    rest: &mut &'a [u8],
) -> Result<AttestedCredentialData<'a>, WebAuthnError> {
    let truncated = "the attested credential data is truncated";
    let aaguid: [u8; 16] = take(rest, 16, truncated)?
        .try_into()
        .map_err(|_| WebAuthnError::AuthenticatorData(truncated))?;
    let length: [u8; 2] = take(rest, 2, truncated)?
        .try_into()
        .map_err(|_| WebAuthnError::AuthenticatorData(truncated))?;
    let credential_id = take(rest, usize::from(u16::from_be_bytes(length)), truncated)?;
    let public_key = take_cbor(rest, "the credential public key is not CBOR")?;
    Ok(AttestedCredentialData {
        aaguid,
        credential_id,
        public_key,
    })
}
